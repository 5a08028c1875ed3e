"""Push: apply a batch of client operations, each atomically, each answered exactly once.

One transaction per batch holds the partner's scope lock, so nobody else writes the partner's
records meanwhile: the batch reads its records and stored answers once, up front, keeps them
current itself and runs its writes together. An op is validated completely before it writes, so
a rejected op leaves no trace and never blocks the ops after it; actions, which write several
records, also run in a savepoint. The answer to every op is stored under (user, op_id) in the
same transaction, so a replayed op answers the same and changes nothing — for as long as the
answers are kept (idempotency.py).
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from workbench.domain import attachments, mdf
from workbench.domain.deal_progress import check_amendment
from workbench.domain.distributors import SubPartnerRecord, check_own_record
from workbench.domain.merge import conflicting_fields
from workbench.domain.model import ENTITIES, Entity, Kind, Owner
from workbench.domain.records import (
    check_partner_delete,
    check_partner_edit,
    check_record,
    check_submittable,
    with_defaults,
)
from workbench.domain.registration import IllegalTransition
from workbench.domain.values import InvalidValue, coerce, missing_required
from workbench.server import registrations
from workbench.server.access import User, Visibility
from workbench.server.idempotency import resync_answer, too_old_to_replay
from workbench.server.pull import encode_cursor
from workbench.server.records import CASE_NUMBERS, Write, WriteTx, fetch_many, run_writes, to_wire
from workbench.server.schema import RECORD_TABLES, applied_ops
from workbench.sync.protocol import ACTIONS, Operation, OpResult, decode_json, encode_json


class Rejected(Exception):
    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


@dataclass
class _Batch:
    """One push: who pushes, the records its ops address (kept current), and its writes.

    Writes are queued and run together (executemany) before anything reads the database again:
    before an action and at the end of the batch.
    """
    tx: WriteTx
    user: User
    seen: Visibility
    auto_approve: bool
    rows: dict[tuple[str, str], dict[str, Any] | None] = field(default_factory=dict)
    pending: list[Write] = field(default_factory=list)

    def load(self, ops: list[Operation]) -> None:
        """Read at once the records the ops address and the records their references name."""
        wanted: dict[str, set[str]] = defaultdict(set)
        for op in ops:
            record_id = _uuid_or_none(op.record_id)
            entity = ENTITIES.get(op.entity)
            if entity is None:
                continue
            if record_id:
                wanted[op.entity].add(record_id)
            for name, target in _referenced(entity, op.fields):
                wanted[entity.field(name).ref or ""].add(target)
        wanted.pop("", None)
        for entity_name, ids in wanted.items():
            found = fetch_many(self.tx.conn, entity_name, sorted(ids))
            self.rows.update({(entity_name, i): found.get(i) for i in ids})

    def row(self, entity_name: str, record_id: str) -> dict[str, Any] | None:
        return self.rows[(entity_name, record_id)]

    def visible(self, entity_name: str, record_id: str) -> bool:
        """Whether this partner can see a live record of that id (a reference may point at it)."""
        key = (entity_name, record_id)
        if key not in self.rows:  # a reference load() could not foresee (not sent as text)
            self.rows.update({key: fetch_many(self.tx.conn, entity_name, [record_id])
                              .get(record_id)})
        row = self.rows[key]
        return row is not None and not row["deleted"] and row["scope"] in self.seen.scopes

    def insert(self, entity_name: str, record_id: str, values: dict[str, Any]) -> dict[str, Any]:
        row = self.tx.stamp_insert(entity_name, record_id, values, self.user.partner_id)
        self.pending.append(Write(entity_name, "insert", row))
        self.rows[(entity_name, record_id)] = row
        return row

    def update(self, entity_name: str, row: dict[str, Any], changes: dict[str, Any]
               ) -> dict[str, Any]:
        values = self.tx.stamp_update(row, changes)
        self.pending.append(Write(entity_name, "update", {**values, "id": row["id"]}))
        row = {**row, **values}
        self.rows[(entity_name, row["id"])] = row
        return row

    def flush(self) -> None:
        run_writes(self.tx.conn, self.pending)
        self.pending.clear()


def push(tx: WriteTx, user: User, seen: Visibility, ops: list[Operation], *,
         auto_approve: bool) -> list[dict[str, Any]]:
    return push_with_cursor(tx, user, seen, ops, auto_approve=auto_approve)[0]


def push_with_cursor(tx: WriteTx, user: User, seen: Visibility, ops: list[Operation], *,
                     auto_approve: bool, cursor: dict[str, int] | None = None
                     ) -> tuple[list[dict[str, Any]], str | None]:
    """The answers, one per op, and the client's pull cursor moved past this batch's writes
    when the answers are all it would pull for them (see `_advanced_cursor`), else None."""
    scope = user.partner_id
    tx.lock(scope)  # first: orders concurrent pushes (and replays) of one partner
    head_before = tx.position(scope)
    answered = _stored_results(tx.conn, user.id, {op.op_id for op in ops})
    replayed = bool(answered)
    batch = _Batch(tx, user, seen, auto_approve)
    batch.load([op for op in ops if op.op_id not in answered])
    new_answers = []
    for op in ops:
        if op.op_id not in answered:
            if too_old_to_replay(op, tx.moment):  # its answer may have been pruned: never twice
                answered[op.op_id] = resync_answer(op).to_wire()
                replayed = True
            else:
                answered[op.op_id] = _apply(batch, op)
            new_answers.append({"user_id": user.id, "op_id": op.op_id, "created_at": tx.now,
                                "result_json": encode_json(answered[op.op_id]).decode()})
    batch.flush()
    if new_answers:
        tx.conn.execute(sa.insert(applied_ops), new_answers)
    moved = None
    if cursor is not None and not replayed and all(op.kind != "action" for op in ops):
        moved = _advanced_cursor(tx, seen, scope, cursor, head_before)
    return [answered[op.op_id] for op in ops], moved


def _advanced_cursor(tx: WriteTx, seen: Visibility, scope: str, cursor: dict[str, int],
                     head_before: int) -> str | None:
    """The cursor a pull would end at after this batch, when pulling would bring the client
    nothing but the records the answers carry: its position in the partner's scope was the
    scope's head when the batch took the scope's lock (so everything numbered up to there has
    committed and was pulled), the batch wrote no other scope the user sees, and every write was
    an op's one record, whose final state its answer holds (no actions: they write other records
    too; no replayed answer: it may be older than the record). Otherwise the client pulls."""
    if cursor.get(scope, 0) != head_before or \
            any(s != scope and s in seen.scopes for s in tx.written_scopes()):
        return None
    positions = {s: p for s, p in cursor.items() if s in seen.scopes}
    positions[scope] = tx.position(scope)
    return encode_cursor(positions)


def _stored_results(conn: sa.Connection, user_id: str, op_ids: set[str]
                    ) -> dict[str, dict[str, Any]]:
    # By op id alone, then the user: with user_id in the query PostgreSQL picks the primary key
    # and scans every op the user ever pushed. Another user's op ids are never answered.
    rows = conn.execute(sa.select(applied_ops.c.user_id, applied_ops.c.op_id,
                                  applied_ops.c.result_json)
                        .where(applied_ops.c.op_id.in_(sorted(op_ids))))
    return {row.op_id: decode_json(row.result_json) for row in rows if row.user_id == user_id}


def _apply(batch: _Batch, op: Operation) -> dict[str, Any]:
    """An op is fully validated before its one write, so a rejection leaves nothing behind.
    Actions read the database and may write several records: they run in a savepoint."""
    try:
        if op.kind != "action":
            return _dispatch(batch, op).to_wire()
        batch.flush()  # earlier ops' writes must not share this op's savepoint
        with batch.tx.savepoint():
            result = _dispatch(batch, op)
            batch.flush()
        return result.to_wire()
    except Rejected as rejection:
        return OpResult(op.op_id, "rejected", reason=rejection.reason,
                        field=rejection.field).to_wire()


def _dispatch(batch: _Batch, op: Operation) -> OpResult:
    entity = ENTITIES.get(op.entity)
    if entity is None:
        raise Rejected(f"unknown record type {op.entity!r} (known: {', '.join(ENTITIES)})",
                       "entity")
    if op.kind == "create" and entity.created_by is not Owner.PARTNER:
        raise Rejected(f"{entity.name} records are created by the vendor, not by partners",
                       "entity")
    record_id = _record_id(op.record_id)
    fields = _coerce_fields(entity, op.fields)
    row = batch.row(entity.name, record_id)
    if row is not None and row["scope"] != batch.user.partner_id:
        _refuse_foreign(row, batch.seen, op)
        row = None  # any other partner's record answers exactly as a missing one
    if op.kind == "create":
        if row is None:
            return _create(batch, entity, record_id, op, fields)
        fields = {name: (None, new) for name, (_, new) in fields.items()}  # empty base
        return _update(batch, entity, _live(row), op, fields)
    if row is None:
        raise Rejected(f"{entity.label or entity.name} {record_id} not found", "record_id")
    if op.kind == "update":
        return _update(batch, entity, _live(row), op, fields)
    if op.kind == "delete":
        return _delete(batch, entity, row, op)
    return _action(batch, entity, _live(row), op, fields)


# A record id as this workbench writes it (lower-case canonical UUID) needs no parsing.
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _uuid_or_none(text: Any) -> str | None:
    if type(text) is str and _CANONICAL_UUID.fullmatch(text):
        return text  # what str(uuid.UUID(text)) would give, without building the UUID
    try:
        return str(uuid.UUID(text))
    except (ValueError, TypeError, AttributeError):
        return None


def _referenced(entity: Entity, fields: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    """(field, record id) of every reference an op's fields set, as far as they look like ids."""
    found = []
    for name, change in fields.items():
        if entity.has_field(name) and entity.field(name).kind is Kind.REF:
            target = _uuid_or_none(change.get("new"))
            if target:
                found.append((name, target))
    return found


