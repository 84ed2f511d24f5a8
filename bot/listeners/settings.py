"""The admins' settings in the App Home: Edit / Add team / Organisation settings open a modal;
its submission goes to bot/settings_admin.py (the one gate: admins only, validated, versioned)
and any problem goes back into the modal next to its field.

A submission's answer depends on the service, so that work runs before the ack (Slack waits
3 seconds for it); the App Home is republished after the ack.
"""
from __future__ import annotations

import logging
import time
from typing import Callable

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from storage.models import utcnow

from ..config import USERGROUP_ID
from ..ids import Action, BadValue, Callback, Field, Ref, SettingsForm
from ..membership import DirectoryError
from ..settings_admin import GONE, NOT_ADMIN, NOT_SAVED, Saved, SettingsAdmin
from ..settings_blocks import INVITE, done_view, organisation_modal, team_modal
from ..settings_form import submitted, team_fields
from ..slack_directory import SlackDirectory
from . import Deps, DepsSource, acked, tell, user_id_of
from .home_admin import on_home

log = logging.getLogger("canishare.listeners")

NOT_OPENED = ("Slack wouldn't open the settings form just now, so nothing was changed. "
              "Please click the button again in a moment.")
FORM_BROKEN = "Something was wrong with this form, so nothing was changed. Please close it and open the settings again."
SAVED_KEY = "canishare_settings_saved"
# Every Slack call inside one submission (the typed user group, the channel, the people)
# shares this budget: Slack waits 3 seconds for the answer, and the save itself needs some.
CHECK_SECONDS = 2


def _error_of(err: Exception) -> str:
    """Slack's error code, or the exception's type: never a message, which can quote a payload."""
    response = getattr(err, "response", None)
    code = response.get("error") if isinstance(err, SlackApiError) and response is not None else None
    return str(code or type(err).__name__)


def _once(client: WebClient, timeout: float) -> WebClient:
    """A client that does not retry: a trigger (3 s) or a submission's answer cannot wait."""
    return WebClient(token=client.token, base_url=client.base_url, timeout=timeout, retry_handlers=[])


def _left(deadline: float) -> float:
    return max(0.2, deadline - time.monotonic())


def channel_check(client: WebClient, deadline: float) -> Callable[[str], str | None]:
    """The bot's view of a channel, for the service: what is wrong with it, or None."""

    def check(channel: str) -> str | None:
        try:
            found = _once(client, _left(deadline)).conversations_info(channel=channel)["channel"]
        except SlackApiError as err:
            if err.response.get("error") == "channel_not_found":  # private, and I am not in it
                return f"I can't see that channel. If it is private, add me first: type {INVITE} in it, then save again."
            log.warning("conversations.info refused: %s", err.response.get("error"))
            return "I couldn't check that channel just now (Slack refused). Please try Save again."
        except (SlackClientError, OSError, KeyError, TypeError):
            return "I couldn't check that channel just now (Slack didn't answer). Please try Save again."
        name = found.get("name") or channel
        if found.get("is_archived"):
            return f"#{name} is archived, so nobody would see what I post there. Pick another channel."
        if not found.get("is_member"):
            return f"I'm not in #{name} yet, so I couldn't post there. Type {INVITE} in #{name}, then save again."
        return None

    return check


def person_check(client: WebClient, workspace: str | None, deadline: float) -> Callable[[str], str | None]:
    """Slack's view of a person newly named lead or deputy, for the service: why they could not
    be pinged, or None. Only Slack's own "no such user" refuses; any other failure is logged and
    the person accepted, so an urgent lead change is never held up by Slack. All the checks of
    one submission share CHECK_SECONDS (from `deadline`): Slack waits 3 seconds for the answer."""

    def check(user_id: str) -> str | None:
        left = deadline - time.monotonic()
        if left <= 0.2:
            log.warning("users.info not asked: no time left in this submission")
            return None
        try:
            user = _once(client, left).users_info(user=user_id).get("user") or {}
        except SlackApiError as err:
            if err.response.get("error") == "user_not_found":
                return f"<@{user_id}> is not in this Slack workspace, so I couldn't ping them. Pick someone else."
            log.warning("users.info refused: %s; the person is accepted unchecked", err.response.get("error"))
            return None
        except (SlackClientError, OSError) as err:
            log.warning("users.info failed: %s; the person is accepted unchecked", type(err).__name__)
            return None
        name = f"<@{user_id}>"
        if user.get("is_bot") or user_id == "USLACKBOT":
            return f"{name} is a bot, and a bot cannot act on a request to share. Pick a person."
        if user.get("deleted"):
            return f"{name} has been deactivated in Slack, so they would never see a request. Pick someone else."
        other_org = workspace and user.get("team_id") not in (None, workspace) and not user.get("enterprise_user")
        if user.get("is_stranger") or other_org:
            return f"{name} is not in this Slack workspace (a guest from another organisation). Pick someone in it."
        return None

    return check


