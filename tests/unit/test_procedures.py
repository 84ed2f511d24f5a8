"""The five procedures load and validate; every kind of broken procedure is refused with a
message that names the step; the timescales the bot relies on exist with the right values;
due_at counts hours, days, months and working days correctly, across weekends, bank
holidays and clock changes; to_mermaid draws every step.

Broken procedures are built from the real referral procedure, one mutation at a time, so
each test shows that one defect alone is enough to refuse it.
"""
from __future__ import annotations

import copy
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conversation.timescales import add_months, due_at, is_working_day
from policy.procedures import (
    FORBIDDEN_CHARS,
    PROCEDURES_DIR,
    Procedure,
    ProcedureError,
    Timescale,
    load_procedure_file,
    load_procedures,
    parse_procedure,
    procedure,
    to_mermaid,
)

LONDON = ZoneInfo("Europe/London")
FILES = sorted(PROCEDURES_DIR.glob("*.yaml"))
REFERRAL_RAW = yaml.safe_load((PROCEDURES_DIR / "1-referral.yaml").read_text(encoding="utf-8"))
EXPECTED = {
    1: ("referral", "1-referral.yaml"),
    2: ("after_assessment", "2-after-assessment.yaml"),
    3: ("urgent_action", "3-urgent-action.yaml"),
    4: ("after_strategy", "4-after-strategy-discussion.yaml"),
    5: ("after_conference", "5-after-conference.yaml"),
}


def refused(mutate: Callable[[dict], object], name: str = "broken") -> ProcedureError:
    """Apply `mutate` to a copy of procedure 1, parse it, and return the ProcedureError."""
    raw = copy.deepcopy(REFERRAL_RAW)
    mutate(raw)
    with pytest.raises(ProcedureError) as info:
        parse_procedure(raw, name)
    err = info.value
    text = str(err)
    assert text.startswith(f"procedure {name!r} is not valid:")
    assert err.problems, "a refused procedure must say what is wrong"
    for problem in err.problems:
        assert f"\n  - {problem}" in text
    return err


def only_problem(err: ProcedureError) -> str:
    assert len(err.problems) == 1, err.problems
    return err.problems[0]


def step(raw: dict, sid: str) -> dict:
    return next(s for s in raw["steps"] if s["id"] == sid)


def real(start: datetime, end: datetime) -> timedelta:
    """Elapsed real time. (Subtracting two datetimes in the same zone gives wall-clock time.)"""
    return end.astimezone(timezone.utc) - start.astimezone(timezone.utc)


def at(text: str) -> datetime:
    """A London wall time, e.g. at('2024-10-25 15:00')."""
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


# --- the shipped procedures ----------------------------------------------------------------

def test_five_files_are_shipped():
    assert [f.name for f in FILES] == [name for _, name in EXPECTED.values()]


@pytest.mark.parametrize("number", sorted(EXPECTED))
def test_each_shipped_procedure_loads_and_validates(number):
    pid, name = EXPECTED[number]
    proc = load_procedure_file(PROCEDURES_DIR / name)
    assert isinstance(proc, Procedure)
    assert (proc.number, proc.id) == (number, pid)
    assert proc.title and proc.summary
    # Working Together 2010 is replaced: every procedure cites the 2023 edition, by chapter.
    assert proc.cite.document.startswith("Working Together to Safeguard Children 2023")
    assert proc.cite.section.startswith("Chapter 3")
    assert "2010" not in proc.cite.document
    for name, t in proc.timescales.items():
        assert t.since is not None and t.source and t.source.document and t.source.section, name
        if not t.local:
            assert t.source.document.startswith(("Working Together to Safeguard Children 2023", "Children Act 1989")), name
    assert proc.start == next(iter(proc.steps))
    assert proc.ends(), "every procedure has an end"
    for s in proc.steps.values():
        assert s.who and s.what, s.id
        for text in (s.who, s.what, s.branch or ""):
            assert not set(text) & set(FORBIDDEN_CHARS), (s.id, text)
        if s.timescale:
            assert any(said in s.what for said in proc.timescales[s.timescale].spellings()), s.id
    for text in (proc.title, proc.summary):
        assert not set(text) & set(FORBIDDEN_CHARS)


