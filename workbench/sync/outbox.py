"""Turning pending outbox rows into push batches, and remembering what is in flight.

Rules that keep a push correct across crashes and retries:

- **In flight.** Before a batch goes out, its exact operations (and the outbox rows each one
  covers) are stored under the sync_state key `push_in_flight`, in the same transaction that
  built it, with the time it was first sent (`sent_at` on each op) and the user sending it. Until
  their results are recorded, the next sync sends exactly those operations again with the same op
  ids — as the same user, since the server keeps answers per user — so the server answers from its
  record instead of applying twice. Only rows that were never sent are ever rewritten (coalesced,
  rebased, stripped).
- **One operation per record per batch.** A record's later edits wait for the result of its
  earlier ones, so they can be rebased on what the server really did (a rejected or conflicting
  edit must not make the next edit of the same field look like a conflict).
- **Oldest first.** A batch is a prefix of the pending rows in outbox order; the only reordering
  is coalescing: a record's consecutive create/update rows become one operation (first op id,
  first base, union of fields with the first old and the last new value). A row that changes a
  reference is never pulled forward, since it may point at a record created in between.
- **Open conflicts.** A field with an open conflict is not pushed until the rep resolves it; a
  later local edit of that field becomes the conflict's "mine" value instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from workbench.domain.model import Kind, entity
from workbench.domain.values import new_id, now_text
from workbench.store.db import json_value
from workbench.store.records import get_state, set_state
from workbench.store.schema import conflicts, outbox, sync_state
from workbench.sync.protocol import MAX_BODY_BYTES, MAX_OPS_PER_PUSH, Operation

IN_FLIGHT_KEY = "push_in_flight"
# Headroom under the server's 4 MiB body limit for the envelope and JSON escaping differences.
MAX_BATCH_BYTES = MAX_BODY_BYTES * 7 // 8
ROW_SCAN_EXTRA = 100  # rows looked at beyond the op limit, so a record's next edits can join it


@dataclass
class BatchOp:
    op: Operation
    seqs: list[int]  # the outbox rows this operation stands for

    @property
    def key(self) -> tuple[str, str]:
        return (self.op.entity, self.op.record_id)


@dataclass
class Batch:
    ops: list[BatchOp] = field(default_factory=list)
    resent: bool = False  # True: loaded from push_in_flight (may have reached the server)
    settled: int = 0  # rows closed locally while building (no net change / superseded)
    user_id: str | None = None  # who sent it (None: stored before this was recorded)

    def operations(self) -> list[Operation]:
        return [b.op for b in self.ops]


def load_in_flight(conn: sa.Connection) -> Batch | None:
    stored = get_state(conn, IN_FLIGHT_KEY)
    if not stored:
        return None
    ops = [BatchOp(Operation.from_wire(wire, i), list(seqs))
           for i, (wire, seqs) in enumerate(zip(stored["ops"], stored["seqs"], strict=True))]
    return Batch(ops=ops, resent=True, user_id=stored.get("user_id"))


def in_flight_op_ids(conn: sa.Connection) -> list[str]:
    stored = get_state(conn, IN_FLIGHT_KEY)
    return [wire["op_id"] for wire in stored["ops"]] if stored else []


def clear_in_flight(conn: sa.Connection) -> None:
    conn.execute(sa.delete(sync_state).where(sync_state.c.key == IN_FLIGHT_KEY))


def next_batch(conn: sa.Connection, *, max_ops: int = MAX_OPS_PER_PUSH,
               max_bytes: int = MAX_BATCH_BYTES) -> Batch:
    """The batch to send now: the one in flight, else a new one (stored as in flight)."""
    batch = load_in_flight(conn)
    if batch is not None:
        return batch
    batch = build_batch(conn, max_ops=max_ops, max_bytes=max_bytes)
    if batch.ops:
        sent_at = now_text()
        for bop in batch.ops:
            bop.op.sent_at = sent_at
        batch.user_id = get_state(conn, "user_id")
        set_state(conn, IN_FLIGHT_KEY, {"ops": [b.op.to_wire() for b in batch.ops],
                                        "seqs": [b.seqs for b in batch.ops],
                                        "user_id": batch.user_id})
    return batch


def build_batch(conn: sa.Connection, *, max_ops: int = MAX_OPS_PER_PUSH,
                max_bytes: int = MAX_BATCH_BYTES) -> Batch:
    rows = _pending_rows(conn, max_ops + ROW_SCAN_EXTRA)
    if not rows:
        return Batch()
    open_fields = _open_conflict_fields(conn, {r["record_id"] for r in rows})
    batch = Batch()
    by_record: dict[tuple[str, str], BatchOp] = {}
    size = 0
    mine_updates: dict[str, Any] = {}  # conflict id -> newest local value of its field
    superseded: list[int] = []
    for row in rows:
        key = (row["entity"], row["record_id"])
        fields = _strip_conflicted(row, open_fields.get(key, {}), mine_updates)
        if key in by_record:
            if not _can_absorb(by_record[key], row):
                break  # keep outbox order: everything from here waits for the next batch
            _absorb(by_record[key], row, fields)
            continue
        if not fields and row["kind"] == "update":
            superseded.append(row["seq"])
            continue
        op = _operation(row, fields)
        op_size = _estimated_size(op)
        if len(batch.ops) >= max_ops or (batch.ops and size + op_size > max_bytes):
            break
        size += op_size
        by_record[key] = BatchOp(op, [row["seq"]])
        batch.ops.append(by_record[key])
    batch.settled += _settle_empty(conn, batch)
    _close_rows(conn, superseded, "conflict",
                "not sent: the field has an open conflict; your value is kept there until "
                "you resolve it")
    batch.settled += len(superseded)
    for conflict_id, value in mine_updates.items():
        conn.execute(sa.update(conflicts).where(conflicts.c.id == conflict_id)
                     .values(mine_value=value))
    return batch


_PENDING_COLUMNS = ("seq", "op_id", "entity", "record_id", "kind", "action", "fields",
                    "base_version")


def _pending_rows(conn: sa.Connection, limit: int) -> list[dict[str, Any]]:
    """The oldest pending rows, as plain dicts. Driver SQL and orjson for `fields`: a 10k-edit
    push reads every pending row once, and SQLAlchemy's per-row result processing (JSON by the
    standard library) cost more than the query itself."""
    rows = []
    for values in conn.exec_driver_sql(
            f"SELECT {', '.join(_PENDING_COLUMNS)} FROM outbox WHERE state = 'pending' "
            "ORDER BY seq LIMIT ?", (limit,)):
        row = dict(zip(_PENDING_COLUMNS, values, strict=True))
        row["fields"] = None if row["fields"] is None else json_value(row["fields"])
        rows.append(row)
    return rows


def _estimated_size(op: Operation) -> int:
    """Roughly the op's JSON size (repr escapes like JSON does; no full encode per op). Should a
    batch still exceed the server's limit, the 413 splits it (engine.push_ops)."""
    return 160 + len(repr(op.fields))


