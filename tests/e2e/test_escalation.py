"""Escalation to safeguarding leads, end to end through the fake Slack."""
from __future__ import annotations

import copy
import hashlib
import hmac
import subprocess
import threading
import time
from datetime import timedelta

import pytest

from tests.conftest import BOT_TOKEN, PSEUDONYM_KEY, TEST_CONFIG, canishare_exe, server_env
from tests.e2e.helpers import Person, export, is_outcome, node_of
from tests.slackreq import buttons

SECRET_TEXT = "Jayden Smith 07700 900123"


def ping_for(server, mark, channel):
    return server.fake.wait_for("chat.postMessage", since=mark, channel=channel)[0]


def record_of(server, path):
    return [r for r in export(server) if r["path"] == path][-1]


def test_not_sure_pings_the_teams_lead_without_typed_text(server):
    practitioner = Person(server, "U0PRACT1")
    mark = server.fake.mark()
    # The practitioner's opening DM holds details; none of it may travel to the lead.
    assert server.slack.dm("U0PRACT1", f"can I share what {SECRET_TEXT} told me?").status == 200
    first = practitioner.next_post(mark)
    second = practitioner.answer(first, "no")
    mark = server.fake.mark()
    outcome = practitioner.answer(second, "not_sure")
    assert is_outcome(outcome)
    assert "<@U0LEAD1>" in str(outcome["blocks"])  # named, with a mention
    ping = ping_for(server, mark, "C0ESC1")  # early-help has an escalation channel
    body = str(ping.args)
    assert "<@U0PRACT1>" in body and "<@U0LEAD1>" in ping.args["text"]
    assert "clear and proper reason" in body or "purpose" in body.lower()
    assert "Jayden" not in body and "07700" not in body
    assert set(buttons(ping.args["blocks"])) == {"esc_claim"}
    assert "esc_resolve" in body
    time.sleep(0.3)
    assert not server.fake.calls_to_since("chat.postMessage", mark, channel="U0DEP1")  # not urgent: no deputies yet


def test_urgent_goes_to_leads_and_deputies_marked_urgent(server):
    practitioner = Person(server, "U0PRACT3")  # school-nursing: no channel, so DMs
    first = practitioner.start()
    mark = server.fake.mark()
    practitioner.answer(first, "yes")
    lead = ping_for(server, mark, "U0LEAD2")
    deputy = ping_for(server, mark, "U0DEP2")
    assert "URGENT" in lead.args["text"] and "URGENT" in str(deputy.args["blocks"])


def test_unsure_about_danger_is_urgent_for_leads_and_deputies(server):
    """DESIGN.md: Not sure at danger ends in urgent, and the lead and deputies are pinged as urgent."""
    practitioner = Person(server, "U0PRACT3")  # school-nursing: no channel, so DMs
    first = practitioner.start()
    mark = server.fake.mark()
    outcome = practitioner.answer(first, "not_sure")
    assert "Act now" in str(outcome["blocks"])
    lead = ping_for(server, mark, "U0LEAD2")
    deputy = ping_for(server, mark, "U0DEP2")
    assert "URGENT" in lead.args["text"] and "URGENT" in str(deputy.args["blocks"])
    record = record_of(server, [{"node": "danger", "answer": "not_sure"}])
    assert record["outcome"] == "urgent" and record["escalation"]["urgent"] is True


def _escalate(server, user="U0PRACT1", routine=False):
    """Not sure at danger (urgent), or, with routine=True, No then Not sure at purpose."""
    practitioner = Person(server, user)
    post = practitioner.start()
    if routine:
        post = practitioner.answer(post, "no")
    mark = server.fake.mark()
    practitioner.answer(post, "not_sure")
    ping = ping_for(server, mark, "C0ESC1")
    return practitioner, ping.message


def test_non_lead_claim_is_refused_and_changes_nothing(server):
    _, ping = _escalate(server)
    path = [{"node": "danger", "answer": "not_sure"}]
    before = record_of(server, path)
    mark = server.fake.mark()
    server.slack.action("U0PRACT2", ping, "esc_claim")
    note = server.fake.wait_for("chat.postEphemeral", since=mark, user="U0PRACT2")[0]
    assert "Only this team's safeguarding leads" in note.args["text"]
    time.sleep(0.3)
    assert not server.fake.calls_to_since("chat.update", mark, ts=ping["ts"])
    assert record_of(server, path)["hash"] == before["hash"]
    # A lead of another team cannot claim it either.
    server.slack.action("U0LEAD2", ping, "esc_claim")
    server.fake.wait_for("chat.postEphemeral", since=mark, user="U0LEAD2")
    assert record_of(server, path)["escalation"]["status"] == "open"


