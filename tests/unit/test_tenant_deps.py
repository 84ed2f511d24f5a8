"""Many workspaces: which tenant a request is for, that tenant's Deps, and the background loops
over tenants. The tenants' databases are real (SQLite files, or PostgreSQL databases with
DATABASE_URL); the registry is a small stand-in for storage.tenancy.Tenants (same methods)."""
from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Iterator
from urllib.parse import urlencode

import pytest
from slack_bolt import App, BoltRequest
from slack_bolt.authorization import AuthorizeResult
from sqlalchemy import func, select

from bot.config import Settings
from bot.config_store import ConfigStore
from bot.delivery import DeliveryLoop
from bot.listeners import on_error, register_all
from bot.scheduled_tasks import each_tenant
from bot.slack_connect import OWN_WORKSPACE, foreign_actor
from bot.tenant_deps import NOT_SET_UP, TENANT, TenantDeps, resolve_tenant, seed_configuration, tenancy_middleware
from storage.db import Database
from storage.models import Conversation, Job, utcnow
from tests.conftest import PSEUDONYM_KEY, TEST_CONFIG, FreshDatabase
from tests.fakeslack import FakeSlack
from tests.slackreq import SIGNING_SECRET, sign

ORG = "E0ORGA1"
TEAM_A, TEAM_B, TEAM_C = "T0AAAA1", "T0BBBB2", "T0CCCC3"


class RegistryStandIn:
    """storage.tenancy.Tenants' interface over databases made here."""

    def __init__(self, dbs: dict[str, Database]):
        self.dbs = dbs
        self.removed: set[str] = set()

    def database(self, tenant_id: str) -> Database:
        if tenant_id not in self.dbs:
            raise LookupError(tenant_id)
        return self.dbs[tenant_id]

    def active(self) -> list[str]:
        return sorted(t for t in self.dbs if t not in self.removed)

    def is_active(self, tenant_id: str) -> bool:
        return tenant_id in self.dbs and tenant_id not in self.removed

    def remove(self, tenant_id: str) -> None:
        self.removed.add(tenant_id)


@pytest.fixture
def tenant_dbs(tmp_path: Path) -> Iterator[dict[str, Database]]:
    made, dbs = [], {}
    for tenant in (TEAM_A, TEAM_B):
        fresh = FreshDatabase(tmp_path)
        made.append(fresh)
        db = Database(fresh.url)
        db.migrate()
        dbs[tenant] = db
    yield dbs
    for db in dbs.values():
        db.engine.dispose()
    for fresh in made:
        fresh.drop()


@pytest.fixture
def source(tenant_dbs, fake_slack: FakeSlack) -> TenantDeps:
    fake_slack.reset()
    for tenant, db in tenant_dbs.items():
        settings = Settings(**{**TEST_CONFIG, "organisation": f"Council {tenant}"})
        ConfigStore(db).apply(settings, author="file")
    tokens = {t: f"xoxb-{t.lower()}" for t in tenant_dbs}
    return TenantDeps(RegistryStandIn(tenant_dbs), master_key=PSEUDONYM_KEY, api_url=fake_slack.url,
                      token_for=tokens.get)


# --- which tenant ------------------------------------------------------------------------

def test_an_org_wide_install_owns_every_workspace_of_its_org():
    active = {ORG, TEAM_C}.__contains__
    assert resolve_tenant(active, ORG, TEAM_A) == ORG  # Grid: team.id is another workspace of the org
    assert resolve_tenant(active, None, TEAM_C) == TEAM_C
    assert resolve_tenant(active, "E0OTHER", TEAM_C) == TEAM_C  # a workspace-level install inside another org
    assert resolve_tenant(active, None, TEAM_B) is None  # not installed: no tenant, no default
    assert resolve_tenant(active, None, None) is None


def test_a_person_from_another_organisation_is_foreign():
    active = {TEAM_A, TEAM_B, ORG}.__contains__
    click = {"type": "block_actions", "team": {"id": TEAM_A}, "user": {"id": "U0PARTNER", "team_id": TEAM_B}}
    assert foreign_actor(click, TEAM_A, active).installed is True  # their own canishare exists
    partner = {**click, "user": {"id": "U0PARTNER", "team_id": "T0NOCANI"}}
    assert foreign_actor(partner, TEAM_A, active).installed is False
    mention = {"type": "event_callback", "team_id": TEAM_A, "is_ext_shared_channel": True,
               "event": {"type": "app_mention", "user": "U0PARTNER", "user_team": "T0NOCANI", "team": "T0NOCANI"}}
    assert foreign_actor(mention, TEAM_A, active).home == "T0NOCANI"
    ours = {**click, "user": {"id": "U0OURS", "team_id": TEAM_A}}
    assert foreign_actor(ours, TEAM_A, active) is None
    command = {"command": "/canishare", "team_id": TEAM_A, "user_id": "U0OURS"}  # no actor team: the tenant stands
    assert foreign_actor(command, TEAM_A, active) is None


