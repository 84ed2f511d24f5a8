"""Nothing a child's safety depends on is silently lost (issue 13): next steps and pings are
durable, Slack's refusals are routed another way, and nothing is visible twice. The real
server over HTTP; the fake is Slack's Web API, told to fail the way Slack does."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import DeliveryAttempt, Escalation
from tests.conftest import start_server
from tests.e2e.helpers import Person, export, is_outcome, node_of


def restart(server, tmp_path):
    server.stop("kill")
    return start_server(server.workdir, server.fake, server.db_url, port=server.port, env=server.env)


def questions_to(fake, user, node, since=0):
    dm = {user, "D" + user[1:]}
    return [c for c in fake.calls_to_since("chat.postMessage", since, channel=dm)
            if "answer_yes" in str(c.args.get("blocks")) and f":{node}\"" in str(c.args.get("blocks")).replace("'", '"')]


def attempts(server, **where):
    db = Database(server.db_url)
    try:
        with db.transaction() as s:
            q = select(DeliveryAttempt)
            for k, v in where.items():
                q = q.where(getattr(DeliveryAttempt, k) == v)
            return list(s.execute(q.order_by(DeliveryAttempt.id)).scalars())
    finally:
        db.engine.dispose()


def texts_to(fake, user, since=0):
    return [str(c.args.get("text")) + str(c.args.get("blocks"))
            for c in fake.calls_to_since("chat.postMessage", since, channel={user, "D" + user[1:]})]


# --- 1. durable intent across kill -9 ---------------------------------------------------------
def test_kill_while_the_next_question_is_in_flight_delivers_it_after_restart(srv, tmp_path):
    person = Person(srv, "U0PRACT1")
    first = person.start()
    hold = srv.fake.hold("chat.postMessage", channel="U0PRACT1")
    mark = person.click(first, "answer_no")
    hold.wait_arrived()
    srv2 = restart(srv, tmp_path)
    hold.release(made=False)  # the post never reached Slack
    try:
        person.server = srv2
        nxt = person.next_post(mark, timeout=20)  # nobody clicks again: it comes from the outbox
        assert node_of(nxt) == "purpose"
        time.sleep(1.5)
        assert len(questions_to(srv.fake, "U0PRACT1", "purpose", mark)) == 1
        assert is_outcome(person.answer(nxt, "no"))
    finally:
        srv2.stop()


def test_kill_after_slack_made_the_post_does_not_post_it_again(srv, tmp_path):
    person = Person(srv, "U0PRACT1")
    first = person.start()
    hold = srv.fake.hold("chat.postMessage", channel="U0PRACT1")
    mark = person.click(first, "answer_no")
    hold.wait_arrived()
    srv.stop("kill")
    hold.release(made=True)  # Slack posted it; the answer went to a dead process
    srv.fake.wait_for("chat.postMessage", since=mark, channel="U0PRACT1")
    srv2 = start_server(srv.workdir, srv.fake, srv.db_url, port=srv.port, env=srv.env)
    try:
        srv2.fake.wait_for("conversations.history", since=mark, timeout=20)  # looked before re-sending
        time.sleep(1.5)
        posted = questions_to(srv.fake, "U0PRACT1", "purpose", mark)
        assert len(posted) == 1, "visible once"
        # A re-click on the answered question: the next step really is below.
        person.server = srv2
        again = person.click(first, "answer_no")
        note = srv.fake.wait_for("chat.postEphemeral", since=again, user="U0PRACT1")[0]
        assert "your next step is below" in note.args["text"]
        assert len(questions_to(srv.fake, "U0PRACT1", "purpose", mark)) == 1
        found = [a for a in attempts(srv2) if a.result == "found"]
        assert found, "the restart found the post in the history and recorded it"
    finally:
        srv2.stop()


def test_a_reclick_resends_a_next_step_slack_refused(srv):
    person = Person(srv, "U0PRACT2")
    first = person.start()
    srv.fake.fail("chat.postMessage", error="channel_not_found", channel="U0PRACT2")
    mark = person.click(first, "answer_no")
    srv.fake.wait_for("chat.postMessage#failed", since=mark)
    time.sleep(1)
    assert not questions_to(srv.fake, "U0PRACT2", "purpose", mark)
    again = person.click(first, "answer_no")
    nxt = person.next_post(again)
    assert node_of(nxt) == "purpose"
    note = srv.fake.wait_for("chat.postEphemeral", since=again, user="U0PRACT2")[0]
    assert "your next step is below" in note.args["text"]


def test_kill_while_an_urgent_ping_is_in_flight_pings_the_lead_after_restart(srv, tmp_path):
    person = Person(srv, "U0PRACT3")  # school-nursing: no channel, the lead's DM
    first = person.start()
    hold = srv.fake.hold("chat.postMessage", channel="U0LEAD2")
    mark = person.click(first, "answer_yes")  # in danger now: urgent
    hold.wait_arrived()
    srv2 = restart(srv, tmp_path)
    hold.release(made=False)
    try:
        started = time.time()
        ping = srv.fake.wait_for("chat.postMessage", since=mark, channel="U0LEAD2", timeout=60)[0]
        assert time.time() - started < 60
        assert "URGENT" in ping.args["text"]
        record = export(srv2)[-1]
        assert record["outcome"] == "urgent" and record["escalation"]["status"] == "open"
        told = srv.fake.wait_for("chat.postMessage", since=mark, channel={"U0PRACT3", "D0PRACT3"}, timeout=20,
                                 text="Your safeguarding lead has your request")
        assert "<@U0LEAD2>" in str(told[0].args["blocks"])
    finally:
        srv2.stop()


def test_urgent_request_is_reminded_after_minutes_not_the_routine_hour(srv):
    person = Person(srv, "U0PRACT3")
    person.answer(person.start(), "yes")
    db = Database(srv.db_url)
    try:
        with db.transaction() as s:
            esc = s.execute(select(Escalation)).scalars().one()
        assert esc.urgent and (esc.remind_at - esc.opened_at).total_seconds() == 5 * 60
    finally:
        db.engine.dispose()


# --- 2. Slack's refusals: routed another way, the practitioner told the truth ----------------
def test_channel_the_bot_is_not_in_goes_to_each_leads_dm_and_admins_are_told(srv):
    srv.fake.fail("chat.postMessage", error="not_in_channel", channel="C0ESC1")
    person = Person(srv, "U0PRACT1")
    first = person.start()
    mark = srv.fake.mark()
    outcome = person.answer(person.answer(first, "no"), "not_sure")
    assert is_outcome(outcome)
    assert "have been told" not in str(outcome["blocks"])
    ping = srv.fake.wait_for("chat.postMessage", since=mark, channel="U0LEAD1")[0]
    assert "esc_claim" in str(ping.args["blocks"])
    alert = srv.fake.wait_for("chat.postMessage", since=mark, channel="U0ADMIN1")[0]
    assert "invite @canishare to <#C0ESC1>" in str(alert.args["blocks"])
    told = srv.fake.wait_for("chat.postMessage", since=mark, channel={"U0PRACT1", "D0PRACT1"},
                             text="Your safeguarding lead has your request")[0]
    assert "<@U0LEAD1>" in str(told.args["blocks"]) and "C0ESC1" not in str(told.args["blocks"])
    results = [(a.target, a.result, a.error) for a in attempts(srv, kind="ping")]
    assert ("C0ESC1", "unreachable", "not_in_channel") in results and ("U0LEAD1", "delivered", None) in results
    # The lead can act on the ping that did arrive.
    lead_mark = srv.fake.mark()
    srv.slack.action("U0LEAD1", srv.fake.calls_to("chat.postMessage", channel="U0LEAD1")[-1].message, "esc_claim")
    srv.fake.wait_for("chat.update", since=lead_mark, channel="D0LEAD1")


def test_deactivated_lead_goes_to_the_deputy_and_the_practitioner_is_told_who(srv):
    srv.fake.fail("chat.postMessage", error="account_inactive", channel="U0LEAD2")
    person = Person(srv, "U0PRACT3")
    first = person.start()
    mark = srv.fake.mark()
    person.answer(person.answer(first, "no"), "not_sure")
    srv.fake.wait_for("chat.postMessage", since=mark, channel="U0DEP2")
    told = srv.fake.wait_for("chat.postMessage", since=mark, channel={"U0PRACT3", "D0PRACT3"},
                             text="Your safeguarding lead has your request")
    blob = " ".join(str(t.args["blocks"]) for t in told)
    assert "<@U0DEP2>" in blob and "<@U0LEAD2>" not in blob


def test_when_nobody_can_be_reached_the_practitioner_is_told_plainly(srv):
    for target in ("U0LEAD2", "U0DEP2", "U0ADMIN1"):
        srv.fake.fail("chat.postMessage", error="channel_not_found", times=10, channel=target)
    person = Person(srv, "U0PRACT3")
    first = person.start()
    mark = srv.fake.mark()
    person.answer(person.answer(first, "no"), "not_sure")
    note = srv.fake.wait_for("chat.postMessage", since=mark, channel={"U0PRACT3", "D0PRACT3"},
                             text="I could not reach your safeguarding lead", timeout=20)[0]
    assert "phone" in str(note.args["blocks"])
    time.sleep(1)
    assert not any("has your request" in t for t in texts_to(srv.fake, "U0PRACT3", mark))


@pytest.mark.parametrize("error", ["rate_limited", "ratelimited", "service_unavailable", "internal_error", "fatal_error"])
def test_temporary_ok_false_is_retried_until_the_next_question_arrives(srv, error):
    person = Person(srv, "U0PRACT2")
    first = person.start()
    srv.fake.fail("chat.postMessage", error=error, times=3, channel="U0PRACT2")
    mark = person.click(first, "answer_no")
    nxt = person.next_post(mark, timeout=20)
    assert node_of(nxt) == "purpose"
    assert [a.error for a in attempts(srv, kind="step") if a.result == "temporary"][-3:] == [error] * 3


def test_http_429_with_retry_after_is_honoured(srv):
    person = Person(srv, "U0PRACT2")
    first = person.start()
    srv.fake.fail("chat.postMessage", 429, times=4, retry_after=1, channel="U0PRACT2")
    mark = person.click(first, "answer_no")
    assert node_of(person.next_post(mark, timeout=30)) == "purpose"


def test_a_replaced_conversations_late_question_is_not_sent(srv):
    """Found by bench/chaos: Slack refused the first question, the practitioner asked again,
    and the first conversation's question then arrived below the new one; clicking it only
    ever said "already recorded". Now the replaced question is cancelled, and a click on an
    old one says it was replaced."""
    person = Person(srv, "U0PRACT2")
    srv.fake.fail("chat.postMessage", error="rate_limited", times=2, channel="U0PRACT2")
    mark = srv.fake.mark()
    assert srv.slack.command("U0PRACT2").status == 200
    time.sleep(0.5)  # the first question is refused and waits to be retried
    second = person.start()
    assert node_of(second) == "danger"
    time.sleep(6)  # well past the retry of the first conversation's question
    firsts = questions_to(srv.fake, "U0PRACT2", "danger", mark)
    assert len(firsts) == 1, "only the new conversation's first question reaches Slack"
    db = Database(srv.db_url)
    try:
        with db.transaction() as s:
            from storage.models import Outbox
            assert "cancelled" in {r.status for r in s.execute(select(Outbox).where(Outbox.kind == "step")).scalars()}
    finally:
        db.engine.dispose()
    assert node_of(person.answer(second, "no")) == "purpose"


# --- 3. at most once visible --------------------------------------------------------------------
def test_a_timeout_after_slack_posted_is_not_posted_again(srv):
    person = Person(srv, "U0PRACT2")
    first = person.start()
    srv.fake.fail("chat.postMessage", mode="drop_after", channel="U0PRACT2")
    mark = person.click(first, "answer_no")
    srv.fake.wait_for("conversations.history", since=mark, timeout=20)
    time.sleep(2)
    posted = questions_to(srv.fake, "U0PRACT2", "purpose", mark)
    assert len(posted) == 1
    assert posted[0].args["metadata"]["event_type"] == "canishare_delivery"
    # The walk carries on from the one question the person sees.
    assert is_outcome(person.answer(posted[0].message, "no"))


def test_a_timeout_before_slack_posted_is_sent(srv):
    person = Person(srv, "U0PRACT2")
    first = person.start()
    srv.fake.fail("chat.postMessage", mode="drop", times=2, channel="U0PRACT2")
    mark = person.click(first, "answer_no")
    assert node_of(person.next_post(mark, timeout=20)) == "purpose"
    time.sleep(1.5)
    assert len(questions_to(srv.fake, "U0PRACT2", "purpose", mark)) == 1


def test_next_question_is_posted_before_the_answered_one_is_rewritten(srv):
    """One Web API round trip per click (DESIGN.md): the first call a click makes is the
    chat.postMessage of the next question (or the outcome), and only after it the chat.update
    that rewrites the answered message; no other call (conversations.open, auth.test,
    conversations.history, the rewrite) comes before the post."""
    person = Person(srv, "U0PRACT1")
    message = person.start()
    for answer in ("no", "not_sure"):  # a question, then an escalating outcome (seek advice)
        mark = person.click(message, f"answer_{answer}")
        srv.fake.wait_for("chat.update", since=mark, ts=message["ts"])
        calls = [c for c in srv.fake.calls[mark:] if not c.method.endswith(("#held", "#failed"))]
        first = calls[0]
        assert first.method == "chat.postMessage" and first.args.get("channel") in person.dm, \
            [c.method for c in calls]
        rewrite = next(i for i, c in enumerate(calls) if c.method == "chat.update" and c.args.get("ts") == message["ts"])
        assert rewrite > 0
        message = first.message
    assert is_outcome(message)


# --- start-up -------------------------------------------------------------------------------------
def test_start_up_refuses_an_escalation_channel_the_bot_is_not_in(tmp_path, fake_slack, fresh_db):
    fake_slack.not_member.add("C0ESC1")
    try:
        with pytest.raises(AssertionError) as failed:
            start_server(tmp_path / "x", fake_slack, fresh_db)
        assert "invite @canishare to #c0esc1" in str(failed.value)
    finally:
        fake_slack.not_member.clear()
