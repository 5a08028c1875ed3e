"""The partner scorecard metrics (seed 001 scorecard metrics; seed 003 §3 benchmarks, §4 scoring).

Figures are checked against hand-computed values for the sample partner in scorecard_sample.py.
"""

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.domain import scorecard_sample as sample
from workbench.domain import scorecard as sc
from workbench.domain import scoring
from workbench.domain.values import InvalidValue

Q3 = sc.Period(2026, 3)


def sample_data(**changes) -> sc.ScorecardData:
    values = dict(partner_name=sample.PARTNER_NAME, partner_id=sample.PARTNER_ID,
                  partner=sample.PARTNER, last_sync_at=sample.NOW - timedelta(hours=3),
                  program_averages=sample.PROGRAM_AVERAGES, **sample.ROWS)
    values.update(changes)
    return sc.ScorecardData(**values)


@pytest.fixture(scope="module")
def card() -> sc.Scorecard:
    return sc.compute_scorecard(sample_data(), Q3, sample.NOW)


def value(card, key):
    return card.measure(key).value


# --- periods -----------------------------------------------------------------------------------

def test_a_period_is_a_quarter_written_2026Q3_or_as_the_vendor_labels_it():
    assert sc.parse_period("2026Q3", sample.NOW) == Q3
    assert sc.parse_period(" 2026-q3 ", sample.NOW) == Q3
    assert (Q3.first_day, Q3.last_day) == (date(2026, 7, 1), date(2026, 9, 30))
    assert sc.Period(2025, 4).last_day == date(2025, 12, 31)
    assert sc.Period(2026, 1).label == "2026Q1" and sc.Period(2026, 1).title == "Q1 2026"


def test_no_period_means_the_current_quarter():
    assert sc.parse_period(None, sample.NOW) == Q3
    assert sc.parse_period("", datetime(2026, 12, 31, 23, 59, tzinfo=UTC)) == sc.Period(2026, 4)


@pytest.mark.parametrize("text", ["2026", "Q3", "2026Q5", "2026Q0", "26Q3", "2026-07", "next"])
def test_a_bad_period_is_refused_naming_the_period(text):
    with pytest.raises(InvalidValue) as error:
        sc.parse_period(text, sample.NOW)
    assert error.value.field == "period"
    assert "2026Q3" in str(error.value) and repr(text) in str(error.value)


def test_a_quarter_that_has_not_begun_is_refused():
    with pytest.raises(InvalidValue, match="2026Q4 has not begun yet"):
        sc.parse_period("2026Q4", sample.NOW)


def test_figures_are_as_of_now_in_the_current_quarter_and_as_of_its_end_for_a_past_one():
    assert sc.reference_moment(Q3, sample.NOW) == sample.NOW
    end = sc.reference_moment(sc.Period(2026, 2), sample.NOW)
    assert end == datetime(2026, 6, 30, 23, 59, 59, 999999, tzinfo=UTC)


# --- benchmarks (seed 003 §3) ------------------------------------------------------------------

@pytest.mark.parametrize("conversion, rating", [
    (9.9, "low"), (10, "below typical"), (14.9, "below typical"), (15, "typical"),
    (25, "typical"), (30, "above typical"), (30.1, "high")])
def test_seed_003_registration_to_close_bands_low_10_typical_15_25_high_30(conversion, rating):
    assert sc.REGISTRATION_TO_CLOSE.rate(conversion) == rating


@pytest.mark.parametrize("days, rating", [
    (121, "low"), (120, "below typical"), (91, "below typical"), (90, "typical"), (60, "typical"),
    (45, "above typical"), (44, "high")])
def test_seed_003_time_to_first_deal_bands_fewer_days_are_better(days, rating):
    assert sc.TIME_TO_FIRST_DEAL.rate(days) == rating


@pytest.mark.parametrize("count, rating", [(0, "low"), (1, "below typical"), (2, "typical"),
                                           (4, "typical"), (5, "above typical"), (6, "high")])
def test_seed_003_registrations_per_quarter_bands_below_1_typical_2_4_high_6_plus(count, rating):
    assert sc.REGISTRATIONS_PER_QUARTER.rate(count) == rating


