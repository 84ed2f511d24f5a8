"""Mermaid flowchart text: the one writer, for packs and for procedures."""
from __future__ import annotations

from typing import Iterable

from .pack import ANSWER_LABELS, Pack

# Mermaid's node shapes, as the brackets around a quoted label.
SHAPES = {"step": ('["', '"]'), "decision": ('{"', '"}'), "end": ('(["', '"])')}


def quote(text: str) -> str:
    return text.replace('"', "'")


def flowchart(boxes: Iterable[tuple[str, str, str]], edges: Iterable[tuple[str, str, str | None]]) -> str:
    """`boxes`: (id, label, shape); `edges`: (from, to, label or None), labels as Mermaid
    should show them (already quoted where they need it)."""
    lines = ["flowchart TD"]
    for box_id, label, shape in boxes:
        left, right = SHAPES[shape]
        lines.append(f"    {box_id}{left}{quote(label)}{right}")
    for start, end, label in edges:
        lines.append(f"    {start} -->|{label}| {end}" if label else f"    {start} --> {end}")
    return "\n".join(lines) + "\n"


def to_mermaid(pack: Pack) -> str:
    boxes = [(n.id, n.question, "decision") for n in pack.nodes.values()]
    boxes += [(o.id, o.title, "end") for o in pack.outcomes.values()]
    edges = [(n.id, a.to, ANSWER_LABELS[a.answer]) for n in pack.nodes.values() for a in n.answers.values()]
    return flowchart(boxes, edges)
