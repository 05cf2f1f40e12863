"""Start-up benchmark: lace-tui's app against a bare Textual hello-world, in the same run.

Run: python bench/bench_startup.py [--repeat N] [--no-bytecode-cache]

Each case is a fresh interpreter (imports count: start-up is what a person waits for) running the
app headless. The clock starts just before the process is spawned and stops:
- hello: when the hello-world app's first screen is ready (`on_ready`);
- lace ready: when lace-tui's first screen (the Catalog, a first start) is ready;
- lace catalog: when that screen's table shows every provider of the catalog, checked by id
  against the catalog as `load_catalog` gives it (loaded here in the parent, untimed);
- lace second start: the same in the same home again (the first start left its cache there).
Also reported, not budgeted: when the app's own full catalog (validated, every model) has
loaded in the background.

Python bytecode is cached for every case (in a temporary PYTHONPYCACHEPREFIX, warmed by one
untimed run of each case), as it is for an installed package: with PYTHONDONTWRITEBYTECODE set
in the environment lace-tui's own modules would otherwise be compiled from source at every
start, while Textual's come precompiled from site-packages. `--no-bytecode-cache` measures
with the environment as it is.

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
from lace_tui.tui.widgets.line_table import LineTable

t0 = float(os.environ["BENCH_T0"])
expected = set(os.environ["BENCH_PROVIDERS"].split())

class Bench(LaceApp):
    shown = False
    done = False

    def on_ready(self) -> None:
        super().on_ready()
        self.ready_at = time.time() - t0
        self.check()
        self.set_interval(0.002, self.check)

    def check(self) -> None:
        if self.done:
            return
        if not self.shown:
            tables = self.screen.query("#providers").results(LineTable)
            table = next(tables, None)
            if table is not None and set(table.row_keys) == expected:
                self.shown = True
                print(f"ready {self.ready_at:.4f}")
                print(f"catalog {time.time() - t0:.4f}")
        loaded = self.catalog_if_loaded()
        if self.shown and loaded is not None:
            assert set(loaded.providers) == expected
            print(f"loaded {time.time() - t0:.4f}")
            self.finish()

    def finish(self) -> None:
        self.done = True
        self.run_worker(self.leave())

    async def leave(self) -> None:
        # Let the start-up workers end (they save what the next start reads), then quit.
        try:
            for worker in list(self.workers):
                if worker.group in ("catalog", "catalog-rows"):
                    await worker.wait()
        finally:
            self.exit()

services = Services(resolve_paths(sys.argv[1]), environ={})
Bench(services).run(headless=True, size=(80, 24))
"""


SESSION = """
import os, sys, time
from lace_tui.paths import resolve_paths
from lace_tui.services.app_services import Services
from lace_tui.tui.app import LaceApp

t0 = float(os.environ["BENCH_T0"])
newest = os.environ["BENCH_NEWEST"]

class Bench(LaceApp):
    done = False

    def _display(self, screen, renderable) -> None:
        # The first frame that shows the newest message is what a person waits for.
        super()._display(screen, renderable)
        self.check()

    def on_ready(self) -> None:
        super().on_ready()
        self.ready = True
        self.check()
        self.set_interval(0.002, self.check)

    def check(self) -> None:
        if not self.done:
            for widget in self.screen.query("UserMessage"):
                if getattr(widget, "text", None) == newest and widget.region.height:
                    self.done = True
                    print(f"session {time.time() - t0:.4f}")
        if self.done and getattr(self, "ready", False):
            self.exit()  # only once started: leaving mid-mount would be an error

services = Services(resolve_paths(sys.argv[1]), environ={})
Bench(services).run(headless=True, size=(80, 24))
"""

SESSION_MESSAGES = 200
REPLY = (
    "Here is what I found.\n\n- **first**: a point with `code`\n- second: another point\n\n"
    "```python\nprint('hello')\n```\n\nAnd a closing paragraph of a few more words.\n"
)


