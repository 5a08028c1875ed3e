"""What the console pages read: filtered, paged queries over the server's tables.

Writes never happen here; every change goes through `workbench.server.admin`.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from workbench.domain import enablement
from workbench.domain import scorecard as sc
from workbench.domain.commissions import dispute_open
from workbench.domain.deal_progress import HYGIENE_OPEN_DAYS, hygiene_breach, staleness
from workbench.domain.leads import lead_sla
from workbench.domain.model import ENTITIES
from workbench.domain.program import decision_clock
from workbench.domain.values import format_datetime, parse_datetime
from workbench.server import program_settings
from workbench.server.console.web import PAGE_SIZE, Page
from workbench.server.records import to_wire
from workbench.server.schema import (
    GLOBAL_SCOPE,
    RECORD_TABLES,
    partner_flags,
    users,
    vendor_cases,
    vendor_leads,
)

registrations = RECORD_TABLES["registrations"]
partners = RECORD_TABLES["partners"]
leads = RECORD_TABLES["leads"]
cases = RECORD_TABLES["cases"]
comments = RECORD_TABLES["case_comments"]
WAITING = ("submitted", "pending_review")
_BASIS = re.compile(r"\(([^()]*)\)")


def _like(text: str) -> str:
    return "%" + text.strip().lower().replace("%", "").replace("_", "") + "%"


def partner_choices(conn: sa.Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(
        sa.select(partners.c.id, partners.c.name, partners.c.tier, partners.c.region)
        .where(partners.c.deleted == sa.false()).order_by(partners.c.name)).mappings()]


# -- review queue -------------------------------------------------------------------------------

def review_queue(conn: sa.Connection, now: datetime, *, status: str | None = None,
                 partner_id: str | None = None, text: str | None = None, page: int = 1
                 ) -> tuple[Page, dict[str, int]]:
    """Registrations waiting for a decision, oldest first, with their decision clock."""
    sla = timedelta(hours=int(program_settings.value(conn, "decision_sla_hours")))
    where = [registrations.c.status.in_([status] if status in WAITING else WAITING),
             registrations.c.deleted == sa.false(), registrations.c.submitted_at.is_not(None)]
    if partner_id:
        where.append(registrations.c.partner_id == partner_id)
    if text and text.strip():
        pattern = _like(text)
        where.append(sa.or_(sa.func.lower(registrations.c.customer_name).like(pattern),
                            sa.func.lower(registrations.c.customer_domain).like(pattern),
                            sa.func.lower(registrations.c.registration_number).like(pattern)))
    total = conn.execute(sa.select(sa.func.count()).select_from(registrations)
                         .where(*where)).scalar_one()
    # the page's ids from the index alone, then only those rows
    ids = conn.execute(sa.select(registrations.c.id).where(*where)
                       .order_by(registrations.c.submitted_at, registrations.c.id)
                       .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).scalars().all()
    rows = conn.execute(
        sa.select(registrations.c.id, registrations.c.customer_name,
                  registrations.c.customer_domain, registrations.c.product,
                  registrations.c.deal_value_cents, registrations.c.currency,
                  registrations.c.status, registrations.c.review_reason,
                  registrations.c.decision_reason, registrations.c.submitted_at,
                  registrations.c.request_note, partners.c.name.label("partner_name"),
                  partners.c.tier.label("partner_tier"))
        .join(partners, partners.c.id == registrations.c.partner_id, isouter=True)
        .where(registrations.c.id.in_(ids))
        .order_by(registrations.c.submitted_at, registrations.c.id)).mappings().all()
    found = []
    for row in rows:
        item = dict(row)
        submitted = parse_datetime(row["submitted_at"]) if row["submitted_at"] else now
        item["clock"] = decision_clock(submitted, now, sla)
        item["matched"] = _matched(row)
        found.append(item)
    overdue_before = format_datetime(now - sla)
    counts = {
        "waiting": conn.execute(sa.select(sa.func.count()).select_from(registrations).where(
            registrations.c.status.in_(WAITING), registrations.c.deleted == sa.false())
        ).scalar_one(),
        "overdue": conn.execute(sa.select(sa.func.count()).select_from(registrations).where(
            registrations.c.status.in_(WAITING), registrations.c.deleted == sa.false(),
            registrations.c.submitted_at < overdue_before)).scalar_one(),
        "conflicts": conn.execute(sa.select(sa.func.count()).select_from(registrations).where(
            registrations.c.status == "pending_review", registrations.c.review_reason ==
            "conflict", registrations.c.deleted == sa.false())).scalar_one(),
        "sla_hours": int(sla / timedelta(hours=1)),
    }
    return Page(found, total, page), counts


def _matched(row: Any) -> str:
    if row["review_reason"] == "conflict":
        found = _BASIS.search(row["decision_reason"] or "")
        return found.group(1) if found else "possible conflict"
    if row["review_reason"] in ("renewal", "dispute"):
        return f"{row['review_reason']} requested" + (
            f": “{row['request_note']}”" if row["request_note"] else "")
    return "nothing matched"


def registration(conn: sa.Connection, registration_id: str) -> dict[str, Any] | None:
    row = conn.execute(sa.select(registrations, partners.c.name.label("partner_name"))
                       .join(partners, partners.c.id == registrations.c.partner_id, isouter=True)
                       .where(registrations.c.id == registration_id)).mappings().first()
    if row is None or row["deleted"]:
        return None
    return {**to_wire(ENTITIES["registrations"], dict(row)), "partner_name": row["partner_name"]}


# -- leads --------------------------------------------------------------------------------------

def lead_desk(conn: sa.Connection, now: datetime, *, view: str = "open",
              partner_id: str | None = None, text: str | None = None, page: int = 1
              ) -> tuple[Page, dict[str, int]]:
    """Partner leads with their first-contact clock; `view`: open, breached, recycled, all."""
    sla = timedelta(hours=int(program_settings.value(conn, "lead_sla_hours")))
    where = [leads.c.deleted == sa.false()]
    due_before = format_datetime(now - sla)
    waiting_contact = sa.and_(leads.c.assignment_status == "assigned",
                              leads.c.first_contact_at.is_(None),
                              leads.c.working_status.in_(["new", "accepted"]))
    if view == "open":
        where.append(waiting_contact)
    elif view == "breached":
        where += [waiting_contact, leads.c.assigned_at < due_before]
    elif view == "recycled":
        where.append(leads.c.assignment_status == "recycled")
    if partner_id:
        where.append(leads.c.partner_id == partner_id)
    if text and text.strip():
        where.append(sa.func.lower(leads.c.company_name).like(_like(text)))
    total = conn.execute(sa.select(sa.func.count()).select_from(leads).where(*where)).scalar_one()
    rows = conn.execute(sa.select(leads, partners.c.name.label("partner_name"))
                        .join(partners, partners.c.id == leads.c.partner_id, isouter=True)
                        .where(*where).order_by(leads.c.assigned_at.desc(), leads.c.id)
                        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).mappings().all()
    found = []
    for row in rows:
        item = dict(row)
        if row["assigned_at"]:
            contact = parse_datetime(row["first_contact_at"]) if row["first_contact_at"] else None
            item["sla"] = lead_sla(parse_datetime(row["assigned_at"]), contact, now, sla)
        found.append(item)
    counts = {
        "open": conn.execute(sa.select(sa.func.count()).select_from(leads).where(
            leads.c.deleted == sa.false(), waiting_contact)).scalar_one(),
        "breached": conn.execute(sa.select(sa.func.count()).select_from(leads).where(
            leads.c.deleted == sa.false(), waiting_contact,
            leads.c.assigned_at < due_before)).scalar_one(),
        "waiting": conn.execute(sa.select(sa.func.count()).select_from(vendor_leads).where(
            vendor_leads.c.status == "waiting")).scalar_one(),
        "sla_hours": int(sla / timedelta(hours=1)),
    }
    return Page(found, total, page), counts


def waiting_leads(conn: sa.Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(sa.select(vendor_leads).where(
        vendor_leads.c.status == "waiting").order_by(vendor_leads.c.created_at)).mappings()]


# -- cases --------------------------------------------------------------------------------------

def case_list(conn: sa.Connection, now: datetime, *, status: str | None = None,
              queue: str | None = None, severity: str | None = None, text: str | None = None,
              page: int = 1) -> Page:
    """Partner cases and the vendor queue's, newest first, with their age."""
    partner_cases = sa.select(
        cases.c.id, cases.c.case_number, cases.c.subject, cases.c.severity, cases.c.status,
        cases.c.customer_domain, cases.c.created_at, cases.c.updated_at,
        partners.c.name.label("partner_name"), sa.literal("partner").label("queue"),
        cases.c.escalation_requested).join(
        partners, partners.c.id == cases.c.partner_id, isouter=True).where(
        cases.c.deleted == sa.false())
    queued = sa.select(
        vendor_cases.c.id, vendor_cases.c.case_number, vendor_cases.c.subject,
        vendor_cases.c.severity, vendor_cases.c.status, vendor_cases.c.customer_domain,
        vendor_cases.c.created_at, vendor_cases.c.updated_at,
        sa.null().label("partner_name"), sa.literal("vendor").label("queue"),
        sa.false().label("escalation_requested")).where(vendor_cases.c.routed_case_id.is_(None))
    if status == "open":
        partner_cases = partner_cases.where(cases.c.status.not_in(["resolved", "closed"]))
        queued = queued.where(vendor_cases.c.status.not_in(["resolved", "closed"]))
    elif status:
        partner_cases = partner_cases.where(cases.c.status == status)
        queued = queued.where(vendor_cases.c.status == status)
    if severity:
        partner_cases = partner_cases.where(cases.c.severity == severity)
        queued = queued.where(vendor_cases.c.severity == severity)
    if text and text.strip():
        pattern = _like(text)
        partner_cases = partner_cases.where(sa.or_(
            sa.func.lower(cases.c.subject).like(pattern),
            sa.func.lower(cases.c.case_number).like(pattern)))
        queued = queued.where(sa.or_(sa.func.lower(vendor_cases.c.subject).like(pattern),
                                     sa.func.lower(vendor_cases.c.case_number).like(pattern)))
    parts = [q for name, q in (("partner", partner_cases), ("vendor", queued))
             if queue in (None, "", name)]
    union = sa.union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    total = conn.execute(sa.select(sa.func.count()).select_from(union)).scalar_one()
    rows = conn.execute(sa.select(union).order_by(union.c.created_at.desc())
                        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).mappings().all()
    found = [{**dict(r), "age": now - parse_datetime(r["created_at"])} for r in rows]
    return Page(found, total, page)


