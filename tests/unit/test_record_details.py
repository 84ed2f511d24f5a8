"""bot.record_details: the one gate for a record's details, called directly (no Slack).

Nothing flagged is stored whatever calls the service, or whatever sets a record's note;
choices must come from the pack's lists; records made before the change still export and
verify."""
from __future__ import annotations

import io
import json
import logging

import pytest
from sqlalchemy import select

from bot import conversations, record_details
from policy.pack import load_pack
from storage.export import write_export
from storage.models import ChainEntry, Record
from storage.records import append, export_row, pseudonymise, verify_chain
from tests.conftest import PSEUDONYM_KEY

USER = "U0PRACT1"
NAME_NOTE = "Told Kerry Hughes's teacher, ring 07700 900123"


def at_outcome(database, answers=("yes",)) -> str:
    """A conversation that has reached an outcome (hmg-2008: Yes at danger -> urgent)."""
    started = conversations.start(database, workspace="T0TEST", user_id=USER, team="early-help", policy="hmg-2008", channel_id="D0P")
    convo_id = started.conversation.id
    node = started.node.id
    for a in answers:
        result = conversations.answer(database, conversation_id=convo_id, user_id=USER, node_id=node, answer=a, pseudonym_key=PSEUDONYM_KEY)
        node = result.node.id if result.node else None
    return convo_id


def everything_stored(database) -> str:
    with database.read_only() as s:
        rows = [json.dumps(export_row(r)) for r in s.execute(select(Record)).scalars()]
        rows += [e.payload for e in s.execute(select(ChainEntry)).scalars()]
    return "\n".join(rows)


def save(database, convo_id, **kw):
    details = {"shared_what": ["injury_marks"], "shared_with": ["police"], "reason": "immediate_danger", "note": None}
    details.update(kw)
    return record_details.save(database, conversation_id=convo_id, user_id=USER, **details)


def test_choices_and_a_clean_note_are_stored_and_verify(database):
    convo_id = at_outcome(database)
    saved = save(database, convo_id, note="Shared by phone with the duty officer")
    assert saved.kind == "saved" and not saved.problems
    with database.read_only() as s:
        row = export_row(s.execute(select(Record)).scalar_one())
        assert verify_chain(s).ok
    assert row["shared_what"] == ["injury_marks"] and row["shared_with"] == ["police"]
    assert row["reason"] == "immediate_danger" and row["note"] == "Shared by phone with the duty officer"
    again = save(database, convo_id, shared_what=["health"])
    assert again.kind == "finished"


@pytest.mark.parametrize("note", [
    NAME_NOTE,
    "spoke to mum aoife about it",
    "NHS number 999 017 7406",
    "kerry dot hughes at gmail dot com",
    "they live at 14 Elm Grove Road",
    "her snapchat is kezz_2011",
])
def test_a_flagged_note_is_never_stored_or_logged(database, caplog, note):
    caplog.set_level(logging.DEBUG)
    convo_id = at_outcome(database)
    before = everything_stored(database)
    saved = save(database, convo_id, note=note)
    assert saved.kind == "refused" and set(saved.problems) == {"note"}
    problem = saved.problems["note"]
    assert problem.kinds
    # The refusal itself carries no part of the note: only fixed words.
    for word in note.split():
        if len(word) > 3 and word.lower() not in ("number", "about", "live", "road"):
            assert word not in problem.message
    assert everything_stored(database) == before
    assert note not in caplog.text
    # The conversation is still open: the practitioner can fix the note and save.
    assert save(database, convo_id, note="Told the class teacher").kind == "saved"


def test_choices_outside_the_packs_lists_are_refused(database):
    convo_id = at_outcome(database)
    saved = save(database, convo_id, shared_what=["Jayden's school report"], shared_with=[], reason="share")
    assert saved.kind == "refused"
    assert set(saved.problems) == {"shared_what", "shared_with", "reason"}
    assert "Jayden" not in everything_stored(database)


def test_an_overlong_note_is_refused(database):
    convo_id = at_outcome(database)
    limit = load_pack("hmg-2008").record.note_limit
    assert save(database, convo_id, note="a" * (limit + 1)).kind == "refused"