def _check_references(batch: _Batch, entity: Entity, values: dict[str, Any]) -> None:
    """A reference may name only a live record this partner can see. Another partner's id answers
    exactly as an id that exists nowhere: no oracle for guessing ids."""
    for name, value in values.items():
        spec = entity.field(name)
        if spec.kind is Kind.REF and value is not None and spec.ref \
                and not batch.visible(spec.ref, value):
            target = ENTITIES[spec.ref]
            raise Rejected(f"{name}: no {(target.label or target.name).lower()} with id {value}",
                           name)


def _record_id(text: str) -> str:
    record_id = _uuid_or_none(text)
    if record_id is None:
        raise Rejected(f"record_id: not a record id (UUID): {text!r}", "record_id")
    return record_id


def _refuse_foreign(row: dict[str, Any], seen: Visibility, op: Operation) -> None:
    """Ops on another partner's record that cannot be answered as if it were missing."""
    if row["scope"] in seen.sub_partners:  # the desk refuses it first, by the same rule
        try:
            check_own_record(op.entity, {"partner_id": row["scope"]}, seen.partner_id,
                             action="edit" if op.kind == "update" else op.action or op.kind)
        except SubPartnerRecord as error:
            raise Rejected(str(error), "record_id") from None
    if op.kind == "create":  # the id is taken; say no more than that
        raise Rejected("this record id cannot be used; create the record with a new id",
                       "record_id")


