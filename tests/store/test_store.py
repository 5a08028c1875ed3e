"""The local store: SQLite settings, migrations with backup, edits and their outbox together."""

import sqlite3

import pytest
import sqlalchemy as sa

from workbench.store import records
from workbench.store.db import (DB_FILE, StoreError, current_revision, head_revision, is_intact,
                                open_store)
from workbench.store.schema import RECORD_TABLES, outbox
from workbench.domain.values import InvalidValue, new_id


def outbox_rows(store):
    with store.reading() as conn:
        return [dict(r) for r in conn.execute(sa.select(outbox).order_by(outbox.c.seq)).mappings()]


def test_a_new_store_is_at_head_in_wal_mode_with_foreign_keys(store):
    assert current_revision(store.engine) == head_revision()
    with store.reading() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert store.backup_path is None  # nothing to back up in a new file


def test_upgrade_from_first_revision_keeps_every_row_and_backs_up_first(data_dir):
    """Rows are written in the first revision's own tables (reflected from the file: the current
    model has columns that revision lacks); after the upgrade every row is there, unchanged, and
    every column added since is empty."""
    old = open_store(data_dir, target="0001")
    assert current_revision(old.engine) == "0001"
    now = "2026-11-22T18:00:00.000000Z"
    meta = {"created_at": now, "updated_at": now, "version": 0, "deleted": False}
    accounts = [{"id": new_id(), "name": f"Customer {i}", "domain": f"c{i}.example", **meta}
                for i in range(50)]
    contact = {"id": new_id(), "account_id": accounts[0]["id"], "name": "Ana Díaz", **meta}
    registration = {"id": new_id(), "account_id": accounts[1]["id"], "customer_name": "Customer 1",
                    "product": "Suite", "deal_value_cents": 4_000_000,
                    "expected_close_date": "2027-03-31", "status": "draft", **meta}
    queued = [{"op_id": new_id(), "entity": entity, "record_id": row["id"], "kind": "create",
               "fields": {"name": {"old": None, "new": row.get("name")}}, "base_version": 0,
               "created_at": now, "state": "pending"}
              for entity, rows in (("accounts", accounts), ("contacts", [contact]),
                                   ("registrations", [registration])) for row in rows]
    with old.transaction() as conn:
        tables = _reflected(conn)
        conn.execute(sa.insert(tables["accounts"]), accounts)
        conn.execute(sa.insert(tables["contacts"]), [contact])
        conn.execute(sa.insert(tables["registrations"]), [registration])
        conn.execute(sa.insert(tables["outbox"]), queued)
    before = _dump_all(old)
    old.close()

    upgraded = open_store(data_dir)
    assert current_revision(upgraded.engine) == head_revision() != "0001"
    after = _dump_all(upgraded)
    for name, rows in before.items():
        kept = sorted(({k: v for k, v in row.items() if k in (rows[0] if rows else {})}
                       for row in after[name]), key=repr)
        assert kept == rows, name
        added = {k for row in after[name] for k in row} - {k for row in rows for k in row}
        assert all(row[k] is None for row in after[name] for k in added), (name, added)
    assert len(after["accounts"]) == 50 and len(after["outbox"]) == 52
    # the backup was taken before migrating: it is still at the first revision, with the rows
    assert upgraded.backup_path and upgraded.backup_path.exists()
    assert is_intact(upgraded.backup_path)
    backup = sqlite3.connect(upgraded.backup_path)
    assert backup.execute("select version_num from alembic_version").fetchone() == ("0001",)
    assert backup.execute("select count(*) from accounts").fetchone() == (50,)
    backup.close()
    upgraded.close()


def _reflected(conn):
    meta = sa.MetaData()
    meta.reflect(conn)
    return meta.tables


def _dump_all(store):
    with store.reading() as conn:
        tables = _reflected(conn)
        # a table a later revision adds (registration_amendments, 0004) is not there yet
        return {name: sorted((dict(r) for r in conn.execute(sa.select(tables[name])).mappings()),
                             key=repr)
                for name in [*RECORD_TABLES, "outbox"] if name in tables}  # new: not at 0001


def test_a_file_that_is_not_a_database_gives_a_clear_error(data_dir):
    (data_dir / DB_FILE).write_bytes(b"this is a spreadsheet, not a database" * 100)
    with pytest.raises(StoreError, match="not a workbench database"):
        open_store(data_dir)


