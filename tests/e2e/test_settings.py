"""Admins set canishare up in the App Home, over signed HTTP through the real server: teams,
leads and the organisation's settings, validated next to each field, versioned with their
author, and in force for the next escalation without a restart."""
from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
import yaml

from tests.conftest import base_database_url, start_server
from tests.e2e.helpers import Person
from tests.e2e.test_admin import open_home
from tests.slackreq import Reply, buttons

ADMIN = "U0ADMIN1"


def home_click(server, user: str, home: dict, action_id: str, value: str | None = None) -> int:
    """Click a button in the App Home, as Slack sends it (the container is the Home view)."""
    element, block_id = next((e, b.get("block_id")) for b in home["blocks"]
                             for e in b.get("elements", []) + [b.get("accessory") or {}]
                             if e.get("action_id") == action_id and (value is None or e.get("value") == value))
    mark = server.fake.mark()
    payload = {
        "type": "block_actions", "user": {"id": user, "username": "someone", "team_id": "T0TEST"}, "api_app_id": "A0APP",
        "token": "legacy", "team": {"id": "T0TEST", "domain": "test"}, "container": {"type": "view", "view_id": "V0HOME"},
        "trigger_id": f"trig-{uuid.uuid4().hex[:8]}", "view": {"id": "V0HOME", "type": "home", "blocks": home["blocks"]},
        "actions": [{"action_id": action_id, "block_id": block_id, "type": "button", "value": element["value"],
                     "action_ts": f"{time.time():.6f}"}],
    }
    assert server.slack.send_form({"payload": json.dumps(payload)}).status == 200
    return mark


def opened(server, user: str, home: dict, action_id: str, value: str | None = None) -> dict:
    mark = home_click(server, user, home, action_id, value)
    return server.fake.wait_for("views.open", since=mark)[0].args["view"]


def element_state(element: dict, value: Any) -> dict:
    """One input's state in a view_submission, in the shape Slack sends for its type."""
    kind = element["type"]
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": list(value or [])}
    if kind == "conversations_select":
        return {"type": kind, "selected_conversation": value}
    if kind == "static_select":
        return {"type": kind, "selected_option": {"text": {"type": "plain_text", "text": value}, "value": value} if value else None}
    if kind == "timepicker":
        return {"type": kind, "selected_time": value}
    return {"type": kind, "value": value}  # plain_text_input, number_input


def initial(element: dict) -> Any:
    for key in ("initial_users", "initial_conversation", "initial_time", "initial_value"):
        if key in element:
            return element[key]
    option = element.get("initial_option")
    return option["value"] if option else None


def submit(server, user: str, view: dict, changes: dict[str, Any]) -> Reply:
    """Submit a modal as Slack does: every input's state, as opened unless `changes` says otherwise."""
    values = {}
    for block in view["blocks"]:
        if block["type"] == "input":
            element = block["element"]
            value = changes[block["block_id"]] if block["block_id"] in changes else initial(element)
            values[block["block_id"]] = {element["action_id"]: element_state(element, value)}
    payload = {
        "type": "view_submission", "team": {"id": "T0TEST", "domain": "test"},
        "user": {"id": user, "username": "someone", "team_id": "T0TEST"}, "api_app_id": "A0APP", "token": "legacy",
        "trigger_id": f"trig-{uuid.uuid4().hex[:8]}",
        "view": {**view, "id": "V0MODAL", "team_id": "T0TEST", "state": {"values": values}, "hash": "h", "app_id": "A0APP"},
    }
    reply = server.slack.send_form({"payload": json.dumps(payload)})
    assert reply.status == 200, reply
    return reply


def exported(server) -> str:
    return server.cli("config", "export").stdout


def new_team(**changes: Any) -> dict[str, Any]:
    return {"team_id": "youth-justice", "team_name": "Youth Justice", "team_leads": ["U0YJLEAD"],
            "team_members": ["U0YJPRACT"], "team_channel": "C0YJESC", **changes}


