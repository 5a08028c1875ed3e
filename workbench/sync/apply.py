"""Writing what the server said into the local store: push results and pulled pages.

Each function runs inside the caller's transaction and changes nothing on its own. The merge
rules (DESIGN §3, issue 4):

Push results, per operation
- applied: the outbox rows are closed; the server's record (version, vendor fields, normalised
  values) replaces the local row, except fields that still have later pending edits or an open
  conflict: those keep the local value.
- rejected: the rows are closed with the reason (shown by `workbench status`; never blocks the
  queue). The local row is put back to the server's truth, so nothing pretends to be accepted:
  the server's current record when it is known (fetched after the rejection), otherwise the
  edited fields go back to their base values. A rejected create of a record the server never
  accepted becomes a local tombstone; its values stay readable in the rejected outbox row.
- conflict: three-way merge per field of the operation, against the op's base (old) value, by
  the rule the server applies (domain/merge.py): server == mine → nothing to do; server == base
  → mine is re-queued as a new operation on the new base; otherwise a stored conflict
  (base/mine/theirs) and mine keeps showing locally.

Pulled changes
- a record with no pending edits and no open conflicts is overwritten;
- otherwise field by field: vendor fields take theirs; partner fields with pending edits or open
  conflicts keep mine (the pending push is what the server checks, and turns into a stored
  conflict if the same field changed on both sides); open conflicts learn the newest theirs.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from workbench.domain.merge import FieldMerge, merge_field
from workbench.domain.model import entity
from workbench.domain.values import new_id, now_text
from workbench.store.schema import RECORD_TABLES, conflicts, outbox
from workbench.sync.outbox import Batch, BatchOp, later_pending_rows, queue
from workbench.sync.protocol import Change, OpResult, ProtocolError

_UPSERTS: dict[str, tuple[str, list[tuple[str, bool]]]] = {}
NOT_FOUND = object()  # a fetched record that the server does not have (for this user)


@dataclass
class Rejection:
    entity: str
    record_id: str
    op_id: str
    kind: str
    reason: str
    field: str | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class PushOutcome:
    applied: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    conflicted: int = 0  # operations answered 'conflict'
    new_conflicts: int = 0  # fields that became (or updated) stored conflicts
    requeued: int = 0  # operations re-queued by a merge
    rows_closed: int = 0


# --- local rows ---------------------------------------------------------------------------------

def _upsert(entity_name: str) -> tuple[str, list[tuple[str, bool]]]:
    """INSERT … ON CONFLICT(id) DO UPDATE of every column, as driver SQL: built once per entity.

    Returns the SQL and the columns in order with whether each is JSON (encoded here). Pulled
    pages go through the driver's executemany directly: SQLAlchemy's per-row parameter
    processing would cost more than SQLite's own insert work (100k records per initial pull).
    """
    cached = _UPSERTS.get(entity_name)
    if cached is None:
        table = RECORD_TABLES[entity_name]
        names = [c.name for c in table.c]
        # The WHERE keeps a newer local copy (never older data over newer) at no extra query.
        sql = (f'INSERT INTO "{table.name}" ({", ".join(names)}) VALUES '
               f'({", ".join("?" * len(names))}) ON CONFLICT (id) DO UPDATE SET '
               + ", ".join(f"{n} = excluded.{n}" for n in names if n != "id")
               + f' WHERE excluded.version >= "{table.name}".version')
        cached = (sql, [(c.name, isinstance(c.type, sa.JSON)) for c in table.c])
        _UPSERTS[entity_name] = cached
    return cached


def _row_values(entity_name: str, record: dict[str, Any]) -> dict[str, Any]:
    return {c.name: record.get(c.name) for c in RECORD_TABLES[entity_name].c}


def write_records(conn: sa.Connection, entity_name: str, records: list[dict[str, Any]]) -> None:
    """Store server records as they are (bulk upsert, one executemany)."""
    if not records:
        return
    sql, columns = _upsert(entity_name)
    names = [name for name, _ in columns]
    json_at = [index for index, (_, is_json) in enumerate(columns) if is_json]
    dumps = json.dumps
    rows = []
    for record in records:
        row = list(map(record.get, names))
        for index in json_at:
            if row[index] is not None:
                row[index] = dumps(row[index])
        rows.append(tuple(row))
    conn.exec_driver_sql(sql, rows)


def write_record_keeping(conn: sa.Connection, entity_name: str, record: dict[str, Any],
                         keep: set[str], local_exists: bool) -> None:
    """Store a server record but leave the `keep` fields as they are locally."""
    if not keep or not local_exists:
        write_records(conn, entity_name, [record])
        return
    table = RECORD_TABLES[entity_name]
    values = {k: v for k, v in _row_values(entity_name, record).items()
              if k != "id" and k not in keep}
    conn.execute(sa.update(table).where(table.c.id == record["id"]).values(values))


def _local_versions_of(conn: sa.Connection, keys: set[tuple[str, str]]
                       ) -> dict[tuple[str, str], int]:
    by_entity: dict[str, list[str]] = defaultdict(list)
    for entity_name, record_id in keys:
        by_entity[entity_name].append(record_id)
    return {(entity_name, record_id): version
            for entity_name, ids in by_entity.items()
            for record_id, version in _local_versions(conn, entity_name, ids).items()}


def _local_row(conn: sa.Connection, key: tuple[str, str]) -> dict[str, Any] | None:
    table = RECORD_TABLES[key[0]]
    row = conn.execute(sa.select(table).where(table.c.id == key[1])).mappings().first()
    return dict(row) if row else None


def _open_conflicts(conn: sa.Connection, record_ids: set[str]
                    ) -> dict[tuple[str, str], dict[str, dict[str, Any]]]:
    """(entity, record id) -> {field: conflict row} of open conflicts."""
    found: dict[tuple[str, str], dict[str, dict[str, Any]]] = defaultdict(dict)
    if not record_ids or conn.exec_driver_sql(
            "SELECT 1 FROM conflicts WHERE resolved_at IS NULL LIMIT 1").first() is None:
        return found
    query = sa.select(conflicts).where(conflicts.c.resolved_at.is_(None))
    if len(record_ids) <= 900:
        query = query.where(conflicts.c.record_id.in_(record_ids))
    for row in conn.execute(query).mappings():
        if row["record_id"] in record_ids:
            found[(row["entity"], row["record_id"])][row["field"]] = dict(row)
    return found


# --- push results -------------------------------------------------------------------------------

class _Context:
    """What result processing needs to know about the batch's records, read in bulk."""

    def __init__(self, conn: sa.Connection, batch: Batch) -> None:
        keys = {b.key for b in batch.ops}
        ids = {record_id for _, record_id in keys}
        covered = {seq for b in batch.ops for seq in b.seqs}
        self.later: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for row in later_pending_rows(conn, ids, covered):
            self.later[(row["entity"], row["record_id"])].append(
                {**row, "fields": {n: dict(c) for n, c in (row["fields"] or {}).items()}})
        self.versions = _local_versions_of(conn, keys)
        self.local: dict[tuple[str, str], dict[str, Any]] = {}  # whole rows, read when needed
        self.conflicts = _open_conflicts(conn, ids)
        self.dirty_rows: set[int] = set()  # later rows whose fields/base were rebased
        self.closed: list[tuple[list[int], str, str | None, str | None]] = []

    def close(self, seqs: list[int], state: str, reason: str | None = None,
              reason_field: str | None = None) -> None:
        """Close outbox rows; written in one executemany by `save`."""
        self.closed.append((seqs, state, reason, reason_field))

    def later_fields(self, key: tuple[str, str]) -> set[str]:
        return {name for row in self.later.get(key, ()) for name in row["fields"]}

    def keep(self, key: tuple[str, str]) -> set[str]:
        """Fields whose local value must survive writing the server's record."""
        keep = self.later_fields(key) | set(self.conflicts.get(key, {}))
        for row in self.later.get(key, ()):
            keep |= _optimistic(key[0], row["kind"])
        return keep

    def rebase(self, key: tuple[str, str], base: dict[str, Any], version: int | None) -> None:
        """Later rows now build on `base` (field -> the server's value) and `version`."""
        rows = self.later.get(key, [])
        for name, value in base.items():
            for row in rows:
                if name in row["fields"]:
                    row["fields"][name]["old"] = value
                    self.dirty_rows.add(row["seq"])
                    break
        if version is not None:
            for row in rows:
                if row["base_version"] != version:
                    row["base_version"] = version
                    self.dirty_rows.add(row["seq"])

    def save(self, conn: sa.Connection) -> None:
        now = now_text()
        closing = [(state, reason, field, now, seq)
                   for seqs, state, reason, field in self.closed for seq in seqs]
        if closing:
            conn.exec_driver_sql(
                "UPDATE outbox SET state = ?, reason = ?, reason_field = ?, finished_at = ? "
                "WHERE seq = ?", closing)
        rows = [row for rows in self.later.values() for row in rows
                if row["seq"] in self.dirty_rows]
        if rows:
            conn.execute(sa.update(outbox).where(outbox.c.seq == sa.bindparam("b_seq")).values(
                fields=sa.bindparam("b_fields"), base_version=sa.bindparam("b_base")),
                [{"b_seq": r["seq"], "b_fields": r["fields"], "b_base": r["base_version"]}
                 for r in rows])


