"""The partner scorecard: the figures a rep brings to a quarterly business review.

Seed 001 names the metrics (registrations in the last 90 days, approval rate, pipeline by stage,
close rate against the program average, average deal size and sales cycle, closed revenue in the
last 12 months, time to first deal). Seed 003 §3 gives the low/typical/high benchmark bands, §4
the engagement score and the tier rubric (both computed by `workbench.domain.scoring`).

Pure functions over plain rows in wire form — the dicts the local store and the vendor server
both hold (money in integer cents, dates "YYYY-MM-DD", timestamps ISO UTC text) — so the desktop
and the server compute the same figures. The rows given are the partner's own; choosing them is
the caller's job.

Decisions, each made once here:

- **Period and reference moment.** A period is a calendar quarter ("2026Q3"; "2026-Q3", the label
  the vendor publishes program averages under, is accepted too). Figures are computed `as_of`
  the reference moment: now for the current quarter, the quarter's last instant for a past one.
  Every "last N days" window ends at `as_of`.
- **Windows as the vendor computes its program averages** (`publish_averages` on the server), so
  a partner's figure and the program's compare like with like: "last 90 days" is timestamps from
  `as_of` − 90 days to `as_of`; "last 12 months" is dates from `as_of`'s date − 365 days to that
  date, both ends included.
- **Registrations** count once submitted (the vendor's `submitted_at`); a draft, or a submission
  still waiting in the outbox, has not reached the vendor yet. Approved means `approved_at` is
  set; decided means approved or rejected; the approval rate is approved / decided.
- **Deals** are the partner's opportunities. Close rate is won / (won + lost) closed in the last
  12 months; average deal size and sales cycle (opened_on → closed_on) are over the won ones.
  Pipeline is what is open at `as_of`, at its current stage (stage history is not kept).
- **Registration-to-close conversion**: of the registrations submitted in the last 12 months, the
  share whose deal was won by `as_of` (the opportunity opened from the registration was won, or
  the registration itself is marked won). The registration funnel uses the same cohort.
- **Sourced vs influenced revenue**: won deals of the last 12 months on which the partner holds an
  attribution, at its credited share (`split_percent`, 100 when not given). "sourced" counts as
  sourced; "influenced", "fulfillment" and "referral" count as influenced; a deal counts once,
  as sourced when the partner holds both.
- **Time to first deal**: days from the partner's `joined_on` to its first won deal closed on or
  after that day.
- **Lead SLA compliance**: leads assigned in the last 90 days whose 48-hour first-contact SLA is
  decided (met or breached, by `workbench.domain.leads`): met / decided. Leads still inside their
  48 hours are pending and left out; leads the partner rejected are left out; a lead marked
  "contacted" without a time counts as met (as `domain.leads` treats it as contacted).
- **Engagement**: activity events counted by kind over the window and scored by
  `scoring.engagement_score`; kinds without a weight in seed 003 (content_share, event) add
  nothing. Commitment points are "training completions, certifications achieved" (seed 003 §4):
  every completed learning record — a training or a certification — counts as one training at
  its completion moment, beside any "training" activity events (sessions logged without a
  learning record).
- **Certification completion**: of the partner's people (its partner users and anyone with a
  learning record), the share holding at least one completed, unexpired training or
  certification. The tier rubric's certification level is "all" when valid certifications of
  every level (basic, advanced, expert) are held, else the highest held ("expert" alone counts as
  "advanced"), else "none".
- **Customer satisfaction** is the vendor's latest NPS survey of the partner's customers (the
  partner record's `nps`, -100 to 100, taken on `nps_surveyed_on`); a survey dated after
  `as_of` is not yet known then. No survey: not measured (0 rubric points).
- **Tier qualification** feeds the rubric with the 12-month sourced revenue, the registrations
  submitted in the period's quarter so far, the certification level, the customer NPS and the
  90-day engagement score.
- Rates are percentages rounded half up to one decimal; averages of money are whole cents
  rounded half up; days and hours one decimal.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from workbench.domain import formatting, scoring
from workbench.domain.leads import lead_sla, sla_of
from workbench.domain.model import CERTIFICATION_LEVELS, OPPORTUNITY_STAGES
from workbench.domain.values import InvalidValue, format_datetime, parse_datetime

Row = Mapping[str, Any]

DAYS_90 = timedelta(days=90)
DAYS_30 = timedelta(days=30)
YEAR_DAYS = 365
TREND_MONTHS = 12
TOP_ACCOUNTS = 10
STAGE_NAMES = OPPORTUNITY_STAGES  # declared with the opportunity's stage field
INFLUENCE_ROLES = ("influenced", "fulfillment", "referral")
CERTIFICATION_LEVEL_ORDER = CERTIFICATION_LEVELS  # lowest first, as the model declares them

# ---------------------------------------------------------------------------------------------
# Periods


_PERIOD = re.compile(r"^\s*(\d{4})\s*-?\s*Q([1-4])\s*$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Period:
    """A calendar quarter."""

    year: int
    quarter: int

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def title(self) -> str:
        return f"Q{self.quarter} {self.year}"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def next(self) -> Period:
        if self.quarter == 4:
            return Period(self.year + 1, 1)
        return Period(self.year, self.quarter + 1)


def quarter_of(moment: datetime) -> Period:
    day = moment.astimezone(UTC).date()
    return Period(day.year, (day.month - 1) // 3 + 1)


def parse_period(text: str | None, now: datetime) -> Period:
    """"2026Q3" (or "2026-Q3") → that quarter; None or "" → the quarter `now` is in.

    Raises InvalidValue naming "period" for anything else, and for a quarter not yet begun.
    """
    if text is None or not text.strip():
        return quarter_of(now)
    match = _PERIOD.match(text)
    if not match:
        raise InvalidValue("period", f"expected a quarter such as 2026Q3, got {text!r}", "Quarter")
    period = Period(int(match.group(1)), int(match.group(2)))
    if period.year < 1900:
        raise InvalidValue("period", f"{period.label} is before 1900", "Quarter")
    if period.first_day > now.astimezone(UTC).date():
        raise InvalidValue("period", f"{period.label} has not begun yet (today is "
                                     f"{now.astimezone(UTC).date().isoformat()})", "Quarter")
    return period


def reference_moment(period: Period, now: datetime) -> datetime:
    """`now` inside the period, else the period's last instant (its figures as it closed)."""
    end = datetime.combine(period.last_day, time.max, tzinfo=UTC)
    return min(now.astimezone(UTC), end)


