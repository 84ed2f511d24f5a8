"""Tenants apart (storage.tenancy), on SQLite and PostgreSQL: what one tenant's Database writes,
another's can never read, count or change; the registry's ensure() is idempotent and safe when
several threads or processes install at once; the deployment's own tables stay out of a tenant's
reach; a single-workspace database is untouched."""
from __future__ import annotations

import hashlib
import hmac
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import DBAPIError

from bot.config_store import ConfigStore
from storage.db import Database, DatabaseProblem, alembic_config, make_engine
from storage.digest import compute_digest
from storage.models import ConfigVersionRow, Record, TenantRow
from storage.records import append, pseudonymise, verify_chain
from storage.retention import purge
from storage.tenancy import (TenantNotFound, Tenants, schema_name, sqlite_tenant_file, tenant_key,
                             tenant_pseudonym_key)
from tests.conftest import TEST_CONFIG

A, B = "T0AAA1", "T0BBB2"
MASTER = "test-master-key-not-a-secret"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tenants(database):
    registry = Tenants(database)
    yield registry
    registry.close()


@pytest.fixture
def two(tenants):
    return tenants.ensure(A, kind="workspace", name="Aville Council", installer="U0INSTA"), \
        tenants.ensure(B, kind="workspace", name="Bshire Council", installer="U0INSTB")


def add_record(db: Database, outcome: str = "share", *, team: str = "early-help", days_ago: int = 1,
               user: str = "U0PRACT1", key: str = MASTER) -> str:
    at = datetime.utcnow().replace(microsecond=0) - timedelta(days=days_ago)
    with db.transaction() as s:
        r = Record(created_at=at, policy="hmg-2008@1", team=team, practitioner=pseudonymise(key, user),
                   path=[{"node": "danger", "answer": "no"}], outcome=outcome, unsure_at=None, format=2,
                   shared_what=["health"], shared_with=["school"], reason="support_child")
        s.add(r)
        append(s, r, "outcome", at)
        append(s, r, "details", at)
        return r.id


def count(db: Database, table: str) -> int:
    with db.read_only() as s:
        return s.execute(text(f"SELECT count(*) FROM {table}")).scalar()


def head_revision(db: Database) -> str:
    return ScriptDirectory.from_config(alembic_config(db.engine)).get_current_head()


# --- who the tenant is, and its key -----------------------------------------------------------

def test_tenant_key_is_the_org_for_an_org_wide_install_else_the_workspace():
    assert tenant_key("E0ORG1", "T0AAA1", True) == "E0ORG1"
    assert tenant_key("E0ORG1", "T0AAA1", False) == "T0AAA1"
    assert tenant_key(None, "T0AAA1", False) == "T0AAA1"


@pytest.mark.parametrize("enterprise, team, org_wide", [
    (None, "T0AAA1", True), (None, None, False), (None, "t0aaa1", False), (None, "T0A; DROP", False),
    (None, "T0" + "A" * 30, False), ("E0'1", None, True)])
def test_tenant_key_refuses_a_missing_or_strange_id(enterprise, team, org_wide):
    with pytest.raises(ValueError):
        tenant_key(enterprise, team, org_wide)


def test_each_tenant_has_its_own_pseudonym_key_derived_from_the_master():
    ka, kb = tenant_pseudonym_key(MASTER, A), tenant_pseudonym_key(MASTER, B)
    assert ka == hmac.new(MASTER.encode(), f"canishare tenant {A}".encode(), hashlib.sha256).hexdigest()
    assert ka == tenant_pseudonym_key(MASTER, A) and len({ka, kb, MASTER}) == 3
    assert tenant_pseudonym_key("another-master", A) != ka
    # The same person (a Grid user id is org-wide) is unlinkable across tenants.
    assert pseudonymise(ka, "U0SAME") != pseudonymise(kb, "U0SAME")


# --- the registry ------------------------------------------------------------------------------

