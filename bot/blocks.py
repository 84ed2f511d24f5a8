"""Block Kit for the practitioner's conversation: small functions from data to blocks.

Nothing here talks to Slack or the database, so every message and view is testable as
plain data. Everything that came from a person or a pack is escaped before it is shown.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone, tzinfo
from typing import Callable, Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from policy import ANSWER_LABELS, ANSWERS
from policy.pack import Citation, Node, Outcome, Pack
from storage.models import as_utc

from .mrkdwn import escape, mention
from .ids import START_NEW, Action, BlockId, Callback, ChangeTo, QuestionRef, Ref

SECTION_LIMIT = 3000
BUTTON_TEXT_LIMIT = 75


def _clip(text: str, limit: int = SECTION_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def md(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=_clip(text))


def cite_line(cite: Citation | None) -> ContextBlock | None:
    if cite is None:
        return None
    return ContextBlock(elements=[md(f":books: {escape(cite.document)} — {escape(cite.section)}")])


def button(text: str, action_id: str, value: str, style: str | None = None) -> ButtonElement:
    return ButtonElement(text=PlainTextObject(text=text[:BUTTON_TEXT_LIMIT]), action_id=action_id, value=value, style=style)


# --- questions ----------------------------------------------------------------------------

def question_blocks(conversation_id: str, node: Node, number: int, can_go_back: bool) -> list[Block]:
    value = QuestionRef(conversation_id, node.id).encode()
    blocks: list[Block] = [SectionBlock(block_id=BlockId.QUESTION, text=md(f"*Question {number}.* {escape(node.question)}"))]
    if node.help:
        blocks.append(ContextBlock(elements=[md(escape(node.help))]))
    blocks.append(
        ActionsBlock(
            block_id=BlockId.ANSWER,
            elements=[button(ANSWER_LABELS[a], Action.answer(a), value, "primary" if a == "yes" else None) for a in ANSWERS],
        )
    )
    more = [button("Why am I asked this?", Action.WHY, value)]
    if can_go_back:
        more.append(button("Back", Action.BACK, value))
    more.append(button("Ask my safeguarding lead", Action.ESCALATE, value))
    blocks.append(ActionsBlock(block_id=BlockId.MORE, elements=more))
    return blocks


# --- rendered once per process ------------------------------------------------------------
# A question message differs between conversations only in the conversation id (in the
# buttons' values) and the question's number, so each node's blocks are turned into dicts
# once (slack_sdk's to_dict is a tenth of a click's work) and filled in as JSON text.

_CID, _NUM = "c0nv3rs4t10n1d", 987654321  # stand-ins, found nowhere else in a rendered message
_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # ids that need no JSON escaping
_templates: dict[tuple, str | None] = {}


def _template(key: tuple, render: Callable[[str, int], list[Block]]) -> str | None:
    """The JSON of render(_CID, _NUM) with the stand-ins as {cid} / {num} markers, or None
    when filling it in would not give exactly what render gives (e.g. a text long enough to
    be clipped), then the blocks are rendered each time."""
    if key in _templates:
        return _templates[key]
    text = json.dumps(to_dicts(render(_CID, _NUM)), ensure_ascii=False)
    template: str | None = text
    for cid, num in (("0" * 32, 1), ("ab-c_9", 12)):
        filled = _filled(text, cid, num)
        if filled != to_dicts(render(cid, num)):
            template = None
    _templates[key] = template
    return template


def _filled(template: str, conversation_id: str, number: int) -> list[dict]:
    # The number first: a conversation id put in is never searched again.
    return json.loads(template.replace(str(_NUM), str(int(number))).replace(_CID, conversation_id))


def question_dicts(conversation_id: str, node: Node, number: int, can_go_back: bool) -> list[dict]:
    """to_dicts(question_blocks(...)), from the node's blocks rendered once per process."""
    template = None
    if _SAFE_ID.match(conversation_id):
        template = _template(("question", node.id, node.question, node.help, can_go_back),
                             lambda cid, num: question_blocks(cid, node, num, can_go_back))
    if template is None:
        return to_dicts(question_blocks(conversation_id, node, number, can_go_back))
    return _filled(template, conversation_id, number)


def answered_dicts(node: Node, number: int, answer: str) -> list[dict]:
    """to_dicts(answered_blocks(...)), rendered once per node and answer."""
    template = _template(("answered", node.id, node.question, answer), lambda _cid, num: answered_blocks(node, num, answer))
    if template is None:
        return to_dicts(answered_blocks(node, number, answer))
    return _filled(template, "", number)


def question_text(node: Node, number: int) -> str:
    return f"Question {number}: {escape(node.question)}"


