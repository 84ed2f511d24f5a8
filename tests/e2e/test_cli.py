"""The command line as an admin meets it, run as a subprocess: every refusal is exit 1 and one
line naming the problem and the fix, nothing ever prints a traceback, and no command reports
a success it did not achieve (issue 17)."""
from __future__ import annotations

import csv
import io
import json
import os
import pty
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml

from tests.conftest import BOT_TOKEN, PSEUDONYM_KEY, TEST_CONFIG, base_database_url, canishare_exe, free_port
from tests.slackreq import SIGNING_SECRET, post

ROOT = Path(__file__).resolve().parents[2]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "CANISHARE_")) and k not in ("DATABASE_URL", "PORT")}
    env.update(extra)
    return env


def serve_env(tmp: Path, **extra: str) -> dict[str, str]:
    cfg = tmp / "canishare.yml"
    if not cfg.exists():
        cfg.write_text(yaml.safe_dump(TEST_CONFIG))
    values = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "CANISHARE_PSEUDONYM_KEY": PSEUDONYM_KEY,
              "CANISHARE_CONFIG": str(cfg), "SLACK_API_URL": "http://127.0.0.1:9/api/",
              "DATABASE_URL": f"sqlite:///{tmp / 'serve.db'}"}
    return clean_env(**{**values, **extra})