def test_ensure_registers_and_is_idempotent(database, tenants):
    first = tenants.ensure(A, kind="workspace", name="Aville", installer="U0INSTA")
    installed = tenants.all()[0].installed_at
    again = tenants.ensure(A, kind="workspace", name="Aville", installer=None)
    assert again is first and tenants.database(A) is first
    assert [(i.id, i.kind, i.name, i.installer, i.removed_at) for i in tenants.all()] == \
        [(A, "workspace", "Aville", "U0INSTA", None)]
    assert tenants.all()[0].installed_at == installed
    # Another process (a registry of its own) finds it migrated and registered.
    other = Tenants(database)
    assert other.active() == [A] and other.database(A).tenant == A
    other.close()
    with first.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head_revision(database)


def test_remove_keeps_the_data_and_a_reinstall_reactivates(tenants):
    a = tenants.ensure(A, kind="workspace", name="Aville", installer="U0INSTA")
    tenants.ensure(B, kind="workspace", name="Bshire", installer="U0INSTB")
    rid = add_record(a)
    tenants.remove(A)
    assert tenants.active() == [B] and not tenants.is_active(A) and tenants.is_active(B)
    assert [i.id for i in tenants.all() if not i.active] == [A]
    with tenants.database(A).read_only() as s:  # kept for retention and the data processing agreement
        assert s.get(Record, rid) is not None
    tenants.remove("T0NEVER1")  # an uninstall of something never installed: nothing to do
    assert tenants.ensure(A, kind="workspace", name="Aville", installer="U0NEW") is a
    assert tenants.active() == [A, B] and [i.installer for i in tenants.all()] == ["U0NEW", "U0INSTB"]


def test_an_unknown_or_malformed_tenant_is_not_found_and_nothing_is_created(database, tenants):
    for wanted in ("T0NEVER1", "t0aaa1", "../x", "", None):
        with pytest.raises(TenantNotFound):
            tenants.database(wanted)
        assert not tenants.is_active(wanted)
    assert tenants.all() == []
    if database.dialect == "postgresql":
        with database.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 't\\_%'")).scalar() == 0
    else:
        folder = Path(database.engine.url.database).parent
        assert [p.name for p in folder.iterdir() if ".t_" in p.name] == []


def test_ensure_refuses_a_strange_id_or_kind(tenants):
    with pytest.raises(ValueError):
        tenants.ensure("T0AAA1; DROP SCHEMA public", kind="workspace", name="x", installer=None)
    with pytest.raises(ValueError):
        tenants.ensure(A, kind="school", name="x", installer=None)
    assert tenants.all() == []


def test_a_registered_tenant_whose_data_is_missing_is_refused_not_recreated_empty(database, tenants):
    a = tenants.ensure(A, kind="workspace", name="Aville", installer=None)
    add_record(a)
    tenants.close()
    if database.dialect == "postgresql":
        with database.engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema_name(A)} CASCADE")
    else:
        a.engine.dispose()
        sqlite_tenant_file(Path(database.engine.url.database), A).unlink()
    fresh = Tenants(database)
    with pytest.raises(DatabaseProblem, match="missing"):
        fresh.database(A)  # an empty stand-in would make verify report an intact, empty chain
    assert "t_t0aaa1" not in str(inspect(database.engine).get_schema_names())


# --- isolation ---------------------------------------------------------------------------------

def test_records_and_chain_written_in_a_are_invisible_in_b(two):
    a, b = two
    rid = add_record(a, "seek_advice", key=tenant_pseudonym_key(MASTER, A))
    with b.read_only() as s:
        assert s.get(Record, rid) is None  # B's forged id of A's record finds nothing
        assert s.execute(select(func.count()).select_from(Record)).scalar() == 0
        report = verify_chain(s)
        assert report.ok and report.entries == 0
    with a.read_only() as s:
        assert s.get(Record, rid).outcome == "seek_advice"
        assert verify_chain(s).entries == 2


def test_b_cannot_change_or_delete_a_rows(two):
    a, b = two
    rid = add_record(a, days_ago=400)
    with b.transaction() as s:
        changed = s.execute(text("UPDATE records SET outcome = 'do_not_share' WHERE id = :id"), {"id": rid}).rowcount
        gone = s.execute(text("DELETE FROM records")).rowcount
        purged = purge(s, datetime.utcnow(), retention_days=1)
    assert changed == 0 and gone == 0 and not any(purged.values())
    with a.read_only() as s:
        assert s.get(Record, rid).outcome == "share"
        assert verify_chain(s).ok


