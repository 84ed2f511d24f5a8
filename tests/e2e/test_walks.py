"""End to end: signed Slack requests to the real server; the fake records what it posts."""
from __future__ import annotations

import hashlib
import json
import hmac
import re
import time
from datetime import datetime, timezone

import pytest

from tests.conftest import PSEUDONYM_KEY
from tests.e2e.helpers import Person, export, is_outcome, node_of
from tests.slackreq import buttons, sign

NODES = ["danger", "purpose", "identifiable", "confidential", "consent", "legal_duty", "significant_harm", "serious_crime"]

# (answers in order, expected outcome, expected ground): written by hand from DESIGN.md's table.
WALKS = [
    (["yes"], "urgent", None),
    (["no", "yes", "no"], "share", None),
    (["no", "yes", "yes", "yes", "yes"], "share", None),
    (["no", "yes", "yes", "yes", "no", "no", "yes"], "share_without_consent", "significant_harm"),
    (["no", "no"], "do_not_share", None),
    (["no", "not_sure"], "seek_advice", None),
]


@pytest.mark.parametrize("answers,outcome,ground", WALKS, ids=[w[1] + "-" + str(len(w[0])) for w in WALKS])
def test_walk_reaches_outcome_and_exports_record(server, answers, outcome, ground):
    user = "U0PRACT1"
    person = Person(server, user)
    started = datetime.now(timezone.utc).replace(microsecond=0)
    message = person.start()
    asked = []
    for answer in answers:
        asked.append(node_of(message))
        labels = buttons(message["blocks"])
        assert {labels["answer_yes"], labels["answer_no"], labels["answer_not_sure"]} == {"Yes", "No", "Not sure"}
        assert "why" in labels and "escalate" in labels
        message = person.answer(message, answer)
    assert is_outcome(message)
    assert asked == NODES[: len(asked)] or asked[0] == "danger"

    records = [r for r in export(server) if r["path"] == [{"node": n, "answer": a} for n, a in zip(asked, answers)]]
    record = records[-1]
    assert record["outcome"] == outcome
    assert record["ground"] == ground
    assert record["policy"] == "hmg-2008@1"
    assert record["team"] == "early-help"
    assert record["practitioner"] == hmac.new(PSEUDONYM_KEY.encode(), user.encode(), hashlib.sha256).hexdigest()
    assert user not in str(record)
    created = datetime.fromisoformat(record["created_at"].replace("Z", "+00:00"))
    assert started.timestamp() - 1 <= created.timestamp() <= time.time() + 1
    assert re.fullmatch(r"[0-9a-f]{64}", record["hash"]) and re.fullmatch(r"[0-9a-f]{64}", record["prev_hash"])
    assert record["shared_what"] is None and record["reason"] is None
    if outcome in ("seek_advice", "urgent"):
        assert record["escalation"]["status"] == "open"
        assert record["escalation"]["urgent"] is (outcome == "urgent")
    else:
        assert record["escalation"] is None


def test_answered_question_is_rewritten_as_transcript(server):
    person = Person(server, "U0PRACT2")
    first = person.start()
    mark = person.click(first, "answer_no")
    update = server.fake.wait_for("chat.update", since=mark, ts=first["ts"])[0]
    text = str(update.args["blocks"])
    assert "You answered *No*" in text
    assert "answer_yes" not in text  # no live buttons left on an answered question


