"""App Home (start, a lead's open requests, an admin's figures), the admins' two buttons, and
the workspace's lifecycle (uninstalled, tokens revoked)."""
from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient

from .. import admin, workspaces
from .. import blocks as B
from ..digest import this_week
from ..home import admin_home_blocks, home_view
from ..ids import Action
from . import Deps, acked, user_id_of, workspace_of

log = logging.getLogger("canishare.listeners")

REVOKED = (":warning: canishare's bot token was revoked in this workspace, so it has stopped: practitioners "
           "cannot ask, and safeguarding leads will not be pinged. Reinstall the app to restore it.")


def on_home(deps: Deps, event: dict, client: WebClient, **_) -> None:
    settings, user_id = deps.settings, event.get("user") or ""
    if event.get("tab", "home") != "home" or not user_id:
        return
    latest = getattr(deps.config, "latest", None)  # the configuration store says who changed the settings last
    extra = (lambda _u: admin_home_blocks(settings, this_week(settings, deps.db), latest() if latest else None)) \
        if settings.is_admin(user_id) else None
    client.views_publish(user_id=user_id, view=home_view(settings, deps.escalations, user_id, extra))


def on_admin_digest(deps: Deps, body: dict, client: WebClient, **_) -> None:
    user_id = user_id_of(body)
    told = admin.post_digest_now(deps.settings, deps.db, deps.messenger(client), user_id)
    deps.messenger(client).post(user_id, "Digest", B.to_dicts(B.notice_blocks(told)))


def on_admin_export(deps: Deps, body: dict, client: WebClient, **_) -> None:
    user_id = user_id_of(body)
    refusal = admin.send_export(deps.settings, deps.db, deps.messenger(client), user_id)
    if refusal:
        deps.messenger(client).post(user_id, "Export", B.to_dicts(B.notice_blocks(refusal)))


def on_uninstalled(deps: Deps, body: dict, **_) -> None:
    workspaces.removed(deps.db, deps.tenant or workspace_of(body), "uninstalled")
    if deps.uninstall is not None:  # many workspaces: its installation goes too (its records stay)
        deps.uninstall("uninstalled", body)


def on_tokens_revoked(deps: Deps, body: dict, event: dict, client: WebClient, **_) -> None:
    tokens = event.get("tokens") if isinstance(event.get("tokens"), dict) else {}
    if not tokens.get("bot"):
        log.warning("user tokens were revoked; the bot token still works")
        return
    workspaces.removed(deps.db, deps.tenant or workspace_of(body), "revoked")
    if deps.uninstall is not None:  # many workspaces: the token is gone, so Slack cannot be told anything
        deps.uninstall("revoked", body)
        return
    for admin_id in deps.settings.admins:  # if Slack still lets us say so
        deps.messenger(client).post(admin_id, "canishare was disconnected", B.to_dicts(B.notice_blocks(REVOKED)))


def register(app: App, deps: Deps) -> None:
    acked(deps, app.event("app_home_opened"), on_home)
    acked(deps, app.action(Action.ADMIN_POST_DIGEST), on_admin_digest)
    acked(deps, app.action(Action.ADMIN_EXPORT), on_admin_export)
    acked(deps, app.event("app_uninstalled"), on_uninstalled)
    acked(deps, app.event("tokens_revoked"), on_tokens_revoked)