def test_grid_users_of_the_same_org_are_not_foreign():
    active = {ORG, TEAM_B}.__contains__
    other_workspace_of_org = {"type": "block_actions", "enterprise": {"id": ORG}, "team": None,
                              "user": {"id": "W0GRIDUSER", "team_id": "T0ORGWS2"}}
    assert foreign_actor(other_workspace_of_org, ORG, active) is None
    another_org = {"type": "event_callback", "enterprise_id": ORG,
                   "event": {"type": "message", "user": "W0X", "user_team": "E0OTHERORG"}}
    assert foreign_actor(another_org, ORG, active) is not None
    installed_elsewhere = {"type": "block_actions", "user": {"id": "U0B", "team_id": TEAM_B}}
    assert foreign_actor(installed_elsewhere, ORG, active).installed is True
    # A workspace-level install in a Grid org: a user of that org may be named by the org's id.
    same_org = {"type": "event_callback", "enterprise_id": ORG, "authorizations": [{"enterprise_id": ORG}],
                "event": {"type": "app_mention", "user": "W0G", "user_team": ORG}}
    assert foreign_actor(same_org, TEAM_B, active) is None


# --- a tenant's Deps ---------------------------------------------------------------------

def test_each_tenant_gets_its_own_deps_and_unknown_gets_none(source: TenantDeps, tenant_dbs):
    a, b = source.resolve({TENANT: TEAM_A}), source.resolve({TENANT: TEAM_B})
    assert a.db is tenant_dbs[TEAM_A] and b.db is tenant_dbs[TEAM_B]
    assert a.settings.organisation == f"Council {TEAM_A}" and b.settings.organisation == f"Council {TEAM_B}"
    assert len({a.pseudonym_key, b.pseudonym_key, PSEUDONYM_KEY}) == 3  # derived per tenant from the master key
    assert a.deliverer.db is a.db and a.escalations.db is a.db and a.membership is not None
    assert a.deliverer.client.token == "xoxb-t0aaaa1" and a.client.token == "xoxb-t0aaaa1"
    assert source.resolve({TENANT: TEAM_A}) is a  # built once per process
    assert source.resolve({}) is None and source.resolve(None) is None  # no tenant in the context: nothing
    assert source.resolve({TENANT: "T0NOTOURS"}) is None
    source.tenants.remove(TEAM_B)
    source.forget(TEAM_B)
    assert source.resolve({TENANT: TEAM_B}) is None  # uninstalled: no Deps, in this process at once
    assert [d.tenant for d in source.served()] == [TEAM_A]


def test_a_reinstall_with_a_new_token_reaches_the_tenants_clients(source: TenantDeps):
    a = source.for_tenant(TEAM_A)
    source.token_for = lambda tenant: "xoxb-new-token"
    source.forget(TEAM_A)
    assert source.for_tenant(TEAM_A) is a
    assert a.client.token == "xoxb-new-token" and a.deliverer.client.token == "xoxb-new-token"


def test_a_new_tenant_is_seeded_once_with_its_installer_as_admin_and_lead(tenant_dbs):
    db = tenant_dbs[TEAM_A]
    store = ConfigStore(db)
    assert store.latest() is None
    assert seed_configuration(db, organisation="Example Council", installer="U0INSTALL", policy=None)
    version = store.latest()
    assert version.author == "slack:U0INSTALL"
    assert version.settings.admins == ["U0INSTALL"] and version.settings.teams[0].leads == ["U0INSTALL"]
    assert version.settings.default_team == "general" and version.settings.organisation == "Example Council"
    assert not seed_configuration(db, organisation="Other", installer="U0OTHER", policy=None)
    assert store.latest().number == version.number


# --- requests through Bolt ---------------------------------------------------------------