def test_record_modal_stores_choices_and_a_screened_note(server):
    user = "U0PRACT1"
    person = Person(server, user)
    outcome = person.walk(["no", "yes", "no"])
    mark = person.click(outcome, "record_open")
    view = server.fake.wait_for("views.open", since=mark)[0].args["view"]
    elements = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert elements["shared_what"]["type"] == "multi_static_select"
    assert elements["shared_with"]["type"] == "multi_static_select"
    assert elements["reason"]["type"] == "static_select"
    assert elements["note"]["type"] == "plain_text_input" and elements["note"]["max_length"] <= 500
    kinds = [o["value"] for o in elements["shared_what"]["options"]]
    assert {"attendance", "injury_marks", "disclosure", "domestic_abuse"} <= set(kinds)
    assert "social_care" in [o["value"] for o in elements["shared_with"]["options"]]
    purposes = [o["value"] for o in elements["reason"]["options"]]

    # A note with a name and a phone number is refused, quoting the words only back into the modal.
    refused = server.slack.submit_view(user, view, {"shared_what": ["attendance"], "shared_with": ["school_nurse"],
                                                     "reason": purposes[0], "note": "School report for Jayden Smith, call 07700 900123"})
    assert refused.status == 200
    errors = refused.json()["errors"]
    assert set(errors) == {"note"}
    assert "Jayden" in errors["note"] and "by role" in errors["note"]
    before = export(server)
    assert all("Jayden" not in str(r) and "07700" not in str(r) for r in before)
    assert "Jayden" not in server.log() and "07700 900123" not in server.log()

    # Choices not in the pack's lists are refused too.
    forged = server.slack.submit_view(user, view, {"shared_what": ["a child's name"], "shared_with": ["school_nurse"], "reason": "x"})
    assert set(forged.json()["errors"]) == {"shared_what", "reason"}

    mark = server.fake.mark()
    ok = server.slack.submit_view(user, view, {"shared_what": ["attendance", "injury_marks"], "shared_with": ["school_nurse"],
                                               "reason": purposes[0], "note": "Shared by secure email <!channel>"})
    assert ok.status == 200 and not ok.body.strip()
    confirm = person.next_post(mark)
    assert "Recorded" in str(confirm["blocks"])
    record = next(r for r in export(server) if r["shared_what"] == ["attendance", "injury_marks"])
    assert record["shared_with"] == ["school_nurse"]
    assert record["reason"] == purposes[0]
    assert record["note"] == "Shared by secure email <!channel>"  # stored as typed, escaped when shown
    assert record["outcome"] == "share"
    assert "chain intact" in server.cli("verify").stdout
    updated = server.fake.wait_for("chat.update", since=mark, ts=outcome["ts"])[0]
    assert "record_open" not in str(updated.args["blocks"])

    # A second submission (a double click on Save) changes nothing.
    again = server.slack.submit_view(user, view, {"shared_what": ["health"], "shared_with": ["gp"], "reason": purposes[0]})
    assert again.status == 200
    assert not any(r["shared_what"] == ["health"] for r in export(server))


def test_someone_else_cannot_answer_my_question(server):
    owner, other = Person(server, "U0PRACT1"), Person(server, "U0PRACT2")
    question = owner.start()
    mark = other.click(question, "answer_yes")
    note = server.fake.wait_for("chat.postEphemeral", since=mark, user="U0PRACT2")[0]
    assert "someone else" in note.args["text"]
    time.sleep(0.3)
    assert not server.fake.calls_to_since("chat.update", mark, ts=question["ts"])
    # The owner can still answer it.
    nxt = owner.answer(question, "no")
    assert node_of(nxt) == "purpose"


def test_back_takes_the_answer_back(server):
    person = Person(server, "U0PRACT2")
    q1 = person.start()
    q2 = person.answer(q1, "no")
    assert node_of(q2) == "purpose"
    mark = person.click(q2, "back")
    again = person.next_post(mark)
    assert node_of(again) == "danger"
    outcome = person.answer(again, "yes")
    assert is_outcome(outcome)
    record = export(server)[-1]
    assert record["path"] == [{"node": "danger", "answer": "yes"}]
    assert record["outcome"] == "urgent"


def test_old_question_cannot_rewind_silently(server):
    person = Person(server, "U0PRACT2")
    q1 = person.start()
    q2 = person.answer(q1, "no")
    mark = person.click(q1, "answer_yes")  # the stale first question, a different answer
    note = server.fake.wait_for("chat.postEphemeral", since=mark)[0]
    assert "already answered" in note.args["text"]
    nxt = person.answer(q2, "no")
    assert is_outcome(nxt)
    assert export(server)[-1]["path"] == [{"node": "danger", "answer": "no"}, {"node": "purpose", "answer": "no"}]


@pytest.mark.parametrize("headers", [
    {},
    {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=" + "0" * 64},
    sign(b"token=x", timestamp=int(time.time()) - 6 * 60),
])
def test_unsigned_wrong_or_stale_requests_get_401(server, headers):
    from tests.slackreq import post

    before = len(export(server))
    mark = server.fake.mark()
    reply = post(server.slack.url, b"command=%2Fcanishare&user_id=U0PRACT1&team_id=T0TEST", "application/x-www-form-urlencoded", headers)
    assert reply.status == 401
    time.sleep(0.3)
    assert server.fake.mark() == mark
    assert len(export(server)) == before


def test_dm_starts_a_conversation_once_even_when_retried(server):
    user = "U0PRACT3"
    mark = server.fake.mark()
    ts = f"{time.time():.6f}"
    assert server.slack.dm(user, "can I share this?", ts=ts, event_id="EvDUP1").status == 200
    assert server.slack.dm(user, "can I share this?", ts=ts, event_id="EvDUP1", headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}).status == 200
    assert server.slack.dm(user, "can I share this?", ts=ts, event_id="EvDUP2").status == 200  # same message, new event id
    server.fake.wait_for("chat.postMessage", since=mark, channel={user, "D" + user[1:]})
    time.sleep(0.5)
    posts = server.fake.calls_to_since("chat.postMessage", mark, channel={user, "D" + user[1:]})
    assert len(posts) == 1
    assert node_of(posts[0].message) == "danger"


