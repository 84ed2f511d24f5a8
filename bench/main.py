"""The canishare benchmark: one run, every number side by side, written to bench/results.md.

    bench/run              # the whole thing (< 15 minutes on 2 cores)
    bench/run --quick      # a smoke run: short windows, growth to 10k, no digest bench

Everything is on this machine: the server under test listens on 127.0.0.1, the fake Slack
Web API (bench/fakeslack.py) runs in this process's event loop, and PostgreSQL is the local
one (BENCH_PG_URL, default postgresql://postgres@127.0.0.1:5432/test), where each run gets a
database of its own (CREATE DATABASE, dropped afterwards). Each load runs for a fixed time.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from .common import BENCH, ROOT, FreshDb, fresh_pg, fresh_sqlite
from .fakeslack import FakeSlack
from .measure import machine_busy
from .runner import BUDGET, Bench, Durations, SLACK100, THINK, THINKING, TRIP_THINK, TRIP_THINK_MEASURE, VARIANTS, log
from .report import report


async def run(args: argparse.Namespace) -> int:
    d = Durations()
    if args.quick:
        d = Durations(warmup=1.0, measure=3.0, short_warmup=1.0, short_measure=3.0, solo=2.0, growth=(1_000, 10_000))
    if args.growth_sizes:
        d.growth = tuple(int(x) for x in args.growth_sizes.split(","))
    started = datetime.now(UTC)
    t_start = time.perf_counter()
    # bench/run passes when it started (the pip install is part of the 15 minutes).
    since_script = time.time() - float(os.environ.get("BENCH_T0") or time.time())
    t_start -= max(0.0, min(since_script, 120.0))
    busy_before = machine_busy(1.0)
    work = Path(tempfile.mkdtemp(prefix="canishare-bench-"))
    b = Bench(args, d, work)
    if not b.pg:
        b.notes.append("PostgreSQL was not reachable at BENCH_PG_URL: its rows were skipped.")
    b.fake = await FakeSlack().start()
    startup: list[dict] = []
    growth: list[dict] = []
    digest_table, digest_note = "", "skipped (--no-digest)."
    profile_path = None
    digest_proc: subprocess.Popen | None = None
    try:
        only = set(args.only.split(",")) if args.only else None

        def want(name: str) -> bool:
            return only is None or name in only

        await b.describe()
        if want("latency") or want("trip"):
            # Click -> next question, one practitioner, the bot against the floor (ack + one post),
            # with the fake Slack answering at once and after 100 ms; the fake's call log says
            # which Web API calls come before the next question's post.
            sw, sm = d.short_warmup, d.short_measure
            for delay in (0, 100):
                await b.bot_run(f"trip-bot-{delay}", "bot", "sqlite", delay_ms=delay, practitioners=1, warmup=sw,
                                measure=sm, trace=True)
                await b.floor_run(f"trip-floor-{delay}", "floor", None, before_response=True, delay_ms=delay, clickers=1)
            # The same with a practitioner who reads for a moment before each click (TRIP_THINK),
            # the floor clicking at the same pace: no click arrives while the last one's rewrite
            # and delivery record are still being written, as with a person at the keyboard.
            await b.bot_run("trip-bot-think", "bot", "sqlite", practitioners=1, warmup=sw, measure=TRIP_THINK_MEASURE,
                            trace=True, think=TRIP_THINK)
            await b.floor_run("trip-floor-think", "floor", 1 / (sum(TRIP_THINK) / 2), before_response=True, clickers=1,
                              measure=TRIP_THINK_MEASURE)
        if want("startup"):
            startup = await b.startup()
        if want("latency") or want("throughput"):
            base = await b.bot_run("bot-sqlite-1", "bot", "sqlite")
            rate = max(1.0, base["rate"])
            await b.floor_run("floor-paced", "floor", rate)
            await b.floor_run("floor-pbr", "floor", rate, before_response=True)
            await b.floor_run("floor-flat", "floor", None)
            if b.pg:
                await b.bot_run("bot-pg-1", "bot", "postgresql")
        if want("latency"):
            sw, sm = d.short_warmup, d.short_measure
            for key, variant in VARIANTS:
                await b.bot_run(key, "bot variant", "sqlite", variant=variant, warmup=sw, measure=sm)
            # Slack's own latency, as in production: every Web API call answered after 100 ms.
            for key, variant in SLACK100:
                row = await b.bot_run(key, "bot variant" if variant else "bot", "sqlite", variant=variant, delay_ms=100,
                                      warmup=sw, measure=sm)
                if variant is None:  # the floor at the same click rate, Slack at 100 ms too
                    await b.floor_run("floor-pbr-100", "floor", max(1.0, row["rate"]), before_response=True, delay_ms=100)
            for key, variant in THINKING:
                row = await b.bot_run(key, "bot variant" if variant else "bot", "sqlite", variant=variant, think=THINK,
                                      delay_ms=100, warmup=d.warmup + 2, measure=d.measure)
                if variant is None:  # the floor at that click rate, Slack at 100 ms too
                    await b.floor_run("floor-think-100", "floor", max(1.0, row["rate"]), before_response=True, delay_ms=100)
        if want("throughput"):
            from .race_first_outcomes import run as race

            for kind in ("sqlite", "postgresql") if b.pg else ("sqlite",):
                db = fresh_pg() if kind == "postgresql" else fresh_sqlite(b.work)
                try:
                    b.race[kind] = await asyncio.to_thread(race, db.url, 8)
                finally:
                    db.drop()
                log(f"first outcomes at once, {kind}: {b.race[kind]}")
        if want("throughput") and b.pg:
            await b.bot_run("bot-pg-2", "bot", "postgresql", workers=2)
            await b.bot_run("bot-pg-4", "bot", "postgresql", workers=4)
        filled = await asyncio.to_thread(b.growth_fill) if want("growth") else []
        if filled:
            growth = await b.growth_measure(filled)
        if want("digest") and not args.no_digest and not args.quick:
            left = BUDGET - (time.perf_counter() - t_start) - 45  # keep time for the profile and the report
            digest_proc = b.digest_start()
            if digest_proc is not None:
                log(f"waiting for the digest and export benchmark (at most {min(left, args.digest_timeout):.0f} s)")
                digest_table, digest_note = await asyncio.to_thread(b.digest_finish, digest_proc, min(left, args.digest_timeout))
            else:
                digest_note = b.digest_note
        elif args.quick:
            digest_note = "skipped in a --quick run."
        if want("profile"):
            profile_path = BENCH / "profile-click.txt"
            log("profiling a click (pyinstrument)")
            done = await asyncio.to_thread(
                subprocess.run, [sys.executable, "-m", "bench.profile_click", "--clicks", "300" if args.quick else "600",
                                 "--out", str(profile_path)], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
            found = re.search(r"^RESULT=(.*)$", done.stderr, re.MULTILINE)
            if done.returncode == 0 and found:
                b.profile = json.loads(found.group(1))
            else:
                b.notes.append(f"the click profile failed (exit {done.returncode}): {done.stderr.strip()[-300:]}")
                profile_path = None
    finally:
        await b.fake.stop()
        if digest_proc is not None and digest_proc.poll() is None:  # stopped early: our own child only
            os.killpg(digest_proc.pid, 9)
    elapsed = time.perf_counter() - t_start
    saved = {"rows": b.rows, "notes": b.notes, "shipped": b.shipped, "race": b.race, "profile": b.profile,
             "growth_counts": getattr(b, "growth_counts", {}), "import_note": getattr(b, "import_note", ""),
             "pg": b.pg, "durations": d.__dict__, "started": started.isoformat(), "elapsed": elapsed,
             "startup": startup, "growth": growth, "digest_table": digest_table, "digest_note": digest_note,
             "profile_path": str(profile_path) if profile_path else None, "busy_before": busy_before}
    (work / "run.json").write_text(json.dumps(saved, default=lambda o: o.url if isinstance(o, FreshDb) else str(o)))
    text = report(b, started, elapsed, startup, growth, digest_table, digest_note, profile_path, busy_before)
    out = Path(args.out)
    out.write_text(text + "\n")
    (work / "rows.json").write_text(json.dumps(b.rows, default=str, indent=1))
    print(text)
    log(f"done in {elapsed / 60:.1f} min; wrote {out} (numbers: {work / 'run.json'}; --render it to reword the report)")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run of a minute or two")
    parser.add_argument("--only", default=None, help="comma-separated: trip,startup,latency,throughput,growth,profile,digest,"
                        "workspaces (many workspaces on one deployment: bench/workspaces.py, to bench/results-20.md; "
                        "only when named)")
    parser.add_argument("--no-digest", action="store_true", help="skip bench/bench_digest.py")
    parser.add_argument("--digest-records", type=int, default=1_000_000)
    parser.add_argument("--digest-pg", action="store_true", help="also run the digest bench on PostgreSQL (slow)")
    parser.add_argument("--digest-timeout", type=float, default=480.0)
    parser.add_argument("--growth-sizes", default=None, help="comma-separated record counts (default 1000,100000,1000000)")
    parser.add_argument("--out", default=str(BENCH / "results.md"))
    parser.add_argument("--render", metavar="RUN_JSON", help="rewrite the report from a run's saved numbers (its run.json)")
    args = parser.parse_args()
    if args.render:
        sys.exit(render(args))
    only = args.only.split(",") if args.only else []
    if "workspaces" in only:  # its own report (bench/results-20.md); never part of the 15-minute run
        from . import workspaces

        done = workspaces.main(["--quick"] if args.quick else [])
        only.remove("workspaces")
        if not only:
            sys.exit(done)
        args.only = ",".join(only)
    sys.exit(asyncio.run(run(args)))


def render(args: argparse.Namespace) -> int:
    """The report again from a run's run.json (after a change to the report's wording)."""
    saved = json.loads(Path(args.render).read_text())
    d = Durations(**{k: tuple(v) if k == "growth" else v for k, v in saved["durations"].items()})
    b = Bench(args, d, Path(tempfile.gettempdir()))
    b.rows, b.notes, b.shipped, b.race, b.profile = saved["rows"], saved["notes"], saved["shipped"], saved["race"], saved["profile"]
    b.growth_counts, b.import_note, b.pg = saved["growth_counts"], saved["import_note"], saved["pg"]
    profile_path = Path(saved["profile_path"]) if saved["profile_path"] else None
    text = report(b, datetime.fromisoformat(saved["started"]), saved["elapsed"], saved["startup"], saved["growth"],
                  saved["digest_table"], saved["digest_note"], profile_path, saved["busy_before"])
    Path(args.out).write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    main()