def test_load_procedures_gives_all_five_by_number_and_is_cached():
    procs = load_procedures()
    assert sorted(procs) == [1, 2, 3, 4, 5]
    assert {n: p.id for n, p in procs.items()} == {n: pid for n, (pid, _) in EXPECTED.items()}
    again = load_procedures()
    assert again is not procs  # a fresh dict each time, so callers cannot spoil the cache
    assert all(again[n] is procs[n] for n in procs)
    assert load_procedures()[1] == load_procedure_file(PROCEDURES_DIR / "1-referral.yaml")


def test_procedure_by_number_or_id():
    assert procedure(3).id == "urgent_action"
    assert procedure("3").id == "urgent_action"
    assert procedure("after_conference").number == 5
    with pytest.raises(KeyError, match="referral"):
        procedure("no_such_procedure")
    with pytest.raises(KeyError):
        procedure(6)


def test_required_timescales():
    p1, p4, p5 = procedure(1), procedure(4), procedure(5)
    assert p1.timescales["confirm_in_writing"] == Timescale("hours", 48)
    assert p1.timescales["decision_on_next_steps"] == Timescale("working_days", 1)
    assert p4.timescales["initial_conference"] == Timescale("working_days", 15)
    assert p5.timescales["core_group"] == Timescale("working_days", 10)
    assert p5.timescales["first_review"] == Timescale("months", 3)
    assert p5.timescales["later_reviews"] == Timescale("months", 6)
    assert procedure(2).timescales["assessment"] == Timescale("working_days", 45)
    described = {t.describe() for p in (p1, p4, p5) for t in p.timescales.values()}
    assert {"48 hours", "1 working day", "15 working days", "10 working days",
            "3 months", "6 months"} <= described


def test_the_brief_s_branches_are_there():
    assert set(procedure(2).steps["decide_outcome"].next) == {"no_further_action", "child_in_need", "strategy_discussion"}
    assert procedure(2).steps["strategy_discussion"].branch == "Significant harm suspected"
    urgent = procedure(3)
    assert "999" in urgent.steps["call_999"].what
    assert {"police_protection", "emergency_protection_order"} <= set(urgent.steps["decide_protection"].next)
    assert urgent.ends() == ["strategy_discussion"]
    assert "section 47" in procedure(4).steps["section_47_enquiries"].what


@pytest.mark.parametrize(
    "timescale, text",
    [(Timescale("hours", 48), "48 hours"), (Timescale("hours", 1), "1 hour"),
     (Timescale("working_days", 1), "1 working day"), (Timescale("working_days", 15), "15 working days"),
     (Timescale("days", 8), "8 days"), (Timescale("months", 3), "3 months"), (Timescale("months", 1), "1 month")],
)
def test_timescale_describe(timescale, text):
    assert timescale.describe() == text


# --- broken procedures ---------------------------------------------------------------------

@pytest.mark.parametrize("key", ["id", "number", "title", "summary", "cite", "timescales", "steps"])
def test_missing_top_level_key(key):
    err = refused(lambda raw: raw.pop(key))
    assert any(repr(key) in p and "missing" in p for p in err.problems), err.problems


@pytest.mark.parametrize("key", ["id", "who", "what", "next"])
def test_step_missing_a_required_key_is_named(key):
    def drop(raw):
        step(raw, "confirm_in_writing").pop(key)

    err = refused(drop)
    if key == "id":  # the step is then named by its position
        assert any("step 4" in p and "'id'" in p for p in err.problems), err.problems
    else:  # (a missing next also strands the steps after it; a missing what omits the 48 hours)
        assert any("'confirm_in_writing'" in p and f"missing {key!r}" in p for p in err.problems), err.problems


