"""The first-contact SLA on leads the vendor hands to a partner (seed 001).

Seed 001: "a partner who receives a lead must log a first contact within 48 hours or the lead is
reassigned". Decisions:

- The SLA is met when the first contact is logged at or before assignment + 48 hours (exactly 48
  hours is still within).
- A lead is recycled only while nobody has contacted it: once the rep logs a first contact — even
  a late one — the customer is being worked, and taking the lead away would only confuse them.
  The late contact still counts as a breached SLA in reporting.
- A lead the partner rejected is not recycled by this rule; the vendor re-routes rejected leads
  through its own process.
- A working status of "contacted" counts as contact even when no time was recorded (leads synced
  before the rule below); from now on a lead is marked contacted only with the time of contact.
- The first contact counts towards the partner's SLA, so it must be believable: it lies between
  the assignment and now (give or take CLOCK_SKEW, for laptop clocks), and once logged it stays —
  neither moved nor cleared (else a late contact could be moved into the 48 hours).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from workbench.domain.model import LEAD_WORKING_STATUSES, LEADS
from workbench.domain.values import parse_datetime, utc_now

FIRST_CONTACT_SLA = timedelta(hours=48)
# How far a laptop's clock may be off from the vendor server's when a rep logs a contact.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class LeadSla:
    due_at: datetime  # first contact must be logged by then
    remaining: timedelta  # time left while the lead waits for contact; zero once met or breached
    met: bool  # first contact logged in time
    breached: bool  # no contact by the due time, or a contact logged after it


def first_contact_due(assigned_at: datetime, sla: timedelta = FIRST_CONTACT_SLA) -> datetime:
    return _utc("assigned_at", assigned_at) + sla


def sla_of(hours: int | None) -> timedelta:
    """The first-contact SLA for the program's setting in hours (None: not synced yet, 48)."""
    return FIRST_CONTACT_SLA if hours is None else timedelta(hours=hours)


def lead_sla(assigned_at: datetime, first_contact_at: datetime | None, now: datetime,
             sla: timedelta = FIRST_CONTACT_SLA) -> LeadSla:
    """Where a lead stands against the first-contact SLA (48 hours unless the program says
    otherwise) at `now`."""
    due_at = first_contact_due(assigned_at, sla)
    now = _utc("now", now)
    if first_contact_at is not None:
        met = _utc("first_contact_at", first_contact_at) <= due_at
        return LeadSla(due_at=due_at, remaining=timedelta(0), met=met, breached=not met)
    breached = now > due_at
    remaining = timedelta(0) if breached else due_at - now
    return LeadSla(due_at=due_at, remaining=remaining, met=False, breached=breached)


def should_recycle(assigned_at: datetime, first_contact_at: datetime | None, working_status: str,
                   now: datetime, sla: timedelta = FIRST_CONTACT_SLA) -> bool:
    """True when the vendor should take the lead back: not rejected, never contacted, overdue."""
    if working_status not in LEAD_WORKING_STATUSES:
        raise ValueError(f"working_status must be one of {', '.join(LEAD_WORKING_STATUSES)}; "
                         f"got {working_status!r}")
    if working_status in ("rejected", "contacted") or first_contact_at is not None:
        return False
    return lead_sla(assigned_at, None, now, sla).breached


def _utc(name: str, moment: datetime) -> datetime:
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {moment!r}")
    return moment.astimezone(UTC)


# What the rep may mark a lead as, from which working status.
WORKING_STATUS_MOVES: dict[str, tuple[str, ...]] = {
    "accepted": ("new",),
    "rejected": ("new", "accepted"),
    "contacted": ("new", "accepted", "contacted"),
}


def check_lead_edit(current: dict[str, Any], changes: Mapping[str, Any],
                    now: datetime | None = None) -> None:
    """A rep's edit of a lead, or InvalidValue naming the field (the store and server both ask)."""
    if current.get("assignment_status") == "recycled":
        raise LEADS.invalid("assignment_status", "the vendor took this lead back after the "
                                                 "48-hour first-contact window")
    target = changes.get("working_status")
    status = current.get("working_status") or "new"
    if target is not None and target != status:
        if status not in WORKING_STATUS_MOVES.get(target, ()):
            raise LEADS.invalid("working_status",
                                f"the lead is {status}; it cannot be marked {target}")
        if target == "rejected" and not (str(changes.get("rejection_reason") or "").strip()
                                         or current.get("rejection_reason")):
            raise LEADS.invalid("rejection_reason",
                                "say why the lead is rejected; the vendor sees it")
    _check_first_contact(current, changes, now or utc_now())


def _check_first_contact(current: dict[str, Any], changes: Mapping[str, Any],
                         now: datetime) -> None:
    logged = current.get("first_contact_at")
    if "first_contact_at" in changes:
        wanted = changes["first_contact_at"]
        if logged and wanted != logged:
            raise LEADS.invalid("first_contact_at", f"the first contact was logged at {logged}; "
                                                   "it cannot be changed or cleared")
        if wanted:
            _check_contact_time(current.get("assigned_at"), parse_datetime(wanted), now)
    becomes_contacted = changes.get("working_status") == "contacted" \
        and current.get("working_status") != "contacted"
    if becomes_contacted and not changes.get("first_contact_at", logged):
        raise LEADS.invalid("first_contact_at", "say when the lead was first contacted")


