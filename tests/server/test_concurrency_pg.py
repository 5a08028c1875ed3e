"""Pull is commit-ordered: concurrent writers on PostgreSQL, a reader never skips a change.

PostgreSQL sequences hand out numbers in start order, not commit order; a cursor built on them
skips a change that commits after a higher-numbered one was delivered. The server stamps changes
from a per-scope counter row taken FOR UPDATE instead (docs/sync-protocol.md). Here several
writers (HTTP pushes and direct vendor edits, each on its own connections) hammer one partner's
scope while a reader pulls with its cursor; afterwards everything committed must have been pulled,
at its committed version.
"""

from __future__ import annotations

import random
import threading
import time

import sqlalchemy as sa

from tests.server.support import new_id, op, pull_all, push
from workbench.server.schema import RECORD_TABLES

WRITERS = 6
PUSHES_PER_WRITER = 30


def _pusher(server, token: str, errors: list, seed: int) -> None:
    rng = random.Random(seed)
    mine: dict[str, dict] = {}  # account id -> its record as last answered
    try:
        with server.client(token) as client:
            for _ in range(PUSHES_PER_WRITER):
                ops = [op("accounts", new_id(), "create", {"name": f"Co {rng.random():.6f}"})
                       for _ in range(rng.randint(1, 3))]
                if mine and rng.random() < 0.3:  # most records are never touched again
                    record = mine[rng.choice(sorted(mine))]
                    ops.append(op("accounts", record["id"], "update",
                                  {"notes": f"edit {rng.random()}"},
                                  base_version=record["version"], old={"notes": record["notes"]}))
                for result in push(client, *ops):
                    assert result["status"] == "applied", result
                    mine[result["record"]["id"]] = result["record"]
    except Exception as error:  # noqa: BLE001 - handed to the test thread, which fails on it
        errors.append(error)


def _vendor(server, partner_id: str, stop: threading.Event, errors: list) -> None:
    """Vendor-side writes in the same scope, through the admin service on its own engine."""
    engine = sa.create_engine(server.db_url, pool_size=2)
    table = RECORD_TABLES["accounts"]
    try:
        from workbench.server import admin
        while not stop.is_set():
            admin.assign_lead(engine, partner_id, f"Lead {time.monotonic()}")
            with engine.connect() as conn:
                some = conn.execute(sa.select(table.c.id).limit(5)).scalars().all()
            if some:
                admin.update_record(engine, "accounts", random.choice(some),
                                    industry=f"i{time.monotonic()}")
    except Exception as error:  # noqa: BLE001 - handed to the test thread, which fails on it
        errors.append(error)
    finally:
        engine.dispose()


def _committed(server, partner_id: str) -> dict[tuple[str, str], int]:
    with server.engine.connect() as conn:
        state = {}
        for name, table in RECORD_TABLES.items():
            for row in conn.execute(sa.select(table.c.id, table.c.version)
                                    .where(table.c.scope == partner_id)):
                state[(name, row.id)] = row.version
        return state


def test_concurrent_writers_never_make_a_pulling_reader_skip_a_change(pg_vendor_server):
    server = pg_vendor_server
    partner_id = server.create_partner("Busy Partner")
    tokens = [server.create_user(partner_id, f"rep{n}@busy.example") for n in range(WRITERS)]
    reader_token = server.create_user(partner_id, "reader@busy.example")
    errors: list = []
    stop = threading.Event()
    pulled: dict[tuple[str, str], int] = {}
    pulls = 0

    writers = [threading.Thread(target=_pusher, args=(server, t, errors, n))
               for n, t in enumerate(tokens)]
    vendor = threading.Thread(target=_vendor, args=(server, partner_id, stop, errors))
    with server.client(reader_token) as reader:
        cursor = None
        for thread in [*writers, vendor]:
            thread.start()
        while any(w.is_alive() for w in writers):
            changes, cursor = pull_all(reader, cursor, limit=37)
            pulls += 1
            for change in changes:
                key = (change["entity"], change["id"])
                pulled[key] = max(pulled.get(key, 0), change["version"])
        stop.set()
        vendor.join()
        for thread in writers:
            thread.join()
        changes, cursor = pull_all(reader, cursor, limit=37)
        for change in changes:
            key = (change["entity"], change["id"])
            pulled[key] = max(pulled.get(key, 0), change["version"])

    assert not errors, errors
    committed = _committed(server, partner_id)
    assert pulls > 5  # the reader really pulled while the writers wrote
    created = sum(1 for entity, _ in committed if entity == "accounts")
    assert created >= WRITERS * PUSHES_PER_WRITER
    missing = {k: v for k, v in committed.items() if pulled.get(k) != v}
    assert missing == {}, f"{len(missing)} committed changes never pulled at their version"
