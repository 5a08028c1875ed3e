"""Test helpers for the sync client: replicas (data folders signed in as a user), snapshots of
local and server data for convergence checks, and running the CLI in a subprocess."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from workbench.cli import main as cli_main
from workbench.domain.model import ENTITIES
from workbench.server.records import to_wire
from workbench.server.schema import GLOBAL_SCOPE, RECORD_TABLES as SERVER_TABLES
from workbench.store import records
from workbench.store.db import Store, open_store
from workbench.store.schema import RECORD_TABLES as LOCAL_TABLES, conflicts, outbox
from workbench.sync import account, credentials
from workbench.sync.client import SyncClient
from workbench.sync.engine import SyncSummary, sync
from tests.sync.keyring_backends import FILE_ENV

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "import sys; from workbench.cli import main; sys.exit(main())"]
FAST = {"connect_timeout": 2.0, "read_timeout": 10.0, "retries": 2, "backoff": 0.01}


class Replica:
    """One data folder signed in as one user: what a rep's laptop holds."""

    def __init__(self, data_dir: Path, server_url: str, token: str, **client_options: Any) -> None:
        self.data_dir = data_dir
        self.store: Store = open_store(data_dir)
        self.client_options = {**FAST, **client_options}
        account.login(self.store, server_url, token, **self.client_options)
        self.server_url = server_url

    def client(self, **options: Any) -> SyncClient:
        return account.client_for(self.store, **{**self.client_options, **options})

    def sync(self, **options: Any) -> SyncSummary:
        client = self.client(**options)
        try:
            return sync(self.store, client)
        finally:
            client.close()

    def create(self, entity: str, **values: Any) -> dict[str, Any]:
        with self.store.transaction() as conn:
            return records.create(conn, entity, values)

    def edit(self, entity: str, record_id: str, **changes: Any) -> dict[str, Any]:
        with self.store.transaction() as conn:
            return records.update(conn, entity, record_id, changes)

    def get(self, entity: str, record_id: str) -> dict[str, Any]:
        with self.store.reading() as conn:
            return records.get(conn, entity, record_id, include_deleted=True)

    def cli(self, *argv: str, expect: int | None = 0) -> tuple[int, Any]:
        """Run `workbench ... --json` in this process; returns (exit code, document)."""
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(io.StringIO()):
            code = cli_main(["--data-dir", str(self.data_dir), *argv, "--json"])
        text = buffer.getvalue()
        document = json.loads(text) if text.strip() else None
        if expect is not None:
            assert code == expect, (code, document)
        return code, document

    def open_conflicts(self) -> list[dict[str, Any]]:
        with self.store.reading() as conn:
            return [dict(r) for r in conn.execute(sa.select(conflicts).where(
                conflicts.c.resolved_at.is_(None))).mappings()]

    def outbox_rows(self) -> list[dict[str, Any]]:
        with self.store.reading() as conn:
            query = sa.select(outbox).order_by(outbox.c.seq)
            return [dict(r) for r in conn.execute(query).mappings()]

    def close(self) -> None:
        self.store.close()


def _normalise(entity: str, record: dict[str, Any]) -> dict[str, Any]:
    values = {f.name: record.get(f.name) for f in ENTITIES[entity].fields}
    values.update(version=record["version"], deleted=bool(record["deleted"]),
                  partner_id=record.get("partner_id"))
    return values


def server_snapshot(engine: sa.Engine, partner_id: str) -> dict[tuple[str, str], dict[str, Any]]:
    """Everything the partner's users may see on the server, as records."""
    snapshot = {}
    with engine.connect() as conn:
        for name, table in SERVER_TABLES.items():
            for row in conn.execute(sa.select(table).where(
                    table.c.scope.in_([partner_id, GLOBAL_SCOPE]))).mappings():
                snapshot[(name, row["id"])] = _normalise(name, to_wire(ENTITIES[name], dict(row)))
    return snapshot


def local_snapshot(store: Store) -> dict[tuple[str, str], dict[str, Any]]:
    """The replica's records, without local-only tombstones (creates the server refused)."""
    snapshot = {}
    with store.reading() as conn:
        for name, table in LOCAL_TABLES.items():
            for row in conn.execute(sa.select(table)).mappings():
                if row["version"] == 0 and row["deleted"]:
                    continue
                snapshot[(name, row["id"])] = _normalise(name, dict(row))
    return snapshot


def diff(expected: dict, actual: dict, limit: int = 5) -> list[str]:
    problems = []
    for key in sorted(set(expected) | set(actual)):
        if expected.get(key) != actual.get(key):
            a, b = expected.get(key), actual.get(key)
            if a and b:
                fields = {k: (a[k], b.get(k)) for k in a if a[k] != b.get(k)}
                problems.append(f"{key}: {fields}")
            else:
                problems.append(f"{key}: {'missing locally' if a else 'missing on server'}")
        if len(problems) >= limit:
            break
    return problems


def assert_converged(engine: sa.Engine, partner_id: str, *replicas: Replica) -> None:
    expected = server_snapshot(engine, partner_id)
    for replica in replicas:
        problems = diff(expected, local_snapshot(replica.store))
        assert not problems, f"{replica.data_dir.name} differs from the server: {problems}"


def subprocess_env(keyring_file: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"PYTHON_KEYRING_BACKEND": "tests.sync.keyring_backends.FileKeyring",
                FILE_ENV: str(keyring_file),
                "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))})
    env.update(extra)
    return env


def run_cli(argv: list[str], env: dict[str, str], stdin: str | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *argv], input=stdin, capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=timeout)


def forget_memory_tokens() -> None:
    credentials._memory.clear()
