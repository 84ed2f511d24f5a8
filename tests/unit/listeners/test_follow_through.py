"""bot/listeners/follow_through.py alone: procedures, the referral offer and its reminders."""
from __future__ import annotations

from bot.ids import Action, ProcedureChoice, Ref
from bot.listeners import NOT_YOUR_MESSAGE, follow_through
from tests.slackreq import find_element

from .helpers import decided, message

SIGNIFICANT_HARM = [("danger", "no"), ("purpose", "yes"), ("identifiable", "yes"), ("confidential", "yes"),
                    ("consent", "no"), ("legal_duty", "no"), ("significant_harm", "yes")]


def test_a_procedure_is_posted_and_a_forged_number_refused(feature):
    f = feature(follow_through)
    mark = f.fake.mark()
    f.slack.action("U0PRACT1", message("D0PRACT1"), Action.PROCEDURE_SHOW, selected=ProcedureChoice(1).encode())
    assert f.fake.wait_for("chat.postMessage", since=mark, channel="U0PRACT1")[0].args["blocks"]
    for forged in ("one", "99"):
        mark = f.fake.mark()
        f.slack.action("U0PRACT1", message("D0PRACT1"), Action.PROCEDURE_SHOW, selected=forged)
        assert f.fake.wait_for("chat.postEphemeral", since=mark)[0].args["text"] == follow_through.PICK_ONE


def test_a_referral_offers_reminders_that_only_its_maker_can_set(feature):
    f = feature(follow_through)
    convo_id, result = decided(f.deps, "U0PRACT1", SIGNIFICANT_HARM)
    assert result.kind == "outcome"
    mark = f.fake.mark()
    f.slack.action("U0PRACT1", message("D0PRACT1"), Action.REFERRAL_START, value=Ref(convo_id).encode())
    offer = f.fake.wait_for("chat.postMessage", since=mark, channel="U0PRACT1")[0].message
    accept = find_element(offer["blocks"], Action.FOLLOWUP_ACCEPT)

    mark = f.fake.mark()
    f.slack.action("U0PRACT2", {**offer, "channel": "D0PRACT2"}, Action.FOLLOWUP_DECLINE, value=accept["value"])
    assert f.fake.wait_for("chat.postEphemeral", since=mark)[0].args["text"] == NOT_YOUR_MESSAGE

    mark = f.fake.mark()
    f.slack.action("U0PRACT1", offer, Action.FOLLOWUP_ACCEPT)
    scheduled = f.fake.wait_for("chat.update", since=mark, ts=offer["ts"])[0]
    done = find_element(scheduled.args["blocks"], Action.FOLLOWUP_DONE.nth(0))
    mark = f.fake.mark()
    f.slack.action("U0PRACT1", scheduled.message, Action.FOLLOWUP_DONE.nth(0), value=done["value"])
    assert f.fake.wait_for("chat.postEphemeral", since=mark)[0].args["text"].startswith("Noted")
