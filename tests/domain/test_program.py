"""Program rules: the decision clock (seed 001: 48 hours), inactive partners (seed 001: 90 and
180 days) and data hygiene (seed 003 edge case 4: expiry + 30 days with no activity)."""

from datetime import UTC, datetime, timedelta

from workbench.domain.program import (
    OFFBOARD_SUGGESTED,
    RE_ENGAGEMENT,
    decision_clock,
    hygiene_close_due,
    inactivity,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_seed_001_decision_within_48_hours():
    assert not decision_clock(T0, T0 + timedelta(hours=30)).due_soon
    soon = decision_clock(T0, T0 + timedelta(hours=40))
    assert soon.due_soon and not soon.overdue and soon.left == timedelta(hours=8)
    assert not decision_clock(T0, T0 + timedelta(hours=48)).overdue  # exactly 48 h is in time
    late = decision_clock(T0, T0 + timedelta(hours=50))
    assert late.overdue and late.left == -timedelta(hours=2)


def test_seed_001_inactive_90_days_re_engage_180_offboard():
    assert inactivity(T0, None, T0 + timedelta(days=89)).flag is None
    assert inactivity(T0, None, T0 + timedelta(days=90)).flag == RE_ENGAGEMENT
    assert inactivity(T0, None, T0 + timedelta(days=180)).flag == OFFBOARD_SUGGESTED
    never = inactivity(None, T0, T0 + timedelta(days=200))  # counts from joining
    assert never.flag == OFFBOARD_SUGGESTED and never.days == 200
    assert inactivity(None, None, T0) is None


def test_seed_003_hygiene_closes_expired_registrations_after_30_quiet_days():
    expired = T0
    assert not hygiene_close_due("expired", expired, None, expired + timedelta(days=29))
    assert hygiene_close_due("expired", expired, None, expired + timedelta(days=30))
    moved = expired + timedelta(days=10)  # the deal moved after expiry: 30 days from then
    assert not hygiene_close_due("expired", expired, moved, expired + timedelta(days=35))
    assert hygiene_close_due("expired", expired, moved, expired + timedelta(days=40))
    assert not hygiene_close_due("pending_review", expired, None, expired + timedelta(days=99))
