"""Opening the local store: where it lives, SQLite settings, migrations with a backup first."""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import sqlalchemy as sa
from platformdirs import user_data_dir

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

APP_NAME = "partner-workbench"
DB_FILE = "workbench.sqlite3"


class StoreError(RuntimeError):
    """The local store cannot be opened, read or written; the message says what to do."""

    exit_code = 1  # the command line's "the data folder is unusable"

    def __init__(self, message: str, *, details: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.details = details or {}  # for --json: e.g. SQLite's own findings


class StoreDamaged(StoreError):
    """The database file has damaged pages: nothing more is written to it."""


class StoreReadOnly(StoreError):
    """The data folder or the database file cannot be written."""


class StoreFull(StoreError):
    """The disk holding the data folder is full; the unit of work was rolled back."""


RECOVERY_HELP = "README, 'Recovering a damaged store'"


def default_data_dir() -> Path:
    """--data-dir wins, then WORKBENCH_DATA_DIR, then the user's data folder."""
    return Path(os.environ.get("WORKBENCH_DATA_DIR") or user_data_dir(APP_NAME, appauthor=False))


def migrations_dir() -> Path:
    # Inside a PyInstaller bundle the package data lives under sys._MEIPASS.
    bundle_root = getattr(sys, "_MEIPASS", None)
    if bundle_root:
        return Path(bundle_root) / "workbench" / "store" / "migrations"
    return Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: sa.Connection | None = None) -> Config:
    from alembic.config import Config
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the store has no migrations"
    return head


def newest_revision_file() -> str:
    """The revision of the newest migration file, by its number ("0002" for 0002_….py).

    Revisions are numbered in sequence and named after their file (tests/store checks this
    against Alembic's head): opening an up-to-date store then needs no Alembic at all, which
    keeps every command's start-up short.
    """
    names = [path.name for path in (migrations_dir() / "versions").glob("[0-9]*_*.py")]
    return max(name.split("_", 1)[0] for name in names)


def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # Let SQLAlchemy, not pysqlite, decide when transactions begin (BEGIN IMMEDIATE below).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at checkpoints, fast
    cursor.close()


def _on_begin(connection: sa.Connection) -> None:
    # Writers take the lock up front: no 'database is locked' halfway through a unit of work.
    readonly = connection.get_execution_options().get("workbench_readonly", False)
    connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


