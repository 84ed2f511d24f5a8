"""App Home: a start button for everyone, open requests for leads, figures for admins."""
from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, Block, ContextBlock, DividerBlock, HeaderBlock, PlainTextObject, SectionBlock
from slack_sdk.models.views import View

from policy.outcomes import OUTCOME_LABELS

from . import blocks as B
from .ids import ADMIN_CSV, ADMIN_POST, START_HOME, Action, BlockId, Ref
from .procedure_blocks import next_menu
from .config import Settings
from .escalation import Escalations

HOME_BLOCK_LIMIT = 100


def start_section(organisation: str) -> list[Block]:
    return [
        HeaderBlock(text=PlainTextObject(text="Can I share this?")),
        SectionBlock(text=B.md(
            f"Not sure whether you can share information about a child or family? I'll walk you through "
            f"{B.escape(organisation)}'s information-sharing questions one at a time, tell you what to do, "
            "and get your safeguarding lead if you're unsure. Nothing you tell me names anyone.")),
        ActionsBlock(block_id=BlockId.HOME_START, elements=[B.button("Start", Action.START, START_HOME, "primary")]),
        SectionBlock(text=B.md("*What happens next?* The procedures after a referral, in plain steps.")),
        ActionsBlock(block_id=BlockId.HOME_PROCEDURES, elements=[next_menu()]),
    ]


def lead_section(escalations: list) -> list[Block]:
    blocks: list[Block] = [DividerBlock(), HeaderBlock(text=PlainTextObject(text="Requests for your advice"))]
    if not escalations:
        blocks.append(SectionBlock(text=B.md("No open requests. :white_check_mark:")))
        return blocks
    for esc in escalations[:20]:
        flag = ":rotating_light: *URGENT* " if esc.urgent else ""
        state = f"claimed by {B.mention(esc.claimed_by)}" if esc.status == "claimed" else "*not yet claimed*"
        text = f"{flag}{B.mention(esc.practitioner_user)} — opened {esc.opened_at:%d %b %H:%M} UTC, {state}"
        accessory = B.button("Claim", Action.ESC_CLAIM, Ref(esc.id).encode(), "primary") if esc.status == "open" else None
        blocks.append(SectionBlock(text=B.md(text), accessory=accessory))
    if len(escalations) > 20:
        blocks.append(ContextBlock(elements=[B.md(f"…and {len(escalations) - 20} more, oldest shown first.")]))
    return blocks


def home_view(settings: Settings, escalations: Escalations, user_id: str, admin_blocks=None) -> View:
    blocks = start_section(settings.organisation)
    if any(user_id in escalations.responders(t) for t in settings.teams):
        blocks += lead_section(escalations.open_for(user_id))
    if settings.is_admin(user_id) and admin_blocks is not None:
        blocks += admin_blocks(user_id)
    return View(type="home", blocks=blocks[:HOME_BLOCK_LIMIT])


def admin_home_blocks(settings: Settings, digest: dict, latest=None) -> list[Block]:
    """What an admin sees below everyone's Home: the week's figures, then the settings
    (`latest`: the configuration version in force, for who changed it last)."""
    from .settings_blocks import settings_section  # the settings' Block Kit lives with their modals

    when = getattr(latest, "created_at", None)
    return admin_section(digest) + settings_section(settings, getattr(latest, "number", None),
                                                    getattr(latest, "author", None), when)


def admin_section(digest: dict) -> list[Block]:
    """Figures for the last 7 days, and the admin's two buttons."""
    outcomes = " · ".join(f"{OUTCOME_LABELS.get(k, k)}: *{v}*" for k, v in digest["by_outcome"].items())
    esc = digest["escalations"]
    median = esc.get("median_minutes_to_claim")
    claim = f"{median:.0f} min" if isinstance(median, (int, float)) else "n/a"
    unsure = sorted(digest["unsure_at"].items(), key=lambda kv: -kv[1])[:3]
    unsure_text = ", ".join(f"{B.escape(node)} ({n})" for node, n in unsure) or "none"
    return [
        DividerBlock(),
        HeaderBlock(text=PlainTextObject(text="Last 7 days (admins)")),
        SectionBlock(block_id=BlockId.ADMIN_FIGURES, text=B.md(
            f"*Decisions:* {digest['total']} — {outcomes}\n"
            f"*Escalations:* {esc['opened']} opened, {esc['claimed']} claimed, {esc['resolved']} resolved; median time to claim {claim}\n"
            f"*Most often unsure at:* {unsure_text}\n"
            f"*Abandoned part-way:* {digest.get('abandoned', 0)}")),
        ActionsBlock(block_id=BlockId.ADMIN_ACTIONS, elements=[
            B.button("Post the digest now", Action.ADMIN_POST_DIGEST, ADMIN_POST),
            B.button("Send me the export (CSV)", Action.ADMIN_EXPORT, ADMIN_CSV),
        ]),
        ContextBlock(elements=[B.md(":lock: Counts only here. The export holds pseudonyms and screened reasons; keep it secure.")]),
    ]
