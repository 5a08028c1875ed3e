"""Enablement states (seed 000: certification status and enablement tracking per partner
contact) and the distributor rules (seed 001 distributors; DESIGN §3 isolation)."""

from __future__ import annotations

from datetime import date

import pytest

from workbench.domain import enablement
from workbench.domain.distributors import (
    SubPartnerRecord,
    check_own_record,
    partner_label,
    rollup_by_partner,
)
from workbench.domain.errors import IllegalTransition

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(("record", "state", "days"), [
    ({"status": "completed", "expires_on": "2027-06-01"}, "completed", 182),
    ({"status": "completed", "expires_on": "2027-01-30"}, "expiring soon", 60),  # the 60th day
    ({"status": "completed", "expires_on": "2026-12-01"}, "expiring soon", 0),  # last valid day
    ({"status": "completed", "expires_on": "2026-11-30"}, "expired", -1),
    ({"status": "expired"}, "expired", None),
    ({"status": "in_progress", "expires_on": "2026-12-05"}, "in progress", None),
    ({"status": "completed"}, "completed", None),  # no expiry
])
def test_learning_state(record, state, days):
    assert enablement.learning_state(record, TODAY) == (state, days)


def test_people_are_users_and_anyone_a_record_names_expiring_first():
    users = [{"email": "Anna@x.example", "name": "Anna", "role": "seller"},
             {"email": "bo@x.example", "name": "Bo", "role": "engineer"}]
    learning = [{"id": "1", "user_email": "anna@x.example", "kind": "training", "name": "Intro",
                 "status": "completed"},
                {"id": "2", "user_email": "bo@x.example", "kind": "certification",
                 "name": "Architect", "level": "expert", "status": "completed",
                 "expires_on": "2026-12-20"},
                {"id": "3", "user_email": "eve@x.example", "kind": "training", "name": "Intro",
                 "status": "in_progress"}]
    people = enablement.people(users, learning, TODAY)
    assert [p.name for p in people] == ["Bo", "Anna", "eve@x.example"]
    assert people[0].expiring == 1 and people[0].items[0].days_left == 19
    assert people[1].valid == 1 and people[2].valid == 0


def test_a_sub_partners_record_is_refused_naming_the_sub_partner():
    record = {"partner_id": "sub", "status": "approved"}
    with pytest.raises(SubPartnerRecord) as error:
        check_own_record("registrations", record, "dist", "Small Reseller", action="withdraw")
    assert isinstance(error.value, IllegalTransition)  # the CLI maps it to bad input (exit 2)
    assert str(error.value).startswith("This deal registration belongs to Small Reseller, a "
                                       "sub-partner: it is read-only in your workbench and "
                                       "cannot be withdrawn here.")
    check_own_record("registrations", {"partner_id": "dist"}, "dist")  # own: fine
    check_own_record("registrations", {"partner_id": None}, "dist")  # created here, unsynced
    assert partner_label(record, "dist", {"sub": "Small Reseller"}) == "Small Reseller"
    assert partner_label(record, "dist", {}) == "a sub-partner"
    assert partner_label({"partner_id": "dist"}, "dist", {}) is None


def test_roll_up_by_sub_partner_counts_registrations_pipeline_and_won():
    partners = [{"id": "dist", "name": "Big Distribution"}, {"id": "sub", "name": "Small"},
                {"id": "quiet", "name": "Quiet Reseller"}]
    registrations = [
        {"partner_id": "sub", "status": "approved", "submitted_at": "2026-11-01T10:00:00Z",
         "approved_at": "2026-11-02T10:00:00Z"},
        {"partner_id": "sub", "status": "submitted", "submitted_at": "2026-08-01T10:00:00Z"},
        {"partner_id": "dist", "status": "draft"},
        {"partner_id": None, "status": "submitted", "submitted_at": "2026-11-20T10:00:00Z"}]
    opportunities = [
        {"partner_id": "sub", "outcome": "open", "amount_cents": 500_000},
        {"partner_id": "sub", "outcome": "won", "amount_cents": 900_000,
         "closed_on": "2026-03-01"},
        {"partner_id": "sub", "outcome": "won", "amount_cents": 1, "closed_on": "2025-11-30"}]
    rows = rollup_by_partner(partners, registrations, opportunities, "dist", TODAY)
    assert [(r.name, r.own) for r in rows] == [("Big Distribution", True), ("Quiet Reseller", False),
                                               ("Small", False)]
    own, quiet, sub = rows
    assert (own.registrations_90d, own.registrations_open) == (1, 1)  # the unsynced one counts
    assert (sub.registrations_90d, sub.approved_90d, sub.registrations_open) == (1, 1, 2)
    assert (sub.pipeline_cents, sub.pipeline_deals) == (500_000, 1)
    assert (sub.won_12m_cents, sub.won_12m_deals) == (900_000, 1)  # 2025-11-30: over a year
    assert quiet.registrations_90d == 0 and quiet.pipeline_deals == 0
