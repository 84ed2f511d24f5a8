"""bot/listeners/record.py alone: the record modal opens for the practitioner's own outcome,
and its submission is screened before anything is stored."""
from __future__ import annotations

from bot.ids import Action, RecordForm, Ref
from bot.listeners import MISSING, NOT_YOURS, record
from storage.models import Record
from tests.slackreq import find_element

from .helpers import decided, message

DO_NOT_SHARE = [("danger", "no"), ("purpose", "no")]


def open_form(f, user_id, convo_id):
    mark = f.fake.mark()
    f.slack.action(user_id, message("D" + user_id[1:]), Action.RECORD_OPEN, value=Ref(convo_id).encode())
    return mark


def test_record_opens_the_modal_for_the_practitioners_outcome(feature):
    f = feature(record)
    convo_id, result = decided(f.deps, "U0PRACT1", DO_NOT_SHARE)
    assert result.kind == "outcome"
    view = f.fake.wait_for("views.open", since=open_form(f, "U0PRACT1", convo_id))[0].args["view"]
    assert RecordForm.decode(view["private_metadata"]).conversation_id == convo_id
    assert view["callback_id"] == "record_decision"


def test_someone_else_cannot_open_the_record(feature):
    f = feature(record)
    convo_id, _ = decided(f.deps, "U0PRACT1", DO_NOT_SHARE)
    mark = open_form(f, "U0PRACT2", convo_id)
    assert f.fake.wait_for("chat.postEphemeral", since=mark)[0].args["text"] == NOT_YOURS
    assert not f.fake.calls_to_since("views.open", mark)


def test_a_flagged_note_is_refused_into_the_modal_and_nothing_is_stored(feature):
    f = feature(record)
    convo_id, _ = decided(f.deps, "U0PRACT1", DO_NOT_SHARE)
    view = f.fake.wait_for("views.open", since=open_form(f, "U0PRACT1", convo_id))[0].args["view"]
    options = {b["block_id"]: [o["value"] for o in b["element"]["options"]] for b in view["blocks"] if b["type"] == "input"
               and "options" in b["element"]}
    choices = {"shared_what": options["shared_what"][:1], "shared_with": options["shared_with"][:1], "reason": options["reason"][0]}
    reply = f.slack.submit_view("U0PRACT1", view, {**choices, "note": "Jayden Smith, call 07700 900123"})
    assert reply.json()["response_action"] == "errors" and "Jayden" in reply.json()["errors"]["note"]
    with f.deps.db.transaction() as s:
        assert s.query(Record).filter_by(conversation_id=convo_id).one().note is None
    mark = f.fake.mark()
    assert f.slack.submit_view("U0PRACT1", view, {**choices, "note": "shared by secure email"}).body == ""
    done = f.fake.wait_for("chat.postMessage", since=mark, channel="U0PRACT1")[0]
    assert done.args["text"] == "Decision recorded"
    update = f.fake.wait_for("chat.update", since=mark)[0]
    assert find_element(update.args["blocks"], Action.START)  # the outcome message, marked recorded


def test_a_form_that_is_not_ours_is_refused(feature):
    f = feature(record)
    view = {"type": "modal", "callback_id": "record_decision", "private_metadata": "[not json", "blocks": []}
    reply = f.slack.submit_view("U0ATTACK", view, {"reason": "x"})
    assert reply.json()["response_action"] == "errors"
    view["private_metadata"] = RecordForm("nope").encode()
    assert f.slack.submit_view("U0ATTACK", view, {"reason": "x"}).json()["errors"] == {"reason": MISSING}


def test_the_case_note_keeps_the_time_of_the_decision_after_the_record_is_saved(feature):
    """The decision is the outcome last reached (here after going back), on the organisation's
    clock; saving the record, later, must not change the time the case note gives."""
    from datetime import datetime

    from bot import conversations, record_details
    from tests.conftest import PSEUDONYM_KEY

    f = feature(record)
    first, second = datetime(2026, 6, 15, 8, 0), datetime(2026, 6, 15, 8, 30)  # 09:00 and 09:30 in London (BST)
    started = conversations.start(f.deps.db, workspace="T0TEST", user_id="U0PRACT1", team="early-help", policy="hmg-2008",
                                  channel_id=None)
    convo_id = started.conversation.id
    for node, answer, at in (("danger", "no", first), ("purpose", "no", first)):
        conversations.answer(f.deps.db, conversation_id=convo_id, user_id="U0PRACT1", node_id=node, answer=answer,
                             pseudonym_key=PSEUDONYM_KEY, now=at)
    conversations.back(f.deps.db, conversation_id=convo_id, user_id="U0PRACT1", from_node="do_not_share")
    decided_now = conversations.answer(f.deps.db, conversation_id=convo_id, user_id="U0PRACT1", node_id="purpose",
                                       answer="no", pseudonym_key=PSEUDONYM_KEY, now=second)

    def case_note(blocks: list[dict]) -> str:
        return next(b for b in blocks if b.get("block_id") == "case_note")["text"]["text"]

    from bot.listeners.conversation import outcome_message

    before = case_note(outcome_message(f.deps, decided_now, recorded=False)[1])
    assert "15 Jun 2026 09:30 BST" in before

    view = f.fake.wait_for("views.open", since=open_form(f, "U0PRACT1", convo_id))[0].args["view"]
    choices = record_details.choices_of(decided_now.flow.pack)
    mark = f.fake.mark()
    f.slack.submit_view("U0PRACT1", view, {"shared_what": [choices.kinds[0].id], "shared_with": [choices.recipients[0].id],
                                           "reason": choices.purposes_for("do_not_share")[0].id})
    after = case_note(f.fake.wait_for("chat.update", since=mark)[0].args["blocks"])
    assert "15 Jun 2026 09:30 BST" in after
