"""Scoring — seed 003 §4: engagement score, tier rubric, program ROI, attribution accuracy."""

from decimal import ROUND_DOWN, Decimal

import pytest

from workbench.domain.scoring import (
    EngagementInputs, EngagementScore, TierInputs, attribution_accuracy, engagement_band,
    engagement_score, gap_to_next_tier, program_roi, tier_for_points, tier_score)

K = 100_000  # cents in $1,000

# -- engagement ----------------------------------------------------------------------------------


def test_seed_003_engagement_worked_example_is_33_5():
    """8 logins, 2 registrations, 1 closed-won, 1 training, 5 downloads."""
    score = engagement_score(EngagementInputs(logins=8, registrations=2, closed_won=1, trainings=1,
                                              downloads=5))
    assert score == EngagementScore(activity=10.5, performance=20, commitment=3, total=33.5)


def test_seed_003_engagement_quick_reference_is_37_points():
    """(12 x 1) + (3 x 5) + (2 x 3) + (8 x 0.5) = 37."""
    score = engagement_score(EngagementInputs(logins=12, registrations=3, trainings=2, downloads=8))
    assert score.total == 37
    assert (score.activity, score.performance, score.commitment) == (16, 15, 6)


def test_no_activity_scores_zero():
    assert engagement_score(EngagementInputs()).total == 0


def test_negative_or_fractional_counts_are_refused_by_name():
    with pytest.raises(ValueError, match="downloads must be a whole number 0 or more, got -1"):
        engagement_score(EngagementInputs(downloads=-1))
    with pytest.raises(ValueError, match="logins"):
        engagement_score(EngagementInputs(logins=2.5))


@pytest.mark.parametrize("total, band", [
    (0, "disengaged"), (9.5, "disengaged"), (10, "moderate"), (24.5, "moderate"),
    (25, "strong"),  # seed bands "10-25" and "25-50" share 25: reaching it qualifies
    (33.5, "strong"), (37, "strong"), (50, "strong"), (50.5, "top"),  # "above 50"
])
def test_seed_003_engagement_bands(total, band):
    assert engagement_band(total) == band


# -- tier rubric ----------------------------------------------------------------------------------


def tier(revenue=0, regs=0, cert="none", nps=None, engagement=0.0) -> TierInputs:
    return TierInputs(annual_sourced_revenue_cents=revenue, registrations_per_quarter=regs,
                      certification_level=cert, nps=nps, engagement_90d=engagement)


@pytest.mark.parametrize("points, expected", [
    (0, "bronze"), (29, "bronze"), (30, "silver"), (54, "silver"), (55, "gold"), (79, "gold"),
    (80, "platinum"), (100, "platinum"),
])
def test_seed_003_tier_thresholds(points, expected):
    assert tier_for_points(points) == expected


@pytest.mark.parametrize("revenue, points", [
    (0, 5), (49_999 * 100, 5), (50 * K, 15),  # $50K is in two bands: the higher one wins
    (149_999 * 100, 15), (150 * K, 25), (499_999 * 100, 25), (500 * K, 30), (5_000 * K, 30),
])
def test_seed_003_revenue_band_boundaries(revenue, points):
    assert tier_score(tier(revenue=revenue)).points["sourced_revenue"] == points


@pytest.mark.parametrize("regs, points", [
    (0, 2), (1, 2), (2, 8), (5, 8), (6, 12), (9, 12),
    (10, 15),  # "6-10" and "10+" share 10: the higher band wins
    (25, 15),
])
def test_seed_003_registration_band_boundaries(regs, points):
    assert tier_score(tier(regs=regs)).points["registrations"] == points


@pytest.mark.parametrize("level, points", [("none", 0), ("basic", 5), ("advanced", 10), ("all", 15)])
def test_seed_003_certification_points(level, points):
    assert tier_score(tier(cert=level)).points["certification"] == points


@pytest.mark.parametrize("nps, points", [
    (None, 0),  # not measured
    (-100, 5), (29.9, 5), (30, 10), (49, 10), (50, 15), (70, 15),  # "NPS >70" is strictly above
    (70.1, 20), (100, 20),
])
def test_seed_003_satisfaction_band_boundaries(nps, points):
    assert tier_score(tier(nps=nps)).points["satisfaction"] == points


