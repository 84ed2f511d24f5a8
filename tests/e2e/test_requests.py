"""Every request answered right (issue 13): no 5xx for any header bytes, 200 for what the
app does not use, removal from the workspace, Enterprise Grid, ownership of the message a
click rewrites, wrong-typed values, expired triggers, App Home notes, and "thanks"."""
from __future__ import annotations

import http.client
import json
import time
import uuid

import pytest

from tests.conftest import start_server
from tests.e2e.helpers import Person, node_of
from tests.slackreq import sign


def raw_post(server, body: bytes, headers: list[tuple[bytes, bytes]]) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.putrequest("POST", "/slack/events")
        conn.putheader(b"Content-Type", b"application/json")
        conn.putheader(b"Content-Length", str(len(body)).encode())
        for name, value in headers:
            conn.putheader(name, value)
        conn.endheaders(body)
        return conn.getresponse().status
    finally:
        conn.close()


@pytest.mark.parametrize("signature, timestamp", [
    (b"v0=\xe9\xff" + b"a" * 60, str(int(time.time())).encode()),  # a non-ASCII byte in the signature
    (b"v0=" + b"0" * 64, b"9" * 400),                               # a 400-digit timestamp
    (b"v0=" + b"0" * 64, b"\xe9" * 3),
    (b"v0=" + b"f" * 5000, b"1"),
    (b"", b""),
])
def test_any_signature_or_timestamp_bytes_get_401(server, signature, timestamp):
    status = raw_post(server, b'{"type":"event_callback"}', [(b"X-Slack-Signature", signature),
                                                              (b"X-Slack-Request-Timestamp", timestamp)])
    assert status == 401


def test_a_header_that_is_not_http_at_all_is_a_4xx_not_a_5xx(server):
    # A NUL byte makes it no longer HTTP; gunicorn refuses it before the app sees it.
    status = raw_post(server, b"{}", [(b"X-Slack-Signature", b"\x00" * 50), (b"X-Slack-Request-Timestamp", b"1")])
    assert 400 <= status < 500


def test_events_the_app_does_not_use_get_200(server):
    assert server.slack.event({"type": "reaction_added", "user": "U0PRACT1", "reaction": "thumbsup"}).status == 200
    rate_limited = {"token": "legacy", "type": "app_rate_limited", "team_id": "T0TEST", "minute_rate_limited": 1518467820,
                    "api_app_id": "A0APP"}
    assert server.slack.send_json(rate_limited).status == 200
    view_closed = {"type": "view_closed", "team": {"id": "T0TEST"}, "user": {"id": "U0PRACT1", "team_id": "T0TEST"},
                   "api_app_id": "A0APP", "token": "legacy", "is_cleared": False,
                   "view": {"id": "V0VIEW", "callback_id": "something_else", "type": "modal", "team_id": "T0TEST"}}
    assert server.slack.send_form({"payload": json.dumps(view_closed)}).status == 200


def test_app_uninstalled_stops_work_for_the_workspace(srv):
    assert srv.slack.event({"type": "app_uninstalled"}).status == 200
    mark = srv.fake.mark()
    assert srv.slack.command("U0PRACT1").status == 200
    time.sleep(2)
    assert not srv.fake.calls_to_since("chat.postMessage", mark, channel={"U0PRACT1", "D0PRACT1"})
    assert "uninstalled" in srv.log()