def test_record_and_outbox_operation_are_written_together(store):
    with store.transaction() as conn:
        account = records.create(conn, "accounts", {"name": "Globex", "domain": "globex.com"})
    [op] = outbox_rows(store)
    assert (op["entity"], op["record_id"], op["kind"], op["base_version"]) == \
        ("accounts", account["id"], "create", 0)
    assert op["fields"]["name"] == {"old": None, "new": "Globex"}

    # a unit of work that fails after the edit leaves neither the record nor its operation
    with pytest.raises(RuntimeError):
        with store.transaction() as conn:
            records.create(conn, "accounts", {"name": "Initech"})
            raise RuntimeError("power cut")
    with store.reading() as conn:
        names = [a["name"] for a in records.list_records(conn, "accounts")]
    assert names == ["Globex"] and len(outbox_rows(store)) == 1


def test_update_queues_only_real_changes_with_old_and_new_values(store):
    with store.transaction() as conn:
        account = records.create(conn, "accounts", {"name": "Globex", "industry": "Energy"})
        records.update(conn, "accounts", account["id"], {"industry": "Energy"})  # no change
        records.update(conn, "accounts", account["id"], {"industry": "Utilities", "country": "DE"})
    ops = outbox_rows(store)
    assert [op["kind"] for op in ops] == ["create", "update"]
    assert ops[1]["fields"] == {"industry": {"old": "Energy", "new": "Utilities"},
                                "country": {"old": None, "new": "DE"}}


def test_vendor_owned_fields_cannot_be_edited_and_nothing_is_queued(store):
    """DESIGN §2: registration status/number are the vendor's."""
    with store.transaction() as conn:
        account = records.create(conn, "accounts", {"name": "Globex"})
        registration = records.create(conn, "registrations", {
            "account_id": account["id"], "customer_name": "Globex", "product": "Suite",
            "deal_value_cents": 100, "expected_close_date": "2027-01-31"})
    before = outbox_rows(store)
    for field in ("status", "registration_number", "protection_expires_at"):
        with pytest.raises(InvalidValue) as error:
            with store.transaction() as conn:
                records.update(conn, "registrations", registration["id"], {field: "x"})
        assert error.value.field == field and "vendor" in str(error.value)
    assert outbox_rows(store) == before


def test_references_must_exist_locally(store):
    # The message names the field by the label the rep sees; `field` keeps the machine name.
    with pytest.raises(InvalidValue, match="^Account: no account") as error:
        with store.transaction() as conn:
            records.create(conn, "contacts", {"account_id": "6f1c3f5e-0000-4000-8000-000000000000",
                                              "name": "Nobody"})
    assert error.value.field == "account_id"


def test_vendor_records_cannot_be_created_locally(store):
    with pytest.raises(InvalidValue, match="come from the vendor"):
        with store.transaction() as conn:
            records.create(conn, "leads", {"company_name": "Hooli"})


def test_a_submitted_registration_keeps_its_customer_and_cannot_be_deleted(store):
    """The customer decides the conflict check (seed 003 edge case 3): fixed once submitted."""
    with store.transaction() as conn:
        account = records.create(conn, "accounts", {"name": "Globex"})
        registration = records.create(conn, "registrations", {
            "account_id": account["id"], "customer_name": "Globex", "product": "Suite",
            "deal_value_cents": 100, "expected_close_date": "2099-01-31"})
        records.update(conn, "registrations", registration["id"], {"customer_name": "Globex Corp"})
        records.perform_action(conn, "registrations", registration["id"], "submit")
    before = outbox_rows(store)
    with pytest.raises(InvalidValue) as error:
        with store.transaction() as conn:
            records.update(conn, "registrations", registration["id"], {"customer_domain": "other.com"})
    assert error.value.field == "customer_domain" and "withdraw" in str(error.value)
    with pytest.raises(InvalidValue, match="only a draft"):
        with store.transaction() as conn:
            records.delete(conn, "registrations", registration["id"])
    with store.transaction() as conn:  # what the deal is about may still be noted
        records.update(conn, "registrations", registration["id"], {"notes": "CFO signed"})
    assert len(outbox_rows(store)) == len(before) + 1


def test_the_newest_migration_file_names_alembics_head():
    """Opening an up-to-date store skips Alembic by comparing with the newest file's number:
    that holds only while revisions are numbered in sequence after their file names."""
    from workbench.store.db import newest_revision_file
    assert newest_revision_file() == head_revision()


def test_migrated_store_matches_the_model(store):
    """A field added to workbench/domain/model.py needs a new store migration too."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from workbench.store.schema import metadata

    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
