"""Simulated practitioners (closed loop, aiohttp) and the floor's clickers.

A practitioner sends a signed /canishare (typed in a channel, as the e2e tests do), waits for the question the bot posts to the fake
Slack, and clicks one of its answer buttons (the payload carries the real message, as Slack's
does); it then waits for the next question or the outcome and clicks again at once (no think
time: the heaviest load that many people can make), or after a think time if one is given. Every `double_every`-th click is sent
twice at the same moment (a double click); only one of the two may advance the walk.
"""
from __future__ import annotations

import asyncio
import os
import random
import resource
import time
from dataclasses import dataclass, field

import aiohttp

from .common import click_body, command_body, pct, signed_headers
from .fakeslack import WORKSPACE, FakeSlack

# (answers in order) -> outcome: the walks of tests/e2e/test_walks.py
WALKS = [
    ["yes"],                                          # urgent (opens an escalation)
    ["no", "yes", "no"],                              # share
    ["no", "yes", "yes", "yes", "yes"],               # share
    ["no", "yes", "yes", "yes", "no", "no", "yes"],   # share without consent
    ["no", "no"],                                     # do not share
    ["no", "not_sure"],                               # seek advice (opens an escalation)
]
# Long walks are drawn more often, so most requests are clicks rather than starts.
WALK_WEIGHTS = [1, 2, 2, 4, 2, 1]


@dataclass
class ConvStat:
    acked: int = 0      # distinct clicks acknowledged with 200: each must advance the walk once
    extra: int = 0      # the second click of a double click (must not advance it)
    failed: int = 0     # clicks not acknowledged (timeout / non-200): the walk was left there


@dataclass
class Window:
    start: float
    end: float

    def inside(self, t: float) -> bool:
        return self.start <= t < self.end


@dataclass
class LoadResult:
    clicks: list[float] = field(default_factory=list)        # ack latency of each click (s)
    feel: list[float] = field(default_factory=list)          # click sent -> next question/outcome received by the fake Slack
    commands: list[float] = field(default_factory=list)      # ack latency of /canishare
    start_feel: list[float] = field(default_factory=list)    # command sent -> first question posted
    completed: int = 0        # clicks whose follow-up arrived inside the window
    acked_in_window: int = 0  # clicks acked inside the window
    non200: int = 0
    timeouts: int = 0
    lost_followups: int = 0   # acked clicks whose next message never came (10 s)
    doubles: int = 0
    outcomes: int = 0
    walks: int = 0
    seconds: float = 0.0
    lag: list[float] = field(default_factory=list)            # load generator event-loop lag
    client_errors: dict[str, int] = field(default_factory=dict)  # requests that got no HTTP response
    refused: dict[str, int] = field(default_factory=dict)        # requests not answered 200, by kind
    cpu: dict = field(default_factory=dict)
    convs: dict[str, ConvStat] = field(default_factory=dict)
    trace: list[tuple[str, str, float, float]] = field(default_factory=list)  # (user, clicked ts, sent, next received)

    @property
    def rate(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0

    def summary(self) -> dict:
        return {
            "clicks": len(self.clicks), "ack_p50": pct(self.clicks, 50), "ack_p99": pct(self.clicks, 99),
            "ack_max": max(self.clicks) if self.clicks else float("nan"),
            "ack_p90": pct(self.clicks, 90), "feel_p50": pct(self.feel, 50), "feel_p90": pct(self.feel, 90),
            "feel_p99": pct(self.feel, 99),
            "cmd_p50": pct(self.commands, 50), "cmd_p99": pct(self.commands, 99),
            "rate": self.rate, "non200": self.non200, "timeouts": self.timeouts, "lost": self.lost_followups,
            "feel_max": max(self.feel) if self.feel else float("nan"),
            "lag_p99": pct(self.lag, 99), "cpu": self.cpu, "client_errors": self.client_errors, "refused": self.refused,
        }


def _cpu_snapshot(pgid: int | None) -> tuple[float, float, float, float, dict[int, float]]:
    """(server process-group CPU s, this process CPU s, machine busy jiffies, machine total
    jiffies, {postgres pid: CPU s})."""
    server = 0.0
    postgres: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                head, rest = f.read().rsplit(")", 1)
            parts = rest.split()
            cpu = (int(parts[11]) + int(parts[12])) / tick
            if pgid and int(parts[2]) == pgid:  # field 5 (pgrp)
                server += cpu
            elif head.endswith("(postgres"):
                postgres[int(pid)] = cpu
        except (OSError, IndexError, ValueError):
            continue
    ru = resource.getrusage(resource.RUSAGE_SELF)
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return server, ru.ru_utime + ru.ru_stime, sum(fields) - idle, sum(fields), postgres


def _cpu_delta(a: tuple, b: tuple, seconds: float) -> dict:
    total = (b[3] - a[3]) or 1
    pg = sum(cpu - a[4].get(pid, 0.0) for pid, cpu in b[4].items())
    return {"server_cores": (b[0] - a[0]) / seconds, "loadgen_cores": (b[1] - a[1]) / seconds,
            "postgres_cores": pg / seconds, "machine_busy": (b[2] - a[2]) / total}


class Clicker:
    """HTTP to the server under test: one aiohttp session, keep-alive connections."""

    def __init__(self, base_url: str, timeout: float = 10.0):
        self.url = base_url.rstrip("/") + "/slack/events"
        # Idle connections are dropped after 1.5 s, before gunicorn's 2 s keep-alive closes them
        # from its side (reusing one just as the server closes it would fail the request).
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, keepalive_timeout=1.5),
                                             timeout=aiohttp.ClientTimeout(total=timeout))
        self.errors: dict[str, int] = {}

    async def post(self, body: bytes) -> tuple[int, float]:
        t0 = time.perf_counter()
        try:
            async with self.session.post(self.url, data=body, headers=signed_headers(body)) as resp:
                await resp.read()
                return resp.status, time.perf_counter() - t0
        except (TimeoutError, aiohttp.ClientError) as err:
            name = type(err).__name__
            self.errors[name] = self.errors.get(name, 0) + 1
            return 0, time.perf_counter() - t0

    async def close(self) -> None:
        await self.session.close()


