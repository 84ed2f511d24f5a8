"""Isolation between the organisations one deployment serves: a request or a command for
workspace A can never read, count or change workspace B's data. Each test drives the real
server over HTTP (signed as Slack signs) and the real CLI; what B has is read back through
B's own export, digest and verify, and what the bot sent through the fake Slack's log (which
token reached which workspace's people)."""
from __future__ import annotations

import json
import re
import subprocess
import time
from typing import Any, Iterator

import pytest
import yaml

from tests.conftest import FreshDatabase, canishare_exe
from tests.e2e.helpers import is_outcome, node_of
from tests.e2e.tenant_helpers import (ASK_LEAD, SHARE, Member, TenantFake, Workspace, WorkspaceSender, digest_of,
                                      export_of, installed, lead_ping, multi_srv, resolve_option, start_multi,  # noqa: F401
                                      tenant_fake, two_workspaces, verify_of, wait_until)
from tests.slackreq import buttons


OUTCOMES: dict[str, dict[str, Any]] = {}  # each workspace's first outcome message (B's PRACT1's is left unrecorded)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory, tenant_fake: TenantFake) -> Iterator[tuple[Any, Workspace, Workspace]]:
    """One server, workspaces A and B installed through OAuth, each with a decision recorded."""
    tenant_fake.reset()
    tmp = tmp_path_factory.mktemp("isolation")
    db = FreshDatabase(tmp)
    server = start_multi(tmp / "srv", tenant_fake, db.url)
    a, b = two_workspaces()
    try:
        installed(server, tenant_fake, a, b)
        for ws in (a, b):
            outcome = Member(server, ws, ws.user("PRACT1")).walk(SHARE)
            assert is_outcome(outcome)
            OUTCOMES[ws.tag] = outcome
        yield server, a, b
    finally:
        server.stop()
        db.drop()


def snapshot(server, ws: Workspace) -> dict[str, Any]:
    """All a workspace's data says about itself: its records (with hashes), digest counts and chain."""
    records = export_of(server, ws)
    digest = digest_of(server, ws)
    return {"records": [(r.get("id"), r["hash"], r.get("shared_what"), r["outcome"], (r.get("escalation") or {}).get("status"))
                        for r in records],
            "total": digest["total"], "escalations": digest["escalations"],
            # the chain's record count (its entries grow with every export, each one logged)
            "chain_records": chain_counts(verify_of(server, ws))[1]}


def chain_counts(verify: str) -> tuple[int, int]:
    found = re.search(r"chain intact: (\d+) entries over (\d+) records", verify)
    assert found, verify
    return int(found.group(1)), int(found.group(2))


def value_of(message: dict[str, Any], action_id: str) -> str:
    for block in message["blocks"]:
        for element in block.get("elements", []) + ([block["accessory"]] if "accessory" in block else []):
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return element["value"]
    raise AssertionError(f"no {action_id} in the message")


BACKGROUND_READS = {"users.info", "conversations.info", "conversations.members", "usergroups.users.list", "usergroups.list",
                    "auth.test"}


def quiet_for_b(fake: TenantFake, b: Workspace, since: int, senders: set[str], secrets: tuple[str, ...] = (),
                wait: float = 1.0) -> None:
    """Nothing was sent with B's token, nor to B's people or channels with any token, since
    `since`, except the short notes the bot gives the senders of the forged requests (answered
    where each request said it came from, with the token of the workspace it came through),
    which must say nothing of B: none of B's ids, names or the `secrets` (ids the forgery carried)."""
    time.sleep(wait)  # the bot's work runs after the ack: give it time to do anything it would
    # B's own scheduler may look its people and channels up meanwhile (users.info and the like,
    # with B's token, about B's ids): reads of B's own directory, not anything done for A.
    own_reads = [c for c in fake.calls[since:] if c.method in BACKGROUND_READS and c.args.get("_token") == b.bot_token
                 and all(b.owns(c.args.get(k)) for k in ("channel", "user", "usergroup") if c.args.get(k))]
    assert [c for c in fake.calls_with_token(b, since) if c not in own_reads] == []
    calls = [c for c in fake.calls[since:] if c not in own_reads]
    notes = [c for c in calls if c.method == "chat.postEphemeral" and c.args.get("user") in senders]
    for note in notes:
        said = json.dumps({k: note.args.get(k) for k in ("text", "blocks")})
        assert b.name not in said and not any(s in said for s in secrets) and f"U{b.tag}" not in said, said
        assert note.args["_token"] != b.bot_token
    to_b = [c for c in calls if c not in notes and any(b.owns(c.args.get(k)) for k in ("channel", "user", "users"))]
    assert to_b == [], [(c.method, c.args.get("channel")) for c in to_b]
    assert fake.leaks(since, replies_to=senders) == []


