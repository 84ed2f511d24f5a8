"""The weekly digest as Slack shows it: text, Block Kit, a small chart, and posting them.

Everything rendered here comes from `storage.digest.compute_digest`: counts keyed by
outcome, team id and node id. No name, Slack ID, pseudonym or free text is ever in it.
"""
from __future__ import annotations

import io
import logging
from datetime import datetime
from typing import Any, Callable

from slack_sdk import WebClient
from slack_sdk.models.blocks import ContextBlock, DividerBlock, HeaderBlock, MarkdownTextObject, PlainTextObject, SectionBlock

from policy.outcomes import OUTCOME_LABELS, OUTCOMES

from .blocks import escape
from .ids import BlockId

log = logging.getLogger("canishare.digest")

CHART_TITLE = "Decisions by outcome: this week and last week"
MAX_LINES = 15  # teams or nodes listed in a message; the rest are summed


# --- rendering ------------------------------------------------------------------------------

def _label(outcome: str) -> str:
    return OUTCOME_LABELS.get(outcome, outcome.replace("_", " ").capitalize())


def _outcomes(d: dict[str, Any]) -> list[str]:
    extra = [o for o in d.get("by_outcome", {}) if o not in OUTCOMES]
    return list(OUTCOMES) + sorted(extra)


def _change(now: int, before: int) -> str:
    diff = now - before
    return "no change" if diff == 0 else f"{diff:+d}"


def _when(d: dict[str, Any], key: str) -> str:
    local = d.get(f"{key}_local")
    if not local:
        return d[key]
    return datetime.fromisoformat(local).strftime("%a %d %b %Y %H:%M")


def _period(d: dict[str, Any]) -> str:
    zone = d.get("timezone")
    return f"{_when(d, 'period_start')} to {_when(d, 'period_end')}" + (f" ({zone})" if zone else "")


def _minutes(value: float | None) -> str:
    if value is None:
        return "no escalations claimed yet"
    if value < 90:
        return f"{value:g} min"
    return f"{value / 60:.1f} h"


def _ranked(this: dict[str, int], last: dict[str, int]) -> list[tuple[str, int, int]]:
    keys = sorted(set(this) | set(last), key=lambda k: (-this.get(k, 0), -last.get(k, 0), k))
    return [(k, this.get(k, 0), last.get(k, 0)) for k in keys]


def _lines(rows: list[tuple[str, int, int]], fmt: Callable[[str, int, int], str]) -> list[str]:
    shown = [fmt(k, a, b) for k, a, b in rows[:MAX_LINES]]
    rest = rows[MAX_LINES:]
    if rest:
        shown.append(fmt(f"{len(rest)} more", sum(a for _, a, _ in rest), sum(b for _, _, b in rest)))
    return shown


def _choice_label(list_name: str, choice_id: str) -> str:
    from policy.record_choices import OUTCOMES_ALL, parse_record_choices
    return parse_record_choices(None, OUTCOMES_ALL, []).label(list_name, choice_id)


def _shared_rows(d: dict[str, Any], prev: dict[str, Any], key: str) -> list[tuple[str, int, int]]:
    this = (d.get("shared") or {}).get(key, {})
    last = (prev.get("shared") or {}).get(key, {})
    return _ranked(this, last)


def _accesses(a: dict[str, int]) -> str:
    """'2 exports, 1 digest post, no purges': who looked, counted (`canishare verify --log` says who)."""
    words = {"export": ("export", "exports"), "digest": ("digest post", "digest posts"), "purge": ("purge", "purges")}
    parts = []
    for action, (one, many) in words.items():
        n = a.get(action, 0)
        parts.append(f"no {many}" if n == 0 else f"{n} {one if n == 1 else many}")
    return ", ".join(parts)


Labels = dict[str, dict[str, str]]  # bot.digest.digest_labels: team id -> name, node id -> question


def _named(labels: Labels | None, kind: str, key: str) -> str:
    return ((labels or {}).get(kind) or {}).get(key, key)


