"""Installing canishare into a workspace: Bolt's OAuth flow ("Add to Slack").

GET /slack/install sets a state cookie and shows the Add to Slack link; Slack sends the
installer's browser back to GET /slack/oauth_redirect with a one-time code and that state.
Neither request carries a Slack signature: the state (issued here, single use, 10 minutes,
stored in the control database so any worker can check it, and matched against the browser's
cookie) is what stops a forged or replayed callback. Bolt then exchanges the code at
oauth.v2.access (through SLACK_API_URL, as every Web API call), stores the installation
(tokens encrypted, bot/installations.py) and calls `on_installed`, which registers the tenant
and seeds its first configuration.
"""
from __future__ import annotations

import html
import logging
from datetime import datetime, timezone
from typing import Any, Callable

from slack_bolt.error import BoltError
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store import InstallationStore
from slack_sdk.oauth.sqlalchemy_utils import normalize_datetime_for_db
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import delete

from .installations import create_control_tables

log = logging.getLogger("canishare.oauth")

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600  # an Add to Slack link is good for 10 minutes
# manifest.yml's oauth_config.scopes.bot (tests/unit/test_installations.py keeps the two equal);
# no user scopes: canishare never acts as a person.
BOT_SCOPES = ("commands", "chat:write", "im:history", "channels:history", "groups:history", "app_mentions:read",
              "users:read", "channels:read", "groups:read", "usergroups:read", "files:write", "im:write")

# Bolt's failure reasons, in words for the person installing (any other reason, e.g. an `error`
# Slack or a forged link put in the URL, gets the general text and is never echoed or logged).
FAILURES = {
    "access_denied": (200, "canishare was not installed: the install was cancelled in Slack."),
    "invalid_browser": (400, "This install link was opened in another browser, or its cookie was blocked. "
                             "Start again from the Add to Slack page, in one browser."),
    "invalid_state": (400, "This install link has expired or was already used. Start again from the Add to Slack page."),
    "missing_code": (400, "Slack did not send an installation code. Start again from the Add to Slack page."),
    "invalid_code": (400, "Slack did not accept this installation (the code expired or was already used). "
                          "Start again from the Add to Slack page."),
    "storage_error": (500, "canishare could not save the installation. Please try again in a few minutes."),
    "not_allowed": (403, "canishare is not available for this workspace yet: your organisation needs an agreement with "
                         "the provider first. Nothing was kept, and the app's access to your workspace was withdrawn."),
    "setup_error": (500, "canishare was added to Slack but could not be set up for your organisation. "
                         "Please install it again in a few minutes; if this keeps happening, tell your provider."),
}
GENERAL_FAILURE = (400, "canishare could not be installed. Start again from the Add to Slack page.")


class NotAllowed(BoltError):
    """An install from a workspace or org not on CANISHARE_ALLOWED_WORKSPACES."""

    def __init__(self, tenant: str, installation: Any):
        super().__init__(f"{tenant} may not install")
        self.tenant, self.installation = tenant, installation


class AllowListStore(InstallationStore):
    """The installation store, as the OAuth flow sees it when CANISHARE_ALLOWED_WORKSPACES is set:
    an install from a workspace (or a workspace's Grid org) not on the list is refused before
    anything is stored; everything else goes to the store itself."""

    def __init__(self, store: Any, allowed: frozenset[str]):
        self._store, self.allowed = store, allowed

    @property
    def logger(self) -> logging.Logger:
        return self._store.logger

    def save_bot(self, bot: Any) -> None:
        self._store.save_bot(bot)

    def find_bot(self, **kwargs: Any) -> Any:
        return self._store.find_bot(**kwargs)

    def find_installation(self, **kwargs: Any) -> Any:
        return self._store.find_installation(**kwargs)

    def delete_bot(self, **kwargs: Any) -> None:
        self._store.delete_bot(**kwargs)

    def delete_installation(self, **kwargs: Any) -> None:
        self._store.delete_installation(**kwargs)

    def delete_all(self, **kwargs: Any) -> None:
        self._store.delete_all(**kwargs)

    def save(self, installation: Any) -> None:
        from storage.tenancy import tenant_key

        tenant = tenant_key(installation.enterprise_id, installation.team_id, bool(installation.is_enterprise_install))
        if not ({tenant, installation.enterprise_id} & self.allowed):
            raise NotAllowed(tenant, installation)
        self._store.save(installation)


def _withdraw(installation: Any, api_url: str | None) -> None:
    """Give back a refused install's token (auth.revoke), so the app holds no access there."""
    from slack_sdk import WebClient

    kwargs: dict = {"base_url": api_url} if api_url else {}
    for token in (installation.bot_token, installation.user_token):
        if not token:
            continue
        try:
            WebClient(token=token, timeout=10, **kwargs).auth_revoke()
        except Exception as err:  # noqa: BLE001 - the page still says no; the log says what went wrong
            log.error("could not revoke a refused install's token (%s)", type(err).__name__)


