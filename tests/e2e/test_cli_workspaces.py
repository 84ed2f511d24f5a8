"""The command line on a deployment that many workspaces install, run as a subprocess: every
command that reads or changes records names its workspace (--workspace or CANISHARE_WORKSPACE),
there is no default one, and what it reads, counts or changes is that workspace's alone.
On a single-workspace deployment nothing changes and --workspace is refused."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import text

from tests.conftest import PSEUDONYM_KEY, TEST_CONFIG
from tests.e2e.test_cli import clean_env, refused, run

A, B, C = "T0AAA1", "T0BBB2", "T0CCC3"
SERVES = "this deployment serves 2 workspaces (T0AAA1, T0BBB2); choose one with --workspace"


def _add_records(db, outcomes: list[str], tenant: str, days_ago: int = 1) -> list[str]:
    from storage.models import Record
    from storage.records import append, pseudonymise
    from storage.tenancy import tenant_pseudonym_key

    key = tenant_pseudonym_key(PSEUDONYM_KEY, tenant)
    at = datetime.utcnow().replace(microsecond=0) - timedelta(days=days_ago)
    ids = []
    with db.transaction() as s:
        for outcome in outcomes:
            r = Record(created_at=at, policy="hmg-2008@1", team="early-help", practitioner=pseudonymise(key, "U0PRACT1"),
                       path=[{"node": "danger", "answer": "no"}], outcome=outcome, unsure_at=None, format=2)
            s.add(r)
            append(s, r, "outcome", at)
            ids.append(r.id)
    return ids


@pytest.fixture
def deployment(tmp_path: Path, fresh_db: str) -> dict:
    """A deployment made by `canishare db upgrade`, two workspaces installed: A with three
    records (one past a 2-day retention) and its configuration, B with one and its own."""
    env = clean_env(DATABASE_URL=fresh_db)
    made = run(["db", "upgrade"], env, tmp_path)
    assert made.returncode == 0, made.stderr
    from bot.config_store import ConfigStore
    from storage.db import Database
    from storage.tenancy import Tenants

    control = Database(fresh_db)
    tenants = Tenants(control)
    a = tenants.ensure(A, kind="workspace", name="Aville Council", installer="U0INSTA")
    b = tenants.ensure(B, kind="workspace", name="Bshire Council", installer="U0INSTB")
    ConfigStore(a).apply({**TEST_CONFIG, "organisation": "Aville Council", "retention_days": 2}, author="slack:U0INSTA")
    ConfigStore(b).apply({**TEST_CONFIG, "organisation": "Bshire Council", "retention_days": 2}, author="slack:U0INSTB")
    ids = {A: _add_records(a, ["do_not_share"], A, days_ago=10) + _add_records(a, ["share", "seek_advice"], A),
           B: _add_records(b, ["urgent"], B, days_ago=10) + _add_records(b, ["share"], B)}
    tenants.close()
    control.engine.dispose()
    # The deployment's own YAML file is there, as it would be: never a workspace's configuration.
    cfg = tmp_path / "canishare.yml"
    cfg.write_text(yaml.safe_dump({**TEST_CONFIG, "organisation": "The provider's default", "retention_days": 1}))
    return {"env": clean_env(DATABASE_URL=fresh_db, CANISHARE_CONFIG=str(cfg)), "ids": ids, "url": fresh_db}


def exported_ids(result) -> list[str]:
    """The ids exported, sorted (records of the same second come in id order)."""
    assert result.returncode == 0, result.stderr
    return sorted(json.loads(line)["id"] for line in result.stdout.splitlines())


@pytest.mark.parametrize("command", [["export"], ["verify"], ["digest"], ["purge", "--dry-run"], ["config", "export"]])
def test_without_workspace_every_data_command_names_the_workspaces_and_refuses(deployment, tmp_path, command):
    refused(run(command, deployment["env"], tmp_path), SERVES)


def test_config_import_without_workspace_is_refused_and_stores_nothing(deployment, tmp_path):
    f = tmp_path / "new.yml"
    f.write_text(yaml.safe_dump({**TEST_CONFIG, "organisation": "Nobody's"}))
    refused(run(["config", "import", str(f), "--yes"], deployment["env"], tmp_path), SERVES)
    from storage.db import Database

    control = Database(deployment["url"])
    with control.read_only() as s:
        assert s.execute(text("SELECT count(*) FROM config_versions")).scalar() == 0
    control.engine.dispose()


@pytest.mark.parametrize("wanted", ["T0ZZZ9", "T0AAA", "T0AAA1;", "public"])
def test_an_unknown_workspace_is_refused_naming_the_ones_served(deployment, tmp_path, wanted):
    line = refused(run(["export", "--workspace", wanted], deployment["env"], tmp_path), f"no workspace {wanted!r}", SERVES)
    assert "Traceback" not in line


def test_export_gives_only_that_workspace_records(deployment, tmp_path):
    env, ids = deployment["env"], deployment["ids"]
    got_a = run(["export", "--workspace", A], env, tmp_path)
    assert exported_ids(got_a) == sorted(ids[A]) and "exported 3 records from workspace T0AAA1" in got_a.stderr
    assert exported_ids(run(["export"], dict(env, CANISHARE_WORKSPACE=B), tmp_path)) == sorted(ids[B])
    assert exported_ids(run(["export", "--workspace", "t0bbb2"], env, tmp_path)) == sorted(ids[B])
    csv_b = run(["export", "--format", "csv", "--workspace", B], env, tmp_path)
    assert csv_b.returncode == 0 and not any(i in csv_b.stdout for i in ids[A])


def test_digest_counts_only_that_workspace(deployment, tmp_path):
    env = deployment["env"]
    for tenant, total, outcome in ((A, 2, "seek_advice"), (B, 1, "share")):
        result = run(["digest", "--format", "json", "--workspace", tenant], env, tmp_path)
        assert result.returncode == 0, result.stderr
        d = json.loads(result.stdout)
        assert d["total"] == total and d["by_outcome"][outcome] == 1, d


def test_verify_checks_that_workspace_chain_and_a_break_in_b_leaves_a_intact(deployment, tmp_path):
    env, ids = deployment["env"], deployment["ids"]
    assert run(["verify", "--workspace", A], env, tmp_path).returncode == 0
    from storage.db import Database
    from storage.tenancy import Tenants

    control = Database(deployment["url"])
    tenants = Tenants(control)
    with tenants.database(B).transaction() as s:  # someone edits B's record in the database
        s.execute(text("UPDATE records SET outcome = 'do_not_share' WHERE id = :id"), {"id": ids[B][0]})
    tenants.close()
    control.engine.dispose()
    broken = run(["verify", "--workspace", B], env, tmp_path)
    assert broken.returncode == 1 and ids[B][0] in broken.stdout
    intact = run(["verify", "--workspace", A], env, tmp_path)
    assert intact.returncode == 0 and "3 records" in intact.stdout, intact.stdout


def test_an_export_is_logged_in_that_workspace_chain_only(deployment, tmp_path):
    env = deployment["env"]
    assert run(["export", "--workspace", A], env, tmp_path).returncode == 0
    log_a = run(["verify", "--log", "--workspace", A], env, tmp_path)
    log_b = run(["verify", "--log", "--workspace", B], env, tmp_path)
    assert "export" in log_a.stdout.split("Access log")[1]
    assert "no exports, digest posts or purges yet" in log_b.stdout


def test_purge_deletes_in_that_workspace_only_by_its_own_retention(deployment, tmp_path):
    env, ids = deployment["env"], deployment["ids"]
    dry = run(["purge", "--dry-run", "--workspace", B], env, tmp_path)
    assert dry.returncode == 0 and "records are kept 2 days" in dry.stdout and "1 decision records" in dry.stdout
    done = run(["purge", "--yes", "--workspace", B], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert exported_ids(run(["export", "--workspace", B], env, tmp_path)) == ids[B][1:]
    assert exported_ids(run(["export", "--workspace", A], env, tmp_path)) == sorted(ids[A])
    assert run(["verify", "--workspace", B], env, tmp_path).returncode == 0


def test_config_import_and_export_are_per_workspace(deployment, tmp_path):
    env = deployment["env"]
    f = tmp_path / "aville.yml"
    f.write_text(yaml.safe_dump({**TEST_CONFIG, "organisation": "Aville Council, renamed", "retention_days": 2}))
    stored = run(["config", "import", str(f), "--yes", "--workspace", A], env, tmp_path)
    assert stored.returncode == 0 and "version 2 stored" in stored.stdout, stored.stdout + stored.stderr
    out_a = run(["config", "export", "--workspace", A], env, tmp_path)
    out_b = run(["config", "export", "--workspace", B], env, tmp_path)
    assert yaml.safe_load(out_a.stdout)["organisation"] == "Aville Council, renamed"
    assert yaml.safe_load(out_b.stdout)["organisation"] == "Bshire Council" and "version 1," in out_b.stdout


def test_a_workspace_without_configuration_never_borrows_the_deployment_file(deployment, tmp_path):
    from storage.db import Database
    from storage.tenancy import Tenants

    control = Database(deployment["url"])
    tenants = Tenants(control)
    tenants.ensure(C, kind="workspace", name="Cborough", installer=None)
    tenants.close()
    control.engine.dispose()
    env = deployment["env"]
    refused(run(["purge", "--dry-run", "--workspace", C], env, tmp_path), "workspace T0CCC3 holds no configuration")
    refused(run(["config", "export", "--workspace", C], env, tmp_path), "holds no configuration yet")


def test_workspaces_lists_them_and_a_removed_one_keeps_its_data(deployment, tmp_path):
    env, ids = deployment["env"], deployment["ids"]
    listed = run(["workspaces"], env, tmp_path)
    assert listed.returncode == 0 and "Aville Council" in listed.stdout and "2 active, 0 removed" in listed.stdout
    from storage.db import Database
    from storage.tenancy import Tenants

    control = Database(deployment["url"])
    Tenants(control).remove(B)
    control.engine.dispose()
    rows = json.loads(run(["workspaces", "--format", "json"], env, tmp_path).stdout)
    assert [(r["id"], r["kind"], r["removed_at"] is None) for r in rows] == [(A, "workspace", True), (B, "workspace", False)]
    refused(run(["export"], env, tmp_path), "serves 1 workspace (T0AAA1; removed: T0BBB2)")
    assert exported_ids(run(["export", "--workspace", B], env, tmp_path)) == sorted(ids[B])  # for the DPA's return of data


def test_db_upgrade_brings_every_workspace_up_to_date(deployment, tmp_path):
    result = run(["db", "upgrade"], deployment["env"], tmp_path)
    assert result.returncode == 0 and "2 of 2 workspaces' data at the newest schema" in result.stdout, result.stdout


def test_db_current_names_a_workspace_whose_data_is_behind(deployment, tmp_path):
    env = deployment["env"]
    current = run(["db", "current"], env, tmp_path)
    assert current.returncode == 0 and "2 of 2 workspaces at the newest schema" in current.stdout, current.stdout
    from storage.db import Database
    from storage.tenancy import Tenants

    control = Database(deployment["url"])
    tenants = Tenants(control)
    with tenants.database(B).transaction() as s:  # as if B's data were left one migration behind
        s.execute(text("UPDATE alembic_version SET version_num = '0006'"))
    tenants.close()
    control.engine.dispose()
    behind = run(["db", "current"], env, tmp_path)
    assert behind.returncode == 1 and "workspace T0BBB2: at 0006, behind" in behind.stdout, behind.stdout
    assert "T0AAA1" not in behind.stdout


def test_digest_post_for_a_workspace_needs_the_token_key_not_the_bot_token(deployment, tmp_path):
    env = dict(deployment["env"], SLACK_BOT_TOKEN="xoxb-single-workspace-token")
    refused(run(["digest", "--post", "--workspace", A], env, tmp_path), "--post for workspace T0AAA1 needs CANISHARE_TOKEN_KEY")


# --- a single-workspace deployment: unchanged, and --workspace is refused ----------------------

def test_single_workspace_refuses_workspace_and_works_without(tmp_path, fresh_db):
    env = clean_env(DATABASE_URL=fresh_db)
    assert run(["db", "upgrade"], env, tmp_path).returncode == 0
    for command in (["export"], ["verify"], ["digest"]):
        refused(run([*command, "--workspace", A], env, tmp_path), "serves one workspace", "without --workspace")
        assert run(command, env, tmp_path).returncode == 0
    refused(run(["export"], dict(env, CANISHARE_WORKSPACE=A), tmp_path), "serves one workspace")
    listed = run(["workspaces"], env, tmp_path)
    assert listed.returncode == 0 and "serves one workspace" in listed.stdout
