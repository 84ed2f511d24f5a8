"""Every Block Kit payload the bot builds is valid for Slack and within its limits, and
nothing from a pack can mention, link or ping anyone.

Validity: each block is serialised with to_dict() (slack_sdk runs its JsonValidator length
checks there), parsed back with Block.parse / View(**dict), and must serialise to the same
dict again. Limits checked here as well: 50 blocks a message, 100 a view, 3000 characters of
section text, 75 of button text, 150 of header text, unique block_ids and action_ids.
"""
from __future__ import annotations

import copy
import itertools
import json
import re
from datetime import datetime, timezone

import pytest
import yaml
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot import blocks as B
from bot import escalation_blocks as E
from bot.ids import Callback, QuestionRef
from conversation.flow import flow_for
from policy import ANSWER_LABELS, ANSWERS, OUTCOMES, load_pack, parse_pack
from policy.pack import PACKS_DIR

PACK = load_pack("hmg-2008")
FLOW = flow_for("hmg-2008")
CONVO_ID = "0123456789abcdef0123456789abcdef"  # a Conversation.id: uuid4().hex
RECORD_ID = "fedcba9876543210fedcba9876543210"
ESC_ID = "a" * 32
DECIDED = datetime(2024, 3, 4, 15, 30, tzinfo=timezone.utc)
LEADS = ["U0LEAD1", "U0DEP1"]
MANY_LEADS = [f"U0LEAD{i:03d}" for i in range(60)]

HOSTILE = "<!channel> <!here> <@U123> <#C0SECRET> <https://evil.example|click me> & &amp; > quote"


def hostile_pack():
    """hmg-2008 with every pack-controlled text hostile and far too long."""
    raw = yaml.safe_load((PACKS_DIR / "hmg-2008.yaml").read_text(encoding="utf-8"))
    raw = copy.deepcopy(raw)
    raw["title"] = HOSTILE + " title " + "T" * 400
    long = " " + "x" * 3500
    for node in raw["nodes"].values():
        node["question"] = HOSTILE + " question" + long
        node["help"] = HOSTILE + " help" + long
        node["why"] = HOSTILE + " why" + long
        node["cite"] = {"document": HOSTILE + " doc" + long, "section": HOSTILE + " section"}
        node["labels"] = {a: HOSTILE + " label " + "L" * 200 for a in ANSWERS}
    for outcome in raw["outcomes"].values():
        outcome["title"] = HOSTILE + " title " + "O" * 300
        outcome["summary"] = HOSTILE + " summary" + long
        outcome["advice"] = [HOSTILE + f" advice {i}" + " a" * 200 for i in range(30)]
        outcome["cite"] = {"document": HOSTILE + " doc", "section": HOSTILE + " section" + long}
    raw["outcomes"]["share_without_consent"]["grounds"] = {g: HOSTILE + " ground" + long for g in
                                                          ("legal_duty", "significant_harm", "serious_crime")}
    return parse_pack(raw, "hostile")


HOSTILE_PACK = hostile_pack()
PACKS = {"hmg-2008": PACK, "hostile": HOSTILE_PACK}


# --- checking helpers ---------------------------------------------------------------------