def run(args: list[str], env: dict[str, str], cwd: Path, stdin: str | None = "", exe: str | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess:
    result = subprocess.run([exe or canishare_exe(), *args], env=env, cwd=cwd, capture_output=True, text=True,
                            input=stdin, timeout=timeout)
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    return result


def refused(result: subprocess.CompletedProcess, *words: str) -> str:
    """Exit 1 with one line on stderr (after the line naming the database, if any) holding `words`."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if not line.startswith("canishare: database: ")]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


# --- a database with records in it ----------------------------------------------------------

@pytest.fixture
def records_db(tmp_path: Path, fresh_db: str) -> dict[str, str]:
    """A database made by `canishare db upgrade`, holding three records of two teams, one with a
    claimed escalation and a note a spreadsheet would run as a formula."""
    env = clean_env(DATABASE_URL=fresh_db)
    made = run(["db", "upgrade"], env, tmp_path)
    assert made.returncode == 0 and "newest schema" in made.stdout, made.stderr
    from storage.db import Database
    from storage.models import Record
    from storage.records import append, pseudonymise

    db = Database(fresh_db)
    now = datetime.utcnow().replace(microsecond=0)
    with db.transaction() as s:
        for i, (team, outcome, unsure) in enumerate([("early-help", "seek_advice", "purpose"),
                                                      ("school-nursing", "share", None),
                                                      ("early-help", "do_not_share", None)]):
            at = now - timedelta(days=3 - i)
            path = [{"node": "danger", "answer": "no"}, {"node": "purpose", "answer": "not_sure" if unsure else "yes"}]
            r = Record(created_at=at, policy="hmg-2008@1", team=team, practitioner=pseudonymise(PSEUDONYM_KEY, "U0PRACT1"),
                       path=path, outcome=outcome, unsure_at=unsure, format=2)
            s.add(r)
            append(s, r, "outcome", at)
            if i == 0:
                r.escalation = {"status": "claimed", "urgent": False, "opened_at": "2026-11-29T10:00:00Z",
                                "claimed_at": "2026-11-29T10:07:00Z", "resolved_at": None}
                r.shared_what, r.shared_with, r.reason, r.note = ["health", "education"], ["school"], "support_child", \
                    "=HYPERLINK(\"http://x\")"
                append(s, r, "details", at + timedelta(minutes=5))
    db.engine.dispose()
    cfg = tmp_path / "canishare.yml"
    cfg.write_text(yaml.safe_dump({**TEST_CONFIG, "retention_days": 2}))
    return clean_env(DATABASE_URL=fresh_db, CANISHARE_CONFIG=str(cfg))


# --- the wrong database: never created, never "intact" -----------------------------------------

@pytest.mark.parametrize("command", [["verify"], ["export"], ["digest"], ["purge", "--dry-run"]])
def test_no_database_in_this_folder_is_refused_and_not_created(tmp_path: Path, command: list[str]) -> None:
    result = run(command, clean_env(), tmp_path)
    refused(result, f"no database at {tmp_path / 'canishare.db'}", "DATABASE_URL")
    assert "chain intact" not in result.stdout and result.stdout == ""
    assert not (tmp_path / "canishare.db").exists()


def test_a_mistyped_sqlite_url_is_refused_and_not_created(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'canishar.db'}"
    refused(run(["verify"], clean_env(DATABASE_URL=url), tmp_path), "no database at", "canishar.db", "check DATABASE_URL")
    assert not (tmp_path / "canishar.db").exists()


def test_an_empty_database_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "canishare.db").write_bytes(b"")
    refused(run(["export"], clean_env(), tmp_path), "holds no canishare data", str(tmp_path / "canishare.db"))


@pytest.mark.parametrize("url, words", [
    ("mysql://u@localhost/canishare", ["'mysql://'", "does not support", "postgresql://"]),
    ("postgresql+psycopg2://u@localhost/canishare", ["'postgresql+psycopg2://'", "does not support", "sqlite:///"]),
    ("postgresql://postgres@no-such-host.invalid:5432/canishare", ["cannot find the database host 'no-such-host.invalid'"]),
    ("postgresql://postgres@127.0.0.1:1/canishare", ["nothing is listening at 127.0.0.1 port 1", "check the port"]),
    ("sqlite:////no/such/folder/canishare.db", ["no database at /no/such/folder/canishare.db"]),
])
def test_database_errors_are_told_apart(tmp_path: Path, url: str, words: list[str]) -> None:
    refused(run(["verify"], clean_env(DATABASE_URL=url), tmp_path, timeout=90), *words)


def test_a_missing_postgresql_database_is_named(tmp_path: Path) -> None:
    base = base_database_url()
    if not base:
        pytest.skip("needs DATABASE_URL=postgresql://...")
    from sqlalchemy.engine import make_url

    url = make_url(base.replace("postgres://", "postgresql://", 1)).set(database="canishare_no_such_db")
    refused(run(["verify"], clean_env(DATABASE_URL=url.render_as_string(hide_password=False)), tmp_path),
            "the database 'canishare_no_such_db' does not exist", "createdb")


def test_serve_names_a_missing_sqlite_folder(tmp_path: Path) -> None:
    env = serve_env(tmp_path, DATABASE_URL="sqlite:////no/such/folder/canishare.db")
    refused(run(["serve", "--port", str(free_port())], env, tmp_path), "the folder /no/such/folder does not exist")


def test_serve_refuses_an_unsupported_scheme_in_one_line(tmp_path: Path) -> None:
    env = serve_env(tmp_path, DATABASE_URL="mysql://u@localhost/canishare")
    refused(run(["serve", "--port", str(free_port())], env, tmp_path), "does not support", "postgresql://")


# --- serve: ports, the pseudonym key, Slack unreachable ---------------------------------------

@pytest.mark.parametrize("args, extra, words", [
    (["--port", "70000"], {}, ["--port must be a port number from 1 to 65535, not '70000'"]),
    ([], {"PORT": "abc"}, ["PORT must be a port number from 1 to 65535, not 'abc'"]),
])
def test_a_bad_port_is_refused_before_listening(tmp_path: Path, args: list[str], extra: dict, words: list[str]) -> None:
    result = run(["serve", *args], serve_env(tmp_path, **extra), tmp_path)
    refused(result, *words)
    assert "listening on port" not in result.stderr


def test_a_port_in_use_is_named_before_gunicorn_starts(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run(["serve", "--port", str(port)], serve_env(tmp_path), tmp_path)
    refused(result, f"port {port} is already in use", "--port")
    assert "listening on port" not in result.stderr and "gunicorn" not in result.stderr.lower()


def test_serve_names_the_key_file_scripts_run_made(tmp_path: Path) -> None:
    (tmp_path / ".canishare-key").write_text("k" * 43 + "\n")
    env = serve_env(tmp_path)
    del env["CANISHARE_PSEUDONYM_KEY"]
    refused(run(["serve"], env, tmp_path), ".canishare-key", "CANISHARE_PSEUDONYM_KEY_FILE", "change every pseudonym")


def test_serve_reads_the_key_from_a_file_and_says_when_slack_cannot_be_reached(tmp_path: Path) -> None:
    (tmp_path / ".canishare-key").write_text("k" * 43 + "\n")
    env = serve_env(tmp_path, CANISHARE_PSEUDONYM_KEY_FILE=str(tmp_path / ".canishare-key"))
    del env["CANISHARE_PSEUDONYM_KEY"]
    result = run(["serve", "--port", str(free_port())], env, tmp_path, timeout=90)
    refused(result, "cannot start: cannot reach Slack's Web API at http://127.0.0.1:9/api/", "SLACK_API_URL")
    assert "ERROR slack_sdk" not in result.stderr


# --- configuration errors: file, line, team name --------------------------------------------

def test_config_errors_give_file_line_and_team_name(tmp_path: Path) -> None:
    cfg = tmp_path / "canishare.yml"
    cfg.write_text("organisation: Testshire\n"
                   "teams:\n"
                   "  - id: early-help\n"
                   "    name: Early help\n"
                   "    leads: [U0LEAD1]\n"
                   "  - id: school-nursing\n"
                   "    name: School Nursing\n"
                   "    leads: [bob]\n"
                   "    policy: no-such-pack\n")
    result = run(["serve"], serve_env(tmp_path), tmp_path)
    assert result.returncode == 1
    assert str(cfg) in result.stderr
    assert "line 8: team 'School Nursing', leads: leads must be Slack user IDs" in result.stderr
    assert "line 9: team 'School Nursing', policy:" in result.stderr and "no-such-pack" in result.stderr
    assert "teams.1" not in result.stderr


def test_a_yaml_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    cfg = tmp_path / "canishare.yml"
    cfg.write_text("organisation: Testshire\nteams:\n  - id: a\n   name: b\n")
    line = refused(run(["serve"], serve_env(tmp_path), tmp_path), f"{cfg} line 4", "not valid YAML")
    assert "<unicode string>" not in line


# --- export: teams, dates, a readable and safe CSV -------------------------------------------

def test_export_names_the_database_and_how_many_records(records_db: dict, tmp_path: Path) -> None:
    result = run(["export"], records_db, tmp_path)
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 3
    assert "exported 3 records from" in result.stderr


def test_export_refuses_an_unknown_team_with_the_accepted_ones(records_db: dict, tmp_path: Path) -> None:
    refused(run(["export", "--team", "nosuchteam"], records_db, tmp_path),
            "no team 'nosuchteam'", "early-help (Early Help)", "school-nursing (School Nursing)")


def test_export_accepts_a_teams_name(records_db: dict, tmp_path: Path) -> None:
    result = run(["export", "--team", "school nursing"], records_db, tmp_path)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 1 and rows[0]["team"] == "school-nursing"


@pytest.mark.parametrize("since", ["{iso}", "{dd}/{mm}/{yyyy}", "{d}/{m}/{yyyy}"])
def test_since_reads_the_forms_a_uk_admin_types(records_db: dict, tmp_path: Path, since: str) -> None:
    day = datetime.utcnow() - timedelta(days=1)
    text = since.format(iso=day.strftime("%Y-%m-%d"), dd=day.strftime("%d"), mm=day.strftime("%m"), yyyy=day.year,
                        d=day.day, m=day.month)
    result = run(["export", "--since", text], records_db, tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 1  # day first: the newest record only


@pytest.mark.parametrize("since", ["12-01-2026", "31/31/2026", "yesterday"])
def test_since_refuses_other_forms_listing_the_accepted_ones(records_db: dict, tmp_path: Path, since: str) -> None:
    refused(run(["export", "--since", since], records_db, tmp_path), f"--since {since!r}", "2026-12-01", "01/12/2026")


def test_csv_has_no_json_in_cells_and_is_formula_safe(records_db: dict, tmp_path: Path) -> None:
    result = run(["export", "--format", "csv"], records_db, tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    first = rows[0]
    assert first["path"] == "danger=no; purpose=not_sure"
    assert first["shared_what"] == "health; education" and first["shared_with"] == "school"
    assert first["escalation"] == ("status=claimed; urgent=no; opened_at=2026-11-29T10:00:00Z; "
                                   "claimed_at=2026-11-29T10:07:00Z")
    assert first["note"].startswith("'=HYPERLINK")
    for row in rows:
        for value in row.values():
            assert not value.startswith(("{", "[", "=", "+", "-", "@", "\t", "\r")), value


# --- verify, digest, purge: in the admins' words ------------------------------------------------

def test_verify_explains_entries_over_records(records_db: dict, tmp_path: Path) -> None:
    result = run(["verify"], records_db, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "chain intact: 4 entries over 3 records" in result.stdout
    assert "one entry per change" in result.stdout
    assert "canishare: database:" in result.stderr


def test_verify_of_a_database_without_records_does_not_claim_a_checked_chain(tmp_path: Path, fresh_db: str) -> None:
    env = clean_env(DATABASE_URL=fresh_db)
    assert run(["db", "upgrade"], env, tmp_path).returncode == 0
    result = run(["verify"], env, tmp_path)
    assert result.returncode == 0 and "no decision records yet" in result.stdout and "intact" not in result.stdout


def test_digest_speaks_in_team_names_and_question_wording(records_db: dict, tmp_path: Path) -> None:
    from policy import load_pack

    result = run(["digest"], records_db, tmp_path)
    assert result.returncode == 0, result.stderr
    question = load_pack("hmg-2008").nodes["purpose"].question
    assert "Early Help: 2" in result.stdout and "School Nursing: 1" in result.stdout
    assert question in result.stdout
    assert "early-help" not in result.stdout and "purpose:" not in result.stdout


def test_digest_without_claims_says_so(tmp_path: Path, fresh_db: str) -> None:
    env = clean_env(DATABASE_URL=fresh_db)
    assert run(["db", "upgrade"], env, tmp_path).returncode == 0
    result = run(["digest"], env, tmp_path)
    assert "no escalations claimed yet" in result.stdout and "none claimed" not in result.stdout


def test_purge_dry_run_shows_what_would_go_and_deletes_nothing(records_db: dict, tmp_path: Path) -> None:
    result = run(["purge", "--dry-run"], records_db, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "would delete" in result.stdout and "2 decision records past retention" in result.stdout
    assert "chain_entries" not in result.stdout and "records:" not in result.stdout
    assert len(run(["export"], records_db, tmp_path).stdout.splitlines()) == 3


def test_purge_asks_first_and_goes_ahead_with_yes(records_db: dict, tmp_path: Path) -> None:
    refused(run(["purge"], records_db, tmp_path), "--yes")
    assert len(run(["export"], records_db, tmp_path).stdout.splitlines()) == 3
    done = run(["purge", "--yes"], records_db, tmp_path)
    assert done.returncode == 0 and "deleted:" in done.stdout and "2 decision records" in done.stdout
    assert len(run(["export"], records_db, tmp_path).stdout.splitlines()) == 1
    assert run(["verify"], records_db, tmp_path).returncode == 0


def test_a_png_is_not_written_to_a_terminal(tmp_path: Path) -> None:
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run([canishare_exe(), "policy", "graph", "hmg-2008", "--format", "png"], env=clean_env(),
                              cwd=tmp_path, stdout=follower, stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(follower)
    os.set_blocking(leader, False)
    try:
        written = os.read(leader, 65536)
    except OSError:
        written = b""
    os.close(leader)
    assert proc.returncode == 1 and "--output FILE" in proc.stderr and "Traceback" not in proc.stderr
    assert b"PNG" not in written


# --- the server log: a wrong signing secret leaves a trace, once a minute ----------------------

def test_a_wrong_signature_is_logged_once_with_a_count_never_the_payload(server) -> None:
    body = b"token=x&command=%2Fcanishare&text=PAYLOAD-MUST-NOT-BE-LOGGED"
    before = server.log().count("missing or wrong Slack signature")
    for _ in range(3):
        headers = {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=" + "0" * 64}
        reply = post(server.url + "/slack/events", body, "application/x-www-form-urlencoded", headers)
        assert reply.status == 401
    deadline = time.time() + 5
    while time.time() < deadline and server.log().count("missing or wrong Slack signature") == before:
        time.sleep(0.1)
    log = server.log()
    assert log.count("missing or wrong Slack signature") == before + 1  # the first at once, the rest within the minute
    assert "SLACK_SIGNING_SECRET" in log and "PAYLOAD-MUST-NOT-BE-LOGGED" not in log


# --- the scripts ---------------------------------------------------------------------------------

def test_scripts_canishare_runs_the_checkouts_command(tmp_path: Path) -> None:
    if not (ROOT / ".venv" / "bin" / "canishare").exists():
        pytest.skip("needs the checkout's .venv")
    url = f"sqlite:///{tmp_path / 'nothing.db'}"
    refused(run(["verify"], clean_env(DATABASE_URL=url), tmp_path, exe=str(ROOT / "scripts" / "canishare")),
            "no database at", "nothing.db")


def test_setup_does_not_install_again_when_pyproject_is_unchanged(tmp_path: Path) -> None:
    stamp = ROOT / ".venv" / ".canishare-installed"
    if not stamp.exists():
        pytest.skip("the .venv was not made by scripts/setup")
    env = clean_env(PIP_INDEX_URL="http://127.0.0.1:9/simple", PIP_NO_INDEX="1")  # offline
    result = subprocess.run([str(ROOT / "scripts" / "setup")], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "installing" not in result.stderr and "editable" not in result.stderr.lower()


def test_no_traceback_from_an_unexpected_error(tmp_path: Path) -> None:
    (tmp_path / "canishare.db").write_text("this is not a database, just text" * 100)
    result = run(["verify"], clean_env(), tmp_path)
    assert result.returncode == 1 and "not a SQLite database" in result.stderr
    assert sys.executable  # the point is the assertion inside run(): no "Traceback"
