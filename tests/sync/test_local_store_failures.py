"""This computer's store fails during sync: a full disk gives exit 4 and a sentence, what was
recorded before stays, and the next sync (after freeing space) ends converged; a damaged store
restored from its backup syncs back to what the vendor holds (issue 13, class 6). Real full
filesystems (tmpfs), real damaged pages."""

from __future__ import annotations

import sqlalchemy as sa

from tests.store.test_store_failures import damage
from tests.sync.faults import FaultProxy
from tests.sync.helpers import Replica, assert_converged
from workbench.cli import main as cli_main
from workbench.server.schema import RECORD_TABLES as SERVER_TABLES
from workbench.store import records
from workbench.store.db import DB_FILE, backup, head_revision, is_intact, open_store
from workbench.store.schema import RECORD_TABLES


def truncate_log(replica: Replica) -> None:
    """Checkpoint and empty the write-ahead log, so the next writes need new disk space (a
    log with room left would take a few more pages even on a full disk)."""
    with replica.store.engine.connect() as conn:  # outside a transaction, as PRAGMAs need
        busy, _, _ = conn.connection.driver_connection.execute(
            "PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    assert busy == 0


def count(replica: Replica, entity: str) -> int:
    with replica.store.reading() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(RECORD_TABLES[entity])).scalar_one()


def test_disk_full_while_pulling_stops_with_exit_4_and_resumes(vendor_server, partner, small_disk):
    ann = Replica(small_disk.path / "ann", vendor_server.url, partner.token_a)
    try:
        ann.cli("sync")
        for i in range(400):
            vendor_server.admin.assign_lead(partner.id, f"Prospect {i} " + "Holdings " * 8,
                                            contact_name=f"Person {i}",
                                            contact_email=f"person{i}@prospect{i}.example")
        truncate_log(ann)
        small_disk.fill(leave=96 * 1024)

        _, document = ann.cli("sync", "--page-size", "40", expect=4)
        error = document["error"]
        assert error["reason"] == "disk_full"
        assert "is full" in error["message"] and "next sync continues" in error["message"]
        kept = count(ann, "leads")
        assert 0 < kept < 400  # the pages that fit are kept with their cursor

        small_disk.free()
        _, summary = ann.cli("sync", "--page-size", "40")
        assert summary["pulled"] == 400 - kept  # resumed, nothing pulled twice
        assert_converged(vendor_server.engine, partner.id, ann)
        assert is_intact(ann.data_dir / DB_FILE)
    finally:
        ann.close()


def test_disk_full_after_a_push_resends_the_same_ops_and_applies_them_once(vendor_server, partner,
                                                                           small_disk):
    """The disk fills while the push is on its way: the server applies it, the client cannot
    store the answers. The next sync sends the same op ids; the server applies nothing twice."""
    with FaultProxy(vendor_server.url) as proxy:
        ann = Replica(small_disk.path / "ann", proxy.url, partner.token_a)
        try:
            for i in range(150):
                ann.create("accounts", name=f"Customer {i}", domain=f"customer{i}.example",
                           notes="met at the partner summit; " * 10)

            def fill_on_push(method: str, path: str) -> str:
                if method == "POST" and path.endswith("/push"):
                    small_disk.fill(leave=0)
                return "ok"
            truncate_log(ann)
            proxy.plan = fill_on_push
            _, document = ann.cli("sync", expect=4)
            assert document["error"]["reason"] == "disk_full"
            assert "is full" in document["error"]["message"]
            assert [m for m, p, _ in proxy.log if p.endswith("/push")] == ["POST"]

            small_disk.free()
            proxy.always("ok")
            ann.cli("sync")
            pushes = [p for _, p, _ in proxy.log if p.endswith("/push")]
            assert len(pushes) == 2  # the batch in flight went again, with the same op ids
            with vendor_server.engine.connect() as conn:
                accounts = SERVER_TABLES["accounts"]
                on_server = conn.execute(sa.select(sa.func.count()).select_from(accounts).where(
                    accounts.c.scope == partner.id)).scalar_one()
            assert on_server == 150
            assert_converged(vendor_server.engine, partner.id, ann)
            assert {r["state"] for r in ann.outbox_rows()} == {"applied"}
        finally:
            ann.close()


def test_a_restored_backup_syncs_back_to_what_the_vendor_holds(vendor_server, partner, tmp_path):
    """README 'Recovering a damaged store': restore the migration's backup, sign in, sync."""
    folder = tmp_path / "ann"
    store = open_store(folder)
    with store.transaction() as conn:
        for i in range(250):
            records.create(conn, "accounts", {"name": f"Early {i}", "notes": "summit lead; " * 20})
    backup(store.engine, store.path, head_revision())  # what each migration does first
    store.close()
    ann = Replica(folder, vendor_server.url, partner.token_a)
    ann.sync()  # the early accounts reach the server; the backup still has them unsent
    for i in range(50):
        ann.create("accounts", name=f"Later {i}")
    ann.sync()
    ann.close()
    damage(folder / DB_FILE)

    code = cli_main(["--data-dir", str(folder), "--restore-backup", "--json"])
    assert code == 0
    ann = Replica(folder, vendor_server.url, partner.token_a)  # the backup predates sign-in
    try:
        summary = ann.sync()
        assert summary.pushed == 250 and not summary.rejected  # resent with their op ids
        with vendor_server.engine.connect() as conn:
            accounts = SERVER_TABLES["accounts"]
            on_server = conn.execute(sa.select(sa.func.count()).select_from(accounts).where(
                accounts.c.scope == partner.id)).scalar_one()
        assert on_server == 300  # none applied twice
        assert count(ann, "accounts") == 300  # the later ones came back from the server
        assert_converged(vendor_server.engine, partner.id, ann)
    finally:
        ann.close()
