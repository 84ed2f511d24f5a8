"""The admins' settings modals as data: what Slack submits becomes a raw settings dict, each
FieldProblem lands next to its field, and every view is one Slack would accept."""
from __future__ import annotations

import json

import pytest

from bot.config import Settings
from bot.config_store import FieldProblem, settings_problems
from bot.ids import NO_CHOICE, Action, Field, SettingsForm
from bot.settings_form import (element_value, organisation_errors, organisation_raw, submitted, team_errors, team_fields,
                                team_raw)
from bot.settings_blocks import done_view, organisation_modal, settings_section, team_modal
from slack_sdk.models.views import View
from tests.conftest import TEST_CONFIG
from tests.fakeslack import block_kit_problem

SETTINGS = Settings.model_validate(TEST_CONFIG)


def state(**blocks: dict) -> dict:
    """view.state.values as Slack sends it: block id -> action id -> element state."""
    return {block: {Action.INPUT.value: element} for block, element in blocks.items()}


# Element states in the shapes Slack sends (bolt-python's and java-slack-sdk's samples).
USERS = lambda *ids: {"type": "multi_users_select", "selected_users": list(ids)}  # noqa: E731
CHANNEL = lambda c: {"type": "conversations_select", "selected_conversation": c}  # noqa: E731
TEXT = lambda v: {"type": "plain_text_input", "value": v}  # noqa: E731
OPTION = lambda v: {"type": "static_select", "selected_option": None if v is None else  # noqa: E731
                    {"text": {"type": "plain_text", "text": v, "emoji": True}, "value": v}}
NUMBER = lambda v: {"type": "number_input", "value": v}  # noqa: E731


@pytest.mark.parametrize("element, value", [
    (USERS("U0A1", "U0A2"), ["U0A1", "U0A2"]),
    ({"type": "multi_users_select", "selected_users": []}, []),
    (CHANNEL("C0NEW"), "C0NEW"),
    ({"type": "conversations_select", "selected_conversation": None}, None),
    (TEXT("  Early Help  "), "Early Help"),
    (TEXT(None), None),
    (OPTION("hmg-2024"), "hmg-2024"),
    (OPTION(None), None),
    (OPTION(NO_CHOICE), None),
    (NUMBER("45"), "45"),
    ({"type": "timepicker", "selected_time": "08:30"}, "08:30"),
    ({"type": "datepicker", "selected_date": "2025-12-29"}, "2025-12-29"),
    ({"type": "multi_static_select", "selected_options": [{"value": "a"}, {"value": 5}]}, ["a"]),
    ({"type": "multi_users_select", "selected_users": "U0A1"}, []),  # garbled: not a list
    ("not an element", None),
])
def test_every_element_type_reads_as_slack_sends_it(element, value):
    assert element_value(element) == value


def test_a_new_team_from_the_submitted_state():
    values = submitted(state(team_id=TEXT("youth-justice"), team_name=TEXT("Youth Justice"), team_policy=OPTION(NO_CHOICE),
                             team_leads=USERS("U0NEWLEAD"), team_deputies=USERS(), team_channel=CHANNEL(None),
                             team_members=USERS("U0YJ1", "U0YJ1", "U0YJ2")))
    raw = team_raw(values, None)
    assert raw == {"id": "youth-justice", "name": "Youth Justice", "policy": None, "leads": ["U0NEWLEAD"], "deputies": [],
                   "escalation_channel": None, "members": ["U0YJ1", "U0YJ2"]}
    whole = SETTINGS.model_dump(mode="json")
    whole["teams"].append(raw)
    assert settings_problems(whole) == []


def test_an_edited_team_keeps_what_the_modal_does_not_show():
    team = SETTINGS.team("early-help")
    values = submitted(state(team_name=TEXT("Early Help North"), team_leads=USERS("U0LEAD9")))
    raw = team_raw(values, team)
    assert raw["id"] == "early-help" and raw["name"] == "Early Help North" and raw["leads"] == ["U0LEAD9"]
    assert raw["members"] == team.members and raw["escalation_channel"] == "C0ESC1"  # not in this submission


def test_problems_land_next_to_their_field_in_the_team_modal():
    whole = SETTINGS.model_dump(mode="json")
    whole["teams"].append({"id": "Bad Id!", "name": "X", "leads": [], "escalation_channel": "general"})
    problems = settings_problems(whole)
    errors = team_errors(problems, index=2, adding=True)
    assert set(errors) == {Field.TEAM_ID, Field.TEAM_LEADS, Field.TEAM_CHANNEL}
    assert "lead" in errors[Field.TEAM_LEADS]
    # editing: there is no id field, so an id problem shows under the name
    assert Field.TEAM_NAME in team_errors([FieldProblem(("teams", 0, "id"), "taken")], index=0, adding=False)
    # a problem with the whole configuration shows under the first field, never nowhere
    assert team_errors([FieldProblem((), "team ids must be unique: x")], index=1, adding=True) == {
        Field.TEAM_ID: "team ids must be unique: x"}


