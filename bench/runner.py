"""Running the benchmark's loads: the servers, the fake Slack, each row's numbers (`Bench`)."""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from .common import BENCH, ROOT, FreshDb, Proc, bot_server, command_body, floor_server, fresh_pg, fresh_sqlite, ms, pct, pg_available, server_env, signed_headers
from .fakeslack import WORKSPACE, FakeSlack
from .loadgen import call_order, floor_load, walk_load
from .measure import machine_jiffies, check_db, server_problems, wait_healthy


PRACTITIONERS = 50
THINK = (1.0, 3.0)  # seconds a practitioner reads before clicking, in the "with think time" rows
BEFORE = "pbr=0,pool=5"  # Bolt's defaults, as build_app had them before the ack/lazy split
# Configuration experiments, each on SQLite with 1 worker (bench/variant_serve.py says what each does).
VARIANTS = (("var-before", BEFORE), ("var-pool5", "pbr=1,pool=5"), ("var-pool16", "pbr=1,pool=16"))
SLACK100 = (("slack100-default", None), ("slack100-before", BEFORE), ("slack100-pool5", "pbr=1,pool=5"),
            ("slack100-pool16", "pbr=1,pool=16"))
THINKING = (("think-default", None), ("think-before", BEFORE))
TRIP_THINK = (0.15, 0.35)  # seconds the one practitioner of the "trip-*-think" rows reads before each click
TRIP_THINK_MEASURE = 30.0  # about 120 clicks at that pace
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
                      db: FreshDb | None = None, keep_db: bool = False, think: tuple[float, float] | None = None,
                      trace: bool = False) -> dict:
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
            if trace:
                self.fake.calls = []
            result = await walk_load(proc.url, self.fake, practitioners=practitioners, warmup=warmup, measure=measure,
                                     server_pgid=proc.proc.pid if proc.proc else None, user_prefix=self._prefix(key),
                                     think=think, trace=trace)
            stats = await self._stats(proc) if variant and "stats" in variant else None
        finally:
            proc.stop()
            self.fake.delay = 0.0
        text = proc.log()
        problems = server_problems(text)
        purge = re.findall(r"retention purge: (.*)$", text, re.MULTILINE)
        row = {"label": label, "db": db_kind, "workers": workers, "threads": threads, "variant": variant or "",
               "practitioners": practitioners, "loadavg": os.getloadavg()[0],
               "delay_ms": delay_ms, "think": think, **result.summary(), "start_feel_p50": pct(result.start_feel, 50),
               "walks": result.walks, "outcomes": result.outcomes, "doubles": result.doubles, "stats": stats,
               "problems": problems, "purge": purge[-1] if purge else None}
        if trace:
            row["order"] = call_order(self.fake.calls or [], result.trace)
            self.fake.calls = None
            log(f"{label}: Web API calls before the next question's post: {row['order']}")
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
                        workers: int = 1, threads: int = 8, delay_ms: float = 0.0, clickers: int = PRACTITIONERS,
                        measure: float | None = None) -> dict:
        assert self.fake is not None
        self.fake.reset()
        self.fake.delay = delay_ms / 1000
        proc = floor_server(self.work / key, self.fake.url, workers, threads, before_response).start()
        try:
            await wait_healthy(proc)
            log(f"{label}: {clickers} clickers" + (f" at {rate:.0f} clicks/s" if rate else " flat out")
                + (f", Slack answering in {delay_ms:g} ms" if delay_ms else ""))
            result = await floor_load(proc.url, clickers=clickers, warmup=self.d.short_warmup,
                                      measure=self.d.short_measure if measure is None else measure, rate=rate, server_pgid=proc.proc.pid if proc.proc else None,
                                      fake=self.fake)
        finally:
            proc.stop()
            self.fake.delay = 0.0
        row = {"label": label, "db": "-", "workers": workers, "threads": threads, "variant": "floor", "delay_ms": delay_ms,
               **result.summary(), "paced": rate, "before_response": before_response, "practitioners": clickers,
               "loadavg": os.getloadavg()[0]}
        self.rows[key] = row
        log(f"{label}: ack p50 {ms(row['ack_p50'])} p99 {ms(row['ack_p99'])} ms, post p50 {ms(row['feel_p50'])} "
            f"p99 {ms(row['feel_p99'])} ms at {row['rate']:.0f}/s")
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
        self.digest_cpu0 = (machine_jiffies(), resource.getrusage(resource.RUSAGE_CHILDREN))
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
        busy1, total1 = machine_jiffies()
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
