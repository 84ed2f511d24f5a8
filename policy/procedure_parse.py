"""Parsing and validating a procedure file: every problem is collected before one is refused
(a step that leads nowhere or that nobody reaches, a loop with no way out, a deadline named
but never defined, text Slack would mangle, a step whose text does not say its deadline)."""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from .pack import Citation
from .procedure_model import PLACEHOLDER, Procedure, ProcedureError, Step, Timescale, _fill
from .routes import loops, reachable

NUMBERS = (1, 2, 3, 4, 5)
UNITS = ("hours", "working_days", "days", "months")
TOP_KEYS = ("id", "number", "title", "summary", "cite", "timescales", "steps")
STEP_KEYS = ("id", "who", "what", "next")
OPTIONAL_STEP_KEYS = ("timescale", "branch")
TIMESCALE_KEYS = ("value", "since", "source")
OPTIONAL_TIMESCALE_KEYS = ("local", "note")

# Characters that Slack mrkdwn (or HTML, or Mermaid) would read as markup.
FORBIDDEN_CHARS = "<>&*_"
# Words Mermaid reads as keywords; a step with one of these ids would break the drawing.
MERMAID_RESERVED = frozenset({"end", "graph", "flowchart", "subgraph", "style", "class",
                              "classdef", "click", "linkstyle", "direction", "default"})
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _plain_problem(where: str, field: str, text: str) -> str | None:
    bad = sorted({c for c in text if c in FORBIDDEN_CHARS})
    if bad:
        return f"{where}: {field} must be plain text, without {' '.join(bad)}"
    return None


def _timescale(name: str, raw: Any, problems: list[str]) -> Timescale | None:
    """A dated, cited parameter: value ({unit: amount}), since (a date), source (a citation),
    optionally local (true when no national text states it) and a note."""
    where = f"timescale {name!r}"
    if not _NAME.match(name):
        problems.append(f"{where}: names are lower-case letters, digits and underscores")
    if not isinstance(raw, dict) or "value" not in raw:
        problems.append(f"{where} must be a dated, cited parameter: value (e.g. {{hours: 48}}), since (a date) "
                        f"and source ({{document: ..., section: ...}})")
        return None
    for key in raw:
        if key not in TIMESCALE_KEYS + OPTIONAL_TIMESCALE_KEYS:
            problems.append(f"{where} has an unknown key {str(key)!r} "
                            f"(keys are {', '.join(TIMESCALE_KEYS + OPTIONAL_TIMESCALE_KEYS)})")
    since = raw.get("since")
    if isinstance(since, datetime):
        since = since.date()
    if not isinstance(since, date):
        problems.append(f"{where}: since must be the date the value has applied since (YYYY-MM-DD), not {since!r}")
        since = None
    source = None
    if isinstance(raw.get("source"), dict):
        source = Citation(_text(raw["source"].get("document")), _text(raw["source"].get("section")))
    if source is None or not source.document or not source.section:
        problems.append(f"{where}: source needs a document and a section (source: {{document: ..., section: ...}})")
        source = None
    local = raw.get("local", False)
    if not isinstance(local, bool):
        problems.append(f"{where}: local must be true or false, not {local!r}")
        local = False
    for label, text in (("source", f"{source.document} {source.section}" if source else ""), ("note", _text(raw.get("note")))):
        problem = _plain_problem(where, label, text)
        if problem:
            problems.append(problem)
    value = parse_timescale_value(raw["value"], where, problems)
    if value is None:
        return None
    return Timescale(value.unit, value.amount, since=since, source=source, local=local)


def parse_timescale_value(raw: Any, where: str, problems: list[str]) -> Timescale | None:
    """One unit and a positive whole amount, e.g. {hours: 48}; problems are appended."""
    if not isinstance(raw, dict) or not raw:
        problems.append(f"{where} must be one unit and an amount, e.g. {{hours: 48}}; "
                        f"units are {', '.join(UNITS)}")
        return None
    units = [str(k) for k in raw]
    unknown = [u for u in units if u not in UNITS]
    if unknown:
        problems.append(f"{where}: unknown unit {', '.join(repr(u) for u in unknown)}; "
                        f"units are {', '.join(UNITS)}")
        return None
    if len(units) != 1:
        problems.append(f"{where} gives {len(units)} units ({', '.join(units)}); give exactly one")
        return None
    unit, amount = units[0], raw[units[0]]
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        problems.append(f"{where}: the amount of {unit} must be a positive whole number, not {amount!r}")
        return None
    return Timescale(unit, amount)