def answered_blocks(node: Node, number: int, answer: str) -> list[Block]:
    """The question as it reads once answered, so the DM is a transcript."""
    return [
        SectionBlock(
            block_id=BlockId.QUESTION,
            text=md(f"*Question {number}.* {escape(node.question)}\n:white_check_mark: You answered *{ANSWER_LABELS[answer]}*"),
        )
    ]


def went_back_blocks(node: Node, number: int) -> list[Block]:
    return [SectionBlock(block_id=BlockId.QUESTION, text=md(f"~Question {number}. {escape(node.question)}~\n:leftwards_arrow_with_hook: You went back"))]


def why_blocks(node: Node) -> list[Block]:
    blocks: list[Block] = [SectionBlock(text=md(f"*Why am I asked this?*\n{escape(node.why)}"))]
    cite = cite_line(node.cite)
    if cite:
        blocks.append(cite)
    return blocks


# --- outcomes -----------------------------------------------------------------------------

def because_lines(reasons: Sequence[tuple[Node, str]]) -> str:
    return "\n".join(f"• {escape(node.question)} — *{ANSWER_LABELS[answer]}*" for node, answer in reasons)


def case_note(pack: Pack, outcome: Outcome, reasons: Sequence[tuple[Node, str]], ground: str | None,
              record_id: str, decided_at: datetime, tz: tzinfo | None = None) -> str:
    """Plain text a practitioner can paste into their case notes. `decided_at` (naive UTC) is
    when the outcome was reached, shown on the organisation's clock (`tz`; UTC without one)."""
    shown = as_utc(decided_at).astimezone(tz or timezone.utc)
    lines = [
        f"Information-sharing decision ({shown:%d %b %Y %H:%M} {shown.tzname()}), using {pack.title} [{pack.ref}]:",
        f"Outcome: {outcome.title}.",
    ]
    if ground:
        lines.append(f"Ground for sharing without consent: {pack.outcomes['share_without_consent'].grounds.get(ground, ground)}")
    lines.append("Because:")
    lines += [f"- {node.question} {node.answer_label(answer)}." for node, answer in reasons]
    lines.append(f"Decision record: {record_id}")
    return "\n".join(lines)


def outcome_blocks(
    conversation_id: str,
    pack: Pack,
    outcome: Outcome,
    reasons: Sequence[tuple[Node, str]],
    ground: str | None,
    record_id: str,
    decided_at: datetime,
    leads: Sequence[str] = (),
    recorded: bool = False,
    tz: tzinfo | None = None,
) -> list[Block]:
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=outcome.title[:150]))]
    summary = escape(outcome.summary)
    if outcome.escalates and leads:  # the pack declares which outcomes escalate
        who = ", ".join(mention(u) for u in leads)
        # Not "they have been told": that is said below, once Slack has really delivered it.
        summary += f"\n\n*Your safeguarding lead:* {who}. I'm sending them your request now"
        summary += " marked *urgent*, and will confirm below who has it." if outcome.urgent else " and will confirm below who has it."
    blocks.append(SectionBlock(block_id=BlockId.SUMMARY, text=md(summary)))
    if ground:
        text = pack.outcomes["share_without_consent"].grounds.get(ground, ground)
        blocks.append(SectionBlock(block_id=BlockId.GROUND, text=md(f"*Ground:* {escape(text)}")))
    if outcome.advice:
        bullets = "\n".join(f"• {escape(a)}" for a in outcome.advice)
        blocks.append(SectionBlock(block_id=BlockId.ADVICE, text=md(f"*What to do*\n{bullets}")))
    if reasons:
        blocks.append(SectionBlock(block_id=BlockId.BECAUSE, text=md(f"*Because you answered:*\n{because_lines(reasons)}")))
    note = case_note(pack, outcome, reasons, ground, record_id, decided_at, tz)
    blocks.append(SectionBlock(block_id=BlockId.CASE_NOTE, text=md(f"*For your case notes*\n```{escape(note)}```")))
    cite = cite_line(outcome.cite)
    if cite:
        blocks.append(cite)
    blocks.append(DividerBlock())
    if recorded:
        blocks.append(ContextBlock(block_id=BlockId.RECORDED, elements=[md(":white_check_mark: Decision recorded.")]))
        blocks.append(ActionsBlock(block_id=BlockId.NEXT, elements=[button("Start a new question", Action.START, START_NEW)]))
    else:
        elements = [
            button("Record the decision", Action.RECORD_OPEN, Ref(conversation_id).encode(), "primary"),
            button("Change my last answer", Action.BACK, QuestionRef(conversation_id, outcome.id).encode()),
        ]
        if len(reasons) > 1:
            elements.append(change_answer_picker(conversation_id, outcome.id, reasons))
        elements.append(button("Start again", Action.START, START_NEW))
        blocks.append(ActionsBlock(block_id=BlockId.NEXT, elements=elements))
    return blocks


