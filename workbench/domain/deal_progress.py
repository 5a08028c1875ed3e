"""How approved deals progress: amendments, stale deals and the 120-day hygiene rule (issue 14).

- **Amendment** (seed 003, expiring registration: "submit renewal with updated deal
  information"). The rep asks to change an approved registration's deal value and/or expected
  close date, with a note. The approved deal terms are the vendor's decision (records.py:
  REGISTRATION_DEAL_TERMS), so the change waits for the channel manager: ``pending`` →
  ``approved`` (the registration takes the new value/date) or ``rejected`` (with a reason).
- **Stale deal**: an approved registration with no activity recorded for N days (the program
  setting ``stale_deal_days``, default 30). Activity is the rep's last activity date, or the
  approval when none was recorded.
- **Hygiene** (seed 003, data quality health check: "no deal registrations open past 120 days
  without stage progression"). A registration still open (submitted, in review or approved)
  more than 120 days after it was submitted whose deal has not moved for 120 days breaks it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from workbench.domain.errors import IllegalTransition
from workbench.domain.model import REGISTRATION_AMENDMENTS
from workbench.domain.registration import (
    CLAIMING_STATUSES,
    can_record_progress,
    granted_days,
    lapsed_status,
)
from workbench.domain.values import parse_datetime

STALE_DEAL_DAYS = 30
HYGIENE_OPEN_DAYS = 120

AMENDMENT_TRANSITIONS: dict[str, dict[str, str]] = {
    "pending": {"approve": "approved", "reject": "rejected"},
    "approved": {},
    "rejected": {},
}


def check_amendment(amendment: Mapping[str, Any], registration: Mapping[str, Any] | None,
                    now: datetime, *, one_waiting: bool = False) -> None:
    """InvalidValue (naming the field) for an amendment the rep may not ask for.

    `one_waiting`: another change request of this registration still waits for the channel
    manager — one at a time, so the manager never decides on terms a later request replaced."""
    if registration is None:
        raise REGISTRATION_AMENDMENTS.invalid("registration_id", "no such registration")
    if one_waiting:
        raise REGISTRATION_AMENDMENTS.invalid(
            "registration_id", "a change request for this deal already waits for the channel "
                               "manager; ask again once it is answered")
    approved = registration.get("approved_at")
    approved_at = parse_datetime(approved) if approved else None
    if not can_record_progress(registration.get("status"), approved_at, now,
                               granted_days(registration)):
        status = lapsed_status(registration.get("status") or "draft", approved_at, now,
                               granted_days(registration))
        raise REGISTRATION_AMENDMENTS.invalid(
            "registration_id", f"only an approved registration can be amended; this one is "
                               f"{str(status).replace('_', ' ')}")
    check_amendment_values(amendment, now.astimezone(UTC).date())


def check_amendment_values(amendment: Mapping[str, Any], today: date) -> None:
    """An amendment changes the value, the close date or both, and says why."""
    if amendment.get("deal_value_cents") is None and not amendment.get("expected_close_date"):
        raise REGISTRATION_AMENDMENTS.invalid("deal_value_cents", "give a new deal value, a new "
                                                                  "close date or both")
    if not str(amendment.get("note") or "").strip():
        raise REGISTRATION_AMENDMENTS.invalid("note", "say why the deal changed; the channel "
                                                      "manager reads it")
    close = amendment.get("expected_close_date")
    if close and date.fromisoformat(close) < today:
        raise REGISTRATION_AMENDMENTS.invalid("expected_close_date",
                                              f"{close} is in the past; give the date the deal "
                                              "is now expected to close")


def decide_amendment(amendment: Mapping[str, Any], decision: str, reason: str | None,
                     registration_status: str = "approved") -> tuple[str, dict[str, Any]]:
    """(new amendment status, changes to the registration) for the vendor's decision. Only an
    approved registration takes new terms; a closed one's request can still be rejected."""
    status = str(amendment.get("status") or "pending")
    targets = AMENDMENT_TRANSITIONS.get(status, {})
    if decision not in ("approve", "reject"):
        raise IllegalTransition(f"unknown amendment decision {decision!r} (approve or reject)",
                                action=decision, current=status)
    if decision not in targets:
        raise IllegalTransition(f"this amendment is already {status}", action=decision,
                                current=status)
    if decision == "reject":
        if not (reason or "").strip():
            raise REGISTRATION_AMENDMENTS.invalid("decision_reason",
                                                  "say why the change is rejected; the "
                                                  "partner sees it")
        return targets[decision], {}
    if registration_status != "approved":
        raise IllegalTransition(f"the registration is {registration_status.replace('_', ' ')}; "
                                "its terms can no longer change (reject the request instead)",
                                action=decision, current=status, allowed=("reject",))
    changes: dict[str, Any] = {}
    if amendment.get("deal_value_cents") is not None:
        changes["deal_value_cents"] = amendment["deal_value_cents"]
    if amendment.get("expected_close_date"):
        changes["expected_close_date"] = amendment["expected_close_date"]
    return targets[decision], changes


@dataclass(frozen=True)
class Staleness:
    last_activity: date  # the rep's last activity date, or the approval day
    days_quiet: int
    stale: bool


def staleness(registration: Mapping[str, Any], now: datetime,
              days: int = STALE_DEAL_DAYS) -> Staleness | None:
    """How long an approved registration has gone without recorded activity; None when it is
    not approved (and in its window)."""
    approved = registration.get("approved_at")
    approved_at = parse_datetime(approved) if approved else None
    if approved_at is None or not can_record_progress(registration.get("status"), approved_at,
                                                      now):
        return None
    recorded = registration.get("last_activity_on")
    last = date.fromisoformat(recorded) if recorded else approved_at.astimezone(UTC).date()
    quiet = max((now.astimezone(UTC).date() - last).days, 0)
    return Staleness(last_activity=last, days_quiet=quiet, stale=quiet >= days)


def hygiene_breach(registration: Mapping[str, Any], deal_moved_at: datetime | None,
                   now: datetime, days: int = HYGIENE_OPEN_DAYS) -> bool:
    """Seed 003: open past 120 days (since submission) without stage progression (the deal's
    last move, or none) in those 120 days."""
    submitted = registration.get("submitted_at")
    if not submitted or registration.get("status") not in CLAIMING_STATUSES:
        return False
    limit = timedelta(days=days)
    if now - parse_datetime(submitted) < limit:
        return False
    return deal_moved_at is None or now - deal_moved_at >= limit
