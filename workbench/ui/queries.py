"""Reads the views need, as plain dicts (never ORM rows), run in background tasks.

Each function takes a connection from `store.reading()` in the calling thread.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from workbench.domain.values import format_datetime
from workbench.store import records
from workbench.store.schema import RECORD_TABLES, conflicts, outbox, sync_log
from workbench.sync import conflicts as conflict_api

EXPIRING_WITHIN = timedelta(days=15)  # Today lists registrations losing protection this soon
LEAD_ATTENTION = timedelta(hours=24)  # … and leads with less than this left to first contact
RECENT_REJECTIONS = timedelta(days=14)

_LABEL_COLUMNS = {"accounts": "name", "contacts": "name", "registrations": "customer_name",
                  "cases": "subject", "leads": "company_name", "case_comments": "body",
                  "opportunities": "name", "mdf_requests": "activity_name",
                  "registration_amendments": "note"}


def _rows(conn: sa.Connection, query: sa.Select) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(query).mappings()]


def describe(conn: sa.Connection, entity_name: str, record_id: str) -> str:
    """A human name for a record: the customer, subject or company, else the short id."""
    column = _LABEL_COLUMNS.get(entity_name)
    if column and entity_name in RECORD_TABLES:
        t = RECORD_TABLES[entity_name]
        value = conn.execute(sa.select(t.c[column]).where(t.c.id == record_id)).scalar()
        if value:
            return str(value)[:80]
    return record_id[:8]


# --- status bar --------------------------------------------------------------------------------

def status_counts(conn: sa.Connection) -> dict[str, Any]:
    last = conn.execute(sa.select(sync_log).where(sync_log.c.finished_at.is_not(None))
                        .order_by(sync_log.c.id.desc()).limit(1)).mappings().first()
    last_ok = conn.execute(sa.select(sync_log.c.finished_at).where(sync_log.c.outcome == "ok")
                           .order_by(sync_log.c.id.desc()).limit(1)).scalar()
    return {
        "pending": records.pending_count(conn),
        "conflicts": conn.execute(sa.select(sa.func.count()).select_from(conflicts)
                                  .where(conflicts.c.resolved_at.is_(None))).scalar_one(),
        "last_sync_at": last_ok,
        "last_outcome": last["outcome"] if last else None,
        "last_message": last["message"] if last else None,
        "user_email": records.get_state(conn, "user_email"),
        "server_url": records.get_state(conn, "server_url"),
        "partner_name": records.get_state(conn, "partner_name"),
        "signed_in": bool(records.get_state(conn, "signed_in", False)),
    }


# --- Today -------------------------------------------------------------------------------------

def today(conn: sa.Connection, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    leads, regs, cases = (RECORD_TABLES[n] for n in ("leads", "registrations", "cases"))
    hours = records.lead_sla_hours(conn)  # the program's synced settings (defaults: 48 h, 90 d)
    lead_rows = [{**r, "sla_hours": hours} for r in _rows(conn, sa.select(leads).where(
        leads.c.deleted.is_(False), leads.c.first_contact_at.is_(None),
        leads.c.assignment_status == "assigned", leads.c.working_status.in_(("new", "accepted")),
        leads.c.assigned_at <= format_datetime(now - (timedelta(hours=hours) - LEAD_ATTENTION)))
        .order_by(leads.c.assigned_at))]
    # the window granted at approval (its expiry); the program's setting for one without
    window_start = now - timedelta(days=records.protection_days(conn))
    expires = regs.c.protection_expires_at
    reg_rows = _rows(conn, sa.select(regs).where(
        regs.c.deleted.is_(False), regs.c.status == "approved",
        sa.or_(sa.and_(expires.is_not(None), expires > format_datetime(now),
                       expires <= format_datetime(now + EXPIRING_WITHIN)),
               sa.and_(expires.is_(None), regs.c.approved_at > format_datetime(window_start),
                       regs.c.approved_at <= format_datetime(window_start + EXPIRING_WITHIN))))
        .order_by(regs.c.approved_at))
    case_rows = _rows(conn, sa.select(cases).where(
        cases.c.deleted.is_(False), cases.c.status == "waiting_on_partner")
        .order_by(cases.c.updated_at))
    return {"leads": lead_rows, "registrations": reg_rows, "cases": case_rows,
            "lead_sla_hours": hours,
            "conflicts": open_conflicts(conn),
            "rejected": rejected_ops(conn, since=now - RECENT_REJECTIONS),
            "status": status_counts(conn)}


# --- sync --------------------------------------------------------------------------------------

def open_conflicts(conn: sa.Connection) -> list[dict[str, Any]]:
    rows = conflict_api.list_conflicts(conn)  # the sync package describes its own
    for row in rows:
        row["label"] = row.get("record_title") or describe(conn, row["entity"], row["record_id"])
    return rows


def rejected_ops(conn: sa.Connection, since: datetime | None = None) -> list[dict[str, Any]]:
    query = sa.select(outbox).where(outbox.c.state == "rejected")
    if since is not None:
        query = query.where(outbox.c.finished_at >= format_datetime(since))
    rows = _rows(conn, query.order_by(outbox.c.seq.desc()).limit(500))
    for row in rows:
        row["label"] = describe(conn, row["entity"], row["record_id"])
    return rows


def pending_ops(conn: sa.Connection, limit: int = 500) -> list[dict[str, Any]]:
    rows = _rows(conn, sa.select(outbox).where(outbox.c.state == "pending")
                 .order_by(outbox.c.seq).limit(limit))
    for row in rows:
        row["label"] = describe(conn, row["entity"], row["record_id"])
    return rows


def sync_overview(conn: sa.Connection) -> dict[str, Any]:
    return {"status": status_counts(conn), "pending": pending_ops(conn),
            "rejected": rejected_ops(conn), "conflicts": open_conflicts(conn),
            "history": _rows(conn, sa.select(sync_log).order_by(sync_log.c.id.desc()).limit(20))}


def conflict(conn: sa.Connection, conflict_id: str) -> dict[str, Any]:
    row = conn.execute(sa.select(conflicts).where(conflicts.c.id == conflict_id)).mappings().first()
    if row is None:
        raise LookupError(f"no conflict with id {conflict_id}")
    result = dict(row)
    result["label"] = describe(conn, result["entity"], result["record_id"])
    return result


# --- details -----------------------------------------------------------------------------------

def account_names(conn: sa.Connection, text: str, limit: int = 12) -> list[dict[str, Any]]:
    """Accounts whose name starts with (then contains) `text`, for the autocomplete."""
    t = RECORD_TABLES["accounts"]
    pattern = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if not pattern:
        return []
    columns = (t.c.id, t.c.name, t.c.domain)
    found = _rows(conn, sa.select(*columns).where(
        t.c.deleted.is_(False), t.c.name.like(pattern + "%", escape="\\"))
        .order_by(t.c.name).limit(limit))
    if len(found) < limit:
        seen = {r["id"] for r in found}
        more = _rows(conn, sa.select(*columns).where(
            t.c.deleted.is_(False), t.c.name.like("%" + pattern + "%", escape="\\"))
            .order_by(t.c.name).limit(limit))
        found += [r for r in more if r["id"] not in seen][:limit - len(found)]
    return found


def account_detail(conn: sa.Connection, account_id: str) -> dict[str, Any]:
    account = records.get(conn, "accounts", account_id)
    regs = records.list_records(conn, "registrations", where={"account_id": account_id},
                                order_by="expected_close_date")
    opps = RECORD_TABLES["opportunities"]
    conditions = [opps.c.registration_id.in_([r["id"] for r in regs])] if regs else []
    if account.get("domain"):
        conditions.append(opps.c.customer_domain == account["domain"])
    opportunities = _rows(conn, sa.select(opps).where(opps.c.deleted.is_(False), sa.or_(*conditions))
                          .order_by(opps.c.expected_close_date)) if conditions else []
    return {"account": account,
            "contacts": records.list_records(conn, "contacts", where={"account_id": account_id},
                                             order_by="name"),
            "registrations": regs, "opportunities": opportunities,
            "cases": records.list_records(conn, "cases", where={"account_id": account_id},
                                          order_by="created_at")}


def case_detail(conn: sa.Connection, case_id: str) -> dict[str, Any]:
    case = records.get(conn, "cases", case_id)
    account = records.find(conn, "accounts", case["account_id"]) if case.get("account_id") else None
    return {"case": case, "account": account,
            "comments": records.list_records(conn, "case_comments", where={"case_id": case_id},
                                             order_by="created_at")}


def opportunity_detail(conn: sa.Connection, opportunity_id: str) -> dict[str, Any]:
    return {"opportunity": records.get(conn, "opportunities", opportunity_id),
            "attributions": records.list_records(conn, "attributions",
                                                 where={"opportunity_id": opportunity_id},
                                                 order_by="role")}


def record(conn: sa.Connection, entity_name: str, record_id: str) -> dict[str, Any]:
    return records.get(conn, entity_name, record_id)


def lead_terms(conn: sa.Connection) -> dict[str, Any]:
    """What a lead's SLA display needs besides the lead: the program's synced SLA hours."""
    return {"sla_hours": records.lead_sla_hours(conn)}


def lead(conn: sa.Connection, record_id: str) -> dict[str, Any]:
    return {**lead_terms(conn), **records.get(conn, "leads", record_id)}


def latest_amendment(conn: sa.Connection, registration_id: str) -> dict[str, Any] | None:
    """The newest change of deal terms the rep asked for on a registration."""
    table = records.table("registration_amendments")
    row = conn.execute(sa.select(table).where(table.c.registration_id == registration_id,
                                              table.c.deleted.is_(False))
                       .order_by(table.c.created_at.desc()).limit(1)).mappings().first()
    return dict(row) if row else None