def test_an_answer_carrying_bs_conversation_sent_from_a_changes_nothing_in_b(pair, tenant_fake):
    server, a, b = pair
    b_person = Member(server, b, b.user("PRACT3"))
    b_question = b_person.start()
    b_conversation = value_of(b_question, "answer_no").split(":", 1)[0]
    before = snapshot(server, b)

    a_person = Member(server, a, a.user("PRACT3"))
    a_question = a_person.start()
    mark = tenant_fake.mark()
    # A's practitioner, on A's own question, with B's conversation id in the button's value; and
    # B's practitioner's id itself, sent as A (as a forged or misrouted payload would be).
    for forged_by in (a_person, Member(server, a, b_person.user)):
        for action in ("answer_no", "answer_yes", "back", "why"):
            reply = forged_by.sender.action(forged_by.user, a_question, action, value=f"{b_conversation}:danger")
            assert reply.status == 200
            assert b_conversation not in reply.body
    quiet_for_b(tenant_fake, b, mark, {a_person.user, b_person.user}, (b_conversation,))
    assert snapshot(server, b) == before
    # B's practitioner's walk is where it was: the danger question, answered now for the first time.
    nxt = b_person.answer(b_question, "no")
    assert node_of(nxt) == "purpose"


def test_a_record_form_carrying_bs_conversation_sent_from_a_changes_nothing_in_b(pair, tenant_fake):
    server, a, b = pair
    b_outcome = OUTCOMES[b.tag]
    b_conversation = value_of(b_outcome, "record_open")
    a_person = Member(server, a, a.user("PRACT6"))
    a_outcome = a_person.walk(SHARE)
    mark = a_person.click(a_outcome, "record_open")
    view = tenant_fake.wait_for("views.open", since=mark)[0].args["view"]
    before = snapshot(server, b)
    purposes = [o["value"] for blk in view["blocks"] if blk.get("block_id") == "reason" for o in blk["element"]["options"]]
    forged = {**view, "private_metadata": json.dumps({"c": b_conversation, "ch": b_outcome["channel"], "ts": b_outcome["ts"]})}
    mark = tenant_fake.mark()
    # The form itself, and the Record button with B's conversation in its value.
    reply = a_person.sender.submit_view(a_person.user, forged, {"shared_what": ["attendance"], "shared_with": ["school_nurse"],
                                                               "reason": purposes[0], "note": "forged"})
    assert reply.status == 200
    assert a_person.sender.action(a_person.user, a_outcome, "record_open", value=b_conversation).status == 200
    quiet_for_b(tenant_fake, b, mark, {a_person.user}, (b_conversation,))
    assert snapshot(server, b) == before
    assert all(r["note"] != "forged" for r in export_of(server, a) + export_of(server, b))

    # B's practitioner records the details of their own decision as usual.
    b_person = Member(server, b, b.user("PRACT1"))
    mark = b_person.click(b_outcome, "record_open")
    b_view = tenant_fake.wait_for("views.open", since=mark)[0].args["view"]
    assert b_person.sender.submit_view(b_person.user, b_view, {"shared_what": ["attendance"], "shared_with": ["school_nurse"],
                                                               "reason": purposes[0]}).status == 200
    assert wait_until(lambda: any(r["shared_what"] == ["attendance"] for r in export_of(server, b)))


