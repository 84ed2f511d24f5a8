"""bot/startup.py against the fake Slack Web API: a team's user group or members channel Slack
cannot show is a warning (membership keeps its last known members), never a reason not to start."""
from __future__ import annotations

import logging

import pytest

from bot.config import Secrets, Settings
from bot.startup import check_slack_ids
from tests.conftest import BOT_TOKEN, TEST_CONFIG
from tests.slackreq import SIGNING_SECRET


@pytest.fixture
def fake(fake_slack):
    fake_slack.reset()
    yield fake_slack
    fake_slack.reset()


def settings(**early_help) -> Settings:
    raw = {**TEST_CONFIG, "teams": [dict(TEST_CONFIG["teams"][0], **early_help), *TEST_CONFIG["teams"][1:]]}
    return Settings.model_validate(raw)


def check(fake, config: Settings, caplog) -> tuple[list[str], str]:
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="canishare.startup"):
        problems = check_slack_ids(config, Secrets(bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET,
                                                   pseudonym_key="k" * 32, app_token=None, api_url=fake.url))
    return problems, "\n".join(r.getMessage() for r in caplog.records if r.name == "canishare.startup")


def test_a_user_group_slack_does_not_know_is_a_warning(fake, caplog):
    fake.set_usergroup("S0EARLY", ["U0PRACT1"])
    problems, logged = check(fake, settings(members_usergroup="S0EARLY"), caplog)
    assert problems == [] and "S0EARLY" not in logged
    problems, logged = check(fake, settings(members_usergroup="S0DELETED"), caplog)
    assert problems == [] and "user group S0DELETED (members of early-help) does not exist" in logged
    assert "last known members" in logged
    fake.set_usergroup("S0OFF", ["U0PRACT1"], disabled=True)  # disabled: Slack answers as for a deleted group
    problems, logged = check(fake, settings(members_usergroup="S0OFF"), caplog)
    assert problems == [] and "user group S0OFF (members of early-help) does not exist or is disabled" in logged
    assert not fake.calls_to("usergroups.users.list")  # the members are the scheduled refresh's to read


def test_missing_usergroups_read_is_a_clear_warning(fake, caplog):
    fake.missing_scopes.add("usergroups:read")
    problems, logged = check(fake, settings(members_usergroup="S0EARLY"), caplog)
    assert problems == [] and "usergroups:read" in logged and "reinstall" in logged


def test_an_archived_or_unknown_members_channel_is_a_warning(fake, caplog):
    fake.archived.add("C0OLDTEAM")
    problems, logged = check(fake, settings(members_channel="C0OLDTEAM"), caplog)
    assert problems == [] and "members channel #c0oldteam (C0OLDTEAM) of early-help is archived" in logged
    fake.unknown_channels.add("C0NOWHERE")
    try:
        problems, logged = check(fake, settings(members_channel="C0NOWHERE"), caplog)
    finally:
        fake.unknown_channels.discard("C0NOWHERE")
    assert problems == [] and "members channel C0NOWHERE of early-help does not exist" in logged
    problems, logged = check(fake, settings(members_channel="C0FINE"), caplog)
    assert problems == [] and "C0FINE" not in logged
