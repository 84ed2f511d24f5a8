"""Installing through Slack's OAuth flow, end to end: the real server in many-workspace mode, an
installer's browser (plain HTTP, cookies by hand) and the fake Slack's consent page and
oauth.v2.access. Two workspaces install; their tokens are stored encrypted (read from the table
itself); each is answered with its own token; forged and replayed callbacks install nothing; an
uninstall removes the installation; single-workspace mode has no install pages."""
from __future__ import annotations

import html
import http.client
import os
import re
import subprocess
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, select

from tests.conftest import PSEUDONYM_KEY, FreshDatabase, canishare_exe, start_server
from tests.fakeslack import FakeSlack
from tests.slackreq import SIGNING_SECRET, SlackSender

CLIENT_ID = "4444444444.5555555555"
CLIENT_SECRET = "oauth-test-client-secret"
TOKEN_KEY = Fernet.generate_key().decode()
STATE_COOKIE = "slack-app-oauth-state"


def multi_env(workdir: Path, fake: FakeSlack, db_url: str, token_key: str = TOKEN_KEY) -> dict[str, str]:
    """A server for many workspaces: no SLACK_BOT_TOKEN, the app's OAuth credentials instead."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CANISHARE_"))}
    env.update({"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET, "CANISHARE_TOKEN_KEY": token_key,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake.url,
                "CANISHARE_PSEUDONYM_KEY": PSEUDONYM_KEY, "DATABASE_URL": db_url, "PYTHONUNBUFFERED": "1"})
    return env


def get(url: str, cookie: str | None = None) -> tuple[int, dict[str, list[str]], str]:
    """One browser GET, redirects not followed."""
    parts = urlparse(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""),
                     headers={"Cookie": cookie} if cookie else {})
        resp = conn.getresponse()
        headers: dict[str, list[str]] = {}
        for k, v in resp.getheaders():
            headers.setdefault(k.lower(), []).append(v)
        return resp.status, headers, resp.read().decode(errors="replace")
    finally:
        conn.close()


def add_to_slack(server, fake: FakeSlack, code: str) -> tuple[int, str, str]:
    """The installer's browser: the Add to Slack page, Slack's consent page (Allow), back to the
    app's redirect with the code; returns (status, page, the state used)."""
    status, headers, page = get(server.url + "/slack/install")
    assert status == 200, page[:300]
    cookie = next(c for c in headers["set-cookie"] if c.startswith(STATE_COOKIE + "=")).split(";", 1)[0]
    authorize = html.unescape(re.search(r'<a href="([^"]+)"', page).group(1))
    query = parse_qs(urlparse(authorize).query)
    assert authorize.startswith(fake.url.removesuffix("api/") + "oauth/v2/authorize")  # the configured Slack, not slack.com
    assert query["client_id"] == [CLIENT_ID] and {"chat:write", "commands"} <= set(query["scope"][0].split(","))
    fake.consent = (code, server.url + "/slack/oauth_redirect")
    status, headers, _ = get(authorize)
    assert status == 302
    back = headers["location"][0]
    status, _, page = get(back, cookie)
    return status, page, query["state"][0]


def stored_rows(db_url: str) -> list[dict]:
    """What the control database's installation tables hold, read with plain SQL metadata."""
    from sqlalchemy import MetaData

    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        meta = MetaData()
        meta.reflect(engine, only=["slack_installations", "slack_bots"])
        with engine.connect() as conn:
            return [dict(r) for t in meta.sorted_tables for r in conn.execute(select(t)).mappings()]
    finally:
        engine.dispose()


def _multi_server(tmp_path: Path, fake: FakeSlack, **extra: str):
    fake.reset()
    fake.client_id, fake.client_secret = CLIENT_ID, CLIENT_SECRET
    db = FreshDatabase(tmp_path)
    env = {**multi_env(tmp_path / "srv", fake, db.url), **extra}
    server = start_server(tmp_path / "srv", fake, db.url, env=env)
    yield server
    server.stop()
    db.drop()
    fake.reset()


@pytest.fixture
def multi(tmp_path: Path, fake_slack: FakeSlack):
    yield from _multi_server(tmp_path, fake_slack)


@pytest.fixture
def allow_listed(tmp_path: Path, fake_slack: FakeSlack):
    """A provider's deployment: only the workspaces with an agreement may install."""
    yield from _multi_server(tmp_path, fake_slack, CANISHARE_ALLOWED_WORKSPACES="T0ALPHA1, E0OTHER1")


ALPHA = dict(team_id="T0ALPHA1", name="Alpha Council", bot_token="xoxb-alpha-" + uuid.uuid4().hex, installer="U0ALADMIN",
             code="code-alpha-1", bot_user="U0ALBOT")
BETA = dict(team_id="T0BETA22", name="Beta Trust", bot_token="xoxb-beta-" + uuid.uuid4().hex, installer="U0BEADMIN",
            code="code-beta-1", bot_user="U0BEBOT")