def test_healthz(server):
    import urllib.request

    with urllib.request.urlopen(server.url + "/healthz") as resp:
        assert resp.status == 200


def test_change_an_earlier_answer_from_the_outcome(server):
    person = Person(server, "U0PRACT2")
    outcome = person.walk(["no", "yes", "yes", "no"])  # ... confidential: No -> share
    assert is_outcome(outcome)
    picker = next(b["elements"] for b in outcome["blocks"] if b.get("block_id") == "next")
    options = next(e["options"] for e in picker if e["action_id"] == "change_answer")
    purpose = next(o["value"] for o in options if o["text"]["text"].startswith("2."))
    mark = person.click(outcome, "change_answer", selected=purpose)
    again = person.next_post(mark)
    assert node_of(again) == "purpose"
    final = person.answer(again, "no")
    assert is_outcome(final)
    record = [r for r in export(server) if r["outcome"] == "do_not_share"][-1]
    assert record["path"] == [{"node": "danger", "answer": "no"}, {"node": "purpose", "answer": "no"}]
    # The first outcome's picker is stale now: using it again changes nothing.
    mark = person.click(outcome, "change_answer", selected=purpose)
    server.fake.wait_for("chat.postEphemeral", since=mark)
    assert [r for r in export(server) if r["id"] == record["id"]][0]["path"] == record["path"]


def test_change_my_last_answer_from_the_outcome(server):
    person = Person(server, "U0PRACT2")
    outcome = person.walk(["no", "no"])
    mark = person.click(outcome, "back")
    again = person.next_post(mark)
    assert node_of(again) == "purpose"
    assert "went back" in str(server.fake.wait_for("chat.update", since=mark, ts=outcome["ts"])[0].args["blocks"])


def test_mention_and_message_shortcut_start_in_the_dm(server):
    import uuid

    user = "U0PRACT1"
    dm = {user, "D" + user[1:]}
    mark = server.fake.mark()
    ts = f"{time.time():.6f}"
    reply = server.slack.event({"type": "app_mention", "user": user, "channel": "C0GENERAL", "ts": ts, "event_ts": ts,
                                "text": "<@U0BOT> can I share what Kezia told me?"})
    assert reply.status == 200
    question = server.fake.wait_for("chat.postMessage", since=mark, channel=dm)[0]
    assert node_of(question.message) == "danger"
    note = server.fake.wait_for("chat.postEphemeral", since=mark, channel="C0GENERAL")[0]
    assert "direct message" in note.args["text"]
    assert not server.fake.calls_to_since("chat.postMessage", mark, channel="C0GENERAL")  # nothing in the channel

    mark = server.fake.mark()
    payload = {"type": "message_action", "callback_id": "canishare_message", "trigger_id": f"t-{uuid.uuid4().hex[:6]}",
               "user": {"id": user}, "team": {"id": "T0TEST"}, "channel": {"id": "C0GENERAL"},
               "message": {"type": "message", "user": "U0OTHER", "ts": ts, "text": "Kezia's mum phoned about her bruises"},
               "response_url": "http://127.0.0.1:9/hooks", "message_ts": ts}
    assert server.slack.send_form({"payload": json.dumps(payload)}).status == 200
    question = server.fake.wait_for("chat.postMessage", since=mark, channel=dm)[0]
    assert node_of(question.message) == "danger"
    assert "Kezia" not in json.dumps([c.args for c in server.fake.calls[mark:]])


def test_slash_command_typed_in_the_dm_is_acked_quietly(server):
    mark = server.fake.mark()
    reply = server.slack.command("U0PRACT3", channel="D0PRACT3")
    assert reply.status == 200 and not reply.body.strip()
    question = server.fake.wait_for("chat.postMessage", since=mark, channel={"U0PRACT3", "D0PRACT3"})[0]
    assert node_of(question.message) == "danger"
    in_channel = server.slack.command("U0PRACT3", channel="C0GENERAL")
    assert in_channel.status == 200 and "direct message" in in_channel.body
