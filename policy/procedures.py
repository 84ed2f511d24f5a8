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
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from .yamlfile import DataFileError, read_yaml

from .graph import flowchart, quote
from .pack import Citation

PROCEDURES_DIR = Path(__file__).parent / "procedures"

NUMBERS = (1, 2, 3, 4, 5)
UNITS = ("hours", "working_days", "days", "months")
TOP_KEYS = ("id", "number", "title", "summary", "cite", "timescales", "steps")
STEP_KEYS = ("id", "who", "what", "next")
OPTIONAL_STEP_KEYS = ("timescale", "branch")
TIMESCALE_KEYS = ("value", "since", "source")
OPTIONAL_TIMESCALE_KEYS = ("local", "note")
PLACEHOLDER = "{timescale}"

# Characters that Slack mrkdwn (or HTML, or Mermaid) would read as markup.
FORBIDDEN_CHARS = "<>&*_"
# Words Mermaid reads as keywords; a step with one of these ids would break the drawing.
MERMAID_RESERVED = frozenset({"end", "graph", "flowchart", "subgraph", "style", "class",
                              "classdef", "click", "linkstyle", "direction", "default"})
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                 "nine", "ten", "eleven", "twelve")
_UNIT_WORDS = {"hours": ("hour", "hours"), "working_days": ("working day", "working days"),
               "days": ("day", "days"), "months": ("month", "months")}
MERMAID_LABEL_CHARS = 60


class ProcedureError(DataFileError):
    """A procedure that must not be used; the message lists every problem found."""

    kind = "procedure"

    @property
    def procedure(self) -> str:
        return self.name


@dataclass(frozen=True)
class Timescale:
    unit: str  # hours / working_days / days / months
    amount: int  # a positive whole number
    # Where the value comes from; not part of equality, so Timescale("hours", 48) still
    # equals a shipped 48-hour timescale whatever its provenance.
    since: date | None = field(default=None, compare=False)  # the date the value has applied since
    source: Citation | None = field(default=None, compare=False)  # the text that states it
    local: bool = field(default=False, compare=False)  # True: no national text states it

    def describe(self) -> str:
        """'48 hours', '1 working day', '15 working days', '3 months'."""
        singular, plural = _UNIT_WORDS[self.unit]
        return f"{self.amount} {singular if self.amount == 1 else plural}"

    def spellings(self) -> tuple[str, ...]:
        """Ways a step's text may say this timescale: '1 working day', 'one working day'."""
        found = [self.describe()]
        if 0 <= self.amount < len(_NUMBER_WORDS):
            singular, plural = _UNIT_WORDS[self.unit]
            found.append(f"{_NUMBER_WORDS[self.amount]} {singular if self.amount == 1 else plural}")
        return tuple(found)

    def __str__(self) -> str:
        return self.describe()


@dataclass(frozen=True)
class Step:
    id: str
    who: str
    what: str  # as shown: {timescale} already replaced by the timescale's value
    timescale: str | None  # a key of Procedure.timescales, or None
    next: tuple[str, ...]  # ids of the following steps; empty for an end step
    branch: str | None = None  # label on the edge into this step
    template: str = field(default="", compare=False)  # `what` as written, {timescale} included

    @property
    def is_end(self) -> bool:
        return not self.next


@dataclass(frozen=True)
class Procedure:
    id: str
    number: int
    title: str
    summary: str
    cite: Citation
    timescales: dict[str, Timescale]
    steps: dict[str, Step]  # in file order
    start: str  # the first step's id

    def timescale_of(self, step_id: str) -> Timescale | None:
        name = self.steps[step_id].timescale
        return self.timescales[name] if name else None

    def ends(self) -> list[str]:
        """Ids of the steps that end the procedure, in file order."""
        return [s.id for s in self.steps.values() if s.is_end]

    def local_timescales(self) -> dict[str, Timescale]:
        return {name: t for name, t in self.timescales.items() if t.local}

    def with_local(self, overrides: Mapping[str, Timescale] | None) -> "Procedure":
        """This procedure with the organisation's own values for its local timescales.

        Names this procedure does not use are ignored (a configuration sets a name for
        every procedure that has it); a national timescale cannot be overridden."""
        if not overrides:
            return self
        timescales = dict(self.timescales)
        for name, value in overrides.items():
            if name not in timescales:
                continue
            if not timescales[name].local:
                raise ValueError(f"timescale {name!r} is national ({timescales[name].source}); only local "
                                 f"timescales can be set by an organisation")
            timescales[name] = replace(timescales[name], unit=value.unit, amount=value.amount)
        steps = {sid: replace(st, what=_fill(st.template or st.what, timescales.get(st.timescale or "")))
                 for sid, st in self.steps.items()}
        return replace(self, timescales=timescales, steps=steps)


# --- parsing and validation ----------------------------------------------------------------

def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _plain_problem(where: str, field: str, text: str) -> str | None:
    bad = sorted({c for c in text if c in FORBIDDEN_CHARS})
    if bad:
        return f"{where}: {field} must be plain text, without {' '.join(bad)}"
    return None


def _fill(template: str, timescale: "Timescale | None") -> str:
    return template.replace(PLACEHOLDER, timescale.describe()) if timescale else template


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

    reachable: set[str] = set()
    stack = [start]
    while stack:
        current = stack.pop()
        if current in reachable or current not in steps:
            continue
        reachable.add(current)
        stack.extend(steps[current].next)
    for sid in steps:
        if sid not in reachable:
            problems.append(f"step {sid!r} cannot be reached from the first step {start!r}")

    state: dict[str, int] = {}  # 1 = on the current route, 2 = finished

    def visit(sid: str, route: list[str]) -> None:
        state[sid] = 1
        for target in steps[sid].next:
            if target not in steps:
                continue
            if state.get(target) == 1:
                loop = route[route.index(target):] + [sid, target] if target in route else [sid, target]
                problems.append(f"step {sid!r} loops back to {target!r}: "
                                + " -> ".join(list(dict.fromkeys(loop)) + [target]))
            elif target not in state:
                visit(target, route + [sid])
        state[sid] = 2

    for sid in steps:  # every step, so a loop among unreachable steps is reported too
        if sid not in state:
            visit(sid, [])
    return problems


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