# ---------------------------------------------------------------------------------------------
# Benchmarks (seed 003 §3)

_ADOPTION = "seed 003 §3, Partner Program Adoption Benchmarks"


@dataclass(frozen=True)
class Benchmark:
    """One row of seed 003 §3: its Low / Typical / High columns and where each starts.

    "High" is always the good end: for approval time and time to first deal fewer is better.
    A value beyond `low_limit` (on the bad side) is low; inside the typical range typical; beyond
    `high_limit` (on the good side, or on it when `high_inclusive`) high; values in the gaps the
    seed leaves are "below typical" or "above typical".
    """

    low: str
    typical: str
    high: str
    low_limit: float
    typical_range: tuple[float, float]
    high_limit: float
    high_inclusive: bool = False
    lower_is_better: bool = False
    source: str = _ADOPTION

    def rate(self, value: float | Decimal) -> str:
        sign = -1 if self.lower_is_better else 1
        v, low, high = sign * float(value), sign * self.low_limit, sign * self.high_limit
        typical_from, typical_to = sorted(sign * t for t in self.typical_range)
        if v < low:
            return "low"
        if v > high or (self.high_inclusive and v == high):
            return "high"
        if typical_from <= v <= typical_to:
            return "typical"
        return "below typical" if v < typical_from else "above typical"

    def to_json(self) -> dict[str, str]:
        return {"low": self.low, "typical": self.typical, "high": self.high, "source": self.source}


REGISTRATIONS_PER_QUARTER = Benchmark("<1", "2-4", "6+", 1, (2, 4), 6, high_inclusive=True)
APPROVAL_TIME_HOURS = Benchmark(">72 h", "24-48 h", "<4 h", 72, (24, 48), 4, lower_is_better=True)
REGISTRATION_TO_CLOSE = Benchmark("<10%", "15-25%", ">30%", 10, (15, 25), 30)
TRAINING_COMPLETION = Benchmark("<30%", "50-65%", ">80%", 30, (50, 65), 80)
TIME_TO_FIRST_DEAL = Benchmark(">120 days", "60-90 days", "<45 days", 120, (60, 90), 45,
                               lower_is_better=True)
# Seed 003 §4 validation scale of the (monthly) engagement score; rated by scoring.engagement_band.
ENGAGEMENT_SCALE = Benchmark("<10", "10-25", ">50", 10, (10, 25), 50,
                             source="seed 003 §4, Partner Engagement Scoring Model (validation)")


# ---------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class ProgramAverage:
    """A program-wide figure the vendor published (program_averages records)."""

    metric: str
    value: Decimal
    period: str  # the period label it was published under


@dataclass(frozen=True)
class Measure:
    """One KPI: its value, what it is over, and how it compares.

    `unit` is one of "count", "percent", "cents", "days", "hours", "points". `value` None means
    there is not enough data (`note` says why). `part`/`whole` are the counts behind a rate;
    `count` is how many items a sum or an average is over.
    """

    key: str
    label: str
    window: str  # "90 days", "12 months", "snapshot" …
    unit: str
    value: int | Decimal | None
    part: int | None = None
    whole: int | None = None
    count: int | None = None
    benchmark: Benchmark | None = None
    rating: str | None = None
    program: ProgramAverage | None = None
    note: str = ""


@dataclass(frozen=True)
class StageTotal:
    stage: int
    name: str
    deals: int
    amount_cents: int


@dataclass(frozen=True)
class MonthValue:
    month: str  # "2026-07"
    value: int | float  # cents for revenue, points for engagement


@dataclass(frozen=True)
class Funnel:
    submitted: int
    approved: int
    won: int


@dataclass(frozen=True)
class AccountRevenue:
    name: str
    won_deals: int
    revenue_cents: int
    open_pipeline_cents: int


@dataclass(frozen=True)
class TierProgress:
    inputs: scoring.TierInputs
    score: scoring.TierScore
    steps: tuple[str, ...]  # what would lift the partner into the next tier


