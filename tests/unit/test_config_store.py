"""The configuration store: versions, caching and pick-up across processes, the rules that
protect people, and the hash chain that audits every change."""
from __future__ import annotations

import copy
import time

import pytest
from sqlalchemy import event, text

from bot.config import Settings
from bot.config_store import ConfigRefused, ConfigStore, FieldProblem, settings_problems
from storage.db import Database
from storage.models import Conversation, Escalation, Record, new_id, utcnow
from storage.records import append, verify_chain
from tests.conftest import TEST_CONFIG


def config(change=None) -> dict:
    c = copy.deepcopy(TEST_CONFIG)
    if change:
        change(c)
    return c


@pytest.fixture
def store(database: Database) -> ConfigStore:
    s = ConfigStore(database, poll_seconds=0.2)
    assert s.seed(Settings.model_validate(TEST_CONFIG))
    return s


def queries(db: Database) -> list[str]:
    seen: list[str] = []
    # Statements only (SQLite's BEGIN IMMEDIATE, which the engine adds to every session, aside).
    event.listen(db.engine, "before_cursor_execute", lambda *a: None if a[2].startswith("BEGIN") else seen.append(a[2]))
    return seen


def test_seed_only_into_an_empty_store(database):
    s = ConfigStore(database)
    assert s.latest() is None and s.history() == []
    assert s.seed(Settings.model_validate(TEST_CONFIG))
    assert not s.seed(Settings.model_validate(config(lambda c: c.update(organisation="Other"))))
    v = s.latest()
    assert (v.number, v.author, v.settings.organisation) == (1, "file", TEST_CONFIG["organisation"])
    assert v.changes[0].startswith("configuration created: teams early-help, school-nursing")


def test_each_change_is_a_new_version_with_readable_change_lines(store):
    v2 = store.apply(config(lambda c: c["teams"][0].update(leads=["U0LEAD9"])), author="slack:U0ADMIN1")
    assert v2.number == 2 and v2.author == "slack:U0ADMIN1"
    assert v2.changes == ["teams.early-help.leads: U0LEAD1 -> U0LEAD9"]
    v3 = store.apply(config(lambda c: (c["teams"][0].update(leads=["U0LEAD9"]), c["digest"].update(time="10:30"),
                                       c["teams"].pop(1), c.update(default_team=None))), author="cli:alice")
    assert "teams.school-nursing: removed (was name 'School Nursing', leads U0LEAD2, deputies U0DEP2, members U0PRACT3, U0MULTI)" in v3.changes
    assert "digest.time: 09:00 -> 10:30" in v3.changes and "default_team: early-help -> (none)" in v3.changes
    assert [v.number for v in store.history()] == [3, 2, 1]
    assert [v.number for v in store.history(limit=1)] == [3]
    assert store.current().team("early-help").leads == ["U0LEAD9"]


def test_a_change_identical_to_the_current_one_writes_nothing(store, database):
    before = verify_chain_entries(database)
    same = store.apply(Settings.model_validate(TEST_CONFIG), author="cli:alice")
    assert same.number == 1 and same.author == "file"
    assert verify_chain_entries(database) == before


def verify_chain_entries(database) -> int:
    with database.read_only() as s:
        return s.execute(text("SELECT count(*) FROM record_chain")).scalar()


def test_current_is_cached_and_a_second_process_picks_up_a_change(store, database, fresh_db):
    other_db = Database(fresh_db)  # another process: its own engine and its own store
    other = ConfigStore(other_db, poll_seconds=0.2)
    try:
        assert other.current().team("early-help").leads == ["U0LEAD1"]
        seen = queries(other_db)
        for _ in range(50):
            other.current()
        assert seen == [], "current() queried the database within poll_seconds"
        store.apply(config(lambda c: c["teams"][0].update(leads=["U0LEAD9"])), author="slack:U0ADMIN1")
        assert other.current().team("early-help").leads == ["U0LEAD1"]  # not yet looked again
        time.sleep(0.25)
        assert other.current().team("early-help").leads == ["U0LEAD9"]
        looked = len(seen)
        time.sleep(0.25)
        other.current()
        assert len(seen) == looked + 1, "an unchanged version costs one query of its number"
    finally:
        other_db.engine.dispose()


