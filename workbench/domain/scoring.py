"""Partner scoring, seed 003 §4: engagement score, tier rubric, program ROI, attribution accuracy.

Where the seed's bands share a boundary ("$0-$50K = 5pts, $50K-$150K = 15pts"; "6-10 = 12pts,
10+ = 15pts"; engagement "10-25" and "25-50"), a value exactly on the boundary earns the higher
band: reaching a threshold is what qualifies. Bands the seed writes with ">" ("NPS >70",
"engagement >50", "scores above 50") need a value strictly above it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from workbench.domain.formatting import money_brief

# ---------------------------------------------------------------------------------------------
# Engagement score

ENGAGEMENT_WEIGHTS = {"logins": 1, "downloads": 0.5, "registrations": 5, "closed_won": 10,
                      "trainings": 3}


@dataclass(frozen=True)
class EngagementInputs:
    logins: int = 0
    registrations: int = 0
    closed_won: int = 0
    trainings: int = 0
    downloads: int = 0


@dataclass(frozen=True)
class EngagementScore:
    activity: float  # logins, downloads
    performance: float  # registrations, closed-won deals
    commitment: float  # trainings completed
    total: float


def engagement_score(inputs: EngagementInputs) -> EngagementScore:
    """Seed 003: logins ×1, downloads ×0.5, registrations ×5, closed-won ×10, trainings ×3."""
    for name in ENGAGEMENT_WEIGHTS:
        _check_count(name, getattr(inputs, name))
    w = ENGAGEMENT_WEIGHTS
    activity = inputs.logins * w["logins"] + inputs.downloads * w["downloads"]
    performance = inputs.registrations * w["registrations"] + inputs.closed_won * w["closed_won"]
    commitment = float(inputs.trainings * w["trainings"])
    return EngagementScore(activity=float(activity), performance=float(performance),
                           commitment=commitment, total=float(activity + performance + commitment))


def engagement_band(total: float) -> str:
    """"disengaged" below 10, "moderate" from 10, "strong" from 25 up to 50, "top" above 50."""
    if total < 10:
        return "disengaged"
    if total < 25:
        return "moderate"
    if total <= 50:
        return "strong"
    return "top"


# ---------------------------------------------------------------------------------------------
# Tier qualification rubric

CERTIFICATION_POINTS = {"none": 0, "basic": 5, "advanced": 10, "all": 15}
TIER_THRESHOLDS = (("platinum", 80), ("gold", 55), ("silver", 30), ("bronze", 0))


@dataclass(frozen=True)
class _Band:
    floor: float
    points: int
    strict: bool = False  # the value must be above `floor`, not just reach it

    def holds(self, value: float) -> bool:
        return value > self.floor if self.strict else value >= self.floor


# criterion -> bands, lowest first
_BANDS: dict[str, tuple[_Band, ...]] = {
    "sourced_revenue": (_Band(0, 5), _Band(5_000_000, 15), _Band(15_000_000, 25),
                        _Band(50_000_000, 30)),  # cents: $50K, $150K, $500K
    "registrations": (_Band(0, 2), _Band(2, 8), _Band(6, 12), _Band(10, 15)),
    "satisfaction": (_Band(-100, 5), _Band(30, 10), _Band(50, 15), _Band(70, 20, strict=True)),
    "engagement": (_Band(0, 5), _Band(15, 10), _Band(30, 15), _Band(50, 20, strict=True)),
}
CRITERIA = ("sourced_revenue", "registrations", "certification", "satisfaction", "engagement")
# Effort of climbing one band, for suggesting the cheapest way up: registrations, certifications
# and portal engagement are in the partner's own hands this quarter; customer satisfaction moves
# only as surveyed customers answer; sourced revenue takes deals closing, usually quarters.
_STEP_EFFORT = {"registrations": 1, "certification": 1, "engagement": 1, "satisfaction": 2,
                "sourced_revenue": 3}
_SUGGESTION_ORDER = tuple(_STEP_EFFORT)


@dataclass(frozen=True)
class TierInputs:
    annual_sourced_revenue_cents: int
    registrations_per_quarter: int
    certification_level: str  # "none"|"basic"|"advanced"|"all"
    nps: float | None  # customer NPS on partner-sourced deals; None = not measured (0 pts)
    engagement_90d: float


@dataclass(frozen=True)
class TierScore:
    points: dict[str, int]  # per criterion, keys as in CRITERIA
    total: int
    tier: str
    next_tier: str | None
    points_to_next: int


def tier_for_points(points: int) -> str:
    """"platinum" 80+, "gold" 55-79, "silver" 30-54, "bronze" below 30 (seed 003)."""
    return next(tier for tier, floor in TIER_THRESHOLDS if points >= floor)


def tier_score(inputs: TierInputs) -> TierScore:
    """Seed 003 tier qualification rubric: five criteria, 100 points at most."""
    points = {criterion: _points(criterion, value) for criterion, value in _values(inputs).items()}
    total = sum(points.values())
    tier = tier_for_points(total)
    next_tier, floor = _next_tier(tier)
    return TierScore(points=points, total=total, tier=tier, next_tier=next_tier,
                     points_to_next=0 if next_tier is None else floor - total)


def gap_to_next_tier(inputs: TierInputs) -> list[str]:
    """The cheapest concrete steps that lift the partner into the next tier, in plain English.

    Each criterion can climb one or more bands; the step to a band is the smallest increment that
    reaches it ("2 more registrations this quarter (+4 pts)"). Of all combinations that close the
    gap, the one with the least effort wins (bands climbed, weighted by `_STEP_EFFORT`), then the
    one touching fewest criteria, then the one overshooting least. [] for a platinum partner.
    """
    score = tier_score(inputs)
    if score.next_tier is None:
        return []
    values = _values(inputs)
    options = {c: [None, *_upgrades(c, values[c], score.points[c])] for c in _SUGGESTION_ORDER}
    best_key, best_plan = None, None
    for plan in itertools.product(*options.values()):
        steps = [(c, step) for c, step in zip(options, plan, strict=True) if step is not None]
        gained = sum(step[1] for _, step in steps)
        if gained < score.points_to_next:
            continue
        effort = sum(step[2] * _STEP_EFFORT[c] for c, step in steps)
        key = (effort, len(steps), gained, [_SUGGESTION_ORDER.index(c) for c, _ in steps])
        if best_key is None or key < best_key:
            best_key, best_plan = key, steps
    assert best_plan is not None  # the rubric's maximum (100) is above every tier threshold
    return [_describe(c, values[c], target, gained) for c, (target, gained, _) in best_plan]


def _values(inputs: TierInputs) -> dict[str, object]:
    revenue = inputs.annual_sourced_revenue_cents
    _check_count("annual_sourced_revenue_cents", revenue)
    _check_count("registrations_per_quarter", inputs.registrations_per_quarter)
    if inputs.certification_level not in CERTIFICATION_POINTS:
        raise ValueError(f"certification_level must be one of {', '.join(CERTIFICATION_POINTS)}; "
                         f"got {inputs.certification_level!r}")
    if inputs.nps is not None and not -100 <= inputs.nps <= 100:
        raise ValueError(f"nps must be between -100 and 100 (or None when not measured); "
                         f"got {inputs.nps!r}")
    if not inputs.engagement_90d >= 0:
        raise ValueError(f"engagement_90d must be 0 or more, got {inputs.engagement_90d!r}")
    return {"sourced_revenue": revenue, "registrations": inputs.registrations_per_quarter,
            "certification": inputs.certification_level, "satisfaction": inputs.nps,
            "engagement": inputs.engagement_90d}


def _points(criterion: str, value: object) -> int:
    if criterion == "certification":
        return CERTIFICATION_POINTS[str(value)]
    if value is None:  # NPS not measured
        return 0
    bands = _BANDS[criterion]
    return max(band.points for band in bands if band.holds(_number(value)))


def _number(value: object) -> float:
    """A criterion's figure (cents, counts, NPS, score) as a number, checked by _inputs."""
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    raise TypeError(f"expected a number, got {value!r}")