@dataclass(frozen=True)
class Scorecard:
    partner_id: str | None
    partner_name: str
    recorded_tier: str | None  # the tier on the vendor's partner record
    period: Period
    as_of: datetime
    data_as_of: datetime | None  # the last sync; None: never synced
    measures: tuple[Measure, ...]
    pipeline: tuple[StageTotal, ...]
    revenue_by_month: tuple[MonthValue, ...]
    engagement_by_month: tuple[MonthValue, ...]
    funnel: Funnel
    engagement_30d: scoring.EngagementScore
    engagement_90d: scoring.EngagementScore
    tier: TierProgress
    certification_level: str
    leads_pending: int  # leads still inside the program's first-contact SLA
    top_accounts: tuple[AccountRevenue, ...]
    lead_sla_hours: int = 48  # the SLA the lead figure was counted against

    def measure(self, key: str) -> Measure:
        for measure in self.measures:
            if measure.key == key:
                return measure
        raise KeyError(key)

    def to_json(self) -> dict[str, Any]:
        """One JSON document; money in integer cents, decimals as numbers."""
        return {
            "partner": {"id": self.partner_id, "name": self.partner_name,
                        "recorded_tier": self.recorded_tier},
            "period": {"label": self.period.label, "first_day": self.period.first_day.isoformat(),
                       "last_day": self.period.last_day.isoformat()},
            "as_of": format_datetime(self.as_of),
            "data_as_of": format_datetime(self.data_as_of) if self.data_as_of else None,
            "metrics": {m.key: _measure_json(m) for m in self.measures},
            "pipeline_by_stage": [asdict(s) for s in self.pipeline],
            "revenue_by_month": [{"month": m.month, "revenue_cents": m.value}
                                 for m in self.revenue_by_month],
            "engagement_by_month": [{"month": m.month, "score": m.value}
                                    for m in self.engagement_by_month],
            "registration_funnel": asdict(self.funnel),
            "engagement": {"trailing_30_days": asdict(self.engagement_30d),
                           "trailing_90_days": asdict(self.engagement_90d)},
            "tier": _tier_json(self.tier, self.certification_level),
            "leads_pending_first_contact": self.leads_pending,
            "top_accounts": [asdict(a) for a in self.top_accounts],
        }


def _measure_json(measure: Measure) -> dict[str, Any]:
    document: dict[str, Any] = {"label": measure.label, "window": measure.window,
                                "unit": measure.unit, "value": _number(measure.value)}
    for name in ("part", "whole", "count"):
        if getattr(measure, name) is not None:
            document[name] = getattr(measure, name)
    if measure.benchmark:
        document["benchmark"] = {**measure.benchmark.to_json(), "rating": measure.rating}
    if measure.program:
        document["program_average"] = {"value": _number(measure.program.value),
                                       "period": measure.program.period}
    if measure.note:
        document["note"] = measure.note
    return document


def _tier_json(tier: TierProgress, certification_level: str) -> dict[str, Any]:
    score = tier.score
    return {"points": score.total, "tier": score.tier, "criteria": dict(score.points),
            "next_tier": score.next_tier, "points_to_next": score.points_to_next,
            "to_reach_next_tier": list(tier.steps), "inputs": asdict(tier.inputs),
            "certification_level": certification_level}


def _number(value: object) -> object:
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent  # "n", "N" or "F" for NaN and infinity
        whole = isinstance(exponent, int) and exponent >= 0 and value == value.to_integral_value()
        return int(value) if whole else float(value)
    return value


# ---------------------------------------------------------------------------------------------
# Inputs


@dataclass(frozen=True)
class ScorecardData:
    """Everything a scorecard is computed from: the partner's rows in wire form."""

    partner_name: str
    partner_id: str | None = None
    partner: Row | None = None  # the partners record, when known
    last_sync_at: datetime | None = None
    registrations: Sequence[Row] = ()
    opportunities: Sequence[Row] = ()
    attributions: Sequence[Row] = ()
    leads: Sequence[Row] = ()
    learning_records: Sequence[Row] = ()
    activity_events: Sequence[Row] = ()
    partner_users: Sequence[Row] = ()
    program_averages: Sequence[Row] = ()
    lead_sla_hours: int = 48  # the program's first-contact SLA (seed 001: 48 h by default)


def compute_scorecard(data: ScorecardData, period: Period, now: datetime) -> Scorecard:
    """The whole scorecard for `period`, computed as of `reference_moment(period, now)`."""
    at = Window.ending(reference_moment(period, now))
    regs = [_Registration.of(r) for r in data.registrations]
    deals = [_Deal.of(o) for o in data.opportunities]
    activity = parse_activity(data.activity_events, data.learning_records)
    averages = ProgramAverages(data.program_averages, period)
    engagement_30 = _score(activity, at.days_30_stamp, at.as_of_stamp)
    engagement_90 = _score(activity, at.days_90_stamp, at.as_of_stamp)
    certification = certification_level(data.learning_records, at.as_of)
    sourced, influenced = attributed_revenue(deals, data.attributions, at)
    nps = customer_nps(data.partner, at.today)
    tier = tier_progress(int(sourced.value or 0), registrations_in_quarter(regs, period, at.as_of),
                         certification, engagement_90.total, nps=nps.value)
    lead_stats = lead_sla_compliance(data.leads, at.as_of, data.lead_sla_hours)
    funnel = registration_funnel(regs, deals, at)
    pipeline = pipeline_by_stage(deals, at.today)
    joined_on = _date((data.partner or {}).get("joined_on"))
    measures = (
        *registration_measures(regs, at, averages),
        open_pipeline_measure(pipeline),
        *deal_measures(deals, at, averages),
        sourced, influenced,
        registration_to_close(funnel),
        time_to_first_deal(joined_on, deals, at.today),
        lead_stats.measure,
        engagement_measure("engagement_30d", "30 days", engagement_30, rated=True),
        engagement_measure("engagement_90d", "90 days", engagement_90),
        Measure("tier_points", "Tier qualification points", "this quarter", "points",
                tier.score.total, note=tier.score.tier),
        certification_completion(data.learning_records, data.partner_users, at.as_of),
        nps,
    )
    return Scorecard(
        partner_id=data.partner_id, partner_name=data.partner_name,
        recorded_tier=(data.partner or {}).get("tier"), period=period, as_of=at.as_of,
        data_as_of=data.last_sync_at, measures=measures, pipeline=pipeline,
        revenue_by_month=revenue_by_month(deals, at.as_of),
        engagement_by_month=engagement_by_month(activity, at.as_of), funnel=funnel,
        engagement_30d=engagement_30, engagement_90d=engagement_90, tier=tier,
        certification_level=certification, leads_pending=lead_stats.pending,
        top_accounts=top_accounts(deals, at), lead_sla_hours=data.lead_sla_hours)


