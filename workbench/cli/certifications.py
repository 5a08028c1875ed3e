"""workbench certifications list: the partner's people, their certifications and training with
expiry dates (expiring soon flagged) and what the next tier needs — offline, from local data."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from workbench.cli.args import action, actions
from workbench.cli.output import Output, table_text
from workbench.domain import enablement, formatting
from workbench.domain.scorecard import tier_gap_sentence

if TYPE_CHECKING:
    from workbench.store.db import Store


def register(name: str, parser: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    commands = actions(parser)
    action(commands, "list", list_certifications,
           "people, their certifications and training, and what the next tier needs", common)


def list_certifications(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.reports.people import load_people

    overview = load_people(store)

    def text() -> str:
        rows = []
        for person in overview.people:
            if not person.items:
                rows.append([person.name, person.email, "", "", "no certification or training",
                             ""])
            for item in person.items:
                expires = formatting.day(item.expires_on) if item.expires_on else ""
                if item.state == enablement.EXPIRING and item.days_left is not None:
                    expires += f" (in {item.days_left} days)"
                rows.append([person.name, person.email, item.kind, item.name,
                             item.state, expires])
        lines = [table_text(["PERSON", "EMAIL", "KIND", "NAME", "STATE", "EXPIRES"], rows)
                 if rows else "no people known yet (sync first)"]
        if overview.expiring:
            lines.append(f"\n{overview.expiring} expiring within "
                         f"{enablement.EXPIRY_WARNING_DAYS} days")
        score = overview.tier.score
        lines.append(f"\nTier rubric certification level: {overview.certification_level} "
                     f"({score.points['certification']} of 15 points)")
        lines.append(f"Tier: {score.tier.title()} ({score.total} points). "
                     f"{tier_gap_sentence(overview.tier)}")
        return "\n".join(lines)
    out.emit(overview.to_json(), text)