def test_as_lead_cannot_claim_or_resolve_bs_escalation(pair, tenant_fake):
    server, a, b = pair
    b_lead = Member(server, b, b.installer)
    mark = tenant_fake.mark()
    assert is_outcome(Member(server, b, b.user("PRACT4")).walk(ASK_LEAD))
    ping = lead_ping(b_lead, mark)
    escalation = value_of(ping, "esc_claim")
    before = snapshot(server, b)
    assert "open" in [status for *_, status in before["records"]]

    a_lead = Member(server, a, a.installer)  # a lead (and admin) in A
    a_dm = {"channel": "D" + a_lead.user[1:], "ts": f"{time.time():.6f}", "text": "", "blocks": []}
    mark = tenant_fake.mark()
    assert a_lead.sender.action(a_lead.user, a_dm, "esc_claim", value=escalation).status == 200
    assert a_lead.sender.action(a_lead.user, a_dm, "esc_resolve", selected=f"{escalation}:do_not_share").status == 200
    # The same clicks on B's own ping message, sent as A.
    assert a_lead.sender.action(a_lead.user, ping, "esc_claim").status == 200
    quiet_for_b(tenant_fake, b, mark, {a_lead.user}, (escalation,))
    assert snapshot(server, b) == before

    # B's lead still finds it open and claims it.
    mark = b_lead.click(ping, "esc_claim")
    claimed = tenant_fake.wait_for("chat.update", since=mark, ts=ping["ts"], timeout=15)[0]
    assert f"Claimed by <@{b_lead.user}>" in str(claimed.args["blocks"])
    assert claimed.args["_token"] == b.bot_token
    b_lead.click({**ping, "blocks": claimed.args["blocks"]}, "esc_resolve",
                 selected=resolve_option(claimed.args["blocks"], "share"))
    esc = wait_until(lambda: [r["escalation"] for r in export_of(server, b)
                              if (r.get("escalation") or {}).get("status") == "resolved"])
    assert esc and esc[-1]["resolver"] == b.pseudonym(b_lead.user)


def test_the_cli_reads_and_counts_one_workspace_only(pair, tenant_fake):
    server, a, b = pair
    a_before, b_before = snapshot(server, a), snapshot(server, b)
    assert is_outcome(Member(server, a, a.user("PRACT5")).walk(["no", "no"]))
    a_after, b_after = snapshot(server, a), snapshot(server, b)
    assert b_after == b_before
    assert len(a_after["records"]) == len(a_before["records"]) + 1
    assert a_after["total"] == a_before["total"] + 1
    assert a_after["chain_records"] == a_before["chain_records"] + 1
    # Neither export holds the other's records (their hashes) nor pseudonyms.
    a_records, b_records = export_of(server, a), export_of(server, b)
    assert {r["hash"] for r in a_records}.isdisjoint({r["hash"] for r in b_records})
    b_people = {b.pseudonym(b.user(f"PRACT{i}")) for i in range(1, 6)}
    assert not b_people & {r["practitioner"] for r in a_records}
    assert {r["practitioner"] for r in b_records} <= b_people
    # The deployment's secrets and another workspace's configuration stay out of a workspace's.
    a_config = server.cli("config", "export", "--workspace", a.tenant).stdout
    assert b.name not in a_config and b.installer not in a_config

    # No default workspace: without --workspace, or with an id the deployment does not serve,
    # a command names the workspaces and does nothing.
    for args in (("export",), ("verify",), ("digest",), ("purge", "--dry-run"), ("export", "--workspace", "T0NOPE999"),
                 ("export", "--workspace", "t_bbb0002; DROP")):
        result = server.cli(*args, check=False)
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        assert a.team_id in result.stderr and b.team_id in result.stderr, result.stderr
        assert result.stdout.strip() == ""
    # CANISHARE_WORKSPACE says the same as --workspace.
    env = {**server.env, "CANISHARE_WORKSPACE": b.team_id}
    out = subprocess.run([canishare_exe(), "export", "--format", "jsonl"], env=env, cwd=server.workdir,
                         capture_output=True, text=True, timeout=120, check=True).stdout
    assert sorted(json.loads(line)["hash"] for line in out.splitlines() if line.strip()) == sorted(r["hash"] for r in b_records)


