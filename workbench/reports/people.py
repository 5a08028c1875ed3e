"""The partner's people, their certifications and training, and what the next tier needs: read
from the local store in one read transaction (the window's People view, `workbench
certifications list`). The states and the tier rubric are domain rules (domain/enablement.py,
domain/scoring.py via the scorecard)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from workbench.domain import enablement
from workbench.domain import scorecard as sc
from workbench.domain.values import utc_now
from workbench.reports.scorecard import load_scorecard
from workbench.store import records
from workbench.store.db import Store


@dataclass(frozen=True)
class PeopleOverview:
    people: tuple[enablement.Person, ...]
    tier: sc.TierProgress
    certification_level: str  # the tier rubric's level: none | basic | advanced | all
    completion: sc.Measure  # certification completion (seed 003 benchmark)

    @property
    def expiring(self) -> int:
        return sum(person.expiring for person in self.people)

    def to_json(self) -> dict[str, Any]:
        score = self.tier.score
        return {
            "people": [{"email": p.email, "name": p.name, "role": p.role,
                        "valid": p.valid, "expiring_soon": p.expiring,
                        "records": [asdict(i) for i in p.items]} for p in self.people],
            "expiring_soon": self.expiring,
            "expiry_warning_days": enablement.EXPIRY_WARNING_DAYS,
            "certification_level": self.certification_level,
            "completion_percent": sc._number(self.completion.value),
            "tier": {"tier": score.tier, "points": score.total,
                     "certification_points": score.points["certification"],
                     "next_tier": score.next_tier, "points_to_next": score.points_to_next,
                     "to_reach_next_tier": list(self.tier.steps)},
        }


def load_people(store: Store, now: datetime | None = None) -> PeopleOverview:
    now = (now or utc_now()).astimezone(UTC)
    card = load_scorecard(store, None, now)
    partner_id = card.partner_id
    with store.reading() as conn:
        where = {"partner_id": partner_id} if partner_id else None
        users = records.list_records(conn, "partner_users", where=where)
        learning = records.list_records(conn, "learning_records", where=where)
    return PeopleOverview(people=tuple(enablement.people(users, learning, now.date())),
                          tier=card.tier, certification_level=card.certification_level,
                          completion=card.measure("certification_completion"))
