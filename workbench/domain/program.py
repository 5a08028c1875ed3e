"""Rules the vendor runs its partner program by: the decision clock, inactive partners and
data hygiene (seeds 001 and 003).

- **Decision SLA** (seed 001: "the partner account manager reviews and approves within 48
  hours"; seed 003 §3: 24-48 hours typical, >72 hours low). A registration waiting for a
  decision is *due soon* in the last quarter of its clock and *overdue* after it.
- **Inactive partners** (seed 001: "Inactive partners (no deal registration in 90 days) receive
  a re-engagement outreach and are offboarded if inactive for 180 days"). Inactivity counts from
  the partner's last submitted registration, or from the day it joined when it never registered.
  Offboarding stays a person's decision: the rule only suggests it.
- **Data hygiene** (seed 003, edge case 4: "auto-close deal registrations past expiration + 30
  days with no activity"). An expired registration is closed (marked lost, its open deal closed
  lost) once its protection ended more than 30 days ago and neither the registration nor its
  deal has moved since then; a renewal request in between keeps it open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

DECISION_SLA = timedelta(hours=48)
REENGAGE_AFTER = timedelta(days=90)
OFFBOARD_AFTER = timedelta(days=180)
HYGIENE_GRACE = timedelta(days=30)
# Partners whose activity is watched; prospects have not started, the others have left.
WATCHED_STATUSES = ("onboarding", "active", "at_risk")


@dataclass(frozen=True)
class DecisionClock:
    waited: timedelta
    left: timedelta  # negative once overdue
    due_soon: bool
    overdue: bool


def decision_clock(submitted_at: datetime, now: datetime,
                   sla: timedelta = DECISION_SLA) -> DecisionClock:
    """How long a registration has waited for a decision, against the decision SLA."""
    waited = max(_utc(now) - _utc(submitted_at), timedelta(0))
    left = sla - waited
    return DecisionClock(waited=waited, left=left, overdue=left < timedelta(0),
                         due_soon=timedelta(0) <= left <= sla / 4)


RE_ENGAGEMENT = "re_engagement"
OFFBOARD_SUGGESTED = "offboard_suggested"


@dataclass(frozen=True)
class Inactivity:
    flag: str | None  # None, RE_ENGAGEMENT or OFFBOARD_SUGGESTED
    since: datetime  # the last registration, or joining
    days: int


def inactivity(last_registration_at: datetime | None, joined_at: datetime | None,
               now: datetime) -> Inactivity | None:
    """The partner's inactivity flag, or None when nothing is known to count from."""
    since = last_registration_at or joined_at
    if since is None:
        return None
    quiet = _utc(now) - _utc(since)
    flag = (OFFBOARD_SUGGESTED if quiet >= OFFBOARD_AFTER
            else RE_ENGAGEMENT if quiet >= REENGAGE_AFTER else None)
    return Inactivity(flag=flag, since=_utc(since), days=max(quiet.days, 0))


def hygiene_close_due(status: str, protection_expires_at: datetime | None,
                      last_activity_at: datetime | None, now: datetime) -> bool:
    """True when an expired registration has sat 30 days with no activity since its expiry
    (a deal moved 10 days after expiry keeps it open until 30 days after that move)."""
    if status != "expired" or protection_expires_at is None:
        return False
    quiet_since = _utc(protection_expires_at)
    if last_activity_at is not None:
        quiet_since = max(quiet_since, _utc(last_activity_at))
    return _utc(now) >= quiet_since + HYGIENE_GRACE


def _utc(moment: datetime) -> datetime:
    if moment.utcoffset() is None:
        raise ValueError(f"timestamps must be timezone-aware, got {moment!r}")
    return moment.astimezone(UTC)
