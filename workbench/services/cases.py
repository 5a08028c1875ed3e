"""Support cases the rep opens for customers; the vendor's support team sets the status."""

from __future__ import annotations

from typing import Any

from workbench.services.changes import Changes, Done
from workbench.store import records
from workbench.store.db import Store


def open_case(store: Store, account_id: str, subject: str, *, severity: str | None = "normal",
              description: str | None = None) -> Done[dict[str, Any]]:
    """A case for an account's customer (its domain goes with the case)."""
    with store.transaction() as conn:
        account = records.get(conn, "accounts", records.resolve_id(conn, "accounts", account_id))
        case = records.create(conn, "cases", {
            "account_id": account["id"], "customer_domain": account.get("domain"),
            "subject": subject, "severity": severity, "description": description or None})
    return Done(case, Changes.edited(("cases", case["id"])))


def _comment(conn: Any, case_id: str, body: str) -> dict[str, Any]:
    return records.create(conn, "case_comments", {
        "case_id": case_id, "body": body, "author": records.get_state(conn, "user_email")})


def comment_case(store: Store, case_id: str, body: str) -> Done[dict[str, Any]]:
    """A comment for the support team, signed by the signed-in user."""
    with store.transaction() as conn:
        record_id = records.resolve_id(conn, "cases", case_id)
        comment = _comment(conn, record_id, body)
    return Done(comment, Changes.edited(("case_comments", comment["id"]), ("cases", record_id)))


def request_escalation(store: Store, case_id: str, why: str | None = None
                       ) -> Done[dict[str, Any]]:
    """Ask the vendor to escalate; the reason, if given, goes along as a comment."""
    with store.transaction() as conn:
        record_id = records.resolve_id(conn, "cases", case_id)
        case = records.update(conn, "cases", record_id, {"escalation_requested": True})
        touched = [("cases", record_id)]
        if why and why.strip():
            touched.append(("case_comments",
                            _comment(conn, record_id, f"Escalation requested: {why.strip()}")["id"]))
    return Done(case, Changes.edited(*touched))
