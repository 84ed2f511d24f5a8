"""The conversation machine: refuses answers that do not apply, goes back exactly, and is one
shared `transitions.Machine` per pack that never keeps a conversation."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest

from conversation.flow import AlreadyAnswered, AnswerRefused, Finished, Flow, NotOffered, flow_for, flow_for_ref
from policy import ANSWERS
from policy.pack import load_pack_file

TINY_FILE = Path(__file__).resolve().parents[1] / "data" / "packs" / "tiny.yaml"

# The longest route: every question, ending at serious_crime.
LONGEST = [("danger", "no"), ("purpose", "yes"), ("identifiable", "yes"), ("confidential", "yes"),
           ("consent", "no"), ("legal_duty", "no"), ("significant_harm", "no"), ("serious_crime", "yes")]


class Convo:
    def __init__(self) -> None:
        self.state: str | None = None
        self.path: list[dict[str, str]] = []


@pytest.fixture
def flow() -> Flow:
    return flow_for("hmg-2008")


def started(flow: Flow) -> Convo:
    convo = Convo()
    flow.start(convo)
    return convo


def walk(flow: Flow, convo: Convo, steps) -> None:
    for node, answer in steps:
        flow.answer(convo, node, answer)


def snapshot(convo: Convo):
    return convo.state, copy.deepcopy(convo.path)


# --- refusals -----------------------------------------------------------------------------

@pytest.mark.parametrize("answer", ["maybe", "", "YES", "Yes", "to_purpose", "to_urgent", "share", "trigger"])
def test_answer_not_offered_is_refused_and_changes_nothing(flow, answer):
    convo = started(flow)
    walk(flow, convo, LONGEST[:2])
    before = snapshot(convo)
    with pytest.raises(NotOffered):
        flow.answer(convo, "identifiable", answer)
    assert snapshot(convo) == before


def test_question_not_in_the_pack_is_refused(flow):
    convo = started(flow)
    before = snapshot(convo)
    with pytest.raises(NotOffered):
        flow.answer(convo, "no_such_question", "yes")
    assert snapshot(convo) == before


def test_answering_an_earlier_question_again_is_refused_with_the_previous_answer(flow):
    convo = started(flow)
    walk(flow, convo, LONGEST[:3])
    before = snapshot(convo)
    for (node, previous) in LONGEST[:3]:
        for answer in ANSWERS:
            with pytest.raises(AlreadyAnswered) as info:
                flow.answer(convo, node, answer)
            assert info.value.node == node
            assert info.value.previous == previous
            assert snapshot(convo) == before


def test_answering_a_question_not_yet_asked_is_refused(flow):
    convo = started(flow)
    walk(flow, convo, LONGEST[:1])
    before = snapshot(convo)
    with pytest.raises(AnswerRefused) as info:
        flow.answer(convo, "consent", "yes")
    assert getattr(info.value, "previous", None) is None
    assert snapshot(convo) == before


@pytest.mark.parametrize("steps, outcome", [
    ([("danger", "yes")], "urgent"),
    ([("danger", "not_sure")], "urgent"),  # unsure about danger is urgent (DESIGN.md)
    ([("danger", "no"), ("purpose", "not_sure")], "seek_advice"),
    (LONGEST, "share_without_consent"),
])
def test_no_answer_is_taken_after_an_outcome(flow, steps, outcome):
    convo = started(flow)
    walk(flow, convo, steps)
    assert convo.state == outcome
    before = snapshot(convo)
    # The outcome itself is not a question.
    for answer in ANSWERS:
        with pytest.raises(Finished):
            flow.answer(convo, outcome, answer)
    # The last question again, and any other question.
    last_node, last_answer = steps[-1]
    with pytest.raises(AlreadyAnswered) as info:
        flow.answer(convo, last_node, "no")
    assert info.value.previous == last_answer
    for node in flow.pack.nodes:
        for answer in ANSWERS:
            with pytest.raises(AnswerRefused):
                flow.answer(convo, node, answer)
    assert snapshot(convo) == before


def test_refusals_are_answer_refused():
    assert issubclass(NotOffered, AnswerRefused)
    assert issubclass(AlreadyAnswered, AnswerRefused)
    assert issubclass(Finished, AnswerRefused)


# --- going back ---------------------------------------------------------------------------

def test_back_undoes_each_answer_in_turn(flow):
    convo = started(flow)
    history = []
    for node, answer in LONGEST:
        history.append(snapshot(convo))
        flow.answer(convo, node, answer)
    assert convo.state == "share_without_consent"
    for node, _ in reversed(LONGEST):
        asked_again = flow.back(convo)
        assert asked_again is not None and asked_again.id == node
        assert snapshot(convo) == history.pop()
    assert snapshot(convo) == ("danger", [])
    # At the start there is nothing to take back, and nothing changes.
    assert flow.back(convo) is None
    assert snapshot(convo) == ("danger", [])


def test_back_from_an_outcome_then_a_different_answer(flow):
    convo = started(flow)
    walk(flow, convo, LONGEST)
    assert flow.ground(convo) == "serious_crime"
    flow.back(convo)
    assert convo.state == "serious_crime" and flow.outcome(convo) is None and flow.ground(convo) is None
    flow.answer(convo, "serious_crime", "no")
    assert convo.state == "do_not_share"
    assert convo.path[-1] == {"node": "serious_crime", "answer": "no"}
    assert len(convo.path) == len(LONGEST)


@pytest.mark.parametrize("index", range(len(LONGEST)))
def test_back_to_restores_the_state_and_path_before_that_question(flow, index):
    convo = started(flow)
    history = []
    for node, answer in LONGEST:
        history.append(snapshot(convo))
        flow.answer(convo, node, answer)
    node = LONGEST[index][0]
    asked_again = flow.back_to(convo, node)
    assert asked_again.id == node
    assert snapshot(convo) == history[index]
    assert convo.state == node
    assert convo.path == [{"node": n, "answer": a} for n, a in LONGEST[:index]]
    # The question can now be answered again, differently.
    flow.answer(convo, node, "not_sure")
    assert convo.state == ("urgent" if node == "danger" else "seek_advice")
    assert flow.unsure_at(convo) == node


def test_back_to_a_question_not_answered_is_refused(flow):
    convo = started(flow)
    walk(flow, convo, LONGEST[:3])
    before = snapshot(convo)
    for node in ("confidential", "serious_crime", "no_such_question", "share"):
        with pytest.raises(NotOffered):
            flow.back_to(convo, node)
        assert snapshot(convo) == before


def test_path_lists_are_replaced_not_mutated(flow):
    """The row's JSON column only sees a change if the list is a new object."""
    convo = started(flow)
    first = convo.path
    flow.answer(convo, "danger", "no")
    assert first == [] and convo.path is not first
    second = convo.path
    flow.answer(convo, "purpose", "yes")
    assert second == [{"node": "danger", "answer": "no"}] and convo.path is not second
    third = convo.path
    flow.back(convo)
    assert len(third) == 2 and convo.path is not third
    fourth = convo.path
    flow.back_to(convo, "danger")
    assert len(fourth) == 1 and convo.path == []


