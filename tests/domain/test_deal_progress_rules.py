"""Deal progress, amendments, stale deals and the 120-day hygiene rule (domain/deal_progress.py,
domain/registration.py; issue 14 item 1)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from workbench.domain.deal_progress import (
    check_amendment,
    decide_amendment,
    hygiene_breach,
    staleness,
)
from workbench.domain.errors import IllegalTransition, InvalidValue
from workbench.domain.records import check_partner_edit
from workbench.domain.values import format_datetime

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def _approved(days_ago: int = 10, **extra) -> dict:
    approved = format_datetime(NOW - timedelta(days=days_ago))
    return {"status": "approved", "approved_at": approved, "submitted_at": approved, **extra}


def test_progress_is_the_reps_on_an_approved_registration_only():
    check_partner_edit("registrations", _approved(), {"next_step": "Call the CFO"}, NOW)
    for status in ("draft", "submitted", "won", "rejected"):
        with pytest.raises(InvalidValue, match=f"Next step: .*approved.*this one is {status}"):
            check_partner_edit("registrations", {"status": status}, {"next_step": "x"}, NOW)


def test_a_lapsed_approval_takes_no_progress():
    """Protection lapses automatically after 90 days (seed 001), before the vendor records it."""
    with pytest.raises(InvalidValue, match="Last activity: .*this one is expired"):
        check_partner_edit("registrations", _approved(days_ago=91), {"last_activity": "x"}, NOW)


def test_an_amendment_changes_value_or_close_date_with_a_note():
    registration = _approved()
    check_amendment({"deal_value_cents": 5_000_000, "note": "More seats"}, registration, NOW)
    with pytest.raises(InvalidValue, match="New deal value: give a new deal value, a new close"):
        check_amendment({"note": "Nothing"}, registration, NOW)
    with pytest.raises(InvalidValue, match="Note: say why"):
        check_amendment({"deal_value_cents": 1, "note": "  "}, registration, NOW)
    with pytest.raises(InvalidValue, match="New close date: 2026-11-30 is in the past"):
        check_amendment({"expected_close_date": "2026-11-30", "note": "x"}, registration, NOW)
    with pytest.raises(InvalidValue, match="Registration: only an approved registration can be "
                                           "amended; this one is pending review"):
        check_amendment({"deal_value_cents": 1, "note": "x"}, {"status": "pending_review"}, NOW)


def test_approving_an_amendment_gives_the_registration_its_new_terms_once():
    amendment = {"status": "pending", "deal_value_cents": 9_000_000,
                 "expected_close_date": "2027-03-31"}
    assert decide_amendment(amendment, "approve", None) == (
        "approved", {"deal_value_cents": 9_000_000, "expected_close_date": "2027-03-31"})
    assert decide_amendment({"status": "pending"}, "reject", "No signed scope") == ("rejected", {})
    with pytest.raises(InvalidValue, match="say why the change is rejected"):
        decide_amendment({"status": "pending"}, "reject", "")
    with pytest.raises(IllegalTransition, match="already approved"):
        decide_amendment({**amendment, "status": "approved"}, "approve", None)
    with pytest.raises(IllegalTransition, match="the registration is won; its terms can no "
                                                "longer change"):
        decide_amendment(amendment, "approve", None, "won")
    assert decide_amendment(amendment, "reject", "Closed already", "won") == ("rejected", {})


def test_stale_after_30_days_without_recorded_activity():
    assert staleness(_approved(days_ago=29), NOW).stale is False  # counts from the approval
    assert staleness(_approved(days_ago=30), NOW).days_quiet == 30
    assert staleness(_approved(days_ago=30), NOW).stale is True
    active = _approved(days_ago=60, last_activity_on="2026-11-20")
    assert staleness(active, NOW).stale is False and staleness(active, NOW).days_quiet == 11
    assert staleness(active, NOW, days=10).stale is True  # the program's stale_deal_days
    assert staleness({"status": "won", "approved_at": _approved()["approved_at"]}, NOW) is None
    assert staleness(_approved(), NOW).last_activity == date(2026, 11, 21)


def test_seed_003_no_registration_open_past_120_days_without_stage_progression():
    """seed 003, data quality health check (3): "no deal registrations open past 120 days
    without stage progression"."""
    old = {"status": "approved", "submitted_at": format_datetime(NOW - timedelta(days=121))}
    assert hygiene_breach(old, None, NOW)  # no deal movement at all
    assert hygiene_breach(old, NOW - timedelta(days=120), NOW)
    assert not hygiene_breach(old, NOW - timedelta(days=119), NOW)  # the deal moved since
    young = {**old, "submitted_at": format_datetime(NOW - timedelta(days=119))}
    assert not hygiene_breach(young, None, NOW)
    assert not hygiene_breach({**old, "status": "won"}, None, NOW)  # closed: not open
    assert hygiene_breach({**old, "status": "pending_review"}, None, NOW)