def test_the_writing_process_sees_its_change_at_once(database):
    s = ConfigStore(database, poll_seconds=3600)
    s.seed(Settings.model_validate(TEST_CONFIG))
    s.current()
    s.apply(config(lambda c: c.update(retention_days=30)), author="cli:alice")
    assert s.current().retention_days == 30


def test_an_empty_store_uses_its_fallback_or_says_there_is_none(database):
    from bot.config_store import NoConfiguration

    fallback = Settings.model_validate(TEST_CONFIG)
    assert ConfigStore(database, fallback=fallback).current() is fallback
    with pytest.raises(NoConfiguration):
        ConfigStore(database).current()


def test_invalid_configuration_is_refused_field_by_field_and_nothing_is_written(store):
    with pytest.raises(ConfigRefused) as refused:
        store.apply(config(lambda c: (c["teams"][0].update(leads=[]), c["digest"].update(time="9 o'clock"))),
                    author="slack:U0ADMIN1")
    paths = {p.path for p in refused.value.problems}
    assert ("teams", 0, "leads") in paths and ("digest", "time") in paths
    assert store.latest().number == 1


def test_settings_problems_names_fields_and_whole_configuration_rules():
    assert settings_problems(TEST_CONFIG) == []
    assert settings_problems(config(lambda c: c.update(colour="red"))) == [
        FieldProblem(("colour",), "not a setting canishare knows")]
    [whole] = settings_problems(config(lambda c: c.update(default_team="nobody")))
    assert whole.path == ("default_team",) and "nobody" in whole.message
    missing = settings_problems(config(lambda c: c["teams"][0].pop("name")))
    assert missing == [FieldProblem(("teams", 0, "name"), "this is required")]


def test_the_last_admin_cannot_be_removed(store):
    with pytest.raises(ConfigRefused) as refused:
        store.apply(config(lambda c: c.update(admins=[])), author="slack:U0ADMIN1")
    assert refused.value.problems[0].path == ("admins",)
    v = store.apply(config(lambda c: c.update(admins=["U0ADMIN2"])), author="slack:U0ADMIN1")  # replaced, not removed
    assert v.changes == ["admins: U0ADMIN1 -> U0ADMIN2"]


def test_conversations_in_progress_for_a_removed_team_carry_on_with_the_default_team(store, database):
    def convo(status: str) -> str:
        with database.transaction() as s:
            c = Conversation(workspace="T0TEST", user_id="U0PRACT3", team="school-nursing", policy="hmg-2008",
                             state="purpose", status=status, version=1)
            s.add(c)
            s.flush()
            return c.id

    going, done = convo("active"), convo("abandoned")
    without = config(lambda c: c["teams"].pop(1))
    version = store.apply(without, author="slack:U0ADMIN1")
    default = version.settings.default_team or version.settings.teams[0].id
    with database.read_only() as s:
        assert s.get(Conversation, going).team == default
        assert s.get(Conversation, done).team == "school-nursing"  # finished work keeps its history
    assert f"1 conversation in progress for school-nursing moved to {default}" in version.changes


def test_a_team_with_open_escalations_cannot_be_removed(store, database):
    def escalate(status: str) -> None:
        with database.transaction() as s:
            r = Record(policy="hmg-2008@1", team="school-nursing", practitioner="p", path=[], outcome="seek_advice")
            s.add(r)
            append(s, r, "outcome")
            s.add(Escalation(id=new_id(), record_id=r.id, conversation_id=new_id(), team="school-nursing",
                             practitioner_user="U0PRACT3", status=status, opened_at=utcnow(), pings=[]))

    escalate("open")
    escalate("claimed")
    escalate("resolved")
    without = config(lambda c: c["teams"].pop(1))
    with pytest.raises(ConfigRefused) as refused:
        store.apply(without, author="slack:U0ADMIN1")
    assert "has 2 open escalations" in refused.value.problems[0].message
    assert "School Nursing" in refused.value.problems[0].message
    with database.transaction() as s:
        s.execute(text("UPDATE escalations SET status = 'resolved'"))
    assert store.apply(without, author="slack:U0ADMIN1").number == 2


