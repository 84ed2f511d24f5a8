"""The chaos benchmark's fake Slack Web API (aiohttp): keeps every conversation as Slack
would show it (posts, updates, ephemerals, metadata, conversations.history), and injects
faults: HTTP 429 with Retry-After, HTTP 500, timeouts where the post was or was not made,
`ok:false` errors, and a *hold* (a call kept unanswered while the bot is killed).

Everything the benchmark concludes comes from this log and from `canishare export`; it
never looks inside the bot.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import parse_qs

from aiohttp import web

WORKSPACE = "T0CHAOS"
BOT_USER = "U0BOT"
BOT_ID = "B0BOT"
POSTING = ("chat.postMessage", "chat.update", "chat.postEphemeral", "chat.delete", "chat.scheduleMessage")


def dm_of(channel: str) -> str:
    """Slack answers a post to a user id in the DM with that user (a D channel)."""
    return "D" + channel[1:] if channel[:1] in ("U", "W") else channel


@dataclass
class Msg:
    channel: str
    ts: str
    text: str
    blocks: list
    metadata: dict | None
    at: float
    ephemeral_for: str | None = None
    updated_at: float | None = None
    deleted: bool = False
    history: list = field(default_factory=list)  # earlier (text, blocks) versions

    def as_slack(self, with_metadata: bool) -> dict:
        out = {"type": "message", "ts": self.ts, "text": self.text, "blocks": self.blocks, "user": BOT_USER,
               "bot_id": BOT_ID, "app_id": "A0APP", "team": WORKSPACE}
        if with_metadata and self.metadata:
            out["metadata"] = self.metadata
        if self.updated_at:
            out["edited"] = {"user": BOT_USER, "ts": f"{self.updated_at:.6f}"}
        return out


@dataclass
class Fault:
    kind: str              # http429 | http500 | timeout_nopost | timeout_post | ok_false
    start: float
    end: float
    match: Callable[[str, dict], bool]
    error: str = ""        # for ok_false
    retry_after: int = 2   # for http429
    hits: int = 0

    def active(self, now: float) -> bool:
        return self.start <= now < self.end


@dataclass
class Hold:
    """Hold the `nth` matching call unanswered until released; `made` says whether Slack had
    already carried it out (the message is visible) when the bot died."""
    nth: int
    made: bool
    match: Callable[[str, dict], bool]
    seen: int = 0
    held: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    method: str = ""
    channel: str = ""


@dataclass
class CallLog:
    method: str
    channel: str
    at: float
    result: str  # ok | error:<e> | http429 | http500 | timeout(made) | timeout(not made) | held(...) | unknown


class ChaosSlack:
    def __init__(self, client_timeout: float = 10.0, channels: set[str] | None = None, members: set[str] | None = None):
        self.client_timeout = client_timeout
        self.channels: dict[str, list[Msg]] = {}
        self.known_channels = set(channels or ())
        self.not_member: set[str] = set()
        self.members = set(members or ())
        self.calls: list[CallLog] = []
        self.faults: list[Fault] = []
        self.hold: Hold | None = None
        self.unknown_methods: dict[str, int] = {}
        self._ts = itertools.count(1)
        self._base = int(time.time())
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.changed = asyncio.Condition()
        self.version = 0
        self._tasks: set[asyncio.Task] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    async def start(self) -> ChaosSlack:
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, backlog=512)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self.hold:
            self.hold.release.set()
        if self._runner:
            await self._runner.cleanup()

    # --- what the people see ----------------------------------------------------------------
    def messages(self, channel: str) -> list[Msg]:
        return [m for m in self.channels.get(dm_of(channel), []) if not m.deleted]

    def visible(self, channel: str) -> list[Msg]:
        return [m for m in self.messages(channel) if m.ephemeral_for is None]

    def all_posts(self) -> list[Msg]:
        return [m for ms in self.channels.values() for m in ms if m.ephemeral_for is None and not m.deleted]

    async def wait_change(self, since_version: int, timeout: float) -> int:
        async with self.changed:
            try:
                await asyncio.wait_for(self.changed.wait_for(lambda: self.version != since_version), timeout)
            except TimeoutError:
                pass
            return self.version

    async def _bump(self) -> None:
        async with self.changed:
            self.version += 1
            self.changed.notify_all()

    # --- the API ----------------------------------------------------------------------------
    async def _args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        raw = await request.read()
        if raw:
            ctype = request.headers.get("Content-Type", "")
            try:
                if "json" in ctype:
                    loaded = json.loads(raw)
                    if isinstance(loaded, dict):
                        args.update(loaded)
                else:
                    for k, v in parse_qs(raw.decode("utf-8", "replace")).items():
                        args[k] = v[0]
            except ValueError:
                pass
        for key in ("blocks", "view", "metadata", "attachments"):
            if isinstance(args.get(key), str) and args[key][:1] in ("[", "{"):
                try:
                    args[key] = json.loads(args[key])
                except ValueError:
                    pass
        return args

    def _log(self, method: str, channel: str, result: str) -> None:
        self.calls.append(CallLog(method, channel, time.monotonic(), result))

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        args = await self._args(request)
        channel = dm_of(str(args.get("channel") or args.get("users") or args.get("user") or ""))
        now = time.monotonic()
        hold = self.hold
        if hold and not hold.held.is_set() and hold.match(method, args):
            hold.seen += 1
            if hold.seen == hold.nth:
                hold.method, hold.channel = method, channel
                if hold.made:
                    body = await self._apply(method, args)
                    self._log(method, channel, "held(made)")
                else:
                    body = None
                hold.held.set()
                await hold.release.wait()
                if body is None:
                    transport = request.transport
                    if transport is None or transport.is_closing():  # the caller died: never carried out
                        self._log(method, channel, "held(not made)")
                        return web.Response(status=500)
                    body = await self._apply(method, args)
                    self._log(method, channel, "held(late)")
                return web.json_response(body)
        for fault in self.faults:
            if fault.active(now) and fault.match(method, args):
                fault.hits += 1
                return await self._fault(fault, method, channel, args)
        body = await self._apply(method, args)
        self._log(method, channel, "ok" if body.get("ok") else f"error:{body.get('error')}")
        return web.json_response(body)

    async def _fault(self, fault: Fault, method: str, channel: str, args: dict) -> web.StreamResponse:
        if fault.kind == "http429":
            self._log(method, channel, "http429")
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                     headers={"Retry-After": str(fault.retry_after)})
        if fault.kind == "http500":
            self._log(method, channel, "http500")
            return web.Response(status=500, text="<html>Internal Server Error</html>", content_type="text/html")
        if fault.kind == "ok_false":
            self._log(method, channel, f"error:{fault.error}")
            return web.json_response({"ok": False, "error": fault.error})
        stall = self.client_timeout + 5.0
        if fault.kind == "timeout_post":
            body = await self._apply(method, args)
            self._log(method, channel, "timeout(made)")
            await asyncio.sleep(stall)
            return web.json_response(body)
        self._log(method, channel, "timeout(not made)")
        await asyncio.sleep(stall)
        return web.Response(status=504)

    def _new_ts(self) -> str:
        return f"{self._base + next(self._ts)}.{int(time.time() * 1e6) % 1_000_000:06d}"

    async def _apply(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        """Carry out one call as Slack would, and answer."""
        channel = dm_of(str(args.get("channel") or ""))
        if method == "auth.test":
            return {"ok": True, "url": "https://chaos.example/", "team": "Chaos", "user": "canishare", "team_id": WORKSPACE,
                    "user_id": BOT_USER, "bot_id": BOT_ID, "is_enterprise_install": False}
        if method == "chat.postMessage":
            if not channel:
                return {"ok": False, "error": "channel_not_found"}
            if channel in self.not_member:
                return {"ok": False, "error": "not_in_channel"}
            ts = self._new_ts()
            msg = Msg(channel, ts, str(args.get("text") or ""), _list(args.get("blocks")), _dict(args.get("metadata")),
                      time.monotonic())
            self.channels.setdefault(channel, []).append(msg)
            await self._bump()
            return {"ok": True, "channel": channel, "ts": ts, "message": msg.as_slack(True)}
        if method == "chat.update":
            target = self._find(channel, str(args.get("ts") or ""))
            if target is None:
                return {"ok": False, "error": "message_not_found"}
            target.history.append((target.text, target.blocks))
            if "text" in args:
                target.text = str(args.get("text") or "")
            if "blocks" in args:
                target.blocks = _list(args.get("blocks"))
            if args.get("metadata"):
                target.metadata = _dict(args.get("metadata"))
            target.updated_at = time.time()
            await self._bump()
            return {"ok": True, "channel": channel, "ts": target.ts, "text": target.text}
        if method == "chat.delete":
            target = self._find(channel, str(args.get("ts") or ""))
            if target is None:
                return {"ok": False, "error": "message_not_found"}
            target.deleted = True
            await self._bump()
            return {"ok": True, "channel": channel, "ts": target.ts}
        if method == "chat.postEphemeral":
            user = str(args.get("user") or "")
            if not channel or channel[:1] not in ("C", "G", "D"):
                return {"ok": False, "error": "channel_not_found"}
            ts = self._new_ts()
            msg = Msg(channel, ts, str(args.get("text") or ""), _list(args.get("blocks")), None, time.monotonic(),
                      ephemeral_for=user)
            self.channels.setdefault(channel, []).append(msg)
            await self._bump()
            return {"ok": True, "message_ts": ts}
        if method == "conversations.open":
            users = str(args.get("users") or "").split(",")[0]
            if not users:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "channel": {"id": dm_of(users), "is_im": True}}
        if method == "conversations.info":
            if channel[:1] == "D":
                return {"ok": True, "channel": {"id": channel, "is_im": True, "is_member": True}}
            if channel not in self.known_channels:
                return {"ok": False, "error": "channel_not_found"}
            return {"ok": True, "channel": {"id": channel, "name": channel.lower(), "is_channel": True, "is_archived": False,
                                            "is_member": channel not in self.not_member}}
        if method == "conversations.history":
            msgs = [m for m in self.visible(channel)]
            oldest, latest = _float(args.get("oldest"), 0.0), _float(args.get("latest"), float("inf"))
            msgs = [m for m in msgs if oldest <= float(m.ts) <= latest]
            limit = int(_float(args.get("limit"), 100)) or 100
            meta = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
            out = [m.as_slack(meta) for m in reversed(msgs)][:limit]
            return {"ok": True, "messages": out, "has_more": len(msgs) > limit, "response_metadata": {"next_cursor": ""}}
        if method == "conversations.members":
            return {"ok": True, "members": sorted(self.members | {BOT_USER}), "response_metadata": {"next_cursor": ""}}
        if method == "users.info":
            user = str(args.get("user") or "")
            return {"ok": True, "user": {"id": user, "team_id": WORKSPACE, "name": user.lower(), "deleted": False,
                                         "is_bot": False, "profile": {"display_name": user.lower()}}}
        if method == "usergroups.users.list":
            return {"ok": True, "users": []}
        if method in ("views.open", "views.publish", "views.update", "views.push"):
            return {"ok": True, "view": {"id": "V" + self._new_ts().replace(".", "")}}
        if method == "chat.getPermalink":
            return {"ok": True, "permalink": f"https://chaos.example/archives/{channel}/p{str(args.get('message_ts', '')).replace('.', '')}"}
        self.unknown_methods[method] = self.unknown_methods.get(method, 0) + 1
        return {"ok": False, "error": "unknown_method"}

    def _find(self, channel: str, ts: str) -> Msg | None:
        for m in self.channels.get(channel, []):
            if m.ts == ts and not m.deleted and m.ephemeral_for is None:
                return m
        return None


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict | None:
    return value if isinstance(value, dict) else None


def _float(value: Any, default: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default