def _groups(client: WebClient, seconds: float = 1.0) -> list[dict[str, str]] | None:
    try:  # a menu is being opened (or a form answered): a second's wait at most
        return SlackDirectory(_once(client, seconds)).usergroups()
    except DirectoryError as err:
        log.warning("usergroups.list failed: %s", err.code)
        return None


def usergroups(client: WebClient) -> list[tuple[str, str]] | None:
    """The workspace's user groups for the team modal's menu, as (id, label); None if Slack will not say."""
    groups = _groups(client)
    return None if groups is None else [(g["id"], f"{g['name'] or g['id']} (@{g['handle'] or '?'})") for g in groups]


def usergroup_id(client: WebClient, typed: str, deadline: float | None = None) -> str:
    """A typed @handle (or name) as the group's ID, when the menu could not hold every group."""
    if USERGROUP_ID.match(typed):
        return typed
    wanted = typed.strip().lstrip("@").lower()
    seconds = min(1.0, _left(deadline)) if deadline is not None else 1.0
    match = [g["id"] for g in _groups(client, seconds) or [] if wanted in (g["handle"].lower(), g["name"].lower())]
    return match[0] if len(match) == 1 else typed  # else the service says it is not a user group ID


def _newest(deps: Deps):
    """The settings a form shows and the version they are (the newest stored, not a cache:
    a save is checked against exactly what the admin saw)."""
    read = getattr(deps.config, "latest", None)  # a fixed configuration has no versions
    newest = read() if read else None
    return (newest.settings, newest.number) if newest is not None else (deps.settings, None)


def _open(deps: Deps, body: dict, client: WebClient, view) -> None:
    try:
        _once(client, 3).views_open(trigger_id=body["trigger_id"], view=view)
    except (SlackApiError, SlackClientError, OSError) as err:
        log.warning("could not open a settings form: %s", _error_of(err))
        tell(deps, client, body, NOT_OPENED)


def on_edit_team(deps: Deps, body: dict, action: dict, client: WebClient, **_) -> None:
    if (newest := _as_admin(deps, body, client)) is None:
        return
    settings, version = newest
    team_id = Ref.decode(action.get("value")).id
    team = next((t for t in settings.teams if t.id == team_id), None)
    if team is None:
        tell(deps, client, body, GONE)
        return
    groups = usergroups(client) if "members_usergroup" in team_fields() else None
    _open(deps, body, client, team_modal(settings, team, version, groups))


def _as_admin(deps: Deps, body: dict, client: WebClient):
    """The newest settings and their version when the clicker is an admin; else they are told, and None."""
    settings, version = _newest(deps)
    if not settings.is_admin(user_id_of(body)):
        tell(deps, client, body, NOT_ADMIN)
        return None
    return settings, version


def on_add_team(deps: Deps, body: dict, client: WebClient, **_) -> None:
    if (newest := _as_admin(deps, body, client)) is None:
        return
    settings, version = newest
    groups = usergroups(client) if "members_usergroup" in team_fields() else None
    _open(deps, body, client, team_modal(settings, None, version, groups))


def on_edit_organisation(deps: Deps, body: dict, client: WebClient, **_) -> None:
    if (newest := _as_admin(deps, body, client)) is None:
        return
    settings, version = newest
    _open(deps, body, client, organisation_modal(settings, version))


