"""Many workspaces on one deployment, end to end: the fake Slack as several workspaces, the OAuth
install a workspace's admin goes through, and people of each workspace driving the real server.

`TenantFake` is tests/fakeslack.py's FakeSlack with what several workspaces need: each workspace
has its own bot token (handed out by oauth.v2.access for a one-time code, answered for by
auth.test), every call records the token it came with (`Call.args["_token"]`), so a test can
say which workspace's token reached which workspace's people, and users.info / conversations.info
answer with the workspace a user or channel belongs to. Ids carry their workspace: a workspace
with tag "AAA" has users "UAAA…", channels "CAAA…" and DMs "DAAA…".
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import html
import http.client
import json
import os
import re
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import yaml

from tests.conftest import PSEUDONYM_KEY, TEST_CONFIG, FreshDatabase, Server, start_server
from tests.e2e.helpers import Person
from tests.fakeslack import Call, FakeSlack
from tests.slackreq import SIGNING_SECRET, SlackSender, buttons

CLIENT_ID = "1111111111.2222222222"
CLIENT_SECRET = "test-client-secret-not-a-secret"
# A Fernet key (32 url-safe base64 bytes), made here so the test needs no crypto library.
TOKEN_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"canishare test token key").digest()).decode()
STATE_COOKIE = "slack-app-oauth-state"  # slack_sdk.oauth.state_utils' default cookie name


@dataclass
class Workspace:
    """A Slack workspace of the test (or, with `org_wide`, an Enterprise Grid org installed org-wide)."""
    team_id: str
    name: str
    tag: str  # 3 letters that every id of the workspace carries: "UAAA…", "CAAA…"
    enterprise_id: str | None = None
    org_wide: bool = False
    bot_token: str = ""
    code: str = ""

    def __post_init__(self) -> None:
        self.bot_token = self.bot_token or f"xoxb-{self.tag.lower()}-{uuid.uuid4().hex[:12]}"
        self.code = self.code or f"code-{self.tag.lower()}-{uuid.uuid4().hex[:8]}"

    @property
    def tenant(self) -> str:
        """What the deployment keys this workspace's data by: the org for an org-wide install."""
        return self.enterprise_id if self.org_wide and self.enterprise_id else self.team_id

    def user(self, role: str) -> str:
        return f"U{self.tag}{role}"

    @property
    def installer(self) -> str:
        return self.user("ADMIN1")

    @property
    def bot_user(self) -> str:
        return self.user("BOT")

    def pseudonym(self, user: str) -> str:
        """The pseudonym a person gets in this workspace's records, computed here from the plan's
        definition (HMAC-SHA256 of the user id under the workspace's key, itself an HMAC of the
        deployment's master key), not by the code under test."""
        key = hmac.new(PSEUDONYM_KEY.encode(), f"canishare tenant {self.tenant}".encode(), hashlib.sha256).hexdigest()
        return hmac.new(key.encode(), user.encode(), hashlib.sha256).hexdigest()

    def owns(self, slack_id: str | None) -> bool:
        return bool(slack_id) and str(slack_id)[1:1 + len(self.tag)] == self.tag