def session_home(home: str) -> str:
    """A home with 3 instances and a session of SESSION_MESSAGES messages; returns the text of
    the newest prompt (what the start waits for)."""
    from lace_tui.instances.models import Instance
    from lace_tui.paths import resolve_paths
    from lace_tui.services.app_services import Services

    services = Services(resolve_paths(home), environ={})
    try:
        instances = (("claude", "anthropic"), ("gpt", "openai"), ("gem", "gemini"))
        for instance_id, provider in instances:
            services.instances.add(
                Instance(id=instance_id, provider=provider), api_key="sk-bench-000000000"
            )
        session = services.sessions.create_session("s-bench", title="Bench session")
        agent = services.chat.add_agent(session.id, "claude", "claude-sonnet-4-6")
        pair = {"model_id": agent.model_id, "instance_id": agent.instance_id}
        newest = ""
        for n in range(SESSION_MESSAGES // 2):
            newest = f"question number {n}: what about this?"
            services.sessions.add_message(agent.id, "user", newest, **pair)
            services.sessions.add_message(agent.id, "assistant", REPLY, **pair)
        # The newest prompt goes last, so it is what the start waits to see.
        return newest
    finally:
        services.close()


def measure_all(repeat: int, *, cached: bool, session: bool) -> dict[str, float]:
    """Best seconds of hello, lace's first start (Catalog shown) and, with `session`, a start
    into an existing session; runs interleaved. Used by bench_issue17.py."""
    with tempfile.TemporaryDirectory(prefix="lace-bench-pyc-") as pycache:
        env = dict(os.environ)
        env.pop("LACE_DIR", None)
        # Cached: one warm prefix for every run. Not: an empty prefix nothing is written to, so
        # every run compiles every module it imports (its own and Textual's alike).
        env["PYTHONPYCACHEPREFIX"] = pycache
        if cached:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
        else:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        with tempfile.TemporaryDirectory(prefix="lace-bench-session-") as kept:
            env["BENCH_NEWEST"] = session_home(kept) if session else ""
            with tempfile.TemporaryDirectory(prefix="lace-bench-start-") as home:
                env["BENCH_PROVIDERS"] = expected_providers(home)
                run(HELLO, env)  # untimed: fills the bytecode cache (if any) and the OS's
                run(LACE, env, home)
                if session:
                    run(SESSION, env, kept)
            results: dict[str, list[float]] = {}
            for _ in range(repeat):
                results.setdefault("hello", []).append(run(HELLO, env)["ready"])
                with tempfile.TemporaryDirectory(prefix="lace-bench-start-") as home:
                    results.setdefault("catalog", []).append(run(LACE, env, home)["catalog"])
                if session:
                    results.setdefault("session", []).append(run(SESSION, env, kept)["session"])
    return {label: min(times) for label, times in results.items()}


def expected_providers(home: str) -> str:
    """The ids of the catalog as loaded for `home` (untimed, in this process)."""
    from lace_tui.catalog.loader import load_catalog
    from lace_tui.paths import resolve_paths

    return " ".join(load_catalog(resolve_paths(home)).providers)


def run(code: str, env: dict[str, str], *args: str) -> dict[str, float]:
    """Run `code` in a fresh interpreter; the times it printed, by label."""
    env = dict(env, BENCH_T0=repr(time.time()))
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
        if label in ("ready", "catalog", "loaded", "session"):
            times[label] = float(value)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per case (best is reported)")
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="do not cache bytecode for the runs (PYTHONDONTWRITEBYTECODE as in the environment)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="lace-bench-pyc-") as pycache:
        env = dict(os.environ)
        env.pop("LACE_DIR", None)
        if not args.no_bytecode_cache:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = pycache
        with tempfile.TemporaryDirectory(prefix="lace-bench-start-") as home:
            env["BENCH_PROVIDERS"] = expected_providers(home)
            if not args.no_bytecode_cache:  # untimed: fills the bytecode cache
                run(HELLO, env)
                run(LACE, env, home)
        results = measure(env, args.repeat)
    report(results, args.repeat, cached=not args.no_bytecode_cache)


def measure(env: dict[str, str], repeat: int) -> dict[str, list[float]]:
    """Times of every case, `repeat` runs each, interleaved so that a busy moment on the
    machine hits every case alike."""
    results: dict[str, list[float]] = {}
    for _ in range(repeat):
        results.setdefault("hello", []).append(run(HELLO, env)["ready"])
        with tempfile.TemporaryDirectory(prefix="lace-bench-start-") as home:
            first = run(LACE, env, home)  # a first start: no instances, opens the Catalog
            second = run(LACE, env, home)  # the next start in the same home
        for label, seconds in first.items():
            results.setdefault(label, []).append(seconds)
        results.setdefault("second", []).append(second["catalog"])
    return results


def report(results: dict[str, list[float]], repeat: int, *, cached: bool) -> None:
    best = {label: min(times) for label, times in results.items()}
    hello = best["hello"]
    cache = "bytecode cached" if cached else "bytecode as the environment has it"
    print(f"start-up, fresh process to first interactive screen (best of {repeat}; {cache})")
    print(f"{'case':<52}{'seconds':>9}{'ratio':>8}")
    rows = (
        ("hello", "Textual hello world"),
        ("ready", "lace-tui first screen ready"),
        ("catalog", "lace-tui Catalog showing the whole catalog"),
        ("second", "  the same, second start (cached briefs)"),
        ("loaded", "  (full catalog validated in the background)"),
    )
    for label, title in rows:
        print(f"{title:<52}{best[label]:>9.3f}{best[label] / hello:>8.2f}")
    budgeted = (
        ("first screen ready", best["ready"]),
        ("catalog shown", best["catalog"]),
        ("catalog shown, second start", best["second"]),
    )
    for label, seconds in budgeted:
        ratio = seconds / hello
        verdict = "ok" if ratio <= BUDGET_RATIO else "OVER BUDGET"
        print(f"budget, {label}: within {BUDGET_RATIO}x of hello world: {verdict} ({ratio:.2f}x)")


if __name__ == "__main__":
    main()
