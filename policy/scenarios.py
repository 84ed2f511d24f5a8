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

from .pack import Pack, load_pack
from .scenario_files import (  # noqa: F401  (importable from here as before)
    SCENARIOS_DIR,
    Mismatch,
    Path_,
    Scenario,
    ScenarioError,
    default_scenario_source,
    has_scenarios,
    load_scenario_file,
    load_scenarios,
    parse_scenarios,
    scenario_file,
)


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