def _live(row: dict[str, Any]) -> dict[str, Any]:
    if row["deleted"]:
        raise Rejected("the record has been deleted", "record_id")
    return row


def _coerce_fields(entity: Entity, fields: dict[str, dict[str, Any]]
                   ) -> dict[str, tuple[Any, Any]]:
    """field -> (old, new) in stored form; unknown, vendor-owned or invalid fields are rejected."""
    result = {}
    for name, change in fields.items():
        if not entity.has_field(name):
            known = ", ".join(entity.partner_fields()) or "none"
            raise Rejected(f"{entity.name} has no field {name!r} (fields you may edit: {known})",
                           name)
        spec = entity.field(name)
        if spec.owner is not Owner.PARTNER:
            raise Rejected(f"{spec.title} is owned by the vendor", name)
        _refuse_oversized(entity, name, change.get("new"), fields)
        try:
            new = coerce(spec, change["new"])
        except InvalidValue as error:
            raise Rejected(str(error), error.field) from None
        result[name] = (_lenient(spec, change.get("old")), new)
    return result


def _refuse_oversized(entity: Entity, name: str, value: Any,
                      fields: dict[str, dict[str, Any]]) -> None:
    """A declared file size over the limit says the limit, whatever the number's range."""
    if entity.name == "attachments" and name == "size_bytes" and type(value) is int:
        filename = (fields.get("filename") or {}).get("new")
        problem = attachments.too_large(value, filename if isinstance(filename, str)
                                        else "the file")
        if problem:
            raise Rejected(str(entity.invalid(name, problem)), name)