def _multi_app(source: TenantDeps, fake: FakeSlack) -> App:
    from slack_sdk import WebClient

    def authorize(enterprise_id, team_id, **_):  # as the installation store would: a token per installed tenant
        tenant = resolve_tenant(source.is_active, enterprise_id, team_id)
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=f"xoxb-{tenant.lower()}",
                               bot_user_id="U0BOT") if tenant else None

    app = App(signing_secret=SIGNING_SECRET, client=WebClient(base_url=fake.url), authorize=authorize,
              process_before_response=True, raise_error_for_unhandled_request=True)
    app.middleware(tenancy_middleware(source))
    register_all(app, source)
    app.error(on_error)
    return app


def _command(app: App, team: str, user: str) -> tuple[int, str]:
    body = urlencode({"command": "/canishare", "text": "", "team_id": team, "user_id": user, "channel_id": "D0DM",
                      "channel_name": "directmessage", "trigger_id": "1.2"})
    resp = app.dispatch(BoltRequest(body=body, headers={**sign(body.encode()),
                                                         "Content-Type": "application/x-www-form-urlencoded"}))
    return resp.status, resp.body


def _conversations(db: Database) -> int:
    with db.transaction() as s:
        return s.execute(select(func.count()).select_from(Conversation)).scalar_one()


def test_a_command_starts_a_conversation_in_its_own_tenant_only(source: TenantDeps, tenant_dbs, fake_slack):
    app = _multi_app(source, fake_slack)
    status, _ = _command(app, TEAM_A, "U0PRACT1")
    assert status == 200
    fake_slack.wait_for("chat.postMessage")
    assert _conversations(tenant_dbs[TEAM_A]) == 1 and _conversations(tenant_dbs[TEAM_B]) == 0


def test_a_command_from_a_workspace_without_canishare_does_nothing(source: TenantDeps, tenant_dbs, fake_slack):
    app = _multi_app(source, fake_slack)
    mark = fake_slack.mark()
    source.tenants.remove(TEAM_B)
    source.forget(TEAM_B)
    status, _ = _command(app, TEAM_B, "U0PRACT1")  # Bolt finds no installation and answers itself
    assert status == 200
    assert _conversations(tenant_dbs[TEAM_A]) == 0 and _conversations(tenant_dbs[TEAM_B]) == 0
    assert not fake_slack.calls_to_since("chat.postMessage", mark)


def test_the_middleware_refuses_an_unknown_tenant_even_when_authorized(source: TenantDeps, tenant_dbs, fake_slack):
    from slack_sdk import WebClient

    def authorize(enterprise_id, team_id, **_):  # an installation with no tenant row (half-installed)
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token="xoxb-x", bot_user_id="U0BOT")

    app = App(signing_secret=SIGNING_SECRET, client=WebClient(base_url=fake_slack.url), authorize=authorize,
              process_before_response=True, raise_error_for_unhandled_request=True)
    app.middleware(tenancy_middleware(source))
    register_all(app, source)
    mark = fake_slack.mark()
    status, body = _command(app, "T0NOTOURS", "U0PRACT1")
    assert (status, body) == (200, NOT_SET_UP)
    assert not fake_slack.calls_to_since("chat.postMessage", mark)
    assert _conversations(tenant_dbs[TEAM_A]) == 0 and _conversations(tenant_dbs[TEAM_B]) == 0


def test_a_partner_in_a_shared_channel_is_sent_to_their_own_canishare(source: TenantDeps, tenant_dbs, fake_slack):
    app = _multi_app(source, fake_slack)
    mark = fake_slack.mark()
    payload = {"type": "block_actions", "team": {"id": TEAM_A}, "user": {"id": "U0PARTNER", "team_id": TEAM_B},
               "channel": {"id": "C0SHARED"}, "container": {"type": "message", "channel_id": "C0SHARED"},
               "trigger_id": "1.2", "actions": [{"action_id": "start", "value": "", "type": "button"}]}
    body = urlencode({"payload": json.dumps(payload)})
    resp = app.dispatch(BoltRequest(body=body, headers={**sign(body.encode()),
                                                         "Content-Type": "application/x-www-form-urlencoded"}))
    assert resp.status == 200
    told = fake_slack.wait_for("chat.postEphemeral", since=mark)
    assert told[0].args.get("text") == OWN_WORKSPACE and told[0].args.get("user") == "U0PARTNER"
    assert _conversations(tenant_dbs[TEAM_A]) == 0 and _conversations(tenant_dbs[TEAM_B]) == 0


