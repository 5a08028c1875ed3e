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

from collections.abc import Mapping
from typing import Any

from workbench.domain.errors import IllegalTransition
from workbench.domain.model import MDF_REQUESTS, MDF_STATUSES

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
    if action == "claim" and not record.get("claim_cents"):
        raise MDF_REQUESTS.invalid("claim_cents", "enter the amount you claim")
    return status
