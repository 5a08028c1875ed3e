"""Commissions on closed-won deals: the rate by tier, the amount, the payout lifecycle, disputes
and the rep's totals (seed 001: "the commission rate applicable, and the commission payment
status"; "partner tier at deal close"; seed 004: "dispute a commission payout").

The vendor records a commission when a deal closes won (automatically at close, or by hand):
rate = the program's rate for the partner's tier at close; amount = rate × closed amount,
rounded half up to the cent. Lifecycle, all the vendor's moves, each with its date::

    earned  --approve-->  approved  --pay-->  paid

The rep sees each line offline and may dispute one with a reason (partner-owned fields); the
vendor answers it, which closes the dispute. A dispute is open while it was raised after the
last answer (a rep may dispute the same line again).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from workbench.domain.errors import IllegalTransition
from workbench.domain.model import COMMISSION_STATUSES, COMMISSIONS, TIERS

# Default rates in percent of the closed amount, by tier; the program settings override them
# (server/program_settings.py: commission_rate_<tier>). The seeds give no figures: these are a
# common reseller ladder, rising with the tier.
DEFAULT_RATES: dict[str, int] = {"bronze": 5, "silver": 8, "gold": 10, "platinum": 12}
assert set(DEFAULT_RATES) == set(TIERS)

TRANSITIONS: dict[str, dict[str, str]] = {
    "earned": {"approve": "approved"},
    "approved": {"pay": "paid"},
    "paid": {},
}
assert set(TRANSITIONS) == set(COMMISSION_STATUSES)
# the date field each status stamps
STATUS_DATES = {"earned": "earned_on", "approved": "approved_on", "paid": "paid_on"}


def rate_for(tier: str | None, rates: Mapping[str, Any] | None = None) -> Decimal:
    """The commission rate (percent) of a tier; a partner without a tier earns the bronze rate."""
    table = {**DEFAULT_RATES, **(rates or {})}
    return Decimal(str(table.get(tier or "bronze", table["bronze"])))


def amount_cents(closed_cents: int, rate_percent: Decimal | str) -> int:
    """rate × closed amount, in cents, rounded half up."""
    try:
        rate = Decimal(str(rate_percent))
    except InvalidOperation:
        raise COMMISSIONS.invalid("rate_percent", f"not a number: {rate_percent!r}") from None
    if rate < 0 or rate > 100:
        raise COMMISSIONS.invalid("rate_percent", "must be from 0 to 100 percent")
    if closed_cents <= 0:
        raise COMMISSIONS.invalid("closed_amount_cents", "the deal closed with no amount")
    return int((Decimal(closed_cents) * rate / 100).quantize(Decimal(1), ROUND_HALF_UP))


def next_status(current: str | None, action: str) -> str:
    status = current or "earned"
    targets = TRANSITIONS.get(status)
    if targets is None:
        raise IllegalTransition(f"unknown commission status {status!r}", current=status)
    if action not in targets:
        allowed = ", ".join(targets) or f"nothing ({status} is final)"
        raise IllegalTransition(f"cannot {action} a commission that is {status}; allowed now: "
                                f"{allowed}", action=action, current=status,
                                allowed=tuple(targets))
    return targets[action]


def check_dispute_edit(current: Mapping[str, Any], changes: Mapping[str, Any]) -> None:
    """A dispute needs its reason (InvalidValue naming the field)."""
    if "dispute_reason" not in changes and "disputed_at" not in changes:
        return
    reason = changes.get("dispute_reason", current.get("dispute_reason"))
    if not str(reason or "").strip():
        raise COMMISSIONS.invalid("dispute_reason", "enter a reason: say what is wrong with "
                                                    "this commission")


def dispute_open(line: Mapping[str, Any]) -> bool:
    raised = line.get("disputed_at")
    if not raised or not line.get("dispute_reason"):
        return False
    answered = line.get("dispute_resolved_at")
    return not answered or str(answered) < str(raised)


@dataclass
class Totals:
    """The rep's three questions, per currency: earned (waiting for approval), coming (approved,
    not yet paid), paid; and how many lines are disputed."""
    earned: dict[str, int] = field(default_factory=dict)
    coming: dict[str, int] = field(default_factory=dict)
    paid: dict[str, int] = field(default_factory=dict)
    disputed: int = 0
    lines: int = 0

    def total(self, currency: str) -> int:
        return sum(bucket.get(currency, 0) for bucket in (self.earned, self.coming, self.paid))

    @property
    def currencies(self) -> list[str]:
        return sorted({*self.earned, *self.coming, *self.paid}) or ["USD"]


_BUCKETS = {"earned": "earned", "approved": "coming", "paid": "paid"}


def totals(lines: Iterable[Mapping[str, Any]]) -> Totals:
    result = Totals()
    for line in lines:
        result.lines += 1
        bucket: dict[str, int] = getattr(result, _BUCKETS.get(str(line.get("status")), "earned"))
        currency = str(line.get("currency") or "USD")
        bucket[currency] = bucket.get(currency, 0) + int(line.get("amount_cents") or 0)
        result.disputed += dispute_open(line)
    return result


def shown_status(line: Mapping[str, Any]) -> str:
    """What the rep reads in the status column: "coming" for approved, "disputed" on top."""
    status = {"approved": "coming"}.get(str(line.get("status")), str(line.get("status") or ""))
    return f"{status}, disputed" if dispute_open(line) else status
