"""Block Kit for "what happens next": procedures, the referral offer and its reminders."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    HeaderBlock,
    Option,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)

from policy.procedures import Procedure, load_procedures
from storage.models import as_utc

from .blocks import button, cite_line, escape, md
from .ids import Action, BlockId, ProcedureChoice, Ref

STEP_TEXT_LIMIT = 2900
SHORT, LONG = "%a %d %b %H:%M", "%A %d %B at %H:%M"


def local(moment: datetime, tz: ZoneInfo, fmt: str = SHORT) -> str:
    """A naive-UTC time from the database, as the organisation's clock shows it."""
    return as_utc(moment).astimezone(tz).strftime(fmt)


def procedure_blocks(proc: Procedure) -> list[Block]:
    lines = []
    for step in proc.steps.values():
        branch = f"_{escape(step.branch)}:_ " if step.branch else ""
        lines.append(f"• {branch}*{escape(step.who)}* — {escape(step.what)}")
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=f"{proc.number}. {proc.title}"[:150])),
        SectionBlock(text=md(escape(proc.summary))),
    ]
    chunk: list[str] = []
    for line in lines:  # sections of at most ~3000 characters each
        if sum(len(c) + 1 for c in chunk) + len(line) > STEP_TEXT_LIMIT:
            blocks.append(SectionBlock(text=md("\n".join(chunk))))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(SectionBlock(text=md("\n".join(chunk))))
    blocks.append(cite_line(proc.cite))
    return blocks


def next_menu(action_id: str = Action.PROCEDURE_SHOW) -> StaticSelectElement:
    """The "What happens next?" menu of the five procedures."""
    options = [Option(value=ProcedureChoice(n).encode(), text=PlainTextObject(text=f"{n}. {p.title}"[:75])) for n, p in sorted(load_procedures().items())]
    return StaticSelectElement(action_id=action_id, placeholder=PlainTextObject(text="What happens next?"), options=options)


def referral_offer(referral_id: str, confirm_by: datetime, decision_due: datetime, tz: ZoneInfo) -> list[Block]:
    return [
        SectionBlock(block_id=BlockId.REFERRAL, text=md(
            ":telephone_receiver: *You are making a referral to children's social care.*\n"
            f"• If you phone it through, confirm it in writing by *{local(confirm_by, tz, LONG)}* (your organisation's timescale).\n"
            f"• Children's social care should decide on next steps by *{local(decision_due, tz, LONG)}* (one working day). "
            "If you have heard nothing by then, chase it up.\n"
            "Shall I remind you?")),
        ActionsBlock(block_id=BlockId.REFERRAL_REMINDERS, elements=[
            button("Yes, remind me", Action.FOLLOWUP_ACCEPT, Ref(referral_id).encode(), "primary"),
            button("No thanks", Action.FOLLOWUP_DECLINE, Ref(referral_id).encode()),
        ]),
    ]


REMINDER_TEXT = {
    "confirm_in_writing": "Have you confirmed your referral in writing yet? It is due by *{confirm_by}*.",
    "check_decision": "Children's social care should have decided on next steps by now (*{decision_due}*). "
                      "Have you heard what they decided? If not, chase it up.",
}


def reminder_blocks(item, referral, tz: ZoneInfo | None = None) -> list[Block]:
    tz = tz or ZoneInfo("Europe/London")

    text = REMINDER_TEXT[item.step].format(confirm_by=local(referral.confirm_by, tz), decision_due=local(referral.decision_due, tz))
    return [
        SectionBlock(block_id=BlockId.REMINDER, text=md(f":alarm_clock: {text}")),
        ActionsBlock(block_id=BlockId.REMINDER_ACTIONS, elements=[
            button("Done", Action.FOLLOWUP_DONE.nth(0), Ref(item.id).encode(), "primary"),
            button("Dismiss", Action.FOLLOWUP_DISMISS.nth(0), Ref(item.id).encode()),
        ]),
    ]


def scheduled_blocks(items, referral, tz: ZoneInfo) -> list[Block]:
    lines = {"confirm_in_writing": "to confirm the referral in writing", "check_decision": "to check for children's social care's decision"}
    text = "\n".join(f"• {local(i.due_at, tz)} — {lines[i.step]}" for i in items)
    blocks: list[Block] = [SectionBlock(block_id=BlockId.SCHEDULED, text=md(f":alarm_clock: I'll remind you:\n{text}"))]
    for i, item in enumerate(items):  # action ids must be unique within a message
        blocks.append(ActionsBlock(block_id=BlockId.STEP.of(item.step), elements=[
            button(f"Done: {lines[item.step].removeprefix('to ')}"[:75], Action.FOLLOWUP_DONE.nth(i), Ref(item.id).encode()),
            button("Dismiss reminder", Action.FOLLOWUP_DISMISS.nth(i), Ref(item.id).encode()),
        ]))
    return blocks


def followthrough_blocks(conversation_id: str, outcome, ground: str | None) -> list[Block]:
    """What an outcome message adds about what happens next."""
    from policy.procedures import procedure

    blocks: list[Block] = []
    if outcome.procedure:
        blocks += procedure_blocks(procedure(outcome.procedure))
    elements = []
    if ground and ground in outcome.referral_grounds:
        elements.append(button("I am making a referral", Action.REFERRAL_START, Ref(conversation_id).encode(), "primary"))
    elements.append(next_menu())
    blocks.append(ActionsBlock(block_id=BlockId.WHATS_NEXT, elements=elements))
    return blocks
