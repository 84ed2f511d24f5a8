"""Many workspaces on one deployment, under load: N workspaces install canishare through the OAuth
flow (against the fake Slack), then their practitioners walk at once through the real server.

    .venv/bin/python -m bench.workspaces                # 1, 5 and 20 workspaces, SQLite and PostgreSQL
    .venv/bin/python -m bench.workspaces --quick        # short windows
    bench/run --only workspaces                         # the same, from the main bench

Each row: a fresh database, `canishare serve` in multi-workspace mode (SLACK_CLIENT_ID set, no
SLACK_BOT_TOKEN), N workspaces installed, then the same number of practitioners in all (spread
evenly over the workspaces, so the rows differ only in how many tenants share the load), each
walking closed-loop (bench/loadgen.py's walks, no think time), for a warm-up and a measured
window. The single-workspace row is the same load on a SLACK_BOT_TOKEN deployment, for
comparison. Measured: clicks per second (follow-ups received inside the window), click ->
next question p50/p99 (the click sent -> the bot's next message reaching the fake Slack),
and the ack's p99.

Checked, after each row (never timed):
- the fake Slack's log: every message and rewrite went to a person or channel of the workspace
  whose bot token it carried (a post to workspace B with A's token is a leak);
- each tenant's own export (`canishare export --workspace T`): every record's practitioner is
  a pseudonym of one of that workspace's practitioners under that workspace's key (computed here
  from the plan's definition), the count matches the outcomes its practitioners reached, and
  `canishare verify --workspace T` says the chain is intact.
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import html
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import aiohttp
from aiohttp import web

from .common import (BENCH, PSEUDONYM_KEY, Proc, click_body, command_body, exe, free_port, fresh_pg,
                     fresh_sqlite, ms, pct, pg_available, server_env)
from .fakeslack import FakeSlack
from .loadgen import WALK_WEIGHTS, WALKS, Clicker, _answer_value, _is_outcome, _next_message
from .measure import machine_busy, server_problems, wait_healthy

CLIENT_ID = "1111111111.2222222222"
CLIENT_SECRET = "bench-client-secret-not-a-secret"
TOKEN_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"canishare bench token key").digest()).decode()
KEEP = "<!-- written by hand below: kept when bench.workspaces rewrites the table above -->"
SINGLE_TEAM = "T0BENCH"  # bench/fakeslack.py's workspace, for the single-workspace row


def log(msg: str) -> None:
    print(f"[bench.workspaces {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


@dataclass
class Tenant:
    index: int
    tag: str = ""  # every id of the workspace carries it: users "U<tag>…", DMs "D<tag>…"
    team_id: str = ""
    name: str = ""
    bot_token: str = ""
    code: str = ""

    def __post_init__(self) -> None:
        self.tag = self.tag or f"W{self.index:02d}"
        self.team_id = self.team_id or f"T0{self.tag}BENCH"
        self.name = self.name or f"Bench Council {self.index:02d}"
        self.bot_token = self.bot_token or f"xoxb-{self.tag.lower()}-{os.urandom(6).hex()}"
        self.code = self.code or f"code-{self.tag.lower()}-{os.urandom(4).hex()}"

    def user(self, n: int) -> str:
        return f"U{self.tag}P{n:04d}"

    @property
    def installer(self) -> str:
        return f"U{self.tag}ADMIN"

    def pseudonym(self, user: str, multi: bool = True) -> str:
        key = (hmac.new(PSEUDONYM_KEY.encode(), f"canishare tenant {self.team_id}".encode(), hashlib.sha256).hexdigest()
               if multi else PSEUDONYM_KEY)
        return hmac.new(key.encode(), user.encode(), hashlib.sha256).hexdigest()


class TenantFakeSlack(FakeSlack):
    """bench/fakeslack.py's fake with several workspaces: oauth.v2.access hands out each one's bot
    token, auth.test answers for the token it is given, and every post and rewrite is noted with
    the token it came with and the workspace it went to (the leak check)."""

    def __init__(self, delay_ms: float = 0.0):
        super().__init__(delay_ms)
        self.tenants: list[Tenant] = []
        self.by_token: dict[str, Tenant] = {}
        self.by_tag: dict[str, Tenant] = {}
        self.delivered: Counter[tuple[str, str]] = Counter()  # (token's tag, target's tag) -> posts and rewrites
        self.foreign_tokens = 0

    def add(self, tenant: Tenant) -> None:
        self.tenants.append(tenant)
        self.by_token[tenant.bot_token] = tenant
        self.by_tag[tenant.tag] = tenant

    def reset(self) -> None:
        super().reset()
        self.tenants.clear()
        self.by_token.clear()
        self.by_tag.clear()
        self.delivered.clear()
        self.foreign_tokens = 0

    def leaks(self) -> int:
        """Posts and rewrites to a person or channel of one workspace with another's token (a
        target of no workspace, such as the channel a command was typed in, is not counted)."""
        return sum(n for (src, dst), n in self.delivered.items() if dst != "?" and src != dst) + self.foreign_tokens

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else ""
        if method == "oauth.v2.access":
            args = await self._args(request)
            tenant = next((t for t in self.tenants if t.code == args.get("code")), None)
            if tenant is None:
                return web.json_response({"ok": False, "error": "invalid_code"})
            return web.json_response({
                "ok": True, "app_id": "A0APP", "authed_user": {"id": tenant.installer}, "scope": "chat:write,commands",
                "token_type": "bot", "access_token": tenant.bot_token, "bot_user_id": f"U{tenant.tag}BOT",
                "team": {"id": tenant.team_id, "name": tenant.name}, "enterprise": None, "is_enterprise_install": False})
        tenant = self.by_token.get(token)
        if self.tenants and token and tenant is None and method != "auth.test":
            self.foreign_tokens += 1
        if tenant is not None and method == "auth.test":
            self.counts[method] += 1
            return web.json_response({"ok": True, "team_id": tenant.team_id, "team": tenant.name, "user_id": f"U{tenant.tag}BOT",
                                      "bot_id": f"B{tenant.tag}BOT", "url": f"https://{tenant.tag.lower()}.slack.test/",
                                      "is_enterprise_install": False})
        if tenant is not None and method in ("users.info", "conversations.info"):
            args = await self._args(request)
            self.counts[method] += 1
            if method == "users.info":
                owner = self.by_tag.get(str(args.get("user"))[1:4], tenant)
                return web.json_response({"ok": True, "user": {"id": args.get("user"), "team_id": owner.team_id, "deleted": False}})
            return web.json_response({"ok": True, "channel": {"id": args.get("channel"), "is_member": True, "is_shared": False,
                                                              "is_ext_shared": False}})
        if tenant is not None and method in ("chat.postMessage", "chat.update", "chat.postEphemeral", "views.publish"):
            args = await self._args(request)
            target = str(args.get("channel") or args.get("user_id") or args.get("user") or "")
            owner = self.by_tag.get(target[1:4])
            self.delivered[(tenant.tag, owner.tag if owner else "?")] += 1
        return await super()._handle(request)


# --- the server ---------------------------------------------------------------------------------

def multi_env(workdir: Path, slack_url: str, db_url: str) -> dict[str, str]:
    env = server_env(workdir, slack_url, db_url)  # its canishare.yml gives only a new workspace's policy (hmg-2008: the walks')
    env.pop("SLACK_BOT_TOKEN", None)
    env.update({"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET, "CANISHARE_TOKEN_KEY": TOKEN_KEY})
    return env


def server(workdir: Path, slack_url: str, db_url: str, multi: bool, workers: int, threads: int) -> Proc:
    port = free_port()
    env = multi_env(workdir, slack_url, db_url) if multi else server_env(workdir, slack_url, db_url)
    return Proc([exe("canishare"), "serve", "--port", str(port), "--workers", str(workers), "--threads", str(threads)],
                env, workdir, port)


async def install(session: aiohttp.ClientSession, base: str, tenant: Tenant) -> None:
    """The OAuth flow a workspace admin's browser goes through: /slack/install (state cookie,
    then Slack's consent page), and Slack sending the browser back with a code."""
    async with session.get(base + "/slack/install", allow_redirects=False) as resp:
        body = await resp.text()
        if resp.status == 302:
            url = resp.headers["Location"]
        else:
            found = re.search(r'href="([^"]*oauth/v2/authorize[^"]*)"', body)
            if resp.status != 200 or not found:
                raise RuntimeError(f"/slack/install answered {resp.status}")
            url = html.unescape(found.group(1))
        cookie = next(c.split(";", 1)[0] for c in resp.headers.getall("Set-Cookie", []) if c.startswith("slack-app-oauth-state="))
    state = parse_qs(urlparse(url).query)["state"][0]
    back = base + "/slack/oauth_redirect?" + urlencode({"code": tenant.code, "state": state})
    async with session.get(back, headers={"Cookie": cookie}, allow_redirects=False) as resp:
        await resp.read()
        if resp.status != 200:
            raise RuntimeError(f"the OAuth callback for {tenant.team_id} answered {resp.status}")