def _lenient(spec, value: Any) -> Any:
    """The client's base value in stored form, or as sent when it does not coerce."""
    try:
        return coerce(spec, value)
    except InvalidValue:
        return value


def _conflicts(row: dict[str, Any], fields: dict[str, tuple[Any, Any]]) -> dict[str, Any]:
    """Fields whose server value differs from both the client's base and the client's wish."""
    return conflicting_fields(row, fields)


def _changes(row: dict[str, Any], fields: dict[str, tuple[Any, Any]]) -> dict[str, Any]:
    return {name: new for name, (_, new) in fields.items() if row[name] != new}


def _conflict_result(entity: Entity, row: dict[str, Any], op: Operation,
                     conflicts: dict[str, Any]) -> OpResult:
    names = ", ".join(sorted(conflicts))
    return OpResult(op.op_id, "conflict", version=row["version"], record=to_wire(entity, row),
                    conflicts=conflicts,
                    reason=f"changed on the server since your version {op.base_version}: {names}")


def _applied(entity: Entity, row: dict[str, Any], op: Operation) -> OpResult:
    return OpResult(op.op_id, "applied", version=row["version"], record=to_wire(entity, row))


def _editable(batch: _Batch, entity: Entity, row: dict[str, Any], changes: dict[str, Any]
              ) -> None:
    try:
        check_partner_edit(entity.name, row, changes, batch.tx.moment)
    except InvalidValue as error:
        raise Rejected(str(error), error.field) from None


def _validated(entity: Entity, record: dict[str, Any]) -> None:
    missing = missing_required(entity, record)
    if missing:
        raise Rejected(str(entity.invalid(missing[0], "is required")), missing[0])
    try:
        check_record(entity.name, record)
    except InvalidValue as error:
        raise Rejected(str(error), error.field) from None


def _create(batch: _Batch, entity: Entity, record_id: str, op: Operation,
            fields: dict[str, tuple[Any, Any]]) -> OpResult:
    values = with_defaults(entity.name, {name: new for name, (_, new) in fields.items()})
    _validated(entity, {f.name: values.get(f.name) for f in entity.fields})
    _check_references(batch, entity, values)
    if entity.name == "registration_amendments":
        _check_amendment(batch, values)
    if entity.name == "cases":
        tx = batch.tx
        tx.lock(CASE_NUMBERS)
        values["case_number"] = f"CS-{tx.moment.year}-{tx.next_seq(CASE_NUMBERS):06d}"
    return _applied(entity, batch.insert(entity.name, record_id, values), op)


def _check_amendment(batch: _Batch, values: dict[str, Any]) -> None:
    """An amendment may be asked only on an approved registration (domain/deal_progress.py)."""
    registration = batch.row("registrations", values["registration_id"])
    amendments = RECORD_TABLES["registration_amendments"]
    waiting = batch.tx.conn.execute(sa.select(amendments.c.id).where(
        amendments.c.registration_id == values["registration_id"],
        amendments.c.status == "pending", amendments.c.deleted == sa.false()).limit(1)
    ).first() is not None
    try:
        check_amendment(values, registration, batch.tx.moment, one_waiting=waiting)
    except InvalidValue as error:
        raise Rejected(str(error), error.field) from None


