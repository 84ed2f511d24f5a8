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
import platform
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import aiohttp

from .common import (BENCH, ROOT, FreshDb, Proc, bot_server, command_body, floor_server, fresh_pg, fresh_sqlite, ms,
                     pct, pg_available, signed_headers)
from .fakeslack import WORKSPACE, FakeSlack
from .loadgen import LoadResult, floor_load, walk_load

PRACTITIONERS = 50


@dataclass
class Durations:
    warmup: float = 3.0
    measure: float = 10.0
    short_warmup: float = 2.0
    short_measure: float = 6.0
    solo: float = 4.0
    growth: tuple[int, ...] = (1_000, 100_000, 1_000_000)


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def machine_busy(seconds: float = 1.0) -> float:
    def snap() -> tuple[int, int]:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        return sum(fields) - fields[3] - fields[4], sum(fields)

    a = snap()
    time.sleep(seconds)
    b = snap()
    return (b[0] - a[0]) / max(1, b[1] - a[1])


async def wait_healthy(proc: Proc, timeout: float = 60.0) -> float:
    """Seconds from the process's start until GET /healthz answers 200."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        while time.perf_counter() - proc.started_at < timeout:
            if proc.proc is not None and proc.proc.poll() is not None:
                raise RuntimeError(f"server exited ({proc.proc.returncode}):\n{proc.log()[-3000:]}")
            try:
                async with session.get(proc.url + "/healthz") as resp:
                    if resp.status == 200:
                        return time.perf_counter() - proc.started_at
            except (aiohttp.ClientError, asyncio.TimeoutError):
                pass
            await asyncio.sleep(0.005)
    raise RuntimeError(f"server did not answer /healthz within {timeout} s:\n{proc.log()[-3000:]}")


def server_problems(text: str) -> dict[str, int]:
    """WARNING/ERROR lines of a server log, counted by their message (no payloads are logged)."""
    counts: dict[str, int] = {}
    for line in text.splitlines():
        m = re.search(r"\b(WARNING|ERROR|CRITICAL)\b (\S+): (.*)$", line)
        if m and "retention purge" not in line:
            key = f"{m.group(1)} {m.group(2)}: {m.group(3)[:120]}"
            counts[key] = counts.get(key, 0) + 1
    return counts


# --- the database afterwards --------------------------------------------------------------

def check_db(url: str, result: LoadResult, commands_acked: int | None = None) -> dict:
    """Every acknowledged click applied exactly once: path entries per conversation vs clicks."""
    from sqlalchemy import func, select

    from storage.db import Database
    from storage.models import ChainEntry, Conversation, Escalation, Record
    from storage.records import verify_chain

    db = Database(url)
    try:
        with db.sessions() as s:
            paths = {cid: len(path or []) for cid, path in s.execute(select(Conversation.id, Conversation.path))}
            records = s.execute(select(func.count()).select_from(Record)).scalar_one()
            outcome_entries = s.execute(select(func.count()).select_from(ChainEntry).where(ChainEntry.kind == "outcome")).scalar_one()
            outcome_records = s.execute(select(func.count(func.distinct(ChainEntry.record_id))).where(ChainEntry.kind == "outcome")).scalar_one()
            escalations = s.execute(select(func.count()).select_from(Escalation)).scalar_one()
            escalated = s.execute(select(func.count()).select_from(Record).where(Record.outcome.in_(("seek_advice", "urgent")))).scalar_one()
            chain = verify_chain(s)
    finally:
        db.engine.dispose()
    checked = lost = duplicated = expected = found = skipped = 0
    for cid, stat in result.convs.items():
        if stat.failed:
            skipped += 1
            continue
        checked += 1
        have = paths.get(cid, 0)
        expected += stat.acked
        found += have
        lost += max(0, stat.acked - have)
        duplicated += max(0, have - stat.acked)
    return {"conversations": len(paths), "checked": checked, "skipped": skipped, "expected": expected, "found": found,
            "lost": lost, "duplicated": duplicated, "double_clicks": result.doubles, "records": records,
            "outcome_entries": outcome_entries, "outcome_records": outcome_records, "escalations": escalations,
            "escalated_records": escalated, "chain_ok": chain.ok, "chain": str(chain),
            "ok": lost == 0 and duplicated == 0 and outcome_entries == records == outcome_records
            and escalations == escalated and chain.ok}


# --- the runs --------------------------------------------------------------------------------

class Bench:
    def __init__(self, args: argparse.Namespace, durations: Durations, workdir: Path):
        self.args = args
        self.d = durations
        self.work = workdir
        self.fake: FakeSlack | None = None
        self.rows: dict[str, dict] = {}
        self.notes: list[str] = []
        self.pg = pg_available()

    async def bot_run(self, key: str, label: str, db_kind: str, workers: int = 1, threads: int = 8,
                      variant: str | None = None, delay_ms: float = 0.0, practitioners: int = PRACTITIONERS,
                      warmup: float | None = None, measure: float | None = None, check: bool = True,
                      db: FreshDb | None = None, keep_db: bool = False) -> dict:
        assert self.fake is not None
        warmup = self.d.warmup if warmup is None else warmup
        measure = self.d.measure if measure is None else measure
        own_db = db is None
        if db is None:
            db = fresh_pg() if db_kind == "postgresql" else fresh_sqlite(self.work)
        self.fake.reset()
        self.fake.delay = delay_ms / 1000
        proc = bot_server(self.work / key, self.fake.url, db.url, workers, threads, variant).start()
        try:
            await wait_healthy(proc)
            log(f"{label}: {practitioners} practitioners, {warmup:g}+{measure:g} s")
            result = await walk_load(proc.url, self.fake, practitioners=practitioners, warmup=warmup, measure=measure,
                                     server_pgid=proc.proc.pid if proc.proc else None, user_prefix=self._prefix(key))
            stats = await self._stats(proc) if variant and "stats" in variant else None
        finally:
            proc.stop()
            self.fake.delay = 0.0
        problems = server_problems(proc.log())
        row = {"label": label, "db": db_kind, "workers": workers, "threads": threads, "variant": variant or "",
               "delay_ms": delay_ms, **result.summary(), "start_feel_p50": pct(result.start_feel, 50),
               "walks": result.walks, "outcomes": result.outcomes, "doubles": result.doubles, "stats": stats,
               "problems": problems}
        if check:
            row["check"] = await asyncio.to_thread(check_db, db.url, result)
        if own_db and not keep_db:
            db.drop()
        self.rows[key] = row
        log(f"{label}: ack p50 {ms(row['ack_p50'])} p99 {ms(row['ack_p99'])} ms, next message p50 {ms(row['feel_p50'])} ms, "
            f"{row['rate']:.1f} clicks/s" + (f", check {'ok' if row['check']['ok'] else 'FAILED'}" if check else ""))
        return row

    @staticmethod
    def _prefix(key: str) -> str:
        return "U0G" if key.startswith("growth") else "U0P"

    async def _stats(self, proc: Proc) -> list[dict]:
        seen: dict[int, dict] = {}
        async with aiohttp.ClientSession() as session:
            for _ in range(20):
                async with session.get(proc.url + "/_bench/stats") as resp:
                    data = await resp.json()
                    seen[data["pid"]] = data
        return list(seen.values())

    async def floor_run(self, key: str, label: str, rate: float | None, before_response: bool = False,
                        workers: int = 1, threads: int = 8) -> dict:
        assert self.fake is not None
        proc = floor_server(self.work / key, self.fake.url, workers, threads, before_response).start()
        try:
            await wait_healthy(proc)
            log(f"{label}: {PRACTITIONERS} clickers" + (f" at {rate:.0f} clicks/s" if rate else " flat out"))
            result = await floor_load(proc.url, clickers=PRACTITIONERS, warmup=self.d.short_warmup,
                                      measure=self.d.short_measure, rate=rate, server_pgid=proc.proc.pid if proc.proc else None)
        finally:
            proc.stop()
        row = {"label": label, "db": "-", "workers": workers, "threads": threads, "variant": "floor", "delay_ms": 0,
               **result.summary(), "paced": rate}
        self.rows[key] = row
        log(f"{label}: ack p50 {ms(row['ack_p50'])} p99 {ms(row['ack_p99'])} ms at {row['rate']:.0f}/s")
        return row

    # --- 5. start-up ----------------------------------------------------------------------
    async def startup(self) -> list[dict]:
        assert self.fake is not None
        out = []
        cases = [("fresh SQLite (migrations run)", "sqlite", True), ("existing SQLite", "sqlite", False)]
        if self.pg:
            cases.append(("fresh PostgreSQL (migrations run)", "postgresql", True))
        sqlite_db = fresh_sqlite(self.work, "startup.db")
        for label, kind, _fresh in cases:
            db = fresh_pg() if kind == "postgresql" else sqlite_db
            self.fake.reset()
            user = "U0START01"
            q = self.fake.queue(user)
            proc = bot_server(self.work / "startup", self.fake.url, db.url).start()
            try:
                healthz = await wait_healthy(proc)
                body = command_body(user, WORKSPACE)
                async with aiohttp.ClientSession() as session:
                    t0 = time.perf_counter()
                    async with session.post(proc.url + "/slack/events", data=body, headers=signed_headers(body)) as resp:
                        await resp.read()
                        status = resp.status
                    first_ack = time.perf_counter() - t0
                    acked_at = time.perf_counter() - proc.started_at
                    await asyncio.wait_for(q.get(), 10)
                    question_at = time.perf_counter() - proc.started_at
            finally:
                proc.stop()
            if kind == "postgresql":
                db.drop()
            out.append({"label": label, "healthz": healthz, "first_ack": first_ack, "acked_at": acked_at,
                        "question_at": question_at, "status": status})
            log(f"start-up, {label}: /healthz after {healthz:.2f} s, first command acked after {acked_at:.2f} s")
        sqlite_db.drop()
        # The floor's start-up: a bare Bolt app on the same gunicorn.
        proc = floor_server(self.work / "startup", self.fake.url).start()
        try:
            floor_healthz = await wait_healthy(proc)
        finally:
            proc.stop()
        out.append({"label": "floor (bare Bolt app, same gunicorn)", "healthz": floor_healthz, "first_ack": float("nan"),
                    "acked_at": float("nan"), "question_at": float("nan"), "status": 0})
        # Where the CLI's own start-up goes: imports.
        out_imp = subprocess.run([sys.executable, "-X", "importtime", "-c", "import bot.cli, bot.server, bot.app"],
                                 capture_output=True, text=True, cwd=ROOT)
        total = 0
        heavy = []
        for line in out_imp.stderr.splitlines():
            m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
            if m and len(m.group(3)) <= 2:  # top-level imports (the cumulative column)
                total += int(m.group(2))
                heavy.append((int(m.group(2)), m.group(4).strip()))
        heavy.sort(reverse=True)
        self.import_note = (f"importing bot.cli, bot.server and bot.app takes {total / 1e6:.2f} s; the heaviest: "
                            + ", ".join(f"{name} {us / 1e6:.2f} s" for us, name in heavy[:4]))
        return out

    # --- 3. growth --------------------------------------------------------------------------
    async def growth(self) -> list[dict]:
        from storage.db import Database

        from .growth import fill_to

        db = fresh_sqlite(self.work, "growth.db")
        database = Database(db.url)
        database.migrate()
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        out = []
        for size in self.d.growth:
            t0 = time.perf_counter()
            rows = await asyncio.to_thread(fill_to, database.engine, size, now)
            fill_s = time.perf_counter() - t0
            database.engine.dispose()
            log(f"growth: {size:,} records stored ({rows:,} rows added in {fill_s:.0f} s)")
            solo = await self.bot_run(f"growth-solo-{size}", f"{size:,} records, 1 practitioner", "sqlite", variant="stats",
                                      practitioners=1, warmup=1.0, measure=self.d.solo, check=False, db=db)
            loaded = await self.bot_run(f"growth-50-{size}", f"{size:,} records, 50 practitioners", "sqlite", variant="stats",
                                        warmup=self.d.short_warmup, measure=self.d.short_measure, check=False, db=db)
            out.append({"size": size, "fill_s": fill_s, "rows_added": rows, "solo": solo, "loaded": loaded})
        with database.engine.connect() as conn:
            from sqlalchemy import text
            counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                      for t in ("records", "conversations", "record_chain", "escalations")}
        self.growth_counts = counts
        database.engine.dispose()
        db.drop()
        return out

    # --- 4. digest and export ------------------------------------------------------------------
    def digest(self) -> tuple[str, str]:
        script = BENCH / "bench_digest.py"
        if not script.exists():
            return "", "bench/bench_digest.py does not exist (yet): the digest and export benchmark was skipped."
        argv = [sys.executable, str(script), "--records", str(self.args.digest_records),
                "--sqlite-path", str(self.work / "digest.db")]
        if self.args.digest_pg and self.pg:
            argv.append("--pg")
        log("digest and export: " + " ".join(argv[1:]))
        t0 = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, timeout=self.args.digest_timeout)
        took = time.perf_counter() - t0
        if done.returncode != 0:
            return "", f"bench/bench_digest.py failed (exit {done.returncode}) after {took:.0f} s: {done.stderr.strip()[-800:]}"
        table = "\n".join(line for line in done.stdout.splitlines() if line.startswith("|"))
        return table, f"bench/bench_digest.py ran in {took:.0f} s ({' '.join(argv[2:])})."


# --- the report -------------------------------------------------------------------------------

def cpu_text(row: dict) -> str:
    cpu = row.get("cpu") or {}
    return (f"{cpu.get('server_cores', 0):.2f} / {cpu.get('postgres_cores', 0):.2f} / {cpu.get('loadgen_cores', 0):.2f} / "
            f"{cpu.get('machine_busy', 0):.0%}")


def yes(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def report(b: Bench, started: datetime, elapsed: float, startup: list[dict], growth: list[dict],
           digest_table: str, digest_note: str, profile_path: Path | None, busy_before: float) -> str:
    r = b.rows
    L: list[str] = []
    add = L.append
    nproc = os.cpu_count()
    pyver = platform.python_version()
    import sqlalchemy
    from slack_bolt.version import __version__ as bolt_version
    add("# canishare benchmark results")
    add("")
    add(f"- Date: {started.strftime('%Y-%m-%d %H:%M UTC')}; whole run {elapsed / 60:.1f} min (`bench/run`"
        + (" --quick" if b.args.quick else "") + ")")
    add(f"- Machine: {nproc} CPUs (nproc), {platform.machine()}, Linux {platform.release()}; Python {pyver}; "
        f"slack-bolt {bolt_version}, SQLAlchemy {sqlalchemy.__version__}; PostgreSQL "
        + ("local" if b.pg else "not reachable: PostgreSQL rows skipped"))
    add(f"- Machine busy before the run (other processes): {busy_before:.0%} of all CPUs"
        + (" — **other work was running; figures are pessimistic**" if busy_before > 0.15 else ""))
    add("- Everything on loopback: server under test on 127.0.0.1, fake Slack Web API in the load generator "
        "(bench/fakeslack.py, answers at once unless a row says otherwise), local PostgreSQL.")
    add("- Load: simulated practitioners, each a closed loop: a signed `/canishare`, then click an answer button "
        "of the question the bot posted (the block_actions payload carries that real message), wait for the next "
        "question or the outcome, click again at once (no think time), over six walks of 1-7 clicks "
        "(tests/e2e/test_walks.py). Every 20th click is sent twice at the same moment (a double click).")
    add(f"- `canishare serve` as shipped: 1 worker, 8 threads unless a row says otherwise. Windows: "
        f"{b.d.warmup:g} s warm-up then {b.d.measure:g} s measured (variants and floor {b.d.short_warmup:g}+{b.d.short_measure:g} s).")
    add("")
    add("Terms: **ack** = time from sending the signed request to the complete HTTP response (what Slack waits "
        "for, 3 s limit); **next message** = click sent → the bot's next question or outcome arrives at the "
        "fake Slack (what the practitioner sees); **clicks/s** = clicks whose next message arrived in the measured "
        "window, per second; p50/p99 over the clicks sent in the window. CPU columns: cores used by the server's "
        "processes, PostgreSQL's, the load generator's (with the fake Slack), and how busy the whole machine was.")
    add("")

    # Targets
    base = r.get("bot-sqlite-1")
    floor = r.get("floor-paced")
    add("## Targets")
    add("")
    add("| target | measured | verdict |")
    add("|---|---|---|")
    if base and floor:
        ratio = base["ack_p50"] / floor["ack_p50"]
        add(f"| bot ack p50 <= 2x floor ack p50 (50 concurrent, SQLite, 1 worker) | {ms(base['ack_p50'])} ms vs floor "
            f"{ms(floor['ack_p50'])} ms at the same click rate = {ratio:.1f}x | {yes(ratio <= 2)} |")
        add(f"| bot ack p99 < 50 ms with 50 concurrent (SQLite, 1 worker) | {ms(base['ack_p99'])} ms | {yes(base['ack_p99'] < 0.05)} |")
    pg1 = r.get("bot-pg-1")
    if pg1:
        add(f"| same on PostgreSQL, 1 worker | p50 {ms(pg1['ack_p50'])} ms, p99 {ms(pg1['ack_p99'])} ms | "
            f"{yes(pg1['ack_p99'] < 0.05 and floor is not None and pg1['ack_p50'] <= 2 * floor['ack_p50'])} |")
    checks = [row for row in r.values() if "check" in row]
    if checks:
        bad = [row["label"] for row in checks if not row["check"]["ok"]]
        total = sum(row["check"]["expected"] for row in checks)
        add(f"| every acked click applied exactly once ({len(checks)} runs) | {total:,} clicks checked; "
            + ("all applied once" if not bad else "problems in: " + ", ".join(bad)) + f" | {yes(not bad)} |")
    if growth:
        first, last = growth[0], growth[-1]
        grew = last["solo"]["feel_p50"] / first["solo"]["feel_p50"]
        add(f"| per-click latency does not grow with stored records ({first['size']:,} → {last['size']:,}) | "
            f"1 practitioner: next message p50 {ms(first['solo']['feel_p50'])} → {ms(last['solo']['feel_p50'])} ms "
            f"({grew:.2f}x); ack p50 {ms(first['solo']['ack_p50'])} → {ms(last['solo']['ack_p50'])} ms | {yes(grew < 1.5)} |")
        machines = [s for g in growth for s in (g["loaded"].get("stats") or [])]
        if machines:
            most = max(s["machines"] for s in machines)
            add(f"| the state machine is built once per process | every serving process reported "
                f"{most} transitions.Machine built after thousands of clicks (flow_for misses "
                f"{max(s['flow_for']['misses'] for s in machines)}) | {yes(most == 1)} |")
    add("")

    # 1. Ack latency
    add("## 1. Ack latency per click: the bot against the floor (50 concurrent)")
    add("")
    add("| server | config | ack p50 (ms) | ack p99 (ms) | ack max (ms) | next message p50 / p99 (ms) | clicks/s | /canishare ack p50 / p99 (ms) | CPU cores: server / postgres / loadgen, machine busy |")
    add("|---|---|---:|---:|---:|---|---:|---|---|")
    order = ["floor-paced", "floor-pbr", "floor-flat", "bot-sqlite-1", "bot-pg-1", "var-poll1", "var-pool16", "var-early",
             "var-lazy", "var-lazy-pool16", "slack100-default", "slack100-lazy-pool32"]
    for key in order:
        row = r.get(key)
        if not row:
            continue
        cpu_s = cpu_text(row)
        feel = "—" if row["variant"] == "floor" else f"{ms(row['feel_p50'])} / {ms(row['feel_p99'])}"
        cmd = "—" if row["variant"] == "floor" else f"{ms(row['cmd_p50'])} / {ms(row['cmd_p99'])}"
        config = row["variant"] if row["variant"] and row["variant"] != "floor" else ("as shipped" if row["variant"] != "floor" else "")
        if row["variant"] == "floor":
            config = ("process_before_response=True" if key == "floor-pbr" else "process_before_response=False (as the bot)") + \
                     (f", paced at {row['paced']:.0f} clicks/s" if row.get("paced") else ", flat out")
        if row.get("delay_ms"):
            config += f"; Slack API answers in {row['delay_ms']:.0f} ms"
        db = f"{row['db']}, " if row["db"] != "-" else ""
        add(f"| {row['label']} | {db}{config} | {ms(row['ack_p50'])} | {ms(row['ack_p99'])} | {ms(row['ack_max'])} | {feel} | "
            f"{row['rate']:.1f} | {cmd} | {cpu_s} |")
    add("")
    add("Floor rows: a bare slack-bolt App (bench/floor_app.py) that only acks, on the same gunicorn "
        "(gthread, same workers and threads), clicked by 50 concurrent clickers with the same payloads; "
        "\"paced\" offers the click rate the bot sustained in the SQLite run above, so both are compared at the same load. "
        "Variant rows run the real app with one Bolt setting changed after build_app (bench/variant_serve.py): "
        "`poll=1` Bolt's ack wait loop polls every 1 ms instead of 10; `pool=N` Bolt's listener executor has N threads "
        "instead of 5; `early_ack` a global middleware acks block_actions before the listener is queued; `lazy` "
        "process_before_response=True with every button listener split into ack() + a lazy listener (Bolt's FaaS pattern).")
    add("")
    fp, fpb = r.get("floor-paced"), r.get("floor-pbr")
    if fp and fpb:
        add(f"Bolt's 10 ms ack poll (slack_bolt/listener/thread_runner.py:163): the floor acks in {ms(fp['ack_p50'])} ms p50 "
            f"with process_before_response=False (the listener runs on Bolt's executor and the request thread sleeps in 10 ms "
            f"steps until ack() is seen) against {ms(fpb['ack_p50'])} ms when the listener runs on the request thread: "
            f"the poll is ~{(fp['ack_p50'] - fpb['ack_p50']) * 1000:.0f} ms of the floor's {ms(fp['ack_p50'])} ms.")
        add("")

    # 2. Throughput
    add("## 2. Throughput and exactly-once (50 concurrent practitioners, `canishare serve` as shipped)")
    add("")
    add("| database | workers x threads | clicks/s | ack p50 / p99 (ms) | next message p50 / p99 (ms) | clicks checked | lost | duplicated | double clicks | records = outcome entries | escalations = escalated records | chain | CPU cores: server / postgres / loadgen, machine busy |")
    add("|---|---|---:|---|---|---:|---:|---:|---:|---|---|---|---|")
    for key in ("bot-sqlite-1", "bot-pg-1", "bot-pg-2", "bot-pg-4"):
        row = r.get(key)
        if not row:
            continue
        c = row["check"]
        add(f"| {row['db']} | {row['workers']} x {row['threads']} | {row['rate']:.1f} | {ms(row['ack_p50'])} / {ms(row['ack_p99'])} | "
            f"{ms(row['feel_p50'])} / {ms(row['feel_p99'])} | {c['expected']:,} | {c['lost']} | {c['duplicated']} | {c['double_clicks']} | "
            f"{c['records']:,} = {c['outcome_entries']:,} | {c['escalations']:,} = {c['escalated_records']:,} | "
            f"{'intact' if c['chain_ok'] else c['chain']} | {cpu_text(row)} |")
    add("")
    add("Check, after each run, in that run's fresh database: for every conversation a practitioner clicked in, the "
        "number of path entries equals the number of its clicks that were acked (a double click counts once); "
        "\"lost\" / \"duplicated\" add up the differences. Every record has exactly one `outcome` chain entry, every "
        "seek-advice/urgent record one escalation, and `verify_chain` passes. Clicks not acked (timeouts) are not "
        "in \"checked\": their conversations are skipped.")
    skipped = sum(row["check"]["skipped"] for row in checks) if checks else 0
    if skipped:
        add(f"Conversations skipped because a click was not acked: {skipped}.")
    add("")

    # 3. Growth
    if growth:
        add("## 3. Growth: per-click latency with stored history (SQLite, 1 worker)")
        add("")
        add("| records stored | fill (s) | 1 practitioner: ack p50 / p99 (ms) | next message p50 / p99 (ms) | /canishare → question p50 (ms) | 50 practitioners: ack p50 / p99 (ms) | next message p50 / p99 (ms) | clicks/s | Machine / Flow built, flow_for hits / misses |")
        add("|---:|---:|---|---|---:|---|---|---:|---|")
        for g in growth:
            s1, s50 = g["solo"], g["loaded"]
            st = (s50.get("stats") or [{}])[0]
            ff = st.get("flow_for", {})
            add(f"| {g['size']:,} | {g['fill_s']:.0f} | {ms(s1['ack_p50'])} / {ms(s1['ack_p99'])} | {ms(s1['feel_p50'])} / {ms(s1['feel_p99'])} | "
                f"{ms(s1['start_feel_p50'])} | {ms(s50['ack_p50'])} / {ms(s50['ack_p99'])} | {ms(s50['feel_p50'])} / {ms(s50['feel_p99'])} | "
                f"{s50['rate']:.1f} | {st.get('machines', '?')} / {st.get('flows', '?')}, {ff.get('hits', '?')} / {ff.get('misses', '?')} |")
        add("")
        counts = getattr(b, "growth_counts", {})
        add("Rows at the end: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()) + ". Filled with SQLAlchemy core "
            "inserts of 10,000 rows (bench/growth.py): per record its conversation and chain entry, an escalation "
            "(and entry) for seek-advice/urgent, an abandoned walk per ten records, spread over 2,000 practitioners "
            "whose ids the simulated practitioners use. The last column is read from the serving process "
            "(GET /_bench/stats, added by bench/variant_serve.py `stats`): transitions.Machine and Flow objects "
            "built since start, and conversation.flow.flow_for.cache_info().")
        add("")

    # 4. Digest
    add("## 4. Digest and export over 1M records")
    add("")
    if digest_table:
        add(digest_table)
        add("")
    add(digest_note)
    add("")

    # 5. Start-up
    add("## 5. Start-up: `canishare serve` to the first answered request")
    add("")
    add("| case | /healthz 200 after (s) | first signed /canishare acked after (s) | that ack took (ms) | its question posted after (s) |")
    add("|---|---:|---:|---:|---:|")
    for s in startup:
        acked = "—" if s["acked_at"] != s["acked_at"] else f"{s['acked_at']:.2f}"
        took = "—" if s["first_ack"] != s["first_ack"] else ms(s["first_ack"])
        q = "—" if s["question_at"] != s["question_at"] else f"{s['question_at']:.2f}"
        add(f"| {s['label']} | {s['healthz']:.2f} | {acked} | {took} | {q} |")
    add("")
    add("Times from spawning the process (1 worker). gunicorn binds before its worker has loaded the app, so "
        "/healthz is polled every 5 ms and answers once the worker is ready. " + getattr(b, "import_note", ""))
    add("")
    if profile_path:
        add("## Where a click's time goes")
        add("")
        add(f"pyinstrument profile of the app handling clicks on one thread: {profile_path.relative_to(ROOT)}.")
        add("")
    if b.notes:
        add("## Notes")
        add("")
        for n in b.notes:
            add(f"- {n}")
        add("")
    return "\n".join(L)


async def run(args: argparse.Namespace) -> int:
    d = Durations()
    if args.quick:
        d = Durations(warmup=1.0, measure=3.0, short_warmup=1.0, short_measure=3.0, solo=2.0, growth=(1_000, 10_000))
    started = datetime.now(timezone.utc)
    t_start = time.perf_counter()
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
    try:
        only = set(args.only.split(",")) if args.only else None

        def want(name: str) -> bool:
            return only is None or name in only

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
            await b.bot_run("var-poll1", "bot variant", "sqlite", variant="poll=1", warmup=sw, measure=sm)
            await b.bot_run("var-pool16", "bot variant", "sqlite", variant="pool=16", warmup=sw, measure=sm)
            await b.bot_run("var-early", "bot variant", "sqlite", variant="early_ack", warmup=sw, measure=sm)
            await b.bot_run("var-lazy", "bot variant", "sqlite", variant="lazy", warmup=sw, measure=sm)
            await b.bot_run("slack100-default", "bot", "sqlite", delay_ms=100, warmup=sw, measure=sm)
            await b.bot_run("slack100-lazy-pool32", "bot variant", "sqlite", variant="lazy,pool=32", delay_ms=100,
                            warmup=sw, measure=sm)
        if want("throughput") and b.pg:
            await b.bot_run("bot-pg-2", "bot", "postgresql", workers=2)
            await b.bot_run("bot-pg-4", "bot", "postgresql", workers=4)
        if want("growth"):
            growth = await b.growth()
        if want("profile"):
            profile_path = BENCH / "profile-click.txt"
            log("profiling a click (pyinstrument)")
            subprocess.run([sys.executable, "-m", "bench.profile_click", "--clicks", "300" if args.quick else "600",
                            "--out", str(profile_path)], cwd=ROOT, capture_output=True, text=True, timeout=300, check=True)
    finally:
        await b.fake.stop()
    if want("digest") and not args.no_digest and not args.quick:
        digest_table, digest_note = b.digest()
    elif args.quick:
        digest_note = "skipped in a --quick run."
    elapsed = time.perf_counter() - t_start
    text = report(b, started, elapsed, startup, growth, digest_table, digest_note, profile_path, busy_before)
    out = Path(args.out)
    out.write_text(text + "\n")
    (work / "rows.json").write_text(json.dumps(b.rows, default=str, indent=1))
    print(text)
    log(f"done in {elapsed / 60:.1f} min; wrote {out} (raw rows: {work / 'rows.json'})")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run of a minute or two")
    parser.add_argument("--only", default=None, help="comma-separated: startup,latency,throughput,growth,profile,digest")
    parser.add_argument("--no-digest", action="store_true", help="skip bench/bench_digest.py")
    parser.add_argument("--digest-records", type=int, default=1_000_000)
    parser.add_argument("--digest-pg", action="store_true", help="also run the digest bench on PostgreSQL (slow)")
    parser.add_argument("--digest-timeout", type=float, default=420.0)
    parser.add_argument("--out", default=str(BENCH / "results.md"))
    args = parser.parse_args()
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
