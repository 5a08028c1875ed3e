"""People: the partner's people, their certifications and training with expiry dates (expiring
soon highlighted), and what the next tier needs (reports/people.py; rules in domain)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTreeWidgetItem, QVBoxLayout

from workbench.domain import enablement, formatting
from workbench.domain.scorecard import tier_gap_sentence
from workbench.reports import texts
from workbench.reports.people import load_people
from workbench.ui.tablemodel import TONE_ROLE
from workbench.ui.tasks import Task
from workbench.ui.views.base import Page
from workbench.ui.widgets import Card, banner, col, make_tree, page_header

STATE_TONES = {enablement.COMPLETED: "ok", enablement.EXPIRING: "warning",
               enablement.EXPIRED: "lapsed", enablement.IN_PROGRESS: "info"}
LEVEL_POINTS = "Seed 003 tier rubric: none 0, basic 5, advanced 10, all certifications 15 points."


class PeoplePage(Page):
    title = "People"
    hint = "Your people's certifications and training, as the vendor records them, and what " \
           "the next tier needs."
    shows = frozenset({"partners", "partner_users", "learning_records", "registrations",
                       "opportunities", "attributions", "activity_events"})

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        root = QVBoxLayout(self)
        root.setContentsMargins(20, 16, 20, 12)
        root.setSpacing(8)
        self.state = banner("", "rejected")
        self.state.setVisible(False)
        root.addWidget(page_header(self.title, self.hint))
        root.addWidget(self.state)
        cards = QHBoxLayout()
        self.people_card = Card("People")
        self.completion_card = Card("Holding a valid certification or training")
        self.expiring_card = Card(f"Expiring within {enablement.EXPIRY_WARNING_DAYS} days")
        self.level_card = Card("Tier rubric certification level")
        self.level_card.setToolTip(LEVEL_POINTS)
        for card in (self.people_card, self.completion_card, self.expiring_card,
                     self.level_card):
            cards.addWidget(card)
        root.addLayout(cards)
        self.table = make_tree("Certifications and training", [
            col("Person", "Maria Keller-Schönberger"), col("Role", "executive sponsor"),
            col("Kind", "certification"), col("Name", "Data Platform Technical Specialist",
                                              stretch=True),
            col("Level", "advanced"), col("State", "expiring soon", pill=True),
            col("Completed", "12 Sept 2026"), col("Expires", "12 Sept 2026 (in 60 days)")])
        root.addWidget(self.table, 1)
        self.tier = QLabel()
        self.tier.setWordWrap(True)
        self.tier.setTextFormat(Qt.TextFormat.RichText)
        root.addWidget(self.tier)
        self.overview: Any = None

    def reload(self) -> None:
        self.ctx.tasks.run(Task(load_people, self.ctx.store), self._show, self._failed)

    def _failed(self, error: BaseException) -> None:
        self.state.setText(f"People unavailable: {error}")
        self.state.setVisible(True)

    def _show(self, overview: Any) -> None:
        self.overview = overview
        self.state.setVisible(False)
        self.people_card.set(str(len([p for p in overview.people if p.email])))
        completion = overview.completion
        self.completion_card.set(texts.value_text(completion), "", texts.basis_text(completion))
        self.expiring_card.set(str(overview.expiring), "warning" if overview.expiring else "")
        score = overview.tier.score
        self.level_card.set(overview.certification_level.title(), "",
                            f"{score.points['certification']} of 15 pts")
        self.table.clear()
        for person in overview.people:
            role = (person.role or "").replace("_", " ")
            if not person.items:
                item = QTreeWidgetItem([person.name, role, "", "no certification or training yet",
                                        "", "", "", ""])
                item.setForeground(3, self.palette().placeholderText())
                self.table.addTopLevelItem(item)
            for record in person.items:
                expires = formatting.day(record.expires_on) if record.expires_on else ""
                if record.state == enablement.EXPIRING and record.days_left is not None:
                    expires += f" (in {record.days_left} days)"
                item = QTreeWidgetItem([
                    person.name, role, record.kind, record.name, record.level or "",
                    record.state, formatting.day(record.completed_at) if record.completed_at
                    else "", expires])
                item.setData(5, TONE_ROLE, STATE_TONES.get(record.state, ""))
                item.setToolTip(0, person.email)
                for column in (3, 7):
                    item.setToolTip(column, item.text(column))
                self.table.addTopLevelItem(item)
        self.tier.setText(f"<b>Tier: {score.tier.title()}</b> ({score.total} points). "
                          f"{_escape(tier_gap_sentence(overview.tier))}")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