@pytest.mark.parametrize("engagement, points", [
    (0, 5), (14.5, 5), (15, 10), (29.5, 10), (30, 15), (50, 15), (50.5, 20),
])
def test_seed_003_engagement_band_boundaries_in_the_rubric(engagement, points):
    assert tier_score(tier(engagement=engagement)).points["engagement"] == points


def test_seed_003_full_marks_are_100_points_and_platinum():
    score = tier_score(tier(revenue=600 * K, regs=12, cert="all", nps=80, engagement=60))
    assert (score.total, score.tier, score.next_tier, score.points_to_next) == (100, "platinum", None, 0)


def test_tier_score_totals_the_criteria_and_says_the_gap():
    score = tier_score(tier(revenue=10 * K, regs=3, cert="basic", nps=42, engagement=22))
    assert score.points == {"sourced_revenue": 5, "registrations": 8, "certification": 5,
                            "satisfaction": 10, "engagement": 10}
    assert (score.total, score.tier, score.next_tier, score.points_to_next) == (38, "silver", "gold", 17)


def test_tier_inputs_are_checked_by_name():
    with pytest.raises(ValueError, match="certification_level must be one of none, basic, "
                                         "advanced, all; got 'expert'"):
        tier_score(tier(cert="expert"))
    with pytest.raises(ValueError, match="nps must be between -100 and 100"):
        tier_score(tier(nps=120))
    with pytest.raises(ValueError, match="annual_sourced_revenue_cents"):
        tier_score(tier(revenue=-1))
    with pytest.raises(ValueError, match="engagement_90d"):
        tier_score(tier(engagement=-3))


def test_gap_suggestions_are_concrete_and_close_the_gap():
    inputs = tier(revenue=10 * K, regs=3, cert="basic", nps=42, engagement=22)  # silver, 17 to gold
    assert gap_to_next_tier(inputs) == ["7 more registrations this quarter (+7 pts)",
                                        "complete all certifications (+10 pts)"]
    improved = tier(revenue=10 * K, regs=10, cert="all", nps=42, engagement=22)
    assert tier_score(improved).tier == "gold"


def test_gap_at_equal_effort_touches_fewer_criteria():
    inputs = tier(revenue=30 * K, regs=5, cert="advanced", nps=45, engagement=28)  # 5+8+10+10+10=43
    assert tier_score(inputs).points_to_next == 12
    # three one-band steps (+4 +5 +5) cost as much as two bands of registrations and one of
    # certification (+7 +5); the latter asks the partner to work on two things, not three
    assert gap_to_next_tier(inputs) == ["5 more registrations this quarter (+7 pts)",
                                        "complete all certifications (+5 pts)"]


def test_gap_of_one_band_is_the_single_smallest_step():
    inputs = tier(revenue=30 * K, regs=5, cert="advanced", nps=45, engagement=38)  # 48, 7 to gold
    assert tier_score(inputs).points_to_next == 7
    assert gap_to_next_tier(inputs) == ["5 more registrations this quarter (+7 pts)"]
    inputs = tier(revenue=30 * K, regs=4, cert="advanced", nps=45, engagement=51)  # 53, 2 to gold
    assert tier_score(inputs).points_to_next == 2
    # +4 from registrations or +5 from certification: same effort, the smaller overshoot wins
    assert gap_to_next_tier(inputs) == ["2 more registrations this quarter (+4 pts)"]


def test_gap_names_revenue_in_dollars_when_revenue_is_the_cheapest_way():
    inputs = tier(revenue=10 * K, regs=12, cert="all", nps=80, engagement=60)  # 95 - 25 = 75
    assert tier_score(inputs).total == 75
    assert gap_to_next_tier(inputs) == ["$40K more sourced revenue (+10 pts)"]
    odd = tier(revenue=1_234_567, regs=12, cert="all", nps=80, engagement=60)
    assert gap_to_next_tier(odd) == ["$37,654.33 more sourced revenue (+10 pts)"]


def test_gap_for_an_unmeasured_nps_says_to_measure_it():
    inputs = tier(revenue=600 * K, regs=12, cert="all", nps=None, engagement=60)  # 80: platinum
    assert gap_to_next_tier(inputs) == []
    inputs = tier(revenue=600 * K, regs=12, cert="advanced", nps=None, engagement=20)  # 30+15+10+0+10
    assert tier_score(inputs).points_to_next == 15
    assert gap_to_next_tier(inputs) == ["complete all certifications (+5 pts)",
                                        "raise the 90-day engagement score from 20 to above 50 (+10 pts)"]


