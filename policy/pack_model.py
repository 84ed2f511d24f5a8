"""The policy pack's model: the flowchart's questions, answers and outcomes as frozen dataclasses."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .record_choices import RecordChoices
from .yamlfile import DataFileError

PACKS_DIR = Path(__file__).parent / "packs"

ANSWERS = ("yes", "no", "not_sure")
ANSWER_LABELS = {"yes": "Yes", "no": "No", "not_sure": "Not sure"}
# How an outcome escalates to the practitioner's safeguarding lead, declared by the pack:
# none (no one is told), routine (the lead is pinged), urgent (lead and deputies, marked urgent).
ESCALATIONS = ("none", "routine", "urgent")


def answer_key(value: object) -> str:
    """An answer as written in a pack or scenario file: YAML 1.1 reads a bare yes/no as a
    boolean, and an author should not have to know that."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


class PackError(DataFileError, kind="policy pack", named="pack"):
    """A policy pack that must not be used; the message says what to fix."""


@dataclass(frozen=True)
class Citation:
    document: str
    section: str

    def __str__(self) -> str:
        return f"{self.document}, {self.section}"


@dataclass(frozen=True)
class Answer:
    answer: str  # yes / no / not_sure
    to: str  # a node id or an outcome id
    ground: str | None = None  # why sharing without consent is allowed, when it leads there
    label: str | None = None


@dataclass(frozen=True)
class Node:
    id: str
    question: str
    why: str
    cite: Citation
    answers: dict[str, Answer]
    help: str | None = None

    def answer_label(self, answer: str) -> str:
        return self.answers[answer].label or ANSWER_LABELS[answer]


@dataclass(frozen=True)
class Outcome:
    id: str
    title: str
    summary: str
    advice: tuple[str, ...]
    cite: Citation | None
    grounds: dict[str, str] = field(default_factory=dict)
    procedure: int | None = None  # the procedure flowchart to show with this outcome
    referral_grounds: tuple[str, ...] = ()  # grounds on which to offer "I am making a referral"
    escalate: str = "none"  # one of ESCALATIONS: declared by the pack, never decided by the bot

    @property
    def escalates(self) -> bool:
        return self.escalate != "none"

    @property
    def urgent(self) -> bool:
        return self.escalate == "urgent"


@dataclass(frozen=True)
class Pack:
    id: str
    version: int
    title: str
    source: str
    start: str
    nodes: dict[str, Node]
    outcomes: dict[str, Outcome]
    record: RecordChoices | None = None  # the record modal's lists (policy/record_choices.py)

    @property
    def ref(self) -> str:
        """How records name the pack: `<id>@<version>`."""
        return f"{self.id}@{self.version}"

    def is_outcome(self, name: str) -> bool:
        return name in self.outcomes

    def paths(self) -> list[list[tuple[str, str]]]:
        """Every route from the start to an outcome, as (node, answer) pairs."""
        found: list[list[tuple[str, str]]] = []

        def walk(node_id: str, so_far: list[tuple[str, str]]) -> None:
            for answer in self.nodes[node_id].answers.values():
                step = so_far + [(node_id, answer.answer)]
                if answer.to in self.outcomes:
                    found.append(step)
                else:
                    walk(answer.to, step)

        walk(self.start, [])
        return found

    def outcome_of(self, path: list[tuple[str, str]]) -> str:
        node_id = self.start
        for expected_node, answer in path:
            if expected_node != node_id:
                raise ValueError(f"path visits {expected_node!r} where the graph is at {node_id!r}")
            node_id = self.nodes[node_id].answers[answer].to
        if node_id not in self.outcomes:
            raise ValueError(f"path stops at question {node_id!r}, not at an outcome")
        return node_id