# --- the load -----------------------------------------------------------------------------------

@dataclass
class TenantLoad:
    clicks: int = 0          # follow-ups received inside the window
    feel: list[float] = field(default_factory=list)
    outcomes: int = 0        # outcomes reached, all run long (each must be one record in its export)
    practitioners: set[str] = field(default_factory=set)


@dataclass
class Load:
    feel: list[float] = field(default_factory=list)
    acks: list[float] = field(default_factory=list)
    completed: int = 0
    lost: int = 0
    refused: Counter = field(default_factory=Counter)
    per_tenant: dict[str, TenantLoad] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0


async def walk(base: str, fake: TenantFakeSlack, people: list[tuple[Tenant, str]], warmup: float, measure: float,
               seed: int = 1) -> Load:
    """Closed-loop practitioners (as bench/loadgen.walk_load, each in its own workspace)."""
    load = Load(seconds=measure)
    clicker = Clicker(base)
    stop = asyncio.Event()
    t0 = time.perf_counter()
    start, end = t0 + warmup, t0 + warmup + measure

    async def practitioner(i: int, tenant: Tenant, user: str) -> None:
        mine = load.per_tenant.setdefault(tenant.team_id, TenantLoad())
        mine.practitioners.add(user)
        q = fake.queue(user)
        rng = random.Random(seed * 100_003 + i)
        while not stop.is_set():
            while not q.empty():
                q.get_nowait()
            answers = rng.choices(WALKS, WALK_WEIGHTS)[0]
            status, _took = await clicker.post(command_body(user, tenant.team_id, in_dm=False))
            if status != 200:
                load.refused[f"/canishare HTTP {status or 'no response'}"] += 1
                await asyncio.sleep(0.2)
                continue
            message = await _next_message(q, None, 10.0)
            if message is None:
                load.lost += 1
                continue
            for answer in answers:
                if stop.is_set():
                    break
                value = _answer_value(message, f"answer_{answer}")
                if value is None:
                    break
                node = value.split(":", 1)[1]
                sent = time.perf_counter()
                status, took = await clicker.post(click_body(user, tenant.team_id, message, f"answer_{answer}", value))
                if start <= sent < end:
                    load.acks.append(took)
                if status != 200:
                    load.refused[f"click HTTP {status or 'no response'}"] += 1
                    break
                nxt = await _next_message(q, node, 10.0)
                if nxt is None:
                    load.lost += 1
                    break
                got = nxt.get("received") or time.perf_counter()
                if start <= sent < end:
                    load.feel.append(got - sent)
                if start <= got < end:
                    load.completed += 1
                    mine.clicks += 1
                    if start <= sent:
                        mine.feel.append(got - sent)
                message = nxt
                if _is_outcome(nxt):
                    mine.outcomes += 1
                    break

    tasks = [asyncio.create_task(practitioner(i, t, u)) for i, (t, u) in enumerate(people)]
    await asyncio.sleep(max(0.0, end - time.perf_counter()))
    stop.set()
    await asyncio.wait(tasks, timeout=30)
    await clicker.close()
    return load


