"""What the rep's buttons do, as units of work on a write connection (run on the write worker).

Thin on purpose: the rules live in the domain and the store (`records.create/update/
perform_action` check values, ownership and the state machine, and queue the outbox op in the
same transaction). These functions only say which fields a button sets.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from workbench.domain.matching import DuplicateIndex
from workbench.domain.values import InvalidValue, now_text
from workbench.store import duplicates, records


def find_account(conn: sa.Connection, name: str, domain: str,
                 index: DuplicateIndex | None = None) -> dict[str, Any] | None:
    """The existing account a new deal by name/domain belongs to: an exact match only.

    The same rule as `workbench registrations draft --name` (fuzzy matches are only warned
    about). `index`: the window's prebuilt duplicate index, so a save never rebuilds it.
    """
    if index is None:
        index = duplicates.DuplicateIndex(
            [c for c in duplicates.load_candidates(conn) if c.kind == "account"])
    for match in index.find(name, domain, limit=None):
        if match.score >= 100 and match.candidate.kind == "account":
            found = records.find(conn, "accounts", match.candidate.id)
            if found is not None:
                return found
    return None


def register_deal(conn: sa.Connection, values: dict[str, Any], *, account_id: str | None = None,
                  submit: bool = True, index: DuplicateIndex | None = None) -> dict[str, Any]:
    """Draft a registration (creating the account if new) and queue its submit.

    `values`: customer_name, customer_domain, product, deal_value_cents (text as typed is fine),
    expected_close_date, notes. Everything is one transaction: an invalid value leaves nothing.
    """
    name = (values.get("customer_name") or "").strip()
    domain = (values.get("customer_domain") or "").strip()
    if not name:
        raise InvalidValue("customer_name", "is required")
    created_account = None
    account = records.find(conn, "accounts", account_id) if account_id else None
    if account is None:
        account = find_account(conn, name, domain, index)
    if account is None:
        account = created_account = records.create(conn, "accounts",
                                                   {"name": name, "domain": domain or None})
    draft = {k: v for k, v in values.items() if k not in ("customer_name", "customer_domain")}
    draft.update(account_id=account["id"], customer_name=account["name"],
                 customer_domain=domain or account.get("domain"))
    registration = records.create(conn, "registrations", draft)
    if submit:
        registration = records.perform_action(conn, "registrations", registration["id"], "submit")
    return {"registration": registration, "created_account": created_account}


def registration_action(conn: sa.Connection, registration_id: str, action: str,
                        note: str | None = None) -> dict[str, Any]:
    changes = {"request_note": note} if note else {}
    return records.perform_action(conn, "registrations", registration_id, action, changes)


def accept_lead(conn: sa.Connection, lead_id: str) -> dict[str, Any]:
    return records.update(conn, "leads", lead_id, {"working_status": "accepted"})


def reject_lead(conn: sa.Connection, lead_id: str, reason: str) -> dict[str, Any]:
    if not reason.strip():
        raise InvalidValue("rejection_reason", "say why the lead is rejected")
    return records.update(conn, "leads", lead_id,
                          {"working_status": "rejected", "rejection_reason": reason})


def log_first_contact(conn: sa.Connection, lead_id: str, when: str | None = None,
                      note: str | None = None) -> dict[str, Any]:
    changes: dict[str, Any] = {"working_status": "contacted", "first_contact_at": when or now_text()}
    if note:
        lead = records.get(conn, "leads", lead_id)
        changes["notes"] = "\n".join(filter(None, [lead.get("notes"), note]))
    return records.update(conn, "leads", lead_id, changes)


def open_case(conn: sa.Connection, account_id: str, subject: str, severity: str = "normal",
              description: str | None = None) -> dict[str, Any]:
    account = records.get(conn, "accounts", account_id)
    return records.create(conn, "cases", {
        "account_id": account["id"], "customer_domain": account.get("domain"),
        "subject": subject, "severity": severity, "description": description or None})


def comment_case(conn: sa.Connection, case_id: str, body: str) -> dict[str, Any]:
    return records.create(conn, "case_comments", {
        "case_id": case_id, "body": body, "author": records.get_state(conn, "user_email")})


def request_escalation(conn: sa.Connection, case_id: str, why: str | None = None) -> dict[str, Any]:
    case = records.update(conn, "cases", case_id, {"escalation_requested": True})
    if why:
        comment_case(conn, case_id, f"Escalation requested: {why}")
    return case


def add_account(conn: sa.Connection, values: dict[str, Any]) -> dict[str, Any]:
    return records.create(conn, "accounts", values)


def add_contact(conn: sa.Connection, account_id: str, values: dict[str, Any]) -> dict[str, Any]:
    return records.create(conn, "contacts", {**values, "account_id": account_id})