def test_unknown_step_key_is_named():
    problem = only_problem(refused(lambda raw: step(raw, "phone_referral").update(timescle="x")))
    assert "'phone_referral'" in problem and "'timescle'" in problem


def test_duplicate_step_id():
    def duplicate(raw):
        raw["steps"].append(copy.deepcopy(step(raw, "no_referral")))

    problem = only_problem(refused(duplicate))
    assert "'no_referral'" in problem and "more than once" in problem


def test_next_to_a_missing_step():
    def dangle(raw):
        step(raw, "confirm_in_writing")["next"] = ["acknowledge_and_decide", "nowhere"]

    problem = only_problem(refused(dangle))
    assert "'confirm_in_writing'" in problem and "'nowhere'" in problem and "not a step" in problem


def test_unreachable_step():
    def orphan(raw):
        extra = copy.deepcopy(step(raw, "no_referral"))
        extra["id"] = "orphan"
        raw["steps"].append(extra)

    problem = only_problem(refused(orphan))
    assert "'orphan'" in problem and "cannot be reached" in problem and "'discuss_concern'" in problem


def test_rerouting_around_a_step_makes_it_unreachable():
    def skip(raw):
        step(raw, "phone_referral")["next"] = ["acknowledge_and_decide"]

    problem = only_problem(refused(skip))
    assert "'confirm_in_writing'" in problem and "cannot be reached" in problem


@pytest.mark.parametrize(
    "sid, back_to",
    [("acknowledge_and_decide", "discuss_concern"),  # back to the first step
     ("confirm_in_writing", "phone_referral"),  # a short loop in the middle
     ("confirm_in_writing", "confirm_in_writing")],  # a step that leads to itself
)
def test_cycle_is_refused_and_named(sid, back_to):
    def loop(raw):
        step(raw, sid)["next"] = step(raw, sid)["next"] + [back_to]

    problem = only_problem(refused(loop))
    assert "loops back" in problem and f"'{sid}'" in problem and back_to in problem


def test_no_end_step():
    def endless(raw):
        for s in raw["steps"]:
            if not s["next"]:
                s["next"] = ["discuss_concern"]

    err = refused(endless)
    assert any("no step ends the procedure" in p for p in err.problems), err.problems
    assert any("loops back" in p for p in err.problems), err.problems


def test_undefined_timescale_reference():
    problem = only_problem(refused(lambda raw: step(raw, "confirm_in_writing").update(timescale="within_a_week")))
    assert "'confirm_in_writing'" in problem and "'within_a_week'" in problem and "not defined" in problem


def test_step_text_must_say_its_timescale():
    def vague(raw):
        step(raw, "confirm_in_writing")["what"] = "Send the details in writing soon."

    problem = only_problem(refused(vague))
    assert "'confirm_in_writing'" in problem and "'48 hours'" in problem


@pytest.mark.parametrize(
    "value, words",
    [({"hours": 48, "days": 2}, "2 units"),
     ({"weeks": 2}, "unknown unit 'weeks'"),
     ({"hours": 0}, "positive whole number"),
     ({"hours": -4}, "positive whole number"),
     ({"hours": 1.5}, "positive whole number"),
     ({"hours": "48"}, "positive whole number"),
     ({"hours": True}, "positive whole number"),
     ({}, "one unit and an amount"),
     (48, "one unit and an amount")],
)
def test_bad_timescale_value(value, words):
    def spoil(raw):
        raw["timescales"]["confirm_in_writing"]["value"] = value

    err = refused(spoil)
    assert any("'confirm_in_writing'" in p and words in p for p in err.problems), err.problems


# --- timescales are dated, cited parameters ---------------------------------------------

