"""Reading and writing synced records on the server.

Every write goes through a `WriteTx`: it takes the scope's counter row FOR UPDATE (on SQLite the
database lock taken by BEGIN IMMEDIATE does the same job), stamps the record with the scope's next
sequence number, bumps `version` and `updated_at`. Writes of one scope therefore commit in
sequence order, which is what lets a pull cursor never skip a late commit (docs/sync-protocol.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from workbench.domain.model import ENTITIES, Entity
from workbench.domain.values import format_datetime, utc_now
from workbench.server import matchkeys
from workbench.server.schema import GLOBAL_SCOPE, RECORD_TABLES, scope_counters

# Server-internal counter rows (never a partner id, never "global").
REVIEW_LOCK = "~review"  # serialises registration reviews so two conflicting submits meet
REGISTRATION_NUMBERS = "~registration-number"
CASE_NUMBERS = "~case-number"


class WriteTx:
    """One write transaction: scope locks, sequence numbers and record writes."""

    def __init__(self, conn: sa.Connection, now: datetime | None = None) -> None:
        self.conn = conn
        self.moment = now or utc_now()  # one clock reading per unit of work
        self.now = format_datetime(self.moment)
        self._seq: dict[str, int] = {}  # locked scope -> last number handed out
        self._dirty: set[str] = set()

    def lock(self, scope: str) -> None:
        """Take the scope's counter row FOR UPDATE (once per transaction)."""
        if scope in self._seq:
            return
        query = sa.select(scope_counters.c.seq).where(scope_counters.c.scope == scope)
        seq = self.conn.execute(query.with_for_update()).scalar()
        if seq is None:
            self._create_counter(scope)
            seq = self.conn.execute(query.with_for_update()).scalar_one()
        self._seq[scope] = seq

    def _create_counter(self, scope: str) -> None:
        dialect = sqlite if self.conn.dialect.name == "sqlite" else postgresql
        insert = dialect.insert(scope_counters).values(scope=scope, seq=0)
        self.conn.execute(insert.on_conflict_do_nothing(index_elements=["scope"]))

    def position(self, scope: str) -> int:
        """The last number handed out in a locked scope (its head, as this transaction sees it)."""
        return self._seq[scope]

    def written_scopes(self) -> set[str]:
        """Scopes (and internal counters) this transaction numbered writes in."""
        return set(self._dirty)

    def next_seq(self, scope: str) -> int:
        if scope not in self._seq:
            raise RuntimeError(f"scope {scope} written without taking its lock")
        self._seq[scope] += 1
        self._dirty.add(scope)
        return self._seq[scope]

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A nested unit (one pushed op). Rolling it back also forgets the locks taken inside,
        because PostgreSQL releases them with the savepoint."""
        locked_before = set(self._seq)
        try:
            with self.conn.begin_nested():
                yield
        except BaseException:
            for scope in set(self._seq) - locked_before:
                del self._seq[scope]
                self._dirty.discard(scope)
            raise

    def flush(self) -> None:
        """Store the counters; called once, just before commit."""
        for scope in sorted(self._dirty):
            self.conn.execute(sa.update(scope_counters).where(scope_counters.c.scope == scope)
                              .values(seq=self._seq[scope]))
        self._dirty.clear()

    # -- record writes -------------------------------------------------------------------------
    # `stamp_*` number a write without running it (push runs many at once, see `run_writes`);
    # `insert` and `update` stamp and run one.

    def stamp_insert(self, entity_name: str, record_id: str, values: dict[str, Any],
                     partner_id: str | None) -> dict[str, Any]:
        """The full row a new record is stored as (every column; values already coerced)."""
        scope = scope_of(entity_name, partner_id)
        self.lock(scope)
        row = dict.fromkeys(RECORD_TABLES[entity_name].columns.keys())
        row.update(values)
        row.update(id=record_id, partner_id=partner_id, created_at=self.now,
                   updated_at=self.now, version=1, deleted=False, scope=scope,
                   seq=self.next_seq(scope))
        return row

    def stamp_update(self, row: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
        """`changes` (fields and/or `deleted`) plus the new version, updated_at and seq."""
        self.lock(row["scope"])
        return {**changes, "updated_at": self.now, "version": row["version"] + 1,
                "seq": self.next_seq(row["scope"])}

    def insert(self, entity_name: str, record_id: str, values: dict[str, Any],
               partner_id: str | None) -> dict[str, Any]:
        row = self.stamp_insert(entity_name, record_id, values, partner_id)
        run_writes(self.conn, [Write(entity_name, "insert", row)])
        return row

    def update(self, entity_name: str, row: dict[str, Any], changes: dict[str, Any]
               ) -> dict[str, Any]:
        """Write `changes` to `row` (as read under the scope's lock); returns the row now."""
        values = self.stamp_update(row, changes)
        run_writes(self.conn, [Write(entity_name, "update", {**values, "id": row["id"]})])
        return {**row, **values}


@dataclass(frozen=True)
class Write:
    entity: str
    kind: str  # "insert": values is the full row; "update": changed columns and the id
    values: dict[str, Any]


def run_writes(conn: sa.Connection, writes: list[Write]) -> None:
    """Run writes in order; runs of the same statement shape go in one executemany."""
    _run(conn, writes)
    # the conflict check's pre-filter follows every change of a registration's customer
    matchkeys.refresh(conn, matchkeys.REGISTRATION, [
        w.values["id"] for w in writes if w.entity == "registrations"
        and (w.kind == "insert" or matchkeys.KEYED_FIELDS & w.values.keys())])


def _run(conn: sa.Connection, writes: list[Write]) -> None:
    for (entity, kind, _), group in groupby(writes, key=_shape):
        table = RECORD_TABLES[entity]
        rows = [w.values for w in group]
        if kind == "insert":
            conn.execute(sa.insert(table), rows)
        else:
            params = [{**{k: v for k, v in r.items() if k != "id"}, "row_id": r["id"]}
                      for r in rows]
            conn.execute(sa.update(table).where(table.c.id == sa.bindparam("row_id")), params)


def _shape(write: Write) -> tuple[str, str, tuple[str, ...]]:
    return write.entity, write.kind, tuple(sorted(write.values))


@contextmanager
def write_tx(engine: sa.Engine, now: datetime | None = None) -> Iterator[WriteTx]:
    with engine.begin() as conn:
        tx = WriteTx(conn, now)
        yield tx
        tx.flush()


def scope_of(entity_name: str, partner_id: str | None) -> str:
    if ENTITIES[entity_name].scope == "global":
        return GLOBAL_SCOPE
    if not partner_id:
        raise ValueError(f"{entity_name} records belong to a partner; partner_id is required")
    return partner_id


def fetch(conn: sa.Connection, entity_name: str, record_id: str) -> dict[str, Any] | None:
    table = RECORD_TABLES[entity_name]
    row = conn.execute(sa.select(table).where(table.c.id == record_id)).mappings().first()
    return dict(row) if row else None


def fetch_many(conn: sa.Connection, entity_name: str, record_ids: list[str]
               ) -> dict[str, dict[str, Any]]:
    table = RECORD_TABLES[entity_name]
    result = conn.execute(sa.select(table).where(table.c.id.in_(record_ids)))
    names = list(result.keys())  # plain dicts by zip: a push reads up to a batch of rows at once
    at = names.index("id")
    return {row[at]: dict(zip(names, row, strict=True)) for row in result}


def to_wire(entity: Entity, row: dict[str, Any]) -> dict[str, Any]:
    """The record as partners see it: metadata, partner_id (if any) and the declared fields."""
    record: dict[str, Any] = {"id": row["id"]}
    if row["partner_id"] is not None:
        record["partner_id"] = row["partner_id"]
    record.update({f.name: row[f.name] for f in entity.fields})
    record.update(created_at=row["created_at"], updated_at=row["updated_at"],
                  version=row["version"], deleted=bool(row["deleted"]))
    return record
