"""The lead SLA and the protection window as program settings: the rules take them as
parameters; the defaults stay seed 001's 48 hours and seed 003's 90 days (warned at day 75)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from workbench.domain.errors import IllegalTransition
from workbench.domain.leads import lead_sla, should_recycle, sla_of
from workbench.domain.registration import (
    can_renew,
    granted_days,
    lapsed_status,
    next_status,
    protection,
    warning_day,
    window_days,
)
from workbench.domain.values import format_datetime

ASSIGNED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
APPROVED = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def test_the_lead_sla_defaults_to_48_hours_until_the_program_says_otherwise():
    # seed 001: "log a first contact within 48 hours"
    assert sla_of(None) == 48 * HOUR
    assert lead_sla(ASSIGNED, None, ASSIGNED + 30 * HOUR, sla_of(None)).remaining == 18 * HOUR


def test_a_24_hour_sla_is_due_a_day_after_assignment_and_breached_after_it():
    state = lead_sla(ASSIGNED, None, ASSIGNED + 20 * HOUR, sla_of(24))
    assert (state.due_at, state.remaining, state.breached) == (ASSIGNED + 24 * HOUR, 4 * HOUR,
                                                               False)
    assert lead_sla(ASSIGNED, None, ASSIGNED + 30 * HOUR, sla_of(24)).breached
    assert not lead_sla(ASSIGNED, ASSIGNED + 23 * HOUR, ASSIGNED + 30 * HOUR, sla_of(24)).breached
    # recycled when overdue against the program's 24 h, never when the rep rejected it
    assert should_recycle(ASSIGNED, None, "new", ASSIGNED + 30 * HOUR, sla_of(24))
    assert not should_recycle(ASSIGNED, None, "rejected", ASSIGNED + 30 * HOUR, sla_of(24))
    assert not should_recycle(ASSIGNED, None, "new", ASSIGNED + 30 * HOUR)  # 48 h: not yet


def test_the_renewal_opens_15_days_before_any_window_closes():
    # seed 003: protection typically 60-90 days; notified at day 75 of 90
    assert [warning_day(d) for d in (90, 60, 30)] == [75, 45, 15]
    state = protection(APPROVED, APPROVED + 45 * DAY, 60)
    assert (state.days_left, state.warning, state.lapsed) == (15, True, False)
    assert state.expires_at == APPROVED + 60 * DAY
    assert not protection(APPROVED, APPROVED + 44 * DAY, 60).warning
    assert protection(APPROVED, APPROVED + 45 * DAY).warning is False  # 90 days: day 75
    assert lapsed_status("approved", APPROVED, APPROVED + 60 * DAY, 60) == "expired"
    assert lapsed_status("approved", APPROVED, APPROVED + 60 * DAY) == "approved"


def test_renewing_a_60_day_registration_too_early_says_when_it_opens():
    assert not can_renew("approved", APPROVED, APPROVED + 44 * DAY, 60)
    assert can_renew("approved", APPROVED, APPROVED + 45 * DAY, 60)
    with pytest.raises(IllegalTransition) as error:
        next_status("approved", "renew", approved_at=APPROVED, now=APPROVED + 40 * DAY,
                    protection_days=60)
    assert "renewal opens on day 45 of the 60-day protection window (2026-10-16), 5 days" \
        in str(error.value)
    assert next_status("approved", "renew", approved_at=APPROVED, now=APPROVED + 45 * DAY,
                       protection_days=60) == "pending_review"


def test_a_registration_keeps_the_window_its_approval_granted():
    # the vendor stores the expiry at approval; a later change of the setting leaves it alone
    record = {"approved_at": format_datetime(APPROVED),
              "protection_expires_at": format_datetime(APPROVED + 60 * DAY)}
    assert granted_days(record) == 60
    assert granted_days({"approved_at": format_datetime(APPROVED)}, 75) == 75
    assert granted_days({}) == 90
    assert window_days(APPROVED, APPROVED - DAY) == 90  # nonsense expiry: the default


def test_the_scorecard_counts_lead_first_contact_against_the_program_sla():
    from workbench.domain.scorecard import lead_sla_compliance
    lead = {"assigned_at": format_datetime(ASSIGNED), "working_status": "contacted",
            "first_contact_at": format_datetime(ASSIGNED + 30 * HOUR)}
    at_48 = lead_sla_compliance([lead], ASSIGNED + 40 * DAY).measure  # seed 001: 48 h
    at_24 = lead_sla_compliance([lead], ASSIGNED + 40 * DAY, 24).measure
    assert (at_48.label, at_48.part, at_48.whole) == ("Lead first contact within 48 h", 1, 1)
    assert (at_24.label, at_24.part, at_24.whole) == ("Lead first contact within 24 h", 0, 1)
