"""Policy packs: the information-sharing flowchart as data, loaded and validated.

A pack is a YAML file. This module turns it into plain frozen dataclasses and refuses
a pack that could strand a practitioner: an unreachable node, a path that never ends,
an answer that leads nowhere, a node without a citation.
"""
from __future__ import annotations
from functools import lru_cache
from pathlib import Path

from .outcomes import OUTCOME_LABELS, OUTCOMES  # noqa: F401 - re-exported
from .pack_model import (  # noqa: F401  (the model's names, importable from here as before)
    ANSWER_LABELS, ANSWERS, ESCALATIONS, PACKS_DIR, Answer, Citation, Node, Outcome, Pack, PackError,
)
from .pack_parse import parse_pack
from .yamlfile import read_yaml


def load_pack_file(path: str | Path) -> Pack:
    return parse_pack(*read_yaml(path, PackError))


def available_packs() -> list[str]:
    return sorted(p.stem for p in PACKS_DIR.glob("*.yaml"))


@lru_cache(maxsize=None)
def load_pack(name: str) -> Pack:
    """A built-in pack by id (e.g. 'hmg-2008'), or a path to a YAML file."""
    if name.endswith((".yaml", ".yml")) or "/" in name:
        return load_pack_file(name)
    path = PACKS_DIR / f"{name}.yaml"
    if not path.exists():
        raise PackError(name, [f"no built-in pack called {name!r}; available: {', '.join(available_packs())}"])
    return load_pack_file(path)
