"""Draw a procedure's steps as a PNG, offline: one row per step depth, branches side by side."""
from __future__ import annotations

import textwrap

from .render_style import EDGE_COLOUR, MARGIN, MIN_WIDTH, OUTCOME_COLOURS, QUESTION_FILL, TITLE_H, _canvas, _Placed, _png, _wrap


def render_procedure_png(proc) -> bytes:
    """A procedure's steps as a PNG: one row per step depth, branches side by side,
    arrows labelled with the branch a step is on."""
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    depth: dict[str, int] = {proc.start: 0}
    queue = [proc.start]
    while queue:  # longest-path layering keeps every arrow pointing down (procedures have no loops)
        sid = queue.pop(0)
        for nxt in proc.steps[sid].next:
            if depth.get(nxt, -1) < depth[sid] + 1:
                depth[nxt] = depth[sid] + 1
                queue.append(nxt)
    rows: dict[int, list[str]] = {}
    for sid in proc.steps:
        rows.setdefault(depth.get(sid, 0), []).append(sid)
    box_w, box_h, gap_x, row_h = 3.4, 1.35, 0.9, 2.0
    widest = max(len(r) for r in rows.values())
    width = max(MIN_WIDTH, widest * (box_w + gap_x) + 2 * MARGIN)
    height = TITLE_H + len(rows) * row_h + MARGIN
    fig, ax = _canvas(width, height)
    ax.text(MARGIN, height - 0.45, f"{proc.number}. {proc.title}", fontsize=13, weight="bold", va="center")
    ax.text(MARGIN, height - 0.85, _wrap(f"{proc.cite.document}, {proc.cite.section}", 110), fontsize=8.5,
            color="#555555", va="center")
    placed: dict[str, _Placed] = {}
    for level, ids in rows.items():
        y = height - TITLE_H - level * row_h - box_h / 2
        span = len(ids) * box_w + (len(ids) - 1) * gap_x
        for i, sid in enumerate(ids):
            x = (width - span) / 2 + box_w / 2 + i * (box_w + gap_x)
            placed[sid] = _Placed(x, y, box_w, box_h)
            step = proc.steps[sid]
            who = step.who.split(" (")[0]
            ax.add_patch(FancyBboxPatch((x - box_w / 2, y - box_h / 2), box_w, box_h, boxstyle="round,pad=0.02,rounding_size=0.12",
                                        facecolor=OUTCOME_COLOURS["urgent"] if step.timescale else QUESTION_FILL,
                                        edgecolor=EDGE_COLOUR, linewidth=1.0))
            ax.text(x - box_w / 2 + 0.1, y + box_h / 2 - 0.12, who, fontsize=7.5, weight="bold", va="top", color=EDGE_COLOUR)
            ax.text(x - box_w / 2 + 0.1, y + box_h / 2 - 0.32, _wrap(textwrap.shorten(step.what, 230), 56), fontsize=6.8, va="top")
    for sid, step in proc.steps.items():
        for nxt in step.next:
            a, b = placed[sid], placed[nxt]
            if depth.get(nxt, 0) - depth.get(sid, 0) > 1:  # skips a row: go round the side, not through boxes
                ax.add_patch(FancyArrowPatch((a.right, a.y), (b.right, b.y), arrowstyle="-|>", mutation_scale=10,
                                             connectionstyle="arc3,rad=-0.35", color=EDGE_COLOUR, linewidth=1.0))
                label = proc.steps[nxt].branch
                if label:
                    ax.text(a.right + 0.5, (a.y + b.y) / 2, _wrap(label, 28), fontsize=6.8, color=EDGE_COLOUR,
                            va="center", backgroundcolor="white")
                continue
            ax.add_patch(FancyArrowPatch((a.x, a.bottom), (b.x, b.top), arrowstyle="-|>", mutation_scale=10,
                                         color=EDGE_COLOUR, linewidth=1.0))
            label = proc.steps[nxt].branch
            if label:
                ax.text((a.x + b.x) / 2 + 0.05, (a.bottom + b.top) / 2, _wrap(label, 28), fontsize=6.8, color=EDGE_COLOUR,
                        va="center", backgroundcolor="white")
    return _png(fig)
