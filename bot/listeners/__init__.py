"""Slack listeners, one module per feature, each with `register(app, deps)`:

| module | what it listens for |
|---|---|
| `conversation` | /canishare, DMs, mentions, the shortcut, Start, team pick, answers, Why, Back |
| `record` | "Record the decision" and the record modal |
| `escalation` | a lead's Claim and Resolve |
| `follow_through` | "What happens next?", the referral and its reminders |
| `home_admin` | App Home, the admins' buttons, uninstall and revoked tokens |
| `settings` | the admins' settings: team and organisation modals, Remove team |
| `membership` | user group and members-channel changes, deactivated leads |

Every listener acks at once in the request thread and hands its work to Bolt's listener
executor (`acked`); the work is a module-level function `(deps, body=, client=, action=, event=)`, so
each can be called alone. Errors are told to the person, never logged with their text.

`register(app, deps)` is given either one workspace's `Deps` (single-workspace mode) or a
resolver of many (bot/tenant_deps.TenantDeps): every use of deps at request time goes through
`deps.resolve(context)`, which in multi-workspace mode answers the Deps of the tenant the
tenancy middleware put in the request's context, and None (the request does nothing) when
there is none: there is no default tenant.
"""
from __future__ import annotations

import logging
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from slack_bolt import Ack, App, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from .. import blocks as B
from ..config import Settings
from ..config_store import SettingsSource
from ..delivery import Deliverer
from ..escalation import Escalations
from ..ids import BadValue
from ..slack_messenger import SlackMessenger

log = logging.getLogger("canishare.listeners")

TRY_AGAIN = ":hourglass: I couldn't save that just now. Please try again in a moment — nothing you answered has been lost."
SORRY = "Sorry, something went wrong on my side. Please try again; nothing was saved half-way."
NOT_YOURS = "This conversation belongs to someone else, so I can't take your answer. Start your own with /canishare."
REPLACED = "You started a new question after this one, so this one is closed. Please answer your latest message."
FINISHED = "This decision has already been recorded. To ask about something new, use /canishare or the Start button in my Home tab."
MISSING = "I can't find that conversation any more. Start again with /canishare."
WRONG_VALUE = "That button sent something I don't recognise, so nothing changed. Please use the buttons on your latest message."
NOT_YOUR_MESSAGE = "That message isn't yours, so I haven't changed it."
CLICK_AGAIN = "That took too long to open, so Slack cancelled it. Please click the button again."
IN_DM = "I've sent you a direct message to work through it in private."


@dataclass
class Deps:
    config: SettingsSource  # bot.config_store.ConfigStore when serving
    db: Any
    pseudonym_key: str
    escalations: Escalations
    workspace: str | None = None
    deliverer: Deliverer | None = None
    membership: Any = None  # bot.membership.MemberCache: team members from Slack (set by listeners.membership)
    # Multi-workspace mode only (bot/tenant_deps.py): whose these are, the tenant's own bot client
    # for background work, and what uninstalling does beyond this tenant's database.
    tenant: str | None = None
    client: Any = None
    uninstall: Callable[[str, dict], None] | None = None  # ("uninstalled" | "revoked", the event's body)

    def resolve(self, context: Any = None) -> "Deps":
        """Single-workspace mode: one workspace, these Deps for every request."""
        return self

    @property
    def settings(self) -> Settings:
        """The configuration now: read per call, never kept (an admin's change applies at once)."""
        return self.config.current()

    def messenger(self, client: WebClient) -> SlackMessenger:
        return SlackMessenger(client, self.db)


class DepsSource(Protocol):
    def resolve(self, context: Any) -> Deps | None:
        """The Deps of the request's tenant; None when it has none (then nothing is done)."""


Work = Callable[..., None]


def acked(source: Deps | DepsSource, listen, work: Work, reply: Callable[[dict], str | None] | None = None,
          bad_value: str = WRONG_VALUE) -> None:
    """Register `work` for work that talks to Slack: ack() in the request thread at once
    (optionally with a reply built from the body), then run the work on Bolt's listener
    executor as work(deps, body=, client=, action=, event=). A click whose value is not a
    string is refused with WRONG_VALUE; one the codec refuses (BadValue, raised by the work's
    decode) with `bad_value`, and nothing changes. The Deps are the request's own tenant's
    (`source.resolve(context)`); a request without one is acknowledged and does nothing."""

    def ack_now(ack: Ack, body: dict, context, client: WebClient, action: dict | None, event: dict | None) -> None:
        if source.resolve(context) is None:  # the tenancy middleware answers these before we get here
            ack()
            return
        text = reply(body) if reply else None
        ack(text) if text else ack()  # Bolt refuses ack(None)
        # The work goes to Bolt's listener executor with this request's own objects, which
        # nothing changes once the listener has run. A lazy listener would first deep-copy
        # the whole request (payload, message, context) and inject its arguments a second
        # time: the largest part of Bolt's work on a click, before the next question's post.
        handed = context.listener_runner.listener_executor.submit(run, body, client, action, event, context)
        handed.add_done_callback(_report_escaped)

    def run(body: dict, client: WebClient, action: dict | None, event: dict | None, context) -> None:
        deps = source.resolve(context)
        if deps is None:
            log.warning("ignored a request with no workspace of ours")
            return
        if action and not well_typed(action):  # a forged or garbled click: say so plainly
            log.warning("refused a click with a value of the wrong type")
            deps.messenger(client).ephemeral(channel_of(body), user_id_of(body), WRONG_VALUE)
            return
        try:
            work(deps, body=body, client=client, action=action or {}, event=event or {})
        except BadValue:
            log.warning("refused a click with a value of the wrong shape")
            deps.messenger(client).ephemeral(channel_of(body), user_id_of(body), bad_value)
        except Exception as error:  # noqa: BLE001 - a listener must never die silently
            tell_failure(deps, error, body, client)

    listen(ack_now)


