"""Issue 20's Done-means, end to end: two workspaces install canishare through Slack's OAuth flow
(against the fake Slack), then walk, escalate, export and verify, each on its own and both at
the same time, with nothing of one reaching the other. An Enterprise Grid org installed
org-wide is one tenant, whichever of its workspaces a request comes from."""
from __future__ import annotations

import threading
import traceback
from typing import Any

from tests.e2e.helpers import is_outcome
from tests.e2e.tenant_helpers import (ASK_LEAD, SHARE, Member, TenantFake, Workspace, digest_of, export_of, install,
                                      installed, lead_ping, multi_srv, resolve_option, tenant_fake, two_workspaces,  # noqa: F401
                                      verify_of)

def run_workspace(server, fake: TenantFake, ws: Workspace) -> dict[str, Any]:
    """One workspace's day: a practitioner decides to share, another asks the lead, the lead
    claims and resolves; then the workspace's export, digest and verify, through the CLI."""
    sharer = Member(server, ws, ws.user("PRACT1"))
    asker = Member(server, ws, ws.user("PRACT2"))
    lead = Member(server, ws, ws.installer)  # the installer leads the team a new install starts with

    outcome = sharer.walk(SHARE)
    assert is_outcome(outcome)
    mark = fake.mark()
    asked = asker.walk(ASK_LEAD)
    assert is_outcome(asked) and f"<@{lead.user}>" in str(asked["blocks"])
    ping = lead_ping(lead, mark)

    mark = lead.click(ping, "esc_claim")
    claimed = fake.wait_for("chat.update", since=mark, ts=ping["ts"], timeout=15)[0]
    assert f"Claimed by <@{lead.user}>" in str(claimed.args["blocks"])
    assert claimed.args["_token"] == ws.bot_token
    mark = lead.click({**ping, "blocks": claimed.args["blocks"]}, "esc_resolve",
                      selected=resolve_option(claimed.args["blocks"], "do_not_share"))
    resolved = fake.wait_for("chat.update", since=mark, ts=ping["ts"], timeout=15)[0]
    assert f"Resolved by <@{lead.user}>" in str(resolved.args["blocks"])

    records = export_of(server, ws)
    return {"records": records, "digest": digest_of(server, ws), "verify": verify_of(server, ws),
            "users": (sharer.user, asker.user, lead.user)}


def check_workspace(ws: Workspace, other: Workspace, got: dict[str, Any]) -> None:
    sharer, asker, lead = got["users"]
    records = got["records"]
    assert len(records) == 2, records
    by_outcome = {r["outcome"]: r for r in records}
    assert set(by_outcome) == {"share", "seek_advice"}
    assert by_outcome["share"]["practitioner"] == ws.pseudonym(sharer)
    assert by_outcome["seek_advice"]["practitioner"] == ws.pseudonym(asker)
    esc = by_outcome["seek_advice"]["escalation"]
    assert esc["status"] == "resolved" and esc["lead_outcome"] == "do_not_share"
    assert esc["resolver"] == ws.pseudonym(lead)
    # Pseudonyms are the workspace's own: the same person would be someone else in the other's records.
    assert other.pseudonym(sharer) != ws.pseudonym(sharer)
    text = str(records)
    assert other.tag not in text and ws.tag not in text  # no Slack id of either workspace, pseudonyms only
    assert all(r["team"] == "general" and r["policy"] == "hmg-2008@1" for r in records)
    assert "chain intact" in got["verify"]
    digest = got["digest"]
    assert digest["total"] == 2
    assert digest["escalations"]["opened"] == 1 and digest["escalations"]["resolved"] == 1


def test_two_workspaces_install_through_oauth_and_work_at_the_same_time(multi_srv, tenant_fake):
    a, b = two_workspaces()
    for ws in (a, b):
        tenant_fake.add(ws)
        done = install(multi_srv, ws)
        assert done.status == 200, (done.status, done.page[:300])
        assert "xoxb" not in done.page
        assert tenant_fake.calls_to("oauth.v2.access", code=ws.code)
    listed = multi_srv.cli("workspaces").stdout
    assert a.team_id in listed and b.team_id in listed
    for ws in (a, b):
        config = multi_srv.cli("config", "export", "--workspace", ws.tenant).stdout
        assert ws.name in config and ws.installer in config
        assert (b if ws is a else a).name not in config

    start = tenant_fake.mark()
    results: dict[str, dict[str, Any]] = {}
    errors: list[str] = []
    gate = threading.Barrier(2)

    def one(ws: Workspace) -> None:
        try:
            gate.wait(10)
            results[ws.tag] = run_workspace(multi_srv, tenant_fake, ws)
        except BaseException:  # noqa: BLE001 - reported by the main thread
            errors.append(f"{ws.name}:\n{traceback.format_exc()}")

    threads = [threading.Thread(target=one, args=(ws,)) for ws in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    assert not errors, "\n".join(errors)
    check_workspace(a, b, results[a.tag])
    check_workspace(b, a, results[b.tag])
    # Each workspace's records are its own chain: the hashes share nothing.
    hashes_a = {r["hash"] for r in results[a.tag]["records"]}
    assert hashes_a.isdisjoint({r["hash"] for r in results[b.tag]["records"]})
    # Every Web API call was made with the token of the workspace it spoke to.
    assert tenant_fake.leaks(start) == []
    assert tenant_fake.calls_with_token(a, start) and tenant_fake.calls_with_token(b, start)
    assert "Traceback" not in multi_srv.log()


def test_an_org_wide_grid_install_is_one_tenant_for_all_its_workspaces(multi_srv, tenant_fake):
    grid = Workspace("T0GGG0001", "Greater Shire Partnership", "GGG", enterprise_id="E0GGG0001", org_wide=True)
    other = Workspace("T0BBB0002", "Brookfield County Council", "BBB")
    installed(multi_srv, tenant_fake, grid, other)
    listed = multi_srv.cli("workspaces").stdout
    assert grid.enterprise_id in listed
    # Practitioners in two workspaces of the org (user ids are org-wide), and one elsewhere.
    north = Member(multi_srv, grid, grid.user("PRACT1"), team_id="T0GGG0001")
    south = Member(multi_srv, grid, grid.user("PRACT2"), team_id="T0GGG0009")
    assert is_outcome(north.walk(SHARE))
    assert is_outcome(south.walk(["no", "no"]))
    assert is_outcome(Member(multi_srv, other, other.user("PRACT1")).walk(SHARE))
    records = export_of(multi_srv, grid.enterprise_id)
    assert sorted(r["practitioner"] for r in records) == sorted([grid.pseudonym(north.user), grid.pseudonym(south.user)])
    assert len(export_of(multi_srv, other)) == 1
    assert "chain intact" in verify_of(multi_srv, grid)
    assert tenant_fake.leaks() == []
