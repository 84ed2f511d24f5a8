"""Benchmark: the weekly digest and the export stream over a year of records.

Fills a fresh database (an SQLite file in /tmp; with --pg also a fresh PostgreSQL database)
with N records (default 1,000,000) spread over the last 365 days, plus what goes with them:
one conversation per record, a tenth as many abandoned or idle walks, and an escalation for
every seek_advice / urgent record. Rows go in with bulk INSERTs of 10,000 (executemany);
no chain entries (neither the digest nor the export reads them).

Then it times `compute_digest` (median of 5 warm runs, plus the first) and streams the whole
export (`storage.records.iter_records` + `export_row` + json.dumps, as `canishare export`
does) in a child process, reporting its peak RSS growth (getrusage ru_maxrss) and rows/s.

    python bench/bench_digest.py [--records N] [--pg] [--pg-url URL] [--keep]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402

from bench.common import fresh_pg  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.digest import compute_digest  # noqa: E402
from storage.models import Base, Conversation, Escalation, Record  # noqa: E402
from storage.records import export_row, iter_records  # noqa: E402

CHUNK = 10_000
OUTCOMES = (("share", 40), ("share_without_consent", 10), ("do_not_share", 25), ("seek_advice", 20), ("urgent", 5))
TEAMS = ("early-help", "school-nursing", "youth-justice", "health-visiting", "family-support", "education")
NODES = ("danger", "purpose", "identifiable", "confidential", "consent", "legal_duty", "significant_harm", "serious_crime")
YEAR = timedelta(days=365)


def rid(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def fill(db: Database, n: int, now: datetime, seed: int = 7) -> dict[str, int]:
    rng = random.Random(seed)
    outcomes = [o for o, _ in OUTCOMES]
    weights = [w for _, w in OUTCOMES]
    practitioners = [f"{rng.getrandbits(256):064x}" for _ in range(500)]
    counts = {"records": 0, "conversations": 0, "escalations": 0}
    with db.engine.begin() as conn:
        for offset in range(0, n, CHUNK):
            records, convos, escs = [], [], []
            for _ in range(min(CHUNK, n - offset)):
                created = now - timedelta(seconds=rng.uniform(0, YEAR.total_seconds()))
                outcome = rng.choices(outcomes, weights)[0]
                team = rng.choice(TEAMS)
                unsure = rng.choice(NODES[1:]) if outcome == "seek_advice" else None
                path = [{"node": "danger", "answer": "yes" if outcome == "urgent" else "no"}]
                if unsure:
                    path.append({"node": unsure, "answer": "not_sure"})
                cid, record_id = rid(rng), rid(rng)
                recorded = rng.random() < 0.7
                records.append({
                    "id": record_id, "conversation_id": cid, "created_at": created, "updated_at": created,
                    "policy": "hmg-2008@1", "team": team, "practitioner": rng.choice(practitioners), "path": path,
                    "outcome": outcome, "ground": "significant_harm" if outcome == "share_without_consent" else None,
                    "unsure_at": unsure, "escalation": None,
                    "shared_what": "Attendance concerns and a referral summary" if recorded else None,
                    "shared_with": "School designated safeguarding lead" if recorded else None,
                    "reason": "To coordinate support under early help plan" if recorded else None,
                    "prev_hash": f"{rng.getrandbits(256):064x}", "hash": f"{rng.getrandbits(256):064x}",
                })
                convos.append({
                    "id": cid, "workspace": "T0BENCH", "user_id": "U0BENCH", "team": team, "channel_id": "D0BENCH",
                    "policy": "hmg-2008@1", "state": outcome, "path": path, "status": "recorded" if recorded else "decided",
                    "message_ts": None, "created_at": created - timedelta(minutes=2), "updated_at": created, "version": 1,
                })
                if rng.random() < 0.1:  # a walk given up (or left idle) along the way
                    when = now - timedelta(seconds=rng.uniform(0, YEAR.total_seconds()))
                    convos.append({
                        "id": rid(rng), "workspace": "T0BENCH", "user_id": "U0BENCH", "team": team, "channel_id": "D0BENCH",
                        "policy": "hmg-2008@1", "state": "purpose", "path": path[:1],
                        "status": "abandoned" if rng.random() < 0.8 else "active", "message_ts": None,
                        "created_at": when - timedelta(minutes=3), "updated_at": when, "version": 1,
                    })
                if outcome in ("seek_advice", "urgent"):
                    opened = created + timedelta(seconds=5)
                    claimed = opened + timedelta(minutes=rng.expovariate(1 / 25)) if rng.random() < 0.85 else None
                    resolved = claimed + timedelta(minutes=rng.uniform(5, 240)) if claimed and rng.random() < 0.7 else None
                    escs.append({
                        "id": rid(rng), "record_id": record_id, "conversation_id": cid, "team": team,
                        "practitioner_user": "U0BENCH", "urgent": outcome == "urgent", "node": unsure,
                        "status": "resolved" if resolved else ("claimed" if claimed else "open"), "opened_at": opened,
                        "claimed_at": claimed, "claimed_by": "U0LEAD" if claimed else None, "resolved_at": resolved,
                        "lead_outcome": None, "pings": [], "reminders_sent": 0, "remind_at": None, "version": 1,
                    })
            conn.execute(insert(Record), records)
            conn.execute(insert(Conversation), convos)
            if escs:
                conn.execute(insert(Escalation), escs)
            counts["records"] += len(records)
            counts["conversations"] += len(convos)
            counts["escalations"] += len(escs)
    with db.engine.connect() as conn:
        if db.dialect == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        else:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    return counts


def time_digest(db: Database, end: datetime, runs: int = 5) -> tuple[float, float, dict]:
    tz = ZoneInfo("Europe/London")
    times = []
    digest: dict = {}
    for _ in range(runs + 1):
        with db.read_only() as s:
            t0 = time.perf_counter()
            digest = compute_digest(s, end, tz)
            times.append(time.perf_counter() - t0)
    return times[0], statistics.median(times[1:]), digest


def _rss_now_kb() -> int:
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return 0


def export_child(url: str) -> None:
    """Run in a fresh process: stream the whole export, report rows, seconds and RSS growth."""
    db = Database(url)
    with db.read_only() as s:
        s.connection()  # connect before the baseline
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start_now = _rss_now_kb()
        t0 = time.perf_counter()
        rows = 0
        with open(os.devnull, "w") as out:
            for record in iter_records(s):
                out.write(json.dumps(export_row(record), ensure_ascii=False) + "\n")
                rows += 1
        seconds = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        end_now = _rss_now_kb()
    print(json.dumps({"rows": rows, "seconds": seconds, "rss_base_kb": base, "rss_peak_kb": peak,
                      "rss_start_kb": start_now, "rss_end_kb": end_now}))


def time_export(url: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--export-child", url], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def ensure_model_indexes(db: Database) -> list[str]:
    """Create any index the models declare that the migrations do not (yet) make, so the
    benchmark measures the schema the code expects."""
    made = []
    with db.engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            for index in table.indexes:
                index.create(conn, checkfirst=True)
                made.append(index.name)
    return made


def bench(label: str, url: str, n: int) -> dict:
    db = Database(url)
    db.migrate()
    ensure_model_indexes(db)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    t0 = time.perf_counter()
    counts = fill(db, n, now)
    fill_s = time.perf_counter() - t0
    print(f"[{label}] filled {counts} in {fill_s:.1f} s", file=sys.stderr)
    first, median, digest = time_digest(db, now.replace(tzinfo=timezone.utc))
    print(f"[{label}] digest: week total {digest['total']}, previous {digest['previous']['total']}", file=sys.stderr)
    db.engine.dispose()
    export = time_export(url)
    return {"label": label, "records": counts["records"], "fill_s": fill_s, "digest_first_s": first, "digest_median_s": median,
            "week_total": digest["total"], "export": export}


def table(results: list[dict]) -> str:
    lines = [
        "| database | records | fill (s) | digest first run (ms) | digest median of 5 (ms) | export rows | export (s) | export rows/s | export peak RSS growth (MiB) | export RSS start → end (MiB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        e = r["export"]
        growth = (e["rss_peak_kb"] - e["rss_base_kb"]) / 1024
        lines.append(
            f"| {r['label']} | {r['records']:,} | {r['fill_s']:.0f} | {r['digest_first_s'] * 1000:.1f} | "
            f"{r['digest_median_s'] * 1000:.1f} | {e['rows']:,} | {e['seconds']:.1f} | {e['rows'] / e['seconds']:,.0f} | {growth:.1f} | "
            f"{e['rss_start_kb'] / 1024:.0f} → {e['rss_end_kb'] / 1024:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--pg", action="store_true", help="also benchmark a fresh PostgreSQL database")
    parser.add_argument("--pg-url", default=os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--sqlite-path", default="/tmp/canishare-bench-digest.db")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--export-child", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_child:
        export_child(args.export_child)
        return

    results = []
    sqlite_path = Path(args.sqlite_path)
    for suffix in ("", "-wal", "-shm"):
        Path(str(sqlite_path) + suffix).unlink(missing_ok=True)
    results.append(bench("SQLite", f"sqlite:///{sqlite_path}", args.records))
    if not args.keep:
        for suffix in ("", "-wal", "-shm"):
            Path(str(sqlite_path) + suffix).unlink(missing_ok=True)
    if args.pg:
        db = fresh_pg(args.pg_url)
        try:
            results.append(bench("PostgreSQL", db.url, args.records))
        finally:
            if not args.keep:
                db.drop()
    print(table(results))


if __name__ == "__main__":
    main()