def test_configuration_is_per_tenant(two):
    a, b = two
    store_a, store_b = ConfigStore(a), ConfigStore(b)
    store_a.apply({**TEST_CONFIG, "organisation": "Aville Council"}, author="slack:U0INSTA")
    assert store_b.latest() is None and store_b.history() == []
    store_b.apply({**TEST_CONFIG, "organisation": "Bshire Council"}, author="slack:U0INSTB")
    assert store_a.latest().settings.organisation == "Aville Council"
    assert store_b.latest().settings.organisation == "Bshire Council"
    assert [v.number for v in store_a.history()] == [1] and [v.number for v in store_b.history()] == [1]
    for db in (a, b):  # each tenant's chain holds its own configuration version, and verifies
        with db.read_only() as s:
            assert verify_chain(s).ok and s.execute(select(func.count()).select_from(ConfigVersionRow)).scalar() == 1


def test_the_digest_raw_sql_counts_only_its_own_tenant(two):
    a, b = two
    for outcome in ("share", "share", "do_not_share"):
        add_record(a, outcome)
    add_record(b, "seek_advice")
    end = datetime.utcnow() + timedelta(seconds=1)
    with a.read_only() as s:
        da = compute_digest(s, end, ZoneInfo("Europe/London"))
    with b.read_only() as s:
        db_ = compute_digest(s, end, ZoneInfo("Europe/London"))
    assert da["total"] == 3 and da["by_outcome"]["share"] == 2 and da["by_outcome"]["seek_advice"] == 0
    assert db_["total"] == 1 and db_["by_outcome"]["seek_advice"] == 1 and db_["by_outcome"]["share"] == 0
    # The dialect-specific raw SQL over the JSON lists (json_array_elements_text / json_each).
    assert da["shared"]["records"] == 3 and db_["shared"]["records"] == 1


def test_the_deployment_database_holds_none_of_a_tenant_data(database, two):
    a, _b = two
    add_record(a)
    ConfigStore(a).apply(TEST_CONFIG, author="cli:test")
    assert count(database, "records") == 0 and count(database, "record_chain") == 0
    assert count(database, "config_versions") == 0
    assert count(database, "tenants") == 2 and count(a, "tenants") == 0


def test_every_path_into_a_tenant_is_confined(database, two):
    """Sessions, glance(), engine.connect() and the inspector all see the tenant's own tables."""
    a, _b = two
    add_record(a)
    with a.read_only() as s:
        assert s.execute(text("SELECT count(*) FROM records")).scalar() == 1
    with a.glance() as s:
        assert s.execute(text("SELECT count(*) FROM records")).scalar() == 1
    with a.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM records")).scalar() == 1
        conn.commit()  # a second transaction on the same connection is confined too
        assert conn.execute(text("SELECT count(*) FROM records")).scalar() == 1
    assert "records" in inspect(a.engine).get_table_names()
    with a.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Record.metadata) == []


def test_postgresql_the_control_tables_are_out_of_a_tenant_reach(database, two):
    if database.dialect != "postgresql":
        pytest.skip("schemas are PostgreSQL's; on SQLite each tenant is a file of its own")
    a, b = two
    with database.engine.begin() as conn:
        conn.execute(text("CREATE TABLE control_only (secret text)"))
        conn.execute(text("INSERT INTO control_only VALUES ('the deployment''s')"))
    with pytest.raises(DBAPIError, match="control_only"):
        with a.read_only() as s:
            s.execute(text("SELECT * FROM control_only")).all()
    with a.read_only() as s:
        assert s.execute(text("SHOW search_path")).scalar() == schema_name(A)
        assert s.execute(text("SELECT current_schema()")).scalar() == schema_name(A)
    with b.glance() as s:
        assert s.execute(text("SELECT current_schema()")).scalar() == schema_name(B)
    # The schema is named in the tenant's own alembic_version, not public's.
    with database.engine.connect() as conn:
        assert conn.execute(text(f"SELECT version_num FROM {schema_name(A)}.alembic_version")).scalar() == \
            head_revision(database)