def _operation(row: Any, fields: dict[str, dict[str, Any]]) -> Operation:
    if row["kind"] == "create":
        fields = {name: {"old": None, "new": change["new"]} for name, change in fields.items()}
    return Operation(op_id=row["op_id"], entity=row["entity"], record_id=row["record_id"],
                     kind=row["kind"], base_version=row["base_version"], fields=fields,
                     action=row["action"])


def _strip_conflicted(row: Any, open_fields: dict[str, str], mine_updates: dict[str, Any]
                      ) -> dict[str, dict[str, Any]]:
    """The row's fields without those in open conflicts (whose 'mine' becomes this edit)."""
    fields = {name: dict(change) for name, change in (row["fields"] or {}).items()}
    for name in [n for n in fields if n in open_fields]:
        mine_updates[open_fields[name]] = fields.pop(name)["new"]
    return fields


def _can_absorb(current: BatchOp, row: Any) -> bool:
    if current.op.kind not in ("create", "update") or row["kind"] != "update":
        return False
    spec = entity(row["entity"])
    return not any(spec.has_field(name) and spec.field(name).kind is Kind.REF
                   for name in (row["fields"] or {}))


def _absorb(current: BatchOp, row: Any, fields: dict[str, dict[str, Any]]) -> None:
    for name, change in fields.items():
        if name in current.op.fields:
            current.op.fields[name]["new"] = change["new"]
        else:
            old = None if current.op.kind == "create" else change["old"]
            current.op.fields[name] = {"old": old, "new": change["new"]}
    current.seqs.append(row["seq"])


