"""A cheap fake Slack Web API for load: aiohttp, in the load generator's event loop.

Unlike tests/fakeslack.py it keeps no call log (a run makes tens of thousands of calls);
it counts calls per method and hands every message posted to a practitioner's DM to that
practitioner's queue the moment the request arrives (`received`: what the practitioner would
see then), so the simulated person can click the buttons the bot really sent.
`delay_ms` stands in for Slack's own round trip: half before a call counts as arrived (a posted
message is seen then), half before its answer. With `calls` set
to a list, every call is appended to it as (time received, method, channel or user, ts), for the
call-order check (which Web API calls a click makes before its next question).
"""
from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import Counter
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web

WORKSPACE = "T0BENCH"
BOT_USER = "U0BOT"


class FakeSlack:
    def __init__(self, delay_ms: float = 0.0):
        self.delay = delay_ms / 1000.0
        self.counts: Counter[str] = Counter()
        self.inbox: dict[str, asyncio.Queue] = {}
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.calls: list[tuple[float, str, str, str]] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def queue(self, user: str) -> asyncio.Queue:
        q = self.inbox.get(user)
        if q is None:
            q = self.inbox[user] = asyncio.Queue()
        return q

    def reset(self) -> None:
        self.counts.clear()
        self.inbox.clear()
        self.calls = None

    async def start(self) -> FakeSlack:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def _args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        raw = await request.read()
        if not raw:
            return args
        ctype = request.headers.get("Content-Type", "")
        if "json" in ctype:
            args.update(json.loads(raw))
        elif "form" in ctype:
            for k, v in parse_qs(raw.decode()).items():
                args[k] = v[0]
        for key in ("blocks", "view"):
            if isinstance(args.get(key), str) and args[key].startswith(("[", "{")):
                args[key] = json.loads(args[key])
        return args

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        # `delay_ms` is Slack's round trip as the bot sees it: half of it on the way to Slack
        # (the message becomes visible when it gets there), half on the way back. Holding the
        # whole delay after arrival would make "Slack at 100 ms" add nothing to what a person
        # sees, however many calls the bot made in series before its post.
        if self.delay:
            await asyncio.sleep(self.delay / 2)
        received = time.perf_counter()
        self.counts[method] += 1
        ts = f"{1_700_000_000 + next(self._ts)}.000100"
        channel = str(args.get("channel") or "")
        if self.calls is not None:
            self.calls.append((received, method, channel or str(args.get("users") or args.get("user") or ""), str(args.get("ts") or "")))
        if method == "chat.postMessage":
            if channel[:1] in ("U", "W"):
                channel = "D" + channel[1:]
            dm_user = "U" + channel[1:] if channel[:1] == "D" else None
            if dm_user and dm_user in self.inbox:  # seen when it arrives, before Slack answers
                self.inbox[dm_user].put_nowait({"channel": channel, "ts": ts, "text": args.get("text"),
                                                "blocks": args.get("blocks") or [], "received": received})
        if self.delay:
            await asyncio.sleep(self.delay / 2)
        if method == "chat.postMessage":
            body = {"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts}}
        elif method == "auth.test":
            body = {"ok": True, "team_id": WORKSPACE, "user_id": BOT_USER, "bot_id": "B0BOT", "team": "Bench"}
        elif method == "chat.update":
            body = {"ok": True, "channel": channel, "ts": args.get("ts")}
        elif method == "chat.postEphemeral":
            body = {"ok": True, "message_ts": ts}
        elif method in ("views.open", "views.publish", "views.update", "views.push"):
            body = {"ok": True, "view": {"id": "V" + ts.replace(".", "")}}
        elif method == "conversations.open":
            body = {"ok": True, "channel": {"id": "D" + str(args.get("users") or "")[1:]}}
        elif method == "users.info":
            body = {"ok": True, "user": {"id": args.get("user"), "deleted": False}}
        elif method == "conversations.info":
            body = {"ok": True, "channel": {"id": channel}}
        else:
            body = {"ok": False, "error": "unknown_method"}
        return web.json_response(body)


def main() -> None:
    """Serve the fake on its own (used by bench.profile_click): prints its URL, runs until killed."""
    import sys

    async def serve() -> None:
        fake = await FakeSlack(float(sys.argv[1]) if len(sys.argv) > 1 else 0.0).start()
        print(fake.url, flush=True)
        await asyncio.Event().wait()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