# ---------------------------------------------------------------------------------------------
# Wire values and windows


def _date(text: object) -> date | None:
    return date.fromisoformat(text) if isinstance(text, str) and text else None


def _moment(text: object) -> datetime | None:
    return parse_datetime(text) if isinstance(text, str) and text else None


def _stamp(text: object) -> str | None:
    """A wire timestamp in its one canonical form, "2026-08-01T09:00:00.000000Z"
    (values.format_datetime). Such stamps sort as text in time order, so the thousands of
    registrations and activity events are windowed by comparing text, not parsed one by one."""
    if not isinstance(text, str) or not text:
        return None
    if len(text) == 27 and text[10] == "T" and text[-1] == "Z":
        return text
    return format_datetime(parse_datetime(text))


def _in_days(moment: datetime | None, start: datetime, end: datetime) -> bool:
    return moment is not None and start <= moment <= end


@dataclass(frozen=True)
class Window:
    """The reference moment and the windows ending at it (see the module notes), as dates and
    as canonical stamps (`_stamp`)."""

    as_of: datetime
    today: date  # the UTC date of `as_of`
    year_from: date  # first day of the last 12 months
    year_from_text: str  # the same, "YYYY-MM-DD"
    as_of_stamp: str
    days_90_stamp: str  # start of the last 90 days
    days_30_stamp: str  # start of the last 30 days

    @classmethod
    def ending(cls, as_of: datetime) -> Window:
        as_of = as_of.astimezone(UTC)
        return cls(as_of=as_of, today=as_of.date(),
                   year_from=as_of.date() - timedelta(days=YEAR_DAYS),
                   year_from_text=(as_of.date() - timedelta(days=YEAR_DAYS)).isoformat(),
                   as_of_stamp=format_datetime(as_of),
                   days_90_stamp=format_datetime(as_of - DAYS_90),
                   days_30_stamp=format_datetime(as_of - DAYS_30))

    def in_year(self, day: date | None) -> bool:
        return day is not None and self.year_from <= day <= self.today

    def stamp_in_year(self, stamp: str | None) -> bool:
        return stamp is not None and self.year_from_text <= stamp <= self.as_of_stamp

    def stamp_in_90_days(self, stamp: str | None) -> bool:
        return stamp is not None and self.days_90_stamp <= stamp <= self.as_of_stamp


def last_12_months(as_of: datetime) -> tuple[date, date]:
    """First and last day (both included) of the 12-month window ending at `as_of`."""
    window = Window.ending(as_of)
    return window.year_from, window.today


def trend_months(as_of: datetime, count: int = TREND_MONTHS) -> list[tuple[int, int]]:
    """(year, month index 0-11) of the `count` calendar months ending with `as_of`'s month,
    oldest first."""
    day = as_of.astimezone(UTC).date()
    index = day.year * 12 + day.month - 1
    return [divmod(i, 12) for i in range(index - count + 1, index + 1)]


def _month_key(year: int, month_index: int) -> str:
    return f"{year:04d}-{month_index + 1:02d}"