class TenantFake(FakeSlack):
    def __init__(self) -> None:
        super().__init__()
        self.workspaces: list[Workspace] = []
        self.revoked: set[str] = set()  # bot tokens Slack no longer accepts (the app was uninstalled)
        self.used_codes: set[str] = set()
        self.shared_channels: dict[str, str] = {}  # channel -> the other org's team id (Slack Connect)
        self._local = threading.local()

    def reset(self) -> None:
        super().reset()
        with self._lock:
            self.workspaces.clear()
            self.revoked.clear()
            self.used_codes.clear()
            self.shared_channels.clear()

    # --- the workspaces ---------------------------------------------------------------------
    def add(self, ws: Workspace) -> Workspace:
        with self._lock:
            self.workspaces.append(ws)
        return ws

    def by_token(self, token: str | None) -> Workspace | None:
        return next((w for w in self.workspaces if token and w.bot_token == token), None)

    def owner(self, slack_id: str | None) -> Workspace | None:
        return next((w for w in self.workspaces if w.owns(slack_id)), None)

    def revoke(self, ws: Workspace) -> None:
        with self._lock:
            self.revoked.add(ws.bot_token)

    def calls_with_token(self, ws: Workspace, since: int = 0) -> list[Call]:
        with self._lock:
            return [c for c in self.calls[since:] if c.args.get("_token") == ws.bot_token]

    def leaks(self, since: int = 0, replies_to: set[str] | frozenset[str] = frozenset()) -> list[str]:
        """Every call where one workspace's token touched another workspace's person or channel
        (or a token no workspace was given): each one a leak across organisations. An ephemeral
        note to one of `replies_to` (the sender of a forged request, answered where the request
        said it came from) is not one; the caller checks what it says."""
        found = []
        with self._lock:
            calls = list(self.calls[since:])
        for call in calls:
            token = call.args.get("_token")
            if not token or call.method.startswith(("oauth.", "auth.test")):
                continue
            if call.method == "chat.postEphemeral" and call.args.get("user") in replies_to:
                continue
            ws = self.by_token(token)
            if ws is None:
                found.append(f"{call.method} with a token of no workspace ({token[:10]}…)")
                continue
            for key in ("channel", "user", "users"):
                target = call.args.get(key)
                owner = self.owner(target)
                if target and owner is not None and owner is not ws and not self._same_org(owner, ws):
                    found.append(f"{call.method} {key}={target} ({owner.name}) with {ws.name}'s token")
        return found

    def _same_org(self, a: Workspace, b: Workspace) -> bool:
        return bool(a.enterprise_id) and a.enterprise_id == b.enterprise_id

    # --- the API ----------------------------------------------------------------------------
    def answer(self, method: str, args: dict[str, Any]) -> Any:
        token = getattr(self._local, "token", None)
        if token:
            args["_token"] = token
        return super().answer(method, args)

    def _respond(self, method: str, args: dict[str, Any], ts: str) -> tuple[int, dict[str, str], dict[str, Any]]:
        if method == "oauth.v2.access":
            return 200, {}, self._oauth_access(args)
        token = args.get("_token") or args.get("token")
        if not self.workspaces or token is None:
            return super()._respond(method, args, ts)
        ws = self.by_token(token)
        if token in self.revoked:
            return 200, {}, {"ok": False, "error": "token_revoked"}
        if ws is None:
            return 200, {}, {"ok": False, "error": "invalid_auth"}
        if method == "auth.test":
            answer = {"ok": True, "url": f"https://{ws.tag.lower()}.slack.test/", "team": ws.name, "user": "canishare",
                      "team_id": ws.team_id, "user_id": ws.bot_user, "bot_id": f"B{ws.tag}BOT",
                      "is_enterprise_install": ws.org_wide}
            if ws.enterprise_id:
                answer["enterprise_id"] = ws.enterprise_id
            return 200, {}, answer
        status, headers, body = super()._respond(method, args, ts)
        if method == "users.info" and body.get("ok"):
            owner = self.owner(str(args.get("user"))) or ws
            body["user"]["team_id"] = owner.team_id
            if owner.enterprise_id:
                body["user"]["enterprise_user"] = {"enterprise_id": owner.enterprise_id, "teams": [owner.team_id]}
        if method == "conversations.info" and body.get("ok"):
            channel = body["channel"]["id"]
            other = self.shared_channels.get(channel)
            body["channel"].update(is_shared=bool(other), is_ext_shared=bool(other), context_team_id=ws.team_id,
                                   shared_team_ids=[ws.team_id, other] if other else [ws.team_id])
        return status, headers, body

    def _oauth_access(self, args: dict[str, Any]) -> dict[str, Any]:
        code = str(args.get("code") or "")
        with self._lock:
            ws = next((w for w in self.workspaces if w.code == code), None)
            if ws is None or code in self.used_codes:
                return {"ok": False, "error": "invalid_code"}
            self.used_codes.add(code)  # a code is good once, as Slack's is
        answer: dict[str, Any] = {
            "ok": True, "app_id": "A0APP", "authed_user": {"id": ws.installer}, "scope": "chat:write,commands,im:history",
            "token_type": "bot", "access_token": ws.bot_token, "bot_user_id": ws.bot_user,
            "team": None if ws.org_wide else {"id": ws.team_id, "name": ws.name},
            "enterprise": {"id": ws.enterprise_id, "name": f"{ws.name} Grid"} if ws.enterprise_id else None,
            "is_enterprise_install": ws.org_wide,
        }
        return answer

    def _handler(self):
        base = super()._handler()
        fake = self

        class Handler(base):  # type: ignore[misc,valid-type]
            def do_POST(self) -> None:  # noqa: N802
                auth = self.headers.get("Authorization") or ""
                fake._local.token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else None
                try:
                    super().do_POST()
                finally:
                    fake._local.token = None

        return Handler


