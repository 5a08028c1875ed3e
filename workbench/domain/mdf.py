"""Market development funds (MDF): the request lifecycle (seed 001: MDF workflows; DESIGN §2).

States and actions (partner actions: submit, claim; the rest are the vendor's)::

    draft      --submit-->   submitted
    rejected   --submit-->   submitted     (a rejected request may be improved and sent again)
    submitted  --approve-->  approved      (the vendor may approve less than was requested)
    submitted  --reject-->   rejected      (with a reason)
    approved   --claim-->    claimed       (the partner claims what was spent, with evidence)
    claimed    --pay-->      paid

The server enforces every move (partner ones on push, vendor ones in its admin operations); the
workbench moves the status at once when the rep acts, so the screen shows what they did.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from workbench.domain.errors import IllegalTransition
from workbench.domain.formatting import money
from workbench.domain.model import MDF_REQUESTS, MDF_STATUSES
from workbench.domain.scoring import program_roi

INITIAL_STATUS = "draft"
PARTNER_ACTIONS = ("submit", "claim")
VENDOR_ACTIONS = ("approve", "reject", "pay")
ACTIONS = PARTNER_ACTIONS + VENDOR_ACTIONS

# status -> {action: new status}; an action missing here is illegal from that status.
TRANSITIONS: dict[str, dict[str, str]] = {
    "draft": {"submit": "submitted"},
    "rejected": {"submit": "submitted"},
    "submitted": {"approve": "approved", "reject": "rejected"},
    "approved": {"claim": "claimed"},
    "claimed": {"pay": "paid"},
    "paid": {},
}
assert set(TRANSITIONS) == set(MDF_STATUSES)


def allowed_actions(current: str, actor: str | None = None) -> tuple[str, ...]:
    """Actions possible from `current`, optionally only those of "partner" or "vendor"."""
    actions = tuple(TRANSITIONS.get(current, {}))
    if actor is None:
        return actions
    own = PARTNER_ACTIONS if actor == "partner" else VENDOR_ACTIONS
    return tuple(a for a in actions if a in own)


def next_status(current: str | None, action: str) -> str:
    """The status after `action`, or IllegalTransition saying what is allowed instead."""
    status = current or INITIAL_STATUS
    if action not in ACTIONS:
        raise IllegalTransition(f"unknown MDF action {action!r} (known: {', '.join(ACTIONS)})",
                                action=action, current=status)
    if status not in TRANSITIONS:
        raise IllegalTransition(f"unknown MDF request status {status!r} "
                                f"(known: {', '.join(MDF_STATUSES)})", current=status)
    targets = TRANSITIONS[status]
    if action not in targets:
        actor = "partner" if action in PARTNER_ACTIONS else "vendor"
        allowed = allowed_actions(status, actor)
        now_allowed = ", ".join(allowed) if allowed else (
            "nothing (paid is final)" if not targets else "nothing until the other side acts")
        raise IllegalTransition(f"cannot {action} an MDF request that is {status}; "
                                f"allowed now: {now_allowed}", action=action, current=status,
                                allowed=allowed)
    return targets[action]


def check_action(record: Mapping[str, Any], action: str) -> str:
    """The status a partner or vendor action leads to, checking what the action needs.

    Raises IllegalTransition for a move the status forbids, InvalidValue (naming the field) for
    a claim without the claimed amount.
    """
    status = next_status(record.get("status"), action)
    if action == "claim":
        check_claim(record)
    return status


def check_claim(record: Mapping[str, Any]) -> None:
    """A claim names its amount, and it is at most the approved budget."""
    claimed = record.get("claim_cents")
    if not claimed:
        raise MDF_REQUESTS.invalid("claim_cents", "enter the amount you claim")
    approved = record.get("approved_cents")
    if approved is not None and claimed > approved:
        raise MDF_REQUESTS.invalid("claim_cents", f"{money(claimed)} is more than the approved "
                                                  f"budget of {money(approved)}")


def check_request(record: Mapping[str, Any]) -> None:
    """Cross-field rules of a request: the activity ends on or after the day it starts, and a
    claimed amount is never above the approved one."""
    start, end = record.get("start_date"), record.get("end_date")
    if start and end and end < start:
        raise MDF_REQUESTS.invalid("end_date", f"{end} is before the start date {start}")
    claimed, approved = record.get("claim_cents"), record.get("approved_cents")
    if claimed and approved is not None and claimed > approved:
        raise MDF_REQUESTS.invalid("claim_cents", f"{money(claimed)} is more than the approved "
                                                  f"budget of {money(approved)}")


# What the rep may still change in each status: the request itself until the vendor has it (or
# after a rejection, to improve it); the claim only while claiming an approved request.
CLAIM_FIELDS = ("claim_cents", "claim_evidence")
_EDITABLE_REQUEST = ("draft", "rejected")


def check_edit(current: Mapping[str, Any], changes: Mapping[str, Any]) -> None:
    """Partner edits the request's status forbids, as InvalidValue naming the field."""
    status = current.get("status") or INITIAL_STATUS
    for name in changes:
        if name in CLAIM_FIELDS:
            if status != "approved":
                raise MDF_REQUESTS.invalid(name, f"can be set only when claiming an approved "
                                                 f"request; this one is {status}")
        elif name != "description" and status not in _EDITABLE_REQUEST:
            raise MDF_REQUESTS.invalid(name, f"cannot change once the request is {status} "
                                             "(the vendor decided on what was sent)")


# ---------------------------------------------------------------------------------------------
# What the activity produced (seed 003 §4: program ROI = (revenue − costs) / costs × 100)

@dataclass(frozen=True)
class CampaignResult:
    pipeline_cents: int  # open deals the activity sourced
    revenue_cents: int  # won deals the activity sourced
    cost_cents: int | None  # what the vendor paid or will pay: paid/claimed, else approved
    roi_percent: Decimal | None  # None while nothing is spent


def spent_cents(record: Mapping[str, Any]) -> int | None:
    if record.get("status") in ("claimed", "paid") and record.get("claim_cents"):
        return int(record["claim_cents"])
    if record.get("status") == "approved" and record.get("approved_cents"):
        return int(record["approved_cents"])
    return None


def campaign_result(record: Mapping[str, Any], registrations: Iterable[Mapping[str, Any]],
                    opportunities: Iterable[Mapping[str, Any]]) -> CampaignResult:
    """Pipeline and revenue of the deals registered from this activity, and the ROI on its cost.

    A deal counts once: by its opportunity's amount once the vendor opened one (won → revenue,
    open → pipeline, lost → nothing), else by the registration's value while it is alive.
    """
    mine = {r["id"]: r for r in registrations if r.get("mdf_request_id") == record.get("id")}
    pipeline = revenue = 0
    with_opportunity = set()
    for opp in opportunities:
        reg_id = opp.get("registration_id")
        if reg_id not in mine:
            continue
        with_opportunity.add(reg_id)
        amount = int(opp.get("amount_cents") or 0)
        if opp.get("outcome") == "won":
            revenue += amount
        elif opp.get("outcome") in (None, "open"):
            pipeline += amount
    for reg_id, reg in mine.items():
        if reg_id not in with_opportunity and reg.get("status") in LIVE_REGISTRATIONS:
            pipeline += int(reg.get("deal_value_cents") or 0)
    cost = spent_cents(record)
    roi = program_roi(revenue, 0, 0, [cost]) if cost else None
    return CampaignResult(pipeline, revenue, cost, roi)


LIVE_REGISTRATIONS = ("draft", "submitted", "pending_review", "approved")
