"""What every shipped pack must say, and how readably, held against the guidance:

- escalation is declared by the pack (escalate: none / routine / urgent) and the validator
  refuses a pack that leaves it out or contradicts what the outcome promises;
- every question reads at Flesch-Kincaid grade 9 or below, every outcome summary at grade 8
  or below (textstat), over every shipped pack;
- the seed's communication tips are on every share outcome; protecting the identity of
  whoever raised the concern; all five proportionality questions on seek_advice;
- hmg-2008 says it is the 2008 guidance and that hmg-2024 is current.
"""
from __future__ import annotations

import copy

import pytest
import textstat
import yaml

from policy import ESCALATIONS, PackError, load_pack, parse_pack
from policy.pack import PACKS_DIR, available_packs

SHIPPED = available_packs()
QUESTION_GRADE = 9
SUMMARY_GRADE = 8


def raw_of(pack_id: str) -> dict:
    return yaml.safe_load((PACKS_DIR / f"{pack_id}.yaml").read_text(encoding="utf-8"))


# --- escalation is data -------------------------------------------------------------------

@pytest.mark.parametrize("pack_id", SHIPPED)
def test_every_outcome_declares_its_escalation(pack_id):
    raw = raw_of(pack_id)
    for oid, body in raw["outcomes"].items():
        assert body.get("escalate") in ESCALATIONS, oid
    pack = load_pack(pack_id)
    assert pack.outcomes["urgent"].urgent and pack.outcomes["urgent"].escalates
    assert pack.outcomes["seek_advice"].escalates and not pack.outcomes["seek_advice"].urgent
    assert not pack.outcomes["share"].escalates


@pytest.mark.parametrize("value", [None, "", "maybe", "URGENT", True])
def test_a_missing_or_unknown_escalation_is_refused(value):
    raw = raw_of("hmg-2024")
    if value is None:
        del raw["outcomes"]["share"]["escalate"]
    else:
        raw["outcomes"]["share"]["escalate"] = value
    with pytest.raises(PackError) as info:
        parse_pack(raw, "broken")
    assert any("'share'" in p and "escalate" in p for p in info.value.problems), info.value.problems


@pytest.mark.parametrize("outcome, value", [("urgent", "routine"), ("urgent", "none"), ("seek_advice", "none")])
def test_an_escalation_that_contradicts_the_outcome_is_refused(outcome, value):
    raw = raw_of("hmg-2008")
    raw["outcomes"][outcome]["escalate"] = value
    with pytest.raises(PackError) as info:
        parse_pack(raw, "broken")
    assert any(repr(outcome) in p and "lead is told" in p for p in info.value.problems), info.value.problems


def test_a_pack_may_escalate_another_outcome():
    raw = raw_of("hmg-2024")
    raw["outcomes"]["share_without_consent"]["escalate"] = "routine"
    pack = parse_pack(copy.deepcopy(raw), "local")
    assert pack.outcomes["share_without_consent"].escalates
    assert not pack.outcomes["share_without_consent"].urgent


# --- readability --------------------------------------------------------------------------

def _grades(pack_id):
    pack = load_pack(pack_id)
    questions = {n.id: textstat.flesch_kincaid_grade(n.question) for n in pack.nodes.values()}
    summaries = {o.id: textstat.flesch_kincaid_grade(o.summary) for o in pack.outcomes.values()}
    return questions, summaries


def test_the_measure_can_fail():
    """The threshold is not vacuous: the 2008-style long question would fail it."""
    long_question = ("Is a child suffering, or at risk of, significant harm, including where asking for consent "
                     "would itself make things worse?")
    assert textstat.flesch_kincaid_grade(long_question) > QUESTION_GRADE


@pytest.mark.parametrize("pack_id", SHIPPED)
def test_every_question_and_summary_is_readable(pack_id):
    questions, summaries = _grades(pack_id)
    too_hard = {k: v for k, v in questions.items() if v > QUESTION_GRADE}
    assert not too_hard, f"questions above grade {QUESTION_GRADE}: {too_hard}"
    too_hard = {k: v for k, v in summaries.items() if v > SUMMARY_GRADE}
    assert not too_hard, f"outcome summaries above grade {SUMMARY_GRADE}: {too_hard}"


# --- content the guidance gives -----------------------------------------------------------

COMMUNICATION_TIPS = ("check you are being listened to", "terms or abbreviations", "cannot be misread",
                      "check you have understood", "apart from what you infer")
PROPORTIONALITY = ("How much at risk is the child", "Could the harm happen soon", "How much safer would the child be",
                   "harm your work with them", "could it wait until the family agree")


@pytest.mark.parametrize("pack_id", SHIPPED)
def test_share_outcomes_carry_the_communication_tips_and_protect_identities(pack_id):
    pack = load_pack(pack_id)
    for oid in ("share", "share_without_consent"):
        advice = " ".join(pack.outcomes[oid].advice)
        for tip in COMMUNICATION_TIPS:
            assert tip in advice, (oid, tip)
        assert "identity of" in advice and "raised the concern" in advice, oid


@pytest.mark.parametrize("pack_id", SHIPPED)
def test_seek_advice_asks_all_five_proportionality_questions(pack_id):
    advice = " ".join(load_pack(pack_id).outcomes["seek_advice"].advice)
    for question in PROPORTIONALITY:
        assert question in advice, question
    assert "999" in advice


@pytest.mark.parametrize("pack_id", SHIPPED)
def test_fraser_is_not_used_as_the_general_test(pack_id):
    pack = load_pack(pack_id)
    for node in pack.nodes.values():
        text = f"{node.question} {node.help or ''} {node.why}"
        assert "Fraser/Gillick" not in text, node.id
        if "Fraser" in text:
            assert "contraception" in text and "Gillick" in text, node.id


def test_hmg_2008_says_it_is_replaced_and_hmg_2024_is_current():
    pack = load_pack("hmg-2008")
    assert "2008" in pack.title and "hmg-2024 is current" in pack.title
    assert "hmg-2024" in pack.source and "replaced" in pack.source.lower()
    assert "hmg-2024" in pack.nodes["danger"].why


def test_hmg_2008_keeps_its_node_ids_and_logic():
    pack = load_pack("hmg-2008")
    assert list(pack.nodes) == ["danger", "purpose", "identifiable", "confidential", "consent",
                                "legal_duty", "significant_harm", "serious_crime"]
    assert pack.outcome_of([("danger", "no"), ("purpose", "yes"), ("identifiable", "yes"), ("confidential", "yes"),
                            ("consent", "no"), ("legal_duty", "no"), ("significant_harm", "yes")]) == "share_without_consent"


def test_policy_check_reports_each_outcome_s_escalation():
    import subprocess
    import sys
    from pathlib import Path

    result = subprocess.run([sys.executable, "-m", "bot.cli", "policy", "check", "hmg-2024"],
                            cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert ("hmg-2024@2: escalates (declared by the pack) — share: none, share_without_consent: none, "
            "do_not_share: none, seek_advice: routine, urgent: urgent") in result.stdout
    assert "31 of 31 paths (100%)" in result.stdout
