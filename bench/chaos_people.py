"""Simulated people for the chaos benchmark: practitioners who walk the `hmg-2008` flowchart
in their DM by clicking the buttons the bot really posted (as the fake Slack shows them now),
and who, like people, click again when nothing happens.

Also: signed Slack requests over HTTP, and reading messages (which question, which outcome,
which escalation ping) from their buttons and text.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import random
import re
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

import aiohttp

from .chaos_fake import WORKSPACE, ChaosSlack, Msg, dm_of

SIGNING_SECRET = "chaos-signing-secret-0123456789abcdef"

# hmg-2008 as DESIGN.md states it: node -> {answer: next node or outcome}
GRAPH = {
    "danger": {"yes": "urgent", "no": "purpose", "not_sure": "urgent"},
    "purpose": {"yes": "identifiable", "no": "do_not_share", "not_sure": "seek_advice"},
    "identifiable": {"yes": "confidential", "no": "share", "not_sure": "seek_advice"},
    "confidential": {"yes": "consent", "no": "share", "not_sure": "seek_advice"},
    "consent": {"yes": "share", "no": "legal_duty", "not_sure": "seek_advice"},
    "legal_duty": {"yes": "share_without_consent", "no": "significant_harm", "not_sure": "seek_advice"},
    "significant_harm": {"yes": "share_without_consent", "no": "serious_crime", "not_sure": "seek_advice"},
    "serious_crime": {"yes": "share_without_consent", "no": "do_not_share", "not_sure": "seek_advice"},
}
ESCALATING = {"seek_advice", "urgent"}
CLAIMS_TOLD = re.compile(r"(ha(ve|s) been (told|pinged|notified|alerted|sent))|(I'?ve (told|pinged|notified|alerted|let))|"
                         r"(I (told|pinged|notified|alerted))|(\b(told|pinged|notified|alerted) (your|the) (safeguarding )?lead)",
                         re.I)


def expected(answers: dict[str, str]) -> tuple[list[tuple[str, str]], str]:
    node, path = "danger", []
    while node in GRAPH:
        a = answers[node]
        path.append((node, a))
        node = GRAPH[node][a]
    return path, node


def plan_answers(rng: random.Random, escalate_share: float = 0.35, early: bool = False) -> dict[str, str]:
    """One practitioner's answer at every node (fixed, so a re-click is the same click).
    About `escalate_share` of walks end in seek_advice / urgent (Not sure somewhere on the
    walk, or Yes / Not sure at danger); with `early`, at one of the first two questions."""
    answers = {node: ("no" if node == "danger" else rng.choice(["yes", "no"])) for node in GRAPH}
    if rng.random() < escalate_share:
        path, _ = expected(answers)
        node = rng.choice([n for n, _a in path][:2] if early else [n for n, _a in path])
        answers[node] = "yes" if node == "danger" and rng.random() < 0.5 else "not_sure"
    return answers


# --- reading messages ---------------------------------------------------------------------

def elements(blocks: list) -> list[dict]:
    out = []
    for b in blocks or []:
        if not isinstance(b, dict):
            continue
        for e in (b.get("elements") or []) + ([b["accessory"]] if isinstance(b.get("accessory"), dict) else []):
            if isinstance(e, dict):
                out.append({**e, "_block_id": b.get("block_id", "")})
    return out


def button(msg: Msg, action_id: str) -> dict | None:
    for e in elements(msg.blocks):
        if e.get("action_id") == action_id:
            return e
    return None


def question_of(msg: Msg) -> tuple[str, str] | None:
    """(conversation id, node) of a question message that still has its answer buttons."""
    e = button(msg, "answer_yes")
    if e and isinstance(e.get("value"), str) and ":" in e["value"]:
        conv, _, node = e["value"].partition(":")
        return conv, node
    return None


def outcome_of(msg: Msg) -> str | None:
    """The conversation id of an outcome message (its Record button)."""
    e = button(msg, "record_open")
    return e.get("value") if e else None


def first_question_key(msg: Msg) -> tuple | None:
    """What a message *was* when first posted: a question (conv, node) or an outcome (conv);
    read from its first version, since a clicked question is rewritten to "You answered"."""
    text, blocks = (msg.history[0] if msg.history else (msg.text, msg.blocks))
    probe = Msg(msg.channel, msg.ts, text, blocks, msg.metadata, msg.at)
    q = question_of(probe)
    if q:
        return ("question", *q)
    o = outcome_of(probe)
    if o:
        return ("outcome", o)
    claim = button(probe, "esc_claim")
    if claim:
        return ("ping", claim.get("value"), _who_line(blocks))
    return None


def _who_line(blocks: list) -> str:
    for b in blocks or []:
        if isinstance(b, dict) and b.get("block_id") == "who":
            return json.dumps(b.get("text"), sort_keys=True)
    return ""


def message_text(msg: Msg) -> str:
    return (msg.text or "") + " " + json.dumps(msg.blocks)


def is_ping_for(msg: Msg, user: str) -> bool:
    """A message to someone else that asks for safeguarding advice for `user` (mentions them)."""
    return f"<@{user}>" in message_text(msg)


# --- signed requests --------------------------------------------------------------------------

def sign(body: bytes, ts: str | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    ts = ts or str(int(time.time()))
    sig = "v0=" + hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}


def command_body(user: str, in_dm: bool) -> bytes:
    channel, name = (dm_of(user), "directmessage") if in_dm else ("C0GENERAL", "general")
    return urlencode({
        "token": "legacy", "team_id": WORKSPACE, "team_domain": "chaos", "channel_id": channel, "channel_name": name,
        "user_id": user, "user_name": user.lower(), "command": "/canishare", "text": "", "api_app_id": "A0APP",
        "is_enterprise_install": "false", "response_url": "https://hooks.slack.com/commands/T0CHAOS/1/x",
        "trigger_id": f"{int(time.time())}.1.{uuid.uuid4().hex[:16]}",
    }).encode()


def dm_event_body(user: str, text: str) -> bytes:
    ts = f"{time.time():.6f}"
    return json.dumps({
        "token": "legacy", "team_id": WORKSPACE, "api_app_id": "A0APP", "type": "event_callback",
        "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}", "event_time": int(time.time()),
        "event": {"type": "message", "channel_type": "im", "channel": dm_of(user), "user": user, "text": text, "ts": ts,
                  "event_ts": ts, "team": WORKSPACE,
                  "blocks": [{"type": "rich_text", "block_id": "b1", "elements": [
                      {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}]}]},
        "authorizations": [{"enterprise_id": None, "team_id": WORKSPACE, "user_id": "U0BOT", "is_bot": True}],
        "is_ext_shared_channel": False, "event_context": "4-chaos",
    }).encode()


def click_body(user: str, msg: Msg, element: dict) -> bytes:
    payload = {
        "type": "block_actions", "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": WORKSPACE},
        "api_app_id": "A0APP", "token": "legacy", "team": {"id": WORKSPACE, "domain": "chaos"}, "enterprise": None,
        "is_enterprise_install": False,
        "container": {"type": "message", "message_ts": msg.ts, "channel_id": msg.channel, "is_ephemeral": False},
        "trigger_id": f"{int(time.time())}.1.{uuid.uuid4().hex[:16]}", "channel": {"id": msg.channel, "name": "directmessage"},
        "message": {"type": "message", "user": "U0BOT", "bot_id": "B0BOT", "ts": msg.ts, "text": msg.text,
                    "blocks": msg.blocks, **({"metadata": msg.metadata} if msg.metadata else {})},
        "state": {"values": {}}, "response_url": "https://hooks.slack.com/actions/T0CHAOS/1/x",
        "actions": [{"action_id": element["action_id"], "block_id": element.get("_block_id", ""), "type": "button",
                     "value": element.get("value", ""), "text": element.get("text"), "action_ts": f"{time.time():.6f}"}],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


class Sender:
    """HTTP to the bot's Request URL, with Slack's 3-second patience."""

    def __init__(self, base_url: str, timeout: float = 3.0):
        self.base_url = base_url
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout),
                                             connector=aiohttp.TCPConnector(limit=0, force_close=True))
        self.statuses: dict[str, int] = {}

    async def post(self, body: bytes, content_type: str) -> int:
        headers = {"Content-Type": content_type, **sign(body)}
        try:
            async with self.session.post(self.base_url + "/slack/events", data=body, headers=headers) as resp:
                await resp.read()
                status = resp.status
        except (TimeoutError, aiohttp.ClientError, OSError):
            status = 0
        key = str(status) if status else "no answer"
        self.statuses[key] = self.statuses.get(key, 0) + 1
        return status

    async def close(self) -> None:
        await self.session.close()


# --- a practitioner ---------------------------------------------------------------------------

@dataclass
class Click:
    conv: str
    node: str
    answer: str
    sent_at: float
    status: int


@dataclass
class Practitioner:
    user: str
    team: str
    answers: dict[str, str]
    rng: random.Random
    think: tuple[float, float] = (0.2, 1.2)
    patience: float = 5.0       # seconds to wait for something new before clicking again
    clicks: list[Click] = field(default_factory=list)
    starts: int = 0
    outcome_conv: str | None = None
    outcome_at: float | None = None
    stuck_reason: str = ""
    trail: list = field(default_factory=list)
    already_notes: int = 0

    @property
    def expected(self) -> tuple[list[tuple[str, str]], str]:
        return expected(self.answers)

    def acked(self, conv: str | None = None) -> list[Click]:
        return [c for c in self.clicks if c.status == 200 and (conv is None or c.conv == conv)]

    def _look(self, fake: ChaosSlack, dm: str) -> tuple[Msg | None, bool]:
        """The latest message the practitioner sees, and whether it shows the outcome (noted)."""
        visible = fake.visible(dm)
        latest = visible[-1] if visible else None
        if latest is not None and outcome_of(latest):
            self.outcome_conv = outcome_of(latest)
            self.outcome_at = latest.at
            return latest, True
        return latest, False

    async def run(self, fake: ChaosSlack, sender_of, deadline_of, stop: asyncio.Event) -> None:
        """Walk until an outcome is visible, the deadline passes or `stop` is set.
        `sender_of()` gives the current Sender (the server may have been restarted);
        `deadline_of()` the current give-up time (monotonic)."""
        dm = dm_of(self.user)
        last_click_key: tuple | None = None
        last_click_at = 0.0
        last_start_at = -1e9
        version = fake.version
        while not stop.is_set() and time.monotonic() < deadline_of():
            latest, done = self._look(fake, dm)
            if done:
                return
            q = question_of(latest) if latest is not None else None
            now = time.monotonic()
            if latest is None:
                # Nothing yet: ask (again, if the last try brought nothing for a while)
                if now - last_start_at > self.patience + 3:
                    last_start_at = now
                    self.starts += 1
                    if self.starts > 1 or self.rng.random() < 0.3:
                        body, ctype = dm_event_body(self.user, "can I share this?"), "application/json"
                    else:
                        body, ctype = command_body(self.user, in_dm=self.rng.random() < 0.5), "application/x-www-form-urlencoded"
                    status = await sender_of().post(body, ctype)
                    if status != 200:
                        last_start_at = now - self.patience  # not taken: try again soon
                        await asyncio.sleep(1.0)
                        continue
            elif q is not None:
                conv, node = q
                key = (latest.ts, node)
                if key != last_click_key or now - last_click_at > self.patience:
                    if key != last_click_key:
                        await asyncio.sleep(self.rng.uniform(*self.think))
                        if stop.is_set():
                            return
                        refreshed = fake.visible(dm)
                        if not refreshed or refreshed[-1].ts != latest.ts:
                            continue  # something new arrived while thinking
                        latest = refreshed[-1]
                        if question_of(latest) != q:
                            continue
                    answer = self.answers.get(node)
                    if answer is None:  # a node this bench does not know: nothing sensible to click
                        self.stuck_reason = f"unknown node {node}"
                        return
                    element = button(latest, f"answer_{answer}")
                    if element is None:
                        self.stuck_reason = "no such button"
                        return
                    last_click_key, last_click_at = key, time.monotonic()
                    t0 = time.monotonic()
                    status = await sender_of().post(click_body(self.user, latest, element), "application/x-www-form-urlencoded")
                    self.clicks.append(Click(conv, node, answer, t0, status))
                    if status != 200:  # "this app did not respond": click again shortly
                        last_click_at = time.monotonic() - self.patience + self.rng.uniform(1.0, 2.0)
            version = await fake.wait_change(version, 0.5)
        latest, done = self._look(fake, dm)
        if done:
            return
        # What the stuck person last saw, for the report (texts are the bot's own, never typed).
        self.trail = [f"{m.ts} {'upd ' if m.updated_at else ''}{'Q ' if question_of(m) else ''}{m.text[:60]!r}"
                      for m in fake.visible(dm)[-4:]] + [f"(+{len(fake.messages(dm)) - len(fake.visible(dm))} ephemeral)"]
        if latest is None:
            self.stuck_reason = "never got a first question"
        elif question_of(latest):
            notes = [m for m in fake.messages(dm) if m.ephemeral_for == self.user and "already" in m.text.lower()]
            self.already_notes = len(notes)
            self.stuck_reason = "re-clicks answered 'already answered'" if notes else "question left unanswered by the bot"
        else:
            self.stuck_reason = "last message has no buttons (next step never sent)"
