"""The record step: "Record the decision" opens the modal; its submission is checked and
screened by bot/record_details.py (the one gate) before anything is stored."""
from __future__ import annotations

import logging

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from .. import blocks as B
from .. import conversations, record_details
from ..ids import Action, BlockId, Callback, RecordForm, Ref
from . import CLICK_AGAIN, FINISHED, MISSING, NOT_YOURS, Deps, DepsSource, acked, channel_of, message_ts, tell, tell_failure, user_id_of
from .conversation import outcome_message

log = logging.getLogger("canishare.listeners")

FORM_BROKEN = "Something was wrong with this form; please close it and try again."
NOT_SAVED = "I couldn't save this just now. Please try again in a moment; your choices are still here."
SAVED_KEY = "canishare_recorded"  # the context key from the ack to the work after it


def on_record_open(deps: Deps, body: dict, action: dict, client: WebClient, **_) -> None:
    conversation_id = Ref.decode(action.get("value", "")).id
    result = conversations.current(deps.db, conversation_id=conversation_id, user_id=user_id_of(body))
    if result.kind != "outcome" or result.outcome is None:
        tell(deps, client, body, {"not_yours": NOT_YOURS}.get(result.kind, MISSING))
        return
    if result.conversation and result.conversation.status == "recorded":
        tell(deps, client, body, FINISHED)
        return
    assert result.flow is not None
    meta = RecordForm(conversation_id, channel_of(body), message_ts(body)).encode()
    # A trigger lives 3 seconds: no retry (a 429's Retry-After outlives it); ask for a new click.
    once = WebClient(token=client.token, base_url=client.base_url, timeout=3, retry_handlers=[])
    try:
        once.views_open(trigger_id=body["trigger_id"],
                        view=B.record_modal(result.outcome.id, meta, record_details.choices_of(result.flow.pack)))
    except (SlackApiError, OSError) as err:
        log.warning("could not open the record form: %s", getattr(getattr(err, "response", None), "get", lambda _k: type(err).__name__)("error"))
        tell(deps, client, body, CLICK_AGAIN)


def read_form(view: dict) -> tuple[RecordForm, dict[str, list[str]], object]:
    """The form's metadata, its three choices and its note; ValueError etc. if it is not ours."""
    form = RecordForm.decode(view.get("private_metadata") or "{}")
    values = view["state"]["values"]
    fields = (BlockId.SHARED_WHAT, BlockId.SHARED_WITH, BlockId.REASON)
    picked = {str(k): B.selected_values(values.get(k, {}).get(Action.INPUT)) for k in fields}
    note = (values.get(BlockId.NOTE, {}).get(Action.INPUT, {}) or {}).get("value")
    return form, picked, note


def screen_and_save(deps: Deps, ack: Ack, body: dict, view: dict, context) -> None:
    """The modal's answer depends on this, so it runs before the ack. record_details.save
    checks the choices and screens the note itself (nothing flagged is stored, logged or
    sent); a refusal goes back into the modal only, quoting the words to fix."""
    try:
        form, picked, note = read_form(view)
    except (ValueError, AttributeError, KeyError, TypeError):
        ack(response_action="errors", errors={"reason": FORM_BROKEN})
        return
    reason = picked["reason"][0] if picked["reason"] else None
    try:
        saved = record_details.save(deps.db, conversation_id=form.conversation_id, user_id=user_id_of(body),
                                    shared_what=picked["shared_what"], shared_with=picked["shared_with"], reason=reason,
                                    note=note if isinstance(note, str) else None)
    except SQLAlchemyError:
        log.error("record details not saved: database unavailable")
        ack(response_action="errors", errors={"reason": NOT_SAVED})
        return
    if saved.kind == "refused":
        errors = {k: p.message for k, p in saved.problems.items()}
        if "note" in errors and saved.problems["note"].kinds and isinstance(note, str):
            errors["note"] = record_details.explain_note(note) or errors["note"]  # into the modal only
        ack(response_action="errors", errors=errors)
        return
    if saved.kind in ("not_yours", "missing"):
        ack(response_action="errors", errors={"reason": NOT_YOURS if saved.kind == "not_yours" else MISSING})
        return
    if saved.kind == "saved":  # stored just now (not a second click on Save)
        context[SAVED_KEY] = form
    ack()


def confirm_recorded(deps: Deps, body: dict, context, client: WebClient) -> None:
    """After the ack: mark the outcome message recorded and confirm in the DM."""
    form: RecordForm | None = context.get(SAVED_KEY)
    if not form:
        return
    user_id = user_id_of(body)
    try:
        result = conversations.current(deps.db, conversation_id=form.conversation_id, user_id=user_id)
        if not (result.conversation and result.flow and result.record and result.outcome):
            return
        m = deps.messenger(client)
        if form.channel and form.ts:
            text, blocks = outcome_message(deps, result, recorded=True)
            m.update(form.channel, form.ts, text, blocks)
        m.post(user_id, "Decision recorded", B.to_dicts(B.recorded_blocks(result.record.id)))
    except Exception as error:  # noqa: BLE001 - the record is safe; only the confirmation is lost
        tell_failure(deps, error, body, client)


def _save_for_tenant(source: Deps | DepsSource, ack: Ack, body: dict, view: dict, context) -> None:
    deps = source.resolve(context)  # the request's own workspace, never another's
    if deps is None:
        ack(response_action="errors", errors={"reason": NOT_SAVED})
        return
    screen_and_save(deps, ack, body, view, context)


def _confirm_for_tenant(source: Deps | DepsSource, body: dict, context, client: WebClient) -> None:
    deps = source.resolve(context)
    if deps is not None:
        confirm_recorded(deps, body, context, client)


def register(app: App, deps: Deps | DepsSource) -> None:
    acked(deps, app.action(Action.RECORD_OPEN), on_record_open)
    app.view(Callback.RECORD)(
        ack=lambda ack, body, view, context: _save_for_tenant(deps, ack, body, view, context),
        lazy=[lambda body, context, client: _confirm_for_tenant(deps, body, context, client)],
    )
