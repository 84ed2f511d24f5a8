"""Draw a pack's flowchart as a PNG, offline, with matplotlib's Agg renderer.

Questions are square boxes from top to bottom; each answer that ends the conversation
goes to a rounded outcome box drawn beside its question (an outcome reached from
several questions is drawn once per question, coloured the same everywhere, as paper
flowcharts do), and each answer that leads to another question is an arrow downwards.
Edges carry the button labels: Yes, No, Not sure.

Imports nothing of ours outside `policy`; needs no display and no network.
"""
from __future__ import annotations

from .pack import ANSWER_LABELS, ANSWERS, Pack
from .render_procedure import render_procedure_png  # noqa: F401  (importable from here as before)
from .render_style import (
    COLUMN_W,
    DPI,
    EDGE_COLOUR,
    FALLBACK_COLOUR,
    LEGEND_H,
    MARGIN,
    MIN_WIDTH,
    OUTCOME_COLOURS,
    OUTCOME_H,
    OUTCOME_STEP,
    OUTCOME_W,
    QUESTION_FILL,
    QUESTION_W,
    SIDE_GAP,
    TITLE_H,
    _canvas,
    _Placed,
    _png,
    _wrap,
)


def _question_children(pack: Pack, node_id: str) -> list[str]:
    node = pack.nodes[node_id]
    seen: list[str] = []
    for key in ANSWERS:
        ans = node.answers.get(key)
        if ans is not None and ans.to in pack.nodes and ans.to not in seen:
            seen.append(ans.to)
    return seen


