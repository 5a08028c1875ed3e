"""The scorecard of the partner this workbench belongs to, from the local store (no network).

`load_scorecard` reads everything in one read transaction and hands plain rows to
`workbench.domain.scorecard`. The text helpers here turn the scorecard's figures into text for
the command line, the PDF and the Scorecard view, so all three print the same "$1,234,567" and
"23.5%"; money and dates come from `workbench.domain.formatting`, like everywhere else.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from workbench.domain import scorecard as sc
from workbench.domain.scorecard import Scorecard
from workbench.domain.values import format_datetime, parse_datetime, utc_now
from workbench.store import records
from workbench.store.db import Store
from workbench.store.schema import RECORD_TABLES

# sync_state keys the sync engine writes: the end of the last successful sync (read first), and
# the plain "last sync" name of older stores.
LAST_SYNC_KEYS = ("last_successful_sync_at", "last_sync_at")

# Columns each metric needs; reading only these keeps a large store quick to load.
_COLUMNS = {
    "registrations": ("id", "status", "submitted_at", "approved_at", "decided_at"),
    "opportunities": ("id", "name", "customer_name", "customer_domain", "registration_id", "stage",
                      "amount_cents", "opened_on", "closed_on", "outcome"),
    "attributions": ("opportunity_id", "role", "split_percent"),
    "leads": ("assigned_at", "first_contact_at", "working_status"),
    "learning_records": ("user_email", "kind", "level", "status", "completed_at", "expires_on"),
    "activity_events": ("kind", "occurred_at"),
    "partner_users": ("email",),
}
# Activity older than the engagement trend (12 calendar months) is not needed.
_ACTIVITY_HISTORY = timedelta(days=400)


def load_scorecard(store: Store, period: str | None = None, now: datetime | None = None
                   ) -> Scorecard:
    """The scorecard for `period` ("2026Q3"; default: the current quarter) from local data,
    read in one read transaction. Safe to call from a worker thread.

    Raises InvalidValue (field "period") for a period that is not a quarter or has not begun.
    """
    now = (now or utc_now()).astimezone(UTC)
    quarter = sc.parse_period(period, now)
    as_of = sc.reference_moment(quarter, now)
    with collector_paused():
        with store.reading() as conn:
            data = read_scorecard_data(conn, as_of)
        return sc.compute_scorecard(data, quarter, now)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while tens of thousands of rows are read and
    turned into figures. None of them form reference cycles, yet for a partner with 5,000
    registrations the collector's passes over them cost a quarter of the load and compute time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_scorecard_data(conn: sa.Connection, as_of: datetime) -> sc.ScorecardData:
    """What the scorecard is computed from: this partner's rows (the store may also hold a
    distributor's sub-partners), the vendor's program averages, and who and when from sync_state.
    """
    partner_id = records.get_state(conn, "partner_id")
    partner = _partner_row(conn, partner_id) or {"tier": records.get_state(conn, "partner_tier")}
    last_sync = next((v for v in (records.get_state(conn, k) for k in LAST_SYNC_KEYS) if v), None)
    name = partner.get("name") or records.get_state(conn, "partner_name") or "Partner"
    since = format_datetime(as_of - _ACTIVITY_HISTORY)
    rows = {entity: _rows(conn, entity, partner_id) for entity in _COLUMNS
            if entity != "activity_events"}
    return sc.ScorecardData(
        partner_name=name, partner_id=partner_id, partner=partner,
        last_sync_at=parse_datetime(last_sync) if last_sync else None,
        activity_events=_rows(conn, "activity_events", partner_id,
                              RECORD_TABLES["activity_events"].c.occurred_at >= since),
        program_averages=_rows(conn, "program_averages", None,
                               columns=("period", "metric", "value")),
        lead_sla_hours=records.lead_sla_hours(conn), **rows)


def _partner_row(conn: sa.Connection, partner_id: str | None) -> dict[str, Any] | None:
    if partner_id:
        return records.find(conn, "partners", partner_id)
    partners = records.list_records(conn, "partners", limit=2)
    return partners[0] if len(partners) == 1 else None


def _rows(conn: sa.Connection, entity: str, partner_id: str | None, *conditions: Any,
          columns: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Live rows of one record type: the partner's own (and unscoped ones) when it is known."""
    table = RECORD_TABLES[entity]
    query = sa.select(*(table.c[c] for c in columns or _COLUMNS[entity])).where(
        table.c.deleted.is_(False), *conditions)
    if partner_id:
        query = query.where(sa.or_(table.c.partner_id == partner_id, table.c.partner_id.is_(None)))
    return _fetch(conn, query)


def _fetch(conn: sa.Connection, query: sa.Select) -> list[dict[str, Any]]:
    """The rows of `query` as dicts, read by the driver's cursor in the connection's transaction.

    For the 10k-row tables of a busy partner, SQLAlchemy's Row objects would cost as much again
    as the reading itself; the selected columns are plain text and integers, which need no
    result processing.
    """
    if not conn.in_transaction():
        raise RuntimeError("read the scorecard inside one transaction (store.reading())")
    compiled = query.compile(dialect=conn.dialect)
    parameters = [compiled.params[name] for name in compiled.positiontup or ()]
    dbapi = conn.connection.dbapi_connection
    if dbapi is None:
        raise RuntimeError("the connection is closed")
    cursor = dbapi.cursor()
    try:
        cursor.execute(str(compiled), parameters)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        cursor.close()
