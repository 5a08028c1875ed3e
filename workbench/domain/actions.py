"""What a partner may ask the vendor to do with a record, and where each request leads.

Actions move a record through a vendor-owned state machine (`registration.py`, `mdf.py`). The
workbench checks an action before it queues it, and moves the status at once so the rep sees
what they did; the server makes the same check when the action arrives, and its answer wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from workbench.domain import mdf, registration
from workbench.domain.errors import InvalidValue
from workbench.domain.records import check_submittable
from workbench.domain.values import parse_datetime

# entity -> the actions a partner may request on it
PARTNER_ACTIONS: dict[str, tuple[str, ...]] = {
    "registrations": registration.PARTNER_ACTIONS,
    "mdf_requests": mdf.PARTNER_ACTIONS,
    # opening a content library document: the vendor counts it as a download (seed 003)
    "content_items": ("open",),
}


def check_partner_action(entity_name: str, action: str) -> None:
    allowed = PARTNER_ACTIONS.get(entity_name, ())
    if action not in allowed:
        raise InvalidValue("action", f"'{action}' is not an action on {entity_name} "
                                     f"(allowed: {', '.join(allowed) or 'none'})", "Action")


def status_after(entity_name: str, record: Mapping[str, Any], action: str, now: datetime) -> str:
    """The status a partner action moves `record` to at `now`.

    Raises InvalidValue for an unknown action or a record the action cannot take (a close date
    in the past, a claim without an amount), IllegalTransition for a move its status forbids.
    """
    check_partner_action(entity_name, action)
    if entity_name == "content_items":
        return record.get("status")  # type: ignore[return-value]  # no status: nothing moves
    if entity_name == "mdf_requests":
        return mdf.check_action(record, action)
    if action == "submit":
        check_submittable(dict(record), now.date())
    approved = record.get("approved_at")
    return str(registration.next_status(
        record.get("status") or "draft", action,
        approved_at=parse_datetime(approved) if approved else None, now=now,
        protection_days=registration.granted_days(record)))
