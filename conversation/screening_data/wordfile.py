"""Writing a word list the screener reads: its comment lines, then the words sorted and wrapped
at 96 characters. Shared by the build_*.py scripts, which run from this folder."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def write_words(path: Path, words: Iterable[str], head: list[str]) -> None:
    lines = list(head)
    line = ""
    for w in sorted(words):
        if len(line) + len(w) + 1 > 96:
            lines.append(line.strip())
            line = ""
        line += " " + w
    lines.append(line.strip())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
