"""The partner's people and their certifications and training (seed 000: partner contacts carry
"certification status, enablement completion tracking"; seed 003: the tier rubric's
training/certification criterion).

Pure functions over rows in wire form (partner_users, learning_records), so the window, the
command line and the console list the same people with the same states.

- A person is a partner user, or anyone a learning record names (matched on the email address,
  case-insensitively); records naming nobody are listed under "(no person named)".
- A record's state on a day: "in progress", "completed", "expiring soon" (completed and expiring
  within EXPIRY_WARNING_DAYS, the day itself included) or "expired" (the vendor marked it expired,
  or its expiry date has passed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

Row = Mapping[str, Any]

# A certification's renewal takes a course and an exam; two months' notice leaves time for both.
EXPIRY_WARNING_DAYS = 60

IN_PROGRESS, COMPLETED, EXPIRING, EXPIRED = "in progress", "completed", "expiring soon", "expired"


@dataclass(frozen=True)
class LearningItem:
    id: str
    kind: str  # "certification" | "training"
    name: str
    level: str | None
    state: str  # IN_PROGRESS, COMPLETED, EXPIRING or EXPIRED
    completed_at: str | None
    expires_on: str | None
    days_left: int | None  # until expiry, for a completed record with an expiry date


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    role: str | None
    items: tuple[LearningItem, ...]

    @property
    def valid(self) -> int:
        """Completed records still valid (expiring soon included)."""
        return sum(item.state in (COMPLETED, EXPIRING) for item in self.items)

    @property
    def expiring(self) -> int:
        return sum(item.state == EXPIRING for item in self.items)


def learning_state(record: Row, today: date) -> tuple[str, int | None]:
    """(state, days until expiry) of one learning record on `today` (see the module notes)."""
    status = record.get("status")
    expires = record.get("expires_on")
    expires_on = date.fromisoformat(expires) if isinstance(expires, str) and expires else None
    days_left = (expires_on - today).days if expires_on else None
    if status == "expired" or (status == "completed" and days_left is not None and days_left < 0):
        return EXPIRED, days_left
    if status != "completed":
        return IN_PROGRESS, None
    if days_left is not None and days_left <= EXPIRY_WARNING_DAYS:
        return EXPIRING, days_left
    return COMPLETED, days_left


def people(partner_users: Iterable[Row], learning_records: Iterable[Row], today: date
           ) -> list[Person]:
    """Every person with their records; people with something expiring soon first, then by
    name. Records within a person: certifications before trainings, then by name."""
    users: dict[str, Row] = {}
    for user in partner_users:
        users.setdefault(_key(user.get("email")), user)
    items: dict[str, list[LearningItem]] = {key: [] for key in users}
    for record in learning_records:
        state, days_left = learning_state(record, today)
        items.setdefault(_key(record.get("user_email")), []).append(LearningItem(
            id=str(record.get("id") or ""), kind=str(record.get("kind") or ""),
            name=str(record.get("name") or ""), level=record.get("level"), state=state,
            completed_at=record.get("completed_at"), expires_on=record.get("expires_on"),
            days_left=days_left if state in (COMPLETED, EXPIRING) else None))
    result = []
    for key, held in items.items():
        user = users.get(key, {})
        email = str(user.get("email") or key)
        name = str(user.get("name") or "") or (email if key else "(no person named)")
        held.sort(key=lambda i: (i.kind != "certification", i.name.casefold()))
        result.append(Person(email=email, name=name, role=user.get("role"), items=tuple(held)))
    result.sort(key=lambda p: (p.expiring == 0, not p.email, p.name.casefold()))
    return result


def _key(email: object) -> str:
    return email.strip().casefold() if isinstance(email, str) else ""
