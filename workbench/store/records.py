"""Reading and editing records in the local store.

Every edit writes the record and its outbox operation in the caller's transaction, so they stand
or fall together (DESIGN §3). Call these inside `store.transaction()`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from workbench.domain.actions import check_partner_action, status_after
from workbench.domain.distributors import check_own_record, is_sub_partner_record
from workbench.domain.leads import FIRST_CONTACT_SLA
from workbench.domain.model import Owner, entity
from workbench.domain.records import check_partner_delete, check_partner_edit, check_record, with_defaults
from workbench.domain.registration import PROTECTION_DAYS
from workbench.domain.values import InvalidValue, coerce_fields, missing_required, new_id, now_text, utc_now
from workbench.store.schema import RECORD_TABLES, outbox, sync_state


class NotFound(LookupError):
    def __init__(self, entity_name: str, record_id: str) -> None:
        label = entity(entity_name).label or entity_name
        super().__init__(f"no {label.lower()} with id {record_id}")


class VendorOwned(InvalidValue):
    def __init__(self, entity_name: str, field: str) -> None:
        spec = entity(entity_name)
        super().__init__(field, f"is set by the vendor and read-only in the workbench "
                                f"({(spec.label or entity_name).lower()})", spec.title_of(field))


def table(entity_name: str) -> sa.Table:
    entity(entity_name)  # clear error for an unknown name
    return RECORD_TABLES[entity_name]


def get(conn: sa.Connection, entity_name: str, record_id: str, *,
        include_deleted: bool = False) -> dict[str, Any]:
    t = table(entity_name)
    row = conn.execute(sa.select(t).where(t.c.id == record_id)).mappings().first()
    if row is None or (row["deleted"] and not include_deleted):
        raise NotFound(entity_name, record_id)
    return dict(row)


def find(conn: sa.Connection, entity_name: str, record_id: str) -> dict[str, Any] | None:
    try:
        return get(conn, entity_name, record_id)
    except NotFound:
        return None


def resolve_id(conn: sa.Connection, entity_name: str, prefix: str) -> str:
    """Accept a full id or a unique prefix of one (people copy the first 8 characters)."""
    t = table(entity_name)
    prefix = prefix.strip().lower()
    if len(prefix) < 4:
        raise NotFound(entity_name, prefix)
    ids = conn.execute(sa.select(t.c.id).where(t.c.id.startswith(prefix, autoescape=True),
                                               t.c.deleted.is_(False)).limit(2)).scalars().all()
    if len(ids) != 1:
        if len(ids) > 1:
            raise InvalidValue("id", f"'{prefix}' matches several {entity_name}; give more "
                                     "characters", "ID")
        raise NotFound(entity_name, prefix)
    return ids[0]


def list_records(conn: sa.Connection, entity_name: str, *, where: dict[str, Any] | None = None,
                 order_by: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    t = table(entity_name)
    query = sa.select(t).where(t.c.deleted.is_(False))
    for name, value in (where or {}).items():
        query = query.where(t.c[name] == value)
    query = query.order_by(t.c[order_by] if order_by else t.c.created_at)
    if limit:
        query = query.limit(limit)
    return [dict(row) for row in conn.execute(query).mappings()]


def get_state(conn: sa.Connection, key: str, default: Any = None) -> Any:
    value = conn.execute(sa.select(sync_state.c.value).where(sync_state.c.key == key)).scalar()
    return default if value is None else value


def program_term(conn: sa.Connection, key: str, default: int) -> int:
    """A program setting the vendor synced (program_terms: "lead_sla_hours",
    "protection_days"), else `default` (nothing synced yet, e.g. offline on the first run)."""
    t = RECORD_TABLES["program_terms"]
    value = conn.execute(sa.select(t.c.value).where(t.c.key == key, t.c.deleted.is_(False))
                         .order_by(t.c.updated_at.desc()).limit(1)).scalar()
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def lead_sla_hours(conn: sa.Connection) -> int:
    """The program's lead first-contact SLA in hours (seed 001: 48 until the vendor says)."""
    return program_term(conn, "lead_sla_hours", FIRST_CONTACT_SLA // timedelta(hours=1))


def protection_days(conn: sa.Connection) -> int:
    """The program's protection window in days for new approvals (seed 003: 90 by default)."""
    return program_term(conn, "protection_days", PROTECTION_DAYS)


def set_state(conn: sa.Connection, key: str, value: Any) -> None:
    conn.execute(sa.delete(sync_state).where(sync_state.c.key == key))
    conn.execute(sa.insert(sync_state).values(key=key, value=value))


# --- edits -------------------------------------------------------------------------------------

def create(conn: sa.Connection, entity_name: str, values: dict[str, Any], *,
           record_id: str | None = None, today: date | None = None) -> dict[str, Any]:
    """Create a partner-owned record locally and queue it for the vendor."""
    spec = entity(entity_name)
    if spec.created_by is not Owner.PARTNER:
        raise InvalidValue("entity", f"{spec.label or entity_name} records come from the vendor "
                                     "and cannot be created in the workbench", "Record type")
    _refuse_vendor_fields(entity_name, values)
    record = with_defaults(entity_name, coerce_fields(spec, values))
    missing = missing_required(spec, record)
    if missing:
        raise spec.invalid(missing[0], "is required")
    check_record(entity_name, record, today)
    _check_references(conn, entity_name, record)
    now = now_text()
    record_id = record_id or new_id()
    row = {**record, "id": record_id, "partner_id": get_state(conn, "partner_id"),
           "created_at": now, "updated_at": now, "version": 0, "deleted": False}
    conn.execute(sa.insert(table(entity_name)).values(row))
    fields = {name: {"old": None, "new": value} for name, value in record.items()
              if spec.field(name).owner is Owner.PARTNER}
    _queue(conn, entity_name, record_id, "create", fields, base_version=0)
    return get(conn, entity_name, record_id)


def update(conn: sa.Connection, entity_name: str, record_id: str, changes: dict[str, Any], *,
           today: date | None = None) -> dict[str, Any]:
    """Change partner-owned fields of a record; only real changes are queued."""
    spec = entity(entity_name)
    _refuse_vendor_fields(entity_name, changes)
    current = get(conn, entity_name, record_id)
    _refuse_sub_partner(conn, entity_name, current, "edit")
    wanted = coerce_fields(spec, changes)
    changed = {k: v for k, v in wanted.items() if current.get(k) != v}
    if not changed:
        return current
    check_partner_edit(entity_name, current, changed)
    merged = {**current, **changed}
    missing = missing_required(spec, merged)
    if missing:
        raise spec.invalid(missing[0], "is required and cannot be cleared")
    check_record(entity_name, merged, today)
    _check_references(conn, entity_name, changed)
    _write(conn, entity_name, record_id, changed)
    fields = {name: {"old": current.get(name), "new": value} for name, value in changed.items()}
    _queue(conn, entity_name, record_id, "update", fields, base_version=current["version"])
    return get(conn, entity_name, record_id)


def delete(conn: sa.Connection, entity_name: str, record_id: str) -> None:
    spec = entity(entity_name)
    if spec.created_by is not Owner.PARTNER:
        raise InvalidValue("entity", f"{spec.label or entity_name} records come from the vendor "
                                     "and cannot be deleted in the workbench", "Record type")
    current = get(conn, entity_name, record_id)
    _refuse_sub_partner(conn, entity_name, current, "delete")
    check_partner_delete(entity_name, current)
    _write(conn, entity_name, record_id, {"deleted": True})
    _queue(conn, entity_name, record_id, "delete", {}, base_version=current["version"])


def perform_action(conn: sa.Connection, entity_name: str, record_id: str, action: str,
                   changes: dict[str, Any] | None = None, *, now: datetime | None = None
                   ) -> dict[str, Any]:
    """Ask the vendor to move a record (submit, withdraw, renew, dispute …).

    The local status moves at once so the rep sees what they did; the vendor's answer arrives
    with the next sync and wins, since the status is the vendor's field.
    """
    check_partner_action(entity_name, action)
    spec = entity(entity_name)
    _refuse_vendor_fields(entity_name, changes or {})
    current = get(conn, entity_name, record_id)
    _refuse_sub_partner(conn, entity_name, current, action)
    wanted = coerce_fields(spec, changes or {})
    changed = {k: v for k, v in wanted.items() if current.get(k) != v}
    check_partner_edit(entity_name, current, changed)
    _check_references(conn, entity_name, changed)
    new_status = status_after(entity_name, {**current, **changed}, action,
                              (now or utc_now()).astimezone(UTC))
    local = dict(changed)
    if new_status != current.get("status"):
        local["status"] = new_status
    if local:
        _write(conn, entity_name, record_id, local)
    fields = {name: {"old": current.get(name), "new": value} for name, value in changed.items()}
    _queue(conn, entity_name, record_id, "action", fields, base_version=current["version"],
           action=action)
    return get(conn, entity_name, record_id)


def partner_names(conn: sa.Connection) -> tuple[str | None, dict[str, str]]:
    """(this desk's partner id, names of the partners it holds: itself and, for a distributor,
    its sub-partners) — what the lists label sub-partners' records with."""
    t = table("partners")
    names = {row.id: row.name or "" for row in conn.execute(
        sa.select(t.c.id, t.c.name).where(t.c.deleted.is_(False)))}
    return get_state(conn, "partner_id"), names


def has_sub_partner_records(conn: sa.Connection, entity_name: str) -> bool:
    """Whether this desk holds live records of `entity_name` of another partner (a sub-partner
    of this distributor)."""
    own = get_state(conn, "partner_id")
    if not own:
        return False
    t = table(entity_name)
    query = sa.select(sa.literal(1)).where(t.c.deleted.is_(False), t.c.partner_id.is_not(None),
                                           t.c.partner_id != own).limit(1)
    return conn.execute(query).first() is not None


def _refuse_sub_partner(conn: sa.Connection, entity_name: str, current: dict[str, Any],
                        action: str) -> None:
    """A distributor's desk holds its sub-partners' records read-only (domain/distributors)."""
    if not current.get("partner_id"):
        return  # made on this desk and not yet synced: the desk's own (no state lookup per edit)
    own = get_state(conn, "partner_id")
    if not is_sub_partner_record(current, own):
        return
    owner = find(conn, "partners", current["partner_id"])
    check_own_record(entity_name, current, own, owner.get("name") if owner else None,
                     action=action)


def _refuse_vendor_fields(entity_name: str, values: dict[str, Any]) -> None:
    spec = entity(entity_name)
    for name in values:
        if spec.has_field(name) and spec.field(name).owner is Owner.VENDOR:
            raise VendorOwned(entity_name, name)


def _check_references(conn: sa.Connection, entity_name: str, values: dict[str, Any]) -> None:
    spec = entity(entity_name)
    for name, value in values.items():
        field = spec.field(name)
        if field.ref and value is not None and find(conn, field.ref, value) is None:
            raise field.invalid(f"no {field.ref[:-1].replace('_', ' ')} with id {value} "
                                "in this workbench")


def _write(conn: sa.Connection, entity_name: str, record_id: str, values: dict[str, Any]) -> None:
    t = table(entity_name)
    conn.execute(sa.update(t).where(t.c.id == record_id).values(**values, updated_at=now_text()))


def _queue(conn: sa.Connection, entity_name: str, record_id: str, kind: str,
           fields: dict[str, Any], *, base_version: int, action: str | None = None) -> str:
    op_id = new_id()
    conn.execute(sa.insert(outbox).values(
        op_id=op_id, entity=entity_name, record_id=record_id, kind=kind, action=action,
        fields=fields, base_version=base_version, created_at=now_text(), state="pending"))
    return op_id


def pending_count(conn: sa.Connection) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(outbox)
                        .where(outbox.c.state == "pending")).scalar_one()
