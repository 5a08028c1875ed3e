"""A real local store holding the sample partner of tests/domain/scorecard_sample.py.

Vendor-owned records (opportunities, attributions, leads …) reach a workbench only by sync, so
they are inserted into the store's tables directly, as the sync would leave them.
"""

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from tests.domain import scorecard_sample as sample
from workbench.domain.values import format_datetime
from workbench.store import records
from workbench.store.schema import RECORD_TABLES

OTHER_PARTNER = "00000000-0000-4000-8000-00000000ffff"


def insert(conn: sa.Connection, entity: str, row: dict[str, Any], *,
           partner_id: str | None = sample.PARTNER_ID, deleted: bool = False) -> None:
    stamp = format_datetime(sample.NOW - timedelta(days=1))
    table = RECORD_TABLES[entity]
    values = {c.name: None for c in table.columns}
    values.update(created_at=stamp, updated_at=stamp, version=1, deleted=deleted,
                  partner_id=partner_id)
    values.update(row)
    conn.execute(sa.insert(table).values(values))


def fill_sample(store, *, synced: bool = True) -> None:
    with store.transaction() as conn:
        insert(conn, "partners", sample.PARTNER)
        for entity, rows in sample.ROWS.items():
            for row in rows:
                insert(conn, entity, row)
        for row in sample.PROGRAM_AVERAGES:
            insert(conn, "program_averages", row, partner_id=None)
        # Another partner's records (a distributor's sub-partner) and a deleted record: not ours.
        insert(conn, "partners", {"id": OTHER_PARTNER, "name": "Other Partner",
                                  "joined_on": "2020-01-01"}, partner_id=OTHER_PARTNER)
        insert(conn, "opportunities", {**sample.OPPORTUNITIES[0], "id": "other-opportunity",
                                       "amount_cents": 99_900_000}, partner_id=OTHER_PARTNER)
        insert(conn, "opportunities", {**sample.OPPORTUNITIES[0], "id": "deleted-opportunity",
                                       "amount_cents": 88_800_000}, deleted=True)
        records.set_state(conn, "partner_id", sample.PARTNER_ID)
        records.set_state(conn, "partner_name", "Müller GmbH (from sign-in)")
        if synced:
            records.set_state(conn, "last_successful_sync_at",
                              format_datetime(sample.NOW - timedelta(hours=3)))
        # A draft the rep made here: never submitted, so not counted.
        records.create(conn, "registrations", {"customer_name": "Crédit Agricole",
                                               "product": "Suite", "deal_value_cents": 500_000,
                                               "expected_close_date": "2026-12-31"})


@pytest.fixture
def sample_store(store):
    fill_sample(store)
    return store