def test_lead_claims_then_resolves(server):
    practitioner, ping = _escalate(server, "U0PRACT2")
    path = [{"node": "danger", "answer": "not_sure"}]
    mark = server.fake.mark()
    server.slack.action("U0LEAD1", ping, "esc_claim")
    updated = server.fake.wait_for("chat.update", since=mark, ts=ping["ts"])[0]
    assert "Claimed by <@U0LEAD1>" in str(updated.args["blocks"])
    # (not the earlier "your lead has your request", which may land after `mark`)
    told = server.fake.wait_for("chat.postMessage", since=mark, channel=practitioner.dm,
                                text="Update from your safeguarding lead")[0].message
    assert "<@U0LEAD1>" in str(told["blocks"]) and "picked up" in str(told["blocks"])
    claimed = [r for r in export(server) if r["path"] == path and r["escalation"]["status"] == "claimed"]
    assert claimed and claimed[-1]["escalation"]["claimed_at"]

    # A second lead clicking Claim late is told, and nothing changes.
    mark = server.fake.mark()
    server.slack.action("U0DEP1", ping, "esc_claim")
    assert "Already claimed" in server.fake.wait_for("chat.postEphemeral", since=mark, user="U0DEP1")[0].args["text"]

    mark = server.fake.mark()
    message = {**ping, "blocks": updated.args["blocks"]}
    option = next(o["value"] for b in updated.args["blocks"] if b.get("accessory", {}).get("action_id") == "esc_resolve"
                  for o in b["accessory"]["options"] if o["value"].endswith(":do_not_share"))
    server.slack.action("U0LEAD1", message, "esc_resolve", selected=option)
    resolved = server.fake.wait_for("chat.update", since=mark, ts=ping["ts"])[0]
    assert "Resolved by <@U0LEAD1>" in str(resolved.args["blocks"])
    assert "resolved" in str(practitioner.next_post(mark)["blocks"])
    record = [r for r in export(server) if r["path"] == path and r["escalation"]["status"] == "resolved"][-1]
    esc = record["escalation"]
    assert esc["lead_outcome"] == "do_not_share"
    assert esc["resolver"] == hmac.new(PSEUDONYM_KEY.encode(), b"U0LEAD1", hashlib.sha256).hexdigest()
    assert esc["opened_at"] <= esc["claimed_at"] <= esc["resolved_at"]
    assert "U0LEAD1" not in str(record)
    assert server.cli("verify").returncode == 0


def test_ask_my_lead_button_escalates_from_any_question(server):
    practitioner = Person(server, "U0PRACT1")
    first = practitioner.start()
    second = practitioner.answer(first, "no")
    mark = practitioner.click(second, "escalate")
    outcome = practitioner.next_post(mark)
    assert is_outcome(outcome)
    ping_for(server, mark, "C0ESC1")
    record = record_of(server, [{"node": "danger", "answer": "no"}, {"node": "purpose", "answer": "not_sure"}])
    assert record["outcome"] == "seek_advice"


