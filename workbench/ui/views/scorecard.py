"""Scorecard: the partner's KPIs from local data (workbench.reports), and a PDF for the QBR."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout

from workbench.domain.scorecard import tier_gap_sentence
from workbench.reports import pdf
from workbench.reports import scorecard as reports
from workbench.ui import style
from workbench.ui.tasks import Task
from workbench.ui.views.base import Page
from workbench.ui.widgets import Card, banner, button, page_header, primary, set_tone

HEADLINE = ("registrations_90d", "approval_rate_90d", "close_rate_12m", "closed_revenue_12m")
RATING_TONES = {"high": "ok", "above typical": "ok", "typical": "info", "below typical": "warning",
                "low": "rejected", "top": "ok", "strong": "ok", "moderate": "info",
                "disengaged": "warning"}


class ScorecardPage(Page):
    title = "Scorecard"
    hint = "How your partnership performs, from the data on this computer. Export a PDF for the QBR."
    shows = frozenset({"partners", "partner_users", "registrations", "opportunities",
                       "attributions", "leads", "learning_records", "activity_events",
                       "program_averages"})
    shows_sync = True  # "data as of the last sync"

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        root = QVBoxLayout(self)
        root.setContentsMargins(20, 16, 20, 12)
        root.setSpacing(12)
        self.export_button = primary(button("&Export PDF…", "Export scorecard as PDF", self.choose_pdf,
                                            "Write the scorecard as a PDF (Ctrl+E)"))
        self.export_button.setDefault(False)
        root.addWidget(page_header(self.title, self.hint, self.export_button))
        self.subtitle = QLabel()
        self.subtitle.setObjectName("muted")
        root.addWidget(self.subtitle)
        self.state = banner("", "info")
        self.state.setVisible(False)
        root.addWidget(self.state)
        cards = QHBoxLayout()
        self.cards: list[Card] = [Card("") for _ in HEADLINE]
        for card in self.cards:
            cards.addWidget(card)
        root.addLayout(cards)
        self.table = QTreeWidget()
        self.table.setAccessibleName("Scorecard measures")
        self.table.setHeaderLabels(["Measure", "Period", "Value", "Based on", "Program average",
                                    "Benchmark"])
        self.table.setRootIsDecorated(False)
        self.table.setUniformRowHeights(True)
        self.table.setAlternatingRowColors(True)
        for column, width in enumerate((240, 90, 100, 190, 130)):
            self.table.setColumnWidth(column, width)
        root.addWidget(self.table, 1)
        self.tier = QLabel()
        self.tier.setWordWrap(True)
        root.addWidget(self.tier)
        self.card: Any = None
        self.exported: Path | None = None

    def reload(self) -> None:
        task = Task(reports.load_scorecard, self.ctx.store)
        self.ctx.tasks.run(task, self._show,
                           lambda e: self._message(f"Scorecard unavailable: {e}", "rejected"))

    def _show(self, card: Any) -> None:
        self.card = card
        self.subtitle.setText(f"{card.partner_name} · {reports.period_text(card)} · data as of the "
                              f"last sync: {reports.data_as_of_text(card)}")
        measures = {m.key: m for m in card.measures}
        headline = [measures[k] for k in HEADLINE if k in measures] or list(card.measures[:4])
        for widget, measure in zip(self.cards, headline, strict=False):
            widget.caption.setText(measure.label)
            widget.set(reports.value_text(measure), RATING_TONES.get(measure.rating or "", ""))
        self.table.clear()
        for measure, row in zip(card.measures, reports.kpi_rows(card), strict=True):
            bench = f"{row.rating} (typical {row.typical})" if row.rating else ""
            item = QTreeWidgetItem([row.label, measure.window, row.value, row.basis, row.program, bench])
            tone = RATING_TONES.get(row.rating or "", "")
            if tone:
                item.setForeground(5, QColor(style.TONES[tone][0]))
            self.table.addTopLevelItem(item)
        self.tier.setText(f"<b>Tier: {card.tier.score.tier.title()}</b> ({card.tier.score.total} points). "
                          + _tier_sentence(card))

    def choose_pdf(self) -> None:
        if self.card is None:
            return
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        name = f"scorecard-{self.card.period.title.replace(' ', '-')}.pdf"
        path, _ = QFileDialog.getSaveFileName(self, "Export scorecard", str(Path(folder) / name),
                                              "PDF (*.pdf)")
        if path:
            self.export_pdf(Path(path))

    def export_pdf(self, path: Path) -> None:
        """Render in the background: the window stays usable while reportlab works."""
        if self.card is None:
            return
        self.export_button.setEnabled(False)
        self._message(f"Writing {path.name}…", "info")
        self.ctx.tasks.run(Task(pdf.render_scorecard_pdf, self.card, path), self._exported,
                           self._export_failed)

    def _exported(self, path: Any) -> None:
        self.exported = Path(path)
        self.export_button.setEnabled(True)
        self._message(f"Saved {self.exported}", "ok")

    def _export_failed(self, error: BaseException) -> None:
        self.export_button.setEnabled(True)
        self._message(f"PDF not written: {error}", "rejected")

    def _message(self, text: str, tone: str) -> None:
        self.state.setText(text)
        set_tone(self.state, tone)
        self.state.setVisible(bool(text))


def _tier_sentence(card: Any) -> str:
    return tier_gap_sentence(card.tier)