def test_every_version_is_in_the_chain_and_verify_finds_an_edited_one(store, database):
    store.apply(config(lambda c: c["teams"][0].update(leads=["U0LEAD9"])), author="slack:U0ADMIN1")
    with database.read_only() as s:
        report = verify_chain(s)
        kinds = [k for (k,) in s.execute(text("SELECT kind FROM record_chain ORDER BY seq"))]
    assert report.ok and report.configs == 2, str(report)
    assert kinds == ["config.change", "config.change"]
    assert "2 configuration versions" in str(report)
    with database.transaction() as s:  # someone swaps the lead back in the database
        s.execute(text("UPDATE config_versions SET body = replace(body, 'U0LEAD9', 'U0EVIL1') WHERE number = 2"))
    with database.read_only() as s:
        report = verify_chain(s)
    assert not report.ok and "configuration version 2 differs from its chain entry" in str(report)


def test_verify_finds_an_edited_configuration_entry(store, database):
    with database.transaction() as s:
        s.execute(text("UPDATE record_chain SET payload = replace(payload, 'file', 'cli:mallory')"))
    with database.read_only() as s:
        report = verify_chain(s)
    assert not report.ok and "configuration entry 1 was changed after it was written" in str(report)


def test_verify_finds_a_deleted_version(store, database):
    store.apply(config(lambda c: c.update(retention_days=30)), author="cli:alice")
    with database.transaction() as s:
        s.execute(text("DELETE FROM config_versions WHERE number = 2"))
    with database.read_only() as s:
        assert "configuration version 2 was deleted" in str(verify_chain(s))


def test_changes_from_two_processes_at_once_get_consecutive_numbers_and_the_chain_holds(store, database, fresh_db):
    import threading

    other_db = Database(fresh_db)
    try:
        stores = [store, ConfigStore(other_db)]
        edits = [lambda c: c.update(retention_days=100), lambda c: c["digest"].update(time="11:00")]
        barrier = threading.Barrier(2)
        numbers: list[int] = []

        def run(i: int) -> None:
            barrier.wait()
            numbers.append(stores[i].apply(config(edits[i]), author=f"cli:user{i}").number)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(numbers) == [2, 3]
        with database.read_only() as s:
            report = verify_chain(s)
        assert report.ok and report.configs == 3, str(report)
    finally:
        other_db.engine.dispose()


def test_an_edit_started_from_an_older_version_is_refused(store):
    store.apply(config(lambda c: c.update(retention_days=100)), author="slack:U0ADMIN1")
    with pytest.raises(ConfigRefused) as refused:
        store.apply(config(lambda c: c["digest"].update(time="11:00")), author="slack:U0ADMIN2", based_on=1)
    assert "changed by slack:U0ADMIN1 (version 2) after you opened it" in str(refused.value)
    assert store.apply(config(lambda c: c["digest"].update(time="11:00")), author="slack:U0ADMIN2", based_on=2).number == 3


def test_current_inside_a_write_transaction_does_not_wait_for_its_lock(store, database):
    """Services read the configuration inside their own transactions (an escalation's pings are
    queued in the record's): the look at the newest version must not wait for that write lock
    (on SQLite every write transaction holds it from BEGIN)."""
    import threading

    other = ConfigStore(database, poll_seconds=0)  # a process whose first look falls inside a transaction
    answers: list = []

    def work() -> None:
        with database.transaction() as s:
            s.execute(text("UPDATE chain_head SET seq = seq"))  # this transaction holds the write lock
            answers.append(other.current().organisation)

    worker = threading.Thread(target=work)
    started = time.monotonic()
    worker.start()
    worker.join(10)
    assert answers == [TEST_CONFIG["organisation"]] and time.monotonic() - started < 5
