"""The local duplicate check: the domain matcher over this workbench's accounts and registrations.

Instant and offline: the rep sees "you already registered this customer" before submitting.
The vendor runs the same matcher against every partner when the registration arrives.
"""

from __future__ import annotations

import sqlalchemy as sa

from workbench.domain.matching import Candidate, DuplicateIndex, Match
from workbench.store.schema import RECORD_TABLES

# Registrations that still claim the customer; a lost or withdrawn one blocks nobody.
ACTIVE_REGISTRATION_STATUSES = ("draft", "submitted", "pending_review", "approved")


def load_candidates(conn: sa.Connection) -> list[Candidate]:
    accounts = RECORD_TABLES["accounts"]
    registrations = RECORD_TABLES["registrations"]
    account_rows = conn.execute(
        sa.select(accounts.c.id, accounts.c.name, accounts.c.domain)
        .where(accounts.c.deleted.is_(False))).all()
    registration_rows = conn.execute(
        sa.select(registrations.c.id, registrations.c.customer_name, registrations.c.customer_domain)
        .where(registrations.c.deleted.is_(False),
               registrations.c.status.in_(ACTIVE_REGISTRATION_STATUSES))).all()
    candidates = [Candidate(id=r.id, name=r.name or "", domain=r.domain or "", kind="account")
                  for r in account_rows]
    candidates += [Candidate(id=r.id, name=r.customer_name or "", domain=r.customer_domain or "",
                             kind="registration")
                   for r in registration_rows]
    return candidates


def build_index(conn: sa.Connection) -> DuplicateIndex:
    return DuplicateIndex(load_candidates(conn))


def check(index: DuplicateIndex, name: str, domain: str = "", *,
          exclude_ids: frozenset[str] = frozenset(), limit: int = 10) -> list[Match]:
    """Matches for a customer, best first, leaving out the records named in exclude_ids."""
    matches = index.find(name, domain, limit=limit + len(exclude_ids))
    return [m for m in matches if m.candidate.id not in exclude_ids][:limit]