def digest_text(d: dict[str, Any], labels: Labels | None = None) -> str:
    """A plain summary, for the terminal and as the Slack message's fallback text."""
    prev = d.get("previous") or {}
    pb = prev.get("by_outcome", {})
    out = [f"Weekly digest: {_period(d)}",
           f"Decisions: {d['total']} (last week {prev.get('total', 0)}, {_change(d['total'], prev.get('total', 0))})"]
    for o in _outcomes(d):
        out.append(f"  {_label(o)}: {d['by_outcome'].get(o, 0)} (last week {pb.get(o, 0)})")
    teams = _ranked(d.get("by_team", {}), prev.get("by_team", {}))
    out.append("By team:" if teams else "By team: none")
    out += _lines(teams, lambda k, a, b: f"  {_named(labels, 'teams', k)}: {a} (last week {b})")
    unsure = _ranked(d.get("unsure_at", {}), prev.get("unsure_at", {}))
    out.append("Answered Not sure at:" if unsure else "Answered Not sure at: no question")
    out += _lines(unsure, lambda k, a, b: f"  \"{_named(labels, 'nodes', k)}\": {a} (last week {b})")
    e, pe = d["escalations"], prev.get("escalations", {})
    out.append(f"Escalations: {e['opened']} opened, {e['claimed']} claimed, {e['resolved']} resolved; "
               f"median time to claim {_minutes(e['median_minutes_to_claim'])}")
    if pe:
        out.append(f"  last week: {pe['opened']} opened, {pe['claimed']} claimed, {pe['resolved']} resolved; "
                   f"median time to claim {_minutes(pe['median_minutes_to_claim'])}")
    out.append(f"Walks abandoned: {d.get('abandoned', 0)} (last week {prev.get('abandoned', 0)})")
    for key, title in (("kinds", "What was shared"), ("recipients", "Shared with")):
        rows = _shared_rows(d, prev, key)
        out.append(f"{title}:" if rows else f"{title}: none recorded")
        out += _lines(rows, lambda k, a, b, key=key: f"  {_choice_label(key, k)}: {a} (last week {b})")
    a = d.get("access")
    if a is not None:
        out.append(f"Access to the records: {_accesses(a)}")
    r = d.get("referrals") or {}
    if r:
        out.append(f"Referrals made: {r['made']}; confirmed in writing: {r['confirmed_in_writing']} "
                   f"({r['confirmed_on_time']} within 48 hours)")
    return "\n".join(out) + "\n"



