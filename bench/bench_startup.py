"""Start-up benchmark: lace-tui's app against a bare Textual hello-world, in the same run.

Run: python bench/bench_startup.py [--repeat N]

Each case is a fresh interpreter (imports count: start-up is what a person waits for) running the
app headless. The clock starts just before the process is spawned and stops:
- hello: when the hello-world app's first screen is ready (`on_ready`);
- lace ready: when lace-tui's first screen (the Catalog, a first start) is ready;
- lace catalog: when that screen shows every provider of the shipped catalog (loaded in a worker).
Best of N for each. Budget (DESIGN.md): lace within 1.2x of hello.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

BUDGET_RATIO = 1.2

HELLO = """
import os, sys, time
from textual.app import App
from textual.widgets import Static

class Hello(App[None]):
    def compose(self):
        yield Static("Hello, world")

    def on_ready(self) -> None:
        print(f"ready {time.time() - float(os.environ['BENCH_T0']):.4f}")
        self.exit()

Hello().run(headless=True, size=(80, 24))
"""

LACE = """
import os, sys, time
from lace_tui.paths import resolve_paths
from lace_tui.services.app_services import Services
from lace_tui.tui.app import LaceApp

t0 = float(os.environ["BENCH_T0"])

class Bench(LaceApp):
    def on_ready(self) -> None:
        super().on_ready()
        self.ready_at = time.time() - t0
        self.set_interval(0.002, self.check)

    def check(self) -> None:
        from textual.widgets import DataTable
        tables = self.screen.query("#providers").results(DataTable)
        table = next(tables, None)
        if table is not None and table.row_count == len(self.services.catalog.providers):
            print(f"ready {self.ready_at:.4f}")
            print(f"catalog {time.time() - t0:.4f}")
            self.exit()

services = Services(resolve_paths(sys.argv[1]), environ={})
Bench(services).run(headless=True, size=(80, 24))
"""


def run(code: str, *args: str) -> dict[str, float]:
    """Run `code` in a fresh interpreter; the times it printed, by label."""
    env = dict(os.environ, BENCH_T0=repr(time.time()))
    env.pop("LACE_DIR", None)
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    times: dict[str, float] = {}
    for line in done.stdout.splitlines():
        label, _, value = line.partition(" ")
        if label in ("ready", "catalog"):
            times[label] = float(value)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per case (best is reported)")
    args = parser.parse_args()

    hello: list[float] = []
    ready: list[float] = []
    catalog: list[float] = []
    # Interleaved, so a busy moment on the machine hits both cases alike.
    for _ in range(args.repeat):
        hello.append(run(HELLO)["ready"])
        with tempfile.TemporaryDirectory(prefix="lace-bench-start-") as home:
            times = run(LACE, home)  # a first start: no instances, opens the Catalog
        ready.append(times["ready"])
        catalog.append(times["catalog"])

    best_hello, best_ready, best_catalog = min(hello), min(ready), min(catalog)
    print(f"start-up, fresh process to first interactive screen (best of {args.repeat})")
    print(f"{'case':<44}{'seconds':>9}{'ratio':>8}")
    print(f"{'Textual hello world':<44}{best_hello:>9.3f}{1:>8.2f}")
    print(f"{'lace-tui first screen ready':<44}{best_ready:>9.3f}{best_ready / best_hello:>8.2f}")
    label = "lace-tui Catalog showing the whole catalog"
    print(f"{label:<44}{best_catalog:>9.3f}{best_catalog / best_hello:>8.2f}")
    for label, seconds in (("first screen ready", best_ready), ("catalog shown", best_catalog)):
        ratio = seconds / best_hello
        verdict = "ok" if ratio <= BUDGET_RATIO else "OVER BUDGET"
        print(f"budget, {label}: within {BUDGET_RATIO}x of hello world: {verdict} ({ratio:.2f}x)")


if __name__ == "__main__":
    main()