def test_reminders_fire_once_with_two_workers_and_then_reach_deputies(server):
    from bot.config import load_settings
    from bot.escalation import Escalations
    from bot.slack_messenger import SlackMessenger as Messenger, make_client
    from storage.db import Database
    from storage.models import Escalation
    from sqlalchemy import select

    _escalate(server, "U0PRACT2", routine=True)  # urgent ones reach deputies at once
    settings = load_settings(server.workdir / "canishare.yml")
    workers = []
    for _ in range(2):  # two processes' worth of engines, services and clients
        db = Database(server.db_url)
        workers.append((Escalations(settings, db, PSEUDONYM_KEY), Messenger(make_client(BOT_TOKEN, server.fake.url), db), db))
    with workers[0][2].transaction() as s:
        newest = s.execute(select(Escalation).where(Escalation.status == "open").order_by(Escalation.opened_at.desc())).scalars().first()
        opened = newest.opened_at
        # Only this test's escalation may be due: push the others' reminders out of the way.
        for other in s.execute(select(Escalation).where(Escalation.id != newest.id)).scalars():
            other.remind_at = None

    early = opened + timedelta(minutes=59)
    assert workers[0][0].remind_due(workers[0][1], early) == 0

    due = opened + timedelta(minutes=61)
    mark = server.fake.mark()
    counts = []
    threads = [threading.Thread(target=lambda w=w: counts.append(w[0].remind_due(w[1], due))) for w in workers]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(counts) == [0, 1]
    server.fake.wait_for("chat.postMessage", since=mark, channel="C0ESC1")  # queued, then delivered by the server
    time.sleep(1.5)
    reminders = server.fake.calls_to_since("chat.postMessage", mark, channel="C0ESC1")
    assert len(reminders) == 1 and "Reminder 1" in str(reminders[0].args["blocks"])
    assert not server.fake.calls_to_since("chat.postMessage", mark, channel="U0DEP1")
    assert workers[1][0].remind_due(workers[1][1], due) == 0  # already sent for this slot

    mark = server.fake.mark()
    assert workers[0][0].remind_due(workers[0][1], due + timedelta(minutes=61)) == 1
    server.fake.wait_for("chat.postMessage", since=mark, channel="U0DEP1")  # escalated to deputies
    for _, _, db in workers:
        db.engine.dispose()


def test_multi_team_practitioner_is_asked_which_team(server):
    person = Person(server, "U0MULTI")
    picker = person.start()
    labels = buttons(picker["blocks"])
    assert sorted(labels.values()) == ["Early Help", "School Nursing"]
    nursing = next(action_id for action_id, label in labels.items() if label == "School Nursing")
    mark = person.click(picker, nursing)
    first = person.next_post(mark)
    assert node_of(first) == "danger"
    outcome = person.answer(person.answer(first, "no"), "no")
    assert is_outcome(outcome)
    assert export(server)[-1]["team"] == "school-nursing"


def test_lead_app_home_lists_open_requests_oldest_first(server):
    mark = server.fake.mark()
    server.slack.event({"type": "app_home_opened", "user": "U0LEAD1", "channel": "D0LEAD1", "tab": "home", "event_ts": f"{time.time():.6f}"})
    view = server.fake.wait_for("views.publish", since=mark, user_id="U0LEAD1")[0].args["view"]
    text = str(view["blocks"])
    assert "Requests for your advice" in text
    openings = [b["text"]["text"] for b in view["blocks"] if b.get("type") == "section" and "opened" in b.get("text", {}).get("text", "")]
    assert openings, "an open request should be listed"


def _config_with(change):
    config = copy.deepcopy(TEST_CONFIG)
    change(config)
    return config


@pytest.mark.parametrize("change,expect", [
    (lambda c: c["teams"][0].update(leads=[]), "at least one safeguarding lead"),
    (lambda c: c.update(default_team="nobody"), "default_team"),
    (lambda c: c["teams"][0].update(escalation_channel="general"), "channel ID"),
])
def test_bad_configuration_is_refused_at_start(tmp_path, fake_slack, fresh_db, change, expect):
    env = server_env(tmp_path, fake_slack, fresh_db, _config_with(change))
    result = subprocess.run([canishare_exe(), "serve", "--port", "0"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert expect in result.stderr


def test_unknown_lead_in_slack_is_refused_at_start(tmp_path, fake_slack, fresh_db):
    fake_slack.unknown_users.add("U0LEAD1")
    try:
        env = server_env(tmp_path, fake_slack, fresh_db)
        result = subprocess.run([canishare_exe(), "serve", "--port", "0"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    finally:
        fake_slack.unknown_users.discard("U0LEAD1")
    assert result.returncode == 1
    assert "U0LEAD1 (safeguarding lead of early-help) is not a user" in result.stderr


def test_unreachable_slack_is_a_clear_error_at_start(tmp_path, fake_slack, fresh_db):
    env = server_env(tmp_path, fake_slack, fresh_db)
    env["SLACK_API_URL"] = "http://127.0.0.1:9/api/"  # nothing listens there
    result = subprocess.run([canishare_exe(), "serve", "--port", "0"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "cannot reach Slack's Web API at http://127.0.0.1:9/api/" in result.stderr
    assert "Traceback" not in result.stderr
