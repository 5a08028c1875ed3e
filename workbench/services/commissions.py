"""Commissions the vendor recorded on the partner's closed deals, read offline, and the rep's
dispute of a line (domain/commissions.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from workbench.domain.commissions import Totals, totals
from workbench.domain.distributors import is_sub_partner_record
from workbench.domain.values import now_text
from workbench.services.changes import Changes, Done
from workbench.store import records
from workbench.store.db import Store
from workbench.store.schema import RECORD_TABLES


@dataclass(frozen=True)
class CommissionList:
    lines: list[dict[str, Any]]  # each commission, with "deal" (the opportunity's name)
    totals: Totals


def _lines(conn: sa.Connection, where: Any = None) -> list[dict[str, Any]]:
    c, o = RECORD_TABLES["commissions"], RECORD_TABLES["opportunities"]
    query = (sa.select(c, o.c.name.label("deal"), o.c.customer_name.label("customer"))
             .join(o, o.c.id == c.c.opportunity_id, isouter=True)
             .where(c.c.deleted.is_(False))
             .order_by(sa.func.coalesce(c.c.earned_on, c.c.created_at).desc(), c.c.id))
    if where is not None:
        query = query.where(where)
    return [dict(row) for row in conn.execute(query).mappings()]


def list_commissions(store: Store, status: str | None = None) -> CommissionList:
    """This partner's commission lines (newest first) and the totals: earned, coming, paid.

    A distributor's desk also holds its sub-partners' lines; those are the sub-partner's money,
    not the distributor's, so they stay out of the list and its totals."""
    c = RECORD_TABLES["commissions"]
    with store.reading() as conn:
        own_partner_id = records.get_state(conn, "partner_id")
        lines = [line for line in _lines(conn, c.c.status == status if status else None)
                 if not is_sub_partner_record(line, own_partner_id)]
    return CommissionList(lines, totals(lines))


def get_commission(store: Store, commission_id: str) -> dict[str, Any]:
    c = RECORD_TABLES["commissions"]
    with store.reading() as conn:
        record_id = records.resolve_id(conn, "commissions", commission_id)
        return _lines(conn, c.c.id == record_id)[0]


def dispute_commission(store: Store, commission_id: str, reason: str) -> Done[dict[str, Any]]:
    """Dispute a commission line with a reason; the channel manager's queue shows it after the
    next sync. No reason: InvalidValue ("Dispute reason: enter a reason …"), nothing stored."""
    with store.transaction() as conn:
        record_id = records.resolve_id(conn, "commissions", commission_id)
        line = records.update(conn, "commissions", record_id,
                              {"dispute_reason": (reason or "").strip() or None,
                               "disputed_at": now_text()})
    return Done(line, Changes.edited(("commissions", record_id)))
