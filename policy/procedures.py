"""Procedures: what happens after a referral, as data, loaded and validated.

The seed page lists five procedure flowcharts from "Working Together to Safeguard
Children" (2010), an edition since replaced four times. Each one is a YAML file in
policy/procedures/ (1-referral.yaml and so on), now following Working Together to
Safeguard Children 2023 (as updated) and the Children Act 1989. This module turns them into plain frozen dataclasses and refuses a procedure that
could mislead a practitioner: a step that leads nowhere, a step nobody reaches, a loop
with no way out, a deadline that is named but never defined, text that Slack would
mangle, or a step whose text does not say the deadline it is tied to.

Timescales are named, dated, cited parameters (OpenFisca's way): each gives its value,
the date it has applied since, and the source that states it:

    decision_on_next_steps:
      value: {working_days: 1}
      since: 2023-12-15
      source: {document: "Working Together to Safeguard Children 2023", section: "..."}

A timescale no current national text states is marked `local: true`: it is a default the
organisation may change (configuration `local_timescales`), never presented as national.
A step's text may say `{timescale}` where its timescale's current value belongs.
The bot sets reminders from timescales; conversation.timescales works out when one falls due.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from .graph import flowchart, quote
from .procedure_model import PLACEHOLDER, Procedure, ProcedureError, Step, Timescale  # noqa: F401  (importable from here)
from .procedure_parse import (  # noqa: F401  (the validator's names, importable from here as before)
    FORBIDDEN_CHARS, MERMAID_RESERVED, NUMBERS, OPTIONAL_STEP_KEYS, OPTIONAL_TIMESCALE_KEYS, STEP_KEYS, TIMESCALE_KEYS,
    TOP_KEYS, UNITS, parse_procedure, parse_timescale_value,
)
from .yamlfile import read_yaml

PROCEDURES_DIR = Path(__file__).parent / "procedures"
MERMAID_LABEL_CHARS = 60


# --- loading -------------------------------------------------------------------------------

def load_procedure_file(path: str | Path) -> Procedure:
    return parse_procedure(*read_yaml(path, ProcedureError))


@lru_cache(maxsize=None)
def _load_all(directory: Path) -> tuple[Procedure, ...]:
    problems: list[str] = []
    loaded: list[Procedure] = []
    files = sorted(directory.glob("*.yaml"))
    for path in files:
        try:
            loaded.append(load_procedure_file(path))
        except ProcedureError as err:
            problems += [f"{path.name}: {p}" for p in err.problems]
    by_number: dict[int, str] = {}
    by_id: dict[str, str] = {}
    for proc in loaded:
        if proc.number in by_number:
            problems.append(f"procedures {by_number[proc.number]!r} and {proc.id!r} both have number {proc.number}")
        by_number.setdefault(proc.number, proc.id)
        if proc.id in by_id:
            problems.append(f"two procedures have the id {proc.id!r}")
        by_id.setdefault(proc.id, proc.id)
    if not problems:
        for number in NUMBERS:
            if number not in by_number:
                problems.append(f"procedure {number} is missing")
    if problems:
        raise ProcedureError(str(directory), problems)
    return tuple(sorted(loaded, key=lambda p: p.number))


def local_timescale_names(directory: str | Path | None = None) -> dict[str, Timescale]:
    """Every timescale an organisation may set (marked local), by name, across procedures."""
    found: dict[str, Timescale] = {}
    for proc in load_procedures(directory).values():
        found.update(proc.local_timescales())
    return found


def all_timescales(directory: str | Path | None = None) -> list[tuple[Procedure, str, Timescale]]:
    """Every timescale of every procedure, for `canishare policy check`."""
    return [(proc, name, t) for proc in load_procedures(directory).values() for name, t in proc.timescales.items()]


def timescale_report(directory: str | Path | None = None) -> list[str]:
    """What `canishare policy check` says about the procedures' timescales: each one's value,
    since-date and source, local ones marked. Raises ProcedureError if any is invalid."""
    rows = all_timescales(directory)
    local = sorted({name for _, name, t in rows if t.local})
    lines = [f"procedures: {len(load_procedures(directory))} procedures and {len(rows)} timescales, all valid, "
             f"each dated and cited; local (set by your organisation): {', '.join(local) or 'none'}"]
    for proc, name, t in rows:
        mark = " [local]" if t.local else ""
        lines.append(f"  - procedure {proc.number} {name}: {t.describe()} since {t.since.isoformat() if t.since else '?'}"
                     f"{mark} ({t.source})")
    return lines


def load_procedures(directory: str | Path | None = None) -> dict[int, Procedure]:
    """The shipped procedures (or those in `directory`) by number, 1 to 5.

    Parsed once and cached; each call returns a fresh dict of the same Procedure objects.
    Raises ProcedureError listing every problem in every file."""
    folder = Path(directory) if directory is not None else PROCEDURES_DIR
    return {p.number: p for p in _load_all(folder.resolve())}


def procedure(key: int | str, local: Mapping[str, Timescale] | None = None) -> Procedure:
    """A shipped procedure by number (3 or "3") or id ("urgent_action"), with the
    organisation's own values for its local timescales when `local` is given."""
    procedures = load_procedures()
    if isinstance(key, int) and not isinstance(key, bool) and key in procedures:
        return procedures[key].with_local(local)
    if isinstance(key, str):
        if key.strip().isdigit() and int(key) in procedures:
            return procedures[int(key)].with_local(local)
        for proc in procedures.values():
            if proc.id == key.strip():
                return proc.with_local(local)
    known = ", ".join(f"{p.number} ({p.id})" for p in procedures.values())
    raise KeyError(f"no procedure {key!r}; known procedures: {known}")


# --- drawing -------------------------------------------------------------------------------

def _shorten(text: str, limit: int = MERMAID_LABEL_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.") + "…"


def _short_who(who: str) -> str:
    """'You (the practitioner making the referral)' -> 'You': the aside does not fit a box."""
    short = re.sub(r"\s*\([^)]*\)", "", who).strip()
    return short or who


def to_mermaid(proc: Procedure) -> str:
    """The procedure as Mermaid flowchart text: one box per step ("who: what", without any
    bracketed aside in "who", shortened to about 60 characters), edges labelled with the
    branch label of the step they lead to."""
    boxes = [(step.id, _shorten(f"{_short_who(step.who)}: {step.what}"), "step") for step in proc.steps.values()]
    edges = []
    for step in proc.steps.values():
        for target in step.next:
            branch = proc.steps[target].branch
            edges.append((step.id, target, f'"{quote(branch)}"' if branch else None))
    return flowchart(boxes, edges)