@pytest.mark.parametrize("hours, rating", [(73, "low"), (72, "below typical"), (48, "typical"),
                                           (24, "typical"), (4, "above typical"), (3.9, "high")])
def test_seed_003_registration_approval_time_bands(hours, rating):
    assert sc.APPROVAL_TIME_HOURS.rate(hours) == rating


@pytest.mark.parametrize("completion, rating", [(29.9, "low"), (40, "below typical"),
                                                (50, "typical"), (65, "typical"),
                                                (80, "above typical"), (80.1, "high")])
def test_seed_003_training_completion_bands_low_30_typical_50_65_high_80(completion, rating):
    assert sc.TRAINING_COMPLETION.rate(completion) == rating


RANKS = ["low", "below typical", "typical", "above typical", "high"]


@given(st.floats(0, 500, allow_nan=False), st.floats(0, 500, allow_nan=False))
def test_a_better_value_never_gets_a_worse_rating(a, b):
    low, high = sorted((a, b))
    for bench in (sc.REGISTRATION_TO_CLOSE, sc.TRAINING_COMPLETION, sc.REGISTRATIONS_PER_QUARTER):
        assert RANKS.index(bench.rate(low)) <= RANKS.index(bench.rate(high))
    for bench in (sc.TIME_TO_FIRST_DEAL, sc.APPROVAL_TIME_HOURS):  # fewer is better
        assert RANKS.index(bench.rate(low)) >= RANKS.index(bench.rate(high))


# --- engagement (seed 003 §4) ------------------------------------------------------------------

def test_seed_003_monthly_engagement_worked_example_is_33_5_points(card):
    """Seed 003 §4: 8 logins, 5 downloads, 2 registrations, 1 deal won, 1 training = 33.5."""
    score = card.engagement_30d
    assert (score.activity, score.performance, score.commitment, score.total) == (10.5, 20, 3, 33.5)
    assert value(card, "engagement_30d") == Decimal("33.5")
    assert card.measure("engagement_30d").rating == "strong"  # seed: 25-50 strong


def test_seed_003_formula_quick_reference_example_is_37_points():
    """Seed 003 §4: (12 × 1) + (3 × 5) + (2 × 3) + (8 × 0.5) = 37 points."""
    events = ([{"kind": "login", "occurred_at": sample.ts("2026-08-01 10:00")}] * 12
              + [{"kind": "registration", "occurred_at": sample.ts("2026-08-01 10:00")}] * 3
              + [{"kind": "training", "occurred_at": sample.ts("2026-08-01 10:00")}] * 2
              + [{"kind": "download", "occurred_at": sample.ts("2026-08-01 10:00")}] * 8)
    score = sc.engagement_score(events, sample.NOW - timedelta(days=30), sample.NOW)
    assert score.total == 37


def test_the_90_day_engagement_adds_the_earlier_events_and_ignores_older_ones(card):
    assert value(card, "engagement_90d") == Decimal("50.5")  # 33.5 + 12 logins + 1 registration
    assert card.engagement_90d.total == 50.5


def test_engagement_trend_scores_each_calendar_month(card):
    months = {m.month: m.value for m in card.engagement_by_month}
    assert list(months)[0] == "2025-09" and list(months)[-1] == "2026-08" and len(months) == 12
    assert months["2026-08"] == 33.5 and months["2026-06"] == 17 and months["2026-04"] == 30
    assert months["2026-07"] == 0


# --- registrations -----------------------------------------------------------------------------

def test_registrations_of_the_last_90_days_and_their_approval_rate(card):
    registrations = card.measure("registrations_90d")
    assert registrations.value == sample.EXPECTED["registrations_90d"]
    assert registrations.rating == "typical"  # seed 003: 2-4 per quarter
    assert registrations.program.value == Decimal("3.25")
    rate, approved, decided = sample.EXPECTED["approval_rate_90d"]
    approval = card.measure("approval_rate_90d")
    assert (approval.value, approval.part, approval.whole) == (Decimal(rate), approved, decided)
    assert approval.program is None  # the published value is not a number
    time = card.measure("approval_time_90d")
    assert time.value == Decimal(sample.EXPECTED["approval_time_90d"]) and time.count == 2
    assert time.rating == "above typical"  # seed 003: 24-48 h typical, <4 h high