def _next_tier(tier: str) -> tuple[str | None, int]:
    names = [name for name, _ in TIER_THRESHOLDS]
    position = names.index(tier)
    return (None, 0) if position == 0 else TIER_THRESHOLDS[position - 1]


def _upgrades(criterion: str, value: object, current: int) -> list[tuple[object, int, int]]:
    """(target, points gained, bands climbed) for every higher band of one criterion."""
    levels: list[tuple[object, int]]
    if criterion == "certification":
        levels = [(level, pts) for level, pts in CERTIFICATION_POINTS.items() if pts > current]
    else:
        levels = [(band, band.points) for band in _BANDS[criterion] if band.points > current]
    return [(target, pts - current, climbed) for climbed, (target, pts) in enumerate(levels, 1)]


def _describe(criterion: str, value: object, target: object, gained: int) -> str:
    plus = f"(+{gained} pts)"
    if criterion == "certification":
        what = "all certifications" if target == "all" else f"the {target} certification"
        return f"complete {what} {plus}"
    if not isinstance(target, _Band):
        raise TypeError(f"{criterion}: expected a band, got {target!r}")
    band = target
    if criterion == "sourced_revenue":
        more = int(band.floor) - int(_number(value))
        return f"{_money(more)} more sourced revenue {plus}"
    if criterion == "registrations":
        more = int(band.floor) - int(_number(value))
        return f"{more} more registration{'s' if more != 1 else ''} this quarter {plus}"
    goal = f"above {band.floor:g}" if band.strict else f"{band.floor:g}"
    if criterion == "satisfaction":
        if value is None:
            if band.floor <= -100:
                return f"measure customer NPS on partner-sourced deals {plus}"
            return f"measure customer NPS on partner-sourced deals and reach {goal} {plus}"
        return f"raise customer NPS on partner-sourced deals from {value:g} to {goal} {plus}"
    return f"raise the 90-day engagement score from {value:g} to {goal} {plus}"


