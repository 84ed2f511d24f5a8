"""Team membership from Slack, end to end: the real server, signed events, the fake Slack.

School Nursing takes its members from user group S0NURSES and channel C0NURSES; Early Help
is the default team. Which team a practitioner is in shows in where their urgent request
goes: School Nursing's lead by DM (U0LEAD2), Early Help's channel (C0ESC1).
"""
from __future__ import annotations

import copy
import time

import pytest
import yaml
from sqlalchemy import create_engine, text

from tests.conftest import TEST_CONFIG, start_server
from tests.e2e.helpers import Person

GROUP, CHANNEL = "S0NURSES", "C0NURSES"
CONFIG = copy.deepcopy(TEST_CONFIG)
CONFIG["teams"][1].update(members_usergroup=GROUP, members_channel=CHANNEL)
CONFIG["admins"] = ["U0ADMIN1", "U0ADMIN2"]
NURSING_LEAD, EARLY_HELP_CHANNEL = "U0LEAD2", "C0ESC1"
CACHE_SECONDS = 2.5  # a little over the cache's poll


@pytest.fixture
def msrv(tmp_path, fake_slack, fresh_db):
    fake_slack.reset()
    fake_slack.set_usergroup(GROUP, ["U0GROUPIE", "U0LEAVER"], name="School nurses")
    fake_slack.channel_members[CHANNEL] = ["U0BOT", "U0CHANNEL1"]
    server = start_server(tmp_path / "srv", fake_slack, fresh_db, config=CONFIG)
    resolved(server)
    yield server
    server.stop()
    fake_slack.reset()


def resolved(server, since: int = 0, timeout: float = 20) -> None:
    """Wait for the scheduled refresh to ask Slack, then for every cache to read the table."""
    server.fake.wait_for("usergroups.users.list", since=since, timeout=timeout, usergroup=GROUP)
    server.fake.wait_for("conversations.members", since=since, timeout=timeout, channel=CHANNEL)
    time.sleep(CACHE_SECONDS)


def team_of(server, user: str) -> str:
    """Where this practitioner's urgent request goes: their team's lead or channel."""
    person = Person(server, user)
    first = person.start()
    mark = person.click(first, "answer_yes")  # "a child is in danger right now": urgent
    ping = server.fake.wait_for("chat.postMessage", since=mark, channel={NURSING_LEAD, EARLY_HELP_CHANNEL})[0]
    return "school-nursing" if ping.args["channel"] == NURSING_LEAD else "early-help"


def subteam_changed(server, added=(), removed=()) -> None:
    now = int(time.time())
    event = {"type": "subteam_members_changed", "subteam_id": GROUP, "team_id": "T0TEST", "date_previous_update": now - 60,
             "date_update": now, "added_users": list(added), "added_users_count": str(len(added)),
             "removed_users": list(removed), "removed_users_count": str(len(removed)), "event_ts": f"{time.time():.6f}"}
    for _ in range(2):  # Slack repeats itself, sometimes under a new event id
        assert server.slack.event(event).status == 200


def admin_dms(server, since: int, admin: str):
    return server.fake.calls_to_since("chat.postMessage", since, channel={admin, "D" + admin[1:]})


def test_a_member_of_the_teams_user_group_is_in_that_team(msrv):
    assert team_of(msrv, "U0GROUPIE") == "school-nursing"  # in the group only, not in `members`
    assert team_of(msrv, "U0CHANNEL1") == "school-nursing"  # in the members channel only
    assert team_of(msrv, "U0NOBODY") == "early-help"  # in no team: the default team, as before
    group_calls = msrv.fake.calls_to("usergroups.users.list")
    assert len(group_calls) == 1  # resolved once, on the schedule: never on a click


def test_group_and_channel_changes_take_effect_without_a_restart(msrv):
    subteam_changed(msrv, added=["U0NEWNURSE"], removed=["U0LEAVER"])
    joined = {"type": "member_joined_channel", "user": "U0JOINER", "channel": CHANNEL, "channel_type": "C",
              "team": "T0TEST", "event_ts": f"{time.time():.6f}"}
    assert msrv.slack.event(joined).status == 200
    time.sleep(CACHE_SECONDS + 0.5)
    assert team_of(msrv, "U0NEWNURSE") == "school-nursing"
    assert team_of(msrv, "U0JOINER") == "school-nursing"
    assert team_of(msrv, "U0LEAVER") == "early-help"
    subteam_changed(msrv, removed=["U0NEWNURSE"])
    left = {**joined, "type": "member_left_channel", "event_ts": f"{time.time():.6f}"}
    assert msrv.slack.event(left).status == 200
    time.sleep(CACHE_SECONDS + 0.5)
    assert team_of(msrv, "U0NEWNURSE") == "early-help"
    assert team_of(msrv, "U0JOINER") == "early-help"
    assert len(msrv.fake.calls_to("usergroups.users.list")) == 1  # the deltas needed no call to Slack


