from __future__ import annotations

from pathlib import Path

import yaml

DATA_DIR = Path(__file__).resolve().parents[1] / "screening_data"


_READ: dict[str, frozenset[str]] = {}


def _words(name: str) -> frozenset[str]:
    """A word list beside this module: whitespace-separated, '#' comments, lower case. Read once
    per process however many modules use it (the lists are frozen)."""
    if name not in _READ:
        out: set[str] = set()
        for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
            out.update(line.split("#", 1)[0].lower().split())
        _READ[name] = frozenset(out)
    return _READ[name]


def _words_lines(name: str) -> list[str]:
    """Entries one per line (may hold spaces: "health visitor"), '#' comments, lower case."""
    out = []
    for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip().lower()
        if line:
            out.append(line)
    return out


def _yaml(name: str) -> dict:
    return yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8")) or {}