def _money(cents: int) -> str:
    """$40K for whole thousands, else $12,345 or $12,345.67."""
    return money_brief(cents)


# ---------------------------------------------------------------------------------------------
# Program ROI and attribution accuracy

HUNDRED = Decimal(100)


def program_roi(sourced_revenue_cents: int, influenced_revenue_cents: int,
                influence_weight: float | Decimal | str, costs_cents: Iterable[int]) -> Decimal:
    """Program ROI in percent, to two decimals (seed 003 §4).

    (sourced + influenced × influence weight − costs) / costs × 100. The weight is "typically
    0.25-0.50"; anything from 0 to 1 is accepted. The seed's worked example prints 346% for
    346.60 — it truncates; round for display as the screen needs.
    """
    _check_count("sourced_revenue_cents", sourced_revenue_cents)
    _check_count("influenced_revenue_cents", influenced_revenue_cents)
    weight = _weight(influence_weight)
    costs = list(costs_cents)
    for cost in costs:
        _check_count("costs_cents", cost)
    total_costs = sum(costs)
    if total_costs == 0:
        raise ValueError("costs_cents: total program costs are zero, so ROI is undefined")
    attributed = sourced_revenue_cents + influenced_revenue_cents * weight
    roi = (attributed - total_costs) / total_costs * HUNDRED
    return roi.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def attribution_accuracy(attributed: int, total_partner_involved: int) -> Decimal:
    """Attributed partner deals / all partner-involved deals × 100, one decimal (85/92 → 92.4)."""
    _check_count("attributed", attributed)
    _check_count("total_partner_involved", total_partner_involved)
    if total_partner_involved == 0:
        raise ValueError("total_partner_involved: no partner-involved deals, "
                         "so accuracy is undefined")
    if attributed > total_partner_involved:
        raise ValueError(f"attributed: {attributed} attributed deals cannot exceed the "
                         f"{total_partner_involved} partner-involved deals")
    rate = Decimal(attributed) * HUNDRED / Decimal(total_partner_involved)
    return rate.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _weight(value: float | Decimal | str) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(f"influence_weight must be a number from 0 to 1, got {value!r}")
    try:
        weight = Decimal(str(value).strip())  # str(): 0.3 means 0.3, not 0.29999…
    except ArithmeticError:
        raise ValueError(f"influence_weight must be a number from 0 to 1, got {value!r}") from None
    if not weight.is_finite() or not 0 <= weight <= 1:
        raise ValueError(f"influence_weight must be from 0 to 1 (typically 0.25-0.50), "
                         f"got {value!r}")
    return weight


def _check_count(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a whole number 0 or more, got {value!r}")
