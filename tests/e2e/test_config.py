"""The configuration held in the database, end to end: `config export` and `config import`
against a running server, a change reaching it without a restart, and what start-up says
when the YAML file differs from the database."""
from __future__ import annotations

import copy
import subprocess
import time
from pathlib import Path

import yaml

from bot.config import Settings
from tests.conftest import TEST_CONFIG, canishare_exe, start_server
from tests.e2e.helpers import Person
from tests.e2e.test_cli import clean_env, refused, run

POLL = 2.0  # ConfigStore's poll_seconds: how soon a running server sees a new version


def changed(change) -> dict:
    config = copy.deepcopy(TEST_CONFIG)
    change(config)
    return config


def write(path: Path, config: dict) -> Path:
    path.write_text(yaml.safe_dump(config))
    return path


def import_(srv, path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([canishare_exe(), "config", "import", str(path), *args], env=srv.env, cwd=srv.workdir,
                          capture_output=True, text=True, input=stdin, timeout=120)


def urgent_ping_goes_to(srv, practitioner: str, lead: str) -> None:
    """An urgent request from a school-nursing practitioner (leads by DM) reaches `lead`."""
    first = Person(srv, practitioner).start()
    mark = srv.fake.mark()
    Person(srv, practitioner).answer(first, "yes")
    srv.fake.wait_for("chat.postMessage", since=mark, channel=lead)


def test_export_import_round_trip_reaches_the_running_server_without_a_restart(srv, tmp_path):
    exported = srv.cli("config", "export").stdout
    header = [line for line in exported.splitlines() if line.startswith("#")]
    assert header[0].startswith("# canishare configuration, version 1, stored ") and header[0].endswith(" by file")
    assert any("configuration created: teams early-help, school-nursing" in line for line in header)
    as_file = yaml.safe_load(exported)
    assert Settings.model_validate(as_file) == Settings.model_validate(TEST_CONFIG)
    assert "leads: [U0LEAD1]" in exported  # DESIGN's shape: id lists inline

    as_file["teams"][1]["leads"] = ["U0LEAD9"]  # school-nursing gets a new lead
    edited = write(tmp_path / "edited.yml", as_file)
    result = import_(srv, edited, stdin="y\n")
    assert result.returncode == 0, result.stderr
    assert "Changes from version 1 (file):" in result.stdout
    assert "  teams.school-nursing.leads: U0LEAD2 -> U0LEAD9" in result.stdout
    assert "configuration version 2 stored (by cli:" in result.stdout

    time.sleep(POLL + 0.5)  # the server's store looks again within poll_seconds
    urgent_ping_goes_to(srv, "U0PRACT3", "U0LEAD9")

    again = srv.cli("config", "export").stdout
    assert again.splitlines()[0].split(" by ")[1].startswith("cli:")
    assert "#     teams.school-nursing.leads: U0LEAD2 -> U0LEAD9" in again
    assert yaml.safe_load(again)["teams"][1]["leads"] == ["U0LEAD9"]

    same = import_(srv, edited, "--yes")
    assert same.returncode == 0 and same.stdout.startswith("no change: ") and "version 2" in same.stdout
    verified = srv.cli("verify").stdout
    assert "chain intact" in verified and "2 configuration versions" in verified


def test_a_bad_file_or_no_confirmation_changes_nothing(srv, tmp_path):
    bad = write(tmp_path / "bad.yml", changed(lambda c: c["teams"][0].update(leads=[])))
    result = import_(srv, bad, "--yes")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "bad.yml has problems" in result.stderr and "team 'Early Help', leads" in result.stderr
    assert "line " in result.stderr and "at least one safeguarding lead" in result.stderr

    fine = write(tmp_path / "fine.yml", changed(lambda c: c.update(retention_days=400)))
    declined = import_(srv, fine, stdin="n\n")
    assert "retention_days: 2190 -> 400" in declined.stdout
    refused(declined, "nothing changed", "--yes")
    no_answer = import_(srv, fine)  # stdin closed: not a yes
    refused(no_answer, "nothing changed")

    no_admin = write(tmp_path / "no-admin.yml", changed(lambda c: c.update(admins=[])))
    last = import_(srv, no_admin, "--yes")
    assert last.returncode == 1 and "the last admin cannot be removed" in last.stderr

    assert srv.cli("config", "export").stdout.startswith("# canishare configuration, version 1,")


def test_yes_stores_without_asking_and_import_may_create_the_database(tmp_path):
    config = write(tmp_path / "org.yml", TEST_CONFIG)
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'new.db'}")
    result = run(["config", "import", str(config), "--yes"], env, tmp_path, stdin=None)
    assert result.returncode == 0, result.stderr
    assert "this file becomes version 1" in result.stdout and "configuration version 1 stored (by cli:" in result.stdout
    exported = run(["config", "export"], env, tmp_path)
    assert exported.returncode == 0 and "version 1" in exported.stdout.splitlines()[0]


