"""Opening the local store: where it lives, SQLite settings, migrations with a backup first."""

from __future__ import annotations

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
from typing import TYPE_CHECKING

import sqlalchemy as sa
from platformdirs import user_data_dir

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

APP_NAME = "partner-workbench"
DB_FILE = "workbench.sqlite3"


class StoreError(RuntimeError):
    """The local store cannot be opened or migrated; the message says what to do."""


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


def make_engine(db_path: Path) -> sa.Engine:
    engine = sa.create_engine(f"sqlite:///{db_path}", future=True)
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
        with self.engine.begin() as connection:
            yield connection

    @contextmanager
    def reading(self) -> Iterator[sa.Connection]:
        """A read-only unit of work (no write lock taken)."""
        with self.engine.connect() as connection:
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
    """Open (creating if needed) the store in `data_dir` and bring it up to `target`."""
    folder = Path(data_dir) if data_dir else default_data_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"cannot create the data folder {folder}: {error.strerror}") from None
    db_path = folder / DB_FILE
    existed = db_path.exists() and db_path.stat().st_size > 0
    engine = make_engine(db_path)
    try:
        revision = current_revision(engine)
    except sa.exc.DatabaseError as error:
        engine.dispose()
        raise StoreError(f"{db_path} is not a workbench database ({error.orig})") from None
    store = Store(folder, engine)
    if target == "head" and revision is not None and revision == newest_revision_file():
        return store  # up to date: the common case, decided without loading Alembic
    wanted = head_revision() if target == "head" else target
    if revision != wanted:
        if existed:
            store.backup_path = backup(engine, db_path, revision)
        _upgrade(engine, target)
    return store


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
