"""The deal-registration lifecycle and its 90-day protection window (seed 003 §1, §5; DESIGN §4).

States and actions (partner actions: submit, withdraw, renew, dispute; the rest are the vendor's)::

    draft           --submit-->          submitted
    submitted       --approve-->         approved
    submitted       --send_to_review-->  pending_review   (review reason: conflict or manual)
    submitted       --reject-->          rejected
    pending_review  --approve/reject-->  approved / rejected
    approved        --mark_won/mark_lost/expire-->  won / lost / expired
    approved        --renew-->           pending_review   (from day 75 only; reason: renewal)
    expired         --renew-->           pending_review   (reason: renewal)
    expired         --mark_lost-->       lost             (its deal was lost, or data hygiene
                                                           closed it 30 days after expiry)
    rejected        --dispute-->         pending_review   (reason: dispute)
    draft, submitted, pending_review, approved  --withdraw-->  withdrawn

Decisions the seeds leave open, made here once for the workbench and the server:

- ``won``, ``lost`` and ``withdrawn`` are final. ``rejected`` is final unless disputed.
- ``renew`` asks the vendor to extend protection. It is allowed from ``expired``, and from
  ``approved`` only from day 75 of the window on (the seed's warning day), so a partner cannot
  roll protection forward indefinitely. It moves the registration back to ``pending_review`` with
  review reason ``renewal``; approving it starts a new 90-day window (the server sets a new
  ``approved_at``).
- ``dispute`` contests a rejection: back to ``pending_review`` with review reason ``dispute``.
- The protection window is the half-open interval [approved_at, approved_at + 90 days): at exactly
  90 days it has lapsed. The warning starts when 75 full days have passed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from workbench.domain.errors import IllegalTransition
from workbench.domain.model import REGISTRATION_STATUSES, REGISTRATIONS
from workbench.domain.values import parse_datetime

__all__ = ["IllegalTransition", "RegistrationStatus", "allowed_actions", "next_status",
           "protection", "can_renew", "lapsed_status", "is_active", "CLAIMING_STATUSES",
           "ACTIVE_LOCALLY", "PROGRESS_FIELDS", "can_record_progress", "check_progress_edit"]


class RegistrationStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    WON = "won"
    LOST = "lost"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


S = RegistrationStatus
PARTNER_ACTIONS = ("submit", "withdraw", "renew", "dispute")
VENDOR_ACTIONS = ("approve", "reject", "send_to_review", "mark_won", "mark_lost", "expire")
ACTIONS = PARTNER_ACTIONS + VENDOR_ACTIONS

# status -> {action: new status}; an action missing here is illegal from that status.
TRANSITIONS: dict[RegistrationStatus, dict[str, RegistrationStatus]] = {
    S.DRAFT: {"submit": S.SUBMITTED, "withdraw": S.WITHDRAWN},
    S.SUBMITTED: {"approve": S.APPROVED, "send_to_review": S.PENDING_REVIEW,
                  "reject": S.REJECTED, "withdraw": S.WITHDRAWN},
    S.PENDING_REVIEW: {"approve": S.APPROVED, "reject": S.REJECTED, "withdraw": S.WITHDRAWN},
    S.APPROVED: {"mark_won": S.WON, "mark_lost": S.LOST, "expire": S.EXPIRED,
                 "withdraw": S.WITHDRAWN, "renew": S.PENDING_REVIEW},
    S.REJECTED: {"dispute": S.PENDING_REVIEW},
    S.EXPIRED: {"renew": S.PENDING_REVIEW, "mark_lost": S.LOST},
    S.WON: {},
    S.LOST: {},
    S.WITHDRAWN: {},
}

_REVIEW_REASONS = {"renew": "renewal", "dispute": "dispute"}

PROTECTION_DAYS = 90  # the default window until the program's setting says otherwise
WARNING_DAY = 75
# Renewal opens this many days before the window closes: day 75 of 90 (seed 003), day 45 of 60.
RENEWAL_NOTICE_DAYS = PROTECTION_DAYS - WARNING_DAY
PROTECTION_PERIOD = timedelta(days=PROTECTION_DAYS)


def warning_day(days: int = PROTECTION_DAYS) -> int:
    """The day of a `days`-long window from which the rep is warned and may renew."""
    return max(days - RENEWAL_NOTICE_DAYS, 0)


def window_days(approved_at: datetime | None, expires_at: datetime | None,
                default: int = PROTECTION_DAYS) -> int:
    """The length of the window a registration was granted (its expiry minus its approval,
    in whole days), else `default` (the program's current protection setting)."""
    if approved_at is None or expires_at is None or _utc(expires_at) <= _utc(approved_at):
        return default
    return round((_utc(expires_at) - _utc(approved_at)) / timedelta(days=1))


def granted_days(record: Mapping[str, Any], default: int = PROTECTION_DAYS) -> int:
    """The window length of a registration record: the one granted at its approval (the
    vendor stores its expiry), else `default` (the program's protection setting)."""
    approved, expires = record.get("approved_at"), record.get("protection_expires_at")
    return window_days(parse_datetime(approved) if approved else None,
                       parse_datetime(expires) if expires else None, default)


def allowed_actions(current: str, actor: str | None = None) -> tuple[str, ...]:
    """Actions possible from `current`, optionally only those of "partner" or "vendor"."""
    actions = tuple(TRANSITIONS[_status(current)])
    if actor is None:
        return actions
    if actor not in ("partner", "vendor"):
        raise ValueError(f"actor must be 'partner' or 'vendor', got {actor!r}")
    own = PARTNER_ACTIONS if actor == "partner" else VENDOR_ACTIONS
    return tuple(a for a in actions if a in own)


def actor_of(action: str) -> str:
    """"partner" or "vendor": who may perform `action` (the server refuses the other one)."""
    if action in PARTNER_ACTIONS:
        return "partner"
    if action in VENDOR_ACTIONS:
        return "vendor"
    raise _unknown_action(action)


def next_status(current: str, action: str, *, approved_at: datetime | None = None,
                now: datetime | None = None, protection_days: int = PROTECTION_DAYS
                ) -> RegistrationStatus:
    """The status after `action`, or IllegalTransition saying what is allowed instead.

    The message lists what the action's own side (partner or vendor) may do now. The table alone
    is time-free. Give `approved_at` and `now` to also enforce that an approved
    registration can be renewed only from the warning day on.
    """
    status = _status(current)
    if action not in ACTIONS:
        raise _unknown_action(action)
    targets = TRANSITIONS[status]
    if action not in targets:
        # whoever tried `action` is its actor: tell them what *they* can do now
        allowed = allowed_actions(status, actor_of(action))
        if allowed:
            now_allowed = ", ".join(allowed)
        elif not targets:
            now_allowed = f"nothing ({_label(status)} is final)"
        else:
            now_allowed = ("nothing until the vendor decides" if actor_of(action) == "partner"
                           else "nothing until the partner acts")
        raise IllegalTransition(
            f"cannot {_verb(action)} a registration that is {_label(status)}; "
            f"allowed now: {now_allowed}", action=action, current=status, allowed=allowed)
    if action == "renew" and approved_at is not None and now is not None \
            and not can_renew(status, approved_at, now, protection_days):
        opens = _utc(approved_at) + timedelta(days=warning_day(protection_days))
        days = math.ceil((opens - _utc(now)) / timedelta(days=1))
        raise IllegalTransition(
            f"cannot renew yet: renewal opens on day {warning_day(protection_days)} of the "
            f"{protection_days}-day "
            f"protection window ({opens:%Y-%m-%d}), {days} day{'s' if days != 1 else ''} from now",
            action=action, current=status, allowed=tuple(a for a in targets if a != "renew"))
    return targets[action]


def review_reason_for(action: str) -> str | None:
    """Review reason a partner action puts on the registration ("renewal", "dispute").

    None for every other action; `send_to_review` carries the vendor's own reason
    ("conflict" or "manual").
    """
    return _REVIEW_REASONS.get(action)


def protection_expires_at(approved_at: datetime, days: int = PROTECTION_DAYS) -> datetime:
    """The end of the window granted at approval (`days`: the program's protection setting)."""
    return _utc(approved_at) + timedelta(days=days)


@dataclass(frozen=True)
class Protection:
    days_elapsed: int  # full days since approval (0 on the day of approval)
    days_left: int  # days until the window closes, rounded up; 0 once lapsed
    expires_at: datetime
    warning: bool  # from the warning day (75 of 90) until the window closes: time to renew
    lapsed: bool  # the window has closed


def protection(approved_at: datetime, now: datetime, days: int = PROTECTION_DAYS) -> Protection:
    """Where an approved registration stands in its `days`-long window (seed 003: 60-90 days;
    warned 15 days before it closes, day 75 of 90)."""
    start, now = _utc(approved_at), _utc(now)
    expires_at = start + timedelta(days=days)
    elapsed = max(now - start, timedelta(0))  # a clock slightly behind the server counts as day 0
    days_elapsed = elapsed // timedelta(days=1)
    lapsed = now >= expires_at
    days_left = 0 if lapsed else math.ceil((expires_at - max(now, start)) / timedelta(days=1))
    return Protection(days_elapsed=days_elapsed, days_left=days_left, expires_at=expires_at,
                      warning=not lapsed and days_elapsed >= warning_day(days), lapsed=lapsed)


def can_renew(status: str, approved_at: datetime | None, now: datetime,
              days: int = PROTECTION_DAYS) -> bool:
    """An expired registration may always ask for renewal; an approved one from the warning
    day of its `days`-long window on (day 75 of 90)."""
    status = _status(status)
    if status is S.EXPIRED:
        return True
    if status is not S.APPROVED or approved_at is None:
        return False
    state = protection(approved_at, now, days)
    return state.warning or state.lapsed


def lapsed_status(status: str, approved_at: datetime | None, now: datetime,
                  days: int = PROTECTION_DAYS) -> str:
    """"expired" for an approved registration whose window has closed, else `status` unchanged.

    Registrations lapse automatically (seed 001: "the registration lapses automatically"), so
    every reader shows the same status before the vendor has recorded the expiry.
    """
    if status == S.APPROVED and approved_at is not None \
            and protection(approved_at, now, days).lapsed:
        return S.EXPIRED
    return status


# "Active registration": one that claims its customer. Sent to the vendor and not finished
# (submitted, pending review, approved and still inside its protection window), these block
# another partner's registration of the same customer on the server. In the workbench a draft
# also counts: it is the rep's own claim on the customer, not yet sent.
CLAIMING_STATUSES = (S.SUBMITTED, S.PENDING_REVIEW, S.APPROVED)
ACTIVE_LOCALLY = (S.DRAFT, *CLAIMING_STATUSES)


def is_active(status: str | None, approved_at: datetime | None, now: datetime, *,
              drafts: bool = False) -> bool:
    """Whether a registration still claims its customer at `now` (a lapsed approval does not).

    `drafts=True` for the local duplicate check, where the rep's own drafts count too.
    """
    statuses = ACTIVE_LOCALLY if drafts else CLAIMING_STATUSES
    return lapsed_status(status or S.DRAFT, approved_at, now) in statuses


# Deal progress (issue 14): what the rep records about an approved deal as it moves. Partner-
# owned and editable offline, but only while the registration is approved (and its window has
# not lapsed): a draft has no deal yet, a closed one has nothing left to progress.
PROGRESS_FIELDS = ("next_step", "last_activity", "last_activity_on", "progress_notes")


def can_record_progress(status: str | None, approved_at: datetime | None, now: datetime,
                        days: int = PROTECTION_DAYS) -> bool:
    """Whether the rep may record progress (or ask for an amendment) on this registration."""
    return lapsed_status(status or S.DRAFT, approved_at, now, days) == S.APPROVED


def check_progress_edit(current: Mapping[str, Any], changes: Iterable[str], now: datetime) -> None:
    """InvalidValue naming the first progress field changed on a registration not approved."""
    touched = [name for name in changes if name in PROGRESS_FIELDS]
    if not touched:
        return
    approved = current.get("approved_at")
    approved_at = parse_datetime(approved) if approved else None
    if can_record_progress(current.get("status"), approved_at, now, granted_days(current)):
        return
    state = lapsed_status(current.get("status") or S.DRAFT, approved_at, now)
    raise REGISTRATIONS.invalid(touched[0], f"progress can be recorded only on an approved "
                                            f"registration; this one is {_label(_status(state))}")


def _status(value: str) -> RegistrationStatus:
    try:
        return RegistrationStatus(value)
    except ValueError:
        known = ", ".join(REGISTRATION_STATUSES)
        raise IllegalTransition(f"unknown registration status {value!r} (known: {known})",
                                current=str(value)) from None


def _unknown_action(action: str) -> IllegalTransition:
    return IllegalTransition(
        f"unknown registration action {action!r} (known: {', '.join(ACTIONS)})", action=str(action))


def _label(status: RegistrationStatus) -> str:
    return status.value.replace("_", " ")


def _verb(action: str) -> str:
    return {"send_to_review": "send to review", "mark_won": "mark as won",
            "mark_lost": "mark as lost"}.get(action, action)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"timestamps must be timezone-aware (UTC); got naive {moment.isoformat()}")
    return moment.astimezone(UTC)
