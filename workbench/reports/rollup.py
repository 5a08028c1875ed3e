"""A distributor's roll-up by sub-partner (domain/distributors.py): registrations, pipeline and
won revenue of the distributor itself and each sub-partner whose records the vendor lets it see,
read from the local store in one read transaction."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from workbench.domain.distributors import PartnerRollup, rollup_by_partner
from workbench.domain.values import utc_now
from workbench.store import records
from workbench.store.db import Store
from workbench.store.schema import RECORD_TABLES

# Only the columns the roll-up counts: a busy partner's store holds 100k rows.
_COLUMNS = {"registrations": ("partner_id", "status", "submitted_at", "approved_at"),
            "opportunities": ("partner_id", "outcome", "amount_cents", "closed_on")}


def load_rollup(store: Store, now: datetime | None = None, *,
                distributors_only: bool = False) -> list[PartnerRollup]:
    """Every partner this desk holds, the desk's own first. `distributors_only`: [] at once
    for a desk without sub-partners (the window shows the roll-up only for distributors)."""
    today = (now or utc_now()).astimezone(UTC).date()
    with store.reading() as conn:
        own, names = records.partner_names(conn)
        if distributors_only and not any(key != own for key in names):
            return []
        partners = [{"id": key, "name": name} for key, name in names.items()]
        rows = {entity: _rows(conn, entity, columns) for entity, columns in _COLUMNS.items()}
    return rollup_by_partner(partners, rows["registrations"], rows["opportunities"], own, today)


def _rows(conn: sa.Connection, entity: str, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    table = RECORD_TABLES[entity]
    query = sa.select(*(table.c[c] for c in columns)).where(table.c.deleted.is_(False))
    return [dict(row) for row in conn.execute(query).mappings()]


def rollup_json(rows: list[PartnerRollup]) -> dict[str, Any]:
    return {"partners": [asdict(r) for r in rows],
            "sub_partners": sum(not r.own for r in rows),
            "windows": {"registrations_90d": "submitted in the last 90 days",
                        "pipeline_cents": "open opportunities now",
                        "won_12m_cents": "won deals closed in the last 12 months"}}