def test_an_admin_adds_a_team_and_its_lead_gets_the_next_escalation_without_a_restart(server):
    server.fake.set_usergroup("S0YOUTH", ["U0YJGROUPIE"], name="Youth justice workers")
    home = open_home(server, ADMIN)
    assert "Settings (admins)" in json.dumps(home["blocks"])
    assert {"settings_team_add", "settings_org_edit", "settings_team_edit"} <= set(buttons(home["blocks"]))
    view = opened(server, ADMIN, home, "settings_team_add")
    assert view["callback_id"] == "settings_team"
    kinds = {b["block_id"]: b["element"]["type"] for b in view["blocks"] if b["type"] == "input"}
    assert kinds["team_leads"] == "multi_users_select" and kinds["team_channel"] == "conversations_select"
    groups = next(b for b in view["blocks"] if b["block_id"] == "team_usergroup")["element"]  # from usergroups.list
    assert groups["type"] == "static_select" and "S0YOUTH" in [o["value"] for o in groups["options"]]

    mark = server.fake.mark()
    reply = submit(server, ADMIN, view, new_team(team_members=[], team_usergroup="S0YOUTH"))
    answer = reply.json()
    assert answer["response_action"] == "update", answer
    told = json.dumps(answer["view"])
    assert "Team Youth Justice added" in told and "version" in told
    version = int(told.split("version ")[1].split(".")[0])
    republished = server.fake.wait_for("views.publish", since=mark, user_id=ADMIN)[0].args["view"]
    assert "Youth Justice" in json.dumps(republished["blocks"]) and f"version {version}" in json.dumps(republished["blocks"])
    assert server.fake.calls_to_since("conversations.info", mark, channel="C0YJESC")  # the bot checked it is a member

    # The group is asked at once, not at the next scheduled refresh; each process reads it within seconds.
    server.fake.wait_for("usergroups.users.list", since=mark, usergroup="S0YOUTH")
    time.sleep(2.5)
    # A practitioner of the new team (through its user group) asks; the ping goes to the new
    # lead, with no restart in between.
    practitioner = Person(server, "U0YJGROUPIE")
    mark = server.fake.mark()
    outcome = practitioner.walk(["no", "not_sure"])
    assert "<@U0YJLEAD>" in json.dumps(outcome["blocks"])
    ping = server.fake.wait_for("chat.postMessage", since=mark, channel="C0YJESC")[0]
    assert "<@U0YJLEAD>" in ping.args["text"] and "<@U0YJGROUPIE>" in json.dumps(ping.args["blocks"])
    assert not server.fake.calls_to_since("chat.postMessage", mark, channel={"C0ESC1", "U0LEAD1"})

    config = exported(server)
    team = next(t for t in yaml.safe_load(config)["teams"] if t["id"] == "youth-justice")
    assert team["leads"] == ["U0YJLEAD"] and team["members_usergroup"] == "S0YOUTH" and team["escalation_channel"] == "C0YJESC"
    header = config.splitlines()[0]
    assert f"version {version}" in header and f"by slack:{ADMIN}" in header, header  # the change, with its author


def teams_in(server) -> list[str]:
    return [t["id"] for t in yaml.safe_load(exported(server))["teams"]]


def test_bad_values_come_back_next_to_their_field_and_change_nothing(server):
    server.fake.not_member.add("C0NOTIN")
    before = exported(server)
    view = opened(server, ADMIN, open_home(server, ADMIN), "settings_team_add")
    errors = submit(server, ADMIN, view, new_team(team_id="Bad Id", team_leads=[], team_channel="C0NOTIN")).json()
    assert errors["response_action"] == "errors", errors
    assert set(errors["errors"]) >= {"team_id", "team_leads", "team_channel"}
    assert "/invite @canishare in #c0notin" in errors["errors"]["team_channel"]
    assert "lead" in errors["errors"]["team_leads"]
    server.fake.unknown_channels.add("C0PRIVATE")  # a private channel the bot is not in: Slack says channel_not_found
    try:
        errors = submit(server, ADMIN, view, new_team(team_id="fostering", team_channel="C0PRIVATE")).json()["errors"]
    finally:
        server.fake.unknown_channels.discard("C0PRIVATE")
    assert set(errors) == {"team_channel"} and "/invite @canishare" in errors["team_channel"]
    errors = submit(server, ADMIN, view, new_team(team_id="early-help")).json()["errors"]  # an id already taken
    assert "team_id" in errors and "early-help" in errors["team_id"]
    assert exported(server) == before