def _settle_empty(conn: sa.Connection, batch: Batch) -> int:
    """Coalesced updates whose edits cancel out send nothing: close their rows here."""
    empty = []
    for bop in batch.ops:
        if bop.op.kind != "update":
            continue
        bop.op.fields = {n: c for n, c in bop.op.fields.items() if c["old"] != c["new"]}
        if not bop.op.fields:
            empty.append(bop)
    if not empty:
        return 0
    batch.ops = [b for b in batch.ops if b not in empty]
    seqs = [seq for bop in empty for seq in bop.seqs]
    _close_rows(conn, seqs, "applied", "nothing to send: later edits undid this change")
    return len(seqs)


def _close_rows(conn: sa.Connection, seqs: list[int], state: str, reason: str | None,
                reason_field: str | None = None) -> None:
    if not seqs:
        return
    now = now_text()
    conn.execute(sa.update(outbox).where(outbox.c.seq == sa.bindparam("b_seq")).values(
        state=state, reason=reason, reason_field=reason_field, finished_at=now),
        [{"b_seq": seq} for seq in seqs])


def _open_conflict_fields(conn: sa.Connection, record_ids: set[str]
                          ) -> dict[tuple[str, str], dict[str, str]]:
    """(entity, record id) -> {field: conflict id} for open conflicts of these records."""
    found: dict[tuple[str, str], dict[str, str]] = {}
    if not record_ids or conn.exec_driver_sql(
            "SELECT 1 FROM conflicts WHERE resolved_at IS NULL LIMIT 1").first() is None:
        return found  # the usual case: no open conflict at all, no 500-id IN list to compile
    query = sa.select(conflicts.c.id, conflicts.c.entity, conflicts.c.record_id,
                      conflicts.c.field).where(conflicts.c.resolved_at.is_(None))
    if len(record_ids) <= 900:
        query = query.where(conflicts.c.record_id.in_(record_ids))
    for row in conn.execute(query):
        if row.record_id in record_ids:
            found.setdefault((row.entity, row.record_id), {})[row.field] = row.id
    return found


def later_pending_rows(conn: sa.Connection, record_ids: set[str], covered: set[int]
                       ) -> list[Any]:
    """Pending rows of these records that a batch does not cover, oldest first.

    Two steps: the cheap columns of all pending rows of the records, then whole rows (with their
    JSON fields) only for the uncovered ones — usually none.
    """
    ids = sorted(record_ids)
    seqs = []
    for start in range(0, len(ids), 900):  # SQLite's bound-parameter limit, with room
        chunk = ids[start:start + 900]
        # Driver SQL: compiling a 500-item IN list through SQLAlchemy costs more than the query.
        seqs += [seq for (seq,) in conn.exec_driver_sql(
            f"SELECT seq FROM outbox WHERE state = 'pending' AND record_id IN "
            f"({', '.join('?' * len(chunk))})", tuple(chunk)) if seq not in covered]
    if not seqs:
        return []
    return list(conn.execute(sa.select(outbox).where(outbox.c.seq.in_(seqs))
                             .order_by(outbox.c.seq)).mappings())


def queue(conn: sa.Connection, entity_name: str, record_id: str, kind: str,
          fields: dict[str, dict[str, Any]], *, base_version: int,
          action: str | None = None) -> str:
    """A new pending operation written by sync itself (a re-queued merge or a resolution)."""
    op_id = new_id()
    conn.execute(sa.insert(outbox).values(
        op_id=op_id, entity=entity_name, record_id=record_id, kind=kind, action=action,
        fields=fields, base_version=base_version, created_at=now_text(), state="pending"))
    return op_id