def json_text(value: Any) -> str:
    """A JSON column's stored text (outbox fields, sync state such as the batch in flight):
    orjson, several times faster than the standard library on every outbox row a push reads and
    writes; what orjson refuses (a key that is not text, a huge integer) goes the standard way."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(value)


def json_value(text: str | bytes) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # e.g. a huge integer or NaN the standard library wrote
        return json.loads(text)


def make_engine(db_path: Path) -> sa.Engine:
    engine = sa.create_engine(f"sqlite:///{db_path}", future=True, json_serializer=json_text,
                              json_deserializer=json_value)
    sa.event.listen(engine, "connect", _on_connect)
    sa.event.listen(engine, "begin", _on_begin)
    return engine


@dataclass
class Store:
    """One local SQLite file. Use `transaction()` for every unit of work (one per thread)."""

    data_dir: Path
    engine: sa.Engine
    backup_path: Path | None = None  # the copy taken before the last migration, if any

    @property
    def path(self) -> Path:
        return self.data_dir / DB_FILE

    @contextmanager
    def transaction(self) -> Iterator[sa.Connection]:
        with storage_errors(self.path), self.engine.begin() as connection:
            yield connection

    @contextmanager
    def reading(self) -> Iterator[sa.Connection]:
        """A read-only unit of work (no write lock taken)."""
        with storage_errors(self.path), self.engine.connect() as connection:
            connection.execution_options(workbench_readonly=True)
            try:
                yield connection
            finally:
                connection.rollback()

    def close(self) -> None:
        self.engine.dispose()


def current_revision(engine: sa.Engine) -> str | None:
    """The store's schema revision (Alembic's version table), None for a new, empty file."""
    with engine.connect() as connection:
        has_table = connection.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'").first()
        if has_table is None:
            return None
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def open_store(data_dir: Path | str | None = None, *, target: str = "head") -> Store:
    """Open (creating if needed) the store in `data_dir` and bring it up to `target`.

    Refuses, before writing anything, a folder it cannot write and a file with damaged pages
    (`PRAGMA quick_check`: ~0.2 s at 100k records, scripts/bench_store.py).
    """
    folder = Path(data_dir) if data_dir else default_data_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"cannot create the data folder {folder}: {error.strerror}") from None
    db_path = folder / DB_FILE
    _check_writable(folder, db_path)
    existed = db_path.exists() and db_path.stat().st_size > 0
    engine = make_engine(db_path)
    try:
        with storage_errors(db_path):
            revision = current_revision(engine)
            if existed:
                check_integrity(engine, db_path)
            store = Store(folder, engine)
            if target == "head" and revision is not None and revision == newest_revision_file():
                return store  # up to date: the common case, decided without loading Alembic
            wanted = head_revision() if target == "head" else target
            if revision != wanted:
                if existed:
                    store.backup_path = backup(engine, db_path, revision)
                _upgrade(engine, target)
    except BaseException:
        engine.dispose()
        raise
    return store


def check_integrity(engine: sa.Engine, db_path: Path) -> None:
    """StoreDamaged if SQLite finds damaged pages or indexes (its quick check, read-only)."""
    with engine.connect() as connection:
        problems = [row[0] for row in connection.exec_driver_sql("PRAGMA quick_check(5)")]
    if problems != ["ok"]:
        log.info("%s failed the integrity check: %s", db_path, problems)
        raise StoreDamaged(damaged_message(db_path), details={"problems": problems})


def damaged_message(db_path: Path) -> str:
    good = latest_good_backup(db_path.parent)
    restore = (f"`workbench --restore-backup` puts back the copy taken on "
               f"{_taken_on(good)} ({good.name}) and keeps the damaged file beside it"
               if good else "`workbench --restore-backup` moves the damaged file aside so the "
                            "workbench starts with an empty store")
    return (f"the workbench database {db_path} is damaged (SQLite's check found damaged "
            "pages), so the workbench does not write to it and nothing was changed. "
            f"Everything you synced is also on the vendor's server: {restore}, then sign in "
            f"and sync. See {RECOVERY_HELP}.")


def _check_writable(folder: Path, db_path: Path) -> None:
    # Opening would otherwise fail deep inside SQLite ("unable to open database file").
    for path in (folder, db_path):
        if path.exists() and not os.access(path, os.W_OK):
            raise StoreReadOnly(_read_only_message(folder, path))


def _read_only_message(folder: Path, path: Path) -> str:
    on_read_only_disk = hasattr(os, "statvfs") and bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    why = ("is on a read-only disk" if on_read_only_disk
           else "cannot be written with your user's permissions")
    return (f"the data folder {folder} {why} ({path.name if path != folder else 'the folder'}), "
            "so the workbench cannot save anything there; give your user write access, or "
            "choose another folder with --data-dir or WORKBENCH_DATA_DIR")


# SQLite's primary result codes (https://sqlite.org/rescode.html).
SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = (
    8, 10, 11, 13, 14, 26)


def storage_failure(error: BaseException, db_path: Path) -> StoreError | None:
    """The StoreError a rep should see for a database error, or None if it is not one of the
    storage's own failures (a constraint, a lock, a bug)."""
    original = getattr(error, "orig", error)
    code = getattr(original, "sqlite_errorcode", None)
    if not isinstance(original, sqlite3.DatabaseError) or code is None:
        return None
    folder = db_path.parent
    primary = code & 0xFF
    if primary == SQLITE_FULL or (primary == SQLITE_IOERR and _nearly_full(folder)):
        # A full disk also shows as an I/O error when SQLite cannot create its -shm index.
        return StoreFull(f"the disk holding {folder} is full, so the workbench could not save "
                         "(nothing already saved was lost); free some space, e.g. empty the "
                         "recycle bin or delete old downloads, and try again")
    if primary == SQLITE_CORRUPT:
        return StoreDamaged(damaged_message(db_path), details={"problems": [str(original)]})
    if primary == SQLITE_NOTADB:
        return StoreError(f"{db_path} is not a workbench database ({original})")
    if primary == SQLITE_READONLY:
        return StoreReadOnly(_read_only_message(folder, db_path))
    if primary == SQLITE_CANTOPEN:
        return StoreError(f"the workbench cannot open {db_path}; check that the data folder "
                          "exists and that your user may write there")
    if primary == SQLITE_IOERR:
        return StoreError(f"the workbench cannot read or write {db_path} (disk I/O error); check "
                          "that the disk has free space and is still connected, then try again")
    return None


def _nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < 1024 * 1024
    except OSError:
        return False


