"""Block Kit for the safeguarding lead's side: pings, their buttons, and their states.

A ping carries only what the flowchart knows (questions, answers, citations) and who asked;
never anything the practitioner typed.
"""
from __future__ import annotations

from datetime import datetime
from typing import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ContextBlock,
    HeaderBlock,
    Option,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)

from policy import ANSWER_LABELS
from policy.pack import Node

from .blocks import button, cite_line, escape, md, mention
from .escalation import LEAD_OUTCOMES, practitioner_update  # noqa: F401 - the wording is the service's
from .escalation_routing import ping_text  # noqa: F401
from .ids import Action, BlockId, LeadAdvice, Ref

def ping_blocks(
    escalation_id: str,
    user_id: str,  # the practitioner's Slack user id
    urgent: bool,
    unsure: Node | None,
    reasons: Sequence[tuple[Node, str]],
    opened_at: datetime,
    status: str = "open",
    claimed_by: str | None = None,
    lead_outcome: str | None = None,
    reminder: int = 0,
) -> list[Block]:
    title = ":rotating_light: URGENT — a child may be in danger now" if urgent else ":raising_hand: Safeguarding advice needed"
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=title[:150], emoji=True))]
    intro = f"{mention(user_id)} asked for advice at {opened_at:%H:%M} UTC on {opened_at:%d %b %Y}."
    if reminder:
        intro = f"*Reminder {reminder}: nobody has claimed this yet.* " + intro
    blocks.append(SectionBlock(block_id=BlockId.WHO, text=md(intro)))
    if unsure is not None:
        blocks.append(SectionBlock(block_id=BlockId.UNSURE, text=md(f"*Unsure at:* {escape(unsure.question)}")))
    if reasons:
        lines = "\n".join(f"• {escape(n.question)} — *{ANSWER_LABELS[a]}*" for n, a in reasons)
        blocks.append(SectionBlock(block_id=BlockId.ANSWERS, text=md(f"*Answers so far:*\n{lines}")))
    if unsure is not None:
        cite = cite_line(unsure.cite)
        if cite:
            blocks.append(cite)
    blocks.append(ContextBlock(block_id=BlockId.PRIVACY, elements=[md(":lock: No case details are included here; talk to the practitioner directly.")]))
    blocks.append(status_block(escalation_id, status, claimed_by, lead_outcome))
    return blocks


def status_block(escalation_id: str, status: str, claimed_by: str | None, lead_outcome: str | None) -> Block:
    picker = StaticSelectElement(
        action_id=Action.ESC_RESOLVE,
        placeholder=PlainTextObject(text="Resolved: advice given…"),
        options=[Option(value=LeadAdvice(escalation_id, key).encode(), text=PlainTextObject(text=label)) for key, label in LEAD_OUTCOMES.items()],
    )
    if status == "resolved":
        text = f":white_check_mark: Resolved by {mention(claimed_by or '')} — {LEAD_OUTCOMES.get(lead_outcome or 'other')}."
        return SectionBlock(block_id=BlockId.STATUS, text=md(text))
    if status == "claimed":
        return SectionBlock(block_id=BlockId.STATUS, text=md(f":eyes: Claimed by {mention(claimed_by or '')}."), accessory=picker)
    return ActionsBlock(block_id=BlockId.STATUS, elements=[button("Claim", Action.ESC_CLAIM, Ref(escalation_id).encode(), "primary"), picker])
