"""Pytest plugin: the real vendor server on 127.0.0.1, for server and sync-client tests.

Loaded from tests/conftest.py (`pytest_plugins = ["tests.server_fixtures"]`).

Fixtures
--------
server_db_url
    A fresh, empty database URL for one test. Always a SQLite file in tmp_path; when the
    environment variable WORKBENCH_TEST_PG_URL is set (e.g.
    postgresql+psycopg://postgres@127.0.0.1:5432/test) the test runs a second time on
    PostgreSQL, in a schema of its own (search_path) that is dropped afterwards. Test ids end
    in [sqlite] / [postgresql].
pg_db_url
    Like server_db_url but PostgreSQL only; the test is skipped without WORKBENCH_TEST_PG_URL.
vendor_server
    A running server (auto-approval on) for server_db_url. A `VendorServer`:
    `.url` (http://127.0.0.1:PORT), `.db_url`, `.engine`, `.admin` (every function of
    workbench.server.admin with the engine bound: `vendor_server.admin.approve(reg_id)`),
    `.create_partner(name="…", **kw) -> id`, `.create_user(partner_id, email, **kw) -> token`,
    `.headers(token)` (Authorization + protocol headers), `.client(token) -> httpx.Client`
    (base_url set; close it or use `with`).
vendor_server_factory
    `start(db_url=None, **create_app_kwargs) -> VendorServer` for other set-ups, e.g.
    `vendor_server_factory(auto_approve=False)`; all are stopped at the end of the test.
pg_vendor_server
    Like vendor_server, on PostgreSQL only (for tests that need real concurrent transactions).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from workbench.server.app import create_app
from workbench.server.embedded import BoundAdmin, EmbeddedServer
from workbench.sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION

PG_ENV = "WORKBENCH_TEST_PG_URL"
_BACKENDS = ["sqlite", "postgresql"] if os.environ.get(PG_ENV) else ["sqlite"]


@dataclass
class VendorServer:
    url: str
    db_url: str
    engine: sa.Engine
    admin: BoundAdmin = field(repr=False)

    def create_partner(self, name: str = "Acme Resellers", **kwargs: Any) -> str:
        return self.admin.create_partner(name, **kwargs)

    def create_user(self, partner_id: str, email: str, **kwargs: Any) -> str:
        """A new user of `partner_id`; returns the API token."""
        return self.admin.create_user(partner_id, email, **kwargs).token

    def headers(self, token: str | None) -> dict[str, str]:
        headers = {PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def client(self, token: str | None = None, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=self.headers(token), timeout=30, **kwargs)


def _sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / f'server-{uuid.uuid4().hex[:8]}.db'}"


@contextmanager
def _pg_schema(base_url: str) -> Iterator[str]:
    """A fresh PostgreSQL schema; the URL's search_path points at it. Dropped afterwards."""
    schema = f"wbtest_{uuid.uuid4().hex[:12]}"
    owner = sa.create_engine(base_url, poolclass=sa.NullPool)
    with owner.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with owner.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        owner.dispose()


@pytest.fixture(params=_BACKENDS)
def server_db_url(request: pytest.FixtureRequest, tmp_path: Path,
                  monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "sqlite":
        yield _sqlite_url(tmp_path)  # attachment files beside the database file
        return
    # a PostgreSQL server keeps its attachment files in the user data folder by default: give
    # each test its own, so one test's files never answer for another's
    monkeypatch.setenv("WORKBENCH_SERVER_FILES", str(tmp_path / "server-files"))
    with _pg_schema(os.environ[PG_ENV]) as url:
        yield url


@pytest.fixture
def pg_db_url() -> Iterator[str]:
    if not os.environ.get(PG_ENV):
        pytest.skip(f"PostgreSQL test: set {PG_ENV}")
    with _pg_schema(os.environ[PG_ENV]) as url:
        yield url


@pytest.fixture
def pg_db_url_other() -> Iterator[str]:
    """A second PostgreSQL schema (another program on the same cluster)."""
    if not os.environ.get(PG_ENV):
        pytest.skip(f"PostgreSQL test: set {PG_ENV}")
    with _pg_schema(os.environ[PG_ENV]) as url:
        yield url


@contextmanager
def _servers(default_url: str) -> Iterator[Callable[..., VendorServer]]:
    running: list[tuple[EmbeddedServer, sa.Engine]] = []

    def start(db_url: str | None = None, **app_kwargs: Any) -> VendorServer:
        url = db_url or default_url
        app = create_app(url, **app_kwargs)
        server = EmbeddedServer(app)
        base_url = server.start()
        engine = app.state.engine
        running.append((server, engine))
        return VendorServer(url=base_url, db_url=url, engine=engine, admin=BoundAdmin(engine))

    try:
        yield start
    finally:
        for server, engine in reversed(running):
            server.stop()
            engine.dispose()


@pytest.fixture
def vendor_server_factory(server_db_url: str) -> Iterator[Callable[..., VendorServer]]:
    with _servers(server_db_url) as start:
        yield start


@pytest.fixture
def vendor_server(vendor_server_factory: Callable[..., VendorServer]) -> VendorServer:
    return vendor_server_factory()


@pytest.fixture
def pg_vendor_server(pg_db_url: str) -> Iterator[VendorServer]:
    """A running server on PostgreSQL only (skipped without WORKBENCH_TEST_PG_URL)."""
    with _servers(pg_db_url) as start:
        yield start()
