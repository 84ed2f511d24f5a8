"""bot/listeners/membership.py alone: Slack's membership and user events, in process."""
from __future__ import annotations

import copy
import time

from bot.listeners import membership as listener
from bot.membership import MemberCache
from bot.config import Settings
from tests.conftest import TEST_CONFIG

CONFIG = copy.deepcopy(TEST_CONFIG)
CONFIG["teams"][1].update(members_usergroup="S0NURSES", members_channel="C0NURSES")


def until(check, timeout: float = 10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("timed out")


def members(f) -> dict:
    return MemberCache(f.deps.db).by_team(Settings(**CONFIG))


def changed(f, group: str, added=(), removed=()):
    event = {"type": "subteam_members_changed", "subteam_id": group, "date_update": int(time.time()),
             "added_users": list(added), "removed_users": list(removed)}
    assert f.slack.event(event).status == 200


def test_a_change_to_a_group_never_read_reads_it_whole(feature):
    f = feature(listener, CONFIG)
    f.fake.set_usergroup("S0NURSES", ["U0NURSE1", "U0NURSE2"])
    changed(f, "S0NURSES", added=["U0NURSE2"])
    assert until(lambda: members(f).get("school-nursing")) == {"U0NURSE1", "U0NURSE2"}
    changed(f, "S0NURSES", removed=["U0NURSE1"])  # now known: the delta alone, no call
    assert until(lambda: members(f).get("school-nursing") == {"U0NURSE2"})
    assert len(f.fake.calls_to("usergroups.users.list")) == 1


def test_changes_to_groups_and_channels_no_team_names_are_ignored(feature):
    f = feature(listener, CONFIG)
    changed(f, "S0OTHER", added=["U0NURSE1"])
    left = {"type": "member_left_channel", "user": "U0LEAD1", "channel": "C0ESC1", "channel_type": "C",
            "event_ts": f"{time.time():.6f}"}
    assert f.slack.event(left).status == 200
    time.sleep(0.5)
    assert not f.fake.calls_to("usergroups.users.list") and not f.fake.calls_to("conversations.members")
    assert members(f) == {}


def test_a_group_slack_will_not_list_is_reported_to_the_admins(feature):
    f = feature(listener, CONFIG)
    f.fake.missing_scopes.add("usergroups:read")
    changed(f, "S0NURSES", added=["U0NURSE1"])
    told = f.fake.wait_for("chat.postMessage", channel={"U0ADMIN1", "D0ADMIN1"})
    assert "usergroups:read" in str(told[0].args["blocks"])
    assert members(f) == {}  # nothing half-known written


def test_the_bot_invited_to_a_members_channel_reads_it(feature):
    f = feature(listener, CONFIG)
    f.fake.channel_members["C0NURSES"] = ["U0BOT", "U0NURSE3"]
    joined = {"type": "member_joined_channel", "user": "U0BOT", "channel": "C0NURSES", "channel_type": "G",
              "event_ts": f"{time.time():.6f}"}
    assert f.slack.event(joined).status == 200
    assert "U0NURSE3" in until(lambda: members(f).get("school-nursing"))