def test_registration_to_close_conversion_and_funnel(card):
    rate, won, submitted = sample.EXPECTED["registration_to_close_12m"]
    conversion = card.measure("registration_to_close_12m")
    assert (conversion.value, conversion.part, conversion.whole) == (Decimal(rate), won, submitted)
    assert conversion.rating == "high"  # seed 003: >30%
    assert card.funnel == sc.Funnel(submitted=5, approved=3, won=2)


# --- deals -------------------------------------------------------------------------------------

def test_pipeline_by_stage_lists_every_stage_with_the_open_deals(card):
    assert [(s.stage, s.deals, s.amount_cents) for s in card.pipeline] == [
        (0, 0, 0), (1, 1, 2_000_000), (2, 0, 0), (3, 1, 7_500_000), (4, 0, 0), (5, 0, 0)]
    amount, deals = sample.EXPECTED["open_pipeline"]
    assert (value(card, "open_pipeline"), card.measure("open_pipeline").count) == (amount, deals)


def test_close_rate_against_the_latest_program_average_up_to_the_period(card):
    rate, won, closed = sample.EXPECTED["close_rate_12m"]
    close = card.measure("close_rate_12m")
    assert (close.value, close.part, close.whole) == (Decimal(rate), won, closed)
    assert (close.program.value, close.program.period) == (Decimal("62.5"), "2026-Q3")


def test_average_deal_size_sales_cycle_and_closed_revenue_of_the_last_12_months(card):
    size = card.measure("average_deal_size_12m")
    assert size.value == sample.EXPECTED["average_deal_size_12m"] and size.count == 3
    assert size.program.value == Decimal("5000000")  # published as "2026Q3"
    cycle = card.measure("average_sales_cycle_12m")
    assert cycle.value == Decimal(sample.EXPECTED["average_sales_cycle_12m"])
    assert (cycle.program.value, cycle.program.period) == (Decimal("45.5"), "2026-Q1")
    assert value(card, "closed_revenue_12m") == sample.EXPECTED["closed_revenue_12m"]


def test_revenue_trend_by_month_sums_won_deals_by_closing_month(card):
    months = {m.month: m.value for m in card.revenue_by_month}
    assert months == {**{m: 0 for m in months}, "2025-10": 6_000_000, "2026-06": 12_000_000,
                      "2026-08": 4_500_000}


def test_time_to_first_deal_counts_days_from_joining_to_the_first_win(card):
    first = card.measure("time_to_first_deal")
    assert first.value == sample.EXPECTED["time_to_first_deal"] and first.rating == "typical"


def test_time_to_first_deal_without_a_win_is_rated_low_once_120_days_have_passed():
    no_wins = [dict(o, outcome="open", closed_on=None) for o in sample.OPPORTUNITIES]
    card = sc.compute_scorecard(sample_data(opportunities=no_wins), Q3, sample.NOW)
    first = card.measure("time_to_first_deal")
    assert first.value is None and first.rating == "low"
    assert first.note == "no won deal yet, 471 days since joining"


def test_sourced_and_influenced_revenue_at_the_credited_split(card):
    sourced = card.measure("sourced_revenue_12m")
    influenced = card.measure("influenced_revenue_12m")
    assert (sourced.value, sourced.count) == (sample.EXPECTED["sourced_revenue_12m"], 2)
    assert (influenced.value, influenced.count) == (sample.EXPECTED["influenced_revenue_12m"], 1)


def test_a_deal_sourced_and_fulfilled_by_the_partner_counts_once_as_sourced():
    attributions = [*sample.ATTRIBUTIONS,
                    {"opportunity_id": sample.O[1], "role": "fulfillment", "split_percent": 100}]
    card = sc.compute_scorecard(sample_data(attributions=attributions), Q3, sample.NOW)
    assert value(card, "sourced_revenue_12m") == 16_500_000
    assert value(card, "influenced_revenue_12m") == 3_000_000