def test_a_non_admin_is_refused_and_nothing_changes(server):
    before = exported(server)
    admin_home = open_home(server, ADMIN)
    view = opened(server, ADMIN, admin_home, "settings_team_edit", "early-help")
    reply = submit(server, "U0PRACT1", view, {"team_leads": ["U0PRACT1"]}).json()
    assert reply["response_action"] == "errors" and "Only canishare admins" in json.dumps(reply["errors"])
    mark = home_click(server, "U0PRACT2", admin_home, "settings_team_add")
    note = server.fake.wait_for("chat.postMessage", since=mark, channel="U0PRACT2")[0]
    assert "Only canishare admins" in json.dumps(note.args)
    assert not server.fake.calls_to_since("views.open", mark)
    assert exported(server) == before
    assert "settings_team_add" not in buttons(open_home(server, "U0PRACT1")["blocks"])


def test_removing_the_last_admin_is_refused_next_to_the_admins(server):
    before = exported(server)
    view = opened(server, ADMIN, open_home(server, ADMIN), "settings_org_edit")
    kinds = {b["block_id"]: b["element"]["type"] for b in view["blocks"] if b["type"] == "input"}
    assert kinds["org_admins"] == "multi_users_select" and kinds["digest_time"] == "timepicker"
    assert kinds["remind_minutes"] == "number_input" and kinds["calendar"] == "static_select"
    reply = submit(server, ADMIN, view, {"org_admins": []}).json()
    assert reply["response_action"] == "errors" and "org_admins" in reply["errors"], reply
    assert exported(server) == before
    reply = submit(server, ADMIN, view, {"org_admins": [ADMIN, "U0ADMIN2"]}).json()  # another admin: fine
    assert reply["response_action"] == "update" and "version" in json.dumps(reply["view"]), reply
    assert yaml.safe_load(exported(server))["admins"] == [ADMIN, "U0ADMIN2"]


def test_when_slack_will_not_open_the_form_the_admin_is_told(server):
    home = open_home(server, ADMIN)
    server.fake.fail("views.open", error="expired_trigger_id")
    mark = home_click(server, ADMIN, home, "settings_org_edit")
    note = server.fake.wait_for("chat.postMessage", since=mark, channel=ADMIN)[0]
    assert "wouldn't open the settings form" in json.dumps(note.args) and "Traceback" not in json.dumps(note.args)


def modal_click(server, user: str, view: dict, action_id: str) -> int:
    """Click a button inside an open modal (Slack has already asked the confirm dialog)."""
    element, block_id = next((e, b.get("block_id")) for b in view["blocks"] for e in b.get("elements", [])
                             if e.get("action_id") == action_id)
    mark = server.fake.mark()
    payload = {
        "type": "block_actions", "user": {"id": user, "username": "someone", "team_id": "T0TEST"}, "api_app_id": "A0APP",
        "token": "legacy", "team": {"id": "T0TEST", "domain": "test"}, "container": {"type": "view", "view_id": "V0MODAL"},
        "trigger_id": f"trig-{uuid.uuid4().hex[:8]}",
        "view": {**view, "id": "V0MODAL", "state": {"values": {}}, "hash": "h"},
        "actions": [{"action_id": action_id, "block_id": block_id, "type": "button", "value": element["value"],
                     "action_ts": f"{time.time():.6f}"}],
    }
    assert server.slack.send_form({"payload": json.dumps(payload)}).status == 200
    return mark