def test_start_resets_a_finished_conversation(flow):
    convo = started(flow)
    walk(flow, convo, LONGEST)
    flow.start(convo)
    assert snapshot(convo) == ("danger", [])


# --- one machine, no conversations kept ---------------------------------------------------

def test_two_conversations_share_one_machine_and_stay_apart(flow):
    a, b = started(flow), started(flow)
    flow.answer(a, "danger", "no")
    flow.answer(b, "danger", "not_sure")
    flow.answer(a, "purpose", "yes")
    assert a.state == "identifiable" and b.state == "urgent"
    assert a.path == [{"node": "danger", "answer": "no"}, {"node": "purpose", "answer": "yes"}]
    assert b.path == [{"node": "danger", "answer": "not_sure"}]
    # b is finished but a is not: a still takes its answer, b still refuses.
    with pytest.raises(AnswerRefused):
        flow.answer(b, "identifiable", "yes")
    flow.answer(a, "identifiable", "no")
    assert a.state == "share" and b.state == "urgent"
    flow.back(a)
    assert a.state == "identifiable" and b.state == "urgent"
    assert flow.machine.models == []


def test_thousand_conversations_add_nothing_to_the_machine(flow):
    machine = flow.machine
    assert len(machine.models) == 0
    events, states = set(machine.events), set(machine.states)
    routes = flow.pack.paths()
    convos = []
    for i in range(1000):
        convo = started(flow)
        walk(flow, convo, routes[i % len(routes)])
        if i % 3 == 0:
            flow.back(convo)
        convos.append(convo)
    assert len(flow.machine.models) == 0
    assert set(machine.events) == events and set(machine.states) == states
    assert flow.machine is machine
    # And the conversations really moved.
    assert {c.state for c in convos} >= {"share", "share_without_consent", "do_not_share", "seek_advice", "urgent"}


def test_flow_for_returns_the_same_flow_for_the_same_pack():
    first = flow_for("hmg-2008")
    assert flow_for("hmg-2008") is first
    assert flow_for("hmg-2008").machine is first.machine
    assert flow_for_ref("hmg-2008@1") is first
    assert flow_for_ref("hmg-2008") is first


def test_flow_for_ref_refuses_another_version():
    with pytest.raises(LookupError):
        flow_for_ref("hmg-2008@9")  # a version this process does not have


def test_a_different_pack_needs_no_code_change():
    flow = Flow(load_pack_file(TINY_FILE))
    convo = Convo()
    flow.start(convo)
    assert convo.state == "ask"
    flow.answer(convo, "ask", "no")
    step = flow.answer(convo, "check", "yes")
    assert step.outcome is not None and step.outcome.id == "share_without_consent"
    assert flow.ground(convo) == "rule"
    assert flow.machine.models == []
    assert flow is not flow_for("hmg-2008")
