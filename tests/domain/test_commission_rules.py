"""Commission rules (domain/commissions.py; issue 14 item 3): seed 001 — "the commission rate
applicable, and the commission payment status", "partner tier at deal close"; seed 004 —
"dispute a commission payout"."""

from __future__ import annotations

from decimal import Decimal

import pytest

from workbench.domain.commissions import (
    amount_cents,
    check_dispute_edit,
    dispute_open,
    next_status,
    rate_for,
    shown_status,
    totals,
)
from workbench.domain.errors import IllegalTransition, InvalidValue


def test_the_rate_is_the_tiers_at_close_and_the_program_may_change_it():
    assert rate_for("gold") == Decimal(10) and rate_for("platinum") == Decimal(12)
    assert rate_for(None) == rate_for("bronze") == Decimal(5)
    assert rate_for("silver", {"silver": 9}) == Decimal(9)


def test_amount_is_rate_times_closed_amount_rounded_half_up_to_the_cent():
    assert amount_cents(12_000_000, Decimal(10)) == 1_200_000  # 10% of $120,000
    assert amount_cents(333, "7.5") == 25  # 24.975 cents → 25
    with pytest.raises(InvalidValue, match="Rate: must be from 0 to 100"):
        amount_cents(100, "150")
    with pytest.raises(InvalidValue, match="Closed amount: the deal closed with no amount"):
        amount_cents(0, "10")


def test_earned_then_approved_then_paid_and_nothing_else():
    assert next_status("earned", "approve") == "approved"
    assert next_status("approved", "pay") == "paid"
    with pytest.raises(IllegalTransition, match="cannot pay a commission that is earned; "
                                                "allowed now: approve"):
        next_status("earned", "pay")
    with pytest.raises(IllegalTransition, match="paid is final"):
        next_status("paid", "approve")


def test_a_dispute_needs_a_reason_and_stays_open_until_answered():
    with pytest.raises(InvalidValue, match="Dispute reason: enter a reason"):
        check_dispute_edit({}, {"dispute_reason": "  ", "disputed_at": "2026-12-01T10:00:00Z"})
    with pytest.raises(InvalidValue, match="Dispute reason: enter a reason"):
        check_dispute_edit({}, {"disputed_at": "2026-12-01T10:00:00Z"})
    check_dispute_edit({"dispute_reason": "Wrong amount"}, {"disputed_at": "2026-12-02T10:00Z"})
    line = {"dispute_reason": "Wrong amount", "disputed_at": "2026-12-01T10:00:00.000000Z"}
    assert dispute_open(line)
    answered = {**line, "dispute_resolved_at": "2026-12-02T09:00:00.000000Z"}
    assert not dispute_open(answered)
    assert dispute_open({**answered, "disputed_at": "2026-12-03T09:00:00.000000Z"})  # again


def test_totals_answer_earned_coming_and_paid():
    lines = [{"status": "earned", "amount_cents": 100, "currency": "USD"},
             {"status": "approved", "amount_cents": 250, "currency": "USD",
              "dispute_reason": "x", "disputed_at": "2026-12-01T00:00:00Z"},
             {"status": "paid", "amount_cents": 400, "currency": "USD"},
             {"status": "paid", "amount_cents": 70, "currency": "EUR"}]
    found = totals(lines)
    assert (found.earned, found.coming, found.paid) == ({"USD": 100}, {"USD": 250},
                                                         {"USD": 400, "EUR": 70})
    assert found.total("USD") == 750 and found.currencies == ["EUR", "USD"]
    assert found.disputed == 1 and found.lines == 4
    assert shown_status(lines[1]) == "coming, disputed" and shown_status(lines[2]) == "paid"
