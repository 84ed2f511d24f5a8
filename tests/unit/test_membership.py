"""Team membership from Slack: resolution into the table, the per-process cache, events'
deltas, failures that keep what was known, and deactivated leads reported once."""
from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from bot import membership as M
from bot.config import Settings
from bot.deactivated_leads import note_user
from bot.membership_refresh import due_sources, refresh_due, users_check_due
from bot.slack_views import SlackViews
from storage.models import DeactivatedLead, MembershipSource, Outbox, utcnow
from tests.conftest import TEST_CONFIG

VIEWS = SlackViews()
GROUP = "S0EARLY"
SOURCE = M.usergroup_source(GROUP)


def settings(**team_changes) -> Settings:
    raw = {**TEST_CONFIG, "admins": ["U0ADMIN1", "U0ADMIN2"]}
    teams = [dict(t) for t in raw["teams"]]
    teams[0].update({"members_usergroup": GROUP, **team_changes})
    return Settings(**{**raw, "teams": teams})


class Directory:
    """Slack's directory as a test sets it: lists, or an error code to raise."""

    def __init__(self):
        self.groups: dict[str, list[str] | str] = {}
        self.channels: dict[str, list[str] | str] = {}
        self.deactivated: set[str] = set()
        self.asked: list[str] = []

    def _answer(self, table, key):
        self.asked.append(key)
        value = table.get(key, "no_such_subteam")
        if isinstance(value, str):
            raise M.DirectoryError(value)
        return list(value)

    def usergroup_members(self, usergroup):
        return self._answer(self.groups, usergroup)

    def channel_members(self, channel):
        return self._answer(self.channels, channel)

    def is_deactivated(self, user_id):
        return user_id in self.deactivated


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def alerts(db) -> list[Outbox]:
    with db.read_only() as s:
        return list(s.scalars(select(Outbox).where(Outbox.kind == "alert").order_by(Outbox.id)))


# --- configuration --------------------------------------------------------------------------

def test_membership_fields_take_slack_ids_only():
    team = settings(members_channel="C0MEMBERS").teams[0]
    assert (team.members_usergroup, team.members_channel) == (GROUP, "C0MEMBERS")
    with pytest.raises(ValidationError, match="user group ID like S0123ABCD"):
        settings(members_usergroup="early-help")
    with pytest.raises(ValidationError, match="members_channel must be a Slack channel ID"):
        settings(members_channel="D0DIRECT")  # a DM is nobody's team


def test_teams_of_counts_members_from_slack_and_keeps_the_default_team():
    s = settings()
    assert [t.id for t in s.teams_of("U0NEW1", {"early-help": frozenset({"U0NEW1"})})] == ["early-help"]
    assert [t.id for t in s.teams_of("U0NEW1", {"school-nursing": frozenset({"U0NEW1"})})] == ["school-nursing"]
    assert [t.id for t in s.teams_of("U0NOBODY", {})] == ["early-help"]  # the default team, as before
    assert [t.id for t in s.teams_of("U0PRACT3")] == ["school-nursing"]


# --- resolution and the cache ---------------------------------------------------------------

def test_a_resolved_group_is_read_by_every_cache_within_its_poll(database):
    slack, s, clock = Directory(), settings(), Clock()
    slack.groups[GROUP] = ["U0NEW1", "U0NEW2"]
    cache = M.MemberCache(database, poll_seconds=2.0, clock=clock)
    assert cache.by_team(s) == {}
    done = M.resolve(database, slack, s, SOURCE, VIEWS)
    assert (done.ok, done.members, done.changed) == (True, 2, 2)
    assert cache.by_team(s) == {}  # read a moment ago: not yet
    clock.now = 2.0
    assert cache.by_team(s) == {"early-help": frozenset({"U0NEW1", "U0NEW2"})}
    slack.groups[GROUP] = ["U0NEW2"]
    assert M.resolve(database, slack, s, SOURCE, VIEWS).changed == 1
    clock.now = 4.0
    assert cache.by_team(s) == {"early-help": frozenset({"U0NEW2"})}
    assert M.resolve(database, slack, s, SOURCE, VIEWS).changed == 0  # the same list writes nothing new