def percent(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _one_decimal(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _average_cents(amounts: Sequence[int]) -> int | None:
    if not amounts:
        return None
    return int((Decimal(sum(amounts)) / len(amounts)).quantize(Decimal(1), ROUND_HALF_UP))


class _Registration(NamedTuple):
    """What the metrics need of a registration; timestamps as canonical stamps."""

    id: str
    status: str
    submitted_at: str | None
    approved_at: str | None
    decided_at: str | None

    @classmethod
    def of(cls, row: Row) -> _Registration:
        return cls(row["id"], row.get("status") or "draft", _stamp(row.get("submitted_at")),
                   _stamp(row.get("approved_at")), _stamp(row.get("decided_at")))

    def approved_by(self, as_of: str) -> bool:
        return self.approved_at is not None and self.approved_at <= as_of

    def rejected_by(self, as_of: str) -> bool:
        return (self.status == "rejected" and not self.approved_by(as_of)
                and (self.decided_at is None or self.decided_at <= as_of))

    def hours_to_approval(self) -> float:
        if self.approved_at is None or self.submitted_at is None:
            raise ValueError("only an approved registration has a time to approval")
        return (parse_datetime(self.approved_at) -
                parse_datetime(self.submitted_at)).total_seconds() / 3600


class _Deal(NamedTuple):
    id: str
    customer: str
    customer_key: str
    registration_id: str | None
    stage: int
    amount_cents: int
    opened_on: date | None
    closed_on: date | None
    outcome: str

    @classmethod
    def of(cls, row: Row) -> _Deal:
        customer = row.get("customer_name") or row.get("name") or "Unnamed customer"
        return cls(row["id"], customer, row.get("customer_domain") or customer.casefold().strip(),
                   row.get("registration_id"), row.get("stage") or 0,
                   row.get("amount_cents") or 0, _date(row.get("opened_on")),
                   _date(row.get("closed_on")), row.get("outcome") or "open")

    def closed_by(self, today: date) -> bool:
        return self.outcome != "open" and (self.closed_on is None or self.closed_on <= today)

    def won_by(self, today: date) -> bool:
        return self.outcome == "won" and self.closed_by(today)

    def open_at(self, today: date) -> bool:
        opened = self.opened_on is None or self.opened_on <= today
        return opened and not self.closed_by(today)


# ---------------------------------------------------------------------------------------------
# Program averages


class ProgramAverages:
    """The vendor's published averages: for each metric, the latest period up to the scorecard's."""

    def __init__(self, rows: Iterable[Row], period: Period) -> None:
        self._latest: dict[str, tuple[Period, ProgramAverage]] = {}
        for row in rows:
            published = _published_period(row.get("period"))
            value = _decimal(row.get("value"))
            metric = row.get("metric")
            if published is None or value is None or not metric or published > period:
                continue
            known = self._latest.get(metric)
            if known is None or published > known[0]:
                self._latest[metric] = (published, ProgramAverage(metric, value, row["period"]))

    def get(self, metric: str) -> ProgramAverage | None:
        found = self._latest.get(metric)
        return found[1] if found else None


def _published_period(text: object) -> Period | None:
    match = _PERIOD.match(text) if isinstance(text, str) else None
    return Period(int(match.group(1)), int(match.group(2))) if match else None


def _decimal(text: object) -> Decimal | None:
    try:
        value = Decimal(str(text).strip())
    except ArithmeticError:
        return None
    return value if text is not None and value.is_finite() else None


# ---------------------------------------------------------------------------------------------
# Registrations


def registration_measures(regs: Sequence[_Registration], at: Window,
                          averages: ProgramAverages) -> tuple[Measure, Measure, Measure]:
    """Submitted in the last 90 days, their approval rate and median approval time."""
    recent = [r for r in regs if at.stamp_in_90_days(r.submitted_at)]
    approved = [r for r in recent if r.approved_by(at.as_of_stamp)]
    decided = len(approved) + sum(1 for r in recent if r.rejected_by(at.as_of_stamp))
    hours = [r.hours_to_approval() for r in approved]
    median = _one_decimal(statistics.median(hours)) if hours else None
    return (
        Measure("registrations_90d", "Registrations submitted", "90 days", "count",
                len(recent), benchmark=REGISTRATIONS_PER_QUARTER,
                rating=REGISTRATIONS_PER_QUARTER.rate(len(recent)),
                program=averages.get("registrations_per_partner")),
        Measure("approval_rate_90d", "Registration approval rate", "90 days", "percent",
                percent(len(approved), decided), part=len(approved), whole=decided,
                program=averages.get("registration_approval_rate_percent"),
                note="" if decided else "no decided registrations"),
        Measure("approval_time_90d", "Median approval time", "90 days", "hours",
                median, count=len(hours), benchmark=APPROVAL_TIME_HOURS,
                rating=APPROVAL_TIME_HOURS.rate(median) if median is not None else None,
                note="" if hours else "no approved registrations"),
    )


def registrations_in_quarter(regs: Sequence[_Registration], period: Period,
                             as_of: datetime) -> int:
    """Registrations submitted in the period's quarter up to `as_of` (the tier rubric's count)."""
    first, until = period.first_day.isoformat(), format_datetime(as_of)
    return sum(1 for r in regs if r.submitted_at is not None and first <= r.submitted_at <= until)


def _won_registration_ids(regs: Sequence[_Registration], deals: Sequence[_Deal],
                          at: Window) -> set[str]:
    won = {d.registration_id for d in deals if d.registration_id and d.won_by(at.today)}
    won |= {r.id for r in regs if r.status == "won"
            and (r.decided_at is None or r.decided_at <= at.as_of_stamp)}
    return won


def registration_funnel(regs: Sequence[_Registration], deals: Sequence[_Deal],
                        at: Window) -> Funnel:
    """Registrations submitted in the last 12 months → approved → won (by `as_of`)."""
    cohort = [r for r in regs if at.stamp_in_year(r.submitted_at)]
    won = _won_registration_ids(regs, deals, at)
    return Funnel(submitted=len(cohort),
                  approved=sum(1 for r in cohort if r.approved_by(at.as_of_stamp)),
                  won=sum(1 for r in cohort if r.id in won))


def registration_to_close(funnel: Funnel) -> Measure:
    """Won ÷ submitted of the registration funnel (the last 12 months' registrations)."""
    rate = percent(funnel.won, funnel.submitted)
    return Measure("registration_to_close_12m", "Registration-to-close conversion", "12 months",
                   "percent", rate, part=funnel.won, whole=funnel.submitted,
                   benchmark=REGISTRATION_TO_CLOSE,
                   rating=REGISTRATION_TO_CLOSE.rate(rate) if rate is not None else None,
                   note="" if funnel.submitted else "no registrations submitted")


# ---------------------------------------------------------------------------------------------
# Deals


def pipeline_by_stage(deals: Sequence[_Deal], today: date) -> tuple[StageTotal, ...]:
    """Open deals and their amounts for every stage 0-5 (empty stages included)."""
    counts: Counter[int] = Counter()
    amounts: Counter[int] = Counter()
    for deal in deals:
        if deal.open_at(today):
            stage = min(max(deal.stage, 0), len(STAGE_NAMES) - 1)
            counts[stage] += 1
            amounts[stage] += deal.amount_cents
    return tuple(StageTotal(stage, name, counts[stage], amounts[stage])
                 for stage, name in enumerate(STAGE_NAMES))


def open_pipeline_measure(stages: Sequence[StageTotal]) -> Measure:
    return Measure("open_pipeline", "Open pipeline", "snapshot", "cents",
                   sum(s.amount_cents for s in stages), count=sum(s.deals for s in stages))


def deal_measures(deals: Sequence[_Deal], at: Window,
                  averages: ProgramAverages) -> tuple[Measure, Measure, Measure, Measure]:
    """Close rate, average deal size, average sales cycle and closed revenue, last 12 months."""
    closed = [d for d in deals if d.closed_by(at.today) and at.in_year(d.closed_on)]
    won = [d for d in closed if d.outcome == "won"]
    cycles = [(d.closed_on - d.opened_on).days for d in won if d.opened_on and d.closed_on]
    cycle = _one_decimal(Decimal(sum(cycles)) / len(cycles)) if cycles else None
    return (
        Measure("close_rate_12m", "Close rate", "12 months", "percent",
                percent(len(won), len(closed)), part=len(won), whole=len(closed),
                program=averages.get("close_rate_percent"),
                note="" if closed else "no deals closed"),
        Measure("average_deal_size_12m", "Average deal size (won)", "12 months", "cents",
                _average_cents([d.amount_cents for d in won]), count=len(won),
                program=averages.get("avg_deal_size_cents"),
                note="" if won else "no deals won"),
        Measure("average_sales_cycle_12m", "Average sales cycle (won)", "12 months", "days",
                cycle, count=len(cycles), program=averages.get("avg_sales_cycle_days"),
                note="" if cycles else "no won deals with open and close dates"),
        Measure("closed_revenue_12m", "Closed-won revenue", "12 months", "cents",
                sum(d.amount_cents for d in won), count=len(won)),
    )


def revenue_by_month(deals: Sequence[_Deal], as_of: datetime) -> tuple[MonthValue, ...]:
    """Closed-won revenue per calendar month, for the 12 months ending with `as_of`'s month."""
    today = as_of.astimezone(UTC).date()
    totals: Counter[str] = Counter()
    for deal in deals:
        if deal.won_by(today) and deal.closed_on:
            totals[f"{deal.closed_on.year:04d}-{deal.closed_on.month:02d}"] += deal.amount_cents
    return tuple(MonthValue(key, totals[key])
                 for key in (_month_key(y, m) for y, m in trend_months(as_of)))


def time_to_first_deal(joined_on: date | None, deals: Sequence[_Deal], today: date) -> Measure:
    """Days from joining to the first won deal (rated low already when 120 days passed without)."""
    label, window, bench = "Time to first deal", "since joining", TIME_TO_FIRST_DEAL
    if joined_on is None:
        return Measure("time_to_first_deal", label, window, "days", None, benchmark=bench,
                       note="join date not known")
    wins = [d.closed_on for d in deals
            if d.won_by(today) and d.closed_on and d.closed_on >= joined_on]
    if wins:
        days = (min(wins) - joined_on).days
        return Measure("time_to_first_deal", label, window, "days", days, benchmark=bench,
                       rating=bench.rate(days), note=f"joined {formatting.day(joined_on)}")
    waiting = (today - joined_on).days
    return Measure("time_to_first_deal", label, window, "days", None, benchmark=bench,
                   rating="low" if bench.rate(waiting) == "low" else None,
                   note=f"no won deal yet, {waiting} days since joining")


def top_accounts(deals: Sequence[_Deal], at: Window,
                 limit: int = TOP_ACCOUNTS) -> tuple[AccountRevenue, ...]:
    """Customers by closed-won revenue of the last 12 months, with their open pipeline."""
    won: dict[str, list[_Deal]] = defaultdict(list)
    pipeline: Counter[str] = Counter()
    for deal in deals:
        if deal.won_by(at.today) and at.in_year(deal.closed_on):
            won[deal.customer_key].append(deal)
        elif deal.open_at(at.today):
            pipeline[deal.customer_key] += deal.amount_cents
    accounts = [AccountRevenue(name=max(ds, key=lambda d: d.closed_on or date.min).customer,
                               won_deals=len(ds), revenue_cents=sum(d.amount_cents for d in ds),
                               open_pipeline_cents=pipeline[key])
                for key, ds in won.items()]
    accounts.sort(key=lambda a: (-a.revenue_cents, -a.open_pipeline_cents, a.name.casefold()))
    return tuple(accounts[:limit])


# ---------------------------------------------------------------------------------------------
# Attribution


def attributed_revenue(deals: Sequence[_Deal], attributions: Iterable[Row],
                       at: Window) -> tuple[Measure, Measure]:
    """Partner-sourced and partner-influenced revenue of the won deals of the last 12 months."""
    won = {d.id: d for d in deals if d.won_by(at.today) and at.in_year(d.closed_on)}
    shares: dict[str, dict[str, int]] = defaultdict(dict)  # deal -> credit kind -> percent
    for row in attributions:
        deal_id, role = row.get("opportunity_id"), row.get("role")
        if deal_id not in won or (role != "sourced" and role not in INFLUENCE_ROLES):
            continue
        kind = "sourced" if role == "sourced" else "influenced"
        split = row.get("split_percent")
        split = 100 if split is None else split
        shares[deal_id][kind] = max(split, shares[deal_id].get(kind, 0))
    sourced = {d: s["sourced"] for d, s in shares.items() if "sourced" in s}
    influenced = {d: s["influenced"] for d, s in shares.items() if "sourced" not in s}
    return (_credited("sourced_revenue_12m", "Partner-sourced revenue", sourced, won),
            _credited("influenced_revenue_12m", "Partner-influenced revenue", influenced, won))


def _credited(key: str, label: str, splits: Mapping[str, int], won: Mapping[str, _Deal]) -> Measure:
    total = sum((Decimal(won[d].amount_cents) * split / 100 for d, split in splits.items()),
                Decimal(0))
    return Measure(key, label, "12 months", "cents", int(total.quantize(Decimal(1), ROUND_HALF_UP)),
                   count=len(splits))


# ---------------------------------------------------------------------------------------------
# Leads


@dataclass(frozen=True)
class LeadSlaStats:
    measure: Measure
    pending: int


def lead_sla_compliance(leads: Iterable[Row], as_of: datetime, hours: int = 48) -> LeadSlaStats:
    """Share of the leads assigned in the last 90 days first contacted within the program's SLA
    (`hours`, 48 unless the program says otherwise)."""
    met = breached = pending = 0
    for lead in leads:
        assigned_at = _moment(lead.get("assigned_at"))
        if assigned_at is None or not _in_days(assigned_at, as_of - DAYS_90, as_of) or \
                lead.get("working_status") == "rejected":
            continue
        outcome = _lead_outcome(lead, assigned_at, as_of, hours)
        met += outcome == "met"
        breached += outcome == "breached"
        pending += outcome == "pending"
    decided = met + breached
    measure = Measure("lead_sla_90d", f"Lead first contact within {hours} h", "90 days",
                      "percent", percent(met, decided), part=met, whole=decided,
                      note=f"{pending} waiting, still inside {hours} h" if pending else
                      ("" if decided else "no leads assigned"))
    return LeadSlaStats(measure, pending)


def _lead_outcome(lead: Row, assigned_at: datetime, as_of: datetime, hours: int = 48) -> str:
    contacted_at = _moment(lead.get("first_contact_at"))
    if contacted_at is not None and contacted_at > as_of:
        contacted_at = None  # not yet contacted at the reference moment
    if contacted_at is None and lead.get("working_status") == "contacted":
        return "met"
    sla = lead_sla(assigned_at, contacted_at, as_of, sla_of(hours))
    return "met" if sla.met else "breached" if sla.breached else "pending"


# ---------------------------------------------------------------------------------------------
# Engagement

_ENGAGEMENT_KINDS = {"login": "logins", "download": "downloads", "registration": "registrations",
                     "training": "trainings", "closed_won": "closed_won"}


Activity = list[tuple[str, str]]  # (EngagementInputs field, stamp), engagement kinds only


def parse_activity(events: Iterable[Row], learning_records: Iterable[Row] = ()) -> Activity:
    """The events the engagement formula counts, with their canonical stamps: activity events
    of a weighted kind, and each completed training or certification as one training."""
    parsed = []
    for event in events:
        name = _ENGAGEMENT_KINDS.get(str(event.get("kind")))
        stamp = _stamp(event.get("occurred_at"))
        if name and stamp is not None:
            parsed.append((name, stamp))
    for record in learning_records:
        stamp = _stamp(record.get("completed_at"))
        if record.get("status") in _COMPLETED_LEARNING and stamp is not None:
            parsed.append(("trainings", stamp))
    return parsed


# A certification that has since expired was still achieved when it was completed.
_COMPLETED_LEARNING = ("completed", "expired")


def engagement_score(events: Iterable[Row], start: datetime, end: datetime,
                     learning_records: Iterable[Row] = ()) -> scoring.EngagementScore:
    """Seed 003 §4 engagement score of the activity events and learning completions from
    `start` to `end` (both included)."""
    return _score(parse_activity(events, learning_records), format_datetime(start),
                  format_datetime(end))


def _score(activity: Activity, start: str, end: str) -> scoring.EngagementScore:
    counts = Counter(name for name, stamp in activity if start <= stamp <= end)
    return scoring.engagement_score(scoring.EngagementInputs(**counts))


def engagement_by_month(activity: Activity, as_of: datetime) -> tuple[MonthValue, ...]:
    """The engagement score of each of the 12 calendar months ending with `as_of`'s month."""
    counts: dict[str, Counter[str]] = {_month_key(y, m): Counter() for y, m in trend_months(as_of)}
    until = format_datetime(as_of)
    for name, stamp in activity:
        bucket = counts.get(stamp[:7])  # "2026-08"
        if bucket is not None and stamp <= until:
            bucket[name] += 1
    return tuple(MonthValue(key, scoring.engagement_score(scoring.EngagementInputs(**c)).total)
                 for key, c in counts.items())


def engagement_measure(key: str, window: str, score: scoring.EngagementScore, *,
                       rated: bool = False) -> Measure:
    """An engagement score; the monthly (30-day) one is rated on seed 003 §4's scale."""
    value, label = _one_decimal(score.total), "Engagement score"
    if not rated:
        return Measure(key, label, window, "points", value)
    return Measure(key, label, window, "points", value, benchmark=ENGAGEMENT_SCALE,
                   rating=scoring.engagement_band(score.total))


# ---------------------------------------------------------------------------------------------
# Enablement


def _valid_completions(records: Iterable[Row], as_of: datetime) -> list[Row]:
    """Completed learning records, completed by `as_of` and not expired on its day."""
    today = as_of.astimezone(UTC).date()
    valid = []
    for record in records:
        completed_at = _moment(record.get("completed_at"))
        expires_on = _date(record.get("expires_on"))
        if record.get("status") != "completed" or (completed_at and completed_at > as_of):
            continue
        if expires_on is None or expires_on >= today:
            valid.append(record)
    return valid


def certification_level(records: Iterable[Row], as_of: datetime) -> str:
    """The tier rubric's level: "all", "advanced", "basic" or "none" (see the module notes)."""
    held = {r.get("level") for r in _valid_completions(records, as_of)
            if r.get("kind") == "certification"}
    if set(CERTIFICATION_LEVEL_ORDER) <= held:
        return "all"
    if held & {"advanced", "expert"}:
        return "advanced"
    return "basic" if "basic" in held else "none"


def certification_completion(records: Sequence[Row], partner_users: Iterable[Row],
                             as_of: datetime) -> Measure:
    """Share of the partner's people holding a completed, unexpired training or certification."""
    people = {_email(u.get("email")) for u in partner_users} | {_email(r.get("user_email"))
                                                                for r in records}
    people.discard("")
    done = {_email(r.get("user_email")) for r in _valid_completions(records, as_of)} & people
    rate = percent(len(done), len(people))
    return Measure("certification_completion", "Training / certification completion", "snapshot",
                   "percent",
                   rate, part=len(done), whole=len(people), benchmark=TRAINING_COMPLETION,
                   rating=TRAINING_COMPLETION.rate(rate) if rate is not None else None,
                   note="" if people else "no partner users known")


def _email(value: object) -> str:
    return value.strip().casefold() if isinstance(value, str) else ""


# ---------------------------------------------------------------------------------------------
# Tier


def customer_nps(partner: Row | None, today: date) -> Measure:
    """The partner's customer NPS as the vendor last surveyed it (see the module notes)."""
    row = partner or {}
    score, surveyed_on = row.get("nps"), _date(row.get("nps_surveyed_on"))
    if isinstance(score, bool) or not isinstance(score, int) or not -100 <= score <= 100 \
            or (surveyed_on is not None and surveyed_on > today):
        return Measure("customer_nps", "Customer NPS", "latest survey",
                       "points", None, note="not measured")
    note = f"surveyed {formatting.day(surveyed_on)}" if surveyed_on else ""
    return Measure("customer_nps", "Customer NPS", "latest survey",
                   "points", score, note=note)


def tier_progress(sourced_revenue_cents: int, registrations_this_quarter: int,
                  certification: str, engagement_90d: float, *,
                  nps: int | Decimal | None = None) -> TierProgress:
    """The rubric score (scoring.tier_score) and the cheapest steps to the next tier."""
    inputs = scoring.TierInputs(annual_sourced_revenue_cents=sourced_revenue_cents,
                                registrations_per_quarter=registrations_this_quarter,
                                certification_level=certification,
                                nps=None if nps is None else float(nps),
                                engagement_90d=engagement_90d)
    return TierProgress(inputs=inputs, score=scoring.tier_score(inputs),
                        steps=tuple(scoring.gap_to_next_tier(inputs)))


def tier_gap_sentence(tier: TierProgress) -> str:
    """"2 more registrations this quarter (+6 pts) and $40K more sourced revenue (+10 pts)
    → Gold"."""
    score = tier.score
    if score.next_tier is None:
        return f"{score.tier.title()} ({score.total} points) is the top tier."
    return f"{steps_text(tier.steps)} → {score.next_tier.title()}"


def steps_text(steps: Sequence[str]) -> str:
    """Steps as one phrase: "a", "a and b", "a, b and c" — capitalised."""
    joined = steps[0] if len(steps) == 1 else ", ".join(steps[:-1]) + " and " + steps[-1]
    return joined[:1].upper() + joined[1:]


# ---------------------------------------------------------------------------------------------
# Program averages (what the vendor publishes; computed by the functions above, so a partner's
# figure and the program's are counted the same way)

# Issue 13 / seed 001: an average of one or two partners would reveal their own deals to every
# other partner. Below this many contributing partners a figure is withheld.
MIN_PARTNERS_PER_AVERAGE = 3


@dataclass(frozen=True)
class ProgramFigure:
    metric: str  # the program_averages metric name
    value: Decimal | None  # None: withheld (fewer than MIN_PARTNERS_PER_AVERAGE) or no data
    partners: int  # how many partners' data the figure is made of

    @property
    def withheld(self) -> bool:
        return self.partners < MIN_PARTNERS_PER_AVERAGE


def program_figures(rows_by_partner: Mapping[str, tuple[Sequence[Row], Sequence[Row]]],
                    active_partners: int, as_of: datetime) -> tuple[ProgramFigure, ...]:
    """Program-wide figures from every partner's (registrations, opportunities), pooled.

    Close rate, average deal size and cycle pool the won/lost deals of the last 12 months;
    registrations per partner divides the last 90 days' submissions by the active partners;
    the approval rate pools the decided ones. Each figure counts the partners whose data it
    holds and is withheld below MIN_PARTNERS_PER_AVERAGE.
    """
    at = Window.ending(as_of)
    none = ProgramAverages((), quarter_of(at.as_of))
    all_regs: list[_Registration] = []
    all_deals: list[_Deal] = []
    counts: Counter[str] = Counter()
    for registrations, opportunities in rows_by_partner.values():
        regs = [_Registration.of(r) for r in registrations]
        deals = [_Deal.of(o) for o in opportunities]
        submitted, approval, _ = registration_measures(regs, at, none)
        close, size, cycle, _ = deal_measures(deals, at, none)
        counts["registrations_per_partner"] += bool(submitted.value)
        counts["registration_approval_rate_percent"] += bool(approval.whole)
        counts["close_rate_percent"] += bool(close.whole)
        counts["avg_deal_size_cents"] += bool(size.count)
        counts["avg_sales_cycle_days"] += bool(cycle.count)
        all_regs.extend(regs)
        all_deals.extend(deals)
    submitted, approval, _ = registration_measures(all_regs, at, none)
    close, size, cycle, _ = deal_measures(all_deals, at, none)
    per_partner = (Decimal(submitted.value or 0) / active_partners).quantize(
        Decimal("0.01"), ROUND_HALF_UP) if active_partners else None
    values: dict[str, Decimal | int | None] = {
        "close_rate_percent": close.value, "avg_deal_size_cents": size.value,
        "avg_sales_cycle_days": cycle.value, "registrations_per_partner": per_partner,
        "registration_approval_rate_percent": approval.value}
    figures = []
    for metric, value in values.items():
        partners = counts[metric]
        shown = None if value is None or partners < MIN_PARTNERS_PER_AVERAGE else Decimal(value)
        figures.append(ProgramFigure(metric, shown, partners))
    return tuple(figures)
