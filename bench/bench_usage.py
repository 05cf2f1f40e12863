"""Usage benchmark: `lace-tui usage` over 100,000 stored replies, against same-run baselines.

Run: python bench/bench_usage.py [--replies N] [--repeat N]

Budget (DESIGN.md): `usage` over 100,000 replies answers in under 200 ms. Baselines measured
on the same database in the same run: SQLite counting the replies (the least any report can
do), and the obvious way without the index: fetch every reply row and sum it in Python.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lace_tui.paths import resolve_paths
from lace_tui.services.usage_service import USAGE_GROUPINGS, UsageService
from lace_tui.sessions.store import SessionStore

BUDGET_MS = 200.0
INSTANCES = ("work", "home", "claude", "gw", "local")
MODELS = tuple(f"model-{n}" for n in range(20))
REPLY_TEXT = "lorem ipsum dolor sit amet " * 20  # ~540 characters, as a short reply


def _seed(db: Path, replies: int) -> None:
    """`replies` prompt/reply pairs over a year, 2,000 sessions, written in one transaction."""
    SessionStore(db).close()  # the real schema, migrations and indexes
    rng = random.Random(14)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    conn = sqlite3.connect(db)
    sessions = 2000
    conn.executemany(
        "INSERT INTO sessions VALUES (?, ?, ?, ?, 0)",
        [(f"s-{n}", f"session {n}", "2026-01-01", "2026-01-01") for n in range(sessions)],
    )
    conn.executemany(
        "INSERT INTO agents VALUES (?, ?, 'agent', ?, ?, NULL, NULL, 0, '2026-01-01')",
        [
            (f"a-{n}", f"s-{n}", INSTANCES[n % len(INSTANCES)], MODELS[n % len(MODELS)])
            for n in range(sessions)
        ],
    )
    rows = []
    for n in range(replies):
        agent = n % sessions
        when = (start + timedelta(seconds=rng.randrange(365 * 86400))).strftime(
            "%Y-%m-%dT%H:%M:%S.%fZ"
        )
        instance, model = INSTANCES[agent % len(INSTANCES)], MODELS[agent % len(MODELS)]
        cost = None if n % 17 == 0 else rng.random() / 100
        rows.append((f"a-{agent}", "user", "a question", None, None, None, model, instance, when))
        rows.append(
            (
                f"a-{agent}",
                "assistant",
                REPLY_TEXT,
                rng.randrange(50, 20000),
                rng.randrange(10, 4000),
                cost,
                model,
                instance,
                when,
            )
        )
    conn.executemany(
        "INSERT INTO messages (agent_id, role, content, status, input_tokens, output_tokens,"
        " cost_usd, model_id, instance_id, created_at, updated_at)"
        " VALUES (?, ?, ?, 'complete', ?, ?, ?, ?, ?, ?, ?)",
        [(*row[:-1], row[-1], row[-1]) for row in rows],
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


def _best_ms(repeat: int, run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs per case (best is reported)")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="lace-bench-usage-"))
    paths = resolve_paths(str(home))
    started = time.perf_counter()
    _seed(paths.sessions_db, args.replies)
    print(f"seeded {args.replies:,} replies in {time.perf_counter() - started:.1f} s")

    raw = sqlite3.connect(paths.sessions_db)

    def count_only() -> object:
        return raw.execute("SELECT COUNT(*) FROM messages WHERE role = 'assistant'").fetchone()

    def python_sum() -> object:
        total = [0, 0, 0.0]
        for tokens_in, tokens_out, cost in raw.execute(
            "SELECT input_tokens, output_tokens, cost_usd FROM messages NOT INDEXED"
            " WHERE role = 'assistant'"
        ):
            total[0] += tokens_in or 0
            total[1] += tokens_out or 0
            total[2] += cost or 0.0
        return total

    print(f"{'case':<40}{'ms (best of ' + str(args.repeat) + ')':>16}")
    print(f"{'baseline: SQLite counts the replies':<40}{_best_ms(args.repeat, count_only):>16.1f}")
    print(f"{'baseline: fetch all, sum in Python':<40}{_best_ms(args.repeat, python_sum):>16.1f}")
    store = SessionStore(paths.sessions_db)
    service = UsageService(store, lambda: {i: "p-" + i for i in INSTANCES})
    worst = 0.0
    for by in USAGE_GROUPINGS:
        ms = _best_ms(args.repeat, lambda by=by: service.report(by))  # type: ignore[misc]
        worst = max(worst, ms)
        print(f"{'usage --by ' + by:<40}{ms:>16.1f}")
    spend = _best_ms(args.repeat, lambda: service.spend("work"))
    print(f"{'budget check: spend of one instance':<40}{spend:>16.1f}")
    store.close()
    raw.close()
    cli = _best_ms(
        args.repeat,
        lambda: subprocess.run(
            [sys.executable, "-m", "lace_tui", "--home", str(home), "usage", "--json"],
            check=True,
            capture_output=True,
        ),
    )
    print(f"{'lace-tui usage --json (new process)':<40}{cli:>16.1f}")
    verdict = "within" if worst < BUDGET_MS else "OVER"
    print(f"slowest report {worst:.1f} ms: {verdict} the {BUDGET_MS:.0f} ms budget")


if __name__ == "__main__":
    main()