# --- Slack's side of a workspace's requests ------------------------------------------------------

class WorkspaceSender(SlackSender):
    """Signed requests from one workspace, carrying its enterprise (Grid) as Slack does."""

    def __init__(self, base_url: str, ws: Workspace, team_id: str | None = None):
        super().__init__(base_url, SIGNING_SECRET, team_id or ws.team_id)
        self.ws = ws

    def _grid(self) -> dict[str, Any]:
        return {"enterprise_id": self.ws.enterprise_id, "is_enterprise_install": self.ws.org_wide}

    def send_form(self, fields: dict[str, str], headers: dict[str, str] | None = None, signed: bool = True):
        if self.ws.enterprise_id:
            fields = dict(fields)
            if "payload" in fields:
                payload = json.loads(fields["payload"])
                payload["enterprise"] = {"id": self.ws.enterprise_id, "name": f"{self.ws.name} Grid"}
                payload["is_enterprise_install"] = self.ws.org_wide
                payload.setdefault("user", {})["enterprise_id"] = self.ws.enterprise_id
                fields["payload"] = json.dumps(payload)
            else:
                fields.update({k: str(v).lower() if isinstance(v, bool) else v for k, v in self._grid().items()})
        return super().send_form(fields, headers, signed)

    def send_json(self, payload: dict[str, Any], headers: dict[str, str] | None = None):
        payload = dict(payload)
        if self.ws.enterprise_id:
            payload.update(self._grid())
        for auth in payload.get("authorizations") or []:
            auth.update(self._grid(), user_id=self.ws.bot_user)
        return super().send_json(payload, headers)


class Member(Person):
    """A person of one workspace, in Slack (tests/e2e/helpers.Person, with that workspace's requests)."""

    def __init__(self, server: Server, ws: Workspace, user: str, team_id: str | None = None):
        super().__init__(server, user)
        self.ws = ws
        self.sender = WorkspaceSender(server.url, ws, team_id)
        # Person drives `self.server.slack`: give it a view of the server whose sender is ours.
        self.server = _ServerAs(server, self.sender)


class _ServerAs:
    def __init__(self, server: Server, sender: SlackSender):
        self._server, self.slack = server, sender

    def __getattr__(self, name: str) -> Any:
        return getattr(self._server, name)


# --- the OAuth install, as a workspace admin's browser goes through it ---------------------------

@dataclass
class Install:
    authorize_url: str
    state: str
    status: int
    page: str


def http_get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, list[str]], str]:
    """A GET that does not follow redirects (the browser's next hop is what the test looks at)."""
    parts = urlparse(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {})
        resp = conn.getresponse()
        found: dict[str, list[str]] = {}
        for k, v in resp.getheaders():
            found.setdefault(k.lower(), []).append(v)
        return resp.status, found, resp.read().decode(errors="replace")
    finally:
        conn.close()


def begin_install(server: Server) -> tuple[str, str, str]:
    """GET /slack/install: the authorize URL (Slack's consent page) and the state cookie set."""
    status, headers, body = http_get(server.url + "/slack/install")
    assert status in (200, 302), (status, body[:300])
    if status == 302:
        url = headers["location"][0]
    else:
        found = re.search(r'href="([^"]*oauth/v2/authorize[^"]*)"', body)
        assert found, body[:500]
        url = html.unescape(found.group(1))
    query = parse_qs(urlparse(url).query)
    state = query["state"][0]
    cookies = [c for c in headers.get("set-cookie", []) if c.startswith(STATE_COOKIE + "=")]
    assert cookies, headers
    cookie = cookies[0].split(";", 1)[0]
    return url, state, cookie


def install(server: Server, ws: Workspace) -> Install:
    """Add to Slack: /slack/install, Slack's consent (the fake hands out `ws.code`), then Slack
    sends the browser back to /slack/oauth_redirect with the code and the state."""
    url, state, cookie = begin_install(server)
    query = parse_qs(urlparse(url).query)
    assert query["client_id"] == [CLIENT_ID]
    assert {"chat:write", "commands"} <= set(query["scope"][0].split(","))
    back = server.url + "/slack/oauth_redirect?" + urlencode({"code": ws.code, "state": state})
    status, _headers, page = http_get(back, {"Cookie": cookie})
    return Install(url, state, status, page)


# --- the server in multi-workspace mode ----------------------------------------------------------

