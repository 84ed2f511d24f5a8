"""What happens next: the procedures menu, "I am making a referral", and its reminders
(bot/followup.py holds the rules, bot/procedure_blocks.py the blocks)."""
from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from policy.procedures import procedure

from .. import blocks as B
from .. import followup
from .. import procedure_blocks as P
from ..ids import Action, ProcedureChoice, Ref, selected
from . import MISSING, NOT_YOUR_MESSAGE, Deps, acked, replace, tell, user_id_of

PICK_ONE = "Please pick one of the listed procedures."
NO_REMINDERS = ("No reminders. Remember to confirm a phoned referral in writing within your organisation's timescale, and to chase "
                "children's social care if you have not heard their decision within one working day.")


def on_procedure(deps: Deps, body: dict, action: dict, client: WebClient, **_) -> None:
    try:
        proc = procedure(ProcedureChoice.decode(selected(action)).number)
    except KeyError:
        tell(deps, client, body, PICK_ONE)
        return
    deps.messenger(client).post(user_id_of(body), proc.title, B.to_dicts(P.procedure_blocks(proc)))


def on_referral(deps: Deps, body: dict, action: dict, client: WebClient, **_) -> None:
    settings, user_id = deps.settings, user_id_of(body)
    result = followup.make_referral(deps.db, Ref.decode(action.get("value", "")).id, user_id, settings.digest.zone,
                                    holidays=settings.working_days.holidays, local=settings.local_timescale_values)
    if not result.ok or result.referral is None:
        tell(deps, client, body, result.message or MISSING)
        return
    r = result.referral
    blocks = (P.procedure_blocks(procedure(1, local=settings.local_timescale_values))
              + P.referral_offer(r.id, r.confirm_by, r.decision_due, settings.digest.zone))
    deps.messenger(client).post(user_id, "Referral to children's social care: what happens next", B.to_dicts(blocks))


def on_followup_accept(deps: Deps, body: dict, action: dict, client: WebClient, **_) -> None:
    settings = deps.settings
    scheduled = followup.schedule_reminders(deps.db, Ref.decode(action.get("value", "")).id, user_id_of(body),
                                            settings.digest.zone, holidays=settings.working_days.holidays,
                                            local=settings.local_timescale_values)
    if scheduled is None:
        tell(deps, client, body, MISSING)
        return
    items, referral = scheduled
    replace(deps.messenger(client), body, "Reminders set", P.scheduled_blocks(items, referral, settings.digest.zone))


def on_followup_decline(deps: Deps, body: dict, action: dict, client: WebClient, **_) -> None:
    if not followup.owns_referral(deps.db, Ref.decode(action.get("value", "")).id, user_id_of(body)):
        tell(deps, client, body, NOT_YOUR_MESSAGE)  # e.g. a click forged on a lead's ping
        return
    replace(deps.messenger(client), body, "No reminders", B.notice_blocks(NO_REMINDERS))


def on_followup_close(deps: Deps, body: dict, action: dict, client: WebClient, **_) -> None:
    status = "done" if action["action_id"].startswith(Action.FOLLOWUP_DONE) else "dismissed"
    tell(deps, client, body, followup.close(deps.db, Ref.decode(action.get("value", "")).id, user_id_of(body), status))


def register(app: App, deps: Deps) -> None:
    acked(deps, app.action(Action.PROCEDURE_SHOW), on_procedure, bad_value=PICK_ONE)
    acked(deps, app.action(Action.REFERRAL_START), on_referral)
    acked(deps, app.action(Action.FOLLOWUP_ACCEPT), on_followup_accept)
    acked(deps, app.action(Action.FOLLOWUP_DECLINE), on_followup_decline)
    acked(deps, app.action(Action.FOLLOWUP_DONE.numbered()), on_followup_close)
    acked(deps, app.action(Action.FOLLOWUP_DISMISS.numbered()), on_followup_close)
