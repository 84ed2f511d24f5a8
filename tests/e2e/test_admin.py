"""Admins in Slack and on the command line: App Home figures, digest, export, refusals."""
from __future__ import annotations

import csv
import io
import json
import time

from tests.e2e.helpers import Person, export
from tests.slackreq import buttons

OUTCOMES = {"share", "share_without_consent", "do_not_share", "seek_advice", "urgent"}


def open_home(server, user):
    mark = server.fake.mark()
    server.slack.event({"type": "app_home_opened", "user": user, "channel": "D" + user[1:], "tab": "home",
                        "event_ts": f"{time.time():.6f}"})
    view = server.fake.wait_for("views.publish", since=mark, user_id=user)[0].args["view"]
    return {"channel": "D" + user[1:], "ts": "0", "blocks": view["blocks"]}


def test_admin_home_shows_figures_and_non_admin_home_does_not(server):
    Person(server, "U0PRACT1").walk(["no", "no"])
    admin_home = open_home(server, "U0ADMIN1")
    assert "Last 7 days (admins)" in str(admin_home["blocks"])
    assert {"admin_post_digest", "admin_export"} <= set(buttons(admin_home["blocks"]))
    assert "U0PRACT1" not in json.dumps(admin_home["blocks"])
    practitioner_home = open_home(server, "U0PRACT1")
    assert "admins" not in str(practitioner_home["blocks"])
    assert "start_conversation" in buttons(practitioner_home["blocks"])


def test_non_admin_is_refused_admin_actions(server):
    admin_home = open_home(server, "U0ADMIN1")
    for action in ("admin_export", "admin_post_digest"):
        mark = server.fake.mark()
        server.slack.action("U0PRACT2", {**admin_home, "channel": "D0PRACT2"}, action)
        note = server.fake.wait_for("chat.postMessage", since=mark, channel="U0PRACT2")[0]
        assert "Only canishare admins" in str(note.args["blocks"])
        time.sleep(0.2)
        assert not server.fake.calls_to_since("files.getUploadURLExternal", mark)
        assert not server.fake.calls_to_since("chat.postMessage", mark, channel="C0DIGEST")


def test_admin_gets_the_export_as_a_csv_file_in_their_dm(server):
    Person(server, "U0PRACT1").walk(["yes"])
    admin_home = open_home(server, "U0ADMIN1")
    mark = server.slack and server.fake.mark()
    server.slack.action("U0ADMIN1", admin_home, "admin_export")
    done = server.fake.wait_for("files.completeUploadExternal", since=mark)[0]
    assert done.args.get("channel_id") == "D0ADMIN1"
    file_id = json.loads(done.args["files"])[0]["id"] if isinstance(done.args["files"], str) else done.args["files"][0]["id"]
    content = server.fake.uploads[file_id].decode()
    rows = list(csv.DictReader(io.StringIO(content)))
    assert rows and set(rows[0]) >= {"id", "created_at", "policy", "team", "practitioner", "path", "outcome", "hash"}
    assert len(rows) == len(export(server))


def test_admin_posts_the_digest_with_no_identifiers(server):
    person = Person(server, "U0PRACT2")
    outcome = person.walk(["no", "yes", "no"])
    mark = person.click(outcome, "record_open")
    view = server.fake.wait_for("views.open", since=mark)[0].args["view"]
    reason = next(b for b in view["blocks"] if b.get("block_id") == "reason")["element"]["options"][0]["value"]
    server.slack.submit_view("U0PRACT2", view, {"shared_what": ["attendance"], "shared_with": ["school_nurse"], "reason": reason,
                                                "note": "Termly attendance figures qqzz"})
    admin_home = open_home(server, "U0ADMIN1")
    mark = server.fake.mark()
    server.slack.action("U0ADMIN1", admin_home, "admin_post_digest")
    posted = server.fake.wait_for("chat.postMessage", since=mark, channel="C0DIGEST")[0]
    payload = json.dumps(posted.args)
    for leak in ("U0PRACT", "qqzz", "Termly"):
        assert leak not in payload
    assert "Attendance" in payload and "School nurse" in payload  # what was shared with whom, as counts
    assert export(server)[0]["practitioner"] not in payload


def test_digest_cli_json_has_the_contract_keys(server):
    digest = json.loads(server.cli("digest", "--format", "json").stdout)
    for key in ("period_start", "period_end", "total", "by_outcome", "by_team", "unsure_at", "escalations"):
        assert key in digest
    assert set(digest["by_outcome"]) == OUTCOMES
    assert {"opened", "claimed", "resolved", "median_minutes_to_claim"} <= set(digest["escalations"])
    assert digest["total"] == sum(digest["by_outcome"].values())
    text = server.cli("digest", "--format", "text").stdout
    assert "U0PRACT" not in text


def test_export_round_trips_every_field_in_csv_and_jsonl(server):
    Person(server, "U0PRACT1").walk(["no", "yes", "yes", "yes", "no", "yes"])  # share without consent: legal duty
    jsonl = export(server)
    rows = list(csv.DictReader(io.StringIO(server.cli("export", "--format", "csv").stdout)))
    assert len(rows) == len(jsonl)
    for row, rec in zip(rows, jsonl):
        assert list(row) == list(rec)
        for key, value in rec.items():
            if key == "path":
                assert row[key] == "; ".join(f"{s['node']}={s['answer']}" for s in value)
            elif isinstance(value, list):
                assert row[key] == "; ".join(value)
            elif isinstance(value, dict):  # no JSON in a cell: key=value; key=value, empty ones left out
                shown = {True: "yes", False: "no"}
                assert row[key] == "; ".join(f"{k}={shown.get(v, v) if isinstance(v, bool) else v}"
                                             for k, v in value.items() if v is not None)
            else:
                assert row[key] == ("" if value is None else str(value))
    legal = [r for r in jsonl if r["ground"] == "legal_duty"]
    assert legal and legal[-1]["outcome"] == "share_without_consent"
    team = server.cli("export", "--format", "jsonl", "--team", "school-nursing").stdout
    assert all(json.loads(line)["team"] == "school-nursing" for line in team.splitlines())
