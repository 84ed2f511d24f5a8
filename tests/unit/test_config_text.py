"""Change lines between configuration versions, and the start-up report on a differing file."""
from __future__ import annotations

import copy

import yaml

from bot.config import Settings
from bot.config_startup import effective_settings, file_differs
from bot.config_store import ConfigStore
from bot.config_text import change_lines, settings_yaml
from tests.conftest import TEST_CONFIG


def settings(edit=None) -> Settings:
    config = copy.deepcopy(TEST_CONFIG)
    if edit:
        edit(config)
    return Settings.model_validate(config)


def test_nothing_changed_is_no_lines():
    assert change_lines(settings(), settings()) == []


def test_long_lists_say_who_was_added_and_removed():
    old = settings(lambda c: c["teams"][0].update(members=[f"U0P{i}" for i in range(10)]))
    new = settings(lambda c: c["teams"][0].update(members=[f"U0P{i}" for i in range(1, 12)]))
    assert change_lines(old, new) == ["teams.early-help.members: added U0P10, U0P11; removed U0P0"]


def test_teams_added_removed_and_reordered_by_id():
    added = settings(lambda c: c["teams"].append({"id": "youth", "name": "Youth Service", "leads": ["U0LEAD7"]}))
    assert change_lines(settings(), added) == ["teams.youth: added (name 'Youth Service', leads U0LEAD7)"]
    assert change_lines(added, settings()) == ["teams.youth: removed (was name 'Youth Service', leads U0LEAD7)"]
    swapped = settings(lambda c: c["teams"].reverse())
    assert change_lines(settings(), swapped) == ["teams: order changed to school-nursing, early-help"]


def test_nested_settings_by_path():
    new = settings(lambda c: (c.update(local_timescales={"confirm_in_writing": {"hours": 24}}),
                              c["teams"][1].update(escalation_channel="C0ESC2")))
    assert change_lines(settings(), new) == ["teams.school-nursing.escalation_channel: (none) -> C0ESC2",
                                             "local_timescales.confirm_in_writing: (none) -> {hours: 24}"]


def test_the_yaml_reads_back_as_the_same_configuration():
    s = settings(lambda c: c.update(working_days={"closed": ["2026-12-24"]}))
    assert Settings.model_validate(yaml.safe_load(settings_yaml(s))) == s


def test_a_file_matching_no_version_is_reported_with_its_differences(database):
    store = ConfigStore(database)
    assert effective_settings(store, settings(), None) == settings()  # seeded
    store.apply(settings(lambda c: c.update(retention_days=400)), author="slack:U0ADMIN1")
    other_file = settings(lambda c: c.update(organisation="Elsewhere"))
    lines = file_differs(store, other_file, "org.yml")
    assert lines[0].startswith("org.yml differs from the configuration in the database (version 2, ")
    assert "The file matches no stored version. It differs in (file -> database):" in lines
    assert "    organisation: Elsewhere -> Testshire Children's Services" in lines
    assert "    retention_days: 2190 -> 400" in lines
    assert lines[-2:] == ["  version 2, " + lines[-2].split("version 2, ")[1], "    retention_days: 2190 -> 400"]
    assert file_differs(store, store.current(), "org.yml") == []
