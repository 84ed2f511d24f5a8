"""conversation.screening, round 3: the package layout, the shared token view, the new cues
(round 3 names, numbers and addresses) and the benchmark's held-out guard. Sentences here are
written for these tests (not copied from bench/data)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conversation.screening import screen
from conversation.screening.cue_more import _round3_other
from conversation.screening.cue_roles import _round3_names
from conversation.screening.tokens import _Text

ROOT = Path(__file__).resolve().parents[2]


def kinds(text: str) -> set[str]:
    return {f.kind for f in screen(text)}


def test_token_view_splits_possessives_once():
    tv = _Text("Leo's nan and the Carters’ dog met James")
    assert [t[2] for t in tv.toks] == ["Leo's", "nan", "and", "the", "Carters’", "dog", "met", "James"]
    assert tv.bases[0] == "Leo" and tv.poss[0]
    assert tv.bases[4] == "Carters" and tv.poss[4]
    assert tv.bases[7] == "James" and not tv.poss[7]  # a name ending in s is not a possessive
    assert tv.blows[0] == "leo"
    assert tv.upper_first == [0, 4, 7]


@pytest.mark.parametrize("text", [
    "Dale, her mum's boyfriend, was at the house",
    "Travis (the lodger) shouted at the baby",
    "spoke with Hope (year 9) after lunch",
    "Wendy the childminder noticed the marks",
    "Pearl and Ivy are both on the plan now",
    "ibrahim gashi was seen in the park late at night",
])
def test_round3_name_cues(text):
    assert "name" in kinds(text), text


@pytest.mark.parametrize("text", [
    "Later, the mum, said she would call back",
    "Summer was busy for the family support team",
    "The dad (father) did not attend",
    "Yesterday the stepdad said he would engage",
])
def test_round3_name_cues_leave_fillers_alone(text):
    assert "name" not in kinds(text), text
    assert _round3_names(_Text(text)) == [] or "name" not in kinds(text)


@pytest.mark.parametrize("text, kind", [
    ("the taxi plate was KBZ 7312 according to the neighbour", "vehicle_reg"),
    ("a partial plate YK17 was all she saw", "vehicle_reg"),
    ("benefit ref QT 48 512 907 was quoted", "other_id"),
    ("his prison number is B7702KQ", "other_id"),
    ("police log 4417 of last night", "other_id"),
    ("dob 04 11 2013 on the form", "dob"),
    ("Flat 7, Linden Wharf is where they stay", "address"),
    ("pitch 12 on the travellers site off the bypass", "address"),
    ("the family moved to Heol y Felin last month", "address"),
])
def test_round3_numbers_and_addresses(text, kind):
    assert kind in kinds(text), text


@pytest.mark.parametrize("text", [
    "Gave her the Childline number 0800 1111 to keep",
    "Came off at junction 9 of the M6 on the way",
    "moving up to S2 after the summer, secondary transition visits booked",
])
def test_round3_clean_text_stays_clean(text):
    assert kinds(text) == set(), text


def test_round3_other_reports_spans_only_for_its_kinds():
    text = "the car plate was KBZ 7312"
    words = set(text.lower().split())
    found = _round3_other(text, words, True, [])
    assert set(found) == {"vehicle_reg", "other_id", "dob", "address"}
    assert [text[a:b] for a, b in found["vehicle_reg"]] == ["KBZ 7312"]


def test_modules_stay_small():
    pkg = ROOT / "conversation" / "screening"
    for path in pkg.glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 300, path.name


def test_bench_refuses_misses_for_a_held_out_set(tmp_path):
    heldout = tmp_path / "screening-heldout-x.yaml"
    heldout.write_text('- text: "Call 07700 900123"\n  label: detail\n  kinds: [phone]\n'
                       '- text: "The meeting is on Monday"\n  label: clean\n', encoding="utf-8")
    bench = [sys.executable, str(ROOT / "bench" / "screening.py")]
    refused = subprocess.run(bench + ["--misses", "--heldout", str(heldout)], capture_output=True, text=True,
                             cwd=ROOT, timeout=120)
    assert refused.returncode != 0 and "refused" in refused.stderr
    assert "07700" not in refused.stdout + refused.stderr
    ran = subprocess.run(bench + ["--heldout", str(heldout), str(ROOT / "tests" / "data" / "screening.yaml")],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert ran.returncode == 0, ran.stderr
    assert "HELD-OUT: aggregate figures only" in ran.stdout
    assert "07700" not in ran.stdout and "Monday" not in ran.stdout
    assert shutil.which(sys.executable)