def answer_submission(deps: Deps, ack: Ack, body: dict, view: dict, client: WebClient, context, organisation: bool) -> None:
    """Save the modal through the service and answer Slack: errors next to their fields, or the
    modal replaced by what happened."""
    deadline = time.monotonic() + CHECK_SECONDS
    fallback = Field.ORG_NAME if organisation else Field.TEAM_NAME
    try:
        form = SettingsForm.decode(view.get("private_metadata") or "{}")
        values = submitted((view.get("state") or {}).get("values"))
    except (BadValue, ValueError, AttributeError, TypeError):
        ack(response_action="errors", errors={fallback: FORM_BROKEN})
        return
    if not organisation and form.team_id is None:
        fallback = Field.TEAM_ID
    if not organisation and isinstance(values.get(Field.TEAM_USERGROUP), str):
        values[Field.TEAM_USERGROUP] = usergroup_id(client, values[Field.TEAM_USERGROUP], deadline)
    workspace = (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
    service = SettingsAdmin(deps.config, check_channel=channel_check(client, deadline),
                            check_person=person_check(client, workspace, deadline))
    try:
        if organisation:
            saved = service.save_organisation(user_id_of(body), values, opened=form.version)
        else:
            saved = service.save_team(user_id_of(body), form.team_id, values, opened=form.version)
    except Exception as error:  # noqa: BLE001 - the admin is told; nothing was stored half-way
        log.error("settings not saved: %s", type(error).__name__)
        ack(response_action="errors", errors={fallback: NOT_SAVED})
        return
    _answer(ack, saved, context)


def _answer(ack: Ack, saved: Saved, context) -> None:
    if saved.kind == "refused":
        ack(response_action="errors", errors=saved.errors)
        return
    context[SAVED_KEY] = saved.kind == "saved"
    ack(response_action="update", view=done_view("Saved" if saved.kind == "saved" else "No change", saved.told))


def republish(deps: Deps, body: dict, context, client: WebClient) -> None:
    """After a save: a user group or channel just named is resolved now rather than at the
    next scheduled refresh, and the admin's App Home shows the new settings."""
    if not context.get(SAVED_KEY):
        return
    resolve_new_sources(deps, client)
    republish_admin_homes(deps, client, user_id_of(body))


def republish_admin_homes(deps: Deps, client: WebClient, saver: str) -> None:
    """Every admin's App Home shows the new settings and who changed them, the saver's first;
    an admin just removed gets the Home without the settings. Best effort, one by one: the
    change is saved already, and one Home Slack refuses must not keep the others old."""
    admins = deps.settings.admins
    for user in dict.fromkeys([saver, *admins]):
        try:
            on_home(deps, event={"user": user, "tab": "home"}, client=client)
        except Exception as error:  # noqa: BLE001 - saved already; only this refreshed Home is lost
            log.warning("App Home not republished after a settings change: %s", _error_of(error))


def resolve_new_sources(deps: Deps, client: WebClient) -> None:
    from ..membership_refresh import refresh_due
    from ..slack_directory import SlackDirectory

    try:  # only sources never asked (or due) are: the schedule would reach them within a tick anyway
        done = refresh_due(deps.db, SlackDirectory(client), deps.settings, deps.escalations.views, utcnow(), check_users=False)
        if done.reports and deps.deliverer is not None:
            deps.deliverer.deliver(done.reports)
    except Exception as error:  # noqa: BLE001 - the scheduled refresh will try again
        log.warning("new membership sources not resolved at once: %s", type(error).__name__)


def on_remove_team(deps: Deps, body: dict, action: dict, client: WebClient, **_) -> None:
    """Remove team, clicked (and confirmed) inside the team modal: the modal shows what happened."""
    team_id = Ref.decode(action.get("value")).id
    saved = SettingsAdmin(deps.config).remove_team(user_id_of(body), team_id)
    title = {"saved": "Team removed", "unchanged": "No change"}.get(saved.kind, "Not removed")
    view_id = (body.get("view") or {}).get("id")
    if view_id:
        try:
            client.views_update(view_id=view_id, view=done_view(title, saved.told))
        except (SlackApiError, SlackClientError, OSError):
            tell(deps, client, body, saved.told)  # the modal is gone: say it in the DM instead
    else:
        tell(deps, client, body, saved.told)
    if saved.kind == "saved":
        republish_admin_homes(deps, client, user_id_of(body))


def register(app: App, deps: Deps) -> None:
    acked(deps, app.action(Action.SETTINGS_TEAM_EDIT), on_edit_team, bad_value=FORM_BROKEN)
    acked(deps, app.action(Action.SETTINGS_TEAM_ADD), on_add_team)
    acked(deps, app.action(Action.SETTINGS_ORG_EDIT), on_edit_organisation)
    acked(deps, app.action(Action.SETTINGS_TEAM_REMOVE), on_remove_team, bad_value=FORM_BROKEN)
    for callback, organisation in ((Callback.SETTINGS_TEAM, False), (Callback.SETTINGS_ORG, True)):
        app.view(callback)(ack=_submission(deps, organisation), lazy=[_republisher(deps)])


def _submission(source: Deps | DepsSource, organisation: bool):
    # Bolt passes arguments by name, so the listener takes only names Bolt knows.
    def ack_submission(ack: Ack, body: dict, view: dict, client: WebClient, context) -> None:
        deps = source.resolve(context)  # the request's own workspace's settings, never another's
        if deps is None:
            ack(response_action="errors", errors={Field.ORG_NAME if organisation else Field.TEAM_NAME: NOT_SAVED})
            return
        answer_submission(deps, ack, body, view, client, context, organisation)

    return ack_submission


def _republisher(source: Deps | DepsSource):
    def republish_saved(body: dict, context, client: WebClient) -> None:
        deps = source.resolve(context)
        if deps is not None:
            republish(deps, body, context, client)

    return republish_saved