def test_a_partner_whose_org_has_no_canishare_is_refused_politely(source: TenantDeps, tenant_dbs, fake_slack):
    app = _multi_app(source, fake_slack)
    mark = fake_slack.mark()
    event = json.dumps({"type": "event_callback", "team_id": TEAM_A, "api_app_id": "A0CANISHARE", "event_id": "Ev0X",
                        "event_time": 1700000000, "is_ext_shared_channel": True,
                        "authorizations": [{"team_id": TEAM_A, "user_id": "U0BOT", "is_bot": True}],
                        "event": {"type": "app_mention", "user": "U0PARTNER", "user_team": "T0NOCANI",
                                  "team": "T0NOCANI", "channel": "C0SHARED", "text": "<@U0BOT> can I share?",
                                  "ts": "1700000000.000200", "event_ts": "1700000000.000200"}})
    resp = app.dispatch(BoltRequest(body=event, headers={**sign(event.encode()), "Content-Type": "application/json"}))
    assert resp.status == 200
    told = fake_slack.wait_for("chat.postEphemeral", since=mark)
    assert told[0].args.get("text") == NOT_SET_UP and told[0].args.get("channel") == "C0SHARED"
    assert _conversations(tenant_dbs[TEAM_A]) == 0 and _conversations(tenant_dbs[TEAM_B]) == 0
    assert not fake_slack.calls_to_since("chat.postMessage", mark)


# --- the background loops over tenants ---------------------------------------------------

def test_every_tenant_runs_its_scheduled_tasks_on_its_own_database(source: TenantDeps, tenant_dbs):
    visited = each_tenant(source)(utcnow())
    assert visited == 2
    for db in tenant_dbs.values():  # each tenant's retention job row is in its own database
        with db.transaction() as s:
            assert s.get(Job, "retention") is not None


def test_one_failing_tenant_never_stops_the_others(source: TenantDeps, tenant_dbs):
    broken = source.for_tenant(TEAM_A)
    broken.deliverer.run_due = lambda now=None: (_ for _ in ()).throw(RuntimeError("down"))
    broken.escalations.remind_due = lambda m, now: (_ for _ in ()).throw(RuntimeError("down"))
    assert each_tenant(source)(utcnow() + timedelta(seconds=1)) == 2
    with tenant_dbs[TEAM_B].transaction() as s:
        assert s.get(Job, "retention") is not None
    passes = []
    source.for_tenant(TEAM_B).deliverer.run_due = lambda now=None: passes.append(TEAM_B) or 0
    DeliveryLoop(tenants=source.served).run_once()
    assert passes == [TEAM_B]


# --- with the real registry --------------------------------------------------------------

def test_an_install_registers_the_tenant_seeds_it_and_an_uninstall_stops_it(database, fake_slack):
    from slack_sdk.oauth.installation_store import Installation

    from bot.tenant_deps import installed
    from storage.tenancy import Tenants

    tenants = Tenants(database)  # the control database: the registry; each tenant's data apart
    source = TenantDeps(tenants, master_key=PSEUDONYM_KEY, api_url=fake_slack.url, token_for=lambda t: "xoxb-" + t)
    try:
        org = Installation(user_id="U0INSTALL", enterprise_id=ORG, enterprise_name="Example Trust", team_id=None,
                           is_enterprise_install=True, bot_token="xoxb-org", bot_id="B0", bot_user_id="U0BOT")
        assert installed(tenants, source, org) == ORG
        ws = Installation(user_id="U0OTHER", team_id=TEAM_C, team_name="Example Council", bot_token="xoxb-c",
                          bot_id="B1", bot_user_id="U0BOT2")
        assert installed(tenants, source, ws) == TEAM_C
        assert tenants.active() == [ORG, TEAM_C]
        trust, council = source.for_tenant(ORG), source.for_tenant(TEAM_C)
        assert trust.db is not council.db
        assert trust.settings.organisation == "Example Trust" and trust.settings.admins == ["U0INSTALL"]
        assert council.settings.organisation == "Example Council" and council.settings.admins == ["U0OTHER"]
        # a payload from another workspace of the org resolves to the org's Deps
        assert source.resolve({TENANT: resolve_tenant(source.is_active, ORG, "T0ORGWS2")}) is trust
        tenants.remove(TEAM_C)
        source.forget(TEAM_C)
        assert source.for_tenant(TEAM_C) is None and [d.tenant for d in source.served()] == [ORG]
        installed(tenants, source, ws)  # reinstalled: the same data, the same configuration (not seeded again)
        assert source.for_tenant(TEAM_C).settings.admins == ["U0OTHER"]
        assert ConfigStore(tenants.database(TEAM_C)).latest().number == 1
    finally:
        tenants.close()


