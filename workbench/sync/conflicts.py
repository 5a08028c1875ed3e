"""Stored conflicts: a field changed both here and on the server, shown until the rep decides.

While a conflict is open the local record shows "mine" and the field is not pushed. Resolving:

- keep mine / set a value: an ordinary outbox update (base = the server's value and version), so
  the decision syncs like any edit; if the server changed the field yet again meanwhile, that
  push conflicts again and the rep is asked again — nothing is overwritten silently.
- keep theirs: the local field takes the server's value. Nothing needs to be sent (the server
  has that value already), so no outbox operation is written.

Either way, pending edits of that field that were never sent are dropped from the outbox rows:
the decision replaces them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from workbench.domain.merge import RESOLUTIONS
from workbench.domain.model import Owner, entity
from workbench.domain.values import InvalidValue, coerce, now_text
from workbench.store.records import NotFound, get
from workbench.store.schema import RECORD_TABLES, conflicts, outbox
from workbench.sync.outbox import in_flight_op_ids, queue


class ConflictNotFound(NotFound):
    def __init__(self, conflict_id: str) -> None:
        LookupError.__init__(self, f"no conflict with id {conflict_id}")


def list_conflicts(conn: sa.Connection, *, include_resolved: bool = False) -> list[dict[str, Any]]:
    query = sa.select(conflicts).order_by(conflicts.c.created_at, conflicts.c.id)
    if not include_resolved:
        query = query.where(conflicts.c.resolved_at.is_(None))
    return [_describe(conn, dict(row)) for row in conn.execute(query).mappings()]


def get_conflict(conn: sa.Connection, conflict_id: str) -> dict[str, Any]:
    """A conflict by full id or unique prefix (>= 4 characters)."""
    prefix = conflict_id.strip().lower()
    rows = conn.execute(sa.select(conflicts).where(
        conflicts.c.id.startswith(prefix, autoescape=True)).limit(2)).mappings().all() \
        if len(prefix) >= 4 else []
    if len(rows) != 1:
        if len(rows) > 1:
            raise InvalidValue("id", f"'{prefix}' matches several conflicts; give more characters",
                               "ID")
        raise ConflictNotFound(conflict_id)
    return _describe(conn, dict(rows[0]))


def _describe(conn: sa.Connection, row: dict[str, Any]) -> dict[str, Any]:
    spec = entity(row["entity"])
    table = RECORD_TABLES[row["entity"]]
    record = conn.execute(sa.select(table).where(table.c.id == row["record_id"])).mappings().first()
    title = None
    if record is not None:
        title = next((record[name] for name in ("name", "customer_name", "subject",
                                                "company_name", "activity_name")
                      if name in record and record[name]), None)
    return {**row, "entity_label": spec.label or spec.name,
            "field_label": spec.field(row["field"]).title, "record_title": title,
            "open": row["resolved_at"] is None}


def resolve(conn: sa.Connection, conflict_id: str, *, keep: str | None = None,
            value: Any = None, set_value: bool = False) -> dict[str, Any]:
    """Resolve one open conflict: keep="mine" | "theirs", or set_value=True with `value`."""
    if (keep is None) == (not set_value):
        raise InvalidValue("resolution", "choose --keep mine, --keep theirs or --set FIELD=VALUE",
                           "Resolution")
    if keep is not None and keep not in RESOLUTIONS:
        raise InvalidValue("keep", f"must be mine or theirs, got {keep!r}", "Keep")
    conflict = get_conflict(conn, conflict_id)
    if not conflict["open"]:
        raise InvalidValue("id", f"conflict {conflict['id']} was already resolved "
                                 f"({conflict['resolution']})", "ID")
    name, entity_name, record_id = conflict["field"], conflict["entity"], conflict["record_id"]
    spec = entity(entity_name).field(name)
    if spec.owner is not Owner.PARTNER:
        raise spec.invalid("is owned by the vendor")
    record = get(conn, entity_name, record_id, include_deleted=True)
    _drop_unsent_edits(conn, entity_name, record_id, name)
    if keep == "theirs":
        wanted, resolution = conflict["theirs_value"], "theirs"
    elif keep == "mine":
        wanted, resolution = record[name], "mine"
    else:
        wanted, resolution = coerce(spec, value), "edited"
    table = RECORD_TABLES[entity_name]
    conn.execute(sa.update(table).where(table.c.id == record_id)
                 .values({name: wanted, "updated_at": now_text()}))
    op_id = None
    if wanted != conflict["theirs_value"]:
        op_id = queue(conn, entity_name, record_id, "update",
                      {name: {"old": conflict["theirs_value"], "new": wanted}},
                      base_version=conflict["theirs_version"])
    conn.execute(sa.update(conflicts).where(conflicts.c.id == conflict["id"]).values(
        resolved_at=now_text(), resolution=resolution, mine_value=record[name]))
    return {**get_conflict(conn, conflict["id"]), "value": wanted, "op_id": op_id}


def _drop_unsent_edits(conn: sa.Connection, entity_name: str, record_id: str, name: str) -> None:
    """Pending, never-sent outbox rows lose their edit of `name`: the resolution replaces it."""
    in_flight = set(in_flight_op_ids(conn))
    rows = conn.execute(sa.select(outbox).where(
        outbox.c.state == "pending", outbox.c.entity == entity_name,
        outbox.c.record_id == record_id)).mappings().all()
    for row in rows:
        fields = dict(row["fields"] or {})
        if row["op_id"] in in_flight or name not in fields:
            continue
        fields.pop(name)
        if fields or row["kind"] != "update":
            conn.execute(sa.update(outbox).where(outbox.c.seq == row["seq"]).values(fields=fields))
        else:
            conn.execute(sa.update(outbox).where(outbox.c.seq == row["seq"]).values(
                state="conflict", finished_at=now_text(),
                reason=f"replaced by the resolution of the conflict on {name}"))
