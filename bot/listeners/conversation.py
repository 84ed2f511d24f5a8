"""The practitioner's conversation: starting it (command, DM, mention, shortcut, Start, team
pick), answering, "Why am I asked this?", Back and "Change an earlier answer".

The services (bot/conversations.py) change the row and queue what must reach Slack in the
same transaction (`plan`); the deliverer sends it.
"""
from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.models.blocks import ActionsBlock

from policy import ANSWER_LABELS
from storage.outbox import delivering, enqueue

from .. import blocks as B
from .. import conversations, workspaces
from ..ids import START_NEW, Action, BlockId, Callback, ChangeTo, Command, QuestionRef, Ref, selected
from ..procedure_blocks import followthrough_blocks
from ..slack_messenger import SlackMessenger
from . import (FINISHED, IN_DM, MISSING, NOT_YOURS, REPLACED, Deps, acked, channel_of, message_ts, replace, tell,
               user_id_of, workspace_of)

Result = conversations.Result


# --- starting ---------------------------------------------------------------------------------

def begin(deps: Deps, client: WebClient, user_id: str, workspace: str, team_id: str | None = None) -> None:
    settings, m = deps.settings, deps.messenger(client)
    teams = teams_of(deps, settings, user_id)
    if team_id is not None:
        teams = [t for t in teams if t.id == team_id]
    if not teams:
        m.post(user_id, "You're not in a team yet", B.to_dicts(B.notice_blocks(
            "I don't know which team you work in, so I can't tell who your safeguarding lead is. "
            "Please ask your canishare admin to add you to a team.")))
        return
    if len(teams) > 1:
        picker = [B.button(t.name, Action.PICK_TEAM.nth(i), Ref(t.id).encode()) for i, t in enumerate(teams[:5])]
        m.post(user_id, "Which team are you asking for?",
               B.to_dicts(B.notice_blocks("You work in more than one team. *Which team is this about?*")
                          + [ActionsBlock(block_id=BlockId.TEAM, elements=picker)]))
        return
    team = teams[0]
    result = conversations.start(deps.db, workspace=workspace, user_id=user_id, team=team.id,
                                 policy=settings.policy_for(team.id), channel_id=None,
                                 plan=lambda s, r: [ask(s, r)])
    deliver(deps, result)


def teams_of(deps: Deps, settings, user_id: str):
    """The practitioner's teams, with the members of user groups and channels as the database
    holds them (never a Slack call on a click)."""
    return settings.teams_of(user_id, deps.membership.by_team(settings) if deps.membership else None)


def deliver(deps: Deps, result: Result, force: bool = False) -> int:
    """Send what the change queued, in order: the next question or outcome first (then the
    edit of the answered message), then any pings."""
    assert deps.deliverer is not None
    return deps.deliverer.deliver(result.deliveries, force=force, leased=result.leased)


def step_key(result: Result) -> str:
    """New with every step: the version rises with each change of the conversation (start,
    answer, back), so enqueue need not look it up (new_key=True)."""
    assert result.conversation is not None
    return f"step:{result.conversation.id}:{result.conversation.version}"


def rewrite(body: dict | None, text: str, blocks: list) -> list[dict] | None:
    """The edit of the message clicked, made once the next step is out (`blocks`: Block Kit
    objects, or dicts already)."""
    ts = message_ts(body or {})
    if not ts:
        return None
    dicts = [b if isinstance(b, dict) else b.to_dict() for b in blocks]
    return [{"method": "chat.update", "args": {"channel": channel_of(body or {}), "ts": ts, "text": text,
                                               "blocks": dicts}}]


def ask(s, result: Result, after: list[dict] | None = None):
    node, convo = result.node, result.conversation
    assert node is not None and convo is not None
    blocks = B.question_dicts(convo.id, node, result.number, can_go_back=bool(convo.path))
    return enqueue(s, key=step_key(result), kind="step", channel=convo.user_id,
                   text=B.question_text(node, result.number), blocks=blocks,
                   conversation_id=convo.id, after=after, workspace=convo.workspace, leased=delivering(s), new_key=True)


def command_reply(body: dict) -> str | None:
    in_dm = (body.get("channel_name") == "directmessage") or str(body.get("channel_id", "")).startswith("D")
    return None if in_dm else IN_DM


def on_command(deps: Deps, body: dict, client: WebClient, **_) -> None:
    begin(deps, client, user_id_of(body), workspace_of(body))