def case_detail(conn: sa.Connection, case_id: str) -> dict[str, Any] | None:
    row = conn.execute(sa.select(cases, partners.c.name.label("partner_name"))
                       .join(partners, partners.c.id == cases.c.partner_id, isouter=True)
                       .where(cases.c.id == case_id)).mappings().first()
    if row is None or row["deleted"]:
        return None
    thread = conn.execute(sa.select(comments).where(
        comments.c.case_id == case_id, comments.c.deleted == sa.false())
        .order_by(comments.c.created_at)).mappings().all()
    return {**dict(row), "comments": [dict(c) for c in thread], "queue": "partner"}


def queued_case(conn: sa.Connection, queued_id: str) -> dict[str, Any] | None:
    row = conn.execute(sa.select(vendor_cases).where(vendor_cases.c.id == queued_id)
                       ).mappings().first()
    return {**dict(row), "queue": "vendor", "comments": []} if row else None


# -- partners -----------------------------------------------------------------------------------

def partner_list(conn: sa.Connection, *, text: str | None = None, flag: str | None = None,
                 tier: str | None = None, page: int = 1) -> Page:
    query = (sa.select(partners, partner_flags.c.flag, partner_flags.c.days_inactive)
             .join(partner_flags, partner_flags.c.partner_id == partners.c.id, isouter=True)
             .where(partners.c.deleted == sa.false()))
    if text and text.strip():
        query = query.where(sa.func.lower(partners.c.name).like(_like(text)))
    if flag == "inactive":
        query = query.where(partner_flags.c.flag.is_not(None))
    elif flag:
        query = query.where(partner_flags.c.flag == flag)
    if tier:
        query = query.where(partners.c.tier == tier)
    total = conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    rows = [dict(r) for r in conn.execute(query.order_by(partners.c.name)
                                          .offset((page - 1) * PAGE_SIZE)
                                          .limit(PAGE_SIZE)).mappings()]
    last = dict(conn.execute(  # the page's partners only, each from the index
        sa.select(registrations.c.partner_id, sa.func.max(registrations.c.submitted_at))
        .where(registrations.c.partner_id.in_([r["id"] for r in rows]))
        .group_by(registrations.c.partner_id)).all())
    for row in rows:
        row["last_registration_at"] = last.get(row["id"])
    return Page(rows, total, page)