def test_postgresql_a_pooled_connection_carries_no_tenant_path_back(database):
    if database.dialect != "postgresql":
        pytest.skip("PostgreSQL: tenants share the deployment's pool")
    control = Database(engine=make_engine(database.engine.url.render_as_string(hide_password=False), pool_size=1))
    try:
        registry = Tenants(control)
        a = registry.ensure(A, kind="workspace", name="Aville", installer=None)
        add_record(a)
        with a.engine.connect() as conn:
            used = conn.connection.dbapi_connection
            assert conn.execute(text("SELECT current_schema()")).scalar() == schema_name(A)
        with control.engine.connect() as conn:
            assert conn.connection.dbapi_connection is used  # the same connection, back from the pool
            assert conn.execute(text("SELECT current_schema()")).scalar() == "public"
            assert conn.execute(text("SELECT count(*) FROM records")).scalar() == 0
    finally:
        control.engine.dispose()


def test_postgresql_an_autocommit_tenant_connection_is_refused_not_run_in_public(database, two):
    if database.dialect != "postgresql":
        pytest.skip("SET LOCAL search_path is PostgreSQL's")
    a, _b = two
    with pytest.raises(RuntimeError, match="AUTOCOMMIT"):
        with a.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(text("SELECT count(*) FROM records")).scalar()
    with pytest.raises(RuntimeError, match="AUTOCOMMIT"):
        with a.engine.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text("SELECT count(*) FROM records")).scalar()
    with a.read_only() as s:  # the pool's connections are transactional, and confined, again
        assert s.execute(text("SELECT current_schema()")).scalar() == schema_name(A)


# --- several installs at once -----------------------------------------------------------------

def test_ensure_from_many_threads_and_registries_at_once(database, fresh_db):
    """Eight threads, each a registry of its own on an engine of its own (as separate processes
    are), install the same two tenants at the same moment: no error, one row each, migrated."""
    start, errors, got = threading.Barrier(8), [], []

    def install(i: int) -> None:
        control = Database(fresh_db)
        registry = Tenants(control)
        try:
            start.wait()
            db = registry.ensure(A if i % 2 else B, kind="workspace", name=f"install {i}", installer=f"U0INST{i}")
            got.append((db.tenant, count(db, "records")))
        except Exception as err:  # noqa: BLE001 - reported below
            errors.append(repr(err))
        finally:
            registry.close()
            control.engine.dispose()

    threads = [threading.Thread(target=install, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == [] and sorted(got) == [(A, 0)] * 4 + [(B, 0)] * 4
    with database.read_only() as s:
        assert sorted(s.execute(select(TenantRow.id)).scalars()) == [A, B]
    registry = Tenants(database)
    for tid in (A, B):
        with registry.database(tid).engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == head_revision(database)
    registry.close()


def test_ensure_from_three_processes_at_once(database, fresh_db, tmp_path):
    script = ("import sys, time\n"
              "from storage.db import Database\nfrom storage.tenancy import Tenants\n"
              "c = Database(sys.argv[1]); t = Tenants(c)\n"
              "while time.time() < float(sys.argv[2]): time.sleep(0.005)\n"
              "db = t.ensure('T0AAA1', kind='workspace', name='Aville', installer=None)\n"
              "print(db.tenant)\n")
    import time

    at = str(time.time() + 3)
    procs = [subprocess.Popen([sys.executable, "-c", script, fresh_db, at], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err[-400:] for _out, err in outs]
    assert [out.strip() for out, _err in outs] == [A] * 3
    assert Tenants(database).active() == [A]


# --- one workspace: nothing changes ------------------------------------------------------------

def test_a_single_workspace_database_has_no_tenants_and_keeps_its_data_where_it_was(database):
    rid = add_record(database)
    assert Tenants(database).all() == [] and Tenants(database).active() == []
    with database.read_only() as s:
        assert s.get(Record, rid) is not None and verify_chain(s).entries == 2
    if database.dialect == "postgresql":
        with database.engine.connect() as conn:
            assert conn.execute(text("SELECT current_schema()")).scalar() == "public"
