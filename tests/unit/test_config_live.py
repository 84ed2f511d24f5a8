"""Services read the configuration per call: a change stored in the ConfigStore reaches the
weekly digest's schedule and channel, the retention purge and who may act on an escalation,
without anything being rebuilt."""
from __future__ import annotations

import copy
from datetime import datetime, timedelta

from bot.config import Settings
from bot.config_store import ConfigStore
from bot.escalation import Escalations
from bot.scheduled_tasks import retention_task, weekly_digest_task
from storage.models import Job
from tests.conftest import PSEUDONYM_KEY, TEST_CONFIG
from tests.unit.test_digest import END, UTC, add_record, client_for, fake_slack, naive  # noqa: F401 (fixture)


def store_for(database) -> ConfigStore:
    store = ConfigStore(database, poll_seconds=0)  # every call looks: the test changes it between calls
    store.seed(Settings.model_validate(TEST_CONFIG))
    return store


def change(store: ConfigStore, edit) -> None:
    config = store.current().model_dump(mode="json")
    edit(config)
    store.apply(copy.deepcopy(config), author="slack:U0ADMIN1")


def test_the_digest_follows_a_new_day_time_and_channel(database, fake_slack) -> None:
    store = store_for(database)
    task = weekly_digest_task(store, database, client_for(fake_slack))
    assert task(naive(END - timedelta(days=1))) is None  # due Monday 15 June, 09:00 London
    change(store, lambda c: c["digest"].update(day="wednesday", time="10:30", channel="C0DIGEST2"))
    mark = fake_slack.mark()
    assert task(naive(END + timedelta(seconds=30))) is None  # Monday is no longer the day
    wednesday = datetime(2026, 6, 17, 9, 30, tzinfo=UTC)  # 10:30 BST
    with database.read_only() as s:
        assert s.get(Job, "weekly_digest").due_at == naive(wednesday)
    assert task(naive(wednesday + timedelta(seconds=30))) is not None
    assert fake_slack.calls_to_since("chat.postMessage", mark, channel="C0DIGEST2")
    assert not fake_slack.calls_to_since("chat.postMessage", mark, channel="C0DIGEST")


def test_retention_uses_the_retention_days_of_the_day(database) -> None:
    store = store_for(database)
    now = datetime(2026, 6, 15, 3, 0)
    with database.transaction() as s:
        add_record(s, (now - timedelta(days=40)).replace(tzinfo=UTC), "share")
    task = retention_task(store, database)
    assert task(now)["records"] == 0  # kept 2190 days
    change(store, lambda c: c.update(retention_days=30))
    assert task(now + timedelta(days=1, minutes=1))["records"] == 1


def test_who_may_act_on_an_escalation_follows_a_new_lead(database) -> None:
    store = store_for(database)
    escalations = Escalations(store, database, PSEUDONYM_KEY)
    assert escalations.may_act("U0LEAD2", "school-nursing") and not escalations.may_act("U0LEAD9", "school-nursing")
    change(store, lambda c: c["teams"][1].update(leads=["U0LEAD9"]))
    assert escalations.may_act("U0LEAD9", "school-nursing") and not escalations.may_act("U0LEAD2", "school-nursing")
