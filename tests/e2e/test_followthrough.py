"""What happens next: procedures linked from outcomes, the referral and its reminders."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from tests.conftest import BOT_TOKEN
from tests.e2e.helpers import Person, export
from tests.slackreq import buttons

LONDON = ZoneInfo("Europe/London")
SIGNIFICANT_HARM = ["no", "yes", "yes", "yes", "no", "no", "yes"]


def test_deadlines_from_procedure_one_across_a_weekend():
    from bot.followup import deadlines

    # Friday 6 March 2026, 15:00 in London (GMT) = 15:00 UTC; written by hand from the procedure's timescales.
    due = deadlines(datetime(2026, 3, 6, 15, 0), LONDON)
    assert due["confirm_by"] == datetime(2026, 3, 8, 15, 0)  # 48 hours
    assert due["confirm_in_writing"] == datetime(2026, 3, 7, 15, 0)  # reminder halfway
    assert due["decision_due"] == datetime(2026, 3, 9, 15, 0)  # one working day: Monday
    assert due["check_decision"] == due["decision_due"]
    # Thursday in summer time (BST): 14:00 UTC is 15:00 local; one working day is Friday.
    summer = deadlines(datetime(2026, 7, 9, 14, 0), LONDON)
    assert summer["decision_due"] == datetime(2026, 7, 10, 14, 0)


def test_urgent_outcome_shows_urgent_action_procedure(server):
    outcome = Person(server, "U0PRACT1").walk(["yes"])
    text = str(outcome["blocks"])
    assert "3. Urgent action" in text or "3. " in text and "999" in text
    assert "procedure_show" in text


def test_referral_schedules_exactly_two_reminders_and_done_cancels_one(server):
    from bot.followup import send_due
    from bot.slack_messenger import SlackMessenger as Messenger, make_client
    from storage.db import Database
    from storage.models import ChainEntry, FollowUp, Referral

    person = Person(server, "U0PRACT2")
    outcome = person.walk(SIGNIFICANT_HARM)
    assert "referral_start" in buttons(outcome["blocks"])
    mark = person.click(outcome, "referral_start")
    offer = person.next_post(mark)
    assert "children's social care" in str(offer["blocks"]).lower()
    assert {"followup_accept", "followup_decline"} <= set(buttons(offer["blocks"]))
    mark = person.click(offer, "followup_accept")
    scheduled = server.fake.wait_for("chat.update", since=mark, ts=offer["ts"])[0].args["blocks"]
    assert "I'll remind you" in str(scheduled)
    person.click(offer, "followup_accept")  # a second click schedules nothing more

    db = Database(server.db_url)
    record = [r for r in export(server) if r["ground"] == "significant_harm"][-1]
    with db.read_only() as s:
        referral = s.execute(select(Referral).where(Referral.record_id == record["id"])).scalar_one()
        items = {f.step: f for f in s.execute(select(FollowUp).where(FollowUp.referral_id == referral.id)).scalars()}
        kinds = [e.kind for e in s.execute(select(ChainEntry).where(ChainEntry.record_id == record["id"]).order_by(ChainEntry.seq)).scalars()]
    assert set(items) == {"confirm_in_writing", "check_decision"}
    assert items["confirm_in_writing"].due_at == referral.made_at + timedelta(hours=24)
    assert referral.confirm_by == referral.made_at + timedelta(hours=48)
    assert items["check_decision"].due_at == referral.decision_due
    assert "referral_made" in kinds

    # Mark the written confirmation done: its reminder is cancelled, the other still comes.
    message = {**offer, "blocks": scheduled}
    done_button = next(e["action_id"] for b in scheduled for e in b.get("elements", [])
                       if e.get("value") == items["confirm_in_writing"].id and e["action_id"].startswith("followup_done"))
    mark = person.click(message, done_button)
    assert "confirmed in writing" in server.fake.wait_for("chat.postEphemeral", since=mark)[0].args["text"]
    messenger = Messenger(make_client(BOT_TOKEN, server.fake.url), db)
    mark = server.fake.mark()
    later = referral.made_at + timedelta(days=10)
    assert send_due(db, messenger, later) == 1
    assert send_due(db, messenger, later) == 0  # sent once
    reminder = person.next_post(mark)
    assert "decided on next steps" in str(reminder["blocks"])
    with db.read_only() as s:
        assert s.get(Referral, referral.id).confirmed_at is not None
    assert server.cli("verify").returncode == 0
    db.engine.dispose()


def test_what_happens_next_menu_posts_a_procedure(server):
    person = Person(server, "U0PRACT1")
    outcome = person.walk(["no", "no"])
    mark = person.click(outcome, "procedure_show", selected="5")
    posted = person.next_post(mark)
    assert "5. " in str(posted["blocks"]) and "review" in str(posted["blocks"]).lower()