def test_a_group_named_by_two_teams_gives_both_its_members(database):
    s = settings()
    raw = s.model_dump()
    raw["teams"][1]["members_usergroup"] = GROUP
    s = Settings(**raw)
    slack = Directory()
    slack.groups[GROUP] = ["U0NEW1"]
    M.resolve(database, slack, s, SOURCE, VIEWS)
    assert M.MemberCache(database).by_team(s) == {"early-help": frozenset({"U0NEW1"}), "school-nursing": frozenset({"U0NEW1"})}


@pytest.mark.parametrize("code", ["missing_scope", "no_such_subteam"])
def test_a_refusal_keeps_the_members_and_is_reported_once(database, code):
    slack, s = Directory(), settings()
    slack.groups[GROUP] = ["U0NEW1"]
    M.resolve(database, slack, s, SOURCE, VIEWS)
    slack.groups[GROUP] = code
    first = M.resolve(database, slack, s, SOURCE, VIEWS)
    again = M.resolve(database, slack, s, SOURCE, VIEWS)
    assert (first.ok, first.members, first.problem) == (False, 1, code)
    assert len(first.reports) == 2 and again.reports == ()  # one per admin, once
    assert M.MemberCache(database).by_team(s) == {"early-help": frozenset({"U0NEW1"})}
    texts = [a.args["blocks"][0]["text"]["text"] for a in alerts(database)]
    assert {a.args["channel"] for a in alerts(database)} == {"U0ADMIN1", "U0ADMIN2"}
    assert "Early Help" in texts[0] and "keep the 1 member I last knew" in texts[0]
    assert ("usergroups:read" in texts[0]) == (code == "missing_scope")
    slack.groups[GROUP] = ["U0NEW1"]
    assert M.resolve(database, slack, s, SOURCE, VIEWS).ok
    slack.groups[GROUP] = code  # the same problem again, after it was fixed: a new report
    assert len(M.resolve(database, slack, s, SOURCE, VIEWS).reports) == 2


def test_statuses_say_how_many_and_what_went_wrong(database):
    slack, s = Directory(), settings(members_channel="C0MEMBERS")
    slack.groups[GROUP] = ["U0NEW1", "U0NEW2"]
    slack.channels["C0MEMBERS"] = "channel_not_found"
    M.resolve(database, slack, s, SOURCE, VIEWS)
    M.resolve(database, slack, s, M.channel_source("C0MEMBERS"), VIEWS)
    found = M.statuses(database, s)
    assert (found[SOURCE].members, found[SOURCE].problem) == (2, None) and found[SOURCE].resolved_at is not None
    assert found["channel:C0MEMBERS"] == M.SourceStatus(0, None, "channel_not_found")


def test_an_empty_answer_never_empties_a_team(database):
    slack, s = Directory(), settings()
    slack.groups[GROUP] = ["U0NEW1", "U0NEW2"]
    M.resolve(database, slack, s, SOURCE, VIEWS)
    slack.groups[GROUP] = []
    done = M.resolve(database, slack, s, SOURCE, VIEWS)
    assert (done.ok, done.problem, done.members, len(done.reports)) == (False, M.EMPTY, 2, 2)
    assert M.MemberCache(database).by_team(s)["early-help"] == {"U0NEW1", "U0NEW2"}


def test_a_temporary_failure_is_retried_soon_and_reported_to_no_one(database):
    slack, s, now = Directory(), settings(), utcnow()
    slack.groups[GROUP] = "ratelimited"
    done = M.resolve(database, slack, s, SOURCE, VIEWS, now)
    assert not done.ok and done.reports == () and alerts(database) == []
    assert due_sources(database, s, now + timedelta(seconds=30)) == []
    assert due_sources(database, s, now + M.RETRY_TEMPORARY) == [SOURCE]


# --- events -----------------------------------------------------------------------------------

def test_deltas_apply_once_and_a_late_older_event_does_not_undo_a_newer_one(database):
    slack, s, clock = Directory(), settings(), Clock()
    cache = M.MemberCache(database, poll_seconds=0, clock=clock)
    assert M.apply_delta(database, SOURCE, ["U0NEW1"], [], 100.0) is False  # never resolved: resolve instead
    slack.groups[GROUP] = ["U0NEW1"]
    M.resolve(database, slack, s, SOURCE, VIEWS)
    t = 4_000_000_000.0  # after the resolution's own time
    assert M.apply_delta(database, SOURCE, ["U0NEW2"], ["U0NEW1"], t)
    assert M.apply_delta(database, SOURCE, ["U0NEW2"], ["U0NEW1"], t)  # Slack's repeat, a new event id
    assert cache.by_team(s)["early-help"] == {"U0NEW2"}
    assert M.apply_delta(database, SOURCE, ["U0NEW1"], ["U0NEW2"], t - 10)  # an older change, arriving late
    assert cache.by_team(s)["early-help"] == {"U0NEW2"}
    assert M.apply_delta(database, SOURCE, [], ["U0NEW2"], t + 1)
    assert "early-help" not in cache.by_team(s)
    with database.read_only() as session:
        assert session.get(MembershipSource, SOURCE).version == 3  # resolve, first delta, removal: repeats wrote nothing


