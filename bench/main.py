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
import math
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from .common import (
    BENCH,
    ROOT,
    FreshDb,
    Proc,
    bot_server,
    command_body,
    floor_server,
    fresh_pg,
    fresh_sqlite,
    ms,
    pct,
    pg_available,
    server_env,
    signed_headers,
)
from .fakeslack import WORKSPACE, FakeSlack
from .loadgen import LoadResult, floor_load, walk_load

PRACTITIONERS = 50
THINK = (1.0, 3.0)  # seconds a practitioner reads before clicking, in the "with think time" rows
BEFORE = "pbr=0,pool=5"  # Bolt's defaults, as build_app had them before the ack/lazy split
# Configuration experiments, each on SQLite with 1 worker (bench/variant_serve.py says what each does).
VARIANTS = (("var-before", BEFORE), ("var-pool5", "pbr=1,pool=5"), ("var-pool16", "pbr=1,pool=16"))
SLACK100 = (("slack100-default", None), ("slack100-before", BEFORE), ("slack100-pool5", "pbr=1,pool=5"),
            ("slack100-pool16", "pbr=1,pool=16"))
THINKING = (("think-default", None), ("think-before", BEFORE))
BUDGET = 14.5 * 60  # the whole run must end within 15 minutes: the digest bench gets what is left


