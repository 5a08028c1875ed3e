"""Deal registrations: register a deal (linking or creating its account), the partner's actions
on it (submit, withdraw, renew, dispute), and the offline duplicate check.

Registering by name links the existing account with the same normalised domain or company name
(an exact match: fuzzy ones are only warned about) or creates the account; the registration keeps
the domain the rep typed, or the account's when none was typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from workbench.domain.matching import DuplicateIndex, Match
from workbench.domain.model import REGISTRATIONS
from workbench.services.changes import Changes, Done
from workbench.store import duplicates, records
from workbench.store.db import Store


@dataclass(frozen=True)
class Deal:
    """What the rep enters to register a deal: the customer (an account, or a name and an
    optional domain), the value ("40000", "$40,000", "12.5k" or cents), the close date and the
    product."""

    customer_name: str = ""
    customer_domain: str = ""
    account_id: str | None = None
    deal_value: str | int | None = None
    expected_close_date: str | date | None = None
    product: str = ""
    notes: str | None = None
    contact_id: str | None = None


@dataclass(frozen=True)
class RegisteredDeal:
    registration: dict[str, Any]
    created_account: dict[str, Any] | None = None
    possible_duplicates: list[Match] = field(default_factory=list)


def linked_account(index: DuplicateIndex, name: str, domain: str) -> str | None:
    """The id of the account a deal by name/domain belongs to: an exact match only."""
    for match in index.find(name, domain, limit=None):
        if match.score >= 100 and match.candidate.kind == "account":
            return match.candidate.id
    return None


def _account_index(conn: sa.Connection) -> DuplicateIndex:
    return DuplicateIndex([c for c in duplicates.load_candidates(conn) if c.kind == "account"])


def register_deal(store: Store, deal: Deal, *, submit: bool = False, check: bool = False,
                  index: DuplicateIndex | None = None) -> Done[RegisteredDeal]:
    """Draft a registration (creating its account if new) and, with `submit`, queue its submit.

    One transaction: an invalid value leaves nothing behind. `index`: accounts to link against
    when the caller holds a current one (else they are read here). `check`: also return the
    possible duplicates of the new registration (the matcher over all local records).
    """
    name, domain = (deal.customer_name or "").strip(), (deal.customer_domain or "").strip()
    with store.transaction() as conn:
        account = None
        if deal.account_id:
            account = records.get(conn, "accounts",
                                  records.resolve_id(conn, "accounts", deal.account_id))
        elif not name:
            raise REGISTRATIONS.invalid("customer_name", "is required: give the customer's "
                                                         "company name or pick an account")
        created = None
        if account is None:
            found = linked_account(index if index is not None else _account_index(conn),
                                   name, domain)
            account = records.find(conn, "accounts", found) if found else None
        if account is None:
            account = created = records.create(conn, "accounts",
                                               {"name": name, "domain": domain or None})
        values: dict[str, Any] = {
            "account_id": account["id"], "customer_name": account["name"],
            "customer_domain": domain or account.get("domain"),
            "deal_value_cents": deal.deal_value, "expected_close_date": deal.expected_close_date,
            "product": deal.product, "notes": deal.notes or None}
        if deal.contact_id:
            values["contact_id"] = records.resolve_id(conn, "contacts", deal.contact_id)
        registration = records.create(conn, "registrations", values)
        if submit:
            registration = records.perform_action(conn, "registrations", registration["id"],
                                                  "submit")
        matches = duplicate_matches(conn, registration, account["id"]) if check else []
    touched = [("registrations", registration["id"])]
    if created:
        touched.append(("accounts", created["id"]))
    return Done(RegisteredDeal(registration, created, matches), Changes.edited(*touched))


def duplicate_matches(conn: sa.Connection, registration: dict[str, Any],
                      account_id: str | None = None) -> list[Match]:
    """Other accounts and active registrations that look like this registration's customer."""
    exclude = frozenset(filter(None, {registration["id"], account_id or
                                      registration.get("account_id")}))
    return duplicates.check(duplicates.build_index(conn), registration["customer_name"],
                            registration.get("customer_domain") or "", exclude_ids=exclude)


def duplicate_check(store: Store, *, registration_id: str | None = None, name: str = "",
                    domain: str = "") -> tuple[str, str, list[Match]]:
    """(name, domain, matches) for a registration of this workbench or a customer by name."""
    with store.reading() as conn:
        if registration_id:
            registration = records.get(conn, "registrations",
                                       records.resolve_id(conn, "registrations", registration_id))
            return (registration["customer_name"], registration.get("customer_domain") or "",
                    duplicate_matches(conn, registration))
        index = duplicates.build_index(conn)
    return name, domain, duplicates.check(index, name, domain)


def registration_action(store: Store, registration_id: str, action: str,
                        note: str | None = None) -> Done[dict[str, Any]]:
    """submit, withdraw, renew (with an optional note) or dispute (with a note) — queued for the
    vendor; the local status moves at once and the vendor's answer arrives with the next sync."""
    changes = {"request_note": note} if note and note.strip() else {}
    with store.transaction() as conn:
        record_id = records.resolve_id(conn, "registrations", registration_id)
        registration = records.perform_action(conn, "registrations", record_id, action, changes)
    return Done(registration, Changes.edited(("registrations", registration["id"])))
