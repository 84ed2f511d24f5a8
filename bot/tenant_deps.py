"""Many workspaces on one deployment: which tenant a request is for, and that tenant's Deps.

A tenant is an Enterprise Grid org (an org-wide install) or a workspace (storage/tenancy.py).
Its data lives in a database of its own (a schema, or a file), so the services below need no
tenant filter of their own: they are simply handed the tenant's database, configuration,
pseudonym key and bot token. There is no default tenant: a request, or a background pass,
whose tenant is not known and active does nothing at all.

How a listener gets its Deps: the tenancy middleware (`tenancy_middleware`) resolves the
request's tenant from the ids Bolt read from the payload and puts the tenant id in the
context under TENANT (the work a listener hands off from its ack gets that same context). Every listener asks
`deps.resolve(context)` (bot/listeners/__init__.acked); TenantDeps answers the Deps built for
exactly that tenant, or None when the context holds no tenant.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable

from slack_bolt import BoltResponse
from storage.db import Database

from . import slack_connect, workspaces
from .config import Settings, Team
from .config_store import ConfigStore
from .delivery import Deliverer, SentRecords, make_delivery_client
from .escalation import Escalations
from .listeners import Deps
from .slack_messenger import make_client
from .slack_views import SlackViews

log = logging.getLogger("canishare.tenants")

TENANT = "canishare_tenant"  # the context key: the tenant id the middleware resolved
ACTIVE_SECONDS = 5.0  # how long this process trusts "tenant X is installed" before asking again
TOKEN_SECONDS = 60.0  # how often a tenant's bot token is read again (a reinstall may change it)
NOT_SET_UP = ("canishare isn't set up for your organisation in Slack, so I can't help here. "
              "Please ask your safeguarding lead how to get advice about sharing information.")


def resolve_tenant(is_active: Callable[[str], bool], enterprise_id: str | None, team_id: str | None) -> str | None:
    """The tenant a payload belongs to: the org, when it has an org-wide install (Grid: a
    payload's team may be any workspace of that org); else the workspace; else None."""
    if enterprise_id and is_active(enterprise_id):
        return enterprise_id
    if team_id and is_active(team_id):
        return team_id
    return None


class TenantDeps:
    """The Deps of every tenant this process has served, built once per tenant and kept:
    ConfigStore(tenant db), Escalations(the tenant's pseudonym key), a Deliverer with the
    tenant's bot token on the tenant's database, and the tenant's membership cache."""

    def __init__(self, tenants: Any, *, master_key: str, api_url: str | None,
                 token_for: Callable[[str], str | None], uninstall: Callable[[str, str, dict], None] | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.tenants = tenants  # storage.tenancy.Tenants
        self.master_key = master_key
        self.api_url = api_url
        self.token_for = token_for
        self.uninstall = uninstall
        self.clock = clock
        self._deps: dict[str, tuple[Deps, str, float]] = {}  # tenant -> (deps, token, when the token was read)
        self._active: dict[str, tuple[bool, float]] = {}
        self._lock = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self.sent_records = SentRecords()

    # --- which tenants ---------------------------------------------------------------------
    def is_active(self, tenant_id: str) -> bool:
        now = self.clock()
        known = self._active.get(tenant_id)
        if known is not None and now - known[1] < ACTIVE_SECONDS:
            return known[0]
        active = bool(self.tenants.is_active(tenant_id))
        if active:  # only "installed" is trusted a while: a new install is seen at once by every process
            self._active[tenant_id] = (active, now)
        else:
            self._active.pop(tenant_id, None)
        return active

    def active(self) -> list[str]:
        return list(self.tenants.active())

    # --- a tenant's Deps -------------------------------------------------------------------
    def resolve(self, context: Any) -> Deps | None:
        """The Deps of the tenant the middleware put in this request's context; None without one."""
        tenant = context.get(TENANT) if context is not None else None
        if not isinstance(tenant, str) or not tenant:
            return None
        return self.for_tenant(tenant)

    def for_tenant(self, tenant_id: str) -> Deps | None:
        """This tenant's Deps; None when it is not installed (or has no bot token)."""
        if not self.is_active(tenant_id):
            return None
        now = self.clock()
        held = self._deps.get(tenant_id)
        if held is not None and now - held[2] < TOKEN_SECONDS:
            return held[0]
        with self._lock_of(tenant_id):  # one build per tenant; other tenants never wait for it
            held = self._deps.get(tenant_id)
            if held is not None and now - held[2] < TOKEN_SECONDS:
                return held[0]
            try:
                token = self.token_for(tenant_id)
            except Exception as error:  # noqa: BLE001 - the control database is down: keep the token we have
                if held is None:
                    raise
                log.warning("could not read tenant %s's bot token again (%s); using the one held", tenant_id,
                            type(error).__name__)
                return held[0]
            if not token:
                log.warning("tenant %s has no bot token: nothing is done for it", tenant_id)
                return None
            if held is not None:
                deps = held[0]
                if token != held[1]:  # reinstalled: every client of this tenant uses the new token
                    for client in (deps.client, deps.deliverer.client if deps.deliverer else None):
                        if client is not None:
                            client.token = token
            else:
                deps = self._build(tenant_id, token)
            self._deps[tenant_id] = (deps, token, now)
            return deps

    def _lock_of(self, tenant_id: str) -> threading.Lock:
        with self._lock:
            return self._locks.setdefault(tenant_id, threading.Lock())

    def forget(self, tenant_id: str) -> None:
        """After an install or uninstall: the next use reads the registry and the token again."""
        with self._lock_of(tenant_id):
            self._active.pop(tenant_id, None)
            held = self._deps.get(tenant_id)
            if held is not None:
                self._deps[tenant_id] = (held[0], held[1], float("-inf"))

    def _build(self, tenant_id: str, token: str) -> Deps:
        from storage.tenancy import tenant_pseudonym_key

        from .membership import MemberCache

        db: Database = self.tenants.database(tenant_id)
        config = ConfigStore(db)  # the tenant's own configuration only: no file fallback, no other tenant's
        key = tenant_pseudonym_key(self.master_key, tenant_id)
        escalations = Escalations(config, db, key, views=SlackViews(), check_shared_channels=True)
        deliverer = Deliverer(make_delivery_client(token, self.api_url), db, hooks=escalations)
        deliverer.records = self.sent_records.for_database(db)  # batched, one thread for every tenant
        uninstall = None
        if self.uninstall is not None:
            def uninstall(status: str, body: dict, _t: str = tenant_id) -> None:
                self.uninstall(_t, status, body)
                self.forget(_t)
        return Deps(config=config, db=db, pseudonym_key=key, escalations=escalations, workspace=tenant_id,
                    deliverer=deliverer, membership=MemberCache(db), tenant=tenant_id,
                    client=make_client(token, self.api_url), uninstall=uninstall)

    def served(self) -> list[Deps]:
        """The Deps of every active tenant, for the background loops (one per tenant that has a token)."""
        out = []
        for tenant_id in self.active():
            try:
                deps = self.for_tenant(tenant_id)
            except Exception as error:  # noqa: BLE001 - one tenant's broken database must not stop the others
                log.error("tenant %s unavailable: %s", tenant_id, type(error).__name__)
                continue
            if deps is not None:
                out.append(deps)
        return out


# --- the request's tenant ----------------------------------------------------------------

def tenancy_middleware(source: TenantDeps):
    """Bolt middleware: put the request's tenant in its context, or answer the request here.

    Unknown or removed tenant: a command is told canishare is not set up, anything else gets an
    empty 200 (Slack must not retry it). A person from another organisation (Slack Connect) is
    told to use their own organisation's canishare, or that it is not set up for them; nothing
    of this tenant is started for them."""

    def tenancy(context, body, next) -> BoltResponse | None:  # noqa: A002 - Bolt's name
        body = body if isinstance(body, dict) else {}
        if body.get("type") == "url_verification":
            return next()
        tenant = resolve_tenant(source.is_active, context.enterprise_id, context.team_id)
        if tenant is None:
            log.warning("refused a request for a workspace that has not installed canishare")
            return BoltResponse(status=200, body=NOT_SET_UP if "command" in body else "")
        foreign = slack_connect.foreign_actor(body, tenant, source.is_active)
        if foreign is not None:
            log.info("a person from another organisation was turned away (Slack Connect)")
            text = slack_connect.OWN_WORKSPACE if foreign.installed else NOT_SET_UP
            if "command" in body:
                return BoltResponse(status=200, body=text)
            deps = source.for_tenant(tenant)
            if deps is not None and deps.client is not None:
                slack_connect.tell_later(deps.client, body, text)
            return BoltResponse(status=200, body="")
        context[TENANT] = tenant
        return next()

    return tenancy


# --- a new installation ------------------------------------------------------------------

def seed_configuration(db: Database, *, organisation: str, installer: str | None, policy: str | None) -> bool:
    """A new tenant's first configuration, when it has none: the installer is its admin and the
    lead of one team, General, until they set up the real teams in the App Home. True if stored."""
    store = ConfigStore(db)
    if store.latest() is not None or not installer:
        return False
    settings = Settings(organisation=organisation or "canishare", admins=[installer],
                        teams=[Team(id="general", name="General", leads=[installer])], default_team="general",
                        **({"policy": policy} if policy else {}))
    store.apply(settings, author=f"slack:{installer}")
    return True


def installed(tenants: Any, source: TenantDeps, installation: Any, policy: str | None = None) -> str:
    """What a finished OAuth install does (bot/oauth.py's success callback): the tenant is
    registered (again) with its own database, its deliveries may go again, and an empty
    configuration is seeded. Returns the tenant id."""
    from storage.tenancy import tenant_key

    org = bool(getattr(installation, "is_enterprise_install", False))
    tenant = tenant_key(installation.enterprise_id, installation.team_id, org)
    name = (installation.enterprise_name if org else installation.team_name) or tenant
    installer = getattr(installation, "user_id", None)
    db = tenants.ensure(tenant, kind="enterprise" if org else "workspace", name=name, installer=installer)
    workspaces.reinstalled(db, tenant)
    if seed_configuration(db, organisation=name, installer=installer, policy=policy):
        log.info("tenant %s installed; its first configuration names the installer as admin", tenant)
    source.forget(tenant)
    return tenant