_DASHBOARD_ROWS = ("registrations", "opportunities", "attributions", "leads",
                   "learning_records", "activity_events", "partner_users")


def partner_dashboard(conn: sa.Connection, partner_id: str, now: datetime
                      ) -> dict[str, Any] | None:
    """The seed 001 dashboard of one partner: its scorecard (domain.scorecard, as the rep's
    workbench computes it), last activity, inactivity flag and users."""
    partner = conn.execute(sa.select(partners).where(partners.c.id == partner_id)
                           ).mappings().first()
    if partner is None or partner["deleted"]:
        return None
    rows = {name: _partner_rows(conn, name, partner_id) for name in _DASHBOARD_ROWS}
    averages = _partner_rows(conn, "program_averages", None)
    data = sc.ScorecardData(partner_name=partner["name"], partner_id=partner_id,
                            partner=dict(partner), program_averages=averages,
                            lead_sla_hours=int(program_settings.value(conn, "lead_sla_hours")),
                            **rows)  # type: ignore[arg-type]  # the row lists, by entity
    card = sc.compute_scorecard(data, sc.quarter_of(now), now)
    flag = conn.execute(sa.select(partner_flags).where(
        partner_flags.c.partner_id == partner_id)).mappings().first()
    people = conn.execute(sa.select(users.c.id, users.c.email, users.c.name, users.c.role,
                                    users.c.created_at, users.c.revoked_at)
                          .where(users.c.partner_id == partner_id)
                          .order_by(users.c.revoked_at.is_not(None), users.c.email)).mappings()
    return {"partner": dict(partner), "card": card, "flag": dict(flag) if flag else None,
            "users": [dict(p) for p in people], "last_activity": _last_activity(rows),
            "people": enablement.people(rows["partner_users"], rows["learning_records"],
                                        now.date()),
            **deal_health(conn, partner_id, rows, now)}