def on_message(deps: Deps, body: dict, event: dict, client: WebClient, **_) -> None:
    # Only a person's new message in our DM starts a conversation; edits, joins and bots do not.
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
        return
    user_id = event.get("user") or ""
    if not user_id or not conversations.first_time(deps.db, f"start:{event.get('channel')}:{event.get('ts')}"):
        return
    if not conversations.wants_to_start(event.get("text")):  # "thanks", "ok": not a new question
        deps.messenger(client).post(user_id, "Start a new question?", B.to_dicts(
            B.notice_blocks("I help you check whether you can share information about a child or family. To ask, press *Start* "
                            "(or type /canishare).")
            + [ActionsBlock(block_id=BlockId.NEXT, elements=[B.button("Start", Action.START, START_NEW, "primary")])]))
        return
    begin(deps, client, user_id, workspace_of(body))


def on_mention(deps: Deps, body: dict, event: dict, client: WebClient, **_) -> None:
    user_id = event.get("user") or ""
    if not user_id or not conversations.first_time(deps.db, f"start:{event.get('channel')}:{event.get('ts')}"):
        return
    deps.messenger(client).ephemeral(event.get("channel", ""), user_id, IN_DM)
    begin(deps, client, user_id, workspace_of(body))


def on_start(deps: Deps, body: dict, client: WebClient, **_) -> None:
    # The shortcut's message itself is never read or stored: it may hold a child's details.
    begin(deps, client, user_id_of(body), workspace_of(body))


def on_pick_team(deps: Deps, body: dict, action: dict, client: WebClient, **_) -> None:
    user_id = user_id_of(body)
    team_id = Ref.decode(action.get("value", "")).id
    if team_id not in {t.id for t in teams_of(deps, deps.settings, user_id)}:
        tell(deps, client, body, "That team isn't one of yours.")
        return
    replace(deps.messenger(client), body, f"Team: {team_id}",
            B.notice_blocks(f"Asking for team *{B.escape(deps.settings.team(team_id).name)}*."))
    begin(deps, client, user_id, workspace_of(body), team_id)


# --- answering --------------------------------------------------------------------------------

def on_answer(deps: Deps, body: dict, action: dict, client: WebClient, **_) -> None:
    take_answer(deps, client, body, action, Action.answer_of(action["action_id"]))


def on_escalate(deps: Deps, body: dict, action: dict, client: WebClient, **_) -> None:
    # "Ask my safeguarding lead" is Not sure at this question: same outcome, same record.
    take_answer(deps, client, body, action, "not_sure")


def take_answer(deps: Deps, client: WebClient, body: dict, action: dict, answer: str) -> None:
    ref = QuestionRef.decode(action.get("value", ""))
    user_id = user_id_of(body)
    result = conversations.answer(deps.db, conversation_id=ref.conversation_id, user_id=user_id, node_id=ref.node_id,
                                  answer=answer, pseudonym_key=deps.pseudonym_key,
                                  plan=lambda s, r: next_step(deps, s, body, r))
    show(deps, deps.messenger(client), body, result)


def next_step(deps: Deps, s, body: dict, result: Result) -> list:
    """Queued with the answer: the next question or the outcome (and its pings), and the
    rewrite of the answered question once that is out."""
    assert result.answered is not None and result.answer and result.conversation
    number = len(result.conversation.path)
    after = rewrite(body, B.question_text(result.answered, number), B.answered_dicts(result.answered, number, result.answer))
    if result.kind == "question":
        return [ask(s, result, after)]
    return tell_outcome(deps, s, result, after)


def show(deps: Deps, m: SlackMessenger, body: dict, result: Result) -> None:
    channel, user_id = channel_of(body), user_id_of(body)
    if result.kind == "finished" and result.conversation is not None and result.conversation.status == "abandoned":
        m.ephemeral(channel, user_id, REPLACED)
        return
    if result.kind in ("not_yours", "missing", "finished"):
        m.ephemeral(channel, user_id, {"not_yours": NOT_YOURS, "missing": MISSING, "finished": FINISHED}[result.kind])
        return
    if result.kind == "already":
        if result.step_pending and result.previous == result.answer:
            # The next step was saved but never reached Slack (e.g. a restart): send it now.
            assert deps.deliverer is not None
            if deps.deliverer.ensure(result.deliveries):
                m.ephemeral(channel, user_id, f"Already answered ({ANSWER_LABELS[result.previous]}) — your next step is below.")
            else:
                m.ephemeral(channel, user_id, "Your answer is saved. Slack isn't taking messages just now; "
                                              "your next step will appear here as soon as it can be sent.")
            return
        if result.previous is None:
            m.ephemeral(channel, user_id, "That isn't the question you're on now, so nothing changed. Please use your latest message.")
        elif result.previous == result.answer:  # a double click: it counted once
            m.ephemeral(channel, user_id, f"Already answered ({ANSWER_LABELS[result.previous]}) — your next step is below.")
        else:
            label = ANSWER_LABELS[result.previous]
            m.ephemeral(channel, user_id, f"You already answered this question ({label}). To change it, use *Back* on your latest question.")
        return
    deliver(deps, result)


