"""Slack listeners: acknowledge first, then translate to walk/escalation calls and render.

Registered once, at start-up. Each listener opens its own database session(s) through the
walk and escalation services (Bolt runs listeners in a thread pool). Logs carry no free
text and no payloads.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import ActionsBlock
from sqlalchemy.exc import SQLAlchemyError

from policy import ANSWER_LABELS
from policy.procedures import procedure

from . import admin
from . import blocks as B
from . import followup
from . import procedure_blocks as P
from . import record_details
from . import walk
from . import workspaces
from .config import Settings
from .escalation import Escalations
from .delivery import Deliverer
from .escalation_blocks import LEAD_OUTCOMES
from .home import home_view
from .messenger import Messenger
from storage.outbox import enqueue

log = logging.getLogger("canishare.listeners")

TRY_AGAIN = ":hourglass: I couldn't save that just now. Please try again in a moment — nothing you answered has been lost."
NOT_YOURS = "This conversation belongs to someone else, so I can't take your answer. Start your own with /canishare."
REPLACED = "You started a new question after this one, so this one is closed. Please answer your latest message."
FINISHED = "This decision has already been recorded. To ask about something new, use /canishare or the Start button in my Home tab."
MISSING = "I can't find that conversation any more. Start again with /canishare."
WRONG_VALUE = "That button sent something I don't recognise, so nothing changed. Please use the buttons on your latest message."
NOT_YOUR_MESSAGE = "That message isn't yours, so I haven't changed it."
CLICK_AGAIN = "That took too long to open, so Slack cancelled it. Please click the button again."


@dataclass
class Deps:
    settings: Settings
    db: Any
    pseudonym_key: str
    escalations: Escalations
    workspace: str | None = None
    deliverer: Deliverer | None = None


def _user(body: dict) -> str:
    user = body.get("user")
    if isinstance(user, dict) and user.get("id"):
        return user["id"]
    event = body.get("event") if isinstance(body.get("event"), dict) else {}
    return body.get("user_id") or event.get("user") or ""


def _workspace(body: dict) -> str:
    team = body.get("team")
    if isinstance(team, dict):
        return team.get("id") or ""
    return body.get("team_id") or team or ""


def register(app: App, deps: Deps) -> None:
    settings, db = deps.settings, deps.db

    def messenger(client: WebClient) -> Messenger:
        return Messenger(client, db)

    def acked(listen, reply=None):
        """Register `work` the slack-bolt way for work that talks to Slack: ack() in the
        request thread at once (optionally with a reply built from the body), then run the
        work on Bolt's lazy executor. Errors in the work are reported to the person here,
        never logged with their text."""

        def decorate(work):
            def ack_now(ack: Ack, body: dict) -> None:
                text = reply(body) if reply else None
                ack(text) if text else ack()  # Bolt refuses ack(None)

            def run(body: dict, client: WebClient, action: dict | None, event: dict | None) -> None:
                if action and not _well_typed(action):  # a forged or garbled click: say so plainly
                    log.warning("refused a click with a value of the wrong type")
                    Messenger(client, db).ephemeral(_channel(body), _user(body), WRONG_VALUE)
                    return
                try:
                    work(body=body, client=client, action=action or {}, event=event or {})
                except Exception as error:  # noqa: BLE001 - a listener must never die silently
                    tell_failure(error, body, client)

            listen(ack=ack_now, lazy=[run])
            return work

        return decorate

    def tell_failure(error: Exception, body: dict, client: WebClient) -> None:
        log.error("listener failed: %s", type(error).__name__)  # the type only: messages can quote payloads
        user = _user(body or {})
        if not user:
            return
        if isinstance(error, (SQLAlchemyError, LookupError)):
            note = TRY_AGAIN
        else:
            note = "Sorry, something went wrong on my side. Please try again; nothing was saved half-way."
        Messenger(client, db).ephemeral(_channel(body), user, note)

    # --- starting ---------------------------------------------------------------------------
    def begin(client: WebClient, user_id: str, workspace: str, team_id: str | None = None) -> None:
        m = messenger(client)
        teams = settings.teams_of(user_id)
        if team_id is not None:
            teams = [t for t in teams if t.id == team_id]
        if not teams:
            m.post(user_id, "You're not in a team yet", B.to_dicts(B.notice_blocks(
                "I don't know which team you work in, so I can't tell who your safeguarding lead is. "
                "Please ask your canishare admin to add you to a team.")))
            return
        if len(teams) > 1:
            picker = [B.button(t.name, f"pick_team_{i}", t.id) for i, t in enumerate(teams[:5])]
            from slack_sdk.models.blocks import ActionsBlock
            m.post(user_id, "Which team are you asking for?",
                   B.to_dicts(B.notice_blocks("You work in more than one team. *Which team is this about?*") + [ActionsBlock(block_id="team", elements=picker)]))
            return
        team = teams[0]
        result = walk.start(db, workspace=workspace, user_id=user_id, team=team.id,
                            policy=settings.policy_for(team.id), channel_id=None,
                            plan=lambda s, r: [ask(s, user_id, r)])
        deliver(result)

    def deliver(result: walk.Result, force: bool = False) -> int:
        """Send what the change queued, in order: the next question or outcome first (then the
        edit of the answered message), then any pings."""
        assert deps.deliverer is not None
        return deps.deliverer.deliver(result.deliveries, force=force)

    def _step_key(result: walk.Result) -> str:
        assert result.conversation is not None
        return f"step:{result.conversation.id}:{result.conversation.version}"

    def _rewrite(body: dict | None, text: str, blocks: list) -> list[dict] | None:
        """The edit of the message clicked, made once the next step is out."""
        ts = _message_ts(body or {})
        if not ts:
            return None
        return [{"method": "chat.update", "args": {"channel": _channel(body or {}), "ts": ts, "text": text,
                                                   "blocks": B.to_dicts(blocks)}}]

    def ask(s, channel: str, result: walk.Result, after: list[dict] | None = None):
        node = result.node
        assert node is not None and result.conversation is not None
        blocks = B.question_blocks(result.conversation.id, node, result.number, can_go_back=bool(result.conversation.path))
        return enqueue(s, key=_step_key(result), kind="step", channel=result.conversation.user_id,
                       text=B.question_text(node, result.number), blocks=B.to_dicts(blocks),
                       conversation_id=result.conversation.id, after=after, workspace=result.conversation.workspace)

    def command_reply(body: dict) -> str | None:
        in_dm = (body.get("channel_name") == "directmessage") or str(body.get("channel_id", "")).startswith("D")
        return None if in_dm else "I've sent you a direct message to work through it in private."

    @acked(app.command("/canishare"), reply=command_reply)
    def on_command(body: dict, client: WebClient, **_) -> None:
        begin(client, _user(body), _workspace(body))

    @acked(app.event("message"))
    def on_message(body: dict, event: dict, client: WebClient, **_) -> None:
        # Only a person's new message in our DM starts a walk; edits, joins and bots do not.
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        user = event.get("user") or ""
        if not user or not walk.first_time(db, f"start:{event.get('channel')}:{event.get('ts')}"):
            return
        if not walk.wants_to_start(event.get("text")):  # "thanks", "ok": not a new question
            messenger(client).post(user, "Start a new question?", B.to_dicts(
                B.notice_blocks("I help you check whether you can share information about a child or family. To ask, press *Start* "
                                "(or type /canishare).")
                + [ActionsBlock(block_id="next", elements=[B.button("Start", "start_conversation", "new", "primary")])]))
            return
        begin(client, user, _workspace(body))

    @acked(app.event("app_uninstalled"))
    def on_uninstalled(body: dict, **_) -> None:
        workspaces.removed(db, _workspace(body), "uninstalled")

    @acked(app.event("tokens_revoked"))
    def on_tokens_revoked(body: dict, event: dict, client: WebClient, **_) -> None:
        tokens = event.get("tokens") if isinstance(event.get("tokens"), dict) else {}
        if not tokens.get("bot"):
            log.warning("user tokens were revoked; the bot token still works")
            return
        workspaces.removed(db, _workspace(body), "revoked")
        for admin_id in settings.admins:  # if Slack still lets us say so
            messenger(client).post(admin_id, "canishare was disconnected", B.to_dicts(B.notice_blocks(
                ":warning: canishare's bot token was revoked in this workspace, so it has stopped: practitioners "
                "cannot ask, and safeguarding leads will not be pinged. Reinstall the app to restore it.")))

    @acked(app.event("app_mention"))
    def on_mention(body: dict, event: dict, client: WebClient, **_) -> None:
        user = event.get("user") or ""
        if not user or not walk.first_time(db, f"start:{event.get('channel')}:{event.get('ts')}"):
            return
        messenger(client).ephemeral(event.get("channel", ""), user, "I've sent you a direct message to work through it in private.")
        begin(client, user, _workspace(body))

    @acked(app.shortcut("canishare_message"))
    def on_shortcut(body: dict, client: WebClient, **_) -> None:
        # The message itself is never read or stored: it may hold a child's details.
        begin(client, _user(body), _workspace(body))

    @acked(app.action("start_conversation"))
    def on_start(body: dict, client: WebClient, **_) -> None:
        begin(client, _user(body), _workspace(body))

    @acked(app.action(re.compile(r"^pick_team_\d+$")))
    def on_pick_team(body: dict, action: dict, client: WebClient, **_) -> None:
        user = _user(body)
        team_id = action.get("value", "")
        if team_id not in {t.id for t in settings.teams_of(user)}:
            messenger(client).ephemeral(_channel(body), user, "That team isn't one of yours.")
            return
        _replace(messenger(client), body, f"Team: {team_id}", B.notice_blocks(f"Asking for team *{B.escape(settings.team(team_id).name)}*."))
        begin(client, user, _workspace(body), team_id)

    # --- answering --------------------------------------------------------------------------
    @acked(app.action(re.compile(r"^answer_(yes|no|not_sure)$")))
    def on_answer(body: dict, action: dict, client: WebClient, **_) -> None:
        take_answer(client, body, action, action["action_id"].removeprefix("answer_"))

    @acked(app.action("escalate"))
    def on_escalate(body: dict, action: dict, client: WebClient, **_) -> None:
        # "Ask my safeguarding lead" is Not sure at this question: same outcome, same record.
        take_answer(client, body, action, "not_sure")

    def take_answer(client: WebClient, body: dict, action: dict, answer: str) -> None:
        user = _user(body)
        conversation_id, node_id = B.parse_value(action.get("value", ""))
        result = walk.answer(db, conversation_id=conversation_id, user_id=user, node_id=node_id, answer=answer,
                             pseudonym_key=deps.pseudonym_key, plan=lambda s, r: next_step(s, body, r))
        show(messenger(client), body, user, result)

    def next_step(s, body: dict, result: walk.Result) -> list:
        """Queued with the answer: the next question or the outcome (and its pings), and the
        rewrite of the answered question once that is out."""
        assert result.answered is not None and result.answer and result.conversation
        number = len(result.conversation.path)
        after = _rewrite(body, B.question_text(result.answered, number), B.answered_blocks(result.answered, number, result.answer))
        if result.kind == "question":
            return [ask(s, _channel(body), result, after)]
        return tell_outcome(s, result, after)

    def show(m: Messenger, body: dict, user: str, result: walk.Result) -> None:
        channel = _channel(body)
        if result.kind == "finished" and result.conversation is not None and result.conversation.status == "abandoned":
            m.ephemeral(channel, user, REPLACED)
            return
        if result.kind in ("not_yours", "missing", "finished"):
            m.ephemeral(channel, user, {"not_yours": NOT_YOURS, "missing": MISSING, "finished": FINISHED}[result.kind])
            return
        if result.kind == "already":
            if result.step_pending and result.previous == result.answer:
                # The next step was saved but never reached Slack (e.g. a restart): send it now.
                assert deps.deliverer is not None
                if deps.deliverer.ensure(result.deliveries):
                    m.ephemeral(channel, user, f"Already answered ({ANSWER_LABELS[result.previous]}) — your next step is below.")
                else:
                    m.ephemeral(channel, user, "Your answer is saved. Slack isn't taking messages just now; "
                                               "your next step will appear here as soon as it can be sent.")
                return
            if result.previous is None:
                m.ephemeral(channel, user, "That isn't the question you're on now, so nothing changed. Please use your latest message.")
            elif result.previous == result.answer:  # a double click: it counted once
                m.ephemeral(channel, user, f"Already answered ({ANSWER_LABELS[result.previous]}) — your next step is below.")
            else:
                label = ANSWER_LABELS[result.previous]
                m.ephemeral(channel, user, f"You already answered this question ({label}). To change it, use *Back* on your latest question.")
            return
        deliver(result)

    def tell_outcome(s, result: walk.Result, after: list[dict] | None = None, recorded: bool = False) -> list:
        """The outcome message, queued; an escalating outcome opens its escalation (and queues
        its pings) in the same transaction as the record."""
        convo, flow, outcome, record = result.conversation, result.flow, result.outcome, result.record
        assert convo and flow and outcome and record
        team = settings.team(convo.team)
        blocks = B.outcome_blocks(convo.id, flow.pack, outcome, flow.reasons(convo), flow.ground(convo), record.id,
                                  record.updated_at, leads=team.leads, recorded=recorded)
        blocks += P.followthrough_blocks(convo.id, outcome, flow.ground(convo))
        rows = [enqueue(s, key=_step_key(result), kind="step", channel=convo.user_id, text=B.outcome_text(outcome),
                        blocks=B.to_dicts(blocks), conversation_id=convo.id, after=after, workspace=convo.workspace)]
        if outcome.escalates and not recorded:  # declared by the pack (escalate: routine or urgent)
            s.flush()
            esc = deps.escalations.open_in(s, record=record, conversation_id=convo.id, practitioner=convo.user_id,
                                           team_id=convo.team, urgent=outcome.urgent)
            rows += deps.escalations.queued(s, esc)
        return [r for r in rows if r is not None]

    @acked(app.action("why"))
    def on_why(body: dict, action: dict, client: WebClient, **_) -> None:
        _conversation_id, node_id = B.parse_value(action.get("value", ""))
        user = _user(body)
        result = walk.current(db, conversation_id=_conversation_id, user_id=user)
        node = result.flow.pack.nodes.get(node_id) if result.flow else None
        if node is None:
            messenger(client).ephemeral(_channel(body), user, MISSING)
            return
        messenger(client).ephemeral(_channel(body), user, f"Why am I asked this? {B.escape(node.why)}", B.to_dicts(B.why_blocks(node)))

    @acked(app.action("back"))
    def on_back(body: dict, action: dict, client: WebClient, **_) -> None:
        conversation_id, from_node = B.parse_value(action.get("value", ""))
        go_back(client, body, conversation_id, from_node, None)

    @acked(app.action("change_answer"))
    def on_change_answer(body: dict, action: dict, client: WebClient, **_) -> None:
        conversation_id, target = B.parse_value((action.get("selected_option") or {}).get("value", ""))
        to_node, _, from_outcome = target.partition("@")
        go_back(client, body, conversation_id, from_outcome, to_node)

    def go_back(client: WebClient, body: dict, conversation_id: str, from_node: str, to_node: str | None) -> None:
        user = _user(body)
        m = messenger(client)

        def plan(s, result: walk.Result) -> list:
            assert result.conversation is not None
            after = None
            if result.outcome is not None:
                after = _rewrite(body, "You changed your answer", B.notice_blocks(f"~{B.escape(result.outcome.title)}~ — you went back to change your answer."))
            elif result.answered is not None:
                after = _rewrite(body, "You went back", B.went_back_blocks(result.answered, len(result.conversation.path) + 2))
            return [ask(s, _channel(body), result, after)]

        result = walk.back(db, conversation_id=conversation_id, user_id=user, from_node=from_node, to_node=to_node, plan=plan)
        if result.kind != "question":
            if result.kind == "already":
                m.ephemeral(_channel(body), user, "That question has moved on; use Back on your latest message.")
            else:
                show(m, body, user, result)
            return
        deliver(result)

    # --- recording --------------------------------------------------------------------------
    @acked(app.action("record_open"))
    def on_record_open(body: dict, action: dict, client: WebClient, **_) -> None:
        user = _user(body)
        conversation_id = action.get("value", "")
        result = walk.current(db, conversation_id=conversation_id, user_id=user)
        if result.kind != "outcome" or result.outcome is None:
            messenger(client).ephemeral(_channel(body), user, {"not_yours": NOT_YOURS}.get(result.kind, MISSING))
            return
        if result.conversation and result.conversation.status == "recorded":
            messenger(client).ephemeral(_channel(body), user, FINISHED)
            return
        meta = json.dumps({"c": conversation_id, "ch": _channel(body), "ts": _message_ts(body)})
        # A trigger lives 3 seconds: no retry (a 429's Retry-After outlives it); ask for a new click.
        once = WebClient(token=client.token, base_url=client.base_url, timeout=3, retry_handlers=[])
        try:
            once.views_open(trigger_id=body["trigger_id"], view=B.record_modal(result.outcome.id, meta, record_details.choices_of(result.flow.pack)))
        except (SlackApiError, OSError) as err:
            log.warning("could not open the record form: %s", getattr(getattr(err, "response", None), "get", lambda _k: type(err).__name__)("error"))
            messenger(client).ephemeral(_channel(body), user, CLICK_AGAIN)

    def screen_and_save(ack: Ack, body: dict, view: dict, context) -> None:
        """The modal's answer depends on this, so it runs before the ack. record_details.save
        checks the choices and screens the note itself (nothing flagged is stored, logged or
        sent); a refusal goes back into the modal only, quoting the words to fix."""
        user = _user(body)
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
            values = view["state"]["values"]
            picked = {k: B.selected_values(values.get(k, {}).get("value")) for k in ("shared_what", "shared_with", "reason")}
            note = (values.get("note", {}).get("value", {}) or {}).get("value")
            conversation_id = str(meta.get("c", ""))
        except (ValueError, AttributeError, KeyError, TypeError):
            ack(response_action="errors", errors={"reason": "Something was wrong with this form; please close it and try again."})
            return
        reason = picked["reason"][0] if picked["reason"] else None
        try:
            saved = record_details.save(db, conversation_id=conversation_id, user_id=user, shared_what=picked["shared_what"],
                                        shared_with=picked["shared_with"], reason=reason,
                                        note=note if isinstance(note, str) else None)
        except SQLAlchemyError:
            log.error("record details not saved: database unavailable")
            ack(response_action="errors", errors={"reason": "I couldn't save this just now. Please try again in a moment; your choices are still here."})
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
            context["canishare_recorded"] = {"c": conversation_id, "ch": meta.get("ch"), "ts": meta.get("ts")}
        ack()

    def confirm_recorded(body: dict, context, client: WebClient) -> None:
        """After the ack: mark the outcome message recorded and confirm in the DM."""
        saved = context.get("canishare_recorded")
        if not saved:
            return
        user = _user(body)
        try:
            result = walk.current(db, conversation_id=saved["c"], user_id=user)
            convo, flow, record = result.conversation, result.flow, result.record
            if not (convo and flow and record and result.outcome):
                return
            m = messenger(client)
            if saved.get("ch") and saved.get("ts"):
                team = settings.team(convo.team)
                blocks = B.outcome_blocks(convo.id, flow.pack, result.outcome, flow.reasons(convo), flow.ground(convo),
                                          record.id, record.created_at, leads=team.leads, recorded=True)
                blocks += P.followthrough_blocks(convo.id, result.outcome, flow.ground(convo))
                m.update(saved["ch"], saved["ts"], B.outcome_text(result.outcome), B.to_dicts(blocks))
            m.post(user, "Decision recorded", B.to_dicts(B.recorded_blocks(record.id)))
        except Exception as error:  # noqa: BLE001 - the record is safe; only the confirmation is lost
            tell_failure(error, body, client)

    app.view(B.RECORD_CALLBACK)(ack=screen_and_save, lazy=[confirm_recorded])

    # --- escalation -------------------------------------------------------------------------
    @acked(app.action("esc_claim"))
    def on_claim(body: dict, action: dict, client: WebClient, **_) -> None:
        user = _user(body)
        outcome = deps.escalations.claim(messenger(client), action.get("value", ""), user, _clicked(body))
        if outcome.message:
            messenger(client).ephemeral(_channel(body), user, outcome.message)

    @acked(app.action("esc_resolve"))
    def on_resolve(body: dict, action: dict, client: WebClient, **_) -> None:
        user = _user(body)
        value = ((action.get("selected_option") or {}).get("value")) or ""
        escalation_id, _, lead_outcome = value.partition(":")
        if lead_outcome not in LEAD_OUTCOMES:
            messenger(client).ephemeral(_channel(body), user, "Please pick one of the listed outcomes.")
            return
        outcome = deps.escalations.resolve(messenger(client), escalation_id, user, lead_outcome, _clicked(body))
        if outcome.message:
            messenger(client).ephemeral(_channel(body), user, outcome.message)

    # --- what happens next -------------------------------------------------------------------
    @acked(app.action("procedure_show"))
    def on_procedure(body: dict, action: dict, client: WebClient, **_) -> None:
        user = _user(body)
        number = (action.get("selected_option") or {}).get("value", "")
        try:
            proc = procedure(int(number))
        except (KeyError, ValueError):
            messenger(client).ephemeral(_channel(body), user, "Please pick one of the listed procedures.")
            return
        messenger(client).post(user, proc.title, B.to_dicts(P.procedure_blocks(proc)))

    @acked(app.action("referral_start"))
    def on_referral(body: dict, action: dict, client: WebClient, **_) -> None:
        user = _user(body)
        m = messenger(client)
        result = followup.make_referral(db, action.get("value", ""), user, settings.digest.zone,
                                        holidays=settings.working_days.holidays, local=settings.local_timescale_values)
        if not result.ok or result.referral is None:
            m.ephemeral(_channel(body), user, result.message or MISSING)
            return
        r = result.referral
        blocks = P.procedure_blocks(procedure(1, local=settings.local_timescale_values)) + P.referral_offer(r.id, r.confirm_by, r.decision_due, settings.digest.zone)
        m.post(user, "Referral to children's social care: what happens next", B.to_dicts(blocks))

    @acked(app.action("followup_accept"))
    def on_followup_accept(body: dict, action: dict, client: WebClient, **_) -> None:
        user = _user(body)
        m = messenger(client)
        items = followup.schedule_reminders(db, action.get("value", ""), user, settings.digest.zone,
                                            holidays=settings.working_days.holidays, local=settings.local_timescale_values)
        if not items:
            m.ephemeral(_channel(body), user, MISSING)
            return
        with db.sessions() as s:
            referral = s.get(followup.Referral, items[0].referral_id)
        _replace(m, body, "Reminders set", P.scheduled_blocks(items, referral, settings.digest.zone))

    @acked(app.action("followup_decline"))
    def on_followup_decline(body: dict, action: dict, client: WebClient, **_) -> None:
        user = _user(body)
        if not followup.owns_referral(db, action.get("value", ""), user):  # e.g. a click forged on a lead's ping
            messenger(client).ephemeral(_channel(body), user, NOT_YOUR_MESSAGE)
            return
        _replace(messenger(client), body, "No reminders", B.notice_blocks(
            "No reminders. Remember to confirm a phoned referral in writing within your organisation's timescale, and to chase "
            "children's social care if you have not heard their decision within one working day."))

    @acked(app.action(re.compile(r"^followup_(done|dismiss)_\d+$")))
    def on_followup_close(body: dict, action: dict, client: WebClient, **_) -> None:
        user = _user(body)
        status = "done" if action["action_id"].startswith("followup_done") else "dismissed"
        messenger(client).ephemeral(_channel(body), user, followup.close(db, action.get("value", ""), user, status))

    # --- home -------------------------------------------------------------------------------
    @acked(app.event("app_home_opened"))
    def on_home(event: dict, client: WebClient, **_) -> None:
        user = event.get("user") or ""
        if event.get("tab", "home") != "home" or not user:
            return
        extra = (lambda _u: admin.admin_blocks(admin.this_week(settings, db))) if settings.is_admin(user) else None
        client.views_publish(user_id=user, view=home_view(settings, deps.escalations, user, extra))

    @acked(app.action("admin_post_digest"))
    def on_admin_digest(body: dict, client: WebClient, **_) -> None:
        user = _user(body)
        messenger(client).post(user, "Digest", B.to_dicts(B.notice_blocks(admin.post_digest_now(settings, db, client, user))))

    @acked(app.action("admin_export"))
    def on_admin_export(body: dict, client: WebClient, **_) -> None:
        user = _user(body)
        refusal = admin.send_export(settings, db, client, user)
        if refusal:
            messenger(client).post(user, "Export", B.to_dicts(B.notice_blocks(refusal)))

    @app.error
    def on_error(error: Exception) -> BoltResponse:
        if isinstance(error, BoltUnhandledRequestError):  # an event or interaction we do not use
            return BoltResponse(status=200, body="")
        # Reached only before an ack (the work after it reports its own errors): a payload
        # Slack would never send, so a 400, not a 500. The type only: messages quote payloads.
        log.error("request refused: %s", type(error).__name__)
        return BoltResponse(status=400, body="")


def _well_typed(action: dict) -> bool:
    """Every value a click carries is a string, as Slack sends them."""
    if "value" in action and not isinstance(action["value"], str):
        return False
    option = action.get("selected_option")
    if option is not None and not (isinstance(option, dict) and isinstance(option.get("value"), str)):
        return False
    return isinstance(action.get("action_id", ""), str)


def _channel(body: dict) -> str:
    event = body.get("event") if isinstance(body.get("event"), dict) else {}
    channel = body.get("channel") if isinstance(body.get("channel"), dict) else {}
    container = body.get("container") if isinstance(body.get("container"), dict) else {}
    return channel.get("id") or container.get("channel_id") or body.get("channel_id") or event.get("channel") or _user(body)


def _message_ts(body: dict) -> str | None:
    return (body.get("message") or {}).get("ts") or (body.get("container") or {}).get("message_ts")


def _clicked(body: dict) -> tuple[str, str] | None:
    """The message a button was clicked on, unless it is the App Home view."""
    if (body.get("container") or {}).get("type") != "message":
        return None
    ts = _message_ts(body)
    return (_channel(body), ts) if ts else None


def _replace(m: Messenger, body: dict, text: str, blocks: list) -> None:
    """Rewrite the message the button was on (so the DM reads as a transcript)."""
    ts = _message_ts(body)
    if ts:
        m.update(_channel(body), ts, text, B.to_dicts(blocks))