def test_top_accounts_group_deals_by_customer_domain(card):
    assert [(a.name, a.won_deals, a.revenue_cents, a.open_pipeline_cents)
            for a in card.top_accounts] == [
        ("Müller Logistik AG", 1, 12_000_000, 7_500_000),
        ("Société Générale", 2, 10_500_000, 0)]  # the latest name of socgen.com


# --- leads -------------------------------------------------------------------------------------

def test_lead_sla_compliance_counts_decided_leads_and_48_hours_exactly_is_in_time(card):
    rate, met, decided = sample.EXPECTED["lead_sla_90d"]
    sla = card.measure("lead_sla_90d")
    assert (sla.value, sla.part, sla.whole) == (Decimal(rate), met, decided)
    assert card.leads_pending == 1


# --- enablement and tier -----------------------------------------------------------------------

def test_certification_completion_counts_people_with_a_valid_completion(card):
    rate, done, people = sample.EXPECTED["certification_completion"]
    completion = card.measure("certification_completion")
    assert (completion.value, completion.part, completion.whole) == (Decimal(rate), done, people)
    assert completion.rating == "below typical"  # seed 003: 50-65% typical, <30% low
    assert card.certification_level == "basic"  # the advanced one has expired


@pytest.mark.parametrize("levels, expected", [
    ((), "none"), (("basic",), "basic"), (("expert",), "advanced"),
    (("basic", "advanced"), "advanced"), (("basic", "advanced", "expert"), "all")])
def test_the_rubric_certification_level_from_valid_certifications(levels, expected):
    records = [{"kind": "certification", "level": level, "status": "completed",
                "completed_at": sample.ts("2026-01-01 00:00")} for level in levels]
    assert sc.certification_level(records, sample.NOW) == expected


def test_tier_points_use_the_rubric_and_say_what_closes_the_gap(card):
    tier = card.tier
    assert tier.inputs == scoring.TierInputs(annual_sourced_revenue_cents=16_500_000,
                                             registrations_per_quarter=3,
                                             certification_level="basic", nps=None,
                                             engagement_90d=50.5)
    assert tier.score.points == {"sourced_revenue": 25, "registrations": 8, "certification": 5,
                                 "satisfaction": 0, "engagement": 20}
    assert (tier.score.total, tier.score.tier) == (sample.EXPECTED["tier_points"], "gold")
    assert (tier.score.next_tier, tier.score.points_to_next) == ("platinum", 22)
    assert list(tier.steps) == scoring.gap_to_next_tier(tier.inputs)
    assert sc.tier_gap_sentence(tier) == (
        "7 more registrations this quarter (+7 pts), complete all certifications (+10 pts) and "
        "measure customer NPS on partner-sourced deals (+5 pts) → Platinum")


def test_the_issue_example_sentence_shape():
    """Issue 6: "2 more approved registrations this quarter and $40K sourced revenue → Gold"."""
    tier = sc.tier_progress(11_000_000, 0, "advanced", 35)  # 15 + 2 + 10 + 0 + 15 = 42
    assert tier.score.tier == "silver" and tier.score.points_to_next == 13
    assert sc.tier_gap_sentence(tier) == sc.steps_text(tier.steps) + " → Gold"
    assert sc.steps_text(["a", "b", "c"]) == "A, b and c"


# --- a past period, no data, JSON ---------------------------------------------------------------

def test_a_past_quarter_is_computed_as_it_stood_at_its_end():
    card = sc.compute_scorecard(sample_data(), sc.Period(2026, 2), sample.NOW)
    assert card.as_of == datetime(2026, 6, 30, 23, 59, 59, 999999, tzinfo=UTC)
    assert value(card, "registrations_90d") == 1  # only registration 3 (1 Apr 00:00 is outside)
    assert card.measure("approval_rate_90d").value == Decimal("0.0")
    assert (value(card, "open_pipeline"), card.measure("open_pipeline").count) == (7_500_000, 1)
    assert card.measure("close_rate_12m").program.value == Decimal("60.0")  # the Q2 figure
    assert card.tier.inputs.registrations_per_quarter == 2  # registrations 3 and 5


