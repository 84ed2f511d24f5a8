"""bot/listeners/escalation.py alone: only the team's leads claim and resolve."""
from __future__ import annotations

from bot.ids import Action, LeadAdvice, Ref
from bot.escalation import PICK_ONE
from bot.listeners import escalation
from storage.models import Escalation

from .helpers import decided, message


def opened(f) -> str:
    decided(f.deps, "U0PRACT1", [("danger", "yes")])  # the pack: urgent, which escalates
    with f.deps.db.transaction() as s:
        esc = s.query(Escalation).one()
        assert esc.urgent and esc.status == "open"
        return esc.id


def status(f, escalation_id: str) -> str:
    with f.deps.db.transaction() as s:
        return s.get(Escalation, escalation_id).status


def test_only_a_lead_can_claim(feature):
    f = feature(escalation)
    esc_id = opened(f)
    mark = f.fake.mark()
    f.slack.action("U0PRACT2", message("C0ESC1"), Action.ESC_CLAIM, value=Ref(esc_id).encode())
    assert "Only this team's safeguarding leads" in f.fake.wait_for("chat.postEphemeral", since=mark)[0].args["text"]
    assert status(f, esc_id) == "open"

    mark = f.fake.mark()
    f.slack.action("U0LEAD1", message("C0ESC1"), Action.ESC_CLAIM, value=Ref(esc_id).encode())
    told = f.fake.wait_for("chat.postMessage", since=mark, channel="U0PRACT1")[0]
    assert "picked up your request" in str(told.args["blocks"])
    assert status(f, esc_id) == "claimed"


def test_resolve_takes_only_a_listed_outcome(feature):
    f = feature(escalation)
    esc_id = opened(f)
    for forged in ("no-colon", f"{esc_id}:made_up"):
        mark = f.fake.mark()
        f.slack.action("U0LEAD1", message("C0ESC1"), Action.ESC_RESOLVE, selected=forged)
        assert f.fake.wait_for("chat.postEphemeral", since=mark)[0].args["text"] == PICK_ONE
    assert status(f, esc_id) == "open"
    mark = f.fake.mark()
    f.slack.action("U0LEAD1", message("C0ESC1"), Action.ESC_RESOLVE, selected=LeadAdvice(esc_id, "share").encode())
    f.fake.wait_for("chat.postMessage", since=mark, channel="U0PRACT1")
    assert status(f, esc_id) == "resolved"