def change_answer_picker(conversation_id: str, outcome_id: str, reasons: Sequence[tuple[Node, str]]) -> StaticSelectElement:
    """Go back to any earlier question; everything answered after it is taken back. Each
    option names the outcome it was offered from, so a stale message cannot rewind silently."""
    options = [
        Option(value=ChangeTo(conversation_id, node.id, outcome_id).encode(),
               text=PlainTextObject(text=_clip(f"{i}. {node.question}", 75)))
        for i, (node, _answer) in enumerate(reasons[:100], start=1)
    ]
    return StaticSelectElement(action_id=Action.CHANGE_ANSWER, placeholder=PlainTextObject(text="Change an earlier answer"),
                               options=options)


def outcome_text(outcome: Outcome) -> str:
    return escape(outcome.title)


# --- the record modal -----------------------------------------------------------------------

_RECORD_LABELS = {
    "do_not_share": ("What did you decide not to share?", "Who asked for it, or who would it have gone to?", "Why not?"),
    "seek_advice": ("What are you thinking of sharing?", "With whom?", "What are you unsure about?"),
}
_DEFAULT_LABELS = ("What was shared?", "With whom?", "Why (the purpose)?")
NOTE_HINT = ("Optional. No names, addresses, dates of birth or numbers: describe people by role "
             "(the child, mum, the class teacher).")


def _options(choices) -> list[Option]:
    return [Option(value=c.id, label=c.label[:BUTTON_TEXT_LIMIT]) for c in choices]


def record_modal(outcome_id: str, private_metadata: str, choices=None) -> View:
    """What was shared, with whom and why, as the pack's choices; one optional short note.
    `choices` is the pack's RecordChoices (policy/record_choices.py); the defaults when None."""
    if choices is None:
        from policy.record_choices import OUTCOMES_ALL, parse_record_choices
        choices = parse_record_choices(None, OUTCOMES_ALL, [])
    what, whom, why = _RECORD_LABELS.get(outcome_id, _DEFAULT_LABELS)

    def select(block_id: str, label: str, options: list[Option], multi: bool, placeholder: str) -> InputBlock:
        element_cls = StaticMultiSelectElement if multi else StaticSelectElement
        return InputBlock(
            block_id=block_id,
            label=PlainTextObject(text=label),
            element=element_cls(action_id=Action.INPUT, options=options, placeholder=PlainTextObject(text=placeholder)),
        )

    return View(
        type="modal",
        callback_id=Callback.RECORD,
        private_metadata=private_metadata,
        title=PlainTextObject(text="Record the decision"),
        submit=PlainTextObject(text="Save record"),
        close=PlainTextObject(text="Cancel"),
        blocks=[
            ContextBlock(elements=[md(":lock: Pick from the lists; the record keeps no names or details of the family.")]),
            select(BlockId.SHARED_WHAT, what, _options(choices.kinds), True, "Kinds of information"),
            select(BlockId.SHARED_WITH, whom, _options(choices.recipients), True, "Recipients"),
            select(BlockId.REASON, why, _options(choices.purposes_for(outcome_id)), False, "Purpose"),
            InputBlock(
                block_id=BlockId.NOTE,
                optional=True,
                label=PlainTextObject(text="Note (optional)"),
                hint=PlainTextObject(text=NOTE_HINT),
                element=PlainTextInputElement(
                    action_id=Action.INPUT,
                    multiline=True,
                    max_length=choices.note_limit,
                    placeholder=PlainTextObject(text="e.g. shared the attendance summary by secure email"),
                ),
            ),
        ],
    )


def selected_values(element: object) -> list[str]:
    """The value(s) chosen in a select or multi-select element's state."""
    if not isinstance(element, dict):
        return []
    if isinstance(element.get("selected_options"), list):
        return [str(o.get("value")) for o in element["selected_options"] if isinstance(o, dict) and o.get("value")]
    option = element.get("selected_option")
    return [str(option["value"])] if isinstance(option, dict) and option.get("value") else []


def recorded_blocks(record_id: str) -> list[Block]:
    return [
        SectionBlock(
            text=md(
                f":white_check_mark: *Recorded.* Your decision and reasons are stored as record `{record_id}`. "
                "Revisit the decision if circumstances change."
            )
        )
    ]


def notice_blocks(text: str) -> list[Block]:
    return [SectionBlock(text=md(text))]


def to_dicts(blocks: Sequence[Block]) -> list[dict]:
    return [b.to_dict() for b in blocks]