def test_tokens_revoked_stops_work_and_tells_the_admins_if_it_can(srv):
    mark = srv.fake.mark()
    reply = srv.slack.event({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0BOT"]}})
    assert reply.status == 200
    srv.fake.wait_for("chat.postMessage", since=mark, channel="U0ADMIN1")
    mark = srv.fake.mark()
    srv.slack.command("U0PRACT1")
    time.sleep(2)
    assert not srv.fake.calls_to_since("chat.postMessage", mark, channel={"U0PRACT1", "D0PRACT1"})


def test_enterprise_grid_click_from_another_workspace_of_the_org_is_handled(tmp_path, fake_slack, fresh_db):
    fake_slack.reset()
    fake_slack.enterprise_id = "E0ORG"
    server = start_server(tmp_path / "grid", fake_slack, fresh_db)
    try:
        mark = fake_slack.mark()
        reply = server.slack.send_form({
            "token": "legacy", "team_id": "T0SISTER", "enterprise_id": "E0ORG", "channel_id": "D0PRACT1",
            "channel_name": "directmessage", "user_id": "U0PRACT1", "command": "/canishare", "text": "",
            "api_app_id": "A0APP", "trigger_id": f"trig-{uuid.uuid4().hex[:8]}", "is_enterprise_install": "false",
        })
        assert reply.status == 200
        question = Person(server, "U0PRACT1").next_post(mark)
        assert node_of(question) == "danger"
        # Another org's workspace is still refused.
        assert server.slack.command("U0PRACT1", team="T0OTHER").status in (401, 403)
    finally:
        server.stop()
        fake_slack.reset()


def test_followup_decline_forged_on_a_leads_ping_changes_nothing(server):
    practitioner = Person(server, "U0PRACT1")
    first = practitioner.start()
    mark = server.fake.mark()
    practitioner.answer(first, "not_sure")
    ping = server.fake.wait_for("chat.postMessage", since=mark, channel="C0ESC1")[0].message
    escalation_id = next(e["value"] for b in ping["blocks"] for e in b.get("elements", [])
                         if e.get("action_id") == "esc_claim")
    time.sleep(0.5)
    mark = server.fake.mark()
    assert server.slack.action("U0PRACT2", ping, "followup_decline", value=escalation_id).status == 200
    note = server.fake.wait_for("chat.postEphemeral", since=mark, user="U0PRACT2")[0]
    assert "isn't yours" in note.args["text"]
    assert not server.fake.calls_to_since("chat.update", mark, ts=ping["ts"])


@pytest.mark.parametrize("value", [123, ["x"], {"a": 1}, None])
def test_wrong_typed_button_value_gets_a_plain_refusal(server, value):
    person = Person(server, "U0PRACT2")
    question = person.start()
    payload_value = value if value is not None else 0.5
    mark = server.fake.mark()
    assert server.slack.action("U0PRACT2", question, "answer_yes", value=payload_value).status == 200
    note = server.fake.wait_for("chat.postEphemeral", since=mark, user="U0PRACT2")[0]
    assert "don't recognise" in note.args["text"] and "couldn't save" not in note.args["text"]
    assert not server.fake.calls_to_since("chat.update", mark)


@pytest.mark.parametrize("fault", [dict(error="expired_trigger_id"), dict(status=429, retry_after=1)])
def test_an_expired_trigger_is_not_retried_and_the_person_is_asked_to_click_again(server, fault):
    person = Person(server, "U0PRACT2")
    outcome = person.walk(["no", "no"])
    server.fake.fail("views.open", **fault)
    mark = person.click(outcome, "record_open")
    note = server.fake.wait_for("chat.postEphemeral", since=mark, user="U0PRACT2")[0]
    assert "click the button again" in note.args["text"]
    time.sleep(1.5)
    assert len(server.fake.calls_to_since("views.open#failed", mark)) == 1
    assert not server.fake.calls_to_since("views.open", mark)


def test_a_note_for_a_click_in_app_home_goes_to_the_persons_dm(server):
    payload = {
        "type": "block_actions", "user": {"id": "U0PRACT1", "team_id": "T0TEST"}, "team": {"id": "T0TEST"},
        "api_app_id": "A0APP", "token": "legacy", "trigger_id": "trig-home",
        "container": {"type": "view", "view_id": "V0HOME"}, "view": {"id": "V0HOME", "type": "home"},
        "actions": [{"action_id": "why", "block_id": "b", "type": "button", "value": "nope:nothing",
                     "action_ts": f"{time.time():.6f}"}],
    }
    mark = server.fake.mark()
    assert server.slack.send_form({"payload": json.dumps(payload)}).status == 200
    server.fake.wait_for("chat.postMessage", since=mark, channel="U0PRACT1")
    assert not [c for c in server.fake.calls_to_since("chat.postEphemeral", mark) if str(c.args.get("channel"))[:1] == "U"]


@pytest.mark.parametrize("text", ["thanks", "ok", "Thank you!"])
def test_a_dm_that_is_not_a_request_gets_a_start_button_not_a_new_conversation(server, text):
    mark = server.fake.mark()
    assert server.slack.dm("U0PRACT1", text).status == 200
    reply = server.fake.wait_for("chat.postMessage", since=mark, channel={"U0PRACT1", "D0PRACT1"})[0]
    assert "start_conversation" in str(reply.args["blocks"])
    assert "answer_yes" not in str(reply.args["blocks"])
    time.sleep(0.5)
    assert not [c for c in server.fake.calls_to_since("chat.postMessage", mark) if "answer_yes" in str(c.args.get("blocks"))]