def digest_blocks(d: dict[str, Any], labels: Labels | None = None) -> list[dict]:
    """Block Kit: this week against last week."""
    prev = d.get("previous") or {}
    pb = prev.get("by_outcome", {})
    md = lambda text: MarkdownTextObject(text=text)  # noqa: E731
    blocks: list = [
        HeaderBlock(text=PlainTextObject(text="Can I share? Weekly digest", emoji=False)),
        ContextBlock(elements=[md(escape(_period(d)))]),
        SectionBlock(block_id=BlockId.TOTAL, text=md(
            f"*{d['total']}* decisions this week (last week {prev.get('total', 0)}, {_change(d['total'], prev.get('total', 0))})")),
        SectionBlock(block_id=BlockId.OUTCOMES, fields=[
            md(f"*{_label(o)}*\n{d['by_outcome'].get(o, 0)}  (last week {pb.get(o, 0)})") for o in _outcomes(d)[:10]
        ]),
    ]
    teams = _ranked(d.get("by_team", {}), prev.get("by_team", {}))
    if teams:
        blocks.append(SectionBlock(block_id=BlockId.TEAMS, text=md(
            "*By team*\n" + "\n".join(_lines(teams, lambda k, a, b: f"• {escape(_named(labels, 'teams', k))}: {a} (last week {b})")))))
    unsure = _ranked(d.get("unsure_at", {}), prev.get("unsure_at", {}))
    if unsure:
        blocks.append(SectionBlock(block_id=BlockId.UNSURE, text=md(
            "*Answered Not sure at*\n" + "\n".join(_lines(unsure, lambda k, a, b: f"• {escape(_named(labels, 'nodes', k))}: {a} (last week {b})")))))
    e, pe = d["escalations"], prev.get("escalations") or {"opened": 0, "claimed": 0, "resolved": 0, "median_minutes_to_claim": None}
    blocks.append(SectionBlock(block_id=BlockId.ESCALATIONS, fields=[
        md(f"*Escalations opened*\n{e['opened']}  (last week {pe['opened']})"),
        md(f"*Claimed*\n{e['claimed']}  (last week {pe['claimed']})"),
        md(f"*Resolved*\n{e['resolved']}  (last week {pe['resolved']})"),
        md(f"*Median time to claim*\n{_minutes(e['median_minutes_to_claim'])}  (last week {_minutes(pe['median_minutes_to_claim'])})"),
    ]))
    blocks.append(SectionBlock(block_id=BlockId.ABANDONED, text=md(
        f"*Walks abandoned:* {d.get('abandoned', 0)} (last week {prev.get('abandoned', 0)})")))
    for key, block_id, title in (("kinds", BlockId.SHARED_WHAT, "What was shared"), ("recipients", BlockId.SHARED_WITH, "Shared with")):
        rows = _shared_rows(d, prev, key)
        if rows:
            blocks.append(SectionBlock(block_id=block_id, text=md(f"*{title}* (records naming each)\n" + "\n".join(
                _lines(rows, lambda k, a, b, key=key: f"• {escape(_choice_label(key, k))}: {a} (last week {b})")))))
    r = d.get("referrals") or {}
    if r:
        blocks.append(SectionBlock(block_id=BlockId.REFERRALS, text=md(
            f"*Referrals made:* {r['made']}; confirmed in writing {r['confirmed_in_writing']} "
            f"({r['confirmed_on_time']} within 48 hours)")))
    if d.get("access") is not None:
        blocks.append(SectionBlock(block_id="access", text=md(f"*Access to the records:* {_accesses(d['access'])}")))
    blocks.append(DividerBlock())
    blocks.append(ContextBlock(elements=[md(":lock: Counts only: no names, Slack IDs or case details.")]))
    return [b.to_dict() for b in blocks]


def digest_chart_png(d: dict[str, Any]) -> bytes:
    """A small bar chart (PNG) of decisions by outcome, this week beside last week."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure  # no pyplot: no global state, safe in a worker thread

    prev = (d.get("previous") or {}).get("by_outcome", {})
    outcomes = _outcomes(d)
    this = [d["by_outcome"].get(o, 0) for o in outcomes]
    last = [prev.get(o, 0) for o in outcomes]
    fig = Figure(figsize=(6.4, 3.2), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    xs = range(len(outcomes))
    width = 0.38
    ax.bar([x - width / 2 for x in xs], last, width, label="Last week", color="#b0b7c3")
    bars = ax.bar([x + width / 2 for x in xs], this, width, label="This week", color="#1f6feb")
    ax.bar_label(bars, fontsize=8, padding=1)
    ax.set_xticks(list(xs), [_label(o).replace(" without ", "\nwithout ").replace("Do not ", "Do not\n") for o in outcomes],
                  fontsize=8)
    ax.set_ylabel("Decisions", fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_ylim(0, max([1, *this, *last]) * 1.15)
    ax.set_title(CHART_TITLE, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def post_digest(client: WebClient, channel: str, d: dict[str, Any], labels: Labels | None = None) -> str:
    """Post the digest to `channel`, then the chart. Returns the message's ts.

    A failed chart upload is logged, not raised: the digest itself went, and trying again
    would post it twice."""
    resp = client.chat_postMessage(channel=channel, text=digest_text(d, labels), blocks=digest_blocks(d, labels),
                                   unfurl_links=False)
    try:
        client.files_upload_v2(channel=resp.get("channel") or channel, content=digest_chart_png(d), filename="digest.png",
                               title=CHART_TITLE)
    except Exception as err:  # noqa: BLE001
        log.warning("digest posted but its chart could not be uploaded: %s", type(err).__name__)
    return resp["ts"]
