"""A damaged, read-only or full store: a sentence and exit 1, nothing more written, and a way
back through the migrations' backups (issue 13, class 6). Real files, real filesystems."""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from workbench.cli import main
from workbench.domain.values import new_id
from workbench.store import records
from workbench.store.db import DB_FILE, StoreDamaged, backups, is_intact, open_store


def cli(data_dir: Path, capsys, *argv: str) -> tuple[int, dict]:
    code = main(["--data-dir", str(data_dir), *argv, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else {}


def fill_accounts(data_dir: Path, count: int, prefix: str = "Customer", **open_args) -> None:
    store = open_store(data_dir, **open_args)
    with store.transaction() as conn:
        for i in range(count):
            records.create(conn, "accounts", {"name": f"{prefix} {i}", "domain": f"{prefix.lower()}{i}.example",
                                              "notes": "met at the partner summit; " * 12})
    store.close()


def damage(db_path: Path, table: str = "accounts") -> None:
    """Overwrite one leaf page in the middle of `table` with garbage, as a failing disk would."""
    connection = sqlite3.connect(db_path)
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    leaves = [row[0] for row in connection.execute(
        "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno", (table,))]
    connection.close()
    assert len(leaves) > 4, "the table must span several pages"
    with db_path.open("r+b") as stream:
        stream.seek((leaves[len(leaves) // 2] - 1) * page_size)
        stream.write(b"\xde\xad\xbe\xef" * (page_size // 4))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def damaged(data_dir):
    fill_accounts(data_dir, 300)
    damage(data_dir / DB_FILE)
    return data_dir


COMMANDS = [("accounts", "list"), ("export", "EXPORT"), ("accounts", "add", "--name", "Initech"),
            ("accounts", "import", "CSV"), ("sync",), ("registrations", "list"), ("scorecard",)]


def test_a_damaged_store_is_refused_before_anything_is_written(damaged, tmp_path, capsys):
    source = tmp_path / "crm.csv"
    source.write_text("Name\nHooli\n", encoding="utf-8")
    before = digest(damaged / DB_FILE)
    for argv in COMMANDS:
        argv = tuple(str(tmp_path / "export") if a == "EXPORT" else str(source) if a == "CSV"
                     else a for a in argv)
        code, document = cli(damaged, capsys, *argv)
        assert code == 1, argv
        message = document["error"]["message"]
        assert "is damaged" in message and "--restore-backup" in message and "sync" in message
        assert document["error"]["problems"]  # SQLite's own findings, for support
        assert digest(damaged / DB_FILE) == before, argv  # not one byte written into it
        wal = damaged / (DB_FILE + "-wal")
        assert not wal.exists() or wal.stat().st_size == 0
    assert not (tmp_path / "export" / "accounts.csv").exists()


def test_damage_found_while_working_is_reported_the_same_way(data_dir, capsys):
    """A window keeps its store open for hours: damage that appears meanwhile is named too."""
    fill_accounts(data_dir, 300)
    store = open_store(data_dir)
    damage(data_dir / DB_FILE)
    store.engine.dispose()  # a new connection, as the pool makes them: no pages cached
    with pytest.raises(StoreDamaged, match="is damaged"), store.reading() as conn:
        records.list_records(conn, "accounts")
    store.close()


def test_restore_backup_puts_back_the_copy_the_last_migration_took(data_dir, capsys):
    old = open_store(data_dir, target="0001")  # a store an older workbench wrote
    now = "2026-11-22T18:00:00.000000Z"
    with old.transaction() as conn:
        meta = sa.MetaData()
        meta.reflect(conn, only=["accounts"])  # that revision's own columns
        conn.execute(sa.insert(meta.tables["accounts"]), [
            {"id": new_id(), "name": f"Early {i}", "created_at": now, "updated_at": now,
             "version": 1, "deleted": False} for i in range(40)])
    old.close()
    fill_accounts(data_dir, 300, "Later")  # opening migrates it, after a backup
    [backup] = backups(data_dir)
    assert is_intact(backup)
    damage(data_dir / DB_FILE)

    code, document = cli(data_dir, capsys, "accounts", "list")
    assert code == 1 and backup.name in document["error"]["message"]
    code, document = cli(data_dir, capsys, "--restore-backup")
    assert code == 0 and document["backup"] == str(backup)
    [aside] = [Path(p) for p in document["moved_aside"] if p.endswith(".sqlite3")]
    assert aside.exists() and not is_intact(aside)  # the damaged file is kept, for support

    code, accounts = cli(data_dir, capsys, "accounts", "list")
    assert code == 0 and sorted(a["name"] for a in accounts) == sorted(f"Early {i}" for i in range(40))
    code, _ = cli(data_dir, capsys, "accounts", "add", "--name", "Initech")  # writable again
    assert code == 0


def test_restore_without_a_backup_starts_an_empty_store_and_refuses_a_healthy_one(damaged, capsys):
    code, document = cli(damaged, capsys, "--restore-backup")
    assert code == 0 and document["backup"] is None
    code, accounts = cli(damaged, capsys, "accounts", "list")
    assert code == 0 and accounts == []
    code, document = cli(damaged, capsys, "--restore-backup")
    assert code == 1 and "not damaged" in document["error"]["message"]
    code, accounts = cli(damaged, capsys, "accounts", "list")
    assert code == 0  # nothing was moved


def test_a_read_only_data_folder_is_named_as_such(read_only_disk, capsys):
    folder = read_only_disk.path / "data"
    fill_accounts(folder, 3)
    read_only_disk.make_read_only()
    for argv in (("accounts", "list"), ("accounts", "add", "--name", "Initech")):
        code, document = cli(folder, capsys, *argv)
        assert code == 1
        message = document["error"]["message"]
        assert "read-only disk" in message and "--data-dir" in message
        assert "not a workbench database" not in message


def test_a_full_disk_during_import_imports_nothing_and_says_so(small_disk, tmp_path, capsys):
    folder = small_disk.path / "data"
    fill_accounts(folder, 10)
    source = tmp_path / "big.csv"
    with source.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["Account Name", "Website", "Description"])
        for i in range(1500):
            writer.writerow([f"Imported {i}", f"imported{i}.example", "notes " * 60])
    small_disk.fill(leave=256 * 1024)

    code, document = cli(folder, capsys, "accounts", "import", str(source))
    assert code == 1
    assert "is full" in document["error"]["message"] and "free some space" in document["error"]["message"]
    small_disk.free()
    code, accounts = cli(folder, capsys, "accounts", "list")
    assert code == 0 and len(accounts) == 10  # all or nothing: not one imported row
    assert is_intact(folder / DB_FILE)
    code, report = cli(folder, capsys, "accounts", "import", str(source))
    assert code == 0 and report["created"] == 1500


def test_a_full_disk_when_adding_one_account(small_disk, capsys):
    folder = small_disk.path / "data"
    fill_accounts(folder, 10)
    small_disk.fill(leave=0)
    code, document = cli(folder, capsys, "accounts", "add", "--name", "Initech", "--domain",
                         "initech.example")
    assert code == 1 and "is full" in document["error"]["message"]
    small_disk.free()
    code, accounts = cli(folder, capsys, "accounts", "list")
    assert code == 0 and "Initech" not in [a["name"] for a in accounts]


def test_an_export_to_a_full_disk_names_the_folder(data_dir, small_disk, capsys):
    fill_accounts(data_dir, 300)
    small_disk.fill(leave=0)
    code, document = cli(data_dir, capsys, "export", str(small_disk.path / "export"))
    assert code == 2 and document["error"]["field"] == "DIR"
    assert "No space left on device" in document["error"]["message"]
    assert "incomplete" in document["error"]["message"]
