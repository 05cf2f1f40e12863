"""Search benchmark: `SessionStore.search` over 100,000 stored messages (DESIGN.md: < 50 ms).

A sessions database is built in a temporary directory through the store's own schema
(migrations and FTS triggers included): 1,000 sessions of 100 messages, words drawn from a
Zipf-like vocabulary so common words are in most messages and rare ones in a few. Each query
runs through the whole path (FTS5 query, joins, snippet, pydantic hits); the figures of
several runs (best, median, p90) are printed next to two same-run baselines on the same file:

  newest-50   read the 50 newest messages by primary key (what listing anything costs)
  like-scan   the naive search: `content LIKE '%word%'` over every message

    python bench/bench_session_search.py [--messages 100000] [--runs 15] [--check]

With --check the exit status is 1 when a query's median is over the 50 ms budget (p90 is
printed too; on a shared machine it mostly measures the neighbours).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from lace_tui.sessions.store import SessionStore  # noqa: E402

BUDGET_MS = 50.0
PER_SESSION = 100
WORDS_PER_MESSAGE = 40
QUERIES = {
    "common word": "the",
    "one letter": "a",
    "common prefix": "can deplo",
    "rare word": "zymurgy",
    "two words": "deploy cache",
    "prefix": "kube",
    "no match": "xylophonic",
}


def vocabulary(rng: random.Random) -> list[str]:
    common = "the a to of and is in it you that for on with this be as can deploy cache"
    made = [
        "".join(rng.choice("abcdefghijklmnoprstuvwy") for _ in range(rng.randint(3, 9)))
        for _ in range(20_000)
    ]
    return [*common.split(" "), "kubernetes", "kubectl", *made]


def build(path: Path, messages: int, seed: int = 13) -> None:
    rng = random.Random(seed)
    words = vocabulary(rng)
    cumulative, total = [], 0.0
    for rank in range(len(words)):
        total += 1.0 / (rank + 1)
        cumulative.append(total)
    SessionStore(path).close()  # the real schema, with the search index and its triggers
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    sessions = max(1, messages // PER_SESSION)
    for s in range(sessions):
        conn.execute("INSERT INTO sessions VALUES (?, ?, 'x', 'x', 0)", (f"s{s}", f"session {s}"))
        conn.execute(
            "INSERT INTO agents VALUES (?, ?, 'agent', 'i', 'm', NULL, NULL, 0, 'x')",
            (f"a{s}", f"s{s}"),
        )
    rows = []
    for n in range(messages):
        text = " ".join(
            rng.choices(words, cum_weights=cumulative, k=rng.randint(5, 2 * WORDS_PER_MESSAGE))
        )
        if n % 20_000 == 7:
            text += " zymurgy"
        rows.append((f"a{n % sessions}", "user" if n % 2 == 0 else "assistant", text))
    conn.executemany(
        "INSERT INTO messages (agent_id, role, content, status, model_id, instance_id,"
        " created_at, updated_at) VALUES (?, ?, ?, 'complete', 'm', 'i', 'x', 'x')",
        rows,
    )
    conn.execute("COMMIT")
    conn.close()


def timed(run: Callable[[], object], runs: int) -> tuple[float, float, float]:
    """Best, median and p90 in milliseconds (one warm-up first)."""
    run()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p90 = samples[min(len(samples) - 1, round(0.9 * (len(samples) - 1)))]
    return samples[0], samples[len(samples) // 2], p90


def _figures(figures: tuple[float, float, float]) -> str:
    best, median, p90 = figures
    return f"best {best:7.2f} ms  median {median:7.2f} ms  p90 {p90:7.2f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sessions.db"
        started = time.perf_counter()
        build(path, args.messages)
        print(f"built {args.messages:,} messages in {time.perf_counter() - started:.1f} s")
        raw = sqlite3.connect(path)
        newest = timed(
            lambda: raw.execute(
                "SELECT id, content FROM messages ORDER BY id DESC LIMIT 50"
            ).fetchall(),
            args.runs,
        )
        like = timed(
            lambda: raw.execute(
                "SELECT id FROM messages WHERE content LIKE '%zymurgy%' ORDER BY id DESC LIMIT 50"
            ).fetchall(),
            max(3, args.runs // 5),
        )
        print(f"{'baseline newest-50':24} {_figures(newest)}")
        print(f"{'baseline like-scan':24} {_figures(like)}")
        over = False
        with SessionStore(path) as store:
            for label, text in QUERIES.items():
                hits = len(store.search(text))
                figures = timed(partial(store.search, text), args.runs)
                over |= figures[1] > BUDGET_MS
                print(f"{'search ' + label:24} {_figures(figures)}  ({hits} hits)")
        raw.close()
        print(f"budget: median < {BUDGET_MS:.0f} ms" + (" — OVER" if over else " — ok"))
    return 1 if args.check and over else 0


if __name__ == "__main__":
    raise SystemExit(main())