def _update(batch: _Batch, entity: Entity, row: dict[str, Any], op: Operation,
            fields: dict[str, tuple[Any, Any]]) -> OpResult:
    conflicts = _conflicts(row, fields)
    if conflicts:
        return _conflict_result(entity, row, op, conflicts)
    changes = _changes(row, fields)
    if not changes:
        return _applied(entity, row, op)  # nothing to change: no new version
    _editable(batch, entity, row, changes)
    _validated(entity, {**row, **changes})
    _check_references(batch, entity, changes)
    return _applied(entity, batch.update(entity.name, row, changes), op)


def _delete(batch: _Batch, entity: Entity, row: dict[str, Any], op: Operation) -> OpResult:
    if entity.created_by is not Owner.PARTNER:
        raise Rejected(f"{entity.name} records are the vendor's; they cannot be deleted",
                       "entity")
    if row["deleted"]:
        return _applied(entity, row, op)
    try:
        check_partner_delete(entity.name, row)
    except InvalidValue as error:
        raise Rejected(str(error), error.field) from None
    return _applied(entity, batch.update(entity.name, row, {"deleted": True}), op)


def _action(batch: _Batch, entity: Entity, row: dict[str, Any], op: Operation,
            fields: dict[str, tuple[Any, Any]]) -> OpResult:
    allowed = ACTIONS.get(entity.name, ())
    if op.action not in allowed:
        known = ", ".join(allowed) if allowed else "none"
        raise Rejected(f"unknown action {op.action!r} for {entity.name} (actions: {known})",
                       "action")
    conflicts = _conflicts(row, fields)
    if conflicts:
        return _conflict_result(entity, row, op, conflicts)
    edits = _changes(row, fields)  # partner fields sent along with the action
    _editable(batch, entity, row, edits)
    record = {**row, **edits}
    _validated(entity, record)
    _check_references(batch, entity, edits)
    if entity.name == "content_items":  # an open: a download event, the item stays as it is
        _content_opened(batch, row)
        return _applied(entity, row, op)
    try:
        if entity.name == "registrations":
            decided = _registration_action(batch, record, op.action)
        else:
            decided = _mdf_action(record, op.action)
    except IllegalTransition as error:
        raise Rejected(str(error), "status") from None
    return _applied(entity, batch.update(entity.name, row, {**edits, **decided}), op)


def _registration_action(batch: _Batch, record: dict[str, Any], action: str
                         ) -> dict[str, Any]:
    tx, user = batch.tx, batch.user
    if action != "submit":
        return registrations.partner_request(tx, record, action)
    try:
        check_submittable(record, tx.moment.date())
    except InvalidValue as error:
        raise Rejected(str(error), error.field) from None
    changes = registrations.submit(tx, record, auto_approve=batch.auto_approve)
    # Engagement scoring counts submitted registrations (seed 003, performance points).
    tx.insert("activity_events", str(uuid.uuid4()), {
        "user_email": user.email, "kind": "registration", "occurred_at": tx.now,
        "detail": f"registration submitted: {record['customer_name']}"}, user.partner_id)
    return changes


def _content_opened(batch: _Batch, row: dict[str, Any]) -> None:
    """Engagement scoring counts resources downloaded × 0.5 (seed 003, activity points)."""
    tx, user = batch.tx, batch.user
    tx.insert("activity_events", str(uuid.uuid4()), {
        "user_email": user.email, "kind": "download", "occurred_at": tx.now,
        "detail": f"content {row['sha256']}: {row['title']}"[:2000]}, user.partner_id)


def _mdf_action(record: dict[str, Any], action: str) -> dict[str, Any]:
    """domain/mdf.py decides (IllegalTransition is answered by the caller)."""
    try:
        return {"status": mdf.check_action(record, action)}
    except InvalidValue as error:
        raise Rejected(str(error), error.field) from None