def test_no_data_gives_a_scorecard_of_empty_figures_that_say_why():
    card = sc.compute_scorecard(sc.ScorecardData(partner_name="Nobody"), Q3, sample.NOW)
    assert value(card, "registrations_90d") == 0 and value(card, "closed_revenue_12m") == 0
    assert card.measure("close_rate_12m").value is None
    assert card.measure("close_rate_12m").note == "no deals closed"
    assert card.measure("time_to_first_deal").note == "join date not known"
    assert card.measure("certification_completion").value is None
    assert card.top_accounts == () and card.tier.score.tier == "bronze"
    json.dumps(card.to_json())


def test_json_has_every_seed_001_metric_with_money_in_cents(card):
    document = json.loads(json.dumps(card.to_json()))
    metrics = document["metrics"]
    for key in ("registrations_90d", "approval_rate_90d", "open_pipeline", "close_rate_12m",
                "average_deal_size_12m", "average_sales_cycle_12m", "closed_revenue_12m",
                "time_to_first_deal"):  # seed 001's partner performance dashboard
        assert key in metrics
    assert metrics["closed_revenue_12m"]["value"] == 22_500_000
    assert metrics["close_rate_12m"]["value"] == 75.0
    assert metrics["close_rate_12m"]["program_average"] == {"value": 62.5, "period": "2026-Q3"}
    assert metrics["registration_to_close_12m"]["benchmark"] == {
        "low": "<10%", "typical": "15-25%", "high": ">30%", "rating": "high",
        "source": "seed 003 §3, Partner Program Adoption Benchmarks"}
    assert document["period"] == {"label": "2026Q3", "first_day": "2026-07-01",
                                  "last_day": "2026-09-30"}
    assert document["as_of"] == "2026-08-15T12:00:00.000000Z"
    assert document["data_as_of"] == "2026-08-15T09:00:00.000000Z"
    assert document["pipeline_by_stage"][1] == {"stage": 1, "name": "Qualification", "deals": 1,
                                                "amount_cents": 2_000_000}
    assert document["tier"]["points"] == 58 and document["tier"]["next_tier"] == "platinum"
    assert document["top_accounts"][0]["revenue_cents"] == 12_000_000


def test_time_to_first_deal_note_reads_the_join_date_as_every_other_date():
    """Issue 10 item 8: the PDF and CLI printed 'joined 2025-05-15' where every other date reads
    '15 May 2025'."""
    from workbench.domain.scorecard import time_to_first_deal
    measure = time_to_first_deal(date(2025, 5, 15), [], date(2026, 12, 1))
    assert "2025-05-15" not in (measure.note or "")


def test_a_certification_achieved_counts_as_training_in_the_engagement_score():
    """Seed 003 §4: commitment points are "training completions, certifications achieved" —
    the monthly worked example (8 logins, 5 downloads, 2 registrations, 1 deal won, 1 training
    = 33.5) scores the same when its one training is a certification the vendor recorded."""
    events = [e for e in sample.ACTIVITY_EVENTS if e["kind"] != "training"]
    certified = {"user_email": "anna@mueller.example", "kind": "certification",
                 "name": "Security Architect", "level": "expert", "status": "completed",
                 "completed_at": sample.ts("2026-08-06 10:00")}
    in_progress = {**certified, "status": "in_progress", "completed_at": None}
    start = sample.NOW - timedelta(days=30)
    assert sc.engagement_score(events, start, sample.NOW).total == 30.5
    score = sc.engagement_score(events, start, sample.NOW, [certified, in_progress])
    assert (score.commitment, score.total) == (3, 33.5)
    data = sc.ScorecardData(partner_name="Müller", activity_events=events,
                            learning_records=[certified])
    card = sc.compute_scorecard(data, sc.quarter_of(sample.NOW), sample.NOW)
    assert value(card, "engagement_30d") == Decimal("33.5")
    assert card.engagement_by_month[-1].value == 33.5