def test_two_workspaces_install_and_each_is_answered_with_its_own_token(multi):
    fake = multi.fake
    for ws in (ALPHA, BETA):
        fake.add_workspace(**ws)
        status, page, _ = add_to_slack(multi, fake, ws["code"])
        assert status == 200 and "canishare is installed" in page and html.escape(ws["name"]) in page, page[:400]
    exchanged = fake.calls_to("oauth.v2.access")
    assert [c.args["code"] for c in exchanged] == ["code-alpha-1", "code-beta-1"]
    assert all(c.args["_basic"] == (CLIENT_ID, CLIENT_SECRET) for c in exchanged)  # the app's credentials, not in the URL

    rows = stored_rows(multi.db_url)
    assert {r["team_id"] for r in rows} == {"T0ALPHA1", "T0BETA22"}
    for row in rows:  # at rest, never the token itself
        held = " ".join(str(v) for v in row.values())
        assert ALPHA["bot_token"] not in held and BETA["bot_token"] not in held and "xoxb-" not in held
        assert row["bot_token"].startswith("gAAAA")  # a Fernet token
    listed = multi.cli("workspaces").stdout
    assert "T0ALPHA1" in listed and "T0BETA22" in listed

    for ws in (ALPHA, BETA):  # the installer (first admin and lead) starts a conversation in each
        mark = fake.mark()
        reply = SlackSender(multi.url, workspace=ws["team_id"]).command(ws["installer"], team=ws["team_id"])
        assert reply.status == 200, reply
        posted = fake.wait_for("chat.postMessage", since=mark, channel={ws["installer"], "D" + ws["installer"][1:]})
        assert {c.args["_token"] for c in fake.calls_to_since("chat.postMessage", mark)} == {ws["bot_token"]}
        assert posted
    log = multi.log()
    for secret in (ALPHA["bot_token"], BETA["bot_token"], "code-alpha-1", "code-beta-1", CLIENT_SECRET, TOKEN_KEY):
        assert secret not in log  # nor the state: a log line names the step and the status only
    assert "oauth_redirect answered 200" in log


def test_an_org_wide_install_serves_every_workspace_of_the_grid_org(multi):
    fake = multi.fake
    token = "xoxb-grid-" + uuid.uuid4().hex
    fake.add_workspace(team_id="T0GRIDHQ", name="County HQ", bot_token=token, installer="U0GRADMIN",
                       code="code-grid-1", enterprise_id="E0COUNTY1", enterprise_name="County Council", org_wide=True,
                       bot_user="U0GRBOT")
    status, page, _ = add_to_slack(multi, fake, "code-grid-1")
    assert status == 200 and "County Council" in page
    rows = stored_rows(multi.db_url)
    assert {(r["enterprise_id"], r["team_id"], bool(r["is_enterprise_install"])) for r in rows} == {("E0COUNTY1", None, True)}
    assert "E0COUNTY1" in multi.cli("workspaces").stdout
    # a person in another workspace of the org: Slack names that workspace and the org
    mark = fake.mark()
    reply = SlackSender(multi.url, workspace="T0GRIDW2").send_form({
        "token": "legacy", "team_id": "T0GRIDW2", "team_domain": "w2", "enterprise_id": "E0COUNTY1",
        "is_enterprise_install": "true", "channel_id": "C0GENERAL", "channel_name": "general", "user_id": "U0GRADMIN",
        "user_name": "someone", "command": "/canishare", "text": "", "api_app_id": "A0CANISHARE",
        "response_url": "http://127.0.0.1:9/none", "trigger_id": "1.2.3"})
    assert reply.status == 200, reply
    fake.wait_for("chat.postMessage", since=mark, channel={"U0GRADMIN", "D0GRADMIN"})
    assert {c.args["_token"] for c in fake.calls_to_since("chat.postMessage", mark)} == {token}


def test_a_forged_or_replayed_callback_installs_nothing(multi):
    fake = multi.fake
    fake.add_workspace(**ALPHA)
    forged = multi.url + "/slack/oauth_redirect?" + urlencode({"code": ALPHA["code"], "state": "made-up"})
    status, _, page = get(forged, f"{STATE_COOKIE}=made-up")  # a cookie to match, but a state never issued
    assert status == 400 and "expired or was already used" in page
    status, _, _ = get(multi.url + "/slack/oauth_redirect?" + urlencode({"code": ALPHA["code"]}))
    assert status == 400
    assert fake.calls_to("oauth.v2.access") == []  # the code was never even exchanged

    status, _, state = add_to_slack(multi, fake, ALPHA["code"])
    assert status == 200
    replay = multi.url + "/slack/oauth_redirect?" + urlencode({"code": ALPHA["code"], "state": state})
    status, _, page = get(replay, f"{STATE_COOKIE}={state}")
    assert status == 400 and len(fake.calls_to("oauth.v2.access")) == 1
    status, _, page = get(multi.url + "/slack/oauth_redirect?error=<script>alert(1)</script>")
    assert "<script>" not in page and "alert" not in multi.log()  # what the URL says is never echoed or logged


