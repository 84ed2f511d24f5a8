"""Tests as data (OpenFisca style): tests/data/hmg-2008-expected.yaml lists, by hand from
DESIGN.md, every route through the hmg-2008 flowchart and where it must end.

The pack must yield exactly those routes, and the conversation machine, driven answer by
answer over a plain object, must end each one at the expected outcome and ground.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conversation.flow import flow_for
from policy import ANSWERS, OUTCOMES, load_pack

TABLE_FILE = Path(__file__).resolve().parents[1] / "data" / "hmg-2008-expected.yaml"
TABLE = yaml.safe_load(TABLE_FILE.read_text(encoding="utf-8"))
CASES = TABLE["paths"]
GROUNDS = {"legal_duty", "significant_harm", "serious_crime"}


class Convo:
    """What the machine needs of a conversation: a state and a path. Nothing else."""

    def __init__(self) -> None:
        self.state: str | None = None
        self.path: list[dict[str, str]] = []


def as_key(path) -> tuple[tuple[str, str], ...]:
    return tuple((step["node"], step["answer"]) if isinstance(step, dict) else tuple(step) for step in path)


def test_table_is_well_formed():
    assert TABLE["pack"] == "hmg-2008"
    assert len(CASES) == 17
    names = [case["name"] for case in CASES]
    assert len(set(names)) == len(names), "case names must be unique"
    keys = [as_key(case["path"]) for case in CASES]
    assert len(set(keys)) == len(keys), "the same path is listed twice"
    for case in CASES:
        for step in case["path"]:
            assert set(step) == {"node", "answer"}, case["name"]
            # A bare yes/no in the table would be a YAML boolean, not an answer.
            assert isinstance(step["answer"], str) and step["answer"] in ANSWERS, case["name"]
        assert case["outcome"] in OUTCOMES, case["name"]
        if case["outcome"] == "share_without_consent":
            assert case.get("ground") in GROUNDS, case["name"]
            # The ground is the node whose Yes led there.
            assert case["path"][-1] == {"node": case["ground"], "answer": "yes"}, case["name"]
        else:
            assert "ground" not in case, case["name"]
        # DESIGN.md: Not sure at any question ends in seek_advice, except at danger: urgent.
        last = case["path"][-1]
        if last["answer"] == "not_sure":
            expected = "urgent" if last["node"] == "danger" else "seek_advice"
            assert case["outcome"] == expected, case["name"]
        else:
            assert case["outcome"] != "seek_advice", case["name"]


def test_generated_paths_equal_the_table_exactly():
    pack = load_pack(TABLE["pack"])
    generated = [as_key(p) for p in pack.paths()]
    assert len(generated) == len(set(generated)), "Pack.paths() yields a path twice"
    expected = {as_key(case["path"]) for case in CASES}
    assert set(generated) - expected == set(), "paths in the pack but not in the table"
    assert expected - set(generated) == set(), "paths in the table but not in the pack"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_pack_outcome_of_path(case):
    pack = load_pack(TABLE["pack"])
    assert pack.outcome_of(list(as_key(case["path"]))) == case["outcome"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_flow_walks_path_to_expected_outcome(case):
    flow = flow_for(TABLE["pack"])
    convo = Convo()
    flow.start(convo)
    assert convo.state == flow.pack.start == "danger"
    assert convo.path == []
    steps = case["path"]
    for i, step in enumerate(steps):
        assert convo.state == step["node"], f"step {i}: machine is at {convo.state!r}"
        assert flow.outcome(convo) is None
        assert flow.question(convo).id == step["node"]
        assert sorted(flow.allowed_answers(convo)) == sorted(ANSWERS)
        result = flow.answer(convo, step["node"], step["answer"])
        assert result.answered.id == step["node"] and result.answer == step["answer"]
        assert result.now_at == convo.state
        is_last = i == len(steps) - 1
        assert (result.outcome is not None) == is_last, f"step {i}: outcome reached too early or not at all"
    assert convo.state == case["outcome"]
    assert flow.outcome(convo).id == case["outcome"]
    assert flow.question(convo) is None
    assert flow.allowed_answers(convo) == []
    assert convo.path == steps
    assert flow.ground(convo) == case.get("ground")
    unsure = [s["node"] for s in steps if s["answer"] == "not_sure"]
    assert flow.unsure_at(convo) == (unsure[0] if unsure else None)
    assert [(n.id, a) for n, a in flow.reasons(convo)] == list(as_key(steps))
