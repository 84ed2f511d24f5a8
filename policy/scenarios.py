"""Scenarios: named real-world situations, as data, that a pack must decide as expected.

A scenario file (policy/scenarios/<pack id>.yaml) lists situations with the answer given
at each question and the outcome (and, for share_without_consent, the ground) the pack
must reach. Scenarios are evaluated on the pack's graph alone (`Pack.outcome_of` and the
ground named by the last answer), so this module stays pure data like the rest of
`policy/`; tests drive the same scenarios through the conversation machine as well.

Imports nothing of ours outside `policy`.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .pack import ANSWERS, OUTCOMES, Citation, Pack, load_pack
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


def _answer(value: Any) -> str:
    # YAML 1.1 reads a bare yes/no as a boolean; accept it as the pack loader does.
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


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
            answer = _answer(step["answer"])
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


def _ground_of(pack: Pack, path: Path_) -> str | None:
    node, answer = path[-1]
    return pack.nodes[node].answers[answer].ground


def run_scenario(scenario: Scenario, pack: Pack | None = None) -> tuple[str, str | None]:
    """Where the pack's graph takes the scenario's answers: (outcome, ground).

    Raises ValueError when the answers do not follow the graph (a question asked out of
    turn, an answer a question does not offer, or answers that stop short of an outcome).
    """
    pack = pack or load_pack(scenario.pack)
    path = scenario.path
    if not path:
        raise ValueError("the scenario gives no answers")
    for node, answer in path:
        if node not in pack.nodes:
            raise ValueError(f"{node!r} is not a question in {pack.ref}")
        if answer not in pack.nodes[node].answers:
            raise ValueError(f"question {node!r} does not offer {answer!r}")
    outcome = pack.outcome_of(path)  # raises when a question is answered out of turn
    ground = _ground_of(pack, path) if outcome == "share_without_consent" else None
    return outcome, ground


def _describe(outcome: str, ground: str | None) -> str:
    return f"{outcome} (ground {ground})" if ground else outcome


def check_scenarios(pack: Pack, scenarios: list[Scenario]) -> list[Mismatch]:
    """Every scenario the pack decides differently from what it expects, or cannot follow."""
    mismatches: list[Mismatch] = []
    for scenario in scenarios:
        try:
            outcome, ground = run_scenario(scenario, pack)
        except (ValueError, KeyError) as err:
            mismatches.append(Mismatch(scenario, f"its answers do not follow {pack.ref}: {err}"))
            continue
        if (outcome, ground) != (scenario.outcome, scenario.ground):
            mismatches.append(Mismatch(
                scenario,
                f"expected {_describe(scenario.outcome, scenario.ground)}, "
                f"but {pack.ref} gives {_describe(outcome, ground)}",
            ))
    return mismatches


def covered_paths(pack: Pack, scenarios: list[Scenario]) -> list[Path_]:
    """The pack's paths that at least one scenario follows exactly."""
    walked = {tuple(s.answers) for s in scenarios}
    return [p for p in pack.paths() if tuple(p) in walked]


def uncovered_paths(pack: Pack, scenarios: list[Scenario] | None = None) -> list[Path_]:
    """The paths of the pack's graph (Pack.paths()) that no scenario exercises.

    Without `scenarios`, the shipped scenarios for the pack's id are used.
    """
    if scenarios is None:
        scenarios = load_scenarios(pack.id)
    walked = {tuple(s.answers) for s in scenarios}
    return [p for p in pack.paths() if tuple(p) not in walked]


def format_path(path: Path_, pack: Pack | None = None) -> str:
    """A path as readable text: "danger=no → purpose=yes → identifiable=not_sure",
    followed by the outcome when the pack is given."""
    text = " → ".join(f"{node}={answer}" for node, answer in path)
    if pack is not None:
        try:
            outcome = pack.outcome_of(path)
        except (ValueError, KeyError):
            return text
        ground = _ground_of(pack, path) if outcome == "share_without_consent" else None
        text += f" ⇒ {_describe(outcome, ground)}"
    return text


def default_scenario_source(pack_name: str) -> Path | None:
    """Where `canishare policy check` looks for a pack's scenarios when not told.

    A shipped pack named by id: policy/scenarios/. A pack given as a file
    (…/packs/<file>.yaml): the `scenarios` folder beside its `packs` folder, the same
    layout as the shipped packs, so a local copy of both folders checks the same way.
    """
    if pack_name.endswith((".yaml", ".yml")) or "/" in pack_name:
        return Path(pack_name).resolve().parent.parent / "scenarios"
    return None


@dataclass(frozen=True)
class Coverage:
    """How a pack's scenarios exercise it: what `canishare policy check` reports."""

    pack: Pack
    scenarios: tuple[Scenario, ...]
    paths: tuple[tuple[tuple[str, str], ...], ...]
    uncovered: tuple[tuple[tuple[str, str], ...], ...]
    mismatches: tuple[Mismatch, ...]

    @property
    def ok(self) -> bool:
        """No scenario disagrees with the graph (uncovered paths are reported, not failed)."""
        return not self.mismatches

    def lines(self) -> list[str]:
        ref = self.pack.ref
        if not self.scenarios:
            return [f"{ref}: no scenarios to run (write scenarios/{self.pack.id}.yaml, or pass --scenarios)"]
        total = len(self.paths)
        covered = total - len(self.uncovered)
        percent = round(100 * covered / total) if total else 100
        count = f"{len(self.scenarios)} scenario{'s' if len(self.scenarios) != 1 else ''}"
        head = f"{ref}: {count} exercise {covered} of {total} paths ({percent}%)"
        out = [head + ("; not exercised:" if self.uncovered else "")]
        out += [f"  - {format_path(list(p), self.pack)}" for p in self.uncovered]
        if self.mismatches:
            n = len(self.mismatches)
            out.append(f"{ref}: {n} scenario{'s disagree' if n != 1 else ' disagrees'} with the graph:")
            out += [f"  - {m}" for m in self.mismatches]
        else:
            out.append(f"{ref}: every scenario reaches its expected outcome")
        return out


def coverage(pack: Pack, source: str | Path | None = None) -> Coverage:
    """Run the pack's scenarios (from `source`, see load_scenarios) and measure path coverage."""
    scenarios = load_scenarios(pack.id, source)
    return Coverage(
        pack=pack,
        scenarios=tuple(scenarios),
        paths=tuple(tuple(p) for p in pack.paths()),
        uncovered=tuple(tuple(p) for p in uncovered_paths(pack, scenarios)),
        mismatches=tuple(check_scenarios(pack, scenarios)),
    )


__all__ = [
    "Coverage", "Mismatch", "SCENARIOS_DIR", "Scenario", "ScenarioError", "check_scenarios",
    "coverage", "covered_paths", "default_scenario_source", "format_path", "has_scenarios", "load_scenario_file", "load_scenarios",
    "parse_scenarios", "run_scenario", "scenario_file", "uncovered_paths",
]
