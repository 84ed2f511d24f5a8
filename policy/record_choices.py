"""What the record modal offers: the pack's lists of kinds of information, recipients and
purposes (per outcome), read from the pack's top-level `record:` section.

The record stores only ids from these lists, plus one optional short note that is screened
before anything is stored (see bot/record_details.py). A pack without a `record:` section
gets the lists in `record_defaults.yaml` beside this file.

    record:
      note_limit: 300                     # optional; at most 500
      kinds:      [{id: attendance, label: "Attendance or lateness"}, ...]
      recipients: [{id: social_care, label: "Children's social care"}, ...]
      purposes:
        share: [{id: assess_risk, label: "To help assess risk to the child"}, ...]
        ...                               # every outcome of the pack
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .outcomes import OUTCOMES

DEFAULTS_FILE = Path(__file__).parent / "record_defaults.yaml"

# Slack's limits on a select: 100 options, 75 characters of option text, ids up to 75 (values 150).
MAX_OPTIONS = 100
LABEL_LIMIT = 75
NOTE_LIMIT = 300
NOTE_LIMIT_MAX = 500
OUTCOMES_ALL = frozenset(OUTCOMES)
_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,47}$")


@dataclass(frozen=True)
class Choice:
    id: str
    label: str


@dataclass(frozen=True)
class RecordChoices:
    kinds: tuple[Choice, ...]
    recipients: tuple[Choice, ...]
    purposes: dict[str, tuple[Choice, ...]]  # outcome id -> purposes
    note_limit: int = NOTE_LIMIT

    def purposes_for(self, outcome: str) -> tuple[Choice, ...]:
        return self.purposes.get(outcome, ())

    def kind_ids(self) -> frozenset[str]:
        return frozenset(c.id for c in self.kinds)

    def recipient_ids(self) -> frozenset[str]:
        return frozenset(c.id for c in self.recipients)

    def label(self, list_name: str, choice_id: str) -> str:
        """The label of an id (any outcome's purposes for 'purposes'); the id itself when unknown."""
        if list_name == "purposes":
            pool = [c for cs in self.purposes.values() for c in cs]
        else:
            pool = list(getattr(self, list_name))
        return next((c.label for c in pool if c.id == choice_id), choice_id)


def _choices(raw: Any, what: str, problems: list[str]) -> tuple[Choice, ...]:
    if not isinstance(raw, list) or not raw:
        problems.append(f"record: {what} must be a non-empty list of {{id, label}}")
        return ()
    out: list[Choice] = []
    seen: set[str] = set()
    for item in raw:
        if not isinstance(item, dict) or "id" not in item or not str(item.get("label", "")).strip():
            problems.append(f"record: {what}: every entry needs an id and a label, not {item!r}")
            continue
        cid, label = str(item["id"]), " ".join(str(item["label"]).split())
        if not _ID_RE.match(cid):
            problems.append(f"record: {what}: id {cid!r} must be lower case letters, digits and _ (at most 48)")
        if cid in seen:
            problems.append(f"record: {what}: id {cid!r} appears twice")
        if len(label) > LABEL_LIMIT:
            problems.append(f"record: {what}: label of {cid!r} is longer than {LABEL_LIMIT} characters (Slack's limit)")
        seen.add(cid)
        out.append(Choice(cid, label))
    if len(out) > MAX_OPTIONS:
        problems.append(f"record: {what} has {len(out)} entries; Slack shows at most {MAX_OPTIONS}")
    return tuple(out)


def parse_record_choices(raw: Any, outcomes: set[str] | frozenset[str], problems: list[str]) -> RecordChoices:
    """The pack's `record:` section (or the defaults when it has none); problems are appended."""
    defaults = raw is None
    if defaults:
        raw = default_section()
    if not isinstance(raw, dict):
        problems.append("record: must be a mapping with kinds, recipients and purposes")
        return RecordChoices((), (), {})
    kinds = _choices(raw.get("kinds"), "kinds", problems)
    recipients = _choices(raw.get("recipients"), "recipients", problems)
    raw_purposes = raw.get("purposes")
    purposes: dict[str, tuple[Choice, ...]] = {}
    if not isinstance(raw_purposes, dict):
        problems.append("record: purposes must map each outcome to a list of {id, label}")
        raw_purposes = {}
    for oid, items in raw_purposes.items():
        if str(oid) not in outcomes:
            if defaults:
                continue
            problems.append(f"record: purposes for {oid!r}, which is not an outcome of this pack")
            continue
        purposes[str(oid)] = _choices(items, f"purposes.{oid}", problems)
    for oid in sorted(outcomes):
        if oid not in purposes:
            problems.append(f"record: purposes has no list for outcome {oid!r}")
    note_limit = raw.get("note_limit", NOTE_LIMIT)
    if not isinstance(note_limit, int) or isinstance(note_limit, bool) or not 0 < note_limit <= NOTE_LIMIT_MAX:
        problems.append(f"record: note_limit must be a whole number from 1 to {NOTE_LIMIT_MAX}")
        note_limit = NOTE_LIMIT
    return RecordChoices(kinds, recipients, purposes, note_limit)


@lru_cache(maxsize=1)
def default_section() -> dict:
    return yaml.safe_load(DEFAULTS_FILE.read_text(encoding="utf-8"))["record"]