def test_a_request_from_a_workspace_that_never_installed_changes_nothing(pair, tenant_fake):
    server, a, b = pair
    stranger = Workspace("T0ZZZ0009", "Nowhere District", "ZZZ")  # known to Slack, never installed here
    before = {ws.tag: snapshot(server, ws) for ws in (a, b)}
    listed = server.cli("workspaces", "--format", "json").stdout
    mark = tenant_fake.mark()
    sender = WorkspaceSender(server.url, stranger)
    user = stranger.user("PRACT1")
    replies = [sender.command(user), sender.dm(user, "can I share this?"),
               sender.action(user, {"channel": "D" + user[1:], "ts": "1.000001", "blocks": []}, "answer_no",
                             value="0" * 32 + ":danger"),
               sender.event({"type": "app_home_opened", "user": user, "channel": "D" + user[1:], "tab": "home"})]
    assert all(r.status < 500 for r in replies), replies
    time.sleep(1.0)
    tokens = {c.args.get("_token") for c in tenant_fake.calls[mark:] if c.args.get("_token")}
    assert tokens == set(), tokens  # no workspace's token was used for a stranger's request
    assert {ws.tag: snapshot(server, ws) for ws in (a, b)} == before
    assert server.cli("workspaces", "--format", "json").stdout == listed  # no tenant made up for it
    assert "Traceback" not in server.log()


def test_a_partner_from_b_in_as_shared_channel_is_sent_to_their_own_canishare(pair, tenant_fake):
    """Slack Connect: B's practitioner, in a channel A shares with B, mentions canishare there:
    they are told to use their own organisation's; someone from an organisation without
    canishare is told politely it isn't set up. Neither starts anything in A or in B."""
    server, a, b = pair
    shared = f"C{a.tag}SHARED"
    tenant_fake.shared_channels[shared] = b.team_id
    stranger = "UZZZPRACT1"  # of T0ZZZ0009, which never installed
    before = {ws.tag: snapshot(server, ws) for ws in (a, b)}
    mark = tenant_fake.mark()
    sender = WorkspaceSender(server.url, a)
    for user, home in ((b.user("PRACT7"), b.team_id), (stranger, "T0ZZZ0009")):
        ts = f"{time.time():.6f}"
        reply = sender.event({"type": "app_mention", "user": user, "user_team": home, "source_team": home,
                              "team": a.team_id, "channel": shared, "text": f"<@{a.bot_user}> can I share this?",
                              "ts": ts, "event_ts": ts})
        assert reply.status == 200
    own = tenant_fake.wait_for("chat.postEphemeral", since=mark, user=b.user("PRACT7"), timeout=10)[0]
    assert "own" in own.args["text"] and own.args["_token"] == a.bot_token  # said where it was asked, in A's channel
    refused = tenant_fake.wait_for("chat.postEphemeral", since=mark, user=stranger, timeout=10)[0]
    assert "isn't set up for your organisation" in refused.args["text"]
    time.sleep(1.0)
    # No question went to anyone's DM, with either workspace's token.
    assert not [c for c in tenant_fake.calls[mark:] if c.method == "chat.postMessage"]
    assert {ws.tag: snapshot(server, ws) for ws in (a, b)} == before