def test_no_caller_can_store_a_flagged_note_by_setting_it_directly(database):
    """The last line: a mapper hook refuses a flush of a record whose note screening flags."""
    convo_id = at_outcome(database)
    before = everything_stored(database)
    with pytest.raises(record_details.FlaggedNote) as raised:
        with database.transaction() as s:
            record = s.execute(select(Record).where(Record.conversation_id == convo_id)).scalar_one()
            record.note = NAME_NOTE
            append(s, record, "details")
    assert "Kerry" not in str(raised.value) and "07700" not in str(raised.value)
    assert everything_stored(database) == before


def test_explain_note_quotes_the_words_for_the_modal_only(database):
    message = record_details.explain_note(NAME_NOTE)
    assert "Kerry" in message and "07700 900123" in message
    assert "describe the person by role" in message
    # The stored/loggable refusal never quotes.
    assert "Kerry" not in record_details.refusal_message(["name", "phone"])


def test_records_made_before_the_change_still_export_and_verify(database):
    """A format-1 record (free text, no note) keeps its exported state, so its chain still verifies."""
    with database.transaction() as s:
        old = Record(policy="hmg-2008@1", team="early-help", practitioner=pseudonymise(PSEUDONYM_KEY, USER),
                     path=[{"node": "danger", "answer": "no"}], outcome="share", format=1)
        s.add(old)
        append(s, old, "outcome")
        old.legacy_shared_what, old.legacy_shared_with, old.legacy_reason = "Attendance summary", "School nurse", "To plan support"
        append(s, old, "details")
        payload = s.execute(select(ChainEntry).order_by(ChainEntry.seq.desc())).scalars().first().payload
    assert "note" not in json.loads(payload)  # hashed exactly as before migration 0004
    convo_id = at_outcome(database)
    assert save(database, convo_id).kind == "saved"
    with database.read_only() as s:
        assert verify_chain(s).ok
        out = io.StringIO()
        write_export(s, out, "jsonl")
        rows = [json.loads(line) for line in out.getvalue().splitlines()]
        csv_out = io.StringIO()
        write_export(s, csv_out, "csv")
    legacy = next(r for r in rows if r["shared_what"] == "Attendance summary")
    assert legacy["note"] is None and legacy["reason"] == "To plan support"
    new = next(r for r in rows if r["shared_what"] == ["injury_marks"])
    assert list(new) == list(legacy)  # the same fields, in the same order
    lines = csv_out.getvalue().splitlines()
    assert "injury_marks" in lines[2] and ",police," in lines[2] and "danger=yes" in lines[2]
    assert "danger=no" in lines[1] and "Attendance summary" in lines[1]


def test_check_is_pure_and_names_only_kinds():
    choices = load_pack("hmg-2024").record
    ok = record_details.check(choices, "share", shared_what=["attendance"], shared_with=["gp"], reason="support_child",
                              note="Shared the attendance summary by secure email")
    assert ok == {}
    bad = record_details.check(choices, "share", shared_what=["attendance"], shared_with=["gp"], reason="immediate_danger",
                               note="DS Nowak took it")
    assert set(bad) == {"reason", "note"} and bad["note"].kinds == ("name",)


@pytest.mark.parametrize("fmt, column, value", [
    (1, "reason", "immediate_danger"), (1, "note", "added later"), (2, "legacy_reason", "typed later"),
    (2, "reason", "other"), (2, "format", 1),
])
def test_an_edit_to_any_details_column_is_detected(database, fmt, column, value):
    """Whichever format a record has, writing to the other format's columns shows as an edit."""
    from sqlalchemy import update

    with database.transaction() as s:
        r = Record(policy="hmg-2008@1", team="early-help", practitioner=pseudonymise(PSEUDONYM_KEY, USER),
                   path=[{"node": "danger", "answer": "yes"}], outcome="urgent", format=fmt)
        if fmt == 2:
            r.shared_what, r.shared_with, r.reason = ["injury_marks"], ["police"], "immediate_danger"
        else:
            r.legacy_shared_what = "free text"
        s.add(r)
        append(s, r, "details")
        rid = r.id
    with database.read_only() as s:
        assert verify_chain(s).ok
    with database.transaction() as s:
        s.execute(update(Record).where(Record.id == rid).values({getattr(Record, column): value})
                  .execution_options(synchronize_session=False))
    with database.read_only() as s:
        report = verify_chain(s)
    assert not report.ok and report.record_id == rid and "edited" in report.problem
