"""Concurrent first outcomes in a new database: do they all get recorded?

    python -m bench.race_first_outcomes [sqlite|postgresql] [--n 8]

Starts N walks with bot.conversations.start, then has N threads answer their last question at the
same moment (a barrier), so every one reaches an outcome, and appends to the record chain,
in the same instant: the first chain entries of a fresh database. Reports how many were
recorded and what the others raised. In-process, no Slack, no HTTP.
"""
from __future__ import annotations

import argparse
import tempfile
import threading
from pathlib import Path


def run(url: str, n: int = 8) -> dict:
    from bot import conversations
    from storage.db import Database

    db = Database(url)
    db.migrate()
    ids = []
    for i in range(n):
        started = conversations.start(db, workspace="T0BENCH", user_id=f"U0RACE{i:03d}", team="early-help", policy="hmg-2008",
                             channel_id=None)
        ids.append(started.conversation.id)  # type: ignore[union-attr]
    barrier = threading.Barrier(n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def click(i: int) -> None:
        barrier.wait()
        try:
            kind = conversations.answer(db, conversation_id=ids[i], user_id=f"U0RACE{i:03d}", node_id="danger", answer="yes",
                               pseudonym_key="bench-pseudonym-key-not-a-secret").kind
        except Exception as err:  # noqa: BLE001 - what it raised is the result
            kind = type(err).__name__
        with lock:
            outcomes.append(kind)

    threads = [threading.Thread(target=click, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.engine.dispose()
    counts: dict[str, int] = {}
    for kind in outcomes:
        counts[kind] = counts.get(kind, 0) + 1
    return {"n": n, "recorded": counts.get("outcome", 0), "results": counts}


def main() -> None:
    from .common import fresh_pg, fresh_sqlite

    parser = argparse.ArgumentParser()
    parser.add_argument("kind", nargs="?", default="postgresql", choices=("sqlite", "postgresql"))
    parser.add_argument("--n", type=int, default=8)
    args = parser.parse_args()
    db = fresh_pg() if args.kind == "postgresql" else fresh_sqlite(Path(tempfile.mkdtemp()))
    try:
        print(run(db.url, args.n))
    finally:
        db.drop()


if __name__ == "__main__":
    main()
