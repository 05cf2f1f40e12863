"""Issue 17 in one command: every row of its table, each against its baseline from the same run.

    python bench/bench_issue17.py [--runs N] [--paced-seconds S] [--only ROW ...]

Rows (goal in brackets):
  keys-2k     keystroke echo p90 while a fast 2,000-word reply renders       [<= 50 ms]
  keys-10k    keystroke echo p90 while a fast 10,000-word reply renders      [<= 50 ms]
  keys-paced  keystroke echo p90 while a reply streams at 1,000 tok/s        [<= 50 ms]
              (baseline for the three: keystroke echo in the same app, idle)
  reply-10k   Enter -> last word on screen, 10,000 words / 2,000 words       [<= 5.5x]
  start       fresh start, Catalog shown / bare Textual hello, with and
              without a bytecode cache                                       [<= 1.2x]
  session     start into an existing session (3 instances, 200 messages),
              newest message on screen / bare Textual hello                  [<= 1.3x]
  list        `lace-tui catalog list` / a json-only read of the shipped files
              by the same interpreter                                        [<= 2.5x]
  filter      Models filter keystroke at 20,000 models, p90 settled
              (baseline: the same at the shipped catalog's size)             [<= 30 ms]

The machine may be shared: each ratio is taken against a baseline measured in the same run,
interleaved with it where the cases are short, and the load average is printed with the result.
The individual benches (bench_chat_stream.py, bench_startup.py, bench_catalog.py,
bench_models_table.py) print more detail.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import bench_catalog  # noqa: E402
import bench_chat_stream  # noqa: E402
import bench_models_table  # noqa: E402
import bench_startup  # noqa: E402

ROWS = ("keys-2k", "keys-10k", "keys-paced", "reply-10k", "start", "session", "list", "filter")


@dataclass
class Row:
    name: str
    value: str
    baseline: str
    ratio: str
    goal: str
    ok: bool


def p90(values: list[float]) -> float:
    return bench_chat_stream.p(values, 0.90)


def spread(values: list[float]) -> str:
    """min-max of repeated figures: how noisy the run was."""
    return f"{min(values):.3f}-{max(values):.3f}" if len(values) > 1 else f"{values[0]:.3f}"


async def chat_rows(wanted: set[str], runs: int, paced_seconds: float) -> list[Row]:
    run_chat = bench_chat_stream.run_chat
    rows: list[Row] = []
    idle = await run_chat(2000, 1000, idle_keys=True)
    idle_p90 = p90(idle.keys_ms)
    base = f"idle {idle_p90:.1f} ms"
    fast2k: list[bench_chat_stream.Result] = []
    fast10k: list[bench_chat_stream.Result] = []
    if wanted & {"keys-2k", "reply-10k"}:
        fast2k = [await run_chat(2000, 0) for _ in range(runs)]
    if wanted & {"keys-10k", "reply-10k"}:
        fast10k = [await run_chat(10_000, 0) for _ in range(runs)]
    for name, results in (("keys-2k", fast2k), ("keys-10k", fast10k)):
        if name in wanted:
            keys = [k for r in results for k in r.keys_ms]
            lost = sum(r.keys_lost for r in results)
            value = p90(keys)
            rows.append(
                Row(
                    name,
                    f"p90 {value:.1f} ms (n={len(keys)}, max {max(keys):.0f}, lost {lost})",
                    base,
                    f"{value / idle_p90:.1f}x idle",
                    "<= 50 ms p90",
                    value <= 50 and lost == 0,
                )
            )
    if "keys-paced" in wanted:
        tokens = int(1000 * paced_seconds)
        paced = await run_chat(tokens, 1000)
        value = p90(paced.keys_ms)
        rows.append(
            Row(
                "keys-paced",
                f"p90 {value:.1f} ms (n={len(paced.keys_ms)}, max {max(paced.keys_ms):.0f}, "
                f"lost {paced.keys_lost}, {tokens:,} tokens)",
                base,
                f"{value / idle_p90:.1f}x idle",
                "<= 50 ms p90",
                value <= 50 and paced.keys_lost == 0,
            )
        )
    if "reply-10k" in wanted:
        short = statistics.median(r.shown_after_enter_ms for r in fast2k) / 1000
        long = statistics.median(r.shown_after_enter_ms for r in fast10k) / 1000
        ratio = long / short
        rows.append(
            Row(
                "reply-10k",
                f"{long:.2f} s (runs {spread([r.shown_after_enter_ms / 1000 for r in fast10k])})",
                f"2,000 words {short:.2f} s",
                f"{ratio:.2f}x",
                "<= 5.5x",
                ratio <= 5.5,
            )
        )
        # The same in CPU seconds of the app's process: what the wall time is on a quiet machine.
        short_cpu = statistics.median(r.cpu_after_enter_s for r in fast2k)
        long_cpu = statistics.median(r.cpu_after_enter_s for r in fast10k)
        rows.append(
            Row(
                "reply-10k (CPU time)",
                f"{long_cpu:.2f} s CPU",
                f"2,000 words {short_cpu:.2f} s CPU",
                f"{long_cpu / short_cpu:.2f}x",
                "<= 5.5x",
                long_cpu / short_cpu <= 5.5,
            )
        )
    return rows


def start_rows(wanted: set[str], repeat: int) -> list[Row]:
    rows: list[Row] = []
    for cached in (True, False):
        if not wanted & {"start", "session"}:
            break
        label = "bytecode cached" if cached else "no bytecode cache"
        best = bench_startup.measure_all(repeat, cached=cached, session="session" in wanted)
        hello = best["hello"]
        if "start" in wanted:
            ratio = best["catalog"] / hello
            rows.append(
                Row(
                    f"start ({label})",
                    f"{best['catalog']:.3f} s",
                    f"hello {hello:.3f} s",
                    f"{ratio:.2f}x",
                    "<= 1.2x",
                    ratio <= 1.2,
                )
            )
        if "session" in wanted:
            ratio = best["session"] / hello
            rows.append(
                Row(
                    f"session ({label})",
                    f"{best['session']:.3f} s",
                    f"hello {hello:.3f} s",
                    f"{ratio:.2f}x",
                    "<= 1.3x",
                    ratio <= 1.3,
                )
            )
    return rows


def list_row(repeat: int) -> Row:
    cli, json_only = bench_catalog.cli_list_against_json(repeat)
    ratio = cli / json_only
    return Row(
        "list",
        f"{cli:.3f} s",
        f"json-only read {json_only:.3f} s",
        f"{ratio:.2f}x",
        "<= 2.5x",
        ratio <= 2.5,
    )


def filter_row() -> Row:
    small = bench_models_table.keystrokes(0)
    large = bench_models_table.keystrokes(20_000)
    value = p90(large)
    return Row(
        "filter",
        f"p90 {value:.1f} ms (max {max(large):.0f}) at 20,000",
        f"p90 {p90(small):.1f} ms at the shipped size",
        f"{value / p90(small):.1f}x",
        "<= 30 ms p90",
        value <= 30,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per streaming case")
    parser.add_argument("--repeat", type=int, default=5, help="runs per start-up case (best)")
    parser.add_argument(
        "--paced-seconds", type=float, default=20.0, help="length of the paced stream"
    )
    parser.add_argument("--only", nargs="*", choices=ROWS, default=list(ROWS))
    args = parser.parse_args()
    wanted = set(args.only)
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores)", flush=True)
    rows: list[Row] = []
    rows += asyncio.run(chat_rows(wanted, args.runs, args.paced_seconds))
    rows += start_rows(wanted, args.repeat)
    steps: list[tuple[str, Callable[[], Row]]] = [
        ("list", lambda: list_row(args.repeat)),
        ("filter", filter_row),
    ]
    rows += [step() for name, step in steps if name in wanted]
    print(f"load average after: {os.getloadavg()[0]:.2f}\n")
    print(f"{'row':<30}{'measured':<52}{'baseline':<28}{'ratio':<12}{'goal':<14}")
    for row in rows:
        verdict = "ok" if row.ok else "MISSED"
        print(
            f"{row.name:<30}{row.value:<52}{row.baseline:<28}{row.ratio:<12}{row.goal:<14}{verdict}"
        )
    return 0 if all(row.ok for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