def test_the_replaced_2010_assessments_are_gone():
    names = {name for p in load_procedures().values() for name in p.timescales}
    assert not names & {"initial_assessment", "core_assessment"}
    texts = " ".join(s.what for p in load_procedures().values() for s in p.steps.values())
    assert "10 working days of the referral" not in texts and "35 working days" not in texts
    assert "45 working days of the referral" in procedure(2).steps["assessment"].what


def test_timescales_no_national_text_states_are_local():
    assert procedure(1).timescales["confirm_in_writing"].local
    assert procedure(3).timescales["confirm_in_writing"].local
    assert not procedure(1).timescales["decision_on_next_steps"].local
    assert not procedure(4).timescales["initial_conference"].local
    assert "your organisation" in procedure(1).steps["confirm_in_writing"].what


@pytest.mark.parametrize("key, value, words", [
    ("since", None, "since must be the date"),
    ("since", "soon", "since must be the date"),
    ("source", None, "source needs a document and a section"),
    ("source", {"document": "Working Together"}, "source needs a document and a section"),
    ("local", "yes", "local must be true or false"),
    ("sinse", "2020-01-01", "unknown key 'sinse'"),
])
def test_a_timescale_must_be_dated_and_cited(key, value, words):
    def spoil(raw):
        ts = raw["timescales"]["decision_on_next_steps"]
        if value is None:
            ts.pop(key)
        else:
            ts[key] = value

    err = refused(spoil)
    assert any("'decision_on_next_steps'" in p and words in p for p in err.problems), err.problems


def test_a_bare_value_is_not_a_timescale():
    err = refused(lambda raw: raw["timescales"].update(decision_on_next_steps={"working_days": 1}))
    assert any("'decision_on_next_steps' must be a dated, cited parameter" in p for p in err.problems), err.problems


def test_an_organisation_sets_a_local_timescale_and_the_text_follows():
    mine = procedure(1, local={"confirm_in_writing": Timescale("hours", 24)})
    assert mine.timescales["confirm_in_writing"] == Timescale("hours", 24)
    assert mine.timescales["confirm_in_writing"].local
    assert "within 24 hours" in mine.steps["confirm_in_writing"].what
    assert "48 hours" not in mine.steps["confirm_in_writing"].what
    assert "within 48 hours" in procedure(1).steps["confirm_in_writing"].what  # the shipped one is unchanged
    assert procedure(1, local={"core_group": Timescale("working_days", 5)}) == procedure(1)  # not used here


def test_a_national_timescale_cannot_be_overridden():
    with pytest.raises(ValueError, match="national"):
        procedure(1, local={"decision_on_next_steps": Timescale("working_days", 3)})


def test_policy_check_reports_every_timescale_with_its_date_and_source():
    from policy.procedures import timescale_report

    lines = timescale_report()
    assert lines[0].startswith("procedures: 5 procedures and 10 timescales, all valid")
    assert "confirm_in_writing, core_group" in lines[0]
    assert any("assessment: 45 working days since 2013-04-15" in line for line in lines)
    assert any("confirm_in_writing: 48 hours since 2010-03-01 [local]" in line for line in lines)


def test_missing_or_half_citation():
    problem = only_problem(refused(lambda raw: raw.update(cite={"document": "Working Together"})))
    assert "cite" in problem and "section" in problem


@pytest.mark.parametrize("number", [0, 6, "one", True, None])
def test_number_out_of_range(number):
    problem = only_problem(refused(lambda raw: raw.update(number=number)))
    assert "number must be one of 1, 2, 3, 4, 5" in problem


@pytest.mark.parametrize("char", list(FORBIDDEN_CHARS))
def test_markup_characters_are_refused_in_step_text(char):
    def markup(raw):
        step(raw, "phone_referral")["what"] += f" See {char}this{char}."

    problem = only_problem(refused(markup))
    assert "'phone_referral'" in problem and "plain text" in problem and char in problem


