"""Hostile input, property-based: whatever arrives, correctly signed or not, the answer is
a 2xx/4xx or a polite message, never a 500, never a change to someone else's conversation."""
from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.helpers import Person, export, node_of
from tests.slackreq import post, sign

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

MARKUP = st.sampled_from(["<!channel>", "<!here>", "<@U0LEAD1>", "*bold*", "<https://evil.example|click>", "&lt;", "```", "\u202e", "\x00"])
TEXT = st.one_of(st.text(max_size=200), MARKUP, st.builds(lambda a, b: a + b, st.text(max_size=50), MARKUP))
JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(TEXT, children, max_size=4)),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def victim(server):
    """Someone mid-conversation whose state nobody else may change."""
    person = Person(server, "U0PRACT3")
    question = person.answer(person.start(), "no")
    return person, question


def signed_post(server, body: bytes, ctype: str):
    return post(server.slack.url, body, ctype, sign(body))


def assert_victim_untouched(server, victim):
    person, question = victim
    assert node_of(question) == "purpose"
    assert not [c for c in server.fake.calls_to("chat.update") if c.args.get("ts") == question["ts"]]


@SETTINGS
@given(body=st.binary(max_size=2000), ctype=st.sampled_from(["application/x-www-form-urlencoded", "application/json", "text/plain"]))
def test_random_bodies(server, victim, body, ctype):
    reply = signed_post(server, body, ctype)
    assert reply.status < 500, reply
    assert_victim_untouched(server, victim)


@SETTINGS
@given(payload=st.dictionaries(st.sampled_from(["type", "user", "actions", "view", "team", "channel", "event", "trigger_id", "container"]), JSONISH, max_size=6))
def test_random_interaction_payloads(server, victim, payload):
    body = urlencode({"payload": json.dumps(payload)}).encode()
    assert signed_post(server, body, "application/x-www-form-urlencoded").status < 500
    body = json.dumps({"type": "event_callback", "team_id": "T0TEST", "event_id": "EvX", "event": payload}).encode()
    assert signed_post(server, body, "application/json").status < 500
    assert_victim_untouched(server, victim)


@SETTINGS
@given(action_id=st.one_of(st.sampled_from(["answer_yes", "answer_no", "answer_not_sure", "back", "why", "escalate", "record_open",
                                             "esc_claim", "start_conversation", "pick_team_0"]), TEXT),
       value=TEXT, user=st.sampled_from(["U0PRACT1", "U0PRACT2", "U0LEAD2", "U0ATTACK"]))
def test_forged_actions_never_touch_anyone_else(server, victim, action_id, value, user):
    person, question = victim
    message = {**question, "channel": "D" + user[1:]}
    # Half the time aim the forged value at the victim's own conversation.
    target = value if len(value) % 2 else next(e["value"] for b in question["blocks"] for e in b.get("elements", []) if e.get("action_id") == "answer_yes")
    reply = server.slack.action(user, message, action_id, value=target)
    assert reply.status < 500
    assert_victim_untouched(server, victim)


@SETTINGS
@given(values=st.dictionaries(st.sampled_from(["shared_what", "shared_with", "reason", "note", "other"]),
                              st.one_of(TEXT, st.text(min_size=1001, max_size=3000)), max_size=4),
       meta=st.one_of(TEXT, st.just("{}"), st.just('{"c": "nope"}')))
def test_forged_record_submissions(server, victim, values, meta):
    before = len(export(server)) if values.get("other") == "check" else None
    view = {"type": "modal", "callback_id": "record_decision", "private_metadata": meta, "blocks": []}
    reply = server.slack.submit_view("U0ATTACK", view, values)
    assert reply.status < 500
    if reply.body.strip():
        assert reply.json().get("response_action") == "errors"
    if before is not None:
        assert len(export(server)) == before
    assert_victim_untouched(server, victim)


def test_oversized_body_is_refused_politely(server, victim):
    body = urlencode({"payload": "x" * 2_000_000}).encode()
    assert signed_post(server, body, "application/x-www-form-urlencoded").status < 500
    assert_victim_untouched(server, victim)


def test_markup_in_outcome_text_is_escaped():
    from bot.blocks import escape

    assert escape("<!channel> & <@U0LEAD1>") == "&lt;!channel&gt; &amp; &lt;@U0LEAD1&gt;"


def test_victim_can_still_carry_on(server, victim):
    person, question = victim
    assert person.answer(question, "no")["blocks"]