class SingleUseStateStore(SQLAlchemyOAuthStateStore):
    """slack_sdk's state table, with a state used at most once even when two callbacks race (one
    DELETE decides, where slack_sdk selects and then deletes), and expired states cleared."""

    def issue(self, *args: Any, **kwargs: Any) -> str:
        now = normalize_datetime_for_db(datetime.now(tz=timezone.utc))
        with self.engine.begin() as conn:
            conn.execute(delete(self.oauth_states).where(self.oauth_states.c.expire_at <= now))
        return super().issue(*args, **kwargs)

    def consume(self, state: str) -> bool:
        if not isinstance(state, str) or not state or len(state) > 200:
            return False
        now = normalize_datetime_for_db(datetime.now(tz=timezone.utc))
        c = self.oauth_states.c
        try:
            with self.engine.begin() as conn:
                return conn.execute(delete(self.oauth_states).where(c.state == state, c.expire_at > now)).rowcount == 1
        except Exception as err:  # noqa: BLE001 - a database hiccup fails the install, never with a traceback
            log.error("could not check an install link's state (%s)", type(err).__name__)
            return False


def state_store(control_db) -> SingleUseStateStore:
    store = SingleUseStateStore(expiration_seconds=STATE_SECONDS, engine=control_db.engine, logger=log)
    create_control_tables(control_db.engine, store.metadata)
    return store


def authorize_url(api_url: str | None) -> str | None:
    """Slack's consent page on the same Slack as the Web API (GovSlack: slack-gov.com; tests: the
    fake), or None for Bolt's default, https://slack.com/oauth/v2/authorize."""
    if api_url and api_url.rstrip("/").endswith("/api"):
        return api_url.rstrip("/")[: -len("/api")] + "/oauth/v2/authorize"
    return None


def _page(status: int, title: str, text: str, extra: str = "") -> BoltResponse:
    body = (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title></head>"
            f"<body style=\"font-family: sans-serif; max-width: 40em; margin: 3em auto\"><h1>{html.escape(title)}</h1>"
            f"<p>{html.escape(text)}</p>{extra}</body></html>")
    # The state cookie has done its work either way (as Bolt's own pages do).
    return BoltResponse(status=status, body=body, headers={
        "Content-Type": "text/html; charset=utf-8",
        "Set-Cookie": "slack-app-oauth-state=deleted; Secure; HttpOnly; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
        "Cache-Control": "no-store"})


def _installed_page(installation: Any) -> BoltResponse:
    org = bool(getattr(installation, "is_enterprise_install", False))
    where = (installation.enterprise_name if org else installation.team_name) or "your workspace"
    team = installation.enterprise_id if org else installation.team_id
    link = ""
    if team and installation.app_id:
        href = f"slack://app?team={team}&id={installation.app_id}"
        link = f"<p><a href=\"{html.escape(href)}\">Open canishare in Slack</a></p>"
    return _page(200, "canishare is installed",
                 f"canishare is now installed in {where}. You are its first admin: open canishare's Home tab in "
                 f"Slack to set up your teams and their safeguarding leads.", link)


def _failed(reason: str) -> BoltResponse:
    status, text = FAILURES.get(reason, GENERAL_FAILURE)
    log.warning("an installation did not complete (%s)", reason if reason in FAILURES else "other")
    return _page(status, "canishare was not installed", text)


def callbacks(on_installed: Callable[[Any], Any], api_url: str | None = None) -> CallbackOptions:
    def success(args: SuccessArgs) -> BoltResponse:
        try:
            on_installed(args.installation)
        except Exception as err:  # noqa: BLE001 - the installer sees a plain page, the log the error's type
            log.error("an installation was stored but its workspace could not be set up (%s)", type(err).__name__)
            return _failed("setup_error")
        log.info("installed in a workspace")
        return _installed_page(args.installation)

    def failure(args: FailureArgs) -> BoltResponse:
        if isinstance(args.error, NotAllowed):
            log.warning("refused an install from %s: not on CANISHARE_ALLOWED_WORKSPACES", args.error.tenant)
            _withdraw(args.error.installation, api_url)
            status, text = FAILURES["not_allowed"]
            return _page(status, "canishare was not installed", text)
        return _failed(args.reason)

    return CallbackOptions(success=success, failure=failure)


def oauth_settings(secrets, control_db, store, on_installed: Callable[[Any], Any]) -> OAuthSettings:
    """Bolt's OAuth settings for a deployment of many workspaces. The client that calls
    oauth.v2.access is the App's (build it with base_url=SLACK_API_URL). SLACK_REDIRECT_URI, if
    set, is read by Bolt (needed only when the app lists several redirect URLs). With
    CANISHARE_ALLOWED_WORKSPACES (secrets.allowed_tenants) only those workspaces may install."""
    allowed = getattr(secrets, "allowed_tenants", None)
    return OAuthSettings(
        client_id=secrets.client_id,
        client_secret=secrets.client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        callback_options=callbacks(on_installed, secrets.api_url),
        authorization_url=authorize_url(secrets.api_url),
        installation_store=store if allowed is None else AllowListStore(store, allowed),
        state_store=state_store(control_db),
        state_expiration_seconds=STATE_SECONDS,
        logger=logging.getLogger("canishare.bolt"),  # at ERROR only: Bolt's debug lines quote the query (code, state)
    )


__all__ = ["AllowListStore", "BOT_SCOPES", "INSTALL_PATH", "NotAllowed", "REDIRECT_PATH", "SingleUseStateStore", "authorize_url", "callbacks",
           "oauth_settings", "state_store"]