def test_an_escalation_never_goes_to_a_channel_shared_with_another_organisation(pair, tenant_fake, tmp_path):
    server, a, b = pair
    lead = Member(server, a, a.installer)

    def escalate_with_channel(channel: str, user: str) -> list[str]:
        """A's team escalates to `channel`; where the ping for a new escalation goes."""
        config = yaml.safe_load(server.cli("config", "export", "--workspace", a.tenant).stdout)
        config["teams"][0]["escalation_channel"] = channel
        path = tmp_path / f"{channel}.yml"
        path.write_text(yaml.safe_dump(config))
        server.cli("config", "import", str(path), "--workspace", a.tenant, "--yes")
        time.sleep(2.5)  # running processes pick a new configuration version up within seconds
        mark = tenant_fake.mark()
        assert is_outcome(Member(server, a, a.user(user)).walk(ASK_LEAD))
        found = wait_until(lambda: [c.args["channel"] for c in tenant_fake.calls[mark:] if c.method == "chat.postMessage"
                                    and "esc_claim" in buttons(c.args.get("blocks") or [])], timeout=15)
        assert found, "no ping was posted"
        return found

    # A channel of A's alone: the ping goes there.
    assert escalate_with_channel(f"C{a.tag}ESC1", "PRACT8") == [f"C{a.tag}ESC1"]
    # A channel shared with B (Slack Connect), not allowed for the team: the lead's DM instead.
    tenant_fake.shared_channels[f"C{a.tag}ESC2"] = b.team_id
    pinged = escalate_with_channel(f"C{a.tag}ESC2", "PRACT9")
    assert pinged and set(pinged) <= lead.dm, pinged


# Last: a server of its own, and multi_srv resets the fake Slack the tests above share with `pair`.
def test_uninstalling_a_keeps_its_data_and_leaves_b_working(multi_srv, tenant_fake):
    a, b = two_workspaces()
    installed(multi_srv, tenant_fake, a, b)
    for ws in (a, b):
        assert is_outcome(Member(multi_srv, ws, ws.user("PRACT1")).walk(SHARE))
    a_records = export_of(multi_srv, a)

    # Slack revokes A's token and tells the app (app_uninstalled, then tokens_revoked).
    tenant_fake.revoke(a)
    sender = WorkspaceSender(multi_srv.url, a)
    assert sender.event({"type": "app_uninstalled"}).status == 200
    assert sender.event({"type": "tokens_revoked", "tokens": {"bot": [a.bot_user]}}).status == 200

    def removed() -> bool:
        listing = json.loads(multi_srv.cli("workspaces", "--format", "json").stdout)
        return {w["id"]: w["removed_at"] is not None for w in listing} == {a.team_id: True, b.team_id: False}

    assert wait_until(removed, timeout=15), multi_srv.cli("workspaces").stdout
    mark = tenant_fake.mark()

    # A's people get nothing more from the bot (it has no token for A any more) ...
    a_person = Member(multi_srv, a, a.user("PRACT2"))
    assert a_person.sender.command(a_person.user).status < 500
    # ... while B's walk, escalation and claim go on as before.
    b_lead = Member(multi_srv, b, b.installer)
    esc_mark = tenant_fake.mark()
    assert is_outcome(Member(multi_srv, b, b.user("PRACT2")).walk(ASK_LEAD))
    ping = lead_ping(b_lead, esc_mark)
    click = b_lead.click(ping, "esc_claim")
    assert f"Claimed by <@{b_lead.user}>" in str(
        tenant_fake.wait_for("chat.update", since=click, ts=ping["ts"], timeout=15)[0].args["blocks"])
    assert [r["outcome"] for r in export_of(multi_srv, b)].count("seek_advice") == 1
    time.sleep(0.5)
    assert [c.method for c in tenant_fake.calls_with_token(a, mark)] == []
    assert not [c for c in tenant_fake.calls[mark:] if a.owns(c.args.get("channel"))]
    assert tenant_fake.leaks(mark) == []

    # A's records are kept (retention, the data processing agreement): exported and verified still.
    assert export_of(multi_srv, a) == a_records
    assert "chain intact" in verify_of(multi_srv, a)
    # Installing again (Slack hands out a new code and token) finds them.
    a.code, a.bot_token = a.code + "-again", a.bot_token + "-again"
    installed(multi_srv, tenant_fake, a)
    assert wait_until(lambda: all(w["removed_at"] is None for w in
                                  json.loads(multi_srv.cli("workspaces", "--format", "json").stdout)))
    assert is_outcome(Member(multi_srv, a, a.user("PRACT3")).walk(SHARE))
    assert len(export_of(multi_srv, a)) == len(a_records) + 1