@contextmanager
def storage_errors(db_path: Path) -> Iterator[None]:
    """Turn SQLite's storage failures inside the block into the StoreError that explains them."""
    try:
        yield
    except (sa.exc.DBAPIError, sqlite3.DatabaseError) as error:
        failure = storage_failure(error, db_path)
        if failure is None:
            raise
        log.info("store %s: %s", db_path, error)
        raise failure from error


def backup(engine: sa.Engine, db_path: Path, revision: str | None) -> Path:
    """Copy the database (consistently, through SQLite's backup API) before migrating it."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = db_path.with_name(f"{db_path.stem}.before-{revision or 'none'}.{stamp}.sqlite3")
    source = sqlite3.connect(db_path)
    try:
        destination = sqlite3.connect(target)
        with destination:
            source.backup(destination)
        destination.close()
    finally:
        source.close()
    log.info("backed up %s to %s before migrating", db_path, target)
    return target


BACKUP_GLOB = f"{Path(DB_FILE).stem}.before-*.sqlite3"
_SIDE_FILES = ("-wal", "-shm")  # SQLite's write-ahead log and its index, part of the database


def backups(folder: Path) -> list[Path]:
    """The copies taken before migrations, newest first."""
    return sorted(folder.glob(BACKUP_GLOB), key=lambda p: (_taken_on(p), p.name), reverse=True)


def is_intact(db_path: Path) -> bool:
    """True if the file is an SQLite database that passes the quick check (opened read-only)."""
    try:
        connection = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return connection.execute("PRAGMA quick_check(1)").fetchall() == [("ok",)]
        finally:
            connection.close()
    except sqlite3.Error:
        return False


def latest_good_backup(folder: Path) -> Path | None:
    return next((path for path in backups(folder) if is_intact(path)), None)


def _taken_on(backup_path: Path) -> str:
    stamp = backup_path.name.split(".")[-2]  # workbench.before-0002.20261201T120000.sqlite3
    try:
        return datetime.strptime(stamp, "%Y%m%dT%H%M%S").strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return stamp


@dataclass(frozen=True)
class Restored:
    moved_aside: list[Path]  # the damaged database and its side files, renamed, never deleted
    backup: Path | None  # the copy put in its place; None: the next open starts an empty store


def restore_backup(data_dir: Path | str | None = None, source: Path | None = None) -> Restored:
    """Replace a damaged store by its latest good backup (or `source`), keeping the damaged file.

    Run with the workbench closed. Refuses a store that is not damaged: its newer data would
    only be hidden. The restored copy is migrated at the next open, like any older store.
    """
    folder = Path(data_dir) if data_dir else default_data_dir()
    db_path = folder / DB_FILE
    if db_path.exists() and is_intact(db_path):
        raise StoreError(f"{db_path} is not damaged, so nothing was restored; it holds your "
                         "latest data")
    if source is not None and not is_intact(source):
        raise StoreError(f"{source} is not an intact workbench backup; nothing was changed")
    chosen = source or latest_good_backup(folder)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    moved = []
    for suffix in ("", *_SIDE_FILES):  # the log must move with its file or it would be replayed
        current = folder / (DB_FILE + suffix)
        if current.exists():
            aside = folder / f"{Path(DB_FILE).stem}.damaged.{stamp}.sqlite3{suffix}"
            current.rename(aside)
            moved.append(aside)
    if chosen is not None:
        source_db = sqlite3.connect(f"{chosen.resolve().as_uri()}?mode=ro", uri=True)
        try:
            target = sqlite3.connect(db_path)
            with target:
                source_db.backup(target)
            target.close()
        finally:
            source_db.close()
    log.info("restored %s from %s; damaged files kept as %s", db_path, chosen, moved)
    return Restored(moved, chosen)


def _upgrade(engine: sa.Engine, target: str) -> None:
    from alembic import command
    with engine.connect() as connection:
        raw = connection.connection.driver_connection  # outside any transaction: PRAGMA applies
        assert raw is not None, "the connection is open"
        # Batch migrations copy tables; foreign keys must not fire while they do.
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            command.upgrade(alembic_config(connection), target)
            connection.commit()
        finally:
            connection.rollback()
            raw.execute("PRAGMA foreign_keys=ON")


def copy_store(source_dir: Path, target_dir: Path) -> None:
    """Used by tests and support: copy a data folder's database file."""
    target_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source_dir / DB_FILE, target_dir / DB_FILE)