def multi_env(workdir: Path, fake: FakeSlack, db_url: str) -> dict[str, str]:
    """No SLACK_BOT_TOKEN; the deployment's file gives only the policy a new workspace starts
    with (hmg-2008, the pack the walks here are written for)."""
    workdir.mkdir(parents=True, exist_ok=True)
    cfg = workdir / "canishare.yml"
    cfg.write_text(yaml.safe_dump(TEST_CONFIG))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CANISHARE_"))}
    env.update({
        "CANISHARE_CONFIG": str(cfg),
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "CANISHARE_TOKEN_KEY": TOKEN_KEY,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.url,
        "CANISHARE_PSEUDONYM_KEY": PSEUDONYM_KEY,
        "DATABASE_URL": db_url,
        "PYTHONUNBUFFERED": "1",
    })
    return env


def start_multi(workdir: Path, fake: TenantFake, db_url: str, extra_args: tuple[str, ...] = ()) -> Server:
    return start_server(workdir, fake, db_url, env=multi_env(workdir, fake, db_url), extra_args=extra_args)


def installed(server: Server, fake: TenantFake, *workspaces: Workspace) -> None:
    for ws in workspaces:
        if ws not in fake.workspaces:
            fake.add(ws)
        done = install(server, ws)
        assert done.status == 200, (done.status, done.page[:300])


@pytest.fixture(scope="module")
def tenant_fake() -> Iterator[TenantFake]:
    fake = TenantFake().start()
    yield fake
    fake.stop()
    assert not fake.invalid, f"the bot sent Block Kit that Slack would refuse: {fake.invalid[:5]}"


@pytest.fixture
def multi_srv(tmp_path: Path, tenant_fake: TenantFake) -> Iterator[Server]:
    """A server of its own in multi-workspace mode, no workspace installed yet."""
    tenant_fake.reset()
    db = FreshDatabase(tmp_path)
    server = start_multi(tmp_path / "srv", tenant_fake, db.url)
    yield server
    server.stop()
    db.drop()


# --- the walks and the two workspaces of the tests ------------------------------------------------

SHARE = ["no", "yes", "no"]  # share
ASK_LEAD = ["no", "not_sure"]  # seek advice: an escalation to the team's lead


def two_workspaces() -> tuple[Workspace, Workspace]:
    return (Workspace("T0AAA0001", "Ashdown Academies Trust", "AAA"),
            Workspace("T0BBB0002", "Brookfield County Council", "BBB"))


def lead_ping(lead: Member, since: int, timeout: float = 15) -> dict[str, Any]:
    """The escalation the bot sends to a lead's DM (a new team's lead, without a channel)."""
    count = 1
    while True:
        calls = lead.fake.wait_for("chat.postMessage", count=count, since=since, channel=lead.dm, timeout=timeout)
        for call in calls[count - 1:]:
            if "esc_claim" in buttons(call.message.get("blocks") or []):
                return call.message
        count = len(calls) + 1


def resolve_option(blocks: list[dict[str, Any]], outcome: str) -> str:
    return next(o["value"] for b in blocks if (b.get("accessory") or {}).get("action_id") == "esc_resolve"
                for o in b["accessory"]["options"] if o["value"].endswith(":" + outcome))


# --- the CLI per workspace -------------------------------------------------------------------------

def export_of(server: Server, ws: Workspace | str) -> list[dict[str, Any]]:
    tenant = ws if isinstance(ws, str) else ws.tenant
    out = server.cli("export", "--format", "jsonl", "--workspace", tenant).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def digest_of(server: Server, ws: Workspace) -> dict[str, Any]:
    return json.loads(server.cli("digest", "--format", "json", "--workspace", ws.tenant).stdout)


def verify_of(server: Server, ws: Workspace) -> str:
    return server.cli("verify", "--workspace", ws.tenant).stdout


def wait_until(check, timeout: float = 10.0, every: float = 0.1):
    deadline = time.time() + timeout
    while True:
        got = check()
        if got or time.time() > deadline:
            return got
        time.sleep(every)


__all__ = ["ASK_LEAD", "SHARE", "lead_ping", "resolve_option", "two_workspaces", "CLIENT_ID", "Member", "TenantFake", "Workspace", "WorkspaceSender", "begin_install", "digest_of", "export_of",
           "install", "installed", "multi_env", "multi_srv", "start_multi", "tenant_fake", "verify_of", "wait_until"]
