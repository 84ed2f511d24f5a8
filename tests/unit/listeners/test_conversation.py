"""bot/listeners/conversation.py alone: starting, answering, Why, Back and forged values."""
from __future__ import annotations

from bot.ids import Action, QuestionRef
from bot.listeners import MISSING, NOT_YOURS, conversation
from tests.conftest import TEST_CONFIG
from tests.slackreq import find_element


def first_question(f, user_id="U0PRACT1"):
    mark = f.fake.mark()
    reply = f.slack.command(user_id, channel="D" + user_id[1:])
    assert reply.status == 200
    return f.fake.wait_for("chat.postMessage", since=mark, channel=user_id)[0].message


def test_the_command_asks_the_first_question_in_the_dm(feature):
    f = feature(conversation)
    question = first_question(f)
    assert question["channel"] == "D0PRACT1"
    assert QuestionRef.decode(find_element(question["blocks"], Action.ANSWER_YES)["value"]).node_id == "danger"


def test_a_command_in_a_channel_says_it_went_to_the_dm(feature):
    f = feature(conversation)
    reply = f.slack.command("U0PRACT1", channel="C0GENERAL")
    assert "direct message" in reply.body


def test_an_answer_brings_the_next_question_and_rewrites_the_answered_one(feature):
    f = feature(conversation)
    question = first_question(f)
    mark = f.fake.mark()
    assert f.slack.action("U0PRACT1", question, Action.ANSWER_NO).status == 200
    nxt = f.fake.wait_for("chat.postMessage", since=mark, channel="U0PRACT1")[0].message
    assert QuestionRef.decode(find_element(nxt["blocks"], Action.ANSWER_YES)["value"]).node_id == "purpose"
    f.fake.wait_for("chat.update", since=mark, ts=question["ts"])


def test_someone_elses_question_is_refused(feature):
    f = feature(conversation)
    question = first_question(f)
    mark = f.fake.mark()
    f.slack.action("U0PRACT2", {**question, "channel": "D0PRACT2"}, Action.ANSWER_YES)
    assert f.fake.wait_for("chat.postEphemeral", since=mark)[0].args["text"] == NOT_YOURS


def test_a_malformed_value_changes_nothing_and_says_so(feature):
    f = feature(conversation)
    question = first_question(f)
    for action_id in (Action.ANSWER_YES, Action.WHY, Action.BACK):
        mark = f.fake.mark()
        f.slack.action("U0PRACT1", question, action_id, value="no-colon-here")
        assert f.fake.wait_for("chat.postEphemeral", since=mark)[0].args["text"] == MISSING


def test_why_explains_the_question_to_the_asker_only(feature):
    f = feature(conversation)
    question = first_question(f)
    mark = f.fake.mark()
    f.slack.action("U0PRACT1", question, Action.WHY)
    assert f.fake.wait_for("chat.postEphemeral", since=mark)[0].args["text"].startswith("Why am I asked this?")


def test_someone_in_no_team_is_told_so(feature):
    f = feature(conversation, {k: v for k, v in TEST_CONFIG.items() if k != "default_team"})
    mark = f.fake.mark()
    f.slack.command("U0NOBODY", channel="D0NOBODY")
    assert f.fake.wait_for("chat.postMessage", since=mark, channel="U0NOBODY")[0].args["text"] == "You're not in a team yet"


def test_someone_in_two_teams_picks_one(feature):
    f = feature(conversation)
    mark = f.fake.mark()
    f.slack.command("U0MULTI", channel="D0MULTI")
    picker = f.fake.wait_for("chat.postMessage", since=mark, channel="U0MULTI")[0].message
    mark = f.fake.mark()
    f.slack.action("U0MULTI", picker, Action.PICK_TEAM.nth(1))
    question = f.fake.wait_for("chat.postMessage", since=mark, channel="U0MULTI")[0].message
    assert find_element(question["blocks"], Action.ANSWER_YES)


def test_an_unsigned_request_is_refused(feature):
    f = feature(conversation)
    reply = f.slack.send_form({"command": "/canishare", "user_id": "U0PRACT1"}, signed=False)
    assert reply.status == 401
    assert not f.fake.calls_to("chat.postMessage")  # nothing sent