def walk_dicts(obj):
    if isinstance(obj, dict):
        yield obj
        for value in obj.values():
            yield from walk_dicts(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from walk_dicts(value)


def check_block(block: dict) -> None:
    parsed = Block.parse(block)
    assert parsed is not None and parsed.type == block["type"]
    assert parsed.to_dict() == block, "the block does not survive a round trip through slack_sdk"
    if block["type"] == "section":
        if "text" in block:
            assert len(block["text"]["text"]) <= 3000
        assert "text" in block or "fields" in block
    if block["type"] == "header":
        assert block["text"]["type"] == "plain_text" and len(block["text"]["text"]) <= 150
    if block["type"] == "actions":
        assert 1 <= len(block["elements"]) <= 25
        ids = [e["action_id"] for e in block["elements"] if "action_id" in e]
        assert len(ids) == len(set(ids))
    if block["type"] == "context":
        assert 1 <= len(block["elements"]) <= 10
    for d in walk_dicts(block):
        if d.get("type") == "button":
            assert 1 <= len(d["text"]["text"]) <= 75
            assert len(d.get("value", "")) <= 2000
            assert len(d["action_id"]) <= 255
        if d.get("type") == "static_select":
            for option in d["options"]:
                assert len(option["text"]["text"]) <= 75 and len(option["value"]) <= 150


def check_message(blocks) -> list[dict]:
    """Serialise a message's blocks and check them against Slack's limits; returns the dicts."""
    assert all(isinstance(b, Block) for b in blocks)
    dicts = B.to_dicts(blocks)
    assert 1 <= len(dicts) <= 50
    for block in dicts:
        check_block(block)
    block_ids = [b["block_id"] for b in dicts if "block_id" in b]
    assert len(block_ids) == len(set(block_ids)), f"duplicate block_id: {block_ids}"
    action_ids = [d["action_id"] for d in walk_dicts(dicts) if "action_id" in d]
    assert len(action_ids) == len(set(action_ids)), f"duplicate action_id: {action_ids}"
    json.dumps(dicts)  # plain JSON, nothing exotic
    return dicts


def check_view(view: View) -> dict:
    assert isinstance(view, View)
    data = view.to_dict()
    again = View(**copy.deepcopy(data))
    assert again.to_dict() == data, "the view does not survive a round trip through slack_sdk"
    assert 1 <= len(data["blocks"]) <= 100
    assert len(data["title"]["text"]) <= 24
    for key in ("submit", "close"):
        if key in data:
            assert len(data[key]["text"]) <= 24
    assert len(data.get("private_metadata", "")) <= 3000
    for block in data["blocks"]:
        check_block(block)
    block_ids = [b["block_id"] for b in data["blocks"] if "block_id" in b]
    assert len(block_ids) == len(set(block_ids))
    json.dumps(data)
    return data


MENTION = re.compile(r"<@U[A-Z0-9]+>")


def mrkdwn_texts(dicts) -> list[str]:
    return [d["text"] for d in walk_dicts(dicts) if d.get("type") == "mrkdwn"]


def assert_no_raw_markup(dicts, allowed_mentions=()) -> None:
    """No `<` in any mrkdwn text except the mentions the bot means to make."""
    allowed = {f"<@{u}>" for u in allowed_mentions}
    for text in mrkdwn_texts(dicts):
        for found in MENTION.findall(text):
            assert found in allowed, f"unexpected mention {found} in {text[:200]!r}"
        stripped = MENTION.sub("", text)
        assert "<" not in stripped, f"raw '<' in {text[:200]!r}"


def answer_buttons(dicts) -> list[dict]:
    return [e for b in dicts if b.get("block_id") == "answer" for e in b["elements"]]


# --- escape -------------------------------------------------------------------------------

def test_escape_neutralises_mentions_links_and_ampersands():
    assert B.escape("<!channel> <@U123> & co") == "&lt;!channel&gt; &lt;@U123&gt; &amp; co"
    assert B.escape("&lt;") == "&amp;lt;"  # already-escaped text is not un-escaped
    assert B.escape("plain text") == "plain text"
    out = B.escape(HOSTILE)
    assert "<" not in out and ">" not in out
    assert re.search(r"&(?!amp;|lt;|gt;)", out) is None


# --- questions ----------------------------------------------------------------------------

@pytest.mark.parametrize("pack_name", PACKS)
@pytest.mark.parametrize("node_id", list(PACK.nodes))
def test_question_blocks_for_every_node(pack_name, node_id):
    pack = PACKS[pack_name]
    node = pack.nodes[node_id]
    for number, can_go_back in ((1, False), (len(pack.nodes), True), (99, True)):
        dicts = check_message(B.question_blocks(CONVO_ID, node, number, can_go_back))
        buttons = answer_buttons(dicts)
        assert [b["text"]["text"] for b in buttons] == ["Yes", "No", "Not sure"]
        assert [b["action_id"] for b in buttons] == [f"answer_{a}" for a in ANSWERS]
        for b in buttons:
            assert QuestionRef.decode(b["value"]) == QuestionRef(CONVO_ID, node_id)
        more = [e["action_id"] for b in dicts if b.get("block_id") == "more" for e in b["elements"]]
        assert ("back" in more) == can_go_back
        assert "why" in more and "escalate" in more
        assert_no_raw_markup(dicts)


@pytest.mark.parametrize("pack_name", PACKS)
def test_question_rendered_once_reads_as_rendered_each_time(pack_name):
    """question_dicts / answered_dicts (each node rendered once per process, the conversation
    id and number filled in) give exactly the dicts of the Block Kit builders, for every node,
    with ids that need escaping or look like the stand-ins, and texts long enough to be clipped."""
    pack = PACKS[pack_name]
    ids = (CONVO_ID, "0" * 32, "abc", "987654321", "c0nv3rs4t10n1d", 'has"quote', "a:b")
    for node, number, can_go_back, cid in itertools.product(pack.nodes.values(), (1, 7, 10, 99, 987654321),
                                                            (False, True), ids):
        assert B.question_dicts(cid, node, number, can_go_back) == B.to_dicts(B.question_blocks(cid, node, number, can_go_back))
    for node, number, answer in itertools.product(pack.nodes.values(), (1, 12), ANSWERS):
        assert B.answered_dicts(node, number, answer) == B.to_dicts(B.answered_blocks(node, number, answer))
    node = next(iter(pack.nodes.values()))
    long = copy.copy(node)
    object.__setattr__(long, "question", "x" * (B.SECTION_LIMIT - 20))
    for number in (1, 10, 1000):
        assert B.question_dicts(CONVO_ID, long, number, True) == B.to_dicts(B.question_blocks(CONVO_ID, long, number, True))
    first = B.question_dicts(CONVO_ID, node, 1, False)
    first[0]["text"]["text"] = "changed"  # a caller's changes never reach the next message
    assert B.question_dicts(CONVO_ID, node, 1, False) == B.to_dicts(B.question_blocks(CONVO_ID, node, 1, False))


@pytest.mark.parametrize("pack_name", PACKS)
def test_answered_and_went_back_blocks(pack_name):
    pack = PACKS[pack_name]
    for node, answer in itertools.product(pack.nodes.values(), ANSWERS):
        dicts = check_message(B.answered_blocks(node, 3, answer))
        assert f"You answered *{ANSWER_LABELS[answer]}*" in dicts[0]["text"]["text"] or pack_name == "hostile"
        assert not [d for d in walk_dicts(dicts) if d.get("type") == "button"], "an answered question keeps no buttons"
        assert_no_raw_markup(dicts)
        dicts = check_message(B.went_back_blocks(node, 3))
        assert_no_raw_markup(dicts)


@pytest.mark.parametrize("pack_name", PACKS)
def test_why_blocks_for_every_node(pack_name):
    pack = PACKS[pack_name]
    for node in pack.nodes.values():
        dicts = check_message(B.why_blocks(node))
        assert any(b["type"] == "context" for b in dicts), "the citation is shown"
        assert_no_raw_markup(dicts)
    # The real pack's citations are shown in full.
    if pack_name == "hmg-2008":
        node = pack.nodes["significant_harm"]
        texts = " ".join(mrkdwn_texts(B.to_dicts(B.why_blocks(node))))
        assert B.escape(node.cite.section) in texts


# --- outcomes -----------------------------------------------------------------------------

def longest_route_to(pack, outcome_id):
    routes = [p for p in pack.paths() if pack.outcome_of(p) == outcome_id]
    assert routes, f"no route reaches {outcome_id}"
    return max(routes, key=len)


@pytest.mark.parametrize("pack_name", PACKS)
@pytest.mark.parametrize("outcome_id", OUTCOMES)
@pytest.mark.parametrize("recorded", [False, True], ids=["unrecorded", "recorded"])
@pytest.mark.parametrize("leads", [(), LEADS, MANY_LEADS], ids=["no-leads", "two-leads", "sixty-leads"])
def test_outcome_blocks_for_every_outcome(pack_name, outcome_id, recorded, leads):
    pack = PACKS[pack_name]
    route = longest_route_to(pack, outcome_id)
    reasons = [(pack.nodes[n], a) for n, a in route]
    ground = pack.nodes[route[-1][0]].answers[route[-1][1]].ground if outcome_id == "share_without_consent" else None
    outcome = pack.outcomes[outcome_id]
    # The real route, and one far longer than any route (a pack with many questions).
    for because in (reasons, reasons * 12):
        dicts = check_message(B.outcome_blocks(CONVO_ID, pack, outcome, because, ground, RECORD_ID, DECIDED,
                                               leads=leads, recorded=recorded))
        ids = [b.get("block_id") for b in dicts]
        assert dicts[0]["type"] == "header"
        assert "because" in ids and "case_note" in ids and "next" in ids
        assert ("ground" in ids) == (ground is not None)
        assert ("recorded" in ids) == recorded
        actions = [e["action_id"] for b in dicts if b.get("block_id") == "next" for e in b["elements"]]
        picker = ["change_answer"] if len(because) > 1 else []
        assert actions == (["start_conversation"] if recorded else ["record_open", "back", *picker, "start_conversation"])
        mentions_leads = outcome_id in ("seek_advice", "urgent") and leads
        assert_no_raw_markup(dicts, allowed_mentions=leads if mentions_leads else ())
        summary = next(b for b in dicts if b.get("block_id") == "summary")["text"]["text"]
        if mentions_leads and pack_name == "hmg-2008":
            for lead in leads:
                assert f"<@{lead}>" in summary
        if pack_name == "hmg-2008" and because is reasons:
            case_note = next(b for b in dicts if b.get("block_id") == "case_note")["text"]["text"]
            assert RECORD_ID in case_note and pack.ref in case_note


def test_outcome_blocks_ground_is_the_one_reached():
    for ground in ("legal_duty", "significant_harm", "serious_crime"):
        dicts = check_message(B.outcome_blocks(CONVO_ID, PACK, PACK.outcomes["share_without_consent"], [], ground,
                                               RECORD_ID, DECIDED))
        text = next(b for b in dicts if b.get("block_id") == "ground")["text"]["text"]
        assert B.escape(PACK.outcomes["share_without_consent"].grounds[ground]) in text


def test_outcome_change_button_points_at_the_outcome():
    dicts = check_message(B.outcome_blocks(CONVO_ID, PACK, PACK.outcomes["do_not_share"], [], None, RECORD_ID, DECIDED))
    back = next(e for b in dicts if b.get("block_id") == "next" for e in b["elements"] if e["action_id"] == "back")
    assert QuestionRef.decode(back["value"]) == QuestionRef(CONVO_ID, "do_not_share")


def test_recorded_and_notice_blocks():
    check_message(B.recorded_blocks(RECORD_ID))
    check_message(B.notice_blocks("x" * 5000))


# --- the record modal ---------------------------------------------------------------------

@pytest.mark.parametrize("outcome_id", OUTCOMES)
def test_record_modal_for_every_outcome(outcome_id):
    from policy.pack import load_pack

    choices = load_pack("hmg-2008").record
    meta = json.dumps({"c": CONVO_ID, "ch": "D0PRACTDM1", "ts": "1712345678.123456"})
    data = check_view(B.record_modal(outcome_id, meta, choices))
    assert data["type"] == "modal" and data["callback_id"] == Callback.RECORD
    assert data["private_metadata"] == meta
    inputs = {b["block_id"]: b for b in data["blocks"] if b["type"] == "input"}
    assert list(inputs) == ["shared_what", "shared_with", "reason", "note"]
    types = {k: b["element"]["type"] for k, b in inputs.items()}
    assert types == {"shared_what": "multi_static_select", "shared_with": "multi_static_select",
                     "reason": "static_select", "note": "plain_text_input"}
    assert [o["value"] for o in inputs["shared_what"]["element"]["options"]] == [c.id for c in choices.kinds]
    assert [o["value"] for o in inputs["shared_with"]["element"]["options"]] == [c.id for c in choices.recipients]
    assert [o["value"] for o in inputs["reason"]["element"]["options"]] == [c.id for c in choices.purposes_for(outcome_id)]
    for block in inputs.values():
        assert block["element"]["action_id"] == "value"
        assert 1 <= len(block["label"]["text"]) <= 2000
        assert len(block["element"]["placeholder"]["text"]) <= 150
        for option in block["element"].get("options", []):
            assert len(option["text"]["text"]) <= 75 and len(option["value"]) <= 150
        assert len(block["element"].get("options", [])) <= 100
    # Only the note is free text, it is short and optional; the choices are required.
    assert inputs["note"]["optional"] is True and inputs["note"]["element"]["max_length"] == choices.note_limit <= 500
    assert not any(inputs[k].get("optional") for k in ("shared_what", "shared_with", "reason"))
    # Free text is asked for here, and only here: no buttons in the modal.
    assert not [d for d in walk_dicts(data["blocks"]) if d.get("type") == "button"]


def test_selected_values_reads_selects_and_multi_selects():
    assert B.selected_values({"type": "multi_static_select", "selected_options": [{"value": "a"}, {"value": "b"}]}) == ["a", "b"]
    assert B.selected_values({"type": "static_select", "selected_option": {"value": "x"}}) == ["x"]
    assert B.selected_values({"type": "static_select", "selected_option": None}) == []
    assert B.selected_values({"type": "plain_text_input", "value": "typed"}) == []
    assert B.selected_values(None) == []


# --- the lead's ping ----------------------------------------------------------------------

PRACTITIONER = "U0PRACT1"
LEAD = "U0LEAD1"


@pytest.mark.parametrize("status", ["open", "claimed", "resolved"])
@pytest.mark.parametrize("urgent", [False, True], ids=["advice", "urgent"])
@pytest.mark.parametrize("pack_name", PACKS)
def test_ping_blocks_in_every_status(status, urgent, pack_name):
    pack = PACKS[pack_name]
    unsure_route = longest_route_to(pack, "seek_advice")
    reasons_full = [(pack.nodes[n], a) for n, a in unsure_route]
    unsure_node = pack.nodes[unsure_route[-1][0]]
    claimed_by = None if status == "open" else LEAD
    combos = [(u, r, rem, "share" if status == "resolved" else None)
              for u, r, rem in itertools.product((unsure_node, None), (reasons_full, [], reasons_full * 12), (0, 3))]
    if status == "resolved":
        combos += [(unsure_node, reasons_full, 0, lead_outcome) for lead_outcome in [*E.LEAD_OUTCOMES, None]]
    for unsure, reasons, reminder, lead_outcome in combos:
        dicts = check_message(E.ping_blocks(ESC_ID, PRACTITIONER, urgent, unsure, reasons, DECIDED, status=status,
                                            claimed_by=claimed_by, lead_outcome=lead_outcome, reminder=reminder))
        assert dicts[0]["type"] == "header"
        assert_no_raw_markup(dicts, allowed_mentions=[PRACTITIONER, LEAD])
        status_block = next(b for b in dicts if b.get("block_id") == "status")
        actions = [d["action_id"] for d in walk_dicts(status_block) if "action_id" in d]
        if status == "open":
            assert actions == ["esc_claim", "esc_resolve"]
        elif status == "claimed":
            assert actions == ["esc_resolve"] and f"<@{LEAD}>" in status_block["text"]["text"]
        else:
            assert actions == [], "a resolved ping keeps no controls"
            assert E.LEAD_OUTCOMES[lead_outcome or "other"] in status_block["text"]["text"]
        for d in walk_dicts(status_block):
            if d.get("type") == "static_select":
                values = [o["value"] for o in d["options"]]
                assert values == [f"{ESC_ID}:{k}" for k in E.LEAD_OUTCOMES]
        # Nothing the practitioner could have typed is in a ping; only the pack's words.
        if pack_name == "hmg-2008" and unsure is not None and reasons is reasons_full:
            text = " ".join(mrkdwn_texts(dicts))
            assert B.escape(unsure.question) in text


def test_the_fake_slack_refuses_what_slack_would():
    from tests.fakeslack import block_kit_problem

    section = {"type": "section", "text": {"type": "mrkdwn", "text": "ok"}}
    assert block_kit_problem("chat.postMessage", {"blocks": [section]}) is None
    assert "limit 50" in block_kit_problem("chat.postMessage", {"blocks": [section] * 51})
    too_long = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    assert "3000" in block_kit_problem("chat.update", {"blocks": [too_long]})
    twice = {"type": "actions", "elements": [{"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "x"}}] * 2}
    assert "duplicate" in block_kit_problem("chat.postMessage", {"blocks": [twice]})