def apply_results(conn: sa.Connection, batch: Batch, results: list[OpResult],
                  fetched: dict[tuple[str, str], Any]) -> PushOutcome:
    """Record the server's answers to `batch` (call in the transaction that clears in-flight).

    `fetched` holds the server's current record (or NOT_FOUND) for records of rejected ops.
    """
    ctx = _Context(conn, batch)
    outcome = PushOutcome()
    clean: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for bop, result in zip(batch.ops, results, strict=True):
        if result.status == "applied":
            _applied(conn, ctx, bop, result, clean, outcome)
        elif result.status == "rejected":
            _rejected(conn, ctx, bop, result, fetched.get(bop.key), clean, outcome)
        else:
            _conflict(conn, ctx, bop, result, clean, outcome)
        outcome.rows_closed += len(bop.seqs)
    for entity_name, records in clean.items():
        write_records(conn, entity_name, records)
    ctx.save(conn)
    return outcome


def _answered(result: OpResult) -> tuple[dict[str, Any], int]:
    """The record and version an applied or conflict answer carries (the client checked)."""
    if result.record is None or result.version is None:
        raise ProtocolError(f"the answer to {result.op_id} has no record or version")
    return result.record, result.version


def _store_server_record(conn: sa.Connection, ctx: _Context, key: tuple[str, str],
                         record: dict[str, Any], clean: dict[str, list[dict[str, Any]]],
                         extra_keep: frozenset[str] | set[str] = frozenset()) -> None:
    version = ctx.versions.get(key)
    if version is not None and version > record["version"]:
        return  # we already hold a newer version (a replayed answer is older than a pull)
    keep = ctx.keep(key) | set(extra_keep)
    if keep and version is not None:
        write_record_keeping(conn, key[0], record, keep, local_exists=True)
    else:
        clean[key[0]].append(record)
    ctx.versions[key] = record["version"]
    ctx.local.pop(key, None)