@pytest.mark.parametrize("inputs", [
    tier(), tier(regs=1, cert="basic"), tier(revenue=200 * K, nps=10, engagement=12),
    tier(revenue=60 * K, regs=6, cert="advanced", nps=55, engagement=33.5),
])
def test_following_the_suggestions_reaches_the_next_tier(inputs):
    """Every suggestion is applied literally; the partner must then be in the next tier."""
    import re
    score = tier_score(inputs)
    values = dict(revenue=inputs.annual_sourced_revenue_cents, regs=inputs.registrations_per_quarter,
                  cert=inputs.certification_level, nps=inputs.nps, engagement=inputs.engagement_90d)
    for line in gap_to_next_tier(inputs):
        if m := re.match(r"\$([\d,]+)K more sourced revenue", line):
            values["revenue"] += int(m.group(1).replace(",", "")) * K
        elif m := re.match(r"(\d+) more registrations?", line):
            values["regs"] += int(m.group(1))
        elif "all certifications" in line:
            values["cert"] = "all"
        elif m := re.match(r"complete the (\w+) certification", line):
            values["cert"] = m.group(1)
        elif m := re.search(r"engagement score from [\d.]+ to (above )?([\d.]+)", line):
            values["engagement"] = float(m.group(2)) + (0.5 if m.group(1) else 0)
        elif m := re.search(r"NPS.* to (above )?(-?[\d.]+)", line):
            values["nps"] = float(m.group(2)) + (1 if m.group(1) else 0)
        elif line.startswith("measure customer NPS"):
            values["nps"] = 0
        else:
            raise AssertionError(f"unexpected suggestion {line!r}")
    assert tier_score(tier(**values)).tier == score.next_tier


# -- ROI and attribution accuracy ------------------------------------------------------------------


def test_seed_003_program_roi_worked_example_is_346_percent():
    roi = program_roi(sourced_revenue_cents=1_800_000 * 100, influenced_revenue_cents=3_200_000 * 100,
                      influence_weight=0.30,
                      costs_cents=[48_000 * 100, 270_000 * 100, 240_000 * 100, 60_000 * 100])
    assert roi == Decimal("346.60")  # (2,760,000 - 618,000) / 618,000 x 100
    assert roi.quantize(Decimal(1), rounding=ROUND_DOWN) == 346  # the seed prints it truncated


def test_seed_003_program_roi_quick_reference_is_400_percent():
    assert program_roi(2_000_000 * 100, 0, 0.25, [400_000 * 100]) == Decimal("400.00")


def test_roi_below_zero_when_costs_exceed_revenue():
    assert program_roi(100 * K, 0, 0.5, [200 * K]) == Decimal("-50.00")


@pytest.mark.parametrize("weight", [-0.1, 1.5, "abc", float("nan"), True])
def test_roi_influence_weight_out_of_range_is_refused_by_name(weight):
    with pytest.raises(ValueError, match="influence_weight"):
        program_roi(100 * K, 100 * K, weight, [10 * K])


@pytest.mark.parametrize("weight", [0, 1, "0.3", Decimal("0.45")])
def test_roi_influence_weight_between_0_and_1_is_accepted(weight):
    program_roi(100 * K, 100 * K, weight, [10 * K])


def test_roi_with_no_costs_is_undefined():
    with pytest.raises(ValueError, match="costs_cents: total program costs are zero"):
        program_roi(100 * K, 0, 0.3, [])
    with pytest.raises(ValueError, match="costs_cents"):
        program_roi(100 * K, 0, 0.3, [10 * K, -1])


def test_seed_003_attribution_accuracy_85_of_92_is_92_4_percent():
    assert attribution_accuracy(85, 92) == Decimal("92.4")
    assert attribution_accuracy(92, 92) == Decimal("100.0")


def test_attribution_accuracy_refuses_impossible_counts():
    with pytest.raises(ValueError, match="total_partner_involved: no partner-involved deals"):
        attribution_accuracy(0, 0)
    with pytest.raises(ValueError, match="attributed: 93 attributed deals cannot exceed the 92"):
        attribution_accuracy(93, 92)