def test_export_refuses_a_missing_or_empty_database_naming_it(tmp_path):
    missing = run(["config", "export"], clean_env(), tmp_path)
    refused(missing, "no database at", str(tmp_path))
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'bare.db'}")
    assert run(["db", "upgrade"], env, tmp_path).returncode == 0
    refused(run(["config", "export"], env, tmp_path), "bare.db", "holds no configuration yet", "config import")


def test_a_file_that_differs_is_reported_at_start_up_and_the_database_wins(srv, tmp_path):
    edited = write(tmp_path / "edited.yml", changed(lambda c: c["teams"][1].update(leads=["U0LEAD9"])))
    assert import_(srv, edited, "--yes").returncode == 0
    srv.stop()
    again = start_server(srv.workdir, srv.fake, srv.db_url, port=srv.port, env=srv.env)  # the old canishare.yml
    try:
        log = again.log()
        assert "canishare.yml differs from the configuration in the database (version 2, " in log
        assert "The database's version is used; the file is ignored until `canishare config import " in log
        assert "The file is the same as version 1; changed since:" in log
        assert "  version 2, " in log and ", by cli:" in log
        assert "    teams.school-nursing.leads: U0LEAD2 -> U0LEAD9" in log
        urgent_ping_goes_to(again, "U0PRACT3", "U0LEAD9")  # the database's lead, not the file's
    finally:
        again.stop()


def test_admins_from_the_environment_when_none_are_configured(tmp_path, fake_slack, fresh_db):
    from tests.conftest import server_env

    workdir = tmp_path / "srv"
    workdir.mkdir()
    env = server_env(workdir, fake_slack, fresh_db, changed(lambda c: c.update(admins=[])))
    env["CANISHARE_ADMINS"] = "U0ADMIN7, U0ADMIN8"
    srv = start_server(workdir, fake_slack, fresh_db, env=env)
    try:
        exported = srv.cli("config", "export").stdout
        assert "version 2" in exported.splitlines()[0] and "by env:CANISHARE_ADMINS" in exported.splitlines()[0]
        assert yaml.safe_load(exported)["admins"] == ["U0ADMIN7", "U0ADMIN8"]
        assert "differs from the configuration" not in srv.log()  # the file plus the variable is what is stored
    finally:
        srv.stop()
    env["CANISHARE_ADMINS"] = "admin-bob"
    result = subprocess.run([canishare_exe(), "serve", "--port", "0"], env=env, cwd=workdir, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 1 and "CANISHARE_ADMINS must be Slack user IDs" in result.stderr


def test_serve_needs_no_file_once_the_database_holds_the_configuration(srv, tmp_path):
    srv.stop()
    env = {k: v for k, v in srv.env.items() if k != "CANISHARE_CONFIG"}
    workdir = tmp_path / "nofile"  # no canishare.yml here either
    again = start_server(workdir, srv.fake, srv.db_url, port=srv.port, env=env)
    try:
        assert "differs" not in again.log()
        urgent_ping_goes_to(again, "U0PRACT3", "U0LEAD2")
    finally:
        again.stop()
