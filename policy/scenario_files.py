"""Scenario files (policy/scenarios/<pack id>.yaml): the scenarios' model, and reading and
checking the files; running them against a pack is policy.scenarios."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .pack import ANSWERS, OUTCOMES, Citation
from .pack_model import answer_key
from .yamlfile import DataFileError, read_yaml

SCENARIOS_DIR = Path(__file__).parent / "scenarios"

Path_ = list[tuple[str, str]]  # a route through a pack: (node, answer) pairs


class ScenarioError(DataFileError, kind="scenario file", named="source"):
    """A scenario file that cannot be read; the message says what to fix."""


@dataclass(frozen=True)
class Scenario:
    pack: str  # the pack id the scenario was written for
    name: str
    situation: str
    answers: tuple[tuple[str, str], ...]  # (node, answer) in the order answered
    outcome: str  # expected outcome
    ground: str | None = None  # expected ground, for share_without_consent
    cite: Citation | None = None  # the guidance section the expected outcome rests on

    @property
    def path(self) -> Path_:
        return list(self.answers)


@dataclass(frozen=True)
class Mismatch:
    """A scenario the pack does not decide as the scenario expects."""

    scenario: Scenario
    problem: str

    def __str__(self) -> str:
        return f'scenario "{self.scenario.name}": {self.problem}'


def parse_scenarios(raw: Any, source: str = "<scenarios>", pack_id: str | None = None) -> list[Scenario]:
    """Scenarios from parsed YAML, collecting every format problem before refusing them."""
    problems: list[str] = []
    if not isinstance(raw, dict) or not isinstance(raw.get("scenarios"), list):
        raise ScenarioError(source, ["the file must be a mapping with 'pack' and a list under 'scenarios'"])
    file_pack = str(raw.get("pack") or "")
    if not file_pack:
        problems.append("missing top-level key 'pack' (the pack id these scenarios are for)")
    elif pack_id is not None and file_pack != pack_id:
        problems.append(f"the file is for pack {file_pack!r}, not {pack_id!r}")
    found: list[Scenario] = []
    names: set[str] = set()
    for index, body in enumerate(raw["scenarios"], start=1):
        if not isinstance(body, dict):
            problems.append(f"scenario {index} is not a mapping")
            continue
        name = str(body.get("name") or "").strip()
        label = f'scenario {index} ("{name}")' if name else f"scenario {index}"
        if not name:
            problems.append(f"{label} has no name")
        elif name in names:
            problems.append(f"{label}: the name is used twice")
        names.add(name)
        steps: list[tuple[str, str]] = []
        raw_answers = body.get("answers")
        if not isinstance(raw_answers, list) or not raw_answers:
            problems.append(f"{label} has no answers (a list of {{node: ..., answer: ...}})")
            raw_answers = []
        for step in raw_answers:
            if not isinstance(step, dict) or "node" not in step or "answer" not in step:
                problems.append(f"{label}: each answer needs a node and an answer, not {step!r}")
                continue
            answer = answer_key(step["answer"])
            if answer not in ANSWERS:
                problems.append(f"{label}: answer {answer!r} at {step['node']!r}; answers are yes, no and not_sure")
                continue
            steps.append((str(step["node"]), answer))
        expect = body.get("expect")
        outcome, ground = "", None
        if isinstance(expect, dict):
            outcome = str(expect.get("outcome") or "")
            ground = str(expect["ground"]) if expect.get("ground") else None
        if outcome not in OUTCOMES:
            problems.append(f"{label}: expect.outcome must be one of {', '.join(OUTCOMES)}, not {outcome or None!r}")
        cite = None
        if body.get("cite") is not None:
            raw_cite = body["cite"]
            if isinstance(raw_cite, dict) and str(raw_cite.get("document") or "").strip() and str(raw_cite.get("section") or "").strip():
                cite = Citation(str(raw_cite["document"]).strip(), str(raw_cite["section"]).strip())
            else:
                problems.append(f"{label}: cite needs a document and a section (cite: {{document: ..., section: ...}})")
        found.append(Scenario(
            pack=file_pack,
            name=name,
            situation=str(body.get("situation") or "").strip(),
            answers=tuple(steps),
            outcome=outcome,
            ground=ground,
            cite=cite,
        ))
    if problems:
        raise ScenarioError(source, problems)
    return found


def load_scenario_file(path: str | Path, pack_id: str | None = None) -> list[Scenario]:
    raw, _name = read_yaml(path, ScenarioError)  # the pack loader's reader
    return parse_scenarios(raw, str(path), pack_id)


def scenario_file(pack_id: str, source: str | Path | None = None) -> Path:
    """Where the scenarios for `pack_id` live: `source` if it is a file, else `<source or
    policy/scenarios>/<pack_id>.yaml`."""
    if source is not None:
        source = Path(source)
        if source.is_file() or source.suffix in (".yaml", ".yml"):
            return source
        return source / f"{pack_id}.yaml"
    return SCENARIOS_DIR / f"{pack_id}.yaml"


def has_scenarios(pack_id: str, source: str | Path | None = None) -> bool:
    return scenario_file(pack_id, source).is_file()


def load_scenarios(pack_id: str, source: str | Path | None = None) -> list[Scenario]:
    """The scenarios written for a pack (none if there is no scenario file for it).

    `source` is a scenario file, or a directory holding `<pack id>.yaml`; by default the
    shipped directory policy/scenarios/.
    """
    path = scenario_file(pack_id, source)
    if not path.is_file():
        if source is not None and Path(source).suffix in (".yaml", ".yml"):
            raise ScenarioError(str(path), [f"no such file: {path}"])
        return []
    return load_scenario_file(path, pack_id)


def default_scenario_source(pack_name: str) -> Path | None:
    """Where `canishare policy check` looks for a pack's scenarios when not told.

    A shipped pack named by id: policy/scenarios/. A pack given as a file
    (…/packs/<file>.yaml): the `scenarios` folder beside its `packs` folder, the same
    layout as the shipped packs, so a local copy of both folders checks the same way.
    """
    if pack_name.endswith((".yaml", ".yml")) or "/" in pack_name:
        return Path(pack_name).resolve().parent.parent / "scenarios"
    return None
