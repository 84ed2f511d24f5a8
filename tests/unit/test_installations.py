"""Installations of a many-workspace deployment: tokens encrypted at rest (read back from the
table itself), per-tenant lookup and removal, key rotation, the OAuth state and the secrets."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import select

from bot.config import ConfigError, load_secrets
from bot.installations import (TokenCipher, TokenKeyError, UndecryptableToken, bot_token_for, forget,
                                installation_store, rotate_tokens, undecryptable)
from bot.oauth import BOT_SCOPES, authorize_url, state_store

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()
CLIENT_ID = "1111.2222"


def workspace_install(team: str = "T0AAA1", token: str = "xoxb-1111-aaaa-plain-token", enterprise: str | None = None,
                      org_wide: bool = False, refresh: str | None = None, installer: str = "U0AAAADMIN") -> Installation:
    return Installation(app_id="A0APP", enterprise_id=enterprise, enterprise_name="Grid Org" if enterprise else None,
                        team_id=None if org_wide else team, team_name=None if org_wide else "Alpha Council",
                        bot_token=token, bot_id="B0BOT", bot_user_id="U0BOT", bot_scopes="commands,chat:write",
                        bot_refresh_token=refresh, user_id=installer, is_enterprise_install=org_wide,
                        token_type="bot")


def raw_rows(store) -> list[dict]:
    """Every stored row of both tables, as the database holds it."""
    with store.engine.connect() as conn:
        return [dict(r) for t in (store.tables.installations, store.tables.bots)
                for r in conn.execute(select(t)).mappings()]


@pytest.fixture
def store(database):
    return installation_store(database, TokenCipher(KEY_A), CLIENT_ID)


# --- the cipher ---------------------------------------------------------------------------------

@pytest.mark.parametrize("keys", [None, "", " , "])
def test_a_missing_key_is_refused_with_how_to_make_one(keys):
    with pytest.raises(TokenKeyError, match="CANISHARE_TOKEN_KEY is not set.*tokens new-key"):
        TokenCipher(keys)


@pytest.mark.parametrize("bad", ["not-a-key", "x" * 44, KEY_A[:-2], "secret-looking-password-1234567890"])
def test_a_bad_key_is_refused_in_one_line_without_showing_it(bad):
    with pytest.raises(TokenKeyError) as err:
        TokenCipher(bad)
    message = str(err.value)
    assert "not a Fernet key" in message and "\n" not in message and bad not in message


def test_the_second_of_two_keys_is_named_when_it_is_bad():
    with pytest.raises(TokenKeyError, match=r"key 2 of 2"):
        TokenCipher(f"{KEY_A},nonsense")
    with pytest.raises(TokenKeyError, match="same key twice"):
        TokenCipher(f"{KEY_A},{KEY_A}")


def test_the_newest_key_writes_and_every_key_reads():
    old = TokenCipher(KEY_A).encrypt("xoxb-secret")
    both = TokenCipher(f"{KEY_B},{KEY_A}")
    assert both.decrypt(old) == "xoxb-secret"
    fresh = both.encrypt("xoxb-secret")
    assert TokenCipher(KEY_B).decrypt(fresh) == "xoxb-secret"
    with pytest.raises(UndecryptableToken):
        TokenCipher(KEY_A).decrypt(fresh)
    assert "xoxb-secret" not in fresh and both.is_newest(fresh) and not both.is_newest(old)


# --- the store ----------------------------------------------------------------------------------

def test_tokens_at_rest_are_never_the_plain_token(store):
    refresh = "xoxe-1-" + "r" * 150  # longer than slack_sdk's VARCHAR(200) once encrypted: PostgreSQL enforces it
    store.save(workspace_install(refresh=refresh))
    rows = raw_rows(store)
    assert len(rows) == 2  # the installation and its bot
    for row in rows:
        held = " ".join(str(v) for v in row.values())
        assert "xoxb-1111-aaaa-plain-token" not in held and refresh not in held
        assert TokenCipher(KEY_A).decrypt(row["bot_token"]) == "xoxb-1111-aaaa-plain-token"
    found = store.find_installation(enterprise_id=None, team_id="T0AAA1")
    assert found.bot_token == "xoxb-1111-aaaa-plain-token" and found.bot_refresh_token == refresh
    assert store.find_bot(enterprise_id=None, team_id="T0AAA1").bot_token == "xoxb-1111-aaaa-plain-token"


def test_a_store_with_another_key_cannot_read_the_tokens(store, database):
    store.save(workspace_install())
    other = installation_store(database, TokenCipher(KEY_B), CLIENT_ID)
    with pytest.raises(UndecryptableToken):
        other.find_bot(enterprise_id=None, team_id="T0AAA1")
    assert undecryptable(other) == 2 and undecryptable(store) == 0


def test_each_tenant_has_its_own_token(store):
    store.save(workspace_install("T0AAA1", "xoxb-alpha"))
    store.save(workspace_install("T0BBB2", "xoxb-beta"))
    store.save(workspace_install(token="xoxb-grid-org", enterprise="E0GRID1", org_wide=True))
    store.save(workspace_install("T0GRIDW", "xoxb-grid-workspace", enterprise="E0GRID2"))
    assert bot_token_for(store, "T0AAA1") == "xoxb-alpha"
    assert bot_token_for(store, "T0BBB2") == "xoxb-beta"
    assert bot_token_for(store, "E0GRID1") == "xoxb-grid-org"
    assert bot_token_for(store, "T0GRIDW") == "xoxb-grid-workspace"  # a workspace of a Grid org, installed alone
    assert bot_token_for(store, "E0GRID2") is None  # that org has no org-wide install
    assert bot_token_for(store, "T0NONE9") is None
    # Bolt's own lookup for a payload from any workspace of the org-wide install finds the org's
    assert store.find_installation(enterprise_id="E0GRID1", team_id="T0ANY77", is_enterprise_install=True).bot_token == "xoxb-grid-org"


def test_a_reinstall_gives_the_newest_token(store):
    first = workspace_install(token="xoxb-first")
    first.installed_at = (datetime.now(timezone.utc) - timedelta(days=3)).timestamp()  # slack_sdk keeps epoch seconds
    store.save(first)
    store.save(workspace_install(token="xoxb-second"))
    assert bot_token_for(store, "T0AAA1") == "xoxb-second"


def test_forget_deletes_the_tenants_tokens_and_marks_it_removed(store, database):
    from storage.tenancy import Tenants

    tenants = Tenants(database)
    for team, token in (("T0AAA1", "xoxb-alpha"), ("T0BBB2", "xoxb-beta")):
        tenants.ensure(team, kind="workspace", name=team, installer="U0AAAADMIN")
        store.save(workspace_install(team, token))
    # app_uninstalled from a workspace whose payload names no Grid org: its rows go all the same
    assert forget(store, tenants, None, "T0AAA1", False) == "T0AAA1"
    assert bot_token_for(store, "T0AAA1") is None and store.find_installation(enterprise_id=None, team_id="T0AAA1") is None
    assert bot_token_for(store, "T0BBB2") == "xoxb-beta"  # the other tenant is untouched
    assert tenants.active() == ["T0BBB2"] and not tenants.is_active("T0AAA1")
    assert all(r["team_id"] == "T0BBB2" for r in raw_rows(store))


def test_forget_an_org_wide_install(store, database):
    from storage.tenancy import Tenants

    tenants = Tenants(database)
    tenants.ensure("E0GRID1", kind="enterprise", name="Grid Org", installer="U0AAAADMIN")
    store.save(workspace_install(token="xoxb-grid-org", enterprise="E0GRID1", org_wide=True))
    store.save(workspace_install("T0AAA1", "xoxb-alpha"))
    assert forget(store, tenants, "E0GRID1", "T0INORG1", True) == "E0GRID1"
    assert bot_token_for(store, "E0GRID1") is None and bot_token_for(store, "T0AAA1") == "xoxb-alpha"
    assert tenants.active() == []


def test_rotation_rewrites_every_token_with_the_newest_key(store, database):
    store.save(workspace_install("T0AAA1", "xoxb-alpha", refresh="xoxe-alpha"))
    store.save(workspace_install("T0BBB2", "xoxb-beta"))
    both = TokenCipher(f"{KEY_B},{KEY_A}")
    assert rotate_tokens(installation_store(database, both, CLIENT_ID), both) == 6  # 2 x (bot, refresh) + 2 bots
    newest_only = installation_store(database, TokenCipher(KEY_B), CLIENT_ID)
    assert undecryptable(newest_only) == 0
    assert bot_token_for(newest_only, "T0AAA1") == "xoxb-alpha"
    assert newest_only.find_installation(enterprise_id=None, team_id="T0AAA1").bot_refresh_token == "xoxe-alpha"
    with pytest.raises(UndecryptableToken):
        bot_token_for(store, "T0BBB2")  # the old key alone no longer reads them


def test_rotation_with_a_missing_old_key_changes_nothing(store, database):
    store.save(workspace_install("T0AAA1", "xoxb-alpha"))
    before = raw_rows(store)
    wrong = TokenCipher(KEY_B)  # the key the tokens were written with is not in the list
    with pytest.raises(UndecryptableToken):
        rotate_tokens(installation_store(database, wrong, CLIENT_ID), wrong)
    assert raw_rows(store) == before


# --- the OAuth state ----------------------------------------------------------------------------

def test_a_state_is_good_once_and_only_before_it_expires(database):
    states = state_store(database)
    state = states.issue()
    assert states.consume(state) and not states.consume(state)
    assert not states.consume("forged-state") and not states.consume("")
    stale = states.issue()
    with database.engine.begin() as conn:
        conn.execute(states.oauth_states.update().values(expire_at=datetime(2000, 1, 1)))
    assert not states.consume(stale)


def test_the_consent_page_is_on_the_same_slack_as_the_web_api():
    assert authorize_url(None) is None  # Bolt's default: https://slack.com/oauth/v2/authorize
    assert authorize_url("https://slack-gov.com/api/") == "https://slack-gov.com/oauth/v2/authorize"
    assert authorize_url("http://127.0.0.1:5000/api/") == "http://127.0.0.1:5000/oauth/v2/authorize"


def test_the_install_asks_for_the_manifests_bot_scopes():
    manifest = yaml.safe_load((Path(__file__).parents[2] / "manifest.yml").read_text())
    assert list(BOT_SCOPES) == manifest["oauth_config"]["scopes"]["bot"]


# --- the secrets --------------------------------------------------------------------------------

MULTI = {"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": "client-secret", "SLACK_SIGNING_SECRET": "signing",
         "CANISHARE_PSEUDONYM_KEY": "p" * 32, "CANISHARE_TOKEN_KEY": KEY_A}


def test_many_workspaces_need_no_bot_token():
    secrets = load_secrets(dict(MULTI))
    assert secrets.multi_workspace and secrets.bot_token is None
    assert (secrets.client_id, secrets.client_secret, secrets.token_key) == (CLIENT_ID, "client-secret", KEY_A)


def test_one_workspace_is_as_before():
    secrets = load_secrets({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "CANISHARE_PSEUDONYM_KEY": "p" * 32,
                            "CANISHARE_TOKEN_KEY": "ignored-in-single-mode"})
    assert not secrets.multi_workspace and secrets.bot_token == "xoxb-1" and secrets.token_key is None


@pytest.mark.parametrize("change, expected", [
    ({"CANISHARE_TOKEN_KEY": ""}, "CANISHARE_TOKEN_KEY"),
    ({"CANISHARE_TOKEN_KEY": "hunter2-not-a-fernet-key"}, "not a Fernet key"),
    ({"SLACK_CLIENT_SECRET": ""}, "SLACK_CLIENT_SECRET"),
    ({"SLACK_BOT_TOKEN": "xoxb-1"}, "both SLACK_BOT_TOKEN"),
])
def test_many_workspaces_refuse_a_missing_or_bad_secret_in_one_line(change, expected):
    with pytest.raises(ConfigError) as err:
        load_secrets({**MULTI, **change})
    assert expected in str(err.value) and "\n" not in str(err.value) and "hunter2" not in str(err.value)


# --- the install callbacks and the allow list -----------------------------------------------------

def test_a_failed_setup_after_install_is_a_plain_page_without_the_error():
    from slack_bolt.oauth.callback_options import SuccessArgs

    from bot.oauth import callbacks

    def on_installed(_installation):
        raise RuntimeError("db password is hunter2")

    answer = callbacks(on_installed).success(SuccessArgs(request=None, installation=workspace_install(),
                                                         settings=None, default=None))
    assert answer.status == 500 and "could not be set up" in answer.body and "hunter2" not in answer.body
    seen = []
    answer = callbacks(seen.append).success(SuccessArgs(request=None, installation=workspace_install(),
                                                        settings=None, default=None))
    assert answer.status == 200 and "Alpha Council" in answer.body and len(seen) == 1


def test_the_allow_list_admits_a_listed_workspace_or_a_workspace_of_a_listed_org(store):
    from bot.oauth import AllowListStore, NotAllowed

    gate = AllowListStore(store, frozenset({"T0AAA1", "E0GRID1"}))
    gate.save(workspace_install("T0AAA1", "xoxb-alpha"))
    gate.save(workspace_install("T0INGRID", "xoxb-grid-ws", enterprise="E0GRID1"))
    gate.save(workspace_install(token="xoxb-grid-org", enterprise="E0GRID1", org_wide=True))
    with pytest.raises(NotAllowed):
        gate.save(workspace_install("T0BBB2", "xoxb-beta"))
    with pytest.raises(NotAllowed):
        gate.save(workspace_install(token="xoxb-other-org", enterprise="E0OTHER", org_wide=True))
    assert bot_token_for(store, "T0BBB2") is None and bot_token_for(store, "T0INGRID") == "xoxb-grid-ws"
    assert gate.find_bot(enterprise_id=None, team_id="T0AAA1").bot_token == "xoxb-alpha"  # reads go through


def test_an_allow_list_of_non_ids_is_refused():
    with pytest.raises(ConfigError, match="CANISHARE_ALLOWED_WORKSPACES holds 'ALPHA'"):
        load_secrets({**MULTI, "CANISHARE_ALLOWED_WORKSPACES": "T0AAA1,alpha"})
    assert load_secrets({**MULTI, "CANISHARE_ALLOWED_WORKSPACES": " t0aaa1 ,E0GRID1"}).allowed_tenants == {"T0AAA1", "E0GRID1"}
    assert load_secrets(dict(MULTI)).allowed_tenants is None