def test_a_team_pointed_at_another_group_takes_its_members_without_a_restart(msrv, tmp_path):
    msrv.fake.set_usergroup("S0NURSES2", ["U0NEWGROUP"])
    changed = copy.deepcopy(CONFIG)
    changed["teams"][1]["members_usergroup"] = "S0NURSES2"
    path = tmp_path / "changed.yml"
    path.write_text(yaml.safe_dump(changed))
    mark = msrv.fake.mark()
    msrv.cli("config", "import", str(path), "--yes")
    msrv.fake.wait_for("usergroups.users.list", since=mark, timeout=45, usergroup="S0NURSES2")  # the next round
    time.sleep(CACHE_SECONDS)
    assert team_of(msrv, "U0NEWGROUP") == "school-nursing"
    assert team_of(msrv, "U0GROUPIE") == "early-help"  # only in the group the team no longer names


def test_a_slack_error_keeps_the_old_membership_and_admins_are_told(msrv):
    msrv.fake.delete_usergroup(GROUP)  # deleted in Slack: usergroups.users.list says no_such_subteam
    mark = msrv.fake.mark()
    fifteen_minutes_on(msrv)
    resolved(msrv, since=mark, timeout=45)  # the ticker's next round (every 30 s)
    failed = msrv.fake.calls_to_since("usergroups.users.list", mark)
    assert failed[0].result == {"ok": False, "error": "no_such_subteam"}
    for admin in CONFIG["admins"]:
        msrv.fake.wait_for("chat.postMessage", since=mark, channel={admin, "D" + admin[1:]})
        told = admin_dms(msrv, 0, admin)
        assert len(told) == 1, [c.args.get("text") for c in told]
        words = str(told[0].args["blocks"])
        assert GROUP in words and "School Nursing" in words and "keep the 2 members I last knew" in words
    assert team_of(msrv, "U0GROUPIE") == "school-nursing"  # not emptied


def fifteen_minutes_on(server) -> None:
    """The refresh is due again: its last check is moved back (the time a test cannot wait)."""
    engine = create_engine(server.db_url)
    with engine.begin() as conn:
        sources = conn.execute(text("SELECT source, checked_at FROM membership_sources")).all()
        assert sources and all(checked is not None for _s, checked in sources)
        conn.execute(text("UPDATE membership_sources SET checked_at = NULL"))
    engine.dispose()


def test_a_deactivated_lead_is_reported_to_every_admin_once(msrv):
    mark = msrv.fake.mark()
    msrv.fake.deactivated.add(NURSING_LEAD)  # so the scheduled check agrees with the event
    event = {"type": "user_change", "user": {"id": NURSING_LEAD, "team_id": "T0TEST", "name": "lead.two", "deleted": True,
                                            "is_bot": False, "updated": int(time.time())}, "cache_ts": int(time.time())}
    for _ in range(2):  # delivered twice, under two event ids
        assert msrv.slack.event(event).status == 200
    for admin in CONFIG["admins"]:
        msrv.fake.wait_for("chat.postMessage", since=mark, channel={admin, "D" + admin[1:]})
    time.sleep(2)  # time for a second report, were there one
    for admin in CONFIG["admins"]:
        told = admin_dms(msrv, mark, admin)
        assert len(told) == 1
        words = str(told[0].args["blocks"])
        assert f"<@{NURSING_LEAD}>" in words and "School Nursing" in words and "Home tab" in words
        assert told[0].args.get("metadata", {}).get("event_type") == "canishare_delivery"  # the durable path
    active = {"type": "user_change", "user": {"id": "U0LEAD1", "deleted": False, "updated": int(time.time())}}
    assert msrv.slack.event(active).status == 200  # a lead's profile change: nothing to say
    time.sleep(1)
    assert len(msrv.fake.calls_to_since("chat.postMessage", mark, channel={"U0ADMIN1", "D0ADMIN1"})) == 1