def test_every_problem_is_listed_at_once():
    def many(raw):
        raw.pop("cite")
        step(raw, "confirm_in_writing")["timescale"] = "nope"
        step(raw, "no_referral")["next"] = ["nowhere"]

    err = refused(many)
    assert len(err.problems) == 3, err.problems


def test_bad_yaml_and_missing_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(ProcedureError, match="not valid YAML"):
        load_procedure_file(bad)
    with pytest.raises(ProcedureError, match="no such file"):
        load_procedure_file(tmp_path / "missing.yaml")


def _copy_shipped(folder: Path) -> None:
    for f in FILES:
        (folder / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")


def test_a_directory_of_valid_procedures_loads(tmp_path):
    _copy_shipped(tmp_path)
    assert sorted(load_procedures(tmp_path)) == [1, 2, 3, 4, 5]


def test_duplicate_numbers_and_missing_procedures_are_refused(tmp_path):
    _copy_shipped(tmp_path)
    raw = yaml.safe_load((tmp_path / "2-after-assessment.yaml").read_text(encoding="utf-8"))
    raw["number"] = 1
    (tmp_path / "2-after-assessment.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ProcedureError) as info:
        load_procedures(tmp_path)
    assert any("both have number 1" in p for p in info.value.problems), info.value.problems


def test_a_broken_file_in_a_directory_is_named(tmp_path):
    _copy_shipped(tmp_path)
    raw = yaml.safe_load((tmp_path / "4-after-strategy-discussion.yaml").read_text(encoding="utf-8"))
    raw["steps"][0]["next"] = ["nowhere"]
    (tmp_path / "4-after-strategy-discussion.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ProcedureError) as info:
        load_procedures(tmp_path)
    assert any(p.startswith("4-after-strategy-discussion.yaml: step 'strategy_discussion'")
               for p in info.value.problems), info.value.problems


# --- due_at --------------------------------------------------------------------------------

ONE_WORKING_DAY = Timescale("working_days", 1)


def test_friday_afternoon_plus_one_working_day_is_monday_afternoon():
    assert due_at(at("2024-10-25 15:00"), ONE_WORKING_DAY, LONDON) == at("2024-10-28 15:00")


def test_thursday_plus_one_working_day_is_friday():
    assert due_at(at("2024-10-24 10:30"), ONE_WORKING_DAY, LONDON) == at("2024-10-25 10:30")


def test_saturday_start_counts_from_monday_morning():
    # A weekend start counts as 09:00 on Monday; one working day after that is Tuesday 09:00.
    assert due_at(at("2024-10-26 14:00"), ONE_WORKING_DAY, LONDON) == at("2024-10-29 09:00")
    assert due_at(at("2024-10-27 23:59"), ONE_WORKING_DAY, LONDON) == at("2024-10-29 09:00")


def test_bank_holiday_monday_is_skipped():
    holidays = frozenset({date(2024, 8, 26)})
    start = at("2024-08-23 15:00")  # the Friday before the summer bank holiday
    assert due_at(start, ONE_WORKING_DAY, LONDON) == at("2024-08-26 15:00")
    assert due_at(start, ONE_WORKING_DAY, LONDON, holidays) == at("2024-08-27 15:00")
    # A start on the bank holiday itself counts from 09:00 on the Tuesday.
    assert due_at(at("2024-08-26 11:00"), ONE_WORKING_DAY, LONDON, holidays) == at("2024-08-28 09:00")


def test_fifteen_working_days_across_weekends():
    # Wednesday 6 March + 15 working days: three whole weeks, over the weekends of 9, 16 and 23 March.
    assert due_at(at("2024-03-06 11:00"), Timescale("working_days", 15), LONDON) == at("2024-03-27 11:00")


def test_ten_working_days_across_two_weekends():
    assert due_at(at("2024-03-06 11:00"), Timescale("working_days", 10), LONDON) == at("2024-03-20 11:00")


def test_fifteen_working_days_across_easter_and_the_spring_clock_change():
    easter = frozenset({date(2024, 3, 29), date(2024, 4, 1)})
    start = at("2024-03-20 10:00")  # GMT
    due = due_at(start, Timescale("working_days", 15), LONDON, easter)
    assert due == at("2024-04-12 10:00")  # BST: still 10:00 on the wall
    assert due.utcoffset() == timedelta(hours=1)


def test_48_hours_across_the_october_clock_change_is_48_real_hours():
    start = at("2024-10-25 12:00")  # BST; the clocks go back at 02:00 on Sunday 27 October
    due = due_at(start, Timescale("hours", 48), LONDON)
    assert real(start, due) == timedelta(hours=48)
    assert due.astimezone(LONDON).replace(tzinfo=None) == datetime(2024, 10, 27, 11, 0)


def test_a_day_across_the_clock_change_keeps_the_wall_time():
    due = due_at(at("2024-10-26 12:00"), Timescale("days", 1), LONDON)
    assert due == at("2024-10-27 12:00")
    assert real(at("2024-10-26 12:00"), due) == timedelta(hours=25)


def test_working_days_keep_the_wall_time_across_the_clock_change():
    due = due_at(at("2024-10-25 15:00"), ONE_WORKING_DAY, LONDON)
    assert due.astimezone(LONDON).time() == time(15, 0)
    assert real(at("2024-10-25 15:00"), due) == timedelta(days=3, hours=1)


@pytest.mark.parametrize(
    "start, months, due",
    [("2024-01-31 10:00", 3, "2024-04-30 10:00"),  # 31 April does not exist; GMT to BST
     ("2024-01-31 10:00", 1, "2024-02-29 10:00"),  # a leap year
     ("2023-01-31 10:00", 1, "2023-02-28 10:00"),
     ("2024-05-15 09:00", 6, "2024-11-15 09:00"),  # BST to GMT
     ("2024-11-30 16:00", 3, "2025-02-28 16:00")],  # across the new year
)
def test_months_are_calendar_months_at_the_same_wall_time(start, months, due):
    assert due_at(at(start), Timescale("months", months), LONDON) == at(due)


def test_the_result_is_aware_and_in_the_given_zone_whatever_the_start_zone():
    start = datetime(2024, 10, 25, 14, 0, tzinfo=timezone.utc)  # 15:00 BST
    due = due_at(start, ONE_WORKING_DAY, LONDON)
    assert due.tzinfo is LONDON and due == at("2024-10-28 15:00")


def test_a_naive_start_is_refused():
    with pytest.raises(ValueError, match="aware"):
        due_at(datetime(2024, 10, 25, 15, 0), ONE_WORKING_DAY, LONDON)


def test_a_wall_time_in_the_spring_gap_moves_forward():
    due = due_at(at("2024-03-30 01:30"), Timescale("days", 1), LONDON)  # 01:30 on 31 March never happens
    assert due.astimezone(timezone.utc) == datetime(2024, 3, 31, 1, 30, tzinfo=timezone.utc)
    assert due.replace(tzinfo=None) == datetime(2024, 3, 31, 2, 30)


def test_add_months_clamps_to_the_month_end():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 12, 31), 2) == date(2025, 2, 28)
    assert add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2023, 1, 1), max_value=datetime(2026, 12, 31)),
    amount=st.integers(min_value=1, max_value=30),
    holidays=st.frozensets(st.dates(min_value=date(2023, 1, 1), max_value=date(2027, 3, 31)), max_size=20),
)
def test_working_days_property(start, amount, holidays):
    aware = start.replace(tzinfo=LONDON)
    due = due_at(aware, Timescale("working_days", amount), LONDON, holidays)
    local = due.astimezone(LONDON)
    assert due > aware
    assert is_working_day(local.date(), holidays)
    # Exactly `amount` working days lie after the (rolled-forward) start day, up to the due day.
    first = aware.astimezone(LONDON).date()
    counted = sum(1 for n in range(1, (local.date() - first).days + 1)
                  if is_working_day(first + timedelta(days=n), holidays))
    rolled = 0 if is_working_day(first, holidays) else 1
    assert counted == amount + rolled