def _check_contact_time(assigned_at: str | None, contact: datetime, now: datetime) -> None:
    if contact > _utc("now", now) + CLOCK_SKEW:
        raise LEADS.invalid("first_contact_at", f"{contact:%Y-%m-%d %H:%M} UTC is in the future; "
                                               "log a contact that has happened")
    if assigned_at and contact < parse_datetime(assigned_at) - CLOCK_SKEW:
        raise LEADS.invalid("first_contact_at", f"{contact:%Y-%m-%d %H:%M} UTC is before the lead "
                                               f"was assigned ({assigned_at[:16].replace('T', ' ')}"
                                               " UTC)")


def first_contact_changes(current: Mapping[str, Any], when: str) -> dict[str, Any]:
    """What logging a first contact at `when` changes on a lead.

    The first contact is the first one: a contact logged again later moves the working status
    to "contacted" but keeps the time already recorded, which is what the SLA is measured on.
    """
    changes: dict[str, Any] = {"working_status": "contacted"}
    if not current.get("first_contact_at"):
        changes["first_contact_at"] = when
    return changes


# ---------------------------------------------------------------------------------------------
# Routing a lead to a partner (seed 001: "inbound leads that match partner territory or
# expertise get distributed to the relevant partner … based on geography, industry, or product
# line"). Decisions:
#
# - The channel manager keeps an ordered list of assignment rules. The first rule whose region
#   and industry (each optional) match the lead decides the pool: its named partners, or every
#   partner when it names none; it may ask for a minimum tier. No rule matching: every partner.
# - Eligible: in the pool, in the program (onboarding, active or at risk), at or above the
#   rule's tier, in the lead's region or territory when both are known, and never a partner who
#   already had this lead (a recycled lead goes to someone new).
# - Ranked by: serves the lead's region/territory, then tier (platinum first). Partners equal on
#   both take turns: the one whose last lead is oldest (or who never had one) goes first.

TIER_ORDER = ("bronze", "silver", "gold", "platinum")
ROUTABLE_STATUSES = ("onboarding", "active", "at_risk")


@dataclass(frozen=True)
class LeadFacts:
    region: str | None = None
    industry: str | None = None


@dataclass(frozen=True)
class PartnerFacts:
    id: str
    name: str
    tier: str | None = None
    region: str | None = None
    territory: str | None = None
    program_status: str | None = "active"
    last_lead_at: datetime | None = None


@dataclass(frozen=True)
class AssignmentRule:
    id: str
    name: str
    region: str | None = None
    industry: str | None = None
    min_tier: str | None = None
    partner_ids: tuple[str, ...] = ()

    def matches(self, lead: LeadFacts) -> bool:
        return _same(self.region, lead.region, wildcard=True) and \
            _same(self.industry, lead.industry, wildcard=True)


@dataclass(frozen=True)
class RankedPartner:
    partner: PartnerFacts
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Routing:
    rule: AssignmentRule | None
    ranked: tuple[RankedPartner, ...]  # best first; empty: nobody is eligible

    @property
    def best(self) -> PartnerFacts | None:
        return self.ranked[0].partner if self.ranked else None


def rank_partners(lead: LeadFacts, partners: Sequence[PartnerFacts],
                  rules: Sequence[AssignmentRule], exclude: Iterable[str] = ()) -> Routing:
    """Who should get the lead, best first, by the rules in the notes above."""
    rule = next((r for r in rules if r.matches(lead)), None)
    pool = set(rule.partner_ids) if rule and rule.partner_ids else None
    floor = _tier_rank(rule.min_tier) if rule and rule.min_tier else -1
    skipped = set(exclude)
    eligible = [p for p in partners
                if (pool is None or p.id in pool) and p.id not in skipped
                and (p.program_status or "active") in ROUTABLE_STATUSES
                and _tier_rank(p.tier) >= floor and _serves(p, lead, strict=True)]
    eligible.sort(key=lambda p: (not _serves(p, lead, strict=False), -_tier_rank(p.tier),
                                 p.last_lead_at is not None,
                                 p.last_lead_at or datetime.min.replace(tzinfo=UTC),
                                 p.name.casefold(), p.id))
    return Routing(rule, tuple(RankedPartner(p, _reasons(p, lead)) for p in eligible))


def _serves(partner: PartnerFacts, lead: LeadFacts, *, strict: bool) -> bool:
    """Does the partner cover the lead's region? strict: unknown on either side is fine."""
    if not lead.region:
        return strict
    places = [p for p in (partner.region, partner.territory) if p]
    if not places:
        return strict
    return any(_same(place, lead.region) for place in places)


def _reasons(partner: PartnerFacts, lead: LeadFacts) -> tuple[str, ...]:
    reasons = []
    if lead.region and _serves(partner, lead, strict=False):
        reasons.append(f"covers {lead.region}")
    reasons.append(f"{partner.tier.title()} tier" if partner.tier else "no tier")
    return tuple(reasons)


def _tier_rank(tier: str | None) -> int:
    return TIER_ORDER.index(tier) if tier in TIER_ORDER else -1


def _same(a: str | None, b: str | None, *, wildcard: bool = False) -> bool:
    if wildcard and not a:
        return True
    return bool(a and b) and a.strip().casefold() == b.strip().casefold()  # type: ignore[union-attr]