# --- after the load: each tenant's own export ---------------------------------------------------

def cli(proc: Proc, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([exe("canishare"), *args], env=proc.env, cwd=proc.workdir, capture_output=True, text=True,
                          timeout=300, check=False)


def check_exports(proc: Proc, tenants: list[Tenant], load: Load, multi: bool) -> dict[str, Any]:
    """Per tenant: its export holds only its own practitioners' pseudonyms, as many records as
    outcomes they reached, and its chain verifies."""
    foreign = mismatched = broken = 0
    records = 0
    problems: list[str] = []
    everyone = {t.pseudonym(u, multi): t.team_id for t in tenants for u in load.per_tenant.get(t.team_id, TenantLoad()).practitioners}
    for tenant in tenants:
        where = ("--workspace", tenant.team_id) if multi else ()
        out = cli(proc, "export", "--format", "jsonl", *where)
        if out.returncode != 0:
            problems.append(f"export {tenant.team_id}: exit {out.returncode}: {out.stderr.strip()[-200:]}")
            broken += 1
            continue
        rows = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
        records += len(rows)
        for row in rows:
            if everyone.get(row["practitioner"]) != tenant.team_id:
                foreign += 1
        expected = load.per_tenant.get(tenant.team_id, TenantLoad()).outcomes
        if len(rows) != expected:
            mismatched += 1
            problems.append(f"{tenant.team_id}: {len(rows)} records, {expected} outcomes reached")
        verify = cli(proc, "verify", *where)
        if verify.returncode != 0 or "chain intact" not in verify.stdout:
            broken += 1
            problems.append(f"verify {tenant.team_id}: {verify.stdout.strip()[-200:]} {verify.stderr.strip()[-200:]}")
    return {"records": records, "foreign_records": foreign, "count_mismatches": mismatched, "broken": broken,
            "problems": problems[:5]}


# --- one row --------------------------------------------------------------------------------------

async def row(fake: TenantFakeSlack, work: Path, kind: str, workspaces: int, practitioners: int, warmup: float,
              measure: float, multi: bool = True, workers: int = 1, threads: int = 8) -> dict[str, Any]:
    fake.reset()
    tenants = [Tenant(i) for i in range(workspaces)] if multi else [Tenant(0, tag="0BE", team_id=SINGLE_TEAM, name="Bench")]
    if multi:
        for tenant in tenants:
            fake.add(tenant)
    db = fresh_pg() if kind == "postgresql" else fresh_sqlite(work)
    key = f"{'multi' if multi else 'single'}-{kind}-{workspaces}"
    proc = server(work / key, fake.url, db.url, multi, workers, threads).start()
    try:
        await wait_healthy(proc)
        t_install = time.perf_counter()
        if multi:
            async with aiohttp.ClientSession() as session:
                for tenant in tenants:
                    await install(session, proc.url, tenant)
        install_s = time.perf_counter() - t_install
        # Practitioners dealt round-robin: each workspace gets practitioners // workspaces (or one more).
        people = [(tenants[i % len(tenants)], tenants[i % len(tenants)].user(i // len(tenants))) for i in range(practitioners)]
        log(f"{key}: {workspaces} workspace(s) installed in {install_s:.1f} s; {practitioners} practitioners, "
            f"{warmup:g}+{measure:g} s")
        load = await walk(proc.url, fake, people, warmup, measure)
        leaks = fake.leaks() if multi else 0
        check = await asyncio.to_thread(check_exports, proc, tenants, load, multi)
    finally:
        proc.stop()
        db.drop()
    per = [load.per_tenant[t.team_id].clicks / measure for t in tenants if t.team_id in load.per_tenant]
    result = {"key": key, "db": kind, "mode": "multi" if multi else "single", "workspaces": workspaces,
              "practitioners": practitioners, "rate": load.rate, "feel_p50": pct(load.feel, 50), "feel_p99": pct(load.feel, 99),
              "ack_p99": pct(load.acks, 99), "clicks": len(load.feel), "per_tenant_min": min(per) if per else 0.0,
              "per_tenant_max": max(per) if per else 0.0, "lost": load.lost, "refused": dict(load.refused),
              "leaks": leaks, "delivered": sum(fake.delivered.values()), "auth_tests": fake.counts["auth.test"],
              "requests": sum(fake.counts.values()),
              "leak_pairs": {f"{a}->{b}": n for (a, b), n in fake.delivered.items() if a != b}, "install_s": install_s, **check,
              "problems_log": server_problems(proc.log()), "loadavg": os.getloadavg()[0]}
    log(f"{key}: {result['rate']:.1f} clicks/s, next question p50 {ms(result['feel_p50'])} p99 {ms(result['feel_p99'])} ms, "
        f"leaks {leaks}, foreign records {check['foreign_records']}, count mismatches {check['count_mismatches']}")
    return result


# --- the report -------------------------------------------------------------------------------------

def report(rows: list[dict[str, Any]], started: datetime, elapsed: float, busy: float, args: argparse.Namespace) -> str:
    out = [f"# Benchmark: many workspaces on one deployment (issue 20)", "",
           f"Run {started:%Y-%m-%d %H:%M} UTC by `python -m bench.workspaces{' --quick' if args.quick else ''}` in "
           f"{elapsed / 60:.1f} min on {os.cpu_count()} cores (machine {busy:.0%} busy before it started; other work "
           f"shares these cores, so read the numbers relative to each other). `canishare serve` with "
           f"{args.workers} worker(s) x {args.threads} threads; the fake Slack answers at once; {args.practitioners} "
           f"practitioners in all, spread evenly over the workspaces, walking without think time for "
           f"{args.warmup:g} s warm-up + {args.measure:g} s measured.", "",
           "| mode | database | workspaces | clicks/s | per workspace (min-max) | click -> next question p50 / p99 (ms) | ack p99 (ms) | auth.test calls | lost | leaks (fake Slack) | records checked | foreign records | count mismatches |",
           "|---|---|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r['mode']} | {r['db']} | {r['workspaces']} | {r['rate']:.1f} | {r['per_tenant_min']:.1f}-{r['per_tenant_max']:.1f} "
                   f"| {ms(r['feel_p50'])} / {ms(r['feel_p99'])} | {ms(r['ack_p99'])} | {r['auth_tests']} | {r['lost']} | {r['leaks']} | {r['records']} "
                   f"| {r['foreign_records']} | {r['count_mismatches']} |")
    out += ["", "Columns: *clicks/s*, follow-ups (next question or outcome) that reached the fake Slack inside the "
            "window; *per workspace*, the same for each workspace alone; *auth.test calls*, Web API calls the bot made to "
            "auth.test during the row (in multi-workspace mode Bolt's authorization asks Slack once per request unless "
            "its result is cached); *click -> next question*, the click sent to "
            "the bot's next message arriving at the fake Slack; *leaks*, posts or rewrites that went to a person of one "
            "workspace with another workspace's bot token (or with a token no workspace was given), counted by the fake "
            "Slack over the whole row; *records checked*, the records in the workspaces' own exports "
            "(`canishare export --workspace T`), each checked to carry a pseudonym of one of that workspace's "
            "practitioners under that workspace's key (*foreign records* otherwise), their number against the outcomes "
            "that workspace's practitioners reached (*count mismatches*), and `canishare verify --workspace T`."]
    problems = [(r["key"], r["problems"], r["refused"], r["problems_log"]) for r in rows if r["problems"] or r["refused"] or r["problems_log"]]
    if problems:
        out += ["", "Problems seen:"]
        for key, found, refused, logged in problems:
            out.append(f"- {key}: {'; '.join(found) or ''} {refused or ''} {dict(list(logged.items())[:3]) or ''}".rstrip())
    return "\n".join(out)


async def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    work = Path(tempfile.mkdtemp(prefix="canishare-bench-ws-"))
    fake = await TenantFakeSlack().start()
    rows = []
    kinds = [k for k in args.db.split(",") if k != "postgresql" or pg_available()]
    try:
        for kind in kinds:
            rows.append(await row(fake, work, kind, 1, args.practitioners, args.warmup, args.measure, multi=False,
                                  workers=args.workers, threads=args.threads))
            for n in args.sizes:
                rows.append(await row(fake, work, kind, n, args.practitioners, args.warmup, args.measure,
                                      workers=args.workers, threads=args.threads))
    finally:
        await fake.stop()
    (work / "rows.json").write_text(json.dumps(rows, default=str, indent=1))
    log(f"numbers: {work / 'rows.json'}")
    return rows


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="short windows (2+4 s)")
    p.add_argument("--sizes", default="1,5,20", help="numbers of workspaces, comma-separated")
    p.add_argument("--practitioners", type=int, default=20, help="practitioners in all, spread over the workspaces")
    p.add_argument("--warmup", type=float, default=3.0)
    p.add_argument("--measure", type=float, default=10.0)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--db", default="sqlite,postgresql", help="databases, comma-separated (PostgreSQL: BENCH_PG_URL)")
    p.add_argument("--out", default=str(BENCH / "results-20.md"))
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.quick:
        args.warmup, args.measure = 2.0, 4.0
    args.sizes = [int(x) for x in str(args.sizes).split(",")] if isinstance(args.sizes, str) else args.sizes
    started = datetime.now(UTC)
    busy = machine_busy(1.0)
    t0 = time.perf_counter()
    rows = asyncio.run(run(args))
    text = report(rows, started, time.perf_counter() - t0, busy, args)
    out = Path(args.out)
    # What was written by hand below the marker (further runs, the reading) survives a re-run.
    kept = out.read_text().split(KEEP, 1)[1] if out.exists() and KEEP in out.read_text() else ""
    out.write_text(text + "\n" + (f"\n{KEEP}{kept}" if kept else ""))
    print(text)
    bad = [r["key"] for r in rows if r["leaks"] or r["foreign_records"] or r["broken"]]
    if bad:
        log(f"ISOLATION FAILED in {', '.join(bad)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
