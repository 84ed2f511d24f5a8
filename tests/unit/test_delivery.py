"""The rules of delivery: how Slack's answers are classified, and where a refused ping goes."""
from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.config import Settings
from bot.delivery import backoff, classify
from bot.escalation import Escalations
from storage.models import Outbox


def api_error(error: str, status: int = 200) -> SlackApiError:
    resp = SlackResponse(client=None, http_verb="POST", api_url="x", req_args={}, data={"ok": False, "error": error},
                         headers={}, status_code=status)
    return SlackApiError("refused", resp)


@pytest.mark.parametrize("error, status, kind", [
    ("ratelimited", 429, "temporary"), ("rate_limited", 200, "temporary"), ("internal_error", 200, "temporary"),
    ("service_unavailable", 200, "temporary"), ("fatal_error", 200, "temporary"), ("whatever", 503, "temporary"),
    ("not_in_channel", 200, "unreachable"), ("channel_not_found", 200, "unreachable"), ("is_archived", 200, "unreachable"),
    ("account_inactive", 200, "unreachable"), ("user_not_found", 200, "unreachable"), ("cannot_dm_bot", 200, "unreachable"),
    ("invalid_blocks", 200, "refused"),
])
def test_slack_errors_are_classified(error, status, kind):
    assert classify(api_error(error, status)) == (kind, error)


def test_a_timeout_is_uncertain_not_a_failure():
    assert classify(TimeoutError())[0] == "uncertain"
    assert classify(ConnectionResetError())[0] == "uncertain"


def test_urgent_pings_and_next_steps_are_retried_within_seconds():
    for row in (Outbox(kind="ping", urgent=True, attempts=10), Outbox(kind="step", urgent=False, attempts=10)):
        assert backoff(row).total_seconds() <= 5
    assert backoff(Outbox(kind="ping", urgent=False, attempts=10)).total_seconds() <= 30


def settings(**team) -> Settings:
    base = {"id": "t", "name": "T", "leads": ["U0LEAD1", "U0LEAD2"], "deputies": ["U0DEP1"], "members": []}
    return Settings(organisation="o", teams=[{**base, **team}], admins=["U0ADMIN1"])


def test_a_refused_ping_goes_to_each_lead_then_deputies_then_admins():
    s = settings(escalation_channel="C0ESC1")
    esc = Escalations(s, db=None, pseudonym_key="k")
    team = s.team("t")
    assert esc.fallback(team, "channel") == [("lead", "U0LEAD1"), ("lead", "U0LEAD2")]
    assert esc.fallback(team, "lead") == [("deputy", "U0DEP1")]
    assert esc.fallback(team, "deputy") == [("admin", "U0ADMIN1")]
    assert esc.fallback(team, "admin") == []


def test_with_no_deputies_a_refused_lead_goes_to_the_admins():
    s = settings(deputies=[])
    assert Escalations(s, db=None, pseudonym_key="k").fallback(s.team("t"), "lead") == [("admin", "U0ADMIN1")]


def test_first_round_targets_channel_or_leads_and_deputies_when_urgent():
    s = settings(escalation_channel="C0ESC1")
    esc = Escalations(s, db=None, pseudonym_key="k")
    assert esc._targets(s.team("t"), urgent=False, reminder=0) == [("channel", "C0ESC1")]
    assert esc._targets(s.team("t"), urgent=True, reminder=0) == [("channel", "C0ESC1"), ("deputy", "U0DEP1")]


def test_a_row_not_yet_due_is_still_delivered_once_it_is_due(database, fake_slack):
    """Found by bench/chaos: a non-forced attempt on a row that was not due left it marked
    busy in this process for good, so its retries never ran and the practitioner was stuck."""
    from datetime import timedelta

    from bot.delivery import Deliverer, make_delivery_client
    from storage.models import utcnow
    from storage.outbox import enqueue

    with database.transaction() as s:
        row = enqueue(s, key="step:test-not-due", kind="step", channel="U0PRACT1", text="Question 2")
        s.flush()
        row.due_at = utcnow() + timedelta(seconds=30)  # e.g. waiting out a Retry-After
        row_id = row.id
    deliverer = Deliverer(make_delivery_client("xoxb-test", fake_slack.url), database)
    assert deliverer.deliver([row_id]) == 0  # not due: nothing is sent
    with database.transaction() as s:
        s.get(Outbox, row_id).due_at = utcnow() - timedelta(seconds=1)
    assert deliverer.run_due() == 1
    with database.transaction() as s:
        assert s.get(Outbox, row_id).status == "sent"


def test_a_row_born_taken_is_posted_once_by_its_thread_and_never_stolen(database, fake_slack):
    """The click's next step is born taken (storage.outbox.enqueue leased=True) so its thread
    posts it with no transaction first; a forced delivery (a double click's "ensure") must not
    post it again while that thread holds it, and if the thread never posts it, the row is
    sent once its lease ends, after looking for a post already made."""
    from datetime import timedelta

    from bot.delivery import Deliverer, make_delivery_client
    from storage.models import utcnow
    from storage.outbox import LEASE, enqueue

    fake_slack.reset()
    deliverer = Deliverer(make_delivery_client("xoxb-test", fake_slack.url), database)
    with database.transaction() as s:
        held = enqueue(s, key="step:test-leased-1", kind="step", channel="U0PRACT1", text="Question 2", leased=True)
        s.flush()
    assert deliverer.deliver([held.id], force=True) == 0  # another thread's forced try: not while leased
    assert deliverer.deliver([held.id], leased=[held]) == 1
    assert len(fake_slack.calls_to("chat.postMessage", text="Question 2")) == 1
    with database.transaction() as s:
        assert s.get(Outbox, held.id).status == "sent" and s.get(Outbox, held.id).attempts == 1

    with database.transaction() as s:  # a thread that died between its commit and its post
        lost = enqueue(s, key="step:test-leased-2", kind="step", channel="U0PRACT1", text="Question 3", leased=True)
        s.flush()
    assert deliverer.run_due() == 0  # the lease still runs
    assert deliverer.run_due(now=utcnow() + LEASE + timedelta(seconds=1)) == 1
    assert fake_slack.calls_to("conversations.history")  # it may have posted: looked first
    assert len(fake_slack.calls_to("chat.postMessage", text="Question 3")) == 1