@dataclass
class Durations:
    warmup: float = 2.0
    measure: float = 8.0
    short_warmup: float = 2.0
    short_measure: float = 6.0
    solo: float = 4.0
    growth: tuple[int, ...] = (1_000, 100_000, 1_000_000)


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _machine_jiffies() -> tuple[int, int]:
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return sum(fields) - fields[3] - fields[4], sum(fields)


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
            except (TimeoutError, aiohttp.ClientError):
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
        with db.read_only() as s:
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
        self.profile: dict = {}
        self.race: dict[str, dict] = {}
        self.digest_note = ""
        self.shipped: dict = {}
        self.digest_argv: list[str] = []
        self.digest_t0 = 0.0
        self.digest_cpu0: tuple = ()

    async def bot_run(self, key: str, label: str, db_kind: str, workers: int = 1, threads: int = 8,
                      variant: str | None = None, delay_ms: float = 0.0, practitioners: int = PRACTITIONERS,
                      warmup: float | None = None, measure: float | None = None, check: bool = True,
                      db: FreshDb | None = None, keep_db: bool = False, think: tuple[float, float] | None = None) -> dict:
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
                                     server_pgid=proc.proc.pid if proc.proc else None, user_prefix=self._prefix(key),
                                     think=think)
            stats = await self._stats(proc) if variant and "stats" in variant else None
        finally:
            proc.stop()
            self.fake.delay = 0.0
        text = proc.log()
        problems = server_problems(text)
        purge = re.findall(r"retention purge: (.*)$", text, re.MULTILINE)
        row = {"label": label, "db": db_kind, "workers": workers, "threads": threads, "variant": variant or "",
               "delay_ms": delay_ms, "think": think, **result.summary(), "start_feel_p50": pct(result.start_feel, 50),
               "walks": result.walks, "outcomes": result.outcomes, "doubles": result.doubles, "stats": stats,
               "problems": problems, "purge": purge[-1] if purge else None}
        if check:
            row["check"] = await asyncio.to_thread(check_db, db.url, result)
        if own_db and not keep_db:
            db.drop()
        self.rows[key] = row
        if not row["clicks"] or row["refused"] or row["client_errors"]:
            self.notes.append(f"{key}: {row['clicks']} clicks measured; not answered 200: {row['refused'] or 'none'}; "
                              f"no response: {row['client_errors'] or 'none'}; server log: {problems or 'clean'}")
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

    async def describe(self) -> dict:
        """How build_app configures Bolt in the code being measured."""
        assert self.fake is not None
        db = fresh_sqlite(self.work, "describe.db")
        env = server_env(self.work / "describe", self.fake.url, db.url)
        done = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "bench.variant_serve", "describe"], env=env,
                                       cwd=self.work / "describe", capture_output=True, text=True, timeout=120, check=False)
        db.drop()
        try:
            self.shipped = json.loads(done.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            self.shipped = {}
            self.notes.append(f"could not read the app's Bolt configuration: {done.stderr.strip()[-300:]}")
        log(f"the app as shipped: {self.shipped}")
        return self.shipped

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
                body = command_body(user, WORKSPACE, in_dm=True)  # typed in the bot's DM
                async with aiohttp.ClientSession() as session:
                    t0 = time.perf_counter()
                    async with session.post(proc.url + "/slack/events", data=body, headers=signed_headers(body)) as resp:
                        await resp.read()
                        status = resp.status
                    first_ack = time.perf_counter() - t0
                    acked_at = time.perf_counter() - proc.started_at
                    question_at = float("nan")
                    if status == 200:
                        try:
                            await asyncio.wait_for(q.get(), 10)
                            question_at = time.perf_counter() - proc.started_at
                        except TimeoutError:
                            pass
            finally:
                proc.stop()
            if kind == "postgresql":
                db.drop()
            out.append({"label": label, "healthz": healthz, "first_ack": first_ack, "acked_at": acked_at,
                        "question_at": question_at, "status": status, "problems": server_problems(proc.log())})
            log(f"start-up, {label}: /healthz after {healthz:.2f} s, first command answered HTTP {status} after {acked_at:.2f} s")
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
        out_imp = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-X", "importtime", "-c", "import bot.cli, bot.server, bot.app"],
            capture_output=True, text=True, cwd=ROOT, check=False)
        cumulative: dict[str, int] = {}
        total = 0
        for line in out_imp.stderr.splitlines():
            m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
            if not m:
                continue
            name = m.group(4)
            if len(m.group(3)) <= 1:
                total += int(m.group(2))
            top = name.split(".")[0]
            if top in ("alembic", "sqlalchemy", "slack_bolt", "slack_sdk", "pydantic", "yaml", "transitions",
                       "apscheduler", "matplotlib", "psycopg", "phonenumbers") and name == top:
                cumulative[top] = max(cumulative.get(top, 0), int(m.group(2)))
        heavy = sorted(((us, name) for name, us in cumulative.items()), reverse=True)
        self.import_note = (f"Importing the app (bot.cli, bot.server, bot.app) takes {total / 1e6:.2f} s of that; the "
                            "largest packages, each counted where it is first imported: "
                            + ", ".join(f"{name} {us / 1e6:.2f} s" for us, name in heavy[:5]) + ".")
        return out

    # --- 3. growth --------------------------------------------------------------------------
    def growth_fill(self) -> list[dict]:
        """One SQLite file per size, each grown from the one before (fill, checkpoint, copy)."""
        import shutil

        from storage.db import Database

        from .growth import fill_engine, fill_to

        live = fresh_sqlite(self.work, "growth-live.db")
        Database(live.url).migrate()
        database = Database(engine=fill_engine(live.url))
        now = datetime.now(UTC).replace(tzinfo=None)
        live_path = Path(live.url.removeprefix("sqlite:///"))
        out = []
        for size in self.d.growth:
            t0 = time.perf_counter()
            rows = fill_to(database.engine, size, now)
            fill_s = time.perf_counter() - t0
            database.engine.dispose()  # the last connection closing checkpoints the WAL into the file
            copy = fresh_sqlite(self.work, f"growth-{size}.db")
            for suffix in ("", "-wal"):
                if Path(str(live_path) + suffix).exists():
                    shutil.copyfile(str(live_path) + suffix, copy.url.removeprefix("sqlite:///") + suffix)
            log(f"growth: {size:,} records stored ({rows:,} rows added in {fill_s:.0f} s)")
            out.append({"size": size, "fill_s": fill_s, "rows_added": rows, "db": copy})
        from sqlalchemy import text

        with database.engine.connect() as conn:
            self.growth_counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                                  for t in ("records", "conversations", "record_chain", "escalations")}
        database.engine.dispose()
        live.drop()
        return out

    async def growth_measure(self, filled: list[dict]) -> list[dict]:
        out = []
        for g in filled:
            size, db = g["size"], g["db"]
            solo = await self.bot_run(f"growth-solo-{size}", f"{size:,} records, 1 practitioner", "sqlite", variant="stats",
                                      practitioners=1, warmup=1.0, measure=self.d.solo, check=False, db=db)
            loaded = await self.bot_run(f"growth-50-{size}", f"{size:,} records, 50 practitioners", "sqlite", variant="stats",
                                        warmup=self.d.short_warmup, measure=self.d.short_measure, check=False, db=db)
            db.drop()
            out.append({"size": size, "fill_s": g["fill_s"], "rows_added": g["rows_added"], "solo": solo, "loaded": loaded})
        return out

    # --- 4. digest and export ------------------------------------------------------------------
    def digest_start(self) -> subprocess.Popen | None:
        script = BENCH / "bench_digest.py"
        if not script.exists():
            self.digest_note = "bench/bench_digest.py does not exist (yet): the digest and export benchmark was skipped."
            return None
        argv = [sys.executable, str(script), "--records", str(self.args.digest_records),
                "--sqlite-path", str(self.work / "digest.db")]
        if self.args.digest_pg and self.pg:
            argv.append("--pg")
        self.digest_argv = argv
        log("digest and export: " + " ".join(argv[1:]))
        self.digest_t0 = time.perf_counter()
        self.digest_cpu0 = (_machine_jiffies(), resource.getrusage(resource.RUSAGE_CHILDREN))
        return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                                start_new_session=True)

    def digest_finish(self, proc: subprocess.Popen, timeout: float) -> tuple[str, str]:
        try:
            stdout, stderr = proc.communicate(timeout=max(1.0, timeout))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.communicate()
            return "", (f"bench/bench_digest.py did not finish within the {timeout:.0f} s left of this run's 15-minute "
                        "budget and was stopped; run it on its own: `.venv/bin/python bench/bench_digest.py`.")
        took = time.perf_counter() - self.digest_t0
        if proc.returncode != 0:
            return "", f"bench/bench_digest.py failed (exit {proc.returncode}) after {took:.0f} s: {stderr.strip()[-800:]}"
        table = "\n".join(line for line in stdout.splitlines() if line.startswith("|"))
        (busy0, total0), ru0 = self.digest_cpu0
        busy1, total1 = _machine_jiffies()
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        ncpu = os.cpu_count() or 1
        machine = (busy1 - busy0) / max(1, total1 - total0) * ncpu * took
        own = (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
        other = max(0.0, machine - own) / took  # cores, PostgreSQL and the OS included
        company = ("with nothing else busy" if other < 0.3 else
                   f"**while other processes used {other:.1f} cores on average: its timings are pessimistic**")
        argv = " ".join(["bench/bench_digest.py", *self.digest_argv[2:]]).replace(str(self.work), "$TMP")
        return table, (f"From bench/bench_digest.py (another engineer's; see its docstring for what each column "
                       f"means), run by bench/run as `{argv}` in {took:.0f} s, {company}.")


# --- the report -------------------------------------------------------------------------------

def purge_short(line: str | None) -> str:
    """The purge's counts that are not zero, from the bot's log line."""
    if not line:
        return "—"
    counts = [part.strip() for part in line.split(",") if not part.strip().endswith(" 0")]
    return ", ".join(counts) or "nothing due"


def others(row: dict) -> float:
    """Cores used during the window by processes that are not part of the run."""
    cpu = row.get("cpu") or {}
    total = cpu.get("machine_busy", 0) * (os.cpu_count() or 1)
    return max(0.0, total - cpu.get("server_cores", 0) - cpu.get("postgres_cores", 0) - cpu.get("loadgen_cores", 0))


def cpu_text(row: dict) -> str:
    cpu = row.get("cpu") or {}
    flag = f" **+{others(row):.1f} other**" if others(row) > 0.3 else ""
    return (f"{cpu.get('server_cores', 0):.2f} / {cpu.get('postgres_cores', 0):.2f} / {cpu.get('loadgen_cores', 0):.2f} / "
            f"{cpu.get('machine_busy', 0):.0%}{flag}")


def yes(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def matching_floor(b: Bench) -> tuple[dict | None, str]:
    """The floor with the same process_before_response as the app as shipped."""
    pbr = b.shipped.get("process_before_response")
    if pbr:
        return b.rows.get("floor-pbr"), "process_before_response=True, as the bot"
    return b.rows.get("floor-paced"), "process_before_response=False, as the bot"


def shipped_text(b: Bench) -> str:
    s = b.shipped
    if not s:
        return "as shipped"
    return (f"process_before_response={s.get('process_before_response')}, a listener executor of "
            f"{s.get('executor_threads')} threads, {s.get('lazy_listeners')} of {s.get('listeners')} listeners lazy")


def findings(b: Bench, growth: list[dict], startup: list[dict]) -> list[str]:
    """What the numbers say, with this run's figures; causes and fixes where something is missed."""
    r = b.rows
    out: list[str] = []
    base, floor, fpb = r.get("bot-sqlite-1"), r.get("floor-paced"), r.get("floor-pbr")
    fmatch, fname = matching_floor(b)
    before, before_poll = r.get("var-before"), r.get("var-before-poll1")
    s100, s100b, s100p5 = r.get("slack100-default"), r.get("slack100-before"), r.get("slack100-pool5")
    thd, thb = r.get("think-default"), r.get("think-before")
    pbr = bool(b.shipped.get("process_before_response"))

    def pair(row: dict | None, what: str = "ack") -> str:
        return "n/a" if not row else f"{ms(row[what + '_p50'])} / {ms(row[what + '_p99'])} ms"

    if base and fmatch:
        ok50 = base["ack_p50"] <= 2 * fmatch["ack_p50"]
        ok99 = base["ack_p99"] < 0.05
        text = (f"**Ack latency as shipped** ({shipped_text(b)}): {pair(base)} (p50 / p99) with 50 practitioners "
                f"clicking flat out, against the floor's {ms(fmatch['ack_p50'])} ms p50 ({fname}): "
                f"{base['ack_p50'] / fmatch['ack_p50']:.1f}x — p50 target {'met' if ok50 else 'missed'}, "
                f"p99 < 50 ms {'met' if ok99 else 'missed'}.")
        if pbr and before:
            text += (f" Before the ack/lazy split (Bolt's defaults, process_before_response=False and 5 executor "
                     f"threads, bench variant `{BEFORE}` on today's listeners) the same load gets {pair(before)}: "
                     "the listener, `ack()` included, ran on Bolt's 5-thread executor (slack_bolt/app/app.py:354) "
                     "while the request thread waited for it (slack_bolt/listener/thread_runner.py:163), so each "
                     "ack queued behind whole clicks (database work and two Slack Web API calls) of other "
                     "practitioners and became as slow as the answer.")
        elif not pbr:
            text += (" Cause: with process_before_response=False Bolt runs the listener, `ack()` included, on its "
                     "executor (5 threads by default, slack_bolt/app/app.py:354) and the request thread waits for it "
                     "(slack_bolt/listener/thread_runner.py:163), so each ack queues behind other clicks' whole work. "
                     "Fix: process_before_response=True with every listener split into `ack=` + `lazy=[...]`, and "
                     "`listener_executor=ThreadPoolExecutor(max_workers=32)` in `App(...)` (bot/app.py).")
        if pbr and not ok50:
            solo = growth[0]["solo"]["ack_p50"] if growth else float("nan")
            cpu = (base.get("cpu") or {}).get("server_cores", 0)
            text += (f" Unloaded (1 practitioner, growth runs) a click acks in {ms(solo)} ms; the rest under load is the "
                     f"request thread waiting for the GIL while executor threads run other clicks' work (the process "
                     f"uses {cpu:.2f} cores, i.e. all one GIL allows). The floor has no work behind its acks. Per ack "
                     "the bot also checks the signature twice (bot/server.py verifies it before Bolt does again) "
                     "and Bolt deep-copies the request for the lazy listener (slack_bolt/listener/thread_runner.py "
                     "`_build_lazy_request`); both are small next to the GIL wait.")
        if pbr and not ok99:
            cpu = (base.get("cpu") or {}).get("server_cores", 0)
            text += (f" The p99 is CPU: the one worker process is busy ({cpu:.2f} cores, the GIL's limit is 1) and the "
                     f"request thread that acks competes for the GIL with the {b.shipped.get('executor_threads')} "
                     "executor threads doing other clicks' work")
            smaller = [(k, r.get(k)) for k in ("var-pool16", "var-pool5") if r.get(k)]
            if smaller:
                text += ("; with fewer executor threads the same load acks in " + ", ".join(
                    f"{pair(row)} ({row['variant'].split('pool=')[-1]} threads)" for _, row in smaller))
            text += "; with think time (below) it is gone."
        out.append(text)
    if s100:
        text = (f"**With Slack's real latency** (every Web API call answered after 100 ms): as shipped "
                f"{pair(s100)} ack, {s100['rate']:.1f} clicks/s, next question {pair(s100, 'feel')}")
        if s100b:
            text += (f"; with Bolt's defaults (`{BEFORE}`) {pair(s100b)} ack (Slack gives up at 3 s) and "
                     f"{s100b['rate']:.1f} clicks/s")
        if s100p5:
            text += (f"; lazy listeners but Bolt's 5 executor threads: {pair(s100p5)} ack, {s100p5['rate']:.1f} "
                     "clicks/s — 5 threads x 2 calls of 100 ms per click cap a process near 25 clicks/s, "
                     "which is why the executor needs more threads than Bolt's default")
        out.append(text + ".")
    sweep = [(label, r.get(k0), r.get(k1)) for label, k0, k1 in (
        ("5", "var-pool5", "slack100-pool5"), ("16", "var-pool16", "slack100-pool16"),
        (str(b.shipped.get("executor_threads", "shipped")) + " (as shipped)", "bot-sqlite-1", "slack100-default"))]
    if all(a and c for _, a, c in sweep):
        text = ("**How many executor threads** (process_before_response=True; next question p50 / p99, clicks/s): "
                + "; ".join(f"{label} threads: {pair(a, 'feel')}, {a['rate']:.0f}/s with the fake Slack answering at "
                            f"once, {pair(c, 'feel')}, {c['rate']:.0f}/s with 100 ms" for label, a, c in sweep)
                + ". With Slack's latency the threads wait on I/O and more of them carry more clicks; when the one "
                  "process is short of CPU (50 practitioners flat out), every runnable thread takes turns at the GIL, "
                  "so a click that needs the GIL a dozen times (each query, each Web API call) waits a round of "
                  "all the others each time: more threads means a longer tail rather than more throughput.")
        pg1 = r.get("bot-pg-1")
        if pg1:
            text += (f" On PostgreSQL the shipped process has {b.shipped.get('executor_threads')} executor threads but "
                     "an engine pool of 30 connections (pool_size=10 + max_overflow=20, storage/db.py:50), so under "
                     f"load a click can also wait for a connection (PostgreSQL, 1 worker: ack {pair(pg1)}, next "
                     f"question {pair(pg1, 'feel')}).")
        p16, s16 = r.get("var-pool16"), r.get("slack100-pool16")
        shipped_threads = b.shipped.get("executor_threads")
        if p16 and s16 and s100 and base and shipped_threads != 16:
            text += (f" Proposed (bot/app.py, `ThreadPoolExecutor(max_workers=...)`): 16 threads per process — acks "
                     f"{pair(p16)} flat out and {pair(s16)} with Slack at 100 ms ({shipped_threads}: {pair(base)} and "
                     f"{pair(s100)}), "
                     f"for {s16['rate']:.0f} instead of {s100['rate']:.0f} clicks/s per process when every Slack call "
                     "takes 100 ms; keep pool_size + max_overflow >= the thread count, and add `--workers` (processes, "
                     "each with its own GIL) for more throughput where there are cores.")
        out.append(text)
    if thd:
        text = (f"**Closer to real use** (50 practitioners reading 1-3 s before each click, Slack answering in "
                f"100 ms, ~{thd['rate']:.0f} clicks/s): as shipped the ack is {pair(thd)} and the next question "
                f"{pair(thd, 'feel')}")
        if thb:
            text += f"; with Bolt's defaults {pair(thb)} and {pair(thb, 'feel')}"
        out.append(text + ".")
    if floor and fpb:
        text = (f"**Bolt's 10 ms ack poll** (slack_bolt/listener/thread_runner.py:163-164) is "
                f"{(floor['ack_p50'] - fpb['ack_p50']) * 1000:.0f} ms of the floor's {ms(floor['ack_p50'])} ms p50 "
                f"with process_before_response=False ({ms(fpb['ack_p50'])} ms with True)")
        if before and before_poll:
            text += (f"; on the bot with Bolt's defaults a 1 ms poll changes {pair(before)} to {pair(before_poll)}: "
                     "under load the executor queue, not the poll, dominated")
        out.append(text + (". With process_before_response=True, as shipped, there is no poll." if pbr else "."))
    bad_start = [s for s in startup if s.get("status") not in (0, 200)]
    if bad_start:
        msgs = sorted({m for s in bad_start for m in s.get("problems", {}) if " canishare." in f" {m}"})
        text = (f"**/canishare typed in the bot's DM is refused**: HTTP {bad_start[0]['status']} (server log: "
                f"{'; '.join(msgs[:3]) or 'nothing'}), so a practitioner who asks in the DM gets an error and no "
                "question. (The load above types /canishare in a channel, as the e2e tests do, which works.)")
        listeners = (ROOT / "bot" / "listeners" / "__init__.py").read_text()
        if "ack(reply(body)) if reply else ack()" in listeners:
            line = next(i for i, l in enumerate(listeners.splitlines(), 1) if "ack(reply(body)) if reply else ack()" in l)
            text += (f" Cause: `acked()`'s `ack_now` (bot/listeners.py:{line}) calls `ack(reply(body))`, and "
                     "`command_reply` returns None in a DM; Bolt's `ack()` takes only a str or a dict "
                     "(slack_bolt/context/ack/internals.py) and raises BoltError for None, which `on_error` turns "
                     "into a 400. One-line fix: `ack(reply(body) or \"\") if reply else ack()`.")
        out.append(text)
    fails = [row for row in r.values() if "check" in row and not row["check"]["ok"]]
    raced = {kind: res for kind, res in b.race.items() if res["recorded"] < res["n"]}
    checks = [row for row in r.values() if "check" in row]
    if fails or raced:
        text = "**Exactly-once: "
        if fails:
            msgs = sorted({m for row in fails for m in row.get("problems", {})})
            text += ("acked clicks were lost in " + ", ".join(
                f"{row['label']} ({row['db']}, {row['workers']} worker(s)): {row['check']['lost']} lost, "
                f"{row['check']['duplicated']} duplicated" for row in fails) + ".** Server log: " + "; ".join(msgs[:4]) + ". ")
        else:
            text += "no click was lost under load this time, but the race below is real.** "
        if raced:
            text += ("Race test: " + "; ".join(f"{kind}: {res['recorded']} of {res['n']} first outcomes recorded"
                                               for kind, res in raced.items()) + ". Cause: a new database has no "
                     "chain head row and `_claim_head` (storage/records.py) creates it on the first outcome; "
                     "concurrent first outcomes all INSERT id=1 and all but one fail with UniqueViolation, rolling "
                     "back clicks already acked. Fix: seed the row in a migration.")
        out.append(text)
    elif checks:
        total = sum(row["check"]["expected"] for row in checks)
        doubles = sum(row["check"]["double_clicks"] for row in checks)
        out.append(f"**Exactly-once holds**: {total:,} acked clicks over {len(checks)} runs (SQLite and PostgreSQL "
                   f"with 1, 2 and 4 workers), {doubles} of them double clicks, each applied once; every record has "
                   "one outcome entry and the chain verifies. Eight first outcomes at the same moment in a new "
                   "database are all recorded on both databases (the chain head is seeded by migration 0002).")
    thr = [r[k] for k in ("bot-sqlite-1", "bot-pg-1", "bot-pg-2", "bot-pg-4") if k in r]
    if thr:
        text = ("**Throughput** (clicks/s, 50 practitioners flat out): "
                + ", ".join(f"{row['db']} x{row['workers']}: {row['rate']:.0f}" for row in thr)
                + ". More workers barely help on this machine: it has 2 cores and the server, PostgreSQL and the "
                  "load generator with its fake Slack share them (machine-busy column), so one worker already uses "
                  "most of what is left.")
        if b.profile:
            shares = b.profile.get("shares") or {}
            slack = next((v for k, v in shares.items() if k.startswith("Slack")), 0)
            kit = next((v for k, v in shares.items() if k.startswith("Block Kit")), 0)
            db_share = next((v for k, v in shares.items() if k.startswith("database")), 0)
            text += (f" A click costs {b.profile.get('per_click_ms', float('nan')):.1f} ms of app time on one thread: "
                     f"{slack:.0%} Slack Web API calls (slack_sdk opens a new connection per call; with real Slack a "
                     f"TLS handshake each time), {db_share:.0%} database, {kit:.0%} turning Block Kit objects into "
                     "dicts (bot/blocks.py `to_dicts`; caching each question's rendered blocks by node, number and "
                     "can_go_back, with the conversation id filled in, would save most of that).")
        out.append(text)
    if growth:
        first, last = growth[0], growth[-1]
        text = (f"**Growth**: from {first['size']:,} to {last['size']:,} stored records the unloaded click stays at "
                f"{ms(first['solo']['feel_p50'])} → {ms(last['solo']['feel_p50'])} ms p50 to the next message, and "
                f"/canishare → first question {ms(first['solo']['start_feel_p50'])} → {ms(last['solo']['start_feel_p50'])} "
                "ms: the click path is primary-key reads and writes plus indexed lookups. One transitions.Machine per "
                "process (flow_for: one miss, every other click a hit).")
        worst = max(growth, key=lambda g: g["solo"]["feel_max"])
        if worst["solo"]["feel_max"] > 0.5:
            text += (f" But single clicks stall: the worst in the {worst['size']:,}-record run took "
                     f"{worst['solo']['feel_max']:.1f} s (p99 {ms(worst['solo']['feel_p99'])} ms), while the retention "
                     f"purge that every new process runs ~2 s after start was deleting that history's abandoned "
                     f"conversations ({purge_short(worst['solo'].get('purge')) if worst['solo'].get('purge') else 'it had not finished when the run ended'}). Each purge batch is a write "
                     "transaction, and on SQLite a click's transaction (BEGIN IMMEDIATE) waits for it. Before the purge "
                     "was batched (storage/retention.py, `purge_in_batches`, before the change that limits the "
                     "abandoned-conversation and seen-request deletes too) one 92k-row delete held the lock for 5 s; "
                     "batched, each batch holds it ~0.15-0.2 s at 100k records, yet a click can still wait about a "
                     "second: SQLite's busy handler sleeps with back-off (up to 100 ms per try), so a waiting click "
                     "can miss the short gap between two back-to-back batches. A pause between batches (a "
                     "`time.sleep(0.05)` after each commit in `purge_in_batches`) is the obvious next try; one 8 s "
                     "trial here was inconclusive, so it is proposed, not claimed. Worth a look before a first purge "
                     "on a big SQLite database (an upgrade, or after a long stop); PostgreSQL has row locks only.")
        out.append(text)
    if startup:
        first = startup[0]
        out.append(f"**Start-up**: {first['healthz']:.1f} s to /healthz on a fresh SQLite database, the first signed "
                   "request answered right after; most of it is imports (alembic, imported at start by storage/db.py "
                   "even when there is nothing to migrate). No action needed.")
    return out


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
        "processes, PostgreSQL's, the load generator's (with the fake Slack), and how busy the whole machine was; "
        "**+N other** marks a window in which other processes (not this run's) used N cores.")
    add("")

    # Targets
    base = r.get("bot-sqlite-1")
    add("## Targets")
    add("")
    add("| target | measured | verdict |")
    add("|---|---|---|")
    fmatch, fname = matching_floor(b)
    if base and fmatch:
        ratio = base["ack_p50"] / fmatch["ack_p50"]
        add(f"| bot ack p50 <= 2x floor ack p50 (50 concurrent, SQLite, 1 worker; floor with {fname}) | "
            f"{ms(base['ack_p50'])} ms vs {ms(fmatch['ack_p50'])} ms at the same click rate = {ratio:.1f}x | {yes(ratio <= 2)} |")
        add(f"| bot ack p99 < 50 ms with 50 concurrent (SQLite, 1 worker) | {ms(base['ack_p99'])} ms | {yes(base['ack_p99'] < 0.05)} |")
    pg1 = r.get("bot-pg-1")
    if pg1 and fmatch:
        add(f"| the same on PostgreSQL, 1 worker | p50 {ms(pg1['ack_p50'])} ms ({pg1['ack_p50'] / fmatch['ack_p50']:.1f}x), "
            f"p99 {ms(pg1['ack_p99'])} ms | {yes(pg1['ack_p50'] <= 2 * fmatch['ack_p50'])} / {yes(pg1['ack_p99'] < 0.05)} |")
    before = r.get("var-before")
    if before and b.shipped.get("process_before_response"):
        add(f"| for comparison: Bolt's defaults (process_before_response=False, 5 threads; `{BEFORE}`) | "
            f"p50 {ms(before['ack_p50'])} ms, p99 {ms(before['ack_p99'])} ms | — |")
    thd = r.get("think-default")
    if thd:
        add(f"| 50 practitioners reading 1-3 s before each click, Slack answering in 100 ms: ack p99 < 50 ms | "
            f"p50 {ms(thd['ack_p50'])} ms, p99 {ms(thd['ack_p99'])} ms | {yes(thd['ack_p99'] < 0.05)} |")
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
            f"({grew:.2f}x), p99 {ms(first['solo']['feel_p99'])} → {ms(last['solo']['feel_p99'])} ms, worst "
            f"{ms(first['solo']['feel_max'])} → {ms(last['solo']['feel_max'])} ms | {yes(grew < 1.5)} (p50)"
            + ("" if last['solo']['feel_max'] < 0.5 else ", **missed** (worst click: see findings)") + " |")
        machines = [s for g in growth for s in (g["loaded"].get("stats") or [])]
        if machines:
            most = max(s["machines"] for s in machines)
            add(f"| the state machine is built once per process | every serving process reported "
                f"{most} transitions.Machine built after thousands of clicks (flow_for misses "
                f"{max(s['flow_for']['misses'] for s in machines)}) | {yes(most == 1)} |")
    if startup:
        first = startup[0]
        ok = all(st.get("status") == 200 for st in startup if st.get("status"))
        add(f"| start-up: `canishare serve` answers /healthz and a first signed /canishare (typed in the DM) | "
            f"/healthz after {first['healthz']:.2f} s, /canishare answered HTTP {first['status']} after "
            f"{first['acked_at']:.2f} s | {yes(ok)} |")
    add("")

    # 1. Ack latency
    add("## 1. Ack latency per click: the bot against the floor (50 concurrent)")
    add("")
    add("| server | config | ack p50 (ms) | ack p99 (ms) | ack max (ms) | next message p50 / p99 (ms) | clicks/s | /canishare ack p50 / p99 (ms) | CPU cores: server / postgres / loadgen, machine busy |")
    add("|---|---|---:|---:|---:|---|---:|---|---|")
    order = ["floor-paced", "floor-pbr", "floor-flat", "bot-sqlite-1", "bot-pg-1",
             *(k for k, _ in VARIANTS), *(k for k, _ in SLACK100), *(k for k, _ in THINKING)]
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
        if row.get("think"):
            config += f"; practitioners think {row['think'][0]:g}-{row['think'][1]:g} s before each click"
        db = f"{row['db']}, " if row["db"] != "-" else ""
        add(f"| {row['label']} | {db}{config} | {ms(row['ack_p50'])} | {ms(row['ack_p99'])} | {ms(row['ack_max'])} | {feel} | "
            f"{row['rate']:.1f} | {cmd} | {cpu_s} |")
    add("")
    add("Floor rows: a bare slack-bolt App (bench/floor_app.py) that only acks, on the same gunicorn "
        "(gthread, same workers and threads), clicked by 50 concurrent clickers with the same payloads; "
        "\"paced\" offers the click rate the bot sustained in the SQLite run above, so both are compared at the same "
        f"load. The app as shipped: {shipped_text(b)}. Variant rows run the real app with Bolt settings changed after "
        "build_app (bench/variant_serve.py): `pbr=0|1` process_before_response off/on, `pool=N` the listener executor "
        f"with N threads, `poll=1` Bolt's ack wait loop polling every 1 ms instead of 10; `{BEFORE}` is Bolt's defaults, "
        "as the bot was configured before its listeners were split into ack + lazy.")
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
    if b.race:
        add("Eight practitioners reaching their first outcome at the same moment in a new database "
            "(bench/race_first_outcomes.py: bot.conversations in-process, eight threads behind a barrier): "
            + "; ".join(f"{kind}: {res['recorded']} of {res['n']} recorded"
                        + (" (" + ", ".join(f"{k} x{v}" for k, v in res["results"].items() if k != "outcome") + ")"
                           if res["recorded"] < res["n"] else "")
                        for kind, res in b.race.items()) + ".")
        add("")
    skipped = sum(row["check"]["skipped"] for row in checks) if checks else 0
    if skipped:
        add(f"Conversations skipped because a click was not acked: {skipped}.")
    add("")

    # 3. Growth
    if growth:
        add("## 3. Growth: per-click latency with stored history (SQLite, 1 worker)")
        add("")
        add("| records stored | fill (s) | 1 practitioner: ack p50 / p99 (ms) | next message p50 / p99 / max (ms) | /canishare → question p50 (ms) | 50 practitioners: ack p50 / p99 (ms) | next message p50 / p99 (ms) | clicks/s | Machine / Flow built, flow_for hits / misses | retention purge at start |")
        add("|---:|---:|---|---|---:|---|---|---:|---|---|")
        for g in growth:
            s1, s50 = g["solo"], g["loaded"]
            st = (s50.get("stats") or [{}])[0]
            ff = st.get("flow_for", {})
            add(f"| {g['size']:,} | {g['fill_s']:.0f} | {ms(s1['ack_p50'])} / {ms(s1['ack_p99'])} | "
                f"{ms(s1['feel_p50'])} / {ms(s1['feel_p99'])} / {ms(s1['feel_max'])} | "
                f"{ms(s1['start_feel_p50'])} | {ms(s50['ack_p50'])} / {ms(s50['ack_p99'])} | {ms(s50['feel_p50'])} / {ms(s50['feel_p99'])} | "
                f"{s50['rate']:.1f} | {st.get('machines', '?')} / {st.get('flows', '?')}, {ff.get('hits', '?')} / {ff.get('misses', '?')} | "
                f"{purge_short(s1.get('purge'))} |" + (" **other processes were busy**" if max(others(s1), others(s50)) > 0.3 else ""))
        add("")
        counts = getattr(b, "growth_counts", {})
        add("Rows at the end: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()) + ". Filled with SQLAlchemy core "
            "inserts of 10,000 rows, one transaction each (bench/growth.py; the filling connection only has a 1 GiB "
            "page cache and fsync off): per record its conversation and chain entry, an escalation "
            "(and entry) for seek-advice/urgent, an abandoned walk per ten records, spread over 2,000 practitioners "
            "whose ids the simulated practitioners use. Each size is served by a fresh process: first 1 "
            "practitioner (an unloaded click), then 50. The Machine/Flow column is read from the serving process "
            "after the 50-practitioner run (GET /_bench/stats, added by bench/variant_serve.py `stats`): "
            "transitions.Machine and Flow objects built since start, and conversation.flow.flow_for.cache_info(). "
            "The last column is what the bot's log says the retention purge it runs ~2 s after start deleted "
            "(— : it had not finished when that process was stopped).")
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
    add("| case | /healthz 200 after (s) | first signed /canishare (in the DM) answered after (s) | HTTP | that answer took (ms) | its question posted after (s) |")
    add("|---|---:|---:|---:|---:|---:|")
    for s in startup:
        acked = "—" if math.isnan(s["acked_at"]) else f"{s['acked_at']:.2f}"
        took = "—" if math.isnan(s["first_ack"]) else ms(s["first_ack"])
        q = "—" if math.isnan(s["question_at"]) else f"{s['question_at']:.2f}"
        add(f"| {s['label']} | {s['healthz']:.2f} | {acked} | {s['status'] or '—'} | {took} | {q} |")
    add("")
    add("Times from spawning the process (1 worker). gunicorn binds before its worker has loaded the app, so "
        "/healthz is polled every 5 ms and answers once the worker is ready. " + getattr(b, "import_note", ""))
    add("")
    if profile_path:
        add("## Where a click's time goes")
        add("")
        p = b.profile
        add(f"pyinstrument, the real app in one process on one thread (Bolt's executor replaced by an inline one, "
            f"the fake Slack in another process): {p.get('per_click_ms', float('nan')):.2f} ms of wall time per click, "
            f"{p.get('per_command_ms', float('nan')):.2f} ms per /canishare. Share of that time: "
            + ", ".join(f"{k} {v:.0%}" for k, v in (p.get("shares") or {}).items())
            + f". Full tree: {profile_path.relative_to(ROOT)}.")
        add("")
    add("## Findings: causes and proposed fixes")
    add("")
    for number, paragraph in enumerate(findings(b, growth, startup), 1):
        add(f"{number}. " + paragraph.replace("\n", "\n   "))
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
                await b.bot_run(key, "bot variant" if variant else "bot", "sqlite", variant=variant, delay_ms=100,
                                warmup=sw, measure=sm)
            for key, variant in THINKING:
                await b.bot_run(key, "bot variant" if variant else "bot", "sqlite", variant=variant, think=THINK,
                                delay_ms=100, warmup=d.warmup + 2, measure=d.measure)
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
    parser.add_argument("--only", default=None, help="comma-separated: startup,latency,throughput,growth,profile,digest")
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