# --- Slack Connect: escalation channels shared with another organisation -------------------

def _shared_slack(url: str):
    from slack_sdk import WebClient

    class SharedChannelSlack(WebClient):  # the fake Slack, whose every channel is a Slack Connect channel
        def conversations_info(self, **kwargs):
            return {"ok": True, "channel": {"id": kwargs.get("channel"), "is_ext_shared": True, "is_member": True}}

    return SharedChannelSlack(token="xoxb-t0aaaa1", base_url=url)


def _escalated_ping(deps, fake_slack):
    from tests.unit.listeners.helpers import decided

    fake_slack.reset()
    deps.deliverer.client = _shared_slack(fake_slack.url)
    decided(deps, "U0PRACT1", [("danger", "yes")])  # urgent: the team's channel, and its deputy
    deps.deliverer.run_due()


def test_a_ping_never_goes_to_a_channel_shared_with_another_org(source: TenantDeps, fake_slack):
    from storage.models import DeliveryAttempt

    deps = source.for_tenant(TEAM_A)
    _escalated_ping(deps, fake_slack)
    assert not fake_slack.calls_to("chat.postMessage", channel="C0ESC1")
    assert fake_slack.wait_for("chat.postMessage", channel="U0LEAD1")  # the lead's DM instead
    alert = fake_slack.wait_for("chat.postMessage", channel="U0ADMIN1")[0]
    assert "shared with another organisation" in json.dumps(alert.args.get("blocks"))
    with deps.db.transaction() as s:
        refused = s.execute(select(DeliveryAttempt).where(DeliveryAttempt.target == "C0ESC1")).scalars().all()
        assert [a.error for a in refused] == ["ext_shared_channel"]  # why, recorded


def test_an_admin_may_allow_a_shared_escalation_channel(source: TenantDeps, tenant_dbs, fake_slack):
    store = ConfigStore(tenant_dbs[TEAM_A])
    raw = store.latest().settings.model_dump(mode="json")
    raw["teams"][0]["shared_channel_allowed"] = True
    store.apply(raw, author="slack:U0ADMIN1")
    deps = source.for_tenant(TEAM_A)
    deps.config.poll_seconds = 0
    _escalated_ping(deps, fake_slack)
    assert fake_slack.wait_for("chat.postMessage", channel="C0ESC1")


# --- the whole multi-workspace app (bot.app.build_app with SLACK_CLIENT_ID) ----------------

def _install(app: App, code: str) -> int:
    flow = app.oauth_flow
    state = flow.issue_new_state(BoltRequest(body="", query={}, headers={}))
    resp = flow.handle_callback(BoltRequest(body="", query=f"code={code}&state={state}",
                                            headers={"cookie": f"slack-app-oauth-state={state}"}))
    return resp.status


def _dispatch_command(app: App, **fields: str):
    body = urlencode({"command": "/canishare", "text": "", "channel_id": "D0DM", "channel_name": "directmessage",
                      "trigger_id": "1.2", **fields})
    return app.dispatch(BoltRequest(body=body, headers={**sign(body.encode()),
                                                         "Content-Type": "application/x-www-form-urlencoded"}))


