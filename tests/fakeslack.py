"""A fake Slack Web API over real HTTP: records every call, answers like Slack, and can be
told to fail. The bot reaches it through SLACK_API_URL, as it would reach GovSlack."""
from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

WORKSPACE = "T0TEST"
BOT_USER = "U0BOT"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    result: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.time)

    @property
    def message(self) -> dict[str, Any]:
        """The posted message as Slack would hand it back in a later payload."""
        return {"channel": self.result.get("channel"), "ts": self.result.get("ts") or self.args.get("ts"),
                "text": self.args.get("text"), "blocks": self.args.get("blocks") or []}


def _matches(args: dict[str, Any], match: dict[str, Any]) -> bool:
    """Equal values match; a set matches any of its members."""
    return all(args.get(k) in v if isinstance(v, (set, frozenset)) else args.get(k) == v for k, v in match.items())


MESSAGE_BLOCKS, VIEW_BLOCKS, TEXT_LIMIT = 50, 100, 40_000


def block_kit_problem(method: str, args: dict[str, Any]) -> str | None:
    """What Slack would refuse in a message or view: parsed with slack_sdk.models (whose
    to_dict() validates lengths) and checked against Slack's block and text limits."""
    from slack_sdk.errors import SlackObjectFormationError
    from slack_sdk.models.blocks import Block
    from slack_sdk.models.views import View

    try:
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            blocks = args.get("blocks") or []
            if len(blocks) > MESSAGE_BLOCKS:
                return f"{len(blocks)} blocks (limit {MESSAGE_BLOCKS})"
            if len(str(args.get("text") or "")) > TEXT_LIMIT:
                return "text too long"
            ids = [e.get("action_id") for b in blocks for e in (b.get("elements") or []) + [b.get("accessory") or {}]
                   if isinstance(e, dict) and e.get("action_id")]
            if len(ids) != len(set(ids)):
                return f"duplicate action ids {ids}"
            for block in blocks:
                Block.parse(block).to_dict()
        elif method in ("views.open", "views.publish", "views.update", "views.push"):
            view = args.get("view") or {}
            if len(view.get("blocks") or []) > VIEW_BLOCKS:
                return f"{len(view['blocks'])} blocks in a view (limit {VIEW_BLOCKS})"
            View(**view).to_dict()
    except (SlackObjectFormationError, TypeError, ValueError, KeyError) as err:
        return f"{type(err).__name__}: {err}"
    return None


@dataclass
class Fault:
    """One injected failure. mode: "reply" answers `status` with ok:false `error`; "drop"
    closes the connection without an answer and without posting (a timeout before Slack
    acted); "drop_after" posts, then closes without an answer (a timeout after Slack acted)."""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    mode: str = "reply"
    match: dict[str, Any] = field(default_factory=dict)


