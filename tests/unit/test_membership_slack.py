"""bot.slack_directory against the fake Slack Web API: user groups, paged channel members,
deactivated users, and Slack's refusals as DirectoryError codes."""
from __future__ import annotations

import pytest

from bot.membership import DirectoryError
from bot.slack_directory import PAGE, SlackDirectory
from bot.slack_messenger import make_client
from tests.conftest import BOT_TOKEN


@pytest.fixture
def directory(fake_slack):
    fake_slack.reset()
    yield SlackDirectory(make_client(BOT_TOKEN, fake_slack.url))
    fake_slack.reset()


def test_a_user_groups_members(directory, fake_slack):
    fake_slack.set_usergroup("S0EARLY", ["U0NEW1", "W0NEW2"], name="Early Help team")
    assert directory.usergroup_members("S0EARLY") == ["U0NEW1", "W0NEW2"]
    assert fake_slack.calls_to("usergroups.users.list")[0].args["usergroup"] == "S0EARLY"


@pytest.mark.parametrize("setup, code", [
    (lambda f: None, "no_such_subteam"),
    (lambda f: f.set_usergroup("S0EARLY", ["U0NEW1"], disabled=True), "no_such_subteam"),
    (lambda f: f.missing_scopes.add("usergroups:read"), "missing_scope"),
])
def test_a_group_slack_will_not_list_is_an_error_with_its_code(directory, fake_slack, setup, code):
    setup(fake_slack)
    with pytest.raises(DirectoryError) as err:
        directory.usergroup_members("S0EARLY")
    assert err.value.code == code


def test_channel_members_are_read_across_every_page(directory, fake_slack):
    people = [f"U0P{i:04d}" for i in range(PAGE * 2 + 50)]
    fake_slack.channel_members["C0MEMBERS"] = people
    assert directory.channel_members("C0MEMBERS") == people
    calls = fake_slack.calls_to("conversations.members")
    assert len(calls) == 3 and "cursor" not in calls[0].args and calls[1].args.get("cursor")


def test_a_channel_slack_will_not_show_is_an_error(directory):
    with pytest.raises(DirectoryError) as err:
        directory.channel_members("C0NOTHERE")
    assert err.value.code == "channel_not_found"


def test_deactivated_and_unknown_users_are_gone(directory, fake_slack):
    fake_slack.deactivated.add("U0LEAD1")
    fake_slack.unknown_users.add("U0GONE")
    try:
        assert directory.is_deactivated("U0LEAD1") and directory.is_deactivated("U0GONE")
        assert not directory.is_deactivated("U0LEAD2")
    finally:
        fake_slack.unknown_users.discard("U0GONE")


def test_the_workspaces_enabled_user_groups_by_name(directory, fake_slack):
    fake_slack.set_usergroup("S0B", ["U0NEW1"], name="School nurses")
    fake_slack.set_usergroup("S0A", ["U0NEW2"], name="Early help")
    fake_slack.set_usergroup("S0OLD", ["U0NEW3"], name="Archived team", disabled=True)
    assert directory.usergroups() == [{"id": "S0A", "name": "Early help", "handle": "early-help"},
                                      {"id": "S0B", "name": "School nurses", "handle": "school-nurses"}]