def deal_health(conn: sa.Connection, partner_id: str, rows: dict[str, list[dict[str, Any]]],
                now: datetime) -> dict[str, Any]:
    """Stale deals (approved, no activity for the program's stale_deal_days) and the seed 003
    hygiene rule (open past 120 days without stage progression), worst first."""
    days = int(program_settings.value(conn, "stale_deal_days"))
    moved = {d["registration_id"]: parse_datetime(d["updated_at"])
             for d in rows["opportunities"] if d.get("registration_id")}
    stale, unhygienic = [], []
    for registration in rows["registrations"]:
        state = staleness(registration, now, days)
        if state and state.stale:
            stale.append({**registration, "quiet_days": state.days_quiet,
                          "last_activity_day": state.last_activity.isoformat()})
        if hygiene_breach(registration, moved.get(registration["id"]), now):
            unhygienic.append({**registration, "open_days":
                               (now - parse_datetime(registration["submitted_at"])).days})
    stale.sort(key=lambda r: -r["quiet_days"])
    unhygienic.sort(key=lambda r: -r["open_days"])
    amendments = RECORD_TABLES["registration_amendments"]
    waiting = conn.execute(sa.select(sa.func.count()).select_from(amendments).where(
        amendments.c.scope == partner_id, amendments.c.status == "pending",
        amendments.c.deleted == sa.false())).scalar_one()
    lines = RECORD_TABLES["commissions"]
    disputed = sum(dispute_open(dict(r)) for r in conn.execute(sa.select(
        lines.c.dispute_reason, lines.c.disputed_at, lines.c.dispute_resolved_at).where(
        lines.c.scope == partner_id, lines.c.disputed_at.is_not(None),
        lines.c.deleted == sa.false())).mappings())
    return {"stale_deals": stale, "stale_days": days, "hygiene": unhygienic,
            "hygiene_days": HYGIENE_OPEN_DAYS, "amendments_waiting": waiting,
            "disputes_open": disputed}


def _partner_rows(conn: sa.Connection, entity: str, partner_id: str | None
                  ) -> list[dict[str, Any]]:
    table = RECORD_TABLES[entity]
    scope = partner_id or GLOBAL_SCOPE
    result = conn.execute(sa.select(table).where(table.c.scope == scope,
                                                 table.c.deleted == sa.false()))
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result.fetchall()]  # 3× .mappings()


def _last_activity(rows: dict[str, list[dict[str, Any]]]) -> str | None:
    """The partner's latest sign of life: an activity event, a submission, a lead worked."""
    stamps = [r["occurred_at"] for r in rows["activity_events"] if r.get("occurred_at")]
    stamps += [r["submitted_at"] for r in rows["registrations"] if r.get("submitted_at")]
    stamps += [r["first_contact_at"] for r in rows["leads"] if r.get("first_contact_at")]
    return max((format_datetime(parse_datetime(s)) for s in stamps), default=None)
