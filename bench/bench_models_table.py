"""The Models section at 20,000 models: time per keystroke in the filter line, per toggle, per sort.

Run: python bench/bench_models_table.py [--models N]

A temp home gets generated user catalogs (copies of the shipped models) on top of the shipped
catalog. The app runs headless at 120x40 on the Models section; for each keystroke the clock covers
what the screen does with it: refilter + resort (`filter_models`), hand the rows to the virtual
table, and render every visible line of the table for the next frame. Budget (DESIGN.md): under
30 ms per keystroke.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

from textual.widgets import Checkbox, Input

from lace_tui.paths import resolve_paths
from lace_tui.services.app_services import Services
from lace_tui.tui.app import LaceApp
from lace_tui.tui.screens.models import ModelsScreen
from lace_tui.tui.widgets.model_table import ModelTable

BUDGET_MS = 30.0
QUERIES = ["claude sonnet", "gpt-5 mini", "qwen coder", "gemini flash", "xyzzy"]


def write_catalogs(home: Path, total: int, per_file: int = 100) -> None:
    """User catalog files holding `total` models, cycling the shipped ones under new ids."""
    shipped = Services(resolve_paths(tempfile.mkdtemp()), environ={}).catalog
    templates = [m.model_dump(mode="json") for p in shipped.providers.values() for m in p.models]
    directory = resolve_paths(home).user_catalogs_dir
    directory.mkdir(parents=True)
    for index in range(total // per_file):
        models = []
        for offset in range(per_file):
            model = dict(templates[(index * per_file + offset) % len(templates)])
            model["id"] = f"{model['id']}-{index}-{offset}"
            models.append(model)
        provider = {
            "name": f"Generated {index:03d}",
            "id": f"gen-{index:03d}",
            "type": "openai-compat",
            "api_key": f"$GEN_{index}_API_KEY",
            "api_endpoint": f"https://gen-{index}.example.com/v1",
            "models": models,
        }
        (directory / f"gen-{index:03d}.json").write_text(json.dumps(provider))


def keystrokes(models: int) -> list[float]:
    """Milliseconds per filter keystroke with `models` generated user models (settled: each
    keystroke's refilter and the next frame's table lines)."""
    with tempfile.TemporaryDirectory(prefix="lace-bench-models-") as home:
        write_catalogs(Path(home), models)
        return asyncio.run(measure(Path(home), quiet=True))


async def measure(home: Path, *, quiet: bool = False) -> list[float]:
    app = LaceApp(Services(resolve_paths(home), environ={}))
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("2")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ModelsScreen)
        table = screen.query_one(ModelTable)
        field = screen.query_one("#models-filter", Input)
        total = len(screen.all_rows)

        def keystroke() -> float:
            start = time.perf_counter()
            screen.apply_filter()
            for y in range(table.size.height):
                table.render_line(y)
            return (time.perf_counter() - start) * 1000

        typing: list[float] = []
        for query in QUERIES:
            for end in range(1, len(query) + 1):
                with field.prevent(Input.Changed):
                    field.value = query[:end]
                typing.append(keystroke())
            for end in range(len(query) - 1, -1, -1):  # and delete it again
                with field.prevent(Input.Changed):
                    field.value = query[:end]
                typing.append(keystroke())

        toggles: list[float] = []
        for selector in ("#only-reasoning", "#only-attachments"):
            box = screen.query_one(selector, Checkbox)
            for _ in range(2):
                with box.prevent(Checkbox.Changed):
                    box.value = not box.value
                toggles.append(keystroke())

        sorts: list[float] = []
        for _ in range(12):
            start = time.perf_counter()
            screen.action_sort_next()
            for y in range(table.size.height):
                table.render_line(y)
            sorts.append((time.perf_counter() - start) * 1000)

    if quiet:
        return typing
    print(f"Models section with {total:,} models (120x40, headless)")
    print(f"{'action':<28}{'count':>6}{'median ms':>11}{'max ms':>9}")
    for label, times in (("keystroke in filter", typing), ("toggle", toggles), ("sort", sorts)):
        print(f"{label:<28}{len(times):>6}{statistics.median(times):>11.2f}{max(times):>9.2f}")
    worst = max(typing + toggles)
    verdict = "ok" if worst < BUDGET_MS else "OVER BUDGET"
    print(
        f"budget: every keystroke and toggle under {BUDGET_MS:.0f} ms: {verdict} ({worst:.1f} ms)"
    )
    return typing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=20_000, help="generated user models")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lace-bench-models-") as home:
        write_catalogs(Path(home), args.models)
        asyncio.run(measure(Path(home)))


if __name__ == "__main__":
    main()
