"""Running it as a platform team would (issue 18): readiness, metrics, JSON logs, secrets as
files, `db upgrade|current`, and a backup restored and verified. Real server, real HTTP."""
from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import (BOT_TOKEN, PSEUDONYM_KEY, SIGNING_SECRET, FreshDatabase, base_database_url, canishare_exe,
                            server_env, start_server)
from tests.e2e.helpers import Person


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def run_cli(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([canishare_exe(), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_readyz_is_200_when_the_database_answers_and_503_when_its_schema_is_behind(srv):
    assert get(srv.url + "/readyz") == (200, "ready\n")
    engine = create_engine(srv.db_url)
    with engine.begin() as conn:
        head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        conn.execute(text("UPDATE alembic_version SET version_num = '0001_initial_schema'"))
    status, body = get(srv.url + "/readyz")
    assert status == 503
    assert "schema not current" in body and "canishare db upgrade" in body
    assert get(srv.url + "/healthz")[0] == 200  # alive, just not ready
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
    engine.dispose()
    assert get(srv.url + "/readyz")[0] == 200


def test_metrics_count_requests_acks_and_outcomes_without_ids_or_text(srv):
    person = Person(srv, "U0PRACT1")
    outcome = person.walk(["no", "yes", "no"])
    assert outcome
    status, body = get(srv.url + "/metrics")
    assert status == 200
    assert re.search(r'canishare_requests_total\{kind="block_actions",status="200"\} [1-9]', body)
    assert re.search(r'canishare_requests_total\{kind="command",status="200"\} 1\.0', body)
    assert re.search(r'canishare_ack_seconds_bucket\{kind="block_actions",le="3\.0"\} [1-9]', body)
    assert re.search(r'canishare_outcomes_total\{outcome="[a-z_]+"\} 1\.0', body)
    assert re.search(r'canishare_click_to_next_question_seconds_count [3-9]', body)  # three answers, each a next step
    assert "canishare_escalations_open 0.0" in body
    assert "canishare_database_up 1.0" in body
    assert re.search(r"canishare_outbox_depth|canishare_delivery_failures", body)
    # No Slack user or channel id, and no pseudonym, ever appears in a label.
    assert not re.search(r'"[UWCDG]0[A-Z0-9]{3,}"', body)
    assert "PRACT" not in body


@pytest.mark.skipif(base_database_url() is None, reason="several workers need PostgreSQL; runs in the PostgreSQL pass")
def test_metrics_add_up_across_several_workers(tmp_path, fake_slack, fresh_db):
    fake_slack.reset()
    srv = start_server(tmp_path / "srv", fake_slack, fresh_db, extra_args=("--workers", "2"))
    try:
        sent = 12
        for i in range(sent):
            assert srv.slack.command(f"U0PRACT{i % 2 + 1}").status == 200
        totals = []
        for _ in range(4):  # each scrape may be answered by either worker; all must report the sum
            body = get(srv.url + "/metrics")[1]
            found = re.search(r'canishare_requests_total\{kind="command",status="200"\} ([0-9.]+)', body)
            totals.append(float(found.group(1)) if found else 0.0)
        assert totals == [float(sent)] * 4
    finally:
        srv.stop()


def test_json_logs_are_one_object_per_line_with_a_correlation_id_and_no_free_text(tmp_path, fake_slack, fresh_db):
    fake_slack.reset()
    workdir = tmp_path / "srv"
    workdir.mkdir()
    env = server_env(workdir, fake_slack, fresh_db)
    env["CANISHARE_LOG_FORMAT"] = "json"
    srv = start_server(workdir, fake_slack, fresh_db, env=env, extra_args=())
    try:
        person = Person(srv, "U0PRACT1")
        secret_words = "Kezia Marlowe-Quint"
        outcome = person.walk(["no", "yes", "no"])
        mark = person.click(outcome, "record_open")
        view = fake_slack.wait_for("views.open", since=mark)[0].args["view"]
        reason = next(b for b in view["blocks"] if b.get("block_id") == "reason")["element"]["options"][0]["value"]
        choices = {"shared_what": ["attendance"], "shared_with": ["school_nurse"], "reason": reason}
        srv.slack.submit_view("U0PRACT1", view, {**choices, "note": f"notes on {secret_words}, pupil"})
    finally:
        srv.stop()
    log = srv.log()
    for needle in (secret_words, "Marlowe", BOT_TOKEN, SIGNING_SECRET, PSEUDONYM_KEY):
        assert needle not in log
    objects = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    for line in log.splitlines():
        assert line.startswith("{") or line.startswith("canishare:"), f"not JSON: {line[:80]}"
    assert objects, "the server logged nothing in JSON"
    for obj in objects:
        assert {"time", "level", "logger", "message", "correlation_id"} <= obj.keys()
    requests = [obj for obj in objects if obj.get("kind")]
    assert requests and all(len(obj["correlation_id"]) == 12 for obj in requests)
    assert len({obj["correlation_id"] for obj in requests}) == len(requests)  # one id per request


def test_secrets_may_be_files_and_a_secret_given_twice_or_unreadable_is_refused(tmp_path, fake_slack, fresh_db):
    fake_slack.reset()
    workdir = tmp_path / "srv"
    workdir.mkdir()
    secrets_dir = tmp_path / "secrets"
    secrets_dir.mkdir()
    env = server_env(workdir, fake_slack, fresh_db)
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "CANISHARE_PSEUDONYM_KEY"):
        (secrets_dir / name.lower()).write_text(env.pop(name) + "\n")
        env[f"{name}_FILE"] = str(secrets_dir / name.lower())
    srv = start_server(workdir, fake_slack, fresh_db, env=env)
    try:
        assert Person(srv, "U0PRACT1").start()  # signed with the secret read from the file
    finally:
        srv.stop()

    twice = dict(env, SLACK_BOT_TOKEN=BOT_TOKEN)
    result = run_cli(twice, workdir, "serve", "--port", "1")
    assert result.returncode == 1
    assert "SLACK_BOT_TOKEN is given twice" in result.stderr and "Traceback" not in result.stderr + result.stdout
    assert BOT_TOKEN not in result.stderr

    missing = dict(env, SLACK_SIGNING_SECRET_FILE=str(secrets_dir / "nope"))
    result = run_cli(missing, workdir, "serve", "--port", "1")
    assert result.returncode == 1
    assert "SLACK_SIGNING_SECRET_FILE" in result.stderr and "cannot be read" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_db_current_never_creates_a_database_and_db_upgrade_does(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CANISHARE_"))}
    env["DATABASE_URL"] = "sqlite:///" + str(tmp_path / "new.db")
    result = run_cli(env, tmp_path, "db", "current")
    assert result.returncode == 1 and "no database at" in result.stderr
    assert not (tmp_path / "new.db").exists()
    result = run_cli(env, tmp_path, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert "newest schema" in result.stdout
    result = run_cli(env, tmp_path, "db", "current")
    assert result.returncode == 0 and "newest" in result.stdout


def test_a_backup_restored_elsewhere_verifies(srv, tmp_path):
    """The README's runbook: back up, restore into a new database, `canishare verify` there."""
    person = Person(srv, "U0PRACT1")
    for answers in (["no", "yes", "no"], ["yes"]):
        person.walk(answers)
    time.sleep(0.5)
    original = srv.cli("verify").stdout
    assert "intact" in original
    if srv.db_url.startswith("sqlite"):
        source = srv.db_url.split("///", 1)[1]
        copy = tmp_path / "restored.db"
        with sqlite3.connect(source) as src, sqlite3.connect(copy) as dst:
            src.backup(dst)  # what `sqlite3 canishare.db ".backup restored.db"` does
        restored_url = f"sqlite:///{copy}"
        restored = None
    else:
        restored = FreshDatabase(tmp_path)
        restored_url = restored.url
        dump = tmp_path / "canishare.dump"
        libpq = lambda url: url.replace("postgresql+psycopg://", "postgresql://")  # noqa: E731 - pg tools take libpq URLs
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(dump), libpq(srv.db_url)], check=True)
        subprocess.run(["pg_restore", "--no-owner", "--dbname", libpq(restored_url), str(dump)], check=True)
    try:
        again = run_cli(dict(srv.env, DATABASE_URL=restored_url), srv.workdir, "verify")
        assert again.returncode == 0, again.stderr
        assert again.stdout == original
        exported = run_cli(dict(srv.env, DATABASE_URL=restored_url), srv.workdir, "export", "--format", "jsonl")
        assert len(exported.stdout.splitlines()) == 2
    finally:
        if restored is not None:
            restored.drop()


def test_every_export_digest_and_purge_is_in_the_chain_and_verify_shows_it(srv):
    Person(srv, "U0PRACT1").walk(["no", "yes", "no"])
    time.sleep(0.3)
    srv.cli("export", "--format", "csv", "--team", "early-help")
    srv.cli("export", "--format", "jsonl")
    engine = create_engine(srv.db_url)
    # The server purges once at its first scheduler tick; on a busy machine that tick can come
    # after the record below is aged, and then it, not the CLI, deletes it. Wait for it first.
    deadline = time.monotonic() + 60
    while True:
        with engine.connect() as conn:
            ran = conn.execute(text("SELECT last_run_at FROM jobs WHERE name = 'retention'")).scalar()
        if ran is not None or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert ran is not None, "the server's start-up retention purge never ran"
    with engine.begin() as conn:  # a second decision, ten years old: due for deletion
        Person(srv, "U0PRACT2").walk(["yes"])
        time.sleep(0.3)
        conn.execute(text("UPDATE records SET created_at = '2016-01-04 09:00:00' WHERE team = 'early-help' "
                          "AND id = (SELECT max(id) FROM records)"))
    engine.dispose()
    assert "would delete" in srv.cli("purge", "--dry-run").stdout
    srv.cli("purge", "--yes")
    result = srv.cli("verify", "--log")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("chain intact") and "3 of them logged accesses" in lines[0]
    logged = lines[lines.index("Access log (entries of the chain, verified with it):") + 1:]
    assert len(logged) == 3
    assert "export" in logged[0] and "by cli:" in logged[0] and "team early-help" in logged[0] and ": 1 records exported" in logged[0]
    assert "format jsonl" in logged[1]
    assert "purge" in logged[2] and "retention_days" in logged[2] and "rows purged" in logged[2]
    digest = json.loads(srv.cli("digest", "--format", "json").stdout)
    assert digest["access"] == {"export": 2, "digest": 0, "purge": 1}  # the dry run changed nothing: not logged
    assert "Access to the records: 2 exports, no digest posts, 1 purge" in srv.cli("digest", "--format", "text").stdout
    # Changing a logged access breaks the chain, as changing a record does.
    engine = create_engine(srv.db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE record_chain SET payload = replace(payload, :was, :now) WHERE kind = 'access.export'"),
                     {"was": '"count":1', "now": '"count":0'})
    engine.dispose()
    broken = srv.cli("verify", check=False)
    assert broken.returncode == 1 and "access log entry" in broken.stdout


@pytest.mark.parametrize("body, kind", [
    (b'payload=%7B%22type%22%3A+%5B%5D%7D', "other"),                      # a list where a string belongs
    (b'payload=%5B1%2C2%5D', "other"),                                    # not an object
    (b'payload=%7B%22type%22%3A%22block_actions%22%7D', "block_actions"),
    (b'command=%2Fcanishare&user_id=U0X', "command"),
    (b'{"type":"event_callback"}', "event"),
    (b'\xff\xfe', "other"),
])
def test_request_kind_is_a_fixed_label_whatever_the_body(body, kind):
    from bot.server import request_kind

    assert request_kind(body) == kind
