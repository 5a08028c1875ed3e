"""Deal-registration review on the server: conflict check on submit, approval, decisions.

The rules themselves live in `workbench.domain` (state machine, protection window, matcher); this
module applies them to stored records inside a `WriteTx`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from workbench.domain import matching
from workbench.domain.records import with_defaults
from workbench.domain.registration import (
    CLAIMING_STATUSES,
    granted_days,
    is_active,
    next_status,
    protection_expires_at,
    review_reason_for,
)
from workbench.domain.values import format_datetime, new_id, parse_datetime
from workbench.server import matchkeys, program_settings
from workbench.server.records import REGISTRATION_NUMBERS, REVIEW_LOCK, WriteTx
from workbench.server.schema import RECORD_TABLES, direct_opportunities

registrations = RECORD_TABLES["registrations"]
opportunities = RECORD_TABLES["opportunities"]

ACTIVE = CLAIMING_STATUSES  # the domain's "active registration" (registration.is_active)
REVIEW_PROMISE = "a channel manager will review within 48 hours"


def submit(tx: WriteTx, record: dict[str, Any], *, auto_approve: bool) -> dict[str, Any]:
    """Changes for a submit: review against everyone's active deals, then decide or queue.

    `record` is the registration as it will be with the op's own field changes applied.
    """
    status = next_status(record["status"], "submit")
    changes: dict[str, Any] = {"status": status, "submitted_at": tx.now, "review_reason": None,
                               "decision_reason": None}
    tx.lock(REVIEW_LOCK)  # two conflicting submits from different partners must see each other
    basis = conflict_basis(tx.conn, record, tx.moment)
    if basis:
        changes.update(status=next_status(status, "send_to_review"), review_reason="conflict",
                       decision_reason=f"possible conflict with an existing registration or "
                                       f"vendor opportunity ({basis}); {REVIEW_PROMISE}")
    elif auto_approve:
        changes.update(approval(tx, {**record, **changes}, "approved automatically: no "
                                                           "conflicting registration found"))
    return changes


def partner_request(tx: WriteTx, record: dict[str, Any], action: str) -> dict[str, Any]:
    """withdraw, renew or dispute: the state machine decides; renewals and disputes go to review."""
    approved_at = parse_datetime(record["approved_at"]) if record.get("approved_at") else None
    # the window this registration was granted at approval: renewal opens 15 days before it ends
    status = next_status(record["status"], action, approved_at=approved_at, now=tx.moment,
                         protection_days=granted_days(record))
    changes: dict[str, Any] = {"status": status}
    reason = review_reason_for(action)
    if reason:
        changes.update(review_reason=reason,
                       decision_reason=f"{reason} requested; {REVIEW_PROMISE}")
    return changes


def conflict_basis(conn: sa.Connection, record: dict[str, Any], now: datetime) -> str | None:
    """What the registration matches, described only by the submitter's own data, or None.

    The matcher's reasons quote the other record's name, so they are not shown to the rep.
    """
    name, domain = record.get("customer_name") or "", record.get("customer_domain") or ""
    matches = matching.find_duplicates(name, domain, _candidates(conn, record, now))
    if not matches:
        return None
    own = matching.normalise_domain(domain)
    others = {matching.normalise_domain(m.candidate.domain) for m in matches} - {""}
    if own and own in others:
        return f"same domain {own}"
    if own and any(other.endswith(f".{own}") or own.endswith(f".{other}") for other in others):
        return f"a domain related to {own}"
    return f"a similar company name to {name.strip()}"


def _candidates(conn: sa.Connection, record: dict[str, Any], now: datetime
                ) -> list[matching.Candidate]:
    """Active registrations and open direct opportunities that could match `record`.

    Only those sharing a blocking key are read (match_keys), so a submit costs the same with
    a hundred registrations as with a hundred thousand.
    """
    name, domain = record.get("customer_name") or "", record.get("customer_domain") or ""
    rows = conn.execute(
        sa.select(registrations.c.id, registrations.c.customer_name,
                  registrations.c.customer_domain, registrations.c.status,
                  registrations.c.approved_at, registrations.c.partner_id)
        .where(registrations.c.id.in_(matchkeys.candidate_ids(conn, matchkeys.REGISTRATION,
                                                              name, domain)),
               registrations.c.status.in_([str(s) for s in ACTIVE]),
               registrations.c.deleted == sa.false(), registrations.c.id != record["id"])).all()
    found = [matching.Candidate(id=r.id, name=r.customer_name or "",
                                domain=r.customer_domain or "", kind="registration",
                                owner=r.partner_id or "")
             for r in rows if _still_active(r.status, r.approved_at, now)]
    direct = conn.execute(sa.select(direct_opportunities).where(
        direct_opportunities.c.id.in_(matchkeys.candidate_ids(conn, matchkeys.DIRECT, name,
                                                              domain)),
        direct_opportunities.c.status == "open")).mappings()
    found.extend(matching.Candidate(id=r["id"], name=r["customer_name"] or r["name"],
                                    domain=r["customer_domain"] or "", kind="direct_opportunity",
                                    owner=r["owner"] or "") for r in direct)
    return found


def _still_active(status: str, approved_at: str | None, now: datetime) -> bool:
    return is_active(status, parse_datetime(approved_at) if approved_at else None, now)


def approval(tx: WriteTx, record: dict[str, Any], reason: str) -> dict[str, Any]:
    """Changes approving `record` (a new 90-day window), opening its opportunity if none yet."""
    changes: dict[str, Any] = {
        "status": next_status(record["status"], "approve"), "approved_at": tx.now,
        "decided_at": tx.now, "decision_reason": reason,
        "protection_expires_at": format_datetime(protection_expires_at(
            tx.moment, program_settings.value(tx.conn, "protection_days")))}
    if not record.get("registration_number"):
        changes["registration_number"] = next_registration_number(tx)
    _open_opportunity(tx, record)
    return changes


def rejection(record: dict[str, Any], now: str, reason: str) -> dict[str, Any]:
    return {"status": next_status(record["status"], "reject"), "decided_at": now,
            "decision_reason": reason}


def next_registration_number(tx: WriteTx) -> str:
    tx.lock(REGISTRATION_NUMBERS)
    return f"DR-{tx.moment.year}-{tx.next_seq(REGISTRATION_NUMBERS):06d}"


def _open_opportunity(tx: WriteTx, record: dict[str, Any]) -> None:
    """An approved registration becomes a partner-sourced opportunity the vendor works."""
    exists = tx.conn.execute(sa.select(opportunities.c.id)
                             .where(opportunities.c.registration_id == record["id"])).first()
    if exists:
        return
    values = with_defaults("opportunities", {
        "name": f"{record['customer_name']} — {record['product']}",
        "customer_name": record["customer_name"], "customer_domain": record.get("customer_domain"),
        "registration_id": record["id"], "amount_cents": record.get("deal_value_cents"),
        "currency": record.get("currency"), "opened_on": tx.moment.date().isoformat(),
        "expected_close_date": record.get("expected_close_date")})
    opportunity = tx.insert("opportunities", new_id(), values, record["partner_id"])
    tx.insert("attributions", new_id(), {"opportunity_id": opportunity["id"], "role": "sourced",
                                         "split_percent": 100}, record["partner_id"])