def _rows(pack: Pack) -> dict[str, int]:
    """Each question's row: the length of the longest route to it, so arrows point down."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(nid: str) -> None:  # depth-first post-order gives a reverse topological order
        seen.add(nid)
        for child in _question_children(pack, nid):
            if child not in seen:
                visit(child)
        order.append(nid)

    visit(pack.start)
    rows = {nid: 0 for nid in order}
    for nid in reversed(order):
        for child in _question_children(pack, nid):
            rows[child] = max(rows[child], rows[nid] + 1)
    return rows


def _columns(pack: Pack) -> dict[str, float]:
    """Each question's column: leaves of the depth-first tree get 0, 1, 2...; a parent
    sits above the middle of its children."""
    columns: dict[str, float] = {}
    next_leaf = [0]

    def place(nid: str) -> float:
        columns[nid] = -1.0  # claimed, so a later parent does not place it again
        xs = [place(c) for c in _question_children(pack, nid) if c not in columns]
        if not xs:
            columns[nid] = float(next_leaf[0])
            next_leaf[0] += 1
        else:
            columns[nid] = (min(xs) + max(xs)) / 2
        return columns[nid]

    place(pack.start)
    return columns


def _outcome_text(pack: Pack, outcome_id: str, ground: str | None) -> str:
    outcome = pack.outcomes[outcome_id]
    text = _wrap(outcome.title, 34)
    if ground:
        text += "\nground: " + ground.replace("_", " ")
    return text


def render_png(pack: Pack) -> bytes:
    """The pack's flowchart as PNG bytes."""
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

    rows = _rows(pack)
    columns = _columns(pack)
    question_text = {
        nid: f"{nid}\n" + _wrap(node.question, 50) for nid, node in pack.nodes.items()
    }
    max_lines = max(t.count("\n") + 1 for t in question_text.values())
    question_h = 0.3 + 0.17 * max_lines
    row_h = max(question_h, 2 * OUTCOME_STEP + OUTCOME_H) + 0.6

    n_rows = max(rows.values()) + 1
    n_cols = max(columns.values()) + 1
    drawing_w = (n_cols - 1) * COLUMN_W + QUESTION_W + SIDE_GAP + OUTCOME_W
    width = max(MIN_WIDTH, 2 * MARGIN + drawing_w)
    left = (width - drawing_w) / 2  # centre a narrow drawing
    height = TITLE_H + n_rows * row_h + LEGEND_H + MARGIN
    fig, ax = _canvas(width, height, DPI)

    ax.text(MARGIN, height - 0.35, pack.title, fontsize=13, fontweight="bold", va="top")
    ax.text(MARGIN, height - 0.72,
            f"Policy pack {pack.ref}. Square boxes are questions, rounded boxes are outcomes;\n"
            "arrows are labelled with the answer given.",
            fontsize=9, va="top", color="#555555", linespacing=1.3)

    placed: dict[str, _Placed] = {}
    for nid in pack.nodes:
        if nid not in rows:
            continue  # unreachable: the validator refuses such packs anyway
        x = left + columns[nid] * COLUMN_W + QUESTION_W / 2
        y = height - TITLE_H - rows[nid] * row_h - row_h / 2
        placed[nid] = _Placed(x, y, QUESTION_W, question_h)

    def arrow(start: tuple[float, float], end: tuple[float, float], label: str,
              label_at: float = 0.5, detour: float = 0.0) -> None:
        """A straight arrow; with `detour`, one that leaves the start box by its left side
        and runs down `detour` inches left of the column, past the boxes in between."""
        if detour:
            arm = detour * 72  # connection arms are in points
            style = f"arc,angleA=180,angleB=180,armA={arm},armB={arm},rad=6"
        else:
            style = "arc3,rad=0"
        ax.add_patch(FancyArrowPatch(
            start, end, arrowstyle="-|>", mutation_scale=12, linewidth=1.1, color=EDGE_COLOUR,
            connectionstyle=style, shrinkA=0, shrinkB=1, zorder=1,
        ))
        lx = start[0] - detour + (end[0] - start[0]) * label_at
        ly = start[1] + (end[1] - start[1]) * label_at
        ax.text(lx, ly, label, fontsize=8, ha="center", va="center", color=EDGE_COLOUR, zorder=3,
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"})

    # start marker
    first = placed[pack.start]
    ax.annotate("Start", xy=(first.x, first.top), xytext=(first.x, first.top + 0.32),
                ha="center", va="bottom", fontsize=8, fontweight="bold", color=EDGE_COLOUR,
                arrowprops={"arrowstyle": "-|>", "color": EDGE_COLOUR, "linewidth": 1.1})

    for nid, box in placed.items():
        node = pack.nodes[nid]
        ax.add_patch(FancyBboxPatch(
            (box.left, box.bottom), box.w, box.h, boxstyle="square,pad=0",
            facecolor=QUESTION_FILL, edgecolor=EDGE_COLOUR, linewidth=1.2, zorder=2,
        ))
        ident, _, question = question_text[nid].partition("\n")
        ax.text(box.left + 0.12, box.top - 0.1, ident, fontsize=8.5, fontweight="bold",
                ha="left", va="top", zorder=3, color=EDGE_COLOUR)
        ax.text(box.left + 0.12, box.top - 0.32, question, fontsize=8, ha="left", va="top",
                zorder=3, linespacing=1.25)

        ends = [node.answers[k] for k in ANSWERS if k in node.answers and node.answers[k].to in pack.outcomes]
        offsets = [OUTCOME_STEP * (len(ends) - 1) / 2 - i * OUTCOME_STEP for i in range(len(ends))]
        for ans, offset in zip(ends, offsets):
            out = _Placed(box.right + SIDE_GAP + OUTCOME_W / 2, box.y + offset, OUTCOME_W, OUTCOME_H)
            ax.add_patch(FancyBboxPatch(
                (out.left, out.bottom), out.w, out.h,
                boxstyle="round,pad=0,rounding_size=0.18",
                facecolor=OUTCOME_COLOURS.get(ans.to, FALLBACK_COLOUR), edgecolor=EDGE_COLOUR,
                linewidth=1.0, zorder=2,
            ))
            ax.text(out.x, out.y, _outcome_text(pack, ans.to, ans.ground), fontsize=7.5,
                    ha="center", va="center", zorder=3, linespacing=1.2)
            arrow((box.right, box.y + offset * 0.45), (out.left, out.y),
                  ANSWER_LABELS[ans.answer], label_at=0.5)

        # Several answers leading to the same question share one arrow ("Yes / Not sure"),
        # so no label is drawn over another.
        to_questions: dict[str, list[str]] = {}
        for key in ANSWERS:
            ans = node.answers.get(key)
            if ans is not None and ans.to in placed:
                to_questions.setdefault(ans.to, []).append(ANSWER_LABELS[key])
        for target, labels in to_questions.items():
            child = placed[target]
            label = " / ".join(labels)
            if rows[target] - rows[nid] > 1 and abs(child.x - box.x) < 1e-6:
                # the boxes in between are in the way: go round them on the left
                arrow((box.left, box.y), (child.left, child.y), label, label_at=0.5, detour=0.35)
            else:
                arrow((box.x, box.bottom), (child.x, child.top), label, label_at=0.45)

    legend = [Patch(facecolor=OUTCOME_COLOURS.get(oid, FALLBACK_COLOUR), edgecolor=EDGE_COLOUR,
                    label=f"{oid}: {pack.outcomes[oid].title}") for oid in pack.outcomes]
    fig.legend(handles=legend, loc="lower left", bbox_to_anchor=(MARGIN / width, 0.08 / height),
               ncol=3 if width >= 13 else 2, fontsize=8, frameon=False, title="Outcomes (as recorded)",
               title_fontsize=8.5, alignment="left")
    return _png(fig)


def render(pack: Pack, fmt: str) -> bytes:
    """The pack drawn in `fmt` ("mermaid" or "png"), as bytes ready to write."""
    if fmt == "png":
        return render_png(pack)
    if fmt == "mermaid":
        from .graph import to_mermaid

        return to_mermaid(pack).encode("utf-8")
    raise ValueError(f"unknown format {fmt!r}; use mermaid or png")
