"""How values read on screen: money, dates, relative times, status labels. No Qt here.

The stored (wire) form is ISO text and integer cents; these helpers turn it into what a rep reads,
and the domain decides what the numbers mean (protection window, lead SLA).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from workbench.domain import registration as registration_rules
from workbench.domain.formatting import day, money, stage
from workbench.domain.formatting import status_label as label
from workbench.domain.leads import FIRST_CONTACT_SLA, lead_sla, sla_of
from workbench.domain.model import OPPORTUNITY_STAGES as STAGES
from workbench.domain.values import parse_datetime

# Money, days, stages and status labels come from the one formatting module the command line and
# the PDF use too (workbench.domain.formatting); re-exported here for the views.
__all__ = ["STAGES", "ago", "day", "duration", "effective_status", "label", "money",
           "protection_text", "sla_hours", "sla_text", "stage"]


_ISO_DAY = re.compile(r"\b(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.]+Z?)?\b")


def readable_dates(text: str) -> str:
    """ISO dates inside a sentence from elsewhere ('joined 2025-05-15') as '15 May 2025'."""
    return _ISO_DAY.sub(lambda m: day(m.group(1)), text or "")


def ago(text: str | None, now: datetime | None = None) -> str:
    """A past timestamp as '3 min ago', 'yesterday', '12 Nov 2026'."""
    if not text:
        return "never"
    moment = parse_datetime(text)
    seconds = ((now or datetime.now(UTC)) - moment).total_seconds()
    if seconds < 45:
        return "just now"
    if seconds < 3600:
        return f"{round(seconds / 60) or 1} min ago"
    if seconds < 86400:
        return f"{round(seconds / 3600)} h ago"
    if seconds < 2 * 86400:
        return "yesterday"
    if seconds < 7 * 86400:
        return f"{int(seconds // 86400)} days ago"
    return day(text)


def duration(delta: timedelta) -> str:
    """A time left as '1 d 6 h', '5 h 20 min', '12 min'."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {mins} min"
    return f"{mins} min"


# --- registrations -----------------------------------------------------------------------------

CLOSED_STATUSES = ("won", "lost")  # the deal behind the registration (or the opportunity) closed


def registration_close_day(row: dict[str, Any]) -> str:
    """The close date a rep means: the day the deal closed once won or lost, else the expected."""
    if row.get("status") in CLOSED_STATUSES and row.get("decided_at"):
        return day(row["decided_at"])
    return day(row.get("expected_close_date"))


def opportunity_close_day(row: dict[str, Any]) -> str:
    if row.get("outcome") in CLOSED_STATUSES and row.get("closed_on"):
        return day(row["closed_on"])
    return day(row.get("expected_close_date"))


def effective_status(row: dict[str, Any], now: datetime | None = None) -> str:
    """The status a rep should see: an approved registration past its window has lapsed."""
    approved = row.get("approved_at")
    return registration_rules.lapsed_status(
        row.get("status") or "draft", parse_datetime(approved) if approved else None,
        now or datetime.now(UTC), registration_rules.granted_days(row))


def protection_text(row: dict[str, Any], now: datetime | None = None) -> tuple[str, str]:
    """('62 days left', tone) for an approved registration; tone is '', 'warning' or 'lapsed'."""
    if row.get("status") != "approved" or not row.get("approved_at"):
        return "", ""
    state = registration_rules.protection(parse_datetime(row["approved_at"]),
                                          now or datetime.now(UTC),
                                          registration_rules.granted_days(row))
    if state.lapsed:
        return "lapsed", "lapsed"
    text = f"{state.days_left} day{'s' if state.days_left != 1 else ''} left"
    return (text, "warning") if state.warning else (text, "")


# --- leads -------------------------------------------------------------------------------------

def lead_status(row: dict[str, Any]) -> str:
    """The status a rep should see: a lead the vendor took back is 'recycled', whatever its
    working status said (the list, its filter and the detail all use this)."""
    if row.get("assignment_status") == "recycled":
        return "recycled"
    return row.get("working_status") or ""


def sla_hours(row: dict[str, Any]) -> int:
    """The first-contact SLA the lead is held to: the program's synced setting the row was read
    with ("sla_hours"), else the default 48 hours."""
    hours = row.get("sla_hours")
    return int(hours) if hours else FIRST_CONTACT_SLA // timedelta(hours=1)


def sla_text(row: dict[str, Any], now: datetime | None = None) -> tuple[str, str]:
    """('31 h 10 min to first contact', tone): tone '', 'warning' (< 12 h), 'lapsed' or 'ok'."""
    if not row.get("assigned_at"):
        return "", ""
    first = row.get("first_contact_at")
    sla = lead_sla(parse_datetime(row["assigned_at"]),
                   parse_datetime(first) if first else None, now or datetime.now(UTC),
                   sla_of(sla_hours(row)))
    if first:
        return ("contacted in time", "ok") if sla.met else ("contacted late", "lapsed")
    if row.get("working_status") == "rejected":
        return "rejected", ""
    if row.get("assignment_status") == "recycled":
        return "recycled", "lapsed"
    if sla.breached:
        return "SLA breached", "lapsed"
    text = f"{duration(sla.remaining)} left"
    return text, "warning" if sla.remaining < timedelta(hours=12) else ""
