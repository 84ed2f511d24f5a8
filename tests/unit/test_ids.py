"""bot/ids.py: every value kind survives a round trip in the wire form stored messages carry,
and anything else is refused as BadValue."""
from __future__ import annotations

import json

import pytest

from bot.ids import (Action, BadValue, BlockId, Callback, ChangeTo, LeadAdvice, ProcedureChoice, QuestionRef, RecordForm,
                     Ref)

CONVO = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize("value, wire", [
    (QuestionRef(CONVO, "danger"), f"{CONVO}:danger"),
    (ChangeTo(CONVO, "purpose", "do_not_share"), f"{CONVO}:purpose@do_not_share"),
    (LeadAdvice("e" * 32, "share_without_consent"), f"{'e' * 32}:share_without_consent"),
    (ProcedureChoice(3), "3"),
    (Ref("r" * 32), "r" * 32),
    (RecordForm(CONVO, "D0PRACT1", "1700000000.000100"), json.dumps({"c": CONVO, "ch": "D0PRACT1", "ts": "1700000000.000100"})),
    (RecordForm(CONVO), json.dumps({"c": CONVO, "ch": None, "ts": None})),
])
def test_round_trip_in_the_wire_form(value, wire):
    assert value.encode() == wire
    assert type(value).decode(wire) == value


@pytest.mark.parametrize("kind, value", [
    (QuestionRef, ""), (QuestionRef, "no-colon"), (QuestionRef, ":danger"), (QuestionRef, f"{CONVO}:"), (QuestionRef, None),
    (QuestionRef, 5), (ChangeTo, f"{CONVO}:purpose"), (ChangeTo, f"{CONVO}:@x"), (ChangeTo, f"{CONVO}:purpose@"),
    (ChangeTo, "x"), (LeadAdvice, "esc-only"), (LeadAdvice, ":share"), (LeadAdvice, ["a", "b"]),
    (ProcedureChoice, "one"), (ProcedureChoice, ""), (ProcedureChoice, None), (Ref, None), (Ref, {"id": "x"}),
    (RecordForm, "not json"), (RecordForm, "[1, 2]"), (RecordForm, "5"), (RecordForm, None),
])
def test_malformed_values_are_refused(kind, value):
    with pytest.raises(BadValue):
        kind.decode(value)


def test_record_form_keeps_only_string_places():
    form = RecordForm.decode(json.dumps({"c": 7, "ch": 5, "ts": ["x"]}))
    assert form == RecordForm("7", None, None)


def test_ids_keep_their_wire_values():
    assert [Action.answer(a) for a in ("yes", "no", "not_sure")] == ["answer_yes", "answer_no", "answer_not_sure"]
    assert Action.answer_of("answer_not_sure") == "not_sure"
    assert Action.PICK_TEAM.nth(2) == "pick_team_2" and Action.PICK_TEAM.numbered().match("pick_team_2")
    assert not Action.FOLLOWUP_DONE.numbered().match("followup_done_x")
    assert Action.ESC_CLAIM == "esc_claim" and f"{Action.ESC_CLAIM}" == "esc_claim"
    assert Callback.RECORD == "record_decision" and BlockId.STEP.of("check_decision") == "step_check_decision"
    assert json.dumps({"action_id": Action.ESC_RESOLVE}) == '{"action_id": "esc_resolve"}'