def test_the_organisation_modal_reads_and_maps_every_field():
    values = submitted(state(
        org_name=TEXT("Testshire"), org_policy=OPTION("hmg-2024"), org_admins=USERS("U0ADMIN1", "U0ADMIN2"),
        default_team=OPTION(NO_CHOICE), digest_channel=CHANNEL("C0DIGEST2"), digest_day=OPTION("friday"),
        digest_time={"type": "timepicker", "selected_time": "16:30"}, digest_timezone=OPTION("Europe/Dublin"),
        remind_minutes=NUMBER("30"), urgent_minutes=NUMBER("3"), calendar=OPTION("scotland"),
        closures=TEXT("2025-12-29\n2025-12-30, 2025-12-31"), retention_days=NUMBER("3650")))
    raw = organisation_raw(values, SETTINGS)
    new = Settings.model_validate(raw)
    assert (new.organisation, new.policy, new.admins, new.default_team) == ("Testshire", "hmg-2024", ["U0ADMIN1", "U0ADMIN2"], None)
    assert (new.digest.channel, new.digest.day, new.digest.time, new.digest.timezone) == ("C0DIGEST2", "friday", "16:30", "Europe/Dublin")
    assert (new.escalation.remind_after_minutes, new.escalation.urgent_remind_after_minutes) == (30, 3)
    assert new.working_days.calendar == "scotland" and [d.isoformat() for d in new.working_days.closed] == [
        "2025-12-29", "2025-12-30", "2025-12-31"]
    assert new.retention_days == 3650 and new.teams == SETTINGS.teams


def test_organisation_problems_land_next_to_their_field():
    values = submitted(state(remind_minutes=NUMBER("0"), closures=TEXT("2025-13-45"), digest_timezone=OPTION("Mars/Base"),
                             retention_days=NUMBER("ten")))
    errors = organisation_errors(settings_problems(organisation_raw(values, SETTINGS)))
    assert set(errors) == {Field.REMIND_MINUTES, Field.CLOSURES, Field.DIGEST_TIMEZONE, Field.RETENTION_DAYS}
    assert organisation_errors([FieldProblem(("admins",), "at least one admin")]) == {Field.ORG_ADMINS: "at least one admin"}
    assert organisation_errors([FieldProblem((), "default_team 'x' is not one of the teams")]) == {
        Field.ORG_NAME: "default_team 'x' is not one of the teams"}


def _problem(method: str, view: View) -> str | None:
    return block_kit_problem(method, {"view": view.to_dict()})


def test_every_settings_view_is_one_slack_accepts():
    big = SETTINGS.model_dump(mode="json")
    big["teams"] = [{"id": f"team-{i}", "name": f"Team {i} " + "x" * 60, "leads": [f"U0L{i:03d}"] * 1,
                     "members": [f"U0M{j:04d}" for j in range(200)]} for i in range(60)]
    big["default_team"] = "team-0"
    many = Settings.model_validate(big)
    groups = [(f"S0G{i:03d}", f"Group {i} with a long name " + "y" * 80) for i in range(150)]
    for view in (team_modal(SETTINGS, None, 1, None), team_modal(SETTINGS, SETTINGS.teams[0], 1, groups),
                 team_modal(many, many.teams[3], None, []), organisation_modal(SETTINGS, 4), organisation_modal(many, None),
                 done_view("Saved as a very long title indeed", "Team <x> & co added.")):
        assert _problem("views.open", view) is None
    for settings in (SETTINGS, many):
        home = View(type="home", blocks=settings_section(settings, 7, "slack:U0ADMIN1"))
        assert _problem("views.publish", home) is None and len(home.blocks) < 50


def test_the_team_modal_carries_its_team_and_offers_only_fields_the_configuration_has():
    view = team_modal(SETTINGS, SETTINGS.team("early-help"), 5, None).to_dict()
    assert SettingsForm.decode(view["private_metadata"]) == SettingsForm("early-help", 5)
    ids = [b.get("block_id") for b in view["blocks"]]
    assert Field.TEAM_ID not in ids and Field.TEAM_LEADS in ids and Field.TEAM_CHANNEL in ids
    assert (Field.TEAM_USERGROUP in ids) == ("members_usergroup" in team_fields())
    leads = next(b for b in view["blocks"] if b.get("block_id") == Field.TEAM_LEADS)
    assert leads["element"]["type"] == "multi_users_select" and leads["element"]["initial_users"] == ["U0LEAD1"]
    channel = next(b for b in view["blocks"] if b.get("block_id") == Field.TEAM_CHANNEL)["element"]
    assert channel["type"] == "conversations_select" and channel["initial_conversation"] == "C0ESC1" and channel["filter"]
    remove = [e for b in view["blocks"] for e in b.get("elements", []) if e.get("action_id") == Action.SETTINGS_TEAM_REMOVE]
    assert remove and remove[0]["confirm"]["confirm"]["text"] == "Remove"
    added = team_modal(SETTINGS, None, 5, None).to_dict()
    assert Field.TEAM_ID in [b.get("block_id") for b in added["blocks"]]
    assert "settings_team_remove" not in json.dumps(added)


@pytest.mark.parametrize("value", ["not json", "[]", json.dumps({"t": 5}), json.dumps({"t": "x", "v": "7"}),
                                   json.dumps({"t": "", "v": 1}), None])
def test_a_forged_form_is_refused(value):
    from bot.ids import BadValue
    with pytest.raises(BadValue):
        SettingsForm.decode(value)


def test_what_happened_names_people_channels_and_groups_and_nothing_else():
    text = done_view("Saved", "Team <b> added: leads U0YJLEAD, channel C0YJESC, group S0YOUTH; CSV EXPORT kept").to_dict()
    shown = text["blocks"][0]["text"]["text"]
    assert "<@U0YJLEAD>" in shown and "<#C0YJESC>" in shown and "<!subteam^S0YOUTH>" in shown
    assert "&lt;b&gt;" in shown and "CSV EXPORT" in shown