def test_an_admin_removes_a_team_from_its_modal(server):
    view = opened(server, ADMIN, open_home(server, ADMIN), "settings_team_edit", "school-nursing")
    remove = next(e for b in view["blocks"] for e in b.get("elements", []) if e.get("action_id") == "settings_team_remove")
    assert remove["confirm"]["style"] == "danger"
    mark = modal_click(server, ADMIN, view, "settings_team_remove")
    told = json.dumps(server.fake.wait_for("views.update", since=mark, view_id="V0MODAL")[0].args["view"])
    assert "School Nursing removed" in told and "version" in told
    home = server.fake.wait_for("views.publish", since=mark, user_id=ADMIN)[0].args["view"]
    assert "School Nursing" not in json.dumps(home["blocks"])
    assert "school-nursing" not in teams_in(server)
    # the default team cannot go: the modal says why, and it stays
    view = opened(server, ADMIN, open_home(server, ADMIN), "settings_team_edit", "early-help")
    mark = modal_click(server, ADMIN, view, "settings_team_remove")
    told = json.dumps(server.fake.wait_for("views.update", since=mark, view_id="V0MODAL")[0].args["view"])
    assert "default team" in told and "early-help" in teams_in(server)


def test_a_team_with_open_escalations_is_not_removed(server):
    if "youth-justice" not in teams_in(server):  # run alone: make the team and its open request here
        test_an_admin_adds_a_team_and_its_lead_gets_the_next_escalation_without_a_restart(server)
    view = opened(server, ADMIN, open_home(server, ADMIN), "settings_team_edit", "youth-justice")
    mark = modal_click(server, ADMIN, view, "settings_team_remove")
    told = json.dumps(server.fake.wait_for("views.update", since=mark, view_id="V0MODAL")[0].args["view"])
    assert "open escalation" in told and "Not removed" in told
    assert "youth-justice" in teams_in(server)


def test_with_more_user_groups_than_a_menu_holds_the_handle_is_typed(server):
    for i in range(120):
        server.fake.set_usergroup(f"S0MANY{i:03d}", [], name=f"Group {i:03d}")
    server.fake.set_usergroup("S0FOSTER", ["U0FOSTER1"], name="Fostering social workers")
    view = opened(server, ADMIN, open_home(server, ADMIN), "settings_team_add")
    group = next(b for b in view["blocks"] if b["block_id"] == "team_usergroup")["element"]
    assert group["type"] == "plain_text_input"
    handle = server.fake.usergroups["S0FOSTER"]["handle"]
    reply = submit(server, ADMIN, view, new_team(team_id="fostering", team_name="Fostering", team_channel=None,
                                                 team_members=[], team_usergroup=f"@{handle}")).json()
    assert reply["response_action"] == "update", reply
    team = next(t for t in yaml.safe_load(exported(server))["teams"] if t["id"] == "fostering")
    assert team["members_usergroup"] == "S0FOSTER"
    bad = submit(server, ADMIN, view, new_team(team_id="fostering-2", team_name="F2", team_channel=None,
                                               team_usergroup="@nobody-has-this")).json()
    assert bad["response_action"] == "errors" and "team_usergroup" in bad["errors"], bad


