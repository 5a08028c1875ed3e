"""Tie-breakers when a partner registration meets a direct opportunity (seed 003, edge case 3).

The seed's rules, and the order in which they are applied here:

1. The partner registered more than 7 days before the direct opportunity was opened → the
   partner wins with sourced credit. The direct opportunity did not exist at registration, so its
   stage cannot count against the partner.
2. The direct opportunity was opened before the registration and had reached stage 2 or later by
   the time of the registration → direct wins; the partner gets influenced credit. This is
   checked before the 7-day rule, so a direct deal that reached stage 2 within days of opening
   still wins: a qualified, progressing opportunity is the direct team's work.
3. Otherwise, when the two are within 7 days of each other (exactly 7 days counts as within: the
   seed gives the partner the win only for *more than* 7 days) → the channel manager mediates;
   the default outcome is co-sell with split credit.
4. Not covered by the seed: the direct opportunity was opened more than 7 days before the
   registration but was still before stage 2. First in time keeps it (seed 001: "first-in-time
   wins") — direct, influenced credit for the partner — but the channel manager is asked to
   mediate, because an early-stage direct opportunity may be stale.

Rationales describe the timing only; they never name a partner (DESIGN §3: a rep is told there
is a conflict, not whose it is).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

SIMULTANEITY_WINDOW = timedelta(days=7)
QUALIFIED_STAGE = 2  # stage 2+ means the direct team has a qualified, progressing opportunity


@dataclass(frozen=True)
class ConflictDecision:
    outcome: str  # "partner" | "direct" | "co_sell"
    partner_credit: str  # "sourced" | "influenced" | "split"
    needs_mediation: bool
    rationale: str


def decide_channel_conflict(registered_at: datetime, direct_opened_at: datetime,
                            direct_stage_at_registration: int) -> ConflictDecision:
    """Who gets a contested deal, by the rules in the module notes."""
    _check_aware("registered_at", registered_at)
    _check_aware("direct_opened_at", direct_opened_at)
    stage = direct_stage_at_registration
    if isinstance(stage, bool) or not isinstance(stage, int) or stage < 0:
        raise ValueError(f"direct_stage_at_registration must be a whole number 0 or above, "
                         f"got {stage!r}")
    lead = direct_opened_at - registered_at  # > 0: the partner was first
    if lead > SIMULTANEITY_WINDOW:
        return ConflictDecision(
            "partner", "sourced", False,
            f"The partner registered the deal {_span(lead)} before the direct opportunity was "
            "opened (more than 7 days), so the registration wins and the partner is credited as "
            "the source.")
    direct_first = direct_opened_at < registered_at
    if direct_first and stage >= QUALIFIED_STAGE:
        return ConflictDecision(
            "direct", "influenced", False,
            f"The direct opportunity was opened {_span(-lead)} before the registration and was at "
            f"stage {stage} when the deal was registered (stage "
            f"{QUALIFIED_STAGE} or later), so direct sales keeps the deal and the partner gets "
            "influenced credit.")
    if abs(lead) <= SIMULTANEITY_WINDOW:
        if direct_first:
            timing = (f"{_span(-lead)} after the direct opportunity was opened (within 7 days), "
                      f"while it was still before stage {QUALIFIED_STAGE}")
        elif lead:
            timing = f"{_span(lead)} before the direct opportunity was opened (within 7 days)"
        else:
            timing = "at the same moment the direct opportunity was opened"
        return ConflictDecision(
            "co_sell", "split", True,
            f"The deal was registered {timing}, so the channel manager mediates; until then the "
            "default is to co-sell with split credit.")
    return ConflictDecision(
        "direct", "influenced", True,
        f"The direct opportunity was opened {_span(-lead)} before the registration but was still "
        f"at stage {stage} (before stage {QUALIFIED_STAGE}). First in time "
        "keeps it, so direct sales keeps the deal and the partner gets influenced credit; the "
        "channel manager reviews it because an early-stage opportunity may be stale.")


def _span(delta: timedelta) -> str:
    """A duration as a person says it: "12 days", "3 days 4 hours", "just over 7 days"."""
    days, seconds = delta.days, delta.seconds
    hours, minutes = seconds // 3600, seconds % 3600 // 60
    text = " ".join(p for p in (_plural(days, "day"), _plural(hours, "hour"),
                                _plural(minutes, "minute")) if p)
    if not text:
        return "less than a minute"
    shown = timedelta(days=days, hours=hours, minutes=minutes)
    return text if shown == delta else f"just over {text}"


def _plural(count: int, unit: str) -> str:
    return "" if count == 0 else f"{count} {unit}{'s' if count != 1 else ''}"


def _check_aware(name: str, moment: datetime) -> None:
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {moment!r}")
