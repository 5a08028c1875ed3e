"""The local duplicate check: the domain matcher over this workbench's accounts and registrations.

Instant and offline: the rep sees "you already registered this customer" before submitting.
The vendor runs the same matcher against every partner when the registration arrives.
`likely_twin` answers "is this company already an account?" (domain/accounts.py) for
`accounts add`, the import and the window.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from workbench.domain.accounts import AccountMatcher, ExistingAccount, Twin
from workbench.domain.matching import Candidate, DuplicateIndex, Match
from workbench.domain.registration import ACTIVE_LOCALLY, is_active
from workbench.domain.values import parse_datetime, utc_now
from workbench.store.schema import RECORD_TABLES

# Registrations that still claim the customer (domain/registration.py: "active registration",
# drafts included here); a lost, withdrawn or lapsed one blocks nobody.
ACTIVE_REGISTRATION_STATUSES = tuple(str(s) for s in ACTIVE_LOCALLY)


def load_candidates(conn: sa.Connection, *, ids: Collection[str] | None = None,
                    now: datetime | None = None) -> list[Candidate]:
    """Accounts and active registrations to check against (only those in `ids` if given)."""
    accounts = RECORD_TABLES["accounts"]
    registrations = RECORD_TABLES["registrations"]
    account_query = sa.select(accounts.c.id, accounts.c.name, accounts.c.domain).where(
        accounts.c.deleted.is_(False))
    registration_query = sa.select(
        registrations.c.id, registrations.c.customer_name, registrations.c.customer_domain,
        registrations.c.status, registrations.c.approved_at).where(
        registrations.c.deleted.is_(False),
        registrations.c.status.in_(ACTIVE_REGISTRATION_STATUSES))
    if ids is not None:
        account_query = account_query.where(accounts.c.id.in_(list(ids)))
        registration_query = registration_query.where(registrations.c.id.in_(list(ids)))
    now = now or utc_now()
    candidates = [Candidate(id=r.id, name=r.name or "", domain=r.domain or "", kind="account")
                  for r in conn.execute(account_query)]
    candidates += [Candidate(id=r.id, name=r.customer_name or "", domain=r.customer_domain or "",
                             kind="registration")
                   for r in conn.execute(registration_query)
                   if not r.approved_at or is_active(r.status, parse_datetime(r.approved_at),
                                                     now, drafts=True)]
    return candidates


def build_index(conn: sa.Connection) -> DuplicateIndex:
    return DuplicateIndex(load_candidates(conn))


def check(index: DuplicateIndex, name: str, domain: str = "", *,
          exclude_ids: frozenset[str] = frozenset(), limit: int = 10) -> list[Match]:
    """Matches for a customer, best first, leaving out the records named in exclude_ids."""
    matches = index.find(name, domain, limit=limit + len(exclude_ids))
    return [m for m in matches if m.candidate.id not in exclude_ids][:limit]


# --- accounts: is this company already one? (domain/accounts.py) --------------------------------

def live_accounts(conn: sa.Connection) -> dict[str, dict[str, Any]]:
    """Every account not deleted, by id (an import compares each row with its account)."""
    accounts = RECORD_TABLES["accounts"]
    rows = conn.execute(sa.select(accounts).where(accounts.c.deleted.is_(False))).mappings()
    return {row["id"]: dict(row) for row in rows}


def account_matcher(conn: sa.Connection,
                    accounts: dict[str, dict[str, Any]] | None = None) -> AccountMatcher:
    """Every live account of the store (or those given), for many `twin` questions."""
    rows = live_accounts(conn) if accounts is None else accounts
    return AccountMatcher(ExistingAccount(r["id"], r["name"] or "", r["domain"] or "",
                                          r["crm_record_id"] or "") for r in rows.values())


def likely_twin(conn: sa.Connection, name: str, domain: str = "", crm_record_id: str | None = None,
                *, exclude_ids: frozenset[str] = frozenset()) -> Twin | None:
    """The existing account that a new account with these values would duplicate, or None.

    What `accounts add` refuses without --allow-duplicate and the window asks about.
    """
    return account_matcher(conn).twin(name, domain, crm_record_id, exclude_ids=exclude_ids)