# --- the schedule ---------------------------------------------------------------------------

def test_the_refresh_resolves_what_is_due_and_checks_the_leads_once_per_period(database):
    slack, s, now = Directory(), settings(members_channel="C0MEMBERS"), utcnow()
    slack.groups[GROUP] = ["U0NEW1"]
    slack.channels["C0MEMBERS"] = ["U0NEW3", "U0BOT"]
    assert users_check_due(database, now) and not users_check_due(database, now)
    done = refresh_due(database, slack, s, VIEWS, now, check_users=True)
    assert (done.resolved, done.failed, done.users_checked) == (2, 0, 4)
    assert refresh_due(database, slack, s, VIEWS, now + timedelta(minutes=5), check_users=False).resolved == 0
    assert refresh_due(database, slack, s, VIEWS, now + M.REFRESH_EVERY, check_users=False).resolved == 2
    assert users_check_due(database, now + M.REFRESH_EVERY)
    assert M.MemberCache(database).by_team(s)["early-help"] == {"U0NEW1", "U0NEW3", "U0BOT"}


def test_a_source_no_team_names_is_forgotten_and_resolved_afresh_when_named_again(database):
    slack, now = Directory(), utcnow()
    slack.groups[GROUP] = ["U0NEW1"]
    refresh_due(database, slack, settings(), VIEWS, now, check_users=False)
    unnamed = settings(members_usergroup=None)
    refresh_due(database, slack, unnamed, VIEWS, now, check_users=False)
    assert M.apply_delta(database, SOURCE, ["U0NEW2"], [], 4_000_000_000.0) is False  # no longer known
    assert due_sources(database, settings(), now) == [SOURCE]


# --- deactivated leads ----------------------------------------------------------------------

def test_a_deactivated_lead_is_reported_to_each_admin_once_per_deactivation(database):
    s = settings()
    first = note_user(database, s, "U0LEAD1", True, VIEWS)
    assert sorted(r.args["channel"] for r in first) == ["U0ADMIN1", "U0ADMIN2"]
    text = first[0].args["blocks"][0]["text"]["text"]
    assert "<@U0LEAD1>" in text and "*Early Help*" in text and "only safeguarding lead" in text and "Home tab" in text
    assert note_user(database, s, "U0LEAD1", True, VIEWS) == []  # the event again
    assert note_user(database, s, "U0LEAD1", False, VIEWS) == []  # reactivated
    assert len(note_user(database, s, "U0LEAD1", True, VIEWS, utcnow() + timedelta(seconds=5))) == 2  # and gone again
    assert note_user(database, s, "U0PRACT1", True, VIEWS) == []  # not a lead: nothing to fix
    assert len(alerts(database)) == 4


def test_a_deactivated_admin_who_deputises_is_not_told_of_it(database):
    raw = settings().model_dump()
    raw["teams"][0]["deputies"] = ["U0ADMIN2"]
    rows = note_user(database, Settings(**raw), "U0ADMIN2", True, VIEWS)
    assert [r.args["channel"] for r in rows] == ["U0ADMIN1"]
    assert "deputy of *Early Help*" in rows[0].args["blocks"][0]["text"]["text"]


def test_the_scheduled_check_finds_a_deactivation_the_events_missed(database):
    slack, s, now = Directory(), settings(), utcnow()
    slack.groups[GROUP] = ["U0NEW1"]
    slack.deactivated = {"U0DEP2"}
    done = refresh_due(database, slack, s, VIEWS, now, check_users=True)
    assert len(done.reports) == 2
    assert refresh_due(database, slack, s, VIEWS, now + M.REFRESH_EVERY, check_users=True).reports == []
    with database.read_only() as session:
        assert session.scalars(select(DeactivatedLead.user_id)).all() == ["U0DEP2"]