def test_an_uninstall_removes_the_installation_and_keeps_the_other(multi):
    fake = multi.fake
    for ws in (ALPHA, BETA):
        fake.add_workspace(**ws)
        assert add_to_slack(multi, fake, ws["code"])[0] == 200
    fake.uninstall(ALPHA["bot_token"])
    reply = SlackSender(multi.url, workspace="T0ALPHA1").event({"type": "app_uninstalled"}, team="T0ALPHA1")
    assert reply.status == 200

    def alpha_gone() -> bool:
        return {r["team_id"] for r in stored_rows(multi.db_url)} == {"T0BETA22"}

    import time

    deadline = time.time() + 10
    while not alpha_gone() and time.time() < deadline:
        time.sleep(0.1)
    assert alpha_gone()
    listed = multi.cli("workspaces").stdout
    alpha_line = next(line for line in listed.splitlines() if "T0ALPHA1" in line)
    assert "removed" in alpha_line.lower() or re.search(r"\d{4}-\d\d-\d\d.*\d{4}-\d\d-\d\d", alpha_line), listed


def test_only_the_allowed_workspaces_may_install(allow_listed):
    server, fake = allow_listed, allow_listed.fake
    for ws in (ALPHA, BETA):
        fake.add_workspace(**ws)
    assert add_to_slack(server, fake, ALPHA["code"])[0] == 200
    status, page, _ = add_to_slack(server, fake, BETA["code"])
    assert status == 403 and "needs an agreement with the provider" in page
    assert {r["team_id"] for r in stored_rows(server.db_url)} == {"T0ALPHA1"}  # Beta's token was never kept
    assert [c.args["_token"] for c in fake.calls_to("auth.revoke")] == [BETA["bot_token"]]  # and was given back
    assert "T0BETA22" not in server.cli("workspaces").stdout


def test_a_bad_allow_list_stops_start_up(tmp_path, fake_slack):
    env = {**multi_env(tmp_path, fake_slack, f"sqlite:///{tmp_path / 'c.db'}"), "CANISHARE_ALLOWED_WORKSPACES": "T0ALPHA1,alpha council"}
    done = subprocess.run([canishare_exe(), "serve", "--port", "0"], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1 and "CANISHARE_ALLOWED_WORKSPACES holds 'ALPHA COUNCIL'" in done.stderr


def test_rotation_rewrites_the_stored_tokens_for_a_new_key(multi):
    fake = multi.fake
    fake.add_workspace(**ALPHA)
    assert add_to_slack(multi, fake, ALPHA["code"])[0] == 200
    new = Fernet.generate_key().decode()
    env = {**multi.env, "CANISHARE_TOKEN_KEY": f"{new},{TOKEN_KEY}"}
    done = subprocess.run([canishare_exe(), "tokens", "rotate"], env=env, cwd=multi.workdir, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "2 stored tokens now encrypted with the newest key" in done.stderr and "may now be removed" in done.stderr
    for row in stored_rows(multi.db_url):
        assert Fernet(new).decrypt(row["bot_token"].encode()).decode() == ALPHA["bot_token"]
    wrong = subprocess.run([canishare_exe(), "tokens", "rotate"], env={**multi.env, "CANISHARE_TOKEN_KEY": TOKEN_KEY},
                           cwd=multi.workdir, capture_output=True, text=True, timeout=60)
    assert wrong.returncode == 1 and "nothing was changed" in wrong.stderr and "Traceback" not in wrong.stderr
    for key, code in ((new, 0), (TOKEN_KEY, 1)):  # the old key alone may now go; check says so before it does
        checked = subprocess.run([canishare_exe(), "tokens", "check"], env={**multi.env, "CANISHARE_TOKEN_KEY": key},
                                 cwd=multi.workdir, capture_output=True, text=True, timeout=60)
        assert checked.returncode == code, checked.stderr


@pytest.mark.parametrize("key, expected", [("", "CANISHARE_TOKEN_KEY"), ("not-a-fernet-key", "not a Fernet key")])
def test_serve_refuses_a_missing_or_bad_token_key_in_one_line(tmp_path, fake_slack, key, expected):
    env = multi_env(tmp_path, fake_slack, f"sqlite:///{tmp_path / 'c.db'}", token_key=key)
    done = subprocess.run([canishare_exe(), "serve", "--port", "0"], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and expected in lines[0] and "not-a-fernet-key" not in lines[0], done.stderr


def test_one_workspace_has_no_install_pages(srv):
    for path in ("/slack/install", "/slack/oauth_redirect?code=x&state=y"):
        status, _, body = get(srv.url + path)
        assert status == 404 and body == "not found\n"
