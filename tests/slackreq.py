"""Signed requests as Slack sends them: slash commands, events, block actions, view submissions."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from tests.fakeslack import WORKSPACE

SIGNING_SECRET = "test-signing-secret-0123456789"


def sign(body: bytes, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    base = b"v0:" + ts.encode() + b":" + body
    digest = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": digest}


@dataclass
class Reply:
    status: int
    body: str

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def post(url: str, body: bytes, content_type: str, headers: dict[str, str] | None = None, timeout: float = 10) -> Reply:
    req = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type, **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return Reply(resp.status, resp.read().decode())
    except urllib.error.HTTPError as err:
        return Reply(err.code, err.read().decode())


class SlackSender:
    """Sends what Slack would send to the bot's Request URL."""

    def __init__(self, base_url: str, secret: str = SIGNING_SECRET, workspace: str = WORKSPACE):
        self.url = base_url.rstrip("/") + "/slack/events"
        self.secret = secret
        self.workspace = workspace

    def send_form(self, fields: dict[str, str], headers: dict[str, str] | None = None, signed: bool = True) -> Reply:
        body = urlencode(fields).encode()
        h = sign(body, self.secret) if signed else {}
        return post(self.url, body, "application/x-www-form-urlencoded", {**h, **(headers or {})})

    def send_json(self, payload: dict[str, Any], headers: dict[str, str] | None = None) -> Reply:
        body = json.dumps(payload).encode()
        return post(self.url, body, "application/json", {**sign(body, self.secret), **(headers or {})})

    # --- shapes -----------------------------------------------------------------------------
    def command(self, user: str, text: str = "", channel: str = "C0GENERAL", team: str | None = None) -> Reply:
        return self.send_form({
            "token": "legacy", "team_id": team or self.workspace, "team_domain": "test", "channel_id": channel,
            "channel_name": "general", "user_id": user, "user_name": "someone", "command": "/canishare", "text": text,
            "api_app_id": "A0APP", "response_url": "http://127.0.0.1:9/hooks", "trigger_id": f"trig-{uuid.uuid4().hex[:8]}",
        })

    def event(self, event: dict[str, Any], event_id: str | None = None, headers: dict[str, str] | None = None,
              team: str | None = None) -> Reply:
        return self.send_json({
            "token": "legacy", "team_id": team or self.workspace, "api_app_id": "A0APP", "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}", "event_time": int(time.time()), "event": event,
            "authorizations": [{"team_id": team or self.workspace, "user_id": "U0BOT", "is_bot": True}],
        }, headers)

    def dm(self, user: str, text: str, ts: str | None = None, **kw: Any) -> Reply:
        ts = ts or f"{time.time():.6f}"
        return self.event({"type": "message", "channel_type": "im", "channel": "D" + user[1:], "user": user, "text": text,
                           "ts": ts, "event_ts": ts}, **kw)

    def action(self, user: str, message: dict[str, Any], action_id: str, value: str | None = None,
               selected: str | None = None, team: str | None = None) -> Reply:
        """Click a button (or pick an option) on a message the bot posted (as recorded by the fake)."""
        try:
            element = find_element(message.get("blocks") or [], action_id)
        except AssertionError:
            if value is None and selected is None:
                raise
            element = {}  # a forged click: an action id with a value of the sender's choosing
        action: dict[str, Any] = {"action_id": action_id, "block_id": element.get("_block_id", ""), "type": element.get("type", "button"),
                                  "action_ts": f"{time.time():.6f}"}
        if selected is not None:
            action["selected_option"] = {"value": selected, "text": {"type": "plain_text", "text": selected}}
        else:
            action["value"] = value if value is not None else element.get("value", "")
        channel = message["channel"]
        payload = {
            "type": "block_actions", "user": {"id": user, "username": "someone", "team_id": team or self.workspace},
            "api_app_id": "A0APP", "token": "legacy", "team": {"id": team or self.workspace, "domain": "test"},
            "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel, "is_ephemeral": False},
            "trigger_id": f"trig-{uuid.uuid4().hex[:8]}", "channel": {"id": channel, "name": "directmessage"},
            "message": {"type": "message", "ts": message["ts"], "text": message.get("text", ""), "blocks": message.get("blocks")},
            "response_url": "http://127.0.0.1:9/hooks", "actions": [action],
        }
        return self.send_form({"payload": json.dumps(payload)})

    def submit_view(self, user: str, view: dict[str, Any], values: dict[str, Any], team: str | None = None) -> Reply:
        """`values`: block id -> text (a text input) or id / list of ids (a select or multi-select,
        as the view's element for that block says)."""
        types = {b.get("block_id"): (b.get("element") or {}).get("type") for b in view.get("blocks", []) if isinstance(b, dict)}

        def element_state(block_id: str, value: Any) -> dict[str, Any]:
            kind = types.get(block_id)
            chosen = value if isinstance(value, list) else [value]
            if kind == "multi_static_select" or (kind is None and isinstance(value, list)):
                return {"type": "multi_static_select", "selected_options": [{"value": v} for v in chosen]}
            if kind == "static_select":
                return {"type": "static_select", "selected_option": {"value": chosen[0]} if chosen else None}
            return {"type": "plain_text_input", "value": value}

        state = {block_id: {"value": element_state(block_id, v)} for block_id, v in values.items()}
        payload = {
            "type": "view_submission", "team": {"id": team or self.workspace, "domain": "test"},
            "user": {"id": user, "username": "someone", "team_id": team or self.workspace}, "api_app_id": "A0APP",
            "token": "legacy", "trigger_id": f"trig-{uuid.uuid4().hex[:8]}",
            "view": {**view, "id": "V0VIEW", "team_id": team or self.workspace, "state": {"values": state}, "hash": "h"},
        }
        return self.send_form({"payload": json.dumps(payload)})


def find_element(blocks: list[dict[str, Any]], action_id: str) -> dict[str, Any]:
    for block in blocks:
        for element in block.get("elements", []) + ([block["accessory"]] if "accessory" in block else []):
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return {**element, "_block_id": block.get("block_id", "")}
    raise AssertionError(f"no element {action_id!r} in {[b.get('block_id') for b in blocks]}")


def buttons(blocks: list[dict[str, Any]]) -> dict[str, str]:
    """action_id -> visible label, for every button in the blocks."""
    found = {}
    for block in blocks:
        for element in block.get("elements", []) + ([block["accessory"]] if "accessory" in block else []):
            if isinstance(element, dict) and element.get("type") == "button":
                found[element["action_id"]] = element["text"]["text"]
    return found


def all_text(blocks: list[dict[str, Any]]) -> str:
    """Every text in the blocks, joined, to look for leaks."""
    return json.dumps(blocks)
