"""The local duplicate check: the domain matcher over this workbench's accounts and registrations.

Instant and offline: the rep sees "you already registered this customer" before submitting.
The vendor runs the same matcher against every partner when the registration arrives.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import sqlalchemy as sa

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