def test_the_multi_workspace_app_installs_serves_and_uninstalls_each_tenant_apart(database, fake_slack):
    from bot.app import build_app
    from bot.config_secrets import Secrets
    from bot.installations import new_key

    fake_slack.reset()
    fake_slack.client_id, fake_slack.client_secret = "111.222", "not-a-real-secret"
    fake_slack.add_workspace(TEAM_A, "Council A", bot_token="xoxb-council-a", installer="U0INSTA", code="code-a")
    fake_slack.add_workspace("T0ORGWS1", "Trust", bot_token="xoxb-trust", installer="W0INSTO", code="code-org",
                             enterprise_id=ORG, enterprise_name="Example Trust", org_wide=True)
    secrets = Secrets(bot_token=None, signing_secret=SIGNING_SECRET, pseudonym_key=PSEUDONYM_KEY, app_token=None,
                      api_url=fake_slack.url, client_id="111.222", client_secret="not-a-real-secret", token_key=new_key())
    app = build_app(None, secrets, database)
    tenants = app.canishare_tenants
    try:
        assert not fake_slack.calls_to("auth.test")  # no workspace of its own at start
        assert _install(app, "code-a") == 200 and _install(app, "code-org") == 200
        assert tenants.active() == [ORG, TEAM_A]
        a_db, org_db = tenants.database(TEAM_A), tenants.database(ORG)
        assert ConfigStore(a_db).latest().settings.admins == ["U0INSTA"]
        assert ConfigStore(org_db).latest().settings.organisation == "Example Trust"

        mark = fake_slack.mark()
        assert _dispatch_command(app, team_id=TEAM_A, user_id="U0INSTA").status == 200
        # Grid: a command from another workspace of the org belongs to the org's tenant
        assert _dispatch_command(app, team_id="T0ORGWS2", enterprise_id=ORG, is_enterprise_install="true",
                                 user_id="W0INSTO").status == 200
        posts = fake_slack.wait_for("chat.postMessage", count=2, since=mark)
        assert {(p.args.get("channel"), p.args.get("_token")) for p in posts} == {
            ("U0INSTA", "xoxb-council-a"), ("W0INSTO", "xoxb-trust")}  # each tenant's own bot token
        assert _conversations(a_db) == 1 and _conversations(org_db) == 1

        uninstalled = json.dumps({"type": "event_callback", "team_id": TEAM_A, "api_app_id": "A0CANISHARE",
                                  "event_id": "Ev0UNINST", "event_time": 1700000000,
                                  "event": {"type": "app_uninstalled", "event_ts": "1700000000.000100"}})
        resp = app.dispatch(BoltRequest(body=uninstalled, headers={**sign(uninstalled.encode()),
                                                                    "Content-Type": "application/json"}))
        assert resp.status == 200
        deadline = time.monotonic() + 10  # the uninstall runs on Bolt's lazy executor
        while tenants.is_active(TEAM_A) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert tenants.active() == [ORG]
        app.canishare_deps.forget(TEAM_A)
        mark = fake_slack.mark()
        resp = _dispatch_command(app, team_id=TEAM_A, user_id="U0INSTA")
        assert resp.status == 200 and resp.body == NOT_SET_UP
        assert _conversations(a_db) == 1  # nothing new, and its records are kept
        assert not fake_slack.calls_to_since("chat.postMessage", mark)
    finally:
        fake_slack.client_id = fake_slack.client_secret = None
        tenants.close()


def test_one_thread_writes_every_tenants_sent_marks_and_a_refusing_database_waits_alone(tenant_dbs, tmp_path):
    from bot.delivery import SentRecords
    from storage.models import Outbox
    from storage.outbox import enqueue

    shared = SentRecords()
    unreachable = Database(f"sqlite:///{tmp_path / 'no-such-folder' / 'gone.db'}")  # every statement fails
    rows = {}
    for tenant, db in tenant_dbs.items():
        with db.transaction() as s:
            row = enqueue(s, key=f"step:{tenant}", kind="step", channel="U0PRACT1", text="Question 2")
            s.flush()
            rows[tenant] = row.id
    now = utcnow()
    for tenant, db in [*tenant_dbs.items(), ("gone", unreachable)]:
        row_id = rows.get(tenant, 1)
        shared.for_database(db).add(
            {"id": row_id, "status": "sent", "sent_ts": "1.2", "sent_at": now, "last_error": None, "dm_channel": "D0X"},
            {"outbox_id": row_id, "key": f"step:{tenant}", "kind": "step", "target": "U0PRACT1", "escalation_id": None,
             "at": now, "result": "delivered", "error": None, "ts": "1.2"})
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with tenant_dbs[TEAM_A].transaction() as a, tenant_dbs[TEAM_B].transaction() as b:
            if a.get(Outbox, rows[TEAM_A]).status == b.get(Outbox, rows[TEAM_B]).status == "sent":
                break
        time.sleep(0.05)
    for tenant, db in tenant_dbs.items():
        with db.transaction() as s:
            assert s.get(Outbox, rows[tenant]).status == "sent"  # each in its own database
    assert not shared.flush()  # the unreachable one's mark still waits
    assert [len(items) for db, items in shared._items.values() if db is unreachable] == [1]