def _applied(conn: sa.Connection, ctx: _Context, bop: BatchOp, result: OpResult,
             clean: dict[str, list[dict[str, Any]]], outcome: PushOutcome) -> None:
    ctx.close(bop.seqs, "applied")
    record, _ = _answered(result)
    _store_server_record(conn, ctx, bop.key, record, clean)
    ctx.rebase(bop.key, {name: record.get(name) for name in bop.op.fields}, result.version)
    outcome.applied += 1


def _rejected(conn: sa.Connection, ctx: _Context, bop: BatchOp, result: OpResult,
              server: Any, clean: dict[str, list[dict[str, Any]]], outcome: PushOutcome) -> None:
    op = bop.op
    ctx.close(bop.seqs, "rejected", result.reason, result.field)
    outcome.rejected.append(Rejection(op.entity, op.record_id, op.op_id, op.kind,
                                      result.reason or "rejected", result.field))
    record = result.record if isinstance(result.record, dict) else server
    version = ctx.versions.get(bop.key)
    if isinstance(record, dict):
        _store_server_record(conn, ctx, bop.key, record, clean)
        ctx.rebase(bop.key, {name: record.get(name) for name in op.fields}, record["version"])
        return
    if version is None:
        return
    table = RECORD_TABLES[op.entity]
    if record is NOT_FOUND and version == 0:
        # The server never accepted this record: do not let it look like it exists there.
        conn.execute(sa.update(table).where(table.c.id == op.record_id).values(deleted=True))
        return
    # Server record unknown: put the edited fields back to their base values.
    keep = ctx.keep(bop.key)
    revert = {name: change["old"] for name, change in op.fields.items()
              if name not in keep and op.kind != "create"}
    if op.kind == "delete" and "deleted" not in keep:
        revert["deleted"] = False
    if revert:
        conn.execute(sa.update(table).where(table.c.id == op.record_id).values(revert))
    ctx.rebase(bop.key, {name: change["old"] for name, change in op.fields.items()}, None)