def test_a_lead_or_deputy_slack_says_cannot_be_pinged_is_refused_next_to_the_field(server):
    before = exported(server)
    server.fake.bots.add("U0BOTLEAD")
    server.fake.deactivated.add("U0GONEDEP")
    server.fake.unknown_users.add("U0ELSEWHERE")
    try:
        view = opened(server, ADMIN, open_home(server, ADMIN), "settings_team_edit", "early-help")
        mark = server.fake.mark()
        reply = submit(server, ADMIN, view, {"team_leads": ["U0LEAD1", "U0BOTLEAD"],
                                             "team_deputies": ["U0DEP1", "U0GONEDEP"]}).json()
        assert reply["response_action"] == "errors", reply
        assert set(reply["errors"]) == {"team_leads", "team_deputies"}, reply
        assert "<@U0BOTLEAD> is a bot" in reply["errors"]["team_leads"]
        assert "<@U0GONEDEP> has been deactivated" in reply["errors"]["team_deputies"]
        asked = sorted(c.args["user"] for c in server.fake.calls_to_since("users.info", mark))
        assert asked == ["U0BOTLEAD", "U0GONEDEP"]  # only the new people, once each
        reply = submit(server, ADMIN, view, {"team_leads": ["U0ELSEWHERE"]}).json()
        assert "not in this Slack workspace" in reply["errors"]["team_leads"], reply
        assert exported(server) == before
        # Slack failing otherwise does not hold up an urgent lead change: accepted unchecked.
        server.fake.fail("users.info", error="internal_error")
        reply = submit(server, ADMIN, view, {"team_leads": ["U0LEAD1", "U0STANDIN"]}).json()
        assert reply["response_action"] == "update", reply
        assert yaml.safe_load(exported(server))["teams"][0]["leads"] == ["U0LEAD1", "U0STANDIN"]
        view = opened(server, ADMIN, open_home(server, ADMIN), "settings_team_edit", "early-help")
        assert submit(server, ADMIN, view, {"team_leads": ["U0LEAD1"]}).json()["response_action"] == "update"
    finally:
        server.fake.bots.discard("U0BOTLEAD")
        server.fake.deactivated.discard("U0GONEDEP")
        server.fake.unknown_users.discard("U0ELSEWHERE")


def test_every_admins_home_is_republished_after_a_save(server):
    view = opened(server, ADMIN, open_home(server, ADMIN), "settings_org_edit")
    if "U0ADMIN2" not in initial(next(b for b in view["blocks"] if b["block_id"] == "org_admins")["element"]):
        assert submit(server, ADMIN, view, {"org_admins": [ADMIN, "U0ADMIN2"]}).json()["response_action"] == "update"
    view = opened(server, "U0ADMIN2", open_home(server, "U0ADMIN2"), "settings_org_edit")
    minutes = int(initial(next(b for b in view["blocks"] if b["block_id"] == "remind_minutes")["element"]))
    mark = server.fake.mark()
    reply = submit(server, "U0ADMIN2", view, {"remind_minutes": str(minutes + 1)}).json()
    assert reply["response_action"] == "update", reply
    version = json.dumps(reply["view"]).split("version ")[1].split(".")[0]
    for admin in ("U0ADMIN2", ADMIN):  # the saver and the other admin, who did not open anything
        home = server.fake.wait_for("views.publish", since=mark, user_id=admin)[0].args["view"]
        assert f"version {version}" in json.dumps(home["blocks"]), admin


@pytest.mark.skipif(base_database_url() is None, reason="several workers need PostgreSQL; runs in the PostgreSQL pass")
def test_every_worker_routes_to_the_new_lead_within_seconds(tmp_path, fake_slack, fresh_db):
    fake_slack.reset()
    srv = start_server(tmp_path / "srv", fake_slack, fresh_db, extra_args=("--workers", "2"))
    try:
        view = opened(srv, ADMIN, open_home(srv, ADMIN), "settings_team_edit", "early-help")
        reply = submit(srv, ADMIN, view, {"team_leads": ["U0NEWLEAD1"]}).json()
        assert reply["response_action"] == "update", reply
        time.sleep(2.5)  # each worker's store looks for a new version at most every 2 seconds
        for i in range(6):  # the requests land on either worker
            mark = srv.fake.mark()
            Person(srv, f"U0PRACT{i % 2 + 1}").walk(["no", "not_sure"])
            ping = srv.fake.wait_for("chat.postMessage", since=mark, channel="C0ESC1")[0]
            assert "<@U0NEWLEAD1>" in ping.args["text"] and "<@U0LEAD1>" not in ping.args["text"], ping.args["text"]
    finally:
        srv.stop()
        fake_slack.reset()