def outcome_message(deps: Deps, result: Result, recorded: bool) -> tuple[str, list[dict]]:
    """The outcome message (text, blocks), before and after the record step; its case note
    carries the time of the decision, in the organisation's time zone."""
    convo, flow, outcome, record = result.conversation, result.flow, result.outcome, result.record
    assert convo and flow and outcome and record and result.decided_at
    team = deps.settings.team(convo.team)
    blocks = B.outcome_blocks(convo.id, flow.pack, outcome, flow.reasons(convo), flow.ground(convo), record.id,
                              result.decided_at, leads=team.leads, recorded=recorded, tz=deps.settings.digest.zone)
    blocks += followthrough_blocks(convo.id, outcome, flow.ground(convo))
    return B.outcome_text(outcome), B.to_dicts(blocks)


def tell_outcome(deps: Deps, s, result: Result, after: list[dict] | None = None) -> list:
    """The outcome message, queued; an escalating outcome opens its escalation (and queues
    its pings) in the same transaction as the record."""
    convo, outcome, record = result.conversation, result.outcome, result.record
    assert convo and outcome and record
    text, blocks = outcome_message(deps, result, recorded=False)
    rows = [enqueue(s, key=step_key(result), kind="step", channel=convo.user_id, text=text, blocks=blocks,
                    conversation_id=convo.id, after=after, workspace=convo.workspace, leased=delivering(s),
                    new_key=True)]
    s.flush()
    rows += deps.escalations.open_for_outcome(s, record=record, conversation_id=convo.id, user_id=convo.user_id,
                                              team_id=convo.team, outcome=outcome)
    return [r for r in rows if r is not None]


def on_why(deps: Deps, body: dict, action: dict, client: WebClient, **_) -> None:
    ref = QuestionRef.decode(action.get("value", ""))
    result = conversations.current(deps.db, conversation_id=ref.conversation_id, user_id=user_id_of(body))
    node = result.flow.pack.nodes.get(ref.node_id) if result.flow else None
    if node is None:
        tell(deps, client, body, MISSING)
        return
    tell(deps, client, body, f"Why am I asked this? {B.escape(node.why)}", B.to_dicts(B.why_blocks(node)))


def on_back(deps: Deps, body: dict, action: dict, client: WebClient, **_) -> None:
    ref = QuestionRef.decode(action.get("value", ""))
    go_back(deps, client, body, ref.conversation_id, ref.node_id, None)


def on_change_answer(deps: Deps, body: dict, action: dict, client: WebClient, **_) -> None:
    change = ChangeTo.decode(selected(action))
    go_back(deps, client, body, change.conversation_id, change.from_outcome, change.node_id)


def go_back(deps: Deps, client: WebClient, body: dict, conversation_id: str, from_node: str, to_node: str | None) -> None:
    def plan(s, result: Result) -> list:
        assert result.conversation is not None
        after = None
        if result.outcome is not None:
            after = rewrite(body, "You changed your answer",
                            B.notice_blocks(f"~{B.escape(result.outcome.title)}~ — you went back to change your answer."))
        elif result.answered is not None:
            after = rewrite(body, "You went back", B.went_back_blocks(result.answered, len(result.conversation.path) + 2))
        return [ask(s, result, after)]

    result = conversations.back(deps.db, conversation_id=conversation_id, user_id=user_id_of(body), from_node=from_node,
                                to_node=to_node, plan=plan)
    if result.kind != "question":
        if result.kind == "already":
            tell(deps, client, body, "That question has moved on; use Back on your latest message.")
        else:
            show(deps, deps.messenger(client), body, result)
        return
    deliver(deps, result)


def register(app: App, deps: Deps) -> None:
    # Bolt tries each listener's matchers in the order they were registered, and each try
    # costs a kwargs injection: the answer buttons, most of all requests, are tried first.
    # (No two listeners here match the same request, so the order changes nothing else.)
    acked(deps, app.action(Action.answers()), on_answer, bad_value=MISSING)
    acked(deps, app.command(Command.CANISHARE), on_command, reply=command_reply)
    acked(deps, app.event("message"), on_message)
    acked(deps, app.event("app_mention"), on_mention)
    acked(deps, app.shortcut(Callback.MESSAGE_SHORTCUT), on_start)
    acked(deps, app.action(Action.START), on_start)
    acked(deps, app.action(Action.PICK_TEAM.numbered()), on_pick_team)
    # A value the codec refuses names no conversation we have: as if it were gone.
    for listen, work in ((app.action(Action.ESCALATE), on_escalate), (app.action(Action.WHY), on_why),
                         (app.action(Action.BACK), on_back), (app.action(Action.CHANGE_ANSWER), on_change_answer)):
        acked(deps, listen, work, bad_value=MISSING)