def _conflict(conn: sa.Connection, ctx: _Context, bop: BatchOp, result: OpResult,
              clean: dict[str, list[dict[str, Any]]], outcome: PushOutcome) -> None:
    op, (record, version) = bop.op, _answered(result)
    ctx.close(bop.seqs, "conflict", result.reason or "changed on the server")
    outcome.conflicted += 1
    carry: dict[str, dict[str, Any]] = {}
    mine_kept: set[str] = set()
    for name, change in op.fields.items():
        theirs = result.conflicts.get(name, record.get(name))
        base = None if op.kind == "create" else change["old"]
        merged = merge_field(base, change["new"], theirs)  # the rule the server applied
        if merged is FieldMerge.AGREE:
            continue
        mine_kept.add(name)
        if merged is FieldMerge.MINE:
            carry[name] = {"old": theirs, "new": change["new"]}
        else:
            _store_conflict(conn, ctx, bop.key, name, base, theirs, version)
            outcome.new_conflicts += 1
    _store_server_record(conn, ctx, bop.key, record, clean, extra_keep=mine_kept)
    # Later edits of a carried field supersede it: they go out rebased on the server's value.
    ctx.rebase(bop.key, {name: record.get(name) for name in op.fields
                         if name not in ctx.conflicts.get(bop.key, {})}, version)
    later_fields = ctx.later_fields(bop.key)
    carry = {name: change for name, change in carry.items() if name not in later_fields}
    if any(row["kind"] == "delete" for row in ctx.later.get(bop.key, ())):
        return  # the rep deleted the record afterwards; the delete speaks for itself
    if carry or op.kind == "action":
        kind = "action" if op.kind == "action" else "update"
        queue(conn, op.entity, op.record_id, kind, carry, base_version=version, action=op.action)
        outcome.requeued += 1


def _store_conflict(conn: sa.Connection, ctx: _Context, key: tuple[str, str], name: str,
                    base: Any, theirs: Any, version: int) -> None:
    if key not in ctx.local:
        ctx.local[key] = _local_row(conn, key) or {}
    mine = ctx.local[key].get(name)
    existing = ctx.conflicts.get(key, {}).get(name)
    if existing is not None:
        conn.execute(sa.update(conflicts).where(conflicts.c.id == existing["id"]).values(
            mine_value=mine, theirs_value=theirs, theirs_version=version))
        existing.update(mine_value=mine, theirs_value=theirs, theirs_version=version)
        return
    row = {"id": new_id(), "entity": key[0], "record_id": key[1], "field": name,
           "base_value": base, "mine_value": mine, "theirs_value": theirs,
           "theirs_version": version, "created_at": now_text(), "resolved_at": None,
           "resolution": None}
    conn.execute(sa.insert(conflicts).values(row))
    ctx.conflicts.setdefault(key, {})[name] = row


# --- pulled pages -------------------------------------------------------------------------------

@dataclass
class PullOutcome:
    written: int = 0
    merged: int = 0  # records merged field by field (pending edits or open conflicts)
    skipped: int = 0  # older than what we hold
    auto_resolved: int = 0  # open conflicts that disappeared (both sides now agree)


