"""Channel-conflict tie-breakers — seed 003, edge case 3 (DESIGN §4)."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from workbench.domain.rules_of_engagement import ConflictDecision, decide_channel_conflict

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def test_seed_003_partner_registered_more_than_7_days_before_direct_wins_sourced():
    decision = decide_channel_conflict(registered_at=T0, direct_opened_at=T0 + 12 * DAY,
                                       direct_stage_at_registration=0)
    assert (decision.outcome, decision.partner_credit, decision.needs_mediation) == \
        ("partner", "sourced", False)
    assert "12 days before the direct opportunity" in decision.rationale


def test_seed_003_direct_at_stage_2_before_registration_wins_partner_influenced():
    decision = decide_channel_conflict(T0 + 20 * DAY, T0, direct_stage_at_registration=2)
    assert (decision.outcome, decision.partner_credit, decision.needs_mediation) == \
        ("direct", "influenced", False)
    assert "stage 2" in decision.rationale


def test_seed_003_within_7_days_channel_manager_mediates_default_co_sell_split():
    decision = decide_channel_conflict(T0 + 3 * DAY, T0, direct_stage_at_registration=1)
    assert decision == ConflictDecision("co_sell", "split", True, decision.rationale)
    assert "channel manager mediates" in decision.rationale
    assert "co-sell with split credit" in decision.rationale


@pytest.mark.parametrize("partner_lead", [timedelta(0), 3 * DAY, -3 * DAY, 7 * DAY, -7 * DAY])
def test_seed_003_simultaneous_means_within_7_days_either_way(partner_lead):
    decision = decide_channel_conflict(T0, T0 + partner_lead, direct_stage_at_registration=0)
    assert (decision.outcome, decision.partner_credit, decision.needs_mediation) == \
        ("co_sell", "split", True)


def test_exactly_7_days_ahead_is_not_more_than_7_days():
    assert decide_channel_conflict(T0, T0 + 7 * DAY, 0).outcome == "co_sell"
    decision = decide_channel_conflict(T0, T0 + 7 * DAY + timedelta(seconds=1), 0)
    assert decision.outcome == "partner"
    assert "just over 7 days" in decision.rationale


def test_stage_rule_beats_the_7_day_window():
    """A direct deal that reached stage 2 within days of opening is still the direct team's."""
    decision = decide_channel_conflict(T0 + 2 * DAY, T0, direct_stage_at_registration=3)
    assert (decision.outcome, decision.partner_credit) == ("direct", "influenced")


def test_stage_is_ignored_when_the_direct_opportunity_did_not_exist_yet():
    # opened after the registration: its stage "at registration" cannot count against the partner
    assert decide_channel_conflict(T0, T0 + 10 * DAY, direct_stage_at_registration=4).outcome == "partner"
    assert decide_channel_conflict(T0, T0 + 2 * DAY, direct_stage_at_registration=4).outcome == "co_sell"


def test_early_stage_direct_opportunity_long_before_registration_is_direct_but_mediated():
    """Not covered by seed 003: first in time (seed 001) keeps it, the channel manager reviews."""
    decision = decide_channel_conflict(T0 + 30 * DAY, T0, direct_stage_at_registration=1)
    assert (decision.outcome, decision.partner_credit, decision.needs_mediation) == \
        ("direct", "influenced", True)
    assert "30 days before the registration" in decision.rationale


def test_rationale_mentions_timing_in_plain_words_and_names_no_partner():
    decision = decide_channel_conflict(T0 + timedelta(days=3, hours=4), T0, 0)
    assert "3 days 4 hours after the direct opportunity was opened" in decision.rationale
    for text in (decision.rationale,
                 decide_channel_conflict(T0, T0 + 9 * DAY, 0).rationale,
                 decide_channel_conflict(T0 + 9 * DAY, T0, 2).rationale,
                 decide_channel_conflict(T0 + 30 * DAY, T0, 0).rationale):
        # DESIGN §3: the rep learns there is a conflict, not whose — only "the partner" appears
        assert {w.lower() for w in re.findall(r"(\w+) partner", text, flags=re.IGNORECASE)} <= {"the"}


def test_bad_inputs_are_refused_with_the_argument_named():
    with pytest.raises(ValueError, match="registered_at must be a timezone-aware"):
        decide_channel_conflict(datetime(2026, 1, 1), T0, 0)
    with pytest.raises(ValueError, match="direct_stage_at_registration"):
        decide_channel_conflict(T0, T0, -1)