# --- bank holidays -------------------------------------------------------------------------

def test_a_referral_on_christmas_eve_is_due_after_the_boxing_day_holiday():
    """Thursday 24 December 2026, 15:00: Friday is Christmas Day, the weekend follows, and
    Monday 28 December is the Boxing Day substitute holiday in England and Wales."""
    from conversation.timescales import working_calendar

    start = at("2026-12-24 15:00")
    decision = procedure(1).timescales["decision_on_next_steps"]
    assert due_at(start, decision, LONDON, working_calendar("england-and-wales")) == at("2026-12-29 15:00")
    assert due_at(start, decision, LONDON) == at("2026-12-25 15:00")  # what a weekends-only count gets wrong


@pytest.mark.parametrize("calendar, start, due", [
    ("scotland", "2026-12-31 10:00", "2027-01-05 10:00"),  # 1 and 2 January are both holidays in Scotland
    ("england-and-wales", "2026-12-31 10:00", "2027-01-04 10:00"),
    ("northern-ireland", "2026-03-16 10:00", "2026-03-18 10:00"),  # St Patrick's Day
    ("england-and-wales", "2026-03-16 10:00", "2026-03-17 10:00"),
    ("england-and-wales", "2026-08-28 12:00", "2026-09-01 12:00"),  # late summer bank holiday, 31 August
    ("scotland", "2026-08-28 12:00", "2026-08-31 12:00"),  # Scotland's is 3 August
    ("none", "2026-12-24 15:00", "2026-12-25 15:00"),
])
def test_each_uk_calendar(calendar, start, due):
    from conversation.timescales import working_calendar

    assert due_at(at(start), ONE_WORKING_DAY, LONDON, working_calendar(calendar)) == at(due)