def apply_changes(conn: sa.Connection, changes: list[Change]) -> PullOutcome:
    """Apply one pulled page (call in the transaction that also stores the new cursor)."""
    outcome = PullOutcome()
    if not changes:
        return outcome
    by_entity: dict[str, list[Change]] = defaultdict(list)
    for change in changes:
        by_entity[change.entity].append(change)
    ids = {c.id for c in changes}
    pending = _pending_fields(conn, ids)
    open_conflicts = _open_conflicts(conn, ids)
    for entity_name, group in by_entity.items():
        clean = []
        for change in group:
            key = (entity_name, change.id)
            if key in pending or key in open_conflicts:
                _merge_pulled(conn, change, pending.get(key), open_conflicts.get(key, {}),
                              outcome=outcome)
            else:
                clean.append(change.record)
        write_records(conn, entity_name, clean)  # an older version never replaces a newer
        outcome.written += len(clean)
    return outcome


def _pending_fields(conn: sa.Connection, ids: set[str]) -> dict[tuple[str, str], set[str]]:
    """(entity, id) -> fields with pending edits, plus what pending deletes/actions changed."""
    found: dict[tuple[str, str], set[str]] = {}
    if conn.exec_driver_sql("SELECT 1 FROM outbox WHERE state = 'pending' LIMIT 1").first() is None:
        return found  # the common case (an initial pull): nothing to merge with
    for entity_name, record_id, kind, fields in _select_in(
            conn, "SELECT entity, record_id, kind, fields FROM outbox WHERE state = 'pending' "
                  "AND record_id IN ({})", sorted(ids)):
        names = found.setdefault((entity_name, record_id), set())
        names.update(json.loads(fields or "{}") or {})
        names |= _optimistic(entity_name, kind)
    return found


def _optimistic(entity_name: str, kind: str) -> set[str]:
    """Columns a pending operation of `kind` changed locally ahead of the server's answer: a
    delete sets the tombstone, an action moves the status (store.records.perform_action). They
    keep the local value until that operation's own result arrives."""
    if kind == "delete":
        return {"deleted"}
    if kind == "action" and entity(entity_name).has_field("status"):
        return {"status"}
    return set()


def _local_versions(conn: sa.Connection, entity_name: str, ids: list[str]) -> dict[str, int]:
    return dict(_select_in(conn, f'SELECT id, version FROM "{RECORD_TABLES[entity_name].name}" '
                                 "WHERE id IN ({})", ids))


def _select_in(conn: sa.Connection, sql: str, values: list[str]) -> list[tuple]:
    """Rows of `sql` with its IN ({}) filled, in chunks under SQLite's parameter limit. Driver
    SQL: compiling a 1000-item IN list through SQLAlchemy costs more than the query itself."""
    rows: list[tuple] = []
    for start in range(0, len(values), 900):
        chunk = values[start:start + 900]
        rows += conn.exec_driver_sql(sql.format(", ".join("?" * len(chunk))), tuple(chunk)).all()
    return rows


def _merge_pulled(conn: sa.Connection, change: Change, pending: set[str] | None,
                  open_conflicts: dict[str, dict[str, Any]], *, outcome: PullOutcome) -> None:
    version = _local_versions(conn, change.entity, [change.id]).get(change.id)
    if version is not None and version > change.version:
        outcome.skipped += 1
        return
    exists = version is not None
    spec = entity(change.entity)
    keep = {name for name in (pending or set())
            if name in ("deleted", "status") or name in spec.partner_fields()}
    keep |= set(open_conflicts)
    record = change.record
    if open_conflicts and exists:
        table = RECORD_TABLES[change.entity]
        local = conn.execute(sa.select(table).where(table.c.id == change.id)).mappings().one()
        for name, row in open_conflicts.items():
            theirs = record.get(name)
            if theirs == local[name]:  # both sides now hold the same value: nothing to decide
                conn.execute(sa.update(conflicts).where(conflicts.c.id == row["id"]).values(
                    resolved_at=now_text(), resolution="theirs", theirs_value=theirs,
                    theirs_version=change.version))
                outcome.auto_resolved += 1
            elif theirs != row["theirs_value"] or change.version != row["theirs_version"]:
                conn.execute(sa.update(conflicts).where(conflicts.c.id == row["id"]).values(
                    theirs_value=theirs, theirs_version=change.version))
    write_record_keeping(conn, change.entity, record, keep, local_exists=exists)
    outcome.merged += 1
