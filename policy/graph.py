"""Draw a pack as Mermaid flowchart text."""
from __future__ import annotations

from .pack import ANSWER_LABELS, Pack


def _quote(text: str) -> str:
    return text.replace('"', "'")


def to_mermaid(pack: Pack) -> str:
    lines = ["flowchart TD"]
    for node in pack.nodes.values():
        lines.append(f'    {node.id}{{"{_quote(node.question)}"}}')
    for outcome in pack.outcomes.values():
        lines.append(f'    {outcome.id}(["{_quote(outcome.title)}"])')
    for node in pack.nodes.values():
        for ans in node.answers.values():
            lines.append(f"    {node.id} -->|{ANSWER_LABELS[ans.answer]}| {ans.to}")
    return "\n".join(lines) + "\n"
