"""A distributor's roll-up by sub-partner (domain/distributors.py): registrations, pipeline and
won revenue of the distributor itself and each sub-partner whose records the vendor lets it see,
read from the local store in one read transaction."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from workbench.domain.distributors import PartnerRollup, rollup_by_partner
from workbench.domain.values import utc_now
from workbench.store import records
from workbench.store.db import Store


def load_rollup(store: Store, now: datetime | None = None) -> list[PartnerRollup]:
    today = (now or utc_now()).astimezone(UTC).date()
    with store.reading() as conn:
        own = records.get_state(conn, "partner_id")
        partners = records.list_records(conn, "partners")
        registrations = records.list_records(conn, "registrations")
        opportunities = records.list_records(conn, "opportunities")
    return rollup_by_partner(partners, registrations, opportunities, own, today)


def rollup_json(rows: list[PartnerRollup]) -> dict[str, Any]:
    return {"partners": [asdict(r) for r in rows],
            "sub_partners": sum(not r.own for r in rows),
            "windows": {"registrations_90d": "submitted in the last 90 days",
                        "pipeline_cents": "open opportunities now",
                        "won_12m_cents": "won deals closed in the last 12 months"}}