def test_extra_closure_dates_are_skipped_too():
    from conversation.timescales import working_calendar

    closed = working_calendar("england-and-wales", [date(2026, 12, 29), date(2026, 12, 30)])
    assert due_at(at("2026-12-24 15:00"), ONE_WORKING_DAY, LONDON, closed) == at("2026-12-31 15:00")
    assert date(2026, 12, 29) in closed and date(2026, 12, 25) in closed and date(2026, 12, 24) not in closed
    assert closed.name_of(date(2026, 12, 28)) == "Boxing Day (observed)"
    assert closed.name_of(date(2026, 12, 30)) == "closure date"


def test_an_unknown_calendar_is_refused():
    from conversation.timescales import working_calendar

    with pytest.raises(ValueError, match="england-and-wales"):
        working_calendar("wales-only")


# --- to_mermaid ----------------------------------------------------------------------------

@pytest.mark.parametrize("number", sorted(EXPECTED))
def test_mermaid_mentions_every_step(number):
    proc = procedure(number)
    text = to_mermaid(proc)
    assert text.startswith("flowchart TD\n")
    for sid in proc.steps:
        assert f'    {sid}["' in text, sid
    for s in proc.steps.values():
        for target in s.next:
            branch = proc.steps[target].branch
            edge = f'{s.id} -->|"{branch}"| {target}' if branch else f"{s.id} --> {target}"
            assert edge in text
    for line in text.splitlines():
        if '["' in line:
            label = line.split('["', 1)[1].rsplit('"]', 1)[0]
            assert len(label) <= 60, label


def test_mermaid_labels_show_who_and_what():
    text = to_mermaid(procedure(1))
    assert 'acknowledge_and_decide["Children\'s social care: They confirm' in text
    assert 'phone_referral["You: Contact children\'s social care' in text
    assert '-->|"Significant harm suspected"| strategy_discussion' in to_mermaid(procedure(2))
