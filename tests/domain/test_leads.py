"""Lead first-contact SLA — seed 001: "log a first contact within 48 hours or the lead is
reassigned" (DESIGN §4)."""

from datetime import UTC, datetime, timedelta

import pytest

from workbench.domain.leads import (
    FIRST_CONTACT_SLA,
    LeadSla,
    first_contact_due,
    lead_sla,
    should_recycle,
)

ASSIGNED = datetime(2026, 5, 4, 16, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_seed_001_first_contact_is_due_48_hours_after_assignment():
    assert FIRST_CONTACT_SLA == timedelta(hours=48)
    assert first_contact_due(ASSIGNED) == datetime(2026, 5, 6, 16, 0, tzinfo=UTC)


def test_waiting_lead_shows_time_remaining():
    assert lead_sla(ASSIGNED, None, ASSIGNED + 30 * HOUR) == LeadSla(
        due_at=ASSIGNED + 48 * HOUR, remaining=18 * HOUR, met=False, breached=False)


def test_seed_001_no_contact_after_48_hours_is_a_breach():
    state = lead_sla(ASSIGNED, None, ASSIGNED + 48 * HOUR + timedelta(seconds=1))
    assert state.breached and not state.met and state.remaining == timedelta(0)
    assert not lead_sla(ASSIGNED, None, ASSIGNED + 48 * HOUR).breached  # due time itself is in time


@pytest.mark.parametrize("contacted_after, met", [(2 * HOUR, True), (48 * HOUR, True),
                                                   (48 * HOUR + timedelta(minutes=1), False)])
def test_seed_001_contact_within_48_hours_meets_the_sla(contacted_after, met):
    state = lead_sla(ASSIGNED, ASSIGNED + contacted_after, ASSIGNED + 100 * HOUR)
    assert (state.met, state.breached) == (met, not met)


def test_seed_001_uncontacted_lead_is_recycled_only_after_48_hours():
    assert not should_recycle(ASSIGNED, None, "new", ASSIGNED + 47 * HOUR)
    assert should_recycle(ASSIGNED, None, "new", ASSIGNED + 49 * HOUR)
    assert should_recycle(ASSIGNED, None, "accepted", ASSIGNED + 49 * HOUR)  # accepting is not contact


def test_contacted_leads_are_not_recycled_even_when_contact_was_late():
    assert not should_recycle(ASSIGNED, ASSIGNED + 5 * HOUR, "contacted", ASSIGNED + 90 * HOUR)
    late = ASSIGNED + 60 * HOUR
    assert not should_recycle(ASSIGNED, late, "contacted", ASSIGNED + 90 * HOUR)
    assert lead_sla(ASSIGNED, late, ASSIGNED + 90 * HOUR).breached  # still reported as breached
    assert not should_recycle(ASSIGNED, None, "contacted", ASSIGNED + 90 * HOUR)


def test_rejected_leads_are_not_recycled():
    assert not should_recycle(ASSIGNED, None, "rejected", ASSIGNED + 90 * HOUR)


def test_bad_inputs_name_the_argument():
    with pytest.raises(ValueError, match="working_status must be one of new, accepted, contacted, "
                                         "rejected; got 'lost'"):
        should_recycle(ASSIGNED, None, "lost", ASSIGNED)
    with pytest.raises(ValueError, match="assigned_at must be a timezone-aware"):
        first_contact_due(datetime(2026, 5, 4))


# --- what a rep may do with a lead (one rule for the store and the server) -------------------

from workbench.domain.leads import check_lead_edit
from workbench.domain.values import InvalidValue


def test_a_recycled_lead_can_no_longer_be_worked():
    """seed 001: no first contact within 48 hours → the lead is reassigned; it is not the rep's."""
    with pytest.raises(InvalidValue) as error:
        check_lead_edit({"assignment_status": "recycled", "working_status": "new"},
                        {"working_status": "contacted"})
    assert error.value.field == "assignment_status" and "48-hour" in str(error.value)


@pytest.mark.parametrize(("current", "target", "allowed"), [
    ("new", "accepted", True), ("new", "contacted", True), ("accepted", "contacted", True),
    ("contacted", "contacted", True), ("accepted", "rejected", True),
    ("rejected", "accepted", False), ("contacted", "rejected", False), ("contacted", "accepted", False),
])
def test_working_status_moves(current, target, allowed):
    lead = {"assignment_status": "assigned", "working_status": current}
    change = {"working_status": target, "rejection_reason": "not our territory"}
    if target == "contacted" and current != "contacted":
        change["first_contact_at"] = "2026-05-04T10:00:00.000000Z"  # marked with its time
    if allowed:
        check_lead_edit(lead, change)
    else:
        with pytest.raises(InvalidValue, match=f"the lead is {current}"):
            check_lead_edit(lead, change)


def test_rejecting_a_lead_needs_a_reason():
    with pytest.raises(InvalidValue) as error:
        check_lead_edit({"assignment_status": "assigned", "working_status": "new"},
                        {"working_status": "rejected"})
    assert error.value.field == "rejection_reason"


def test_first_contact_lies_between_assignment_and_now_and_then_stays():
    """seed 001: the first contact counts towards the 48-hour SLA, so it must be believable."""
    from workbench.domain.leads import CLOCK_SKEW

    lead = {"assignment_status": "assigned", "working_status": "new",
            "assigned_at": "2026-05-04T09:00:00.000000Z"}
    now = datetime(2026, 5, 5, 9, 0, tzinfo=UTC)
    contacted = {"working_status": "contacted"}
    for when, words in (("2020-01-01T00:00:00.000000Z", "before the lead was assigned"),
                        ("2026-05-04T08:54:00.000000Z", "before the lead was assigned"),
                        ("2026-05-05T09:06:00.000000Z", "in the future"),
                        (None, "say when the lead was first contacted")):
        with pytest.raises(InvalidValue, match=words) as error:
            check_lead_edit(lead, {**contacted, "first_contact_at": when}, now)
        assert error.value.field == "first_contact_at"
    for when in ("2026-05-04T08:56:00.000000Z", "2026-05-05T09:04:00.000000Z"):  # within skew
        check_lead_edit(lead, {**contacted, "first_contact_at": when}, now)
    assert CLOCK_SKEW == timedelta(minutes=5)
    logged = {**lead, "working_status": "contacted", "first_contact_at": "2026-05-04T20:00:00.000000Z"}
    for moved in ("2026-05-04T10:00:00.000000Z", None):
        with pytest.raises(InvalidValue, match="cannot be changed or cleared"):
            check_lead_edit(logged, {"first_contact_at": moved}, now)
    check_lead_edit(logged, {"notes": "called back"}, now)


# -- routing a lead (seed 001: "leads that match partner territory or expertise") -------------

from workbench.domain.leads import (
    AssignmentRule,
    LeadFacts,
    PartnerFacts,
    rank_partners,
)

_T = datetime(2026, 12, 1, tzinfo=UTC)


def _partner(pid, tier, region="EMEA", last=None, status="active", territory=None):
    return PartnerFacts(id=pid, name=pid.title(), tier=tier, region=region, territory=territory,
                        program_status=status, last_lead_at=last)


def test_lead_goes_to_the_region_then_the_higher_tier():
    partners = [_partner("silver-emea", "silver"), _partner("gold-na", "gold", region="NA"),
                _partner("gold-emea", "gold"), _partner("nowhere", "platinum", region=None)]
    ranked = rank_partners(LeadFacts(region="emea"), partners, []).ranked
    assert [r.partner.id for r in ranked] == ["gold-emea", "silver-emea", "nowhere"]
    assert ranked[0].reasons == ("covers emea", "Gold tier")


def test_equals_take_turns_round_robin():
    older, newer = _T - timedelta(days=3), _T - timedelta(hours=1)
    partners = [_partner("a", "gold", last=newer), _partner("b", "gold", last=older),
                _partner("c", "gold", last=None)]
    assert [r.partner.id for r in rank_partners(LeadFacts(region="EMEA"), partners, []).ranked
            ] == ["c", "b", "a"]


def test_first_matching_rule_picks_the_pool_and_tier_floor():
    partners = [_partner("a", "silver"), _partner("b", "gold"), _partner("c", "platinum")]
    rules = [AssignmentRule("r1", "Healthcare", industry="Healthcare", partner_ids=("a", "b")),
             AssignmentRule("r2", "EMEA gold+", region="EMEA", min_tier="gold")]
    health = rank_partners(LeadFacts(region="EMEA", industry="healthcare"), partners, rules)
    assert health.rule.name == "Healthcare" and [r.partner.id for r in health.ranked] == ["b", "a"]
    other = rank_partners(LeadFacts(region="EMEA", industry="Retail"), partners, rules)
    assert other.rule.name == "EMEA gold+" and [r.partner.id for r in other.ranked] == ["c", "b"]


def test_recycled_leads_skip_partners_who_had_them_and_inactive_partners():
    partners = [_partner("a", "gold"), _partner("b", "gold", status="offboarded"),
                _partner("c", "silver")]
    routing = rank_partners(LeadFacts(region="EMEA"), partners, [], exclude=["a"])
    assert [r.partner.id for r in routing.ranked] == ["c"]
    assert rank_partners(LeadFacts(region="EMEA"), partners, [], exclude=["a", "c"]).best is None