class Hold:
    """Calls that match wait here until released (made: answered as usual; else dropped)."""

    def __init__(self, method: str, match: dict[str, Any]):
        self.method, self.match = method, match
        self.arrived = threading.Event()
        self._go = threading.Event()
        self.made = True
        self.count = 0

    def release(self, made: bool = True) -> None:
        self.made = made
        self._go.set()

    def wait_arrived(self, timeout: float = 10) -> None:
        assert self.arrived.wait(timeout), f"no {self.method} call arrived to hold"


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.unknown_users: set[str] = set()
        self.unknown_channels: set[str] = set()
        self.not_member: set[str] = set()  # channels the bot has not been invited to
        self.enterprise_id: str | None = None
        self.history: dict[str, list[dict[str, Any]]] = {}
        self.holds: list[Hold] = []
        self.faults: dict[str, list[Fault]] = {}
        self.uploads: dict[str, bytes] = {}
        self.invalid: list[str] = []  # payloads Slack would have refused
        self.usergroups: dict[str, dict[str, Any]] = {}  # id -> a usergroup object (usergroups.list's shape) + "users"
        self.channel_members: dict[str, list[str]] = {}  # conversations.members
        self.deactivated: set[str] = set()  # users.info says deleted: true
        self.bots: set[str] = set()  # users.info says is_bot: true
        self.archived: set[str] = set()  # conversations.info says is_archived: true
        self.missing_scopes: set[str] = set()  # scopes not granted: methods needing them say missing_scope
        # Several workspaces (many-workspace mode): each installed through OAuth with its own bot token.
        self.client_id: str | None = None  # when set, oauth.v2.access checks the app's credentials
        self.client_secret: str | None = None
        self.installs: dict[str, dict[str, Any]] = {}  # one-time code -> oauth.v2.access's answer
        self.bot_tokens: dict[str, dict[str, Any]] = {}  # bot token -> auth.test's answer for it
        self.revoked_tokens: set[str] = set()  # uninstalled: Slack answers token_revoked
        self.consent: tuple[str, str] | None = None  # (code, redirect URL) for the next /oauth/v2/authorize
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    def start(self) -> "FakeSlack":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- test controls ---------------------------------------------------------------------
    def fail(self, method: str, status: int = 200, times: int = 1, retry_after: int | None = None,
             error: str | None = None, mode: str = "reply", **match: Any) -> None:
        """The next `times` calls to `method` (matching `match`) fail: HTTP `status` with
        ok:false `error` (Slack answers most failures with 200 and ok:false), or by mode."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        with self._lock:
            self.faults.setdefault(method, []).extend(
                [Fault(status, headers, error, mode, match) for _ in range(times)])

    def hold(self, method: str, **match: Any) -> Hold:
        hold = Hold(method, match)
        with self._lock:
            self.holds.append(hold)
        return hold

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.faults.clear()
            for hold in self.holds:
                hold.release(False)
            self.holds.clear()
            self.not_member.clear()
            self.enterprise_id = None
            self.usergroups.clear()
            self.channel_members.clear()
            self.deactivated.clear()
            self.bots.clear()
            self.archived.clear()
            self.missing_scopes.clear()
            self.installs.clear()
            self.bot_tokens.clear()
            self.revoked_tokens.clear()
            self.consent = None
            self.client_id = self.client_secret = None

    def add_workspace(self, team_id: str, name: str, *, bot_token: str, installer: str, code: str,
                      enterprise_id: str | None = None, enterprise_name: str | None = None, org_wide: bool = False,
                      bot_user: str = BOT_USER, app_id: str = "A0CANISHARE", scope: str = "commands,chat:write") -> None:
        """A workspace (or, org_wide, an Enterprise Grid org) that will install the app: `code` is
        the one-time code Slack's consent page hands its installer, `bot_token` what
        oauth.v2.access gives for it, in the shape Slack answers (slack-api-specs, java-slack-sdk
        json-logs/samples/api/oauth.v2.access.json; an org-wide install has team null)."""
        enterprise = {"id": enterprise_id, "name": enterprise_name or enterprise_id} if enterprise_id else None
        with self._lock:
            self.installs[code] = {
                "ok": True, "app_id": app_id,
                "authed_user": {"id": installer},  # no user scopes asked: no user token
                "scope": scope, "token_type": "bot", "access_token": bot_token, "bot_user_id": bot_user,
                "team": None if org_wide else {"id": team_id, "name": name},
                "enterprise": enterprise, "is_enterprise_install": org_wide,
            }
            answer = {"ok": True, "url": f"https://{team_id.lower()}.slack.test/", "team": name, "user": "canishare",
                      "team_id": team_id, "user_id": bot_user, "bot_id": "B" + bot_user[1:], "is_enterprise_install": org_wide}
            if enterprise_id:
                answer["enterprise_id"] = enterprise_id
            self.bot_tokens[bot_token] = answer

    def uninstall(self, bot_token: str) -> None:
        """The app was removed from the workspace: Slack refuses its token from now on."""
        with self._lock:
            self.revoked_tokens.add(bot_token)

    def set_usergroup(self, usergroup: str, users: list[str], name: str | None = None, disabled: bool = False) -> None:
        """Create or change a user group, as an admin would in Slack (a disabled one has date_delete set)."""
        now = int(time.time())
        with self._lock:
            group = self.usergroups.setdefault(usergroup, {
                "id": usergroup, "team_id": WORKSPACE, "is_usergroup": True, "name": name or usergroup.lower(),
                "description": "", "handle": (name or usergroup).lower().replace(" ", "-"), "is_external": False,
                "date_create": now, "date_update": now, "date_delete": 0, "auto_type": None, "created_by": "U0ADMIN1",
                "updated_by": "U0ADMIN1", "deleted_by": None, "prefs": {"channels": [], "groups": []}, "users": []})
            group.update(users=list(users), date_update=now, date_delete=now if disabled else 0)
            if name:
                group["name"] = name

    def delete_usergroup(self, usergroup: str) -> None:
        with self._lock:
            self.usergroups.pop(usergroup, None)

    def messages_in(self, channel: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.history.get(channel, []))

    def calls_to(self, method: str, **match: Any) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method and _matches(c.args, match)]

    def calls_to_since(self, method: str, since: int, **match: Any) -> list[Call]:
        with self._lock:
            return [c for c in self.calls[since:] if c.method == method and _matches(c.args, match)]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0, since: int = 0, **match: Any) -> list[Call]:
        """Wait until at least `count` calls to `method` (matching) have arrived after index `since`."""
        deadline = time.time() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls[since:] if c.method == method and _matches(c.args, match)]
                if len(found) >= count:
                    return found
                left = deadline - time.time()
                if left <= 0:
                    seen = [c.method for c in self.calls[since:]]
                    raise AssertionError(f"timed out waiting for {count} x {method} {match}; saw {seen}")
                self._cond.wait(left)

    def mark(self) -> int:
        with self._lock:
            return len(self.calls)

    # --- the API ---------------------------------------------------------------------------
    def answer(self, method: str, args: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]] | None:
        """Slack's answer, or None for no answer at all (the connection is dropped)."""
        with self._cond:
            hold = next((h for h in self.holds if h.method == method and _matches(args, h.match)), None)
            if hold is not None:
                self.holds.remove(hold)
                self.calls.append(Call(method + "#held", args))
                self._cond.notify_all()
        if hold is not None:
            hold.arrived.set()
            hold._go.wait(120)
            if not hold.made:
                return None
        drop_after = False
        with self._cond:
            faults = self.faults.get(method) or []
            fault = next((f for f in faults if _matches(args, f.match)), None)
            if fault is not None:
                faults.remove(fault)
                self.calls.append(Call(method + "#failed", args))
                self._cond.notify_all()
                if fault.mode == "drop":
                    return None
                if fault.mode == "reply":
                    error = fault.error or ("ratelimited" if fault.status == 429 else "internal_error")
                    return fault.status, fault.headers, {"ok": False, "error": error}
                drop_after = True
            ts = f"{int(time.time())}.{next(self._ts):06d}"
        status, headers, body = self._respond(method, args, ts)
        with self._cond:
            self.calls.append(Call(method, args, body))
            if method == "chat.postMessage" and body.get("ok"):
                self.history.setdefault(body["channel"], []).insert(
                    0, {"type": "message", "ts": body["ts"], "text": args.get("text"), "metadata": args.get("metadata")})
            self._cond.notify_all()
        return None if drop_after else (status, headers, body)

    def _respond(self, method: str, args: dict[str, Any], ts: str) -> tuple[int, dict[str, str], dict[str, Any]]:
        problem = block_kit_problem(method, args)
        if problem:  # Slack would refuse it; record it so the test run fails
            self.invalid.append(f"{method}: {problem}")
            return 200, {}, {"ok": False, "error": "invalid_blocks"}
        channel = str(args.get("channel") or "")
        if channel[:1] in ("U", "W"):
            channel = "D" + channel[1:]  # a DM with that user
        if method == "oauth.v2.access":
            return 200, {}, self._oauth_v2_access(args)
        token = args.get("_token") or args.get("token")
        if token in self.revoked_tokens:
            return 200, {}, {"ok": False, "error": "token_revoked"}
        if self.bot_tokens:  # several workspaces: a token is one workspace's, or nobody's
            if token not in self.bot_tokens:
                return 200, {}, {"ok": False, "error": "invalid_auth"}
            if method == "auth.test":
                return 200, {}, dict(self.bot_tokens[token])
        if method == "auth.revoke":  # the token works no more (what an uninstall also does)
            with self._lock:
                self.revoked_tokens.add(str(token))
            return 200, {}, {"ok": True, "revoked": True}
        if method == "auth.test":
            answer = {"ok": True, "team_id": WORKSPACE, "user_id": BOT_USER, "bot_id": "B0BOT", "team": "Test"}
            if self.enterprise_id:
                answer.update(enterprise_id=self.enterprise_id, is_enterprise_install=False)
            return 200, {}, answer
        if method == "chat.postMessage":
            return 200, {}, {"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts, "text": args.get("text")}}
        if method == "chat.update":
            return 200, {}, {"ok": True, "channel": channel, "ts": args.get("ts")}
        if method == "chat.postEphemeral":
            return 200, {}, {"ok": True, "message_ts": ts}
        if method in ("views.open", "views.publish", "views.update", "views.push"):
            return 200, {}, {"ok": True, "view": {"id": "V" + ts.replace(".", "")}}
        if method == "conversations.open":
            user = str(args.get("users") or "")
            return 200, {}, {"ok": True, "channel": {"id": "D" + user[1:]}}
        if method == "users.info":
            user = str(args.get("user"))
            if user in self.unknown_users:
                return 200, {}, {"ok": False, "error": "user_not_found"}
            return 200, {}, {"ok": True, "user": {"id": user, "team_id": WORKSPACE, "name": user.lower(),
                                                  "deleted": user in self.deactivated, "is_bot": user in self.bots}}
        if method == "conversations.info":
            if channel in self.unknown_channels:
                return 200, {}, {"ok": False, "error": "channel_not_found"}
            return 200, {}, {"ok": True, "channel": {"id": channel, "name": channel.lower(), "is_member": channel not in self.not_member,
                                                "is_archived": channel in self.archived}}
        if method in ("usergroups.users.list", "usergroups.list", "conversations.members"):
            return self._membership(method, args, channel)
        if method == "conversations.history":
            include = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
            oldest = float(args.get("oldest") or 0)
            with self._lock:
                found = [m for m in self.history.get(channel, []) if float(m["ts"]) >= oldest][: int(args.get("limit") or 100)]
            return 200, {}, {"ok": True, "messages": [m if include else {k: v for k, v in m.items() if k != "metadata"} for m in found],
                             "has_more": False}
        if method == "files.getUploadURLExternal":
            file_id = "F" + ts.replace(".", "")
            port = self.server.server_address[1]
            return 200, {}, {"ok": True, "upload_url": f"http://127.0.0.1:{port}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            return 200, {}, {"ok": True, "files": args.get("files")}
        return 200, {}, {"ok": False, "error": "unknown_method"}

    def _oauth_v2_access(self, args: dict[str, Any]) -> dict[str, Any]:
        """Exchange a one-time code, as Slack does: the app's credentials (HTTP Basic, as slack_sdk
        sends them) must match, and a code is good once."""
        client_id, client_secret = args.get("_basic") or (args.get("client_id"), args.get("client_secret"))
        if self.client_id is not None and (client_id != self.client_id or client_secret != self.client_secret):
            return {"ok": False, "error": "invalid_client_id" if client_id != self.client_id else "bad_client_secret"}
        with self._lock:
            answer = self.installs.pop(str(args.get("code") or ""), None)
        return dict(answer) if answer is not None else {"ok": False, "error": "invalid_code"}

    def consent_page(self, query: dict[str, str]) -> tuple[int, dict[str, str]]:
        """Slack's authorize page after the installer clicked Allow: back to the app's redirect URL
        with the code the test chose (`consent`) and the state the app sent."""
        from urllib.parse import urlencode

        with self._lock:
            consent, self.consent = self.consent, None
            self.calls.append(Call("oauth/v2/authorize", dict(query)))
        if consent is None or (self.client_id is not None and query.get("client_id") != self.client_id):
            return 400, {}
        code, redirect = consent
        return 302, {"Location": redirect + "?" + urlencode({"code": code, "state": query.get("state", "")})}

    def _membership(self, method: str, args: dict[str, Any], channel: str) -> tuple[int, dict[str, str], dict]:
        """User groups and channel members, as Slack answers them (slack-api-specs): a disabled
        group is no_such_subteam unless include_disabled; conversations.members pages by cursor."""
        needed = "usergroups:read" if method.startswith("usergroups") else "channels:read"
        if needed in self.missing_scopes:
            return 200, {}, {"ok": False, "error": "missing_scope", "needed": needed, "provided": "chat:write,commands"}
        with_disabled = str(args.get("include_disabled", "")).lower() in ("1", "true")
        with self._lock:
            if method == "usergroups.users.list":
                group = self.usergroups.get(str(args.get("usergroup")))
                if group is None or (group["date_delete"] and not with_disabled):
                    return 200, {}, {"ok": False, "error": "no_such_subteam"}
                return 200, {}, {"ok": True, "users": list(group["users"])}
            if method == "usergroups.list":
                listed = []
                for group in self.usergroups.values():
                    if group["date_delete"] and not with_disabled:
                        continue
                    shown = {k: v for k, v in group.items() if k != "users"}
                    if str(args.get("include_users", "")).lower() in ("1", "true"):
                        shown["users"] = list(group["users"])
                    if str(args.get("include_count", "")).lower() in ("1", "true"):
                        shown["user_count"] = str(len(group["users"]))  # Slack sends it as a string
                    listed.append(shown)
                return 200, {}, {"ok": True, "usergroups": listed}
            members = self.channel_members.get(channel)
        if members is None or channel in self.unknown_channels:
            return 200, {}, {"ok": False, "error": "channel_not_found"}
        limit = int(args.get("limit") or 100)
        if not 1 <= limit <= 1000:
            return 200, {}, {"ok": False, "error": "invalid_limit"}
        cursor = str(args.get("cursor") or "")
        if cursor and not (cursor.startswith("dXNlcjo") and cursor[7:].isdigit()):
            return 200, {}, {"ok": False, "error": "invalid_cursor"}
        start = int(cursor[7:]) if cursor else 0
        page = members[start:start + limit]
        more = start + limit < len(members)
        return 200, {}, {"ok": True, "members": page,
                         "response_metadata": {"next_cursor": f"dXNlcjo{start + limit}" if more else ""}}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_a: Any) -> None:  # keep test output quiet
                pass

            def _reply(self, status: int, headers: dict[str, str], body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _args(self) -> dict[str, Any]:
                parsed = urlparse(self.path)
                args: dict[str, Any] = {k: v[0] for k, v in parse_qs(parsed.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                ctype = self.headers.get("Content-Type", "")
                if raw and "json" in ctype:
                    args.update(json.loads(raw))
                elif raw and "form" in ctype:
                    for k, v in parse_qs(raw.decode()).items():
                        value: Any = v[0]
                        if k in ("blocks", "view", "attachments", "files") and value.startswith(("[", "{")):
                            value = json.loads(value)
                        args[k] = value
                elif raw:
                    args["_body"] = raw
                for key in ("blocks", "view", "files"):
                    if isinstance(args.get(key), str) and args[key].startswith(("[", "{")):
                        args[key] = json.loads(args[key])
                return args

            def do_GET(self) -> None:  # noqa: N802
                self.do_POST()

            def do_POST(self) -> None:  # noqa: N802
                path = urlparse(self.path).path
                if path.startswith("/upload/"):  # the file's raw bytes, whatever Content-Type urllib put on them
                    length = int(self.headers.get("Content-Length") or 0)
                    fake.uploads[path.rsplit("/", 1)[1]] = self.rfile.read(length) if length else b""
                    self.send_response(200)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"OK")
                    return
                if path == "/oauth/v2/authorize":  # the installer's browser, not the app
                    status, headers = fake.consent_page({k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()})
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                method = path.removeprefix("/api/")
                args = self._args()
                auth = self.headers.get("Authorization") or ""
                if auth.startswith("Bearer "):  # slack_sdk sends the token here, never in the body
                    args.setdefault("_token", auth[len("Bearer "):].strip())
                elif auth.startswith("Basic "):  # oauth.v2.access: the app's client id and secret
                    import base64

                    pair = base64.b64decode(auth[len("Basic "):]).decode()
                    args["_basic"] = tuple(pair.split(":", 1)) if ":" in pair else (pair, "")
                answer = fake.answer(method, args)
                if answer is None:  # no answer at all: the caller times out or sees the connection drop
                    self.close_connection = True
                    return
                self._reply(*answer)

        return Handler