def _step(raw: Any, index: int, timescales: dict[str, Timescale], problems: list[str]) -> Step | None:
    if not isinstance(raw, dict):
        problems.append(f"step {index + 1} must be a mapping with id, who, what and next")
        return None
    sid = _text(raw.get("id"))
    where = f"step {sid!r}" if sid else f"step {index + 1}"
    if not sid:
        problems.append(f"{where} has no id")
    elif not _NAME.match(sid):
        problems.append(f"{where}: ids are lower-case letters, digits and underscores")
    elif sid.lower() in MERMAID_RESERVED:
        problems.append(f"{where}: {sid!r} is a Mermaid keyword; choose another id")
    for key in STEP_KEYS:
        if key not in raw:
            problems.append(f"{where} is missing {key!r}")
    for key in raw:
        if key not in STEP_KEYS + OPTIONAL_STEP_KEYS:
            problems.append(f"{where} has an unknown key {str(key)!r} "
                            f"(keys are {', '.join(STEP_KEYS + OPTIONAL_STEP_KEYS)})")
    who, what = _text(raw.get("who")), _text(raw.get("what"))
    branch = _text(raw.get("branch")) or None
    for field, value in (("who", who), ("what", what)):
        if field in raw and not value:
            problems.append(f"{where} has an empty {field!r}")
    for field, value in (("who", who), ("what", what), ("branch", branch or "")):
        problem = _plain_problem(where, field, value)
        if problem:
            problems.append(problem)

    raw_next = raw.get("next", [])
    if raw_next is None:
        raw_next = []
    if not isinstance(raw_next, list):
        problems.append(f"{where}: next must be a list of step ids ([] for an end step)")
        raw_next = []
    nexts = tuple(_text(n) for n in raw_next)
    if len(set(nexts)) != len(nexts):
        problems.append(f"{where} lists the same next step twice")

    timescale = raw.get("timescale")
    template = what
    if timescale is not None:
        timescale = _text(timescale)
        if timescale not in timescales:
            known = ", ".join(timescales) or "none are defined"
            problems.append(f"{where} uses timescale {timescale!r}, which is not defined (defined: {known})")
        else:
            what = _fill(what, timescales[timescale])
            if not any(s in what.lower() for s in timescales[timescale].spellings()):
                problems.append(f"{where} uses timescale {timescale!r} but its text does not say "
                                f"{timescales[timescale].describe()!r}")
    elif PLACEHOLDER in what:
        problems.append(f"{where} says {PLACEHOLDER} but has no timescale")
    return Step(id=sid, who=who, what=what, timescale=timescale, next=nexts, branch=branch, template=template)


def parse_procedure(raw: Any, name: str = "<procedure>") -> Procedure:
    """Build a Procedure from parsed YAML, collecting every problem before refusing it."""
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise ProcedureError(name, ["the file must be a mapping with " + ", ".join(TOP_KEYS)])
    for key in TOP_KEYS:
        if key not in raw:
            problems.append(f"missing top-level key {key!r}")
    for key in raw:
        if key not in TOP_KEYS:
            problems.append(f"unknown top-level key {str(key)!r} (keys are {', '.join(TOP_KEYS)})")

    pid = _text(raw.get("id"))
    if "id" in raw and not _NAME.match(pid):
        problems.append(f"id {pid!r} must be lower-case letters, digits and underscores")
    number = raw.get("number")
    if "number" in raw and (isinstance(number, bool) or number not in NUMBERS):
        problems.append(f"number must be one of {', '.join(map(str, NUMBERS))}, not {number!r}")
        number = 0
    title, summary = _text(raw.get("title")), _text(raw.get("summary"))
    for field, value in (("title", title), ("summary", summary)):
        if field in raw and not value:
            problems.append(f"{field} is empty")
        problem = _plain_problem("the procedure", field, value)
        if problem:
            problems.append(problem)
    cite = None
    if isinstance(raw.get("cite"), dict):
        cite = Citation(_text(raw["cite"].get("document")), _text(raw["cite"].get("section")))
    if "cite" in raw and (cite is None or not cite.document or not cite.section):
        problems.append("cite needs a document and a section (cite: {document: ..., section: ...})")

    timescales: dict[str, Timescale] = {}
    raw_ts = raw.get("timescales") or {}
    if not isinstance(raw_ts, dict):
        problems.append("timescales must be a mapping of names to {unit: amount}")
        raw_ts = {}
    for tname, tbody in raw_ts.items():
        ts = _timescale(str(tname), tbody, problems)
        if ts is not None:
            timescales[str(tname)] = ts

    steps: dict[str, Step] = {}
    raw_steps = raw.get("steps")
    if "steps" in raw and (not isinstance(raw_steps, list) or not raw_steps):
        problems.append("steps must be a non-empty list")
        raw_steps = []
    for index, body in enumerate(raw_steps or []):
        step = _step(body, index, timescales, problems)
        if step is None or not step.id:
            continue
        if step.id in steps:
            problems.append(f"step {step.id!r} is defined more than once; step ids must be unique")
            continue
        steps[step.id] = step

    start = next(iter(steps), "")
    problems += _graph_problems(steps, start)
    if problems:
        raise ProcedureError(name, problems)
    return Procedure(
        id=pid,
        number=int(number),
        title=title,
        summary=summary,
        cite=cite,  # type: ignore[arg-type]  # checked above
        timescales=timescales,
        steps=steps,
        start=start,
    )


def _graph_problems(steps: dict[str, Step], start: str) -> list[str]:
    problems: list[str] = []
    for step in steps.values():
        for target in step.next:
            if target not in steps:
                problems.append(f"step {step.id!r} leads to {target!r}, which is not a step")
    if not steps:
        return problems
    if not any(s.is_end for s in steps.values()):
        problems.append("no step ends the procedure: at least one step needs next: []")

    successors = {sid: step.next for sid, step in steps.items()}
    reached = reachable(successors, start)
    for sid in steps:
        if sid not in reached:
            problems.append(f"step {sid!r} cannot be reached from the first step {start!r}")
    # every step a root, so a loop among unreachable steps is reported too
    for sid, target, loop in loops(successors, steps):
        problems.append(f"step {sid!r} loops back to {target!r}: " + " -> ".join(list(dict.fromkeys(loop)) + [target]))
    return problems
