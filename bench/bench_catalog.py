"""Catalog benchmark: load + validation time by catalog size, and model-table filtering speed.

Run: python bench/bench_catalog.py [--repeat N]

Budgets (DESIGN.md): 20,000 models load and validate in under 0.5 s, growing linearly;
filtering 20,000 rows stays under 30 ms per keystroke; `catalog list` (a fresh process that
imports, loads the shipped catalog and prints) under 0.25 s wall.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from lace_tui.catalog.loader import Catalog, load_catalog
from lace_tui.catalog.query import ModelFilter, SortKey, filter_models
from lace_tui.paths import resolve_paths

MODELS_PER_PROVIDER = 100
LOAD_BUDGET_20K_S = 0.5
FILTER_BUDGET_MS = 30.0
CLI_BUDGET_S = 0.25

# What a person types into the model table's search box, one keystroke at a time, and the
# toggles they flip on the way.
TYPED = ["c", "cl", "cla", "clau", "claude", "claude s", "claude son", "claude sonnet"]
TYPED += ["g", "gp", "gpt", "gpt-5", "gpt-5 mini", "q", "qw", "qwen", "qwen coder", "xyzzy"]
FILTERS = [ModelFilter(text=text) for text in TYPED] + [
    ModelFilter(),
    ModelFilter(min_context=128_000),
    ModelFilter(max_input_price=1.0),
    ModelFilter(max_output_price=5.0, reasoning=True),
    ModelFilter(attachments=True, text="gemini"),
    ModelFilter(provider="gen-007", text="model"),
]
SORTS: list[SortKey] = ["name", "provider", "input_price", "output_price", "context", "max_output"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per case (best is reported)")
    args = parser.parse_args()

    empty_home = tempfile.mkdtemp(prefix="lace-bench-empty-")
    shipped = load_catalog(resolve_paths(empty_home))
    templates = [m.model_dump(mode="json") for p in shipped.providers.values() for m in p.models]
    shipped_count = _model_count(shipped)

    print("catalog load + validation (best of", args.repeat, "runs)")
    print(f"{'case':<34}{'models':>8}{'seconds':>10}{'us/model':>10}")
    print(f"{'shipped (43 files)':<34}{shipped_count:>8}", end="")
    _print_load(_best(args.repeat, partial(_load, empty_home)), shipped_count)

    large_seconds = 0.0
    for generated in (2_000, 20_000, 40_000):
        with tempfile.TemporaryDirectory(prefix="lace-bench-") as home:
            providers = generated // MODELS_PER_PROVIDER
            _write_user_catalogs(Path(home), templates, providers)
            total = shipped_count + generated
            label = f"shipped + {generated:,} user ({providers} files)"
            print(f"{label:<34}{total:>8}", end="")
            seconds = _best(args.repeat, partial(_load, home))
            _print_load(seconds, total)
            if generated == 20_000:
                large_seconds = seconds
                catalog = load_catalog(resolve_paths(home))
                assert len(catalog.issues) == 0, catalog.issues
    verdict = "ok" if large_seconds < LOAD_BUDGET_20K_S else "OVER BUDGET"
    print(f"budget: 20,000 user models under {LOAD_BUDGET_20K_S} s: {verdict}")

    with tempfile.TemporaryDirectory(prefix="lace-bench-") as home:
        _write_user_catalogs(Path(home), templates, 200)
        catalog = load_catalog(resolve_paths(home))
        start = time.perf_counter()
        rows = catalog.rows()[:20_000]
        rows_ms = (time.perf_counter() - start) * 1000
    print()
    print(f"building {len(catalog.rows()):,} table rows (once per catalog): {rows_ms:.1f} ms")
    print(f"filter_models over {len(rows):,} rows: {len(FILTERS)} queries x {len(SORTS)} sorts")
    print(f"{'sort':<18}{'median ms':>10}{'max ms':>10}")
    worst = 0.0
    for sort in SORTS:
        for descending in (False, True):
            times = []
            for flt in FILTERS:
                start = time.perf_counter()
                filter_models(rows, flt, sort, descending)
                times.append((time.perf_counter() - start) * 1000)
            worst = max(worst, *times)
            label = f"{sort}{' desc' if descending else ''}"
            print(f"{label:<18}{statistics.median(times):>10.2f}{max(times):>10.2f}")
    verdict = "ok" if worst < FILTER_BUDGET_MS else "OVER BUDGET"
    print(f"budget: every query under {FILTER_BUDGET_MS:.0f} ms: {verdict} (worst {worst:.2f} ms)")

    print()
    seconds = _best(args.repeat, partial(_cold_list, empty_home))
    verdict = "ok" if seconds < CLI_BUDGET_S else "OVER BUDGET"
    print(
        f"fresh process: import + load shipped + print provider list: {seconds:.3f} s wall "
        f"(budget {CLI_BUDGET_S} s: {verdict})"
    )


def _load(home: str) -> None:
    load_catalog(resolve_paths(home))


def _best(repeat: int, run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def _print_load(seconds: float, models: int) -> None:
    print(f"{seconds:>10.4f}{seconds / models * 1e6:>10.2f}")


def _model_count(catalog: Catalog) -> int:
    return sum(len(p.models) for p in catalog.providers.values())


def _write_user_catalogs(home: Path, templates: list[dict[str, object]], providers: int) -> None:
    """`providers` user catalog files of MODELS_PER_PROVIDER models each, cycling real models."""
    directory = resolve_paths(home).user_catalogs_dir
    directory.mkdir(parents=True)
    counter = 0
    for index in range(providers):
        models = []
        for offset in range(MODELS_PER_PROVIDER):
            model = dict(templates[counter % len(templates)])
            model["id"] = f"{model['id']}-{index}-{offset}"
            models.append(model)
            counter += 1
        provider = {
            "name": f"Generated {index:03d}",
            "id": f"gen-{index:03d}",
            "type": "openai-compat",
            "api_key": f"$GEN_{index}_API_KEY",
            "api_endpoint": f"https://gen-{index}.example.com/v1",
            "default_large_model_id": models[0]["id"],
            "default_small_model_id": models[-1]["id"],
            "models": models,
        }
        (directory / f"gen-{index:03d}.json").write_text(json.dumps(provider, indent=2))


def _cold_list(home: str) -> None:
    """What `lace-tui catalog list` costs at least: a new interpreter, imports, load, print."""
    code = (
        "from lace_tui.catalog.loader import load_catalog\n"
        "from lace_tui.catalog.briefs import briefs_of\n"
        "from lace_tui.paths import resolve_paths\n"
        "import sys\n"
        "for s in briefs_of(load_catalog(resolve_paths(sys.argv[1]))):\n"
        "    print(s.id, s.name, s.type, s.model_count, sep='\\t')\n"
    )
    subprocess.run([sys.executable, "-c", code, home], check=True, stdout=subprocess.DEVNULL)


JSON_ONLY = (
    "import json, pathlib, sys\n"
    "for path in sorted(pathlib.Path(sys.argv[1]).glob('*.json')):\n"
    "    json.loads(path.read_bytes())\n"
)


def cli_list_against_json(repeat: int) -> tuple[float, float]:
    """Best wall seconds of `lace-tui catalog list` in a fresh process (an empty home: the
    shipped catalog) and of a json-only read of the shipped files by the same interpreter,
    interleaved so that a busy moment on the machine hits both alike."""
    from lace_tui.paths import shipped_catalogs_dir

    shipped = str(shipped_catalogs_dir())
    cli: list[float] = []
    json_only: list[float] = []
    with tempfile.TemporaryDirectory(prefix="lace-bench-list-") as home:
        env = {**os.environ, "LACE_DIR": home}
        list_cmd = [sys.executable, "-m", "lace_tui", "catalog", "list"]
        subprocess.run(list_cmd, env=env, check=True, stdout=subprocess.DEVNULL)  # warm caches
        for _ in range(repeat):
            cli.append(_wall(list_cmd, env))
            json_only.append(_wall([sys.executable, "-c", JSON_ONLY, shipped], env))
    return min(cli), min(json_only)


def _wall(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