def _report_escaped(handed: Future) -> None:
    """What escaped a listener's work (e.g. the database down while telling the person of a
    failure) would stay unread in its Future: it is logged, by type only, as Bolt logged a lazy
    listener's errors."""
    error = handed.exception()
    if error is not None:
        log.error("listener work failed: %s", type(error).__name__)


def tell_failure(deps: Deps, error: Exception, body: dict, client: WebClient) -> None:
    log.error("listener failed: %s", type(error).__name__)  # the type only: messages can quote payloads
    user_id = user_id_of(body or {})
    if not user_id:
        return
    note = TRY_AGAIN if isinstance(error, (SQLAlchemyError, LookupError)) else SORRY
    deps.messenger(client).ephemeral(channel_of(body), user_id, note)


def on_error(error: Exception) -> BoltResponse:
    if isinstance(error, BoltUnhandledRequestError):  # an event or interaction we do not use
        return BoltResponse(status=200, body="")
    # Reached only before an ack (the work after it reports its own errors): a payload
    # Slack would never send, so a 400, not a 500. The type only: messages quote payloads.
    log.error("request refused: %s", type(error).__name__)
    return BoltResponse(status=400, body="")


def register_all(app: App, deps: Deps | DepsSource) -> None:
    from . import conversation, escalation, follow_through, home_admin, membership, record, settings

    for feature in (conversation, record, escalation, follow_through, home_admin, membership, settings):
        feature.register(app, deps)
    app.error(on_error)


# --- payload helpers ------------------------------------------------------------------------

def user_id_of(body: dict) -> str:
    """The Slack user id of whoever sent this (a click, a command or an event)."""
    user = body.get("user")
    if isinstance(user, dict) and user.get("id"):
        return user["id"]
    event = body.get("event") if isinstance(body.get("event"), dict) else {}
    return body.get("user_id") or event.get("user") or ""


def workspace_of(body: dict) -> str:
    team = body.get("team")
    if isinstance(team, dict):
        return team.get("id") or ""
    return body.get("team_id") or team or ""


def well_typed(action: dict) -> bool:
    """Every value a click carries is a string, as Slack sends them."""
    if "value" in action and not isinstance(action["value"], str):
        return False
    option = action.get("selected_option")
    if option is not None and not (isinstance(option, dict) and isinstance(option.get("value"), str)):
        return False
    return isinstance(action.get("action_id", ""), str)


def channel_of(body: dict) -> str:
    event = body.get("event") if isinstance(body.get("event"), dict) else {}
    channel = body.get("channel") if isinstance(body.get("channel"), dict) else {}
    container = body.get("container") if isinstance(body.get("container"), dict) else {}
    return channel.get("id") or container.get("channel_id") or body.get("channel_id") or event.get("channel") or user_id_of(body)


def message_ts(body: dict) -> str | None:
    return (body.get("message") or {}).get("ts") or (body.get("container") or {}).get("message_ts")


def clicked(body: dict) -> tuple[str, str] | None:
    """The message a button was clicked on, unless it is the App Home view."""
    if (body.get("container") or {}).get("type") != "message":
        return None
    ts = message_ts(body)
    return (channel_of(body), ts) if ts else None


def replace(m: SlackMessenger, body: dict, text: str, blocks: list) -> None:
    """Rewrite the message the button was on (so the DM reads as a transcript)."""
    ts = message_ts(body)
    if ts:
        m.update(channel_of(body), ts, text, B.to_dicts(blocks))


def tell(deps: Deps, client: WebClient, body: dict, text: str, blocks: list[dict] | None = None) -> None:
    """An ephemeral note to whoever clicked, where they clicked."""
    deps.messenger(client).ephemeral(channel_of(body), user_id_of(body), text, blocks)


__all__ = ["BadValue", "Deps", "DepsSource", "acked", "channel_of", "clicked", "message_ts", "register_all", "replace", "tell",
           "tell_failure", "user_id_of", "well_typed", "workspace_of"]
