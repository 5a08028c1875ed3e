"""The server's database: engine set-up for SQLite and PostgreSQL, and in-app Alembic upgrades."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from platformdirs import user_data_dir

APP_NAME = "partner-workbench-server"
# Arbitrary constant: PostgreSQL advisory lock serialising schema upgrades of several workers.
_MIGRATION_LOCK_KEY = 7_420_117


def default_db_url() -> str:
    folder = Path(user_data_dir(APP_NAME, appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'server.db'}"


def is_sqlite(engine: sa.Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _on_sqlite_connect(dbapi_connection, _record) -> None:
    # Let SQLAlchemy, not pysqlite, decide when transactions begin (see _on_sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _on_sqlite_begin(connection: sa.Connection) -> None:
    # SQLite has no SELECT … FOR UPDATE: a writer takes the database lock up front instead, so
    # writes are serialised exactly like the per-scope row locks serialise them on PostgreSQL.
    readonly = connection.get_execution_options().get("workbench_readonly", False)
    connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


def make_engine(db_url: str) -> sa.Engine:
    url = sa.make_url(db_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        sa.event.listen(engine, "connect", _on_sqlite_connect)
        sa.event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    # Connections are kept (pool_size), not opened per burst: opening one costs PostgreSQL a
    # process. 20 + 10 per worker serve the 40 request threads and leave room in the default
    # max_connections=100 for a few workers. No pre-ping: it costs a round trip per request; a
    # connection broken by a database restart fails one request (500), which clients retry.
    return sa.create_engine(url, pool_size=20, max_overflow=10, pool_recycle=3600)


@contextmanager
def writing(engine: sa.Engine) -> Iterator[sa.Connection]:
    """One write unit of work: commits on success, rolls back on any exception."""
    with engine.begin() as connection:
        yield connection


@contextmanager
def reading(engine: sa.Engine) -> Iterator[sa.Connection]:
    """One read-only unit of work (on SQLite no write lock is taken).

    On PostgreSQL it runs in autocommit (no BEGIN/ROLLBACK round trips): readers here never
    need one snapshot across statements; pull bounds its reads by committed counters instead.
    """
    with engine.connect() as connection:
        if is_sqlite(engine):
            connection.execution_options(workbench_readonly=True)
        else:
            connection.execution_options(isolation_level="AUTOCOMMIT")
        try:
            yield connection
        finally:
            connection.rollback()


def migrations_dir() -> Path:
    bundle_root = getattr(sys, "_MEIPASS", None)  # PyInstaller ships the folder as data
    if bundle_root:
        return Path(bundle_root) / "workbench" / "server" / "migrations"
    return Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: sa.Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: sa.Engine, target: str = "head") -> None:
    """Bring the schema to `target`. Safe when several worker processes start at once."""
    with engine.begin() as connection:
        if not is_sqlite(engine):
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                               {"key": _MIGRATION_LOCK_KEY})
        command.upgrade(alembic_config(connection), target)
    if target == "head":
        # the program settings partners' desks apply are there for the first sync
        from workbench.server import program_settings
        program_settings.publish_current(engine)
