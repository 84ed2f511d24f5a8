"""Chaos benchmark for canishare (issue 13, item 5): black-box, from outside, as Slack would.

    bench/chaos                      # full run (~25 min on 2 cores); writes bench/chaos-results.md
    bench/chaos --quick              # ~10 kill trials, short faults, a smaller fuzz (~4 min)
    bench/chaos --only kill,faults,pg,fuzz --repo /work/wt-13 --trials 40 --parallel 3

It starts the real `canishare serve` of the checkout given by --repo (its .venv/bin/canishare)
against a fake Slack Web API it runs itself (bench/chaos_fake.py), sends signed Slack
requests over HTTP, and reads the outcome only from the fake's conversations and from
`canishare export --format jsonl`. Exit status 0 even when targets are missed: it measures.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .chaos_checks import TOLD, Found, analyse, escalation_done
from .chaos_fake import ChaosSlack, Fault, Hold, dm_of
from .chaos_fuzz import fuzz
from .chaos_people import ESCALATING, Practitioner, Sender, plan_answers
from .chaos_server import ADMINS, CHANNELS, TEAM_A, TEAM_B, Db, Server, config, pg_available

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
T0 = time.monotonic()


def log(msg: str) -> None:
    print(f"[{time.monotonic() - T0:7.1f}s] {msg}", flush=True)


@dataclass
class Trial:
    scenario: str
    label: str
    db: str
    found: Found | None = None
    error: str = ""
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)


class Ctx:
    def __init__(self, args: argparse.Namespace, workdir: Path):
        self.args = args
        self.repo = Path(args.repo).resolve()
        self.workdir = workdir
        self.sem = asyncio.Semaphore(args.parallel)
        self.seq = 0

    def trial_dir(self, name: str) -> Path:
        self.seq += 1
        d = self.workdir / f"{self.seq:03d}-{name}"
        d.mkdir(parents=True, exist_ok=True)
        return d


def make_people(prefix: str, n: int, rng: random.Random, escalate_share: float = 0.35,
                teams: tuple[str, ...] = ("team-a", "team-b"), early: bool = False) -> list[Practitioner]:
    people = []
    for i in range(n):
        team = teams[i % len(teams)]
        people.append(Practitioner(user=f"U0{prefix}{i:02d}", team=team, answers=plan_answers(rng, escalate_share, early),
                                   rng=random.Random(rng.random())))
    return people


def team_members(people: list[Practitioner]) -> tuple[list[str], list[str]]:
    return [p.user for p in people if p.team == "team-a"], [p.user for p in people if p.team == "team-b"]


async def settled_export(fake: ChaosSlack, server: Server, people: list[Practitioner], *, ref: float, lead_only: bool,
                         settle: float, window: float = 60.0) -> list[dict]:
    """The records once things have settled. Whoever's walk should escalate (by the flowchart)
    and has no ping yet is waited for, up to the ping deadline; then one export."""
    await asyncio.sleep(settle)
    waiting = [p for p in people if p.expected[1] in ESCALATING]
    while waiting:
        now = time.monotonic()
        waiting = [p for p in waiting
                   if not escalation_done(fake, p, lead_only, float("inf")) and now < max(ref, p.outcome_at or ref) + window]
        if waiting:
            await asyncio.sleep(0.5)
    return await server.export()


async def run_people(fake: ChaosSlack, people: list[Practitioner], sender_box: list, deadline_box: list,
                     stop: asyncio.Event) -> list[asyncio.Task]:
    return [asyncio.create_task(p.run(fake, lambda: sender_box[0], lambda: deadline_box[0], stop)) for p in people]


@dataclass
class Rig:
    """What one trial runs against: set `server`, `sender` and `tasks` as they are made."""

    fake: ChaosSlack
    db: Db
    workdir: Path
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task] = field(default_factory=list)
    server: Server | None = None
    sender: Sender | None = None


@asynccontextmanager
async def rig(ctx: Ctx, trial: Trial, dirname: str, kind: str):
    """A fresh fake Slack and database for one trial. An exception in the trial becomes its error
    (a failed trial is a figure too); however it ends, everything is stopped and dropped."""
    t_start = time.monotonic()
    workdir = ctx.trial_dir(dirname)
    fake = await ChaosSlack(client_timeout=ctx.args.slack_timeout, channels=CHANNELS, members=set(TEAM_A["leads"])).start()
    db = await asyncio.to_thread(Db.fresh, kind, workdir)
    r = Rig(fake, db, workdir)
    try:
        yield r
    except Exception as err:  # noqa: BLE001
        trial.error = f"{type(err).__name__}: {err}"
        trial.extra["trace"] = traceback.format_exc()[-1500:]
    finally:
        r.stop.set()
        for task in r.tasks:
            task.cancel()
        if r.sender:
            await r.sender.close()
        if r.server:
            await asyncio.to_thread(r.server.stop)  # blocking calls off the loop: the fakes live on it
        await fake.stop()
        await asyncio.to_thread(db.drop)
        trial.seconds = time.monotonic() - t_start


# --- scenario 1: kill -9 --------------------------------------------------------------------

async def kill_trial(ctx: Ctx, index: int, kind: str) -> Trial:
    args = ctx.args
    rng = random.Random(f"{args.seed}-kill-{index}")
    trial = Trial("kill", f"kill #{index}", kind)
    async with ctx.sem:
        async with rig(ctx, trial, f"kill-{kind}", kind) as r:
            fake, db, workdir, stop = r.fake, r.db, r.workdir, r.stop
            people = make_people(f"K{index:03d}", rng.randint(5, 10), rng)
            server = r.server = Server(ctx.repo, workdir, fake.url, db, config(*team_members(people)))
            trial.extra["start_s"] = round(await server.start(), 1)
            sender = r.sender = Sender(server.url)
            sender_box, deadline_box = [sender], [float("inf")]
            hold_mode = rng.random()
            if hold_mode < 0.6:
                fake.hold = Hold(nth=rng.randint(1, len(people) * 5), made=rng.random() < 0.5,
                                 match=lambda method, _a: method in ("chat.postMessage", "chat.update"))
            tasks = r.tasks = await run_people(fake, people, sender_box, deadline_box, stop)
            if fake.hold:
                try:
                    await asyncio.wait_for(fake.hold.held.wait(), 12)
                    await asyncio.sleep(rng.uniform(0.05, 1.0))
                    trial.extra["moment"] = f"holding {fake.hold.method} ({'made' if fake.hold.made else 'not made'})"
                except TimeoutError:
                    trial.extra["moment"] = "random (hold not reached)"
            else:
                # a random moment mid-walk: after a random number of the trial's clicks have been acked
                total = sum(len(p.expected[0]) for p in people)
                k = rng.randint(1, max(1, total - 1))
                until = time.monotonic() + 15
                while sum(len(p.acked()) for p in people) < k and time.monotonic() < until:
                    await asyncio.sleep(0.05)
                await asyncio.sleep(rng.uniform(0.0, 0.8))
                trial.extra["moment"] = "random"
            t_kill = time.monotonic()
            await asyncio.to_thread(server.kill9)
            if fake.hold:
                fake.hold.release.set()
            await asyncio.sleep(rng.uniform(0.2, 2.0))
            await server.start()
            restart = time.monotonic()
            deadline_box[0] = restart + args.stuck_after
            await asyncio.gather(*tasks)
            trial.extra["restart_s"] = round(restart - t_kill, 1)
            trial.extra["walks_done_s"] = round(time.monotonic() - restart, 1)
            records = await settled_export(fake, server, people, ref=restart, lead_only=True, settle=args.settle)
            trial.found = analyse(fake, people, records, ref=restart, lead_only=True)
            trial.found.c["kills"] += 1
            trial.found.c[f"kill moment: {trial.extra['moment']}"] += 1
    return trial


# --- scenario 2: Slack faults ---------------------------------------------------------------

LEAD_DMS = {dm_of(u) for t in (TEAM_A, TEAM_B) for u in t["leads"]} | {u for t in (TEAM_A, TEAM_B) for u in t["leads"]}


def _chan(a: dict) -> str:
    return dm_of(str(a.get("channel") or a.get("users") or ""))


FAULTS = {
    # name: (kind, error, matcher, people's teams, escalate share, scope in words)
    "429 Retry-After": ("http429", "", lambda m, a: m != "auth.test", ("team-a", "team-b"), 0.35, "every Web API call"),
    "HTTP 500": ("http500", "", lambda m, a: m != "auth.test", ("team-a", "team-b"), 0.35, "every Web API call"),
    "timeout, post not made": ("timeout_nopost", "", lambda m, a: m == "chat.postMessage", ("team-a", "team-b"), 0.35, "every chat.postMessage"),
    "timeout, post made": ("timeout_post", "", lambda m, a: m == "chat.postMessage", ("team-a", "team-b"), 0.35, "every chat.postMessage"),
    "not_in_channel": ("ok_false", "not_in_channel", lambda m, a: m == "chat.postMessage" and _chan(a) == "C0ESCA",
                       ("team-a",), 0.7, "posts to the escalation channel"),
    "channel_not_found": ("ok_false", "channel_not_found", lambda m, a: m == "chat.postMessage" and _chan(a) == "C0ESCA",
                          ("team-a",), 0.7, "posts to the escalation channel"),
    "account_inactive": ("ok_false", "account_inactive",
                         lambda m, a: m in ("chat.postMessage", "conversations.open") and _chan(a) in {dm_of(u) for u in LEAD_DMS},
                         ("team-b",), 0.7, "posts to the leads' DMs"),
    "rate_limited": ("ok_false", "rate_limited", lambda m, a: m == "chat.postMessage", ("team-a", "team-b"), 0.35,
                     "every chat.postMessage"),
}


async def fault_trial(ctx: Ctx, name: str, duration: float, kind: str, index: int) -> Trial:
    args = ctx.args
    rng = random.Random(f"{args.seed}-fault-{name}-{duration}-{index}")
    fkind, error, match, teams, share, scope = FAULTS[name]
    trial = Trial("faults", f"{name} {duration:.0f}s", kind, extra={"fault": name, "duration": duration, "scope": scope})
    async with ctx.sem:
        async with rig(ctx, trial, f"fault-{fkind}-{kind}", kind) as r:
            fake, db, workdir, stop = r.fake, r.db, r.workdir, r.stop
            # faults aimed at escalation targets: most walks escalate at question 1 or 2, inside the fault
            people = make_people(f"F{index:03d}", args.fault_people, rng, share, teams, early=fkind == "ok_false" and share > 0.5)
            server = r.server = Server(ctx.repo, workdir, fake.url, db, config(*team_members(people)))
            started_in = await server.start()
            sender = r.sender = Sender(server.url)
            now = time.monotonic()
            begin = now + rng.uniform(0.3, 1.5)
            end = begin + duration
            fake.faults.append(Fault(fkind, begin, end, match, error=error, retry_after=2))
            deadline_box = [end + 30.0]
            tasks = r.tasks = await run_people(fake, people, [sender], deadline_box, stop)
            await asyncio.gather(*tasks)
            left = end + max(args.tail, 60.0) - time.monotonic()
            if left > 0:  # late re-posts (e.g. from an outbox) show up here
                await asyncio.sleep(left)
            records = await server.export()
            trial.found = analyse(fake, people, records, ref=end, lead_only=False, fault_end=end)
            trial.extra["start_s"] = round(started_in, 1)
    return trial


# --- scenario 3: PostgreSQL connections terminated ------------------------------------------

async def pg_trial(ctx: Ctx, index: int) -> Trial:
    args = ctx.args
    rng = random.Random(f"{args.seed}-pg-{index}")
    trial = Trial("pg", f"pg #{index}", "postgresql")
    async with ctx.sem:
        async with rig(ctx, trial, "pg-terminate", "postgresql") as r:
            fake, db, workdir, stop = r.fake, r.db, r.workdir, r.stop
            people = make_people(f"G{index:03d}", rng.randint(6, 10), rng)
            server = r.server = Server(ctx.repo, workdir, fake.url, db, config(*team_members(people)))
            await server.start()
            sender = r.sender = Sender(server.url)
            deadline_box = [float("inf")]
            tasks = r.tasks = await run_people(fake, people, [sender], deadline_box, stop)
            end = time.monotonic() + args.pg_window
            terminated = rounds = 0
            await asyncio.sleep(rng.uniform(0.2, 0.8))
            while time.monotonic() < end:
                terminated += await asyncio.to_thread(db.terminate_backends)
                rounds += 1
                await asyncio.sleep(rng.uniform(0.2, 1.2))
            end = time.monotonic()
            deadline_box[0] = end + args.stuck_after
            await asyncio.gather(*tasks)
            records = await settled_export(fake, server, people, ref=end, lead_only=True, settle=args.settle)
            trial.found = analyse(fake, people, records, ref=end, lead_only=True)
            trial.found.c["connections terminated"] += terminated
            trial.found.c["termination rounds"] += rounds
    return trial


# --- scenario 4: fuzz -----------------------------------------------------------------------

async def fuzz_run(ctx: Ctx) -> Trial:
    args = ctx.args
    trial = Trial("fuzz", "fuzz", "sqlite")
    t_start = time.monotonic()
    workdir = ctx.trial_dir("fuzz")
    fake = await ChaosSlack(client_timeout=args.slack_timeout, channels=CHANNELS, members=set(TEAM_A["leads"])).start()
    db = await asyncio.to_thread(Db.fresh, "sqlite", workdir)
    server = None
    try:
        members = [f"U0Z{i:03d}" for i in range(20)]
        server = Server(ctx.repo, workdir, fake.url, db, config(members[:10], members[10:]))
        await server.start()
        found = Found()
        await fuzz(server, found, signed=args.fuzz_signed, unsigned=args.fuzz_unsigned, seed=args.seed, members=members,
                   concurrency=args.fuzz_concurrency)
        found.c["server alive after fuzz"] = int(server.proc is not None and server.proc.poll() is None)
        trial.found = found
    except Exception as err:  # noqa: BLE001
        trial.error = f"{type(err).__name__}: {err}"
        trial.extra["trace"] = traceback.format_exc()[-1500:]
    finally:
        if server:
            trial.extra["log_5xx_lines"] = sum(1 for line in server.log_tail(10**7).splitlines() if "Traceback" in line)
            await asyncio.to_thread(server.stop)
        await fake.stop()
        await asyncio.to_thread(db.drop)
        trial.seconds = time.monotonic() - t_start
    return trial


# --- running and reporting --------------------------------------------------------------------

def delays(trials: list[Trial]) -> str:
    ds = sorted(d for t in trials if t.found for d in t.found.ping_delays)
    if not ds:
        return "no pings"
    return f"median {ds[len(ds) // 2]:.1f} s, max {ds[-1]:.1f} s over {len(ds)} escalations"


def merge(trials: list[Trial]) -> tuple[Counter, Counter, Counter, Counter, list[str]]:
    c, stuck, dups, reached, notes = Counter(), Counter(), Counter(), Counter(), []
    for t in trials:
        if t.found:
            c.update(t.found.c)
            stuck.update(t.found.stuck_reasons)
            dups.update(t.found.dup_kinds)
            reached.update(t.found.reached_by)
            notes += [f"{t.label} ({t.db}): {n}" for n in t.found.notes]
        if t.error:
            c["trials failed to run"] += 1
            notes.append(f"{t.label} ({t.db}): TRIAL ERROR {t.error}")
    return c, stuck, dups, reached, notes


def fmt_counter(c: Counter) -> str:
    return ", ".join(f"{k}: {v}" for k, v in c.most_common()) or "none"


def report(ctx: Ctx, results: dict[str, list[Trial]], wall: float) -> tuple[str, list[str]]:
    lines: list[str] = []
    missed: list[str] = []
    args = ctx.args

    def target(ok: bool, what: str) -> str:
        if not ok:
            missed.append(what)
        return "met" if ok else "**MISSED**"

    if "kill" in results:
        trials = results["kill"]
        c, stuck, dups, _reached, notes = merge(trials)
        by_db = Counter(t.db for t in trials)
        lines += ["## 1. kill -9 at random moments", "",
                  f"{len(trials)} trials ({by_db['sqlite']} SQLite, {by_db['postgresql']} PostgreSQL), "
                  f"{c['practitioners']} practitioners (5-10 walking at once per trial), one SIGKILL of the server's process "
                  f"group per trial, then a restart; stuck = no outcome {args.stuck_after:.0f} s after the restart.", "",
                  "| figure | value | target |", "|---|---:|---|"]
        moments = {k.removeprefix("kill moment: "): v for k, v in c.items() if k.startswith("kill moment: ")}
        rows = [
            ("acknowledged clicks", c["clicks acked"], None),
            ("clicks not acknowledged (server down / >3 s)", c["clicks not acked"], None),
            ("lost decisions (acked click not in the record)", c["lost decisions"], 0),
            ("duplicated decisions (applied twice / two records)", c["duplicated decisions"], 0),
            ("messages visible twice", c["visible twice"], 0),
            ("stuck practitioners", c["stuck"], 0),
            ("escalating records", c["escalating records"], None),
            ("escalations whose lead/channel was not pinged within 60 s of the restart", c["escalations not pinged to lead/channel in time"], 0),
            ("records saying seek_advice/urgent with no escalation", c["escalating record without escalation"], 0),
            ("practitioners told their lead was told when no ping was delivered", c[TOLD], 0),
            ("trials that failed to run", c["trials failed to run"], 0),
        ]
        for name, value, goal in rows:
            lines.append(f"| {name} | {value} | {'' if goal is None else target(value <= goal, f'kill: {name} = {value}')} |")
        lines += ["", f"Kill moments: {fmt_counter(Counter(moments))}.",
                  f"Stuck, why: {fmt_counter(stuck)}.", f"Visible twice, what: {fmt_counter(dups)}.",
                  f"Identical messages without any key, repeated (not counted above): {c['identical unkeyed messages repeated']}.",
                  f"Outcome shown → first ping delivered: {delays(trials)}.", ""]
        results_notes = notes
        lines += _notes(results_notes)
    if "faults" in results:
        trials = results["faults"]
        lines += ["## 2. Slack faults", "",
                  f"{args.fault_people} practitioners per trial start walking; the fault begins 0.3-1.5 s later and lasts the "
                  f"stated time. Target: every practitioner has an outcome within 30 s of the fault's end, nothing visible twice, "
                  f"every escalation reaches someone (channel, lead, deputy or admin) within 60 s of the end, and nobody is told "
                  f"their lead was told when that did not happen. Watched for {args.tail:.0f} s after the end (late re-posts).", "",
                  "| fault | scope | s | db | calls hit | outcome ≤30 s after end | stuck | worst s after end | visible twice | esc. | esc. reached nobody | told falsely | verdict |",
                  "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        all_notes: list[str] = []
        for t in trials:
            if t.found is None:
                lines.append(f"| {t.extra.get('fault')} | {t.extra.get('scope')} | {t.extra.get('duration', 0):.0f} | {t.db} | | | | | | | | | **MISSED** (trial error) |")
                missed.append(f"faults: {t.label} failed to run: {t.error}")
                all_notes.append(f"{t.label}: TRIAL ERROR {t.error}")
                continue
            c = t.found.c
            worst = max(t.found.after_fault) if t.found.after_fault else float("nan")
            within = sum(1 for s in t.found.after_fault if s <= 30.0)
            ok = (within == c["practitioners"] and c["visible twice"] == 0
                  and c["escalations that reached nobody in time"] == 0 and c[TOLD] == 0)
            if not ok:
                missed.append(f"faults: {t.label} ({t.db}): {c['practitioners'] - within} of {c['practitioners']} without an outcome "
                              f"≤30 s after the end, {c['visible twice']} visible twice, {c['escalations that reached nobody in time']} "
                              f"escalations reached nobody, {c[TOLD]} told falsely")
            lines.append(f"| {t.extra['fault']} | {t.extra['scope']} | {t.extra['duration']:.0f} | {t.db} | {c['Web API calls faulted']} | "
                         f"{within}/{c['practitioners']} | {c['stuck']} | {worst:.1f} | {c['visible twice']} | {c['escalating records']} | "
                         f"{c['escalations that reached nobody in time']} | {c[TOLD]} | "
                         f"{'met' if ok else '**MISSED**'} |")
            all_notes += [f"{t.label} ({t.db}): {n}" for n in t.found.notes]
        c, stuck, dups, reached, _ = merge(trials)
        lines += ["", f"In all: {c['practitioners']} practitioners, {c['stuck']} stuck ({fmt_counter(stuck)}); visible twice: "
                  f"{fmt_counter(dups)}; escalations reached first via: {fmt_counter(reached)}; lost decisions {c['lost decisions']}, "
                  f"duplicated decisions {c['duplicated decisions']}; identical unkeyed messages repeated (not counted as visible "
                  f"twice): {c['identical unkeyed messages repeated']}; outcome shown → first ping delivered: {delays(trials)}.", ""]
        lines += _notes(all_notes)
    if "pg" in results:
        trials = results["pg"]
        c, stuck, dups, _r, notes = merge(trials)
        lines += ["## 3. PostgreSQL connections terminated mid-walk", "",
                  f"{len(trials)} trials; for {args.pg_window:.0f} s every 0.2-1.2 s a separate psycopg connection runs "
                  f"pg_terminate_backend on all of the server's connections to its database; stuck = no outcome "
                  f"{args.stuck_after:.0f} s after the last termination.", "",
                  "| figure | value | target |", "|---|---:|---|"]
        rows = [("connections terminated", c["connections terminated"], None),
                ("acknowledged clicks", c["clicks acked"], None),
                ("clicks not acknowledged", c["clicks not acked"], None),
                ("clicks answered 5xx", c["clicks answered 5xx"], None),
                ("lost decisions", c["lost decisions"], 0),
                ("duplicated decisions", c["duplicated decisions"], 0),
                ("messages visible twice", c["visible twice"], 0),
                ("stuck practitioners", c["stuck"], 0),
                ("escalations not pinged to lead/channel within 60 s", c["escalations not pinged to lead/channel in time"], 0),
                ("records saying seek_advice/urgent with no escalation", c["escalating record without escalation"], 0),
                ("trials that failed to run", c["trials failed to run"], 0)]
        for name, value, goal in rows:
            lines.append(f"| {name} | {value} | {'' if goal is None else target(value <= goal, f'pg: {name} = {value}')} |")
        lines += ["", f"Stuck, why: {fmt_counter(stuck)}. Visible twice: {fmt_counter(dups)}. "
                  f"Outcome shown → first ping delivered: {delays(trials)}.", ""]
        lines += _notes(notes)
    if "fuzz" in results:
        t = results["fuzz"][0]
        lines += ["## 4. Fuzz", ""]
        if t.found is None:
            lines.append(f"**MISSED**: the fuzz run failed: {t.error}")
            missed.append(f"fuzz failed to run: {t.error}")
        else:
            c = t.found.c
            lines += [f"{c['signed sent']} signed requests with random or mutated bodies and {c['unsigned sent']} unsigned or "
                      f"badly signed ones, over raw sockets (exact bytes), {args.fuzz_concurrency} at a time.", "",
                      "| figure | value | target |", "|---|---:|---|"]
            rows = [("signed: answered 5xx", c["signed 5xx"], 0),
                    ("signed: connection dropped / no answer", c["signed dropped"], 0),
                    ("unsigned: answered 5xx", c["unsigned 5xx"], 0),
                    ("unsigned: connection dropped / no answer", c["unsigned dropped"], 0),
                    ("unsigned: answered other than 401", c["unsigned not 401"], 0),
                    ("well-formed Slack events/payloads the app does not use, answered other than 200", c["unused events not 200"], 0),
                    ("server still alive afterwards (1 = yes)", c["server alive after fuzz"], None)]
            for name, value, goal in rows:
                ok = value <= goal if goal is not None else True
                lines.append(f"| {name} | {value} | {'' if goal is None else target(ok, f'fuzz: {name} = {value}')} |")
            if c["server alive after fuzz"] != 1:
                missed.append("fuzz: server died")
            lines += ["", "Signed, by status: " + fmt_counter(Counter({k.removeprefix("signed status "): v for k, v in c.items() if k.startswith("signed status ")})),
                      "", "Unsigned, by status: " + fmt_counter(Counter({k.removeprefix("unsigned status "): v for k, v in c.items() if k.startswith("unsigned status ")})),
                      "", "Unsigned cases answered other than 401: " + (", ".join(
                          f"{k.removeprefix('unsigned case ').removesuffix(': not 401')} {v}/{c[k.replace(': not 401', ': sent')]}"
                          for k, v in sorted(c.items()) if k.startswith("unsigned case ") and k.endswith(": not 401")) or "none") + ".",
                      ""]
            lines += _notes(t.found.notes)
    wrong = sum(merge(ts)[0]["wrong record (path/outcome)"] for n, ts in results.items() if n != "fuzz")
    recs = sum(merge(ts)[0]["reached an outcome"] for n, ts in results.items() if n != "fuzz")
    lines += ["## Other checks (not issue 13 targets)", "",
              f"- Records whose path or outcome differs from DESIGN.md's hmg-2008 flowchart for the answers clicked: "
              f"{wrong} of {recs} practitioners who reached an outcome (see the details above for which).", ""]
    return "\n".join(lines), missed


def _notes(notes: list[str], limit: int = 25) -> list[str]:
    if not notes:
        return []
    out = ["<details><summary>Details (" + str(len(notes)) + ")</summary>", ""]
    out += [f"- {n}" for n in notes[:limit]]
    if len(notes) > limit:
        out.append(f"- … and {len(notes) - limit} more")
    return out + ["", "</details>", ""]


def describe_repo(repo: Path) -> str:
    def git(*a: str) -> str:
        try:
            return subprocess.run(["git", "-C", str(repo), *a], capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return "?"

    dirty = " (with uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no") else ""
    return f"`{repo}` branch `{git('rev-parse', '--abbrev-ref', 'HEAD')}` commit `{git('rev-parse', 'HEAD')[:12]}`{dirty}"


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.node()}, {os.cpu_count()} cores ({cpu}), Linux {platform.release()}, Python {platform.python_version()}"


async def main_async(args: argparse.Namespace) -> int:
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    bad = set(only) - {"kill", "faults", "pg", "fuzz"}
    if bad:
        print(f"unknown scenario(s): {', '.join(sorted(bad))}", file=sys.stderr)
        return 2
    exe = Path(args.repo) / ".venv" / "bin" / "canishare"
    if not exe.exists():
        print(f"{exe} not found: set up that checkout's venv first (scripts/test -q tests/unit/test_flow.py)", file=sys.stderr)
        return 2
    have_pg = pg_available()
    if not have_pg:
        log("PostgreSQL not reachable: kill trials run on SQLite only, the pg scenario is skipped")
    workdir = Path(tempfile.mkdtemp(prefix="canishare-chaos-"))
    ctx = Ctx(args, workdir)
    log(f"measuring {describe_repo(Path(args.repo).resolve())}; work files in {workdir}")
    started = time.monotonic()
    results: dict[str, list[Trial]] = {}
    jobs: dict[str, list] = {}
    if "kill" in only:
        kinds = ["sqlite", "postgresql"] if have_pg else ["sqlite"]
        jobs["kill"] = [kill_trial(ctx, i, kinds[i % len(kinds)]) for i in range(args.trials)]
    if "faults" in only:
        durations = [float(d) for d in args.fault_durations.split(",")]
        kinds = ["sqlite", "postgresql"] if have_pg else ["sqlite"]
        fj, i = [], 0
        for d in durations:
            for name in FAULTS:
                if args.fault_kinds and not any(k.strip().lower() in name.lower() for k in args.fault_kinds.split(",")):
                    continue
                fj.append(fault_trial(ctx, name, d, kinds[i % len(kinds)], i))
                i += 1
        jobs["faults"] = fj
    if "pg" in only and have_pg:
        jobs["pg"] = [pg_trial(ctx, i) for i in range(args.pg_trials)]

    async def one(name: str, coro) -> Trial:
        t = await coro
        f = t.found.c if t.found else Counter()
        log(f"{name:6} {t.label:32} {t.db:10} {t.seconds:5.1f}s  " +
            (f"ERROR {t.error}" if t.error else
             f"people {f['practitioners']} acked {f['clicks acked']} stuck {f['stuck']} lost {f['lost decisions']} "
             f"dup {f['duplicated decisions']} twice {f['visible twice']} esc {f['escalating records']} "
             f"unpinged {f['escalations not pinged to lead/channel in time'] + f['escalations that reached nobody in time']} "
             f"no-esc {f['escalating record without escalation']} told-falsely {f[TOLD]} "
             + " ".join(f"{k}={v}" for k, v in t.extra.items() if k not in ("trace", "scope"))))
        return t

    # faults first (long, mostly waiting), then kills and pg interleaved, all under --parallel
    order = [(n, c) for n in ("faults", "kill", "pg") for c in jobs.get(n, [])]
    done = await asyncio.gather(*(one(n, c) for n, c in order))
    for (n, _c), t in zip(order, done):
        results.setdefault(n, []).append(t)
    if "fuzz" in only:
        t = await fuzz_run(ctx)
        c = t.found.c if t.found else Counter()
        log(f"fuzz   {t.seconds:5.1f}s  " + (f"ERROR {t.error}" if t.error else
            f"signed {c['signed sent']} (5xx {c['signed 5xx']}, dropped {c['signed dropped']}); unsigned {c['unsigned sent']} "
            f"(5xx {c['unsigned 5xx']}, not 401 {c['unsigned not 401']}, dropped {c['unsigned dropped']})"))
        results["fuzz"] = [t]
    wall = time.monotonic() - started
    body, missed = report(ctx, results, wall)
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    head = ["# Chaos benchmark results (issue 13, item 5)", "",
            f"- date: {now}", f"- machine: {machine()}", f"- measured: {describe_repo(Path(args.repo).resolve())}",
            f"- command: `bench/chaos {' '.join(sys.argv[1:])}`", f"- seed: {args.seed}; wall time {wall / 60:.1f} min; "
            f"{args.parallel} trials at a time", ""]
    verdict = ["## Verdict", ""]
    if missed:
        verdict += ["**FAIL** — targets missed:", ""] + [f"- MISSED: {m}" for m in missed] + [""]
    else:
        verdict += ["**PASS** — every target met.", ""]
    text = "\n".join(head + verdict) + "\n" + body + "\n"
    print()
    print(text)
    out = Path(args.output) if args.output else HERE / "chaos-results.md"
    if not args.no_write:
        out.write_text(text)
        log(f"wrote {out}")
    (workdir / "results.json").write_text(json.dumps({n: [{"label": t.label, "db": t.db, "error": t.error, "seconds": t.seconds,
                                                           "extra": {k: v for k, v in t.extra.items() if k != "trace"},
                                                           "counts": dict(t.found.c) if t.found else {},
                                                           "notes": t.found.notes if t.found else []}
                                                          for t in ts] for n, ts in results.items()}, indent=1))
    for m in missed:
        print(f"MISSED: {m}")
    print("OVERALL: " + ("FAIL" if missed else "PASS"))
    if not args.keep:
        import shutil
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench/chaos", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repo", default=str(ROOT), help="checkout whose .venv/bin/canishare is measured (default: this one)")
    p.add_argument("--quick", action="store_true", help="~10 kill trials, one short fault of each kind, small fuzz")
    p.add_argument("--only", default="kill,faults,pg,fuzz", help="scenarios: kill,faults,pg,fuzz")
    p.add_argument("--trials", type=int, default=None, help="kill -9 trials (default 100, quick 10)")
    p.add_argument("--fault-durations", default=None, help="seconds per fault, comma separated (default 6,40; quick 6)")
    p.add_argument("--fault-kinds", default="", help="only the faults whose names contain one of these (comma separated), "
                   "e.g. 429,timeout,not_in_channel")
    p.add_argument("--fault-people", type=int, default=8)
    p.add_argument("--pg-trials", type=int, default=None, help="default 6, quick 2")
    p.add_argument("--pg-window", type=float, default=12.0, help="seconds of terminations per pg trial")
    p.add_argument("--fuzz-signed", type=int, default=None, help="default 10000, quick 1000")
    p.add_argument("--fuzz-unsigned", type=int, default=None, help="default 1000, quick 200")
    p.add_argument("--fuzz-concurrency", type=int, default=8)
    p.add_argument("--parallel", type=int, default=None, help="trials at a time (default 5, quick 6; most of a trial is waiting)")
    p.add_argument("--stuck-after", type=float, default=30.0, help="seconds after the restart before a practitioner is stuck")
    p.add_argument("--tail", type=float, default=None, help="seconds to watch after a fault ends (default 65, at least 60)")
    p.add_argument("--settle", type=float, default=2.0)
    p.add_argument("--slack-timeout", type=float, default=10.0, help="the bot's WebClient timeout (the fake stalls 5 s past it)")
    p.add_argument("--seed", default="13")
    p.add_argument("--output", default=None, help="report file (default bench/chaos-results.md)")
    p.add_argument("--no-write", action="store_true", help="print only")
    p.add_argument("--keep", action="store_true", help="keep the work folder (server logs, results.json)")
    args = p.parse_args(argv)
    q = args.quick
    args.trials = args.trials if args.trials is not None else (10 if q else 100)
    args.fault_durations = args.fault_durations or ("6" if q else "6,40")
    args.pg_trials = args.pg_trials if args.pg_trials is not None else (2 if q else 6)
    args.fuzz_signed = args.fuzz_signed if args.fuzz_signed is not None else (1000 if q else 10000)
    args.fuzz_unsigned = args.fuzz_unsigned if args.fuzz_unsigned is not None else (200 if q else 1000)
    args.parallel = args.parallel or (6 if q else 5)
    args.tail = args.tail if args.tail is not None else (60.0 if q else 65.0)
    if q and args.pg_window == 12.0:
        args.pg_window = 8.0
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    async def run() -> int:
        import signal

        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):  # cancel, so every trial's finally stops its server
            loop.add_signal_handler(sig, task.cancel)
        return await main_async(args)

    try:
        return asyncio.run(run())
    except asyncio.CancelledError:
        print("interrupted; servers stopped and databases dropped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