def _answer_value(message: dict, action_id: str) -> str | None:
    for block in message.get("blocks") or []:
        for element in block.get("elements") or []:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return element.get("value")
    return None


def _is_outcome(message: dict) -> bool:
    return _answer_value(message, "record_open") is not None


async def _next_message(q: asyncio.Queue, after_node: str | None, timeout: float) -> dict | None:
    """The next question (on another node than `after_node`) or outcome posted to this DM."""
    deadline = time.perf_counter() + timeout
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            return None
        try:
            message = await asyncio.wait_for(q.get(), left)
        except TimeoutError:
            return None
        if _is_outcome(message):
            return message
        value = _answer_value(message, "answer_yes")
        if value and value.split(":", 1)[1] != after_node:
            return message


async def _lag_probe(out: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        t0 = time.perf_counter()
        await asyncio.sleep(0.01)
        out.append(time.perf_counter() - t0 - 0.01)


async def walk_load(base_url: str, fake: FakeSlack, *, practitioners: int = 50, warmup: float = 3.0,
                    measure: float = 15.0, double_every: int = 20, seed: int = 1, user_prefix: str = "U0P",
                    server_pgid: int | None = None, think: tuple[float, float] | None = None,
                    trace: bool = False) -> LoadResult:
    # (double clicks are off in traced runs: the twin's "Already answered" note is not the click's path)
    """Practitioners walking conversations through the real bot, for warmup + measure seconds;
    with `think` = (lo, hi) each waits a uniform lo..hi seconds before every request."""
    result = LoadResult()
    clicker = Clicker(base_url)
    stop = asyncio.Event()
    t_begin = time.perf_counter()
    window = Window(t_begin + warmup, t_begin + warmup + measure)
    counter = {"clicks": 0}

    async def practitioner(i: int) -> None:
        user = f"{user_prefix}{i:05d}"
        q = fake.queue(user)
        rng = random.Random(seed * 100_003 + i)
        while not stop.is_set():
            while not q.empty():
                q.get_nowait()
            answers = rng.choices(WALKS, WALK_WEIGHTS)[0]
            if think:
                await asyncio.sleep(rng.uniform(*think))
                if stop.is_set():
                    break
            t0 = time.perf_counter()
            status, took = await clicker.post(command_body(user, WORKSPACE, in_dm=False))
            if window.inside(t0):
                result.commands.append(took)
            if status != 200:
                key = f"/canishare HTTP {status or 'no response'}"
                result.refused[key] = result.refused.get(key, 0) + 1
                await asyncio.sleep(0.2)
                continue
            message = await _next_message(q, None, 10.0)
            if message is None:
                result.lost_followups += 1
                continue
            if window.inside(t0):
                result.start_feel.append(time.perf_counter() - t0)
            result.walks += 1
            for answer in answers:
                if think:
                    await asyncio.sleep(rng.uniform(*think))
                if stop.is_set():
                    break
                value = _answer_value(message, f"answer_{answer}")
                if value is None:
                    break
                conversation_id, node = value.split(":", 1)
                stat = result.convs.setdefault(conversation_id, ConvStat())
                body = click_body(user, WORKSPACE, message, f"answer_{answer}", value)
                counter["clicks"] += 1
                double = double_every and not trace and counter["clicks"] % double_every == 0
                t_send = time.perf_counter()
                if double:
                    (s1, l1), (s2, l2) = await asyncio.gather(clicker.post(body), clicker.post(body))
                    result.doubles += 1
                    measured = [l1, l2]
                    status = 200 if 200 in (s1, s2) else (s1 or s2)
                    if s1 == 200 and s2 == 200:
                        stat.extra += 1
                    elif (s1 == 200) != (s2 == 200):
                        stat.failed += 1  # one of the pair was lost: can't say which advanced
                else:
                    status, took = await clicker.post(body)
                    measured = [took]
                t_ack = time.perf_counter()
                if window.inside(t_send):
                    result.clicks.extend(measured)
                if window.inside(t_ack):
                    result.acked_in_window += 1
                if status != 200:
                    stat.failed += 1
                    result.non200 += status != 0
                    result.timeouts += status == 0
                    key = f"click HTTP {status or 'no response'}"
                    result.refused[key] = result.refused.get(key, 0) + 1
                    break
                stat.acked += 1
                nxt = await _next_message(q, node, 10.0)
                if nxt is None:
                    result.lost_followups += 1
                    break
                t_next = nxt.get("received") or time.perf_counter()  # when the fake Slack got the post
                if window.inside(t_send):
                    result.feel.append(t_next - t_send)
                    if trace:
                        result.trace.append((user, message["ts"], t_send, t_next))
                if window.inside(t_next):
                    result.completed += 1
                message = nxt
                if _is_outcome(nxt):
                    result.outcomes += 1
                    break

    lag_stop = asyncio.Event()
    lag_task = asyncio.create_task(_lag_probe(result.lag, lag_stop))
    tasks = [asyncio.create_task(practitioner(i)) for i in range(practitioners)]
    await asyncio.sleep(max(0.0, window.start - time.perf_counter()))
    cpu0 = _cpu_snapshot(server_pgid)
    await asyncio.sleep(max(0.0, window.end - time.perf_counter()))
    cpu1 = _cpu_snapshot(server_pgid)
    stop.set()
    await asyncio.wait(tasks, timeout=30)
    lag_stop.set()
    await lag_task
    result.client_errors = clicker.errors
    await clicker.close()
    result.seconds = measure
    result.cpu = _cpu_delta(cpu0, cpu1, measure)
    return result


def sample_question_message() -> dict:
    """A real question message as the bot renders it (for the floor's payloads)."""
    from bot import blocks as B
    from conversation.flow import flow_for

    flow = flow_for("hmg-2008")
    node = flow.pack.nodes[flow.pack.start]
    blocks = B.to_dicts(B.question_blocks("f" * 32, node, 1, can_go_back=False))
    return {"channel": "D0FLOOR", "ts": "1700000000.000100", "text": B.question_text(node, 1), "blocks": blocks}


async def floor_load(base_url: str, *, clickers: int = 50, warmup: float = 2.0, measure: float = 10.0,
                     rate: float | None = None, server_pgid: int | None = None, fake: FakeSlack | None = None) -> LoadResult:
    """`clickers` concurrent clickers sending block_actions; at `rate` clicks/s in all if given
    (each clicker on its own schedule, never more than one click in flight), else flat out.
    With `fake`, each clicker also waits for the one message the floor posts to its DM before
    clicking again (click sent -> that post received by the fake Slack: `feel`)."""
    result = LoadResult()
    clicker = Clicker(base_url)
    stop = asyncio.Event()
    t_begin = time.perf_counter()
    window = Window(t_begin + warmup, t_begin + warmup + measure)
    message = sample_question_message()

    async def one(i: int) -> None:
        user = f"U0F{i:05d}"
        q = fake.queue(user) if fake is not None else None
        interval = clickers / rate if rate else 0.0
        next_at = time.perf_counter() + random.Random(i).uniform(0, interval)
        while not stop.is_set():
            if interval:
                delay = next_at - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                next_at = max(next_at + interval, time.perf_counter())
            body = click_body(user, WORKSPACE, message, "answer_no", "f" * 32 + ":danger")
            t0 = time.perf_counter()
            status, took = await clicker.post(body)
            if window.inside(t0):
                result.clicks.append(took)
            if window.inside(t0 + took):
                result.completed += 1
            if status != 200:
                result.non200 += status != 0
                result.timeouts += status == 0
                continue
            if q is not None:
                try:
                    posted = await asyncio.wait_for(q.get(), 10.0)
                except TimeoutError:
                    result.lost_followups += 1
                    continue
                if window.inside(t0):
                    result.feel.append(posted["received"] - t0)

    lag_stop = asyncio.Event()
    lag_task = asyncio.create_task(_lag_probe(result.lag, lag_stop))
    tasks = [asyncio.create_task(one(i)) for i in range(clickers)]
    await asyncio.sleep(max(0.0, window.start - time.perf_counter()))
    cpu0 = _cpu_snapshot(server_pgid)
    await asyncio.sleep(max(0.0, window.end - time.perf_counter()))
    cpu1 = _cpu_snapshot(server_pgid)
    stop.set()
    await asyncio.wait(tasks, timeout=30)
    lag_stop.set()
    await lag_task
    result.client_errors = clicker.errors
    await clicker.close()
    result.seconds = measure
    result.cpu = _cpu_delta(cpu0, cpu1, measure)
    return result


def call_order(calls: list[tuple[float, str, str, str]], trace: list[tuple[str, str, float, float]]) -> dict:
    """From the fake Slack's call log: for each traced click, the Web API calls the bot made
    between the click and its next question's chat.postMessage arriving (none, with one round
    trip per click), and whether the rewrite of the clicked message came after that post."""
    before: dict[str, int] = {}
    clicks_with_calls_before = rewrite_after = rewrite_before = 0
    for user, clicked_ts, t_send, t_post in trace:
        dm = "D" + user[1:]
        mine = [c for c in calls if t_send <= c[0] < t_post + 5.0 and (c[2] in (user, dm) or not c[2])]
        # Another message in the DM (an earlier outcome's "your lead has it") or the rewrite of
        # another message is not a round trip this click waits on; anything else is.
        pre = [c for c in mine if c[0] < t_post and c[1] != "chat.postMessage"
               and not (c[1] == "chat.update" and c[3] != clicked_ts)]
        if pre:
            clicks_with_calls_before += 1
        for c in pre:
            before[c[1]] = before.get(c[1], 0) + 1
        own = [c for c in mine if c[1] == "chat.update" and c[3] == clicked_ts]
        if own:
            rewrite_after += own[0][0] >= t_post
            rewrite_before += own[0][0] < t_post
    return {"clicks": len(trace), "with_calls_before_post": clicks_with_calls_before, "calls_before_post": before,
            "rewrite_after_post": rewrite_after, "rewrite_before_post": rewrite_before}
