"""What the Sync view and `workbench status` show: queue, rejections, conflicts, last sync."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from workbench.store.records import get_state, pending_count
from workbench.store.schema import outbox
from workbench.sync import conflicts as conflict_api
from workbench.sync.engine import LAST_SUCCESS_KEY, LAST_SYNC_KEY
from workbench.sync.outbox import in_flight_op_ids

REJECTED_SHOWN = 50


def rejected_ops(conn: sa.Connection, limit: int = REJECTED_SHOWN) -> list[dict[str, Any]]:
    """Rejected edits, newest first, with the server's reason and what the rep had asked for."""
    rows = conn.execute(sa.select(outbox).where(outbox.c.state == "rejected")
                        .order_by(outbox.c.seq.desc()).limit(limit)).mappings()
    return [{"op_id": r["op_id"], "entity": r["entity"], "record_id": r["record_id"],
             "kind": r["kind"], "action": r["action"], "reason": r["reason"],
             "field": r["reason_field"], "wanted": {n: c.get("new") for n, c in
                                                    (r["fields"] or {}).items()},
             "edited_at": r["created_at"], "rejected_at": r["finished_at"]} for r in rows]


def sync_status(conn: sa.Connection) -> dict[str, Any]:
    rejected_total = conn.execute(sa.select(sa.func.count()).select_from(outbox)
                                  .where(outbox.c.state == "rejected")).scalar_one()
    return {
        "server": get_state(conn, "server_url"),
        "user": get_state(conn, "user_email"),
        "signed_in": bool(get_state(conn, "signed_in", False)),
        "partner": {"id": get_state(conn, "partner_id"), "name": get_state(conn, "partner_name")},
        "pending": pending_count(conn),
        "in_flight": len(in_flight_op_ids(conn)),
        "rejected_total": rejected_total,
        "rejected": rejected_ops(conn),
        "conflicts": conflict_api.list_conflicts(conn),
        "last_sync": get_state(conn, LAST_SYNC_KEY),
        "last_successful_sync_at": get_state(conn, LAST_SUCCESS_KEY),
    }
