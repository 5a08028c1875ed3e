"""Scorecard: the partner's KPIs from local data (workbench.reports), and a PDF for the QBR."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.domain.scorecard import tier_gap_sentence
from workbench.reports import pdf, texts
from workbench.reports.rollup import load_rollup
from workbench.reports.scorecard import load_scorecard
from workbench.ui import format as fmt
from workbench.ui.tablemodel import TONE_ROLE
from workbench.ui.tasks import Task
from workbench.ui.views.base import Page
from workbench.ui.widgets import Card, banner, button, col, make_tree, page_header, primary, set_tone

HEADLINE = ("registrations_90d", "approval_rate_90d", "close_rate_12m", "closed_revenue_12m")
# Measures the vendor publishes a program average for (server: admin.publish_averages).
WITH_PROGRAM_AVERAGE = ("registrations_90d", "approval_rate_90d", "close_rate_12m",
                        "average_deal_size_12m", "average_sales_cycle_12m")
SAME_AS_YOURS = ("Same as your own figure: the vendor's program average for this period is made "
                 "of your deals alone, so it is no comparison yet.")
STATE_WIDTH = 460  # px of "Saved …" beside the Export button at 1366 px
BANDS = "Seed 003 benchmark bands: High is always the good end (for hours and days, fewer)."
NOT_PUBLISHED = "The vendor has not published a program average for this measure yet."
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
        # The page scrolls as a whole (a smaller window); the measures list never scrolls
        # inside itself, so no row is ever half hidden under the ones above it.
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = QWidget()
        content.setObjectName("scorecardContent")
        content.setStyleSheet("QWidget#scorecardContent { background: transparent; }")
        scroll.setWidget(content)
        scroll.viewport().setAutoFillBackground(False)
        outer.addWidget(scroll)
        self.scroll_area = scroll
        root = QVBoxLayout(content)
        root.setContentsMargins(20, 16, 20, 12)
        root.setSpacing(8)
        self.export_button = primary(button("&Export PDF…", "Export scorecard as PDF", self.choose_pdf,
                                            "Write the scorecard as a PDF (Ctrl+E)"))
        self.export_button.setDefault(False)
        # What the export did sits beside its button: a banner of its own would push the
        # table's last rows out of the window at 1366x768.
        self.state = banner("", "info")
        self.state.setVisible(False)
        self.state.setWordWrap(False)  # one line beside the button: the header keeps its height
        self.state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        root.addWidget(page_header(self.title, self.hint, self.state, self.export_button))
        self.subtitle = QLabel()
        self.subtitle.setObjectName("muted")
        root.addWidget(self.subtitle)
        cards = QHBoxLayout()
        self.cards: list[Card] = [Card("") for _ in HEADLINE]
        for card in self.cards:
            cards.addWidget(card)
        root.addLayout(cards)
        # The benchmark as the PDF prints it: the seed's Low / Typical / High bands ("High" is
        # always the good end, even where fewer hours are better) and the rating in its words.
        self.table = make_tree("Scorecard measures", [
            col("Measure", "Training / certification completion"),
            col("Period", "last 12 months", "now (snapshot)"),
            col("Value", "$1,250,000"), col("Based on", "6 deals", stretch=True),
            col("Program average", "$1,250,000 *"), col("Low", ">120 days"),
            col("Typical", "60-90 days"), col("High", "<45 days"),
            col("Rating", "above typical", "below typical", pill=True)])
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for column in (5, 6, 7, 8):
            self.table.headerItem().setToolTip(column, BANDS)
        root.addWidget(self.table)
        self.footnote = QLabel()
        self.footnote.setObjectName("muted")
        self.footnote.setWordWrap(True)
        root.addWidget(self.footnote)
        self.tier = QLabel()
        self.tier.setWordWrap(True)
        root.addWidget(self.tier)
        # A distributor's roll-up by sub-partner (reports/rollup.py); hidden for other partners.
        self.rollup_title = QLabel("<b>By sub-partner</b> — registrations, pipeline and won "
                                   "revenue of each partner whose deals you see")
        self.rollup = make_tree("Roll-up by sub-partner", [
            col("Partner", "Alpine IT Solutions AG (you)", stretch=True),
            col("Registrations (90 days)", "Registrations (90 days)"),
            col("Approved (90 days)", "Approved (90 days)"), col("Open", "Open"),
            col("Open pipeline", "$1,250,000 (12)"), col("Won (12 months)", "$1,250,000 (12)")])
        self.rollup.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for widget in (self.rollup_title, self.rollup):
            widget.setVisible(False)
            root.addWidget(widget)
        self.rollup_rows: list[Any] = []
        self.rollup_loaded = False
        root.addStretch(1)
        self.card: Any = None
        self.exported: Path | None = None

    def reload(self) -> None:
        task = Task(load_scorecard, self.ctx.store)
        self.ctx.tasks.run(task, self._show,
                           lambda e: self._message(f"Scorecard unavailable: {e}", "rejected"))
        self.ctx.tasks.run(Task(partial(load_rollup, distributors_only=True), self.ctx.store),
                           self._show_rollup,
                           lambda e: self._message(f"Roll-up unavailable: {e}", "rejected"))

    def _show_rollup(self, rows: Any) -> None:
        self.rollup_rows = list(rows)
        self.rollup_loaded = True
        shown = any(not r.own for r in self.rollup_rows)
        self.rollup.clear()
        for r in self.rollup_rows if shown else []:
            item = QTreeWidgetItem([
                f"{r.name} (you)" if r.own else r.name, f"{r.registrations_90d:,}",
                f"{r.approved_90d:,}", f"{r.registrations_open:,}",
                f"{texts.money(r.pipeline_cents)} ({r.pipeline_deals})",
                f"{texts.money(r.won_12m_cents)} ({r.won_12m_deals})"])
            for column in range(1, 6):
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight
                                      | Qt.AlignmentFlag.AlignVCenter)
            self.rollup.addTopLevelItem(item)
        rows_shown = self.rollup.topLevelItemCount()
        row_height = self.rollup.sizeHintForRow(0) if rows_shown else 0
        self.rollup.setFixedHeight(self.rollup.header().sizeHint().height()
                                   + rows_shown * row_height + 2 * self.rollup.frameWidth() + 2)
        for widget in (self.rollup_title, self.rollup):
            widget.setVisible(shown)

    def _show(self, card: Any) -> None:
        self.card = card
        self.subtitle.setText(f"{card.partner_name} · {texts.period_text(card)} · data as of the "
                              f"last sync: {texts.data_as_of_text(card)}")
        measures = {m.key: m for m in card.measures}
        headline = [measures[k] for k in HEADLINE if k in measures] or list(card.measures[:4])
        for widget, measure in zip(self.cards, headline, strict=False):
            widget.caption.setText(measure.label)
            widget.set(texts.value_text(measure), RATING_TONES.get(measure.rating or "", ""),
                       period_text(measure.window))
        self.table.clear()
        same = False
        for measure, row in zip(card.measures, texts.kpi_rows(card), strict=True):
            program, program_tip = row.program, ""
            if measure.program is not None and measure.value == measure.program.value:
                program, program_tip, same = f"{row.program} *", SAME_AS_YOURS, True
            elif measure.program is None and measure.key in WITH_PROGRAM_AVERAGE:
                program, program_tip = "not published", NOT_PUBLISHED
            item = QTreeWidgetItem([row.label, period_text(measure.window), row.value,
                                    fmt.readable_dates(row.basis), program, row.low, row.typical,
                                    row.high, row.rating])
            for column in range(item.columnCount()):
                item.setToolTip(column, item.text(column))
            if program_tip:
                item.setToolTip(4, program_tip)
                if program == "not published":
                    item.setForeground(4, QColor("#6b7280"))
            tone = RATING_TONES.get(row.rating or "", "")
            if tone:
                item.setData(8, TONE_ROLE, tone)
            self.table.addTopLevelItem(item)
        self._fit_table_height()
        self.footnote.setText(f"* {SAME_AS_YOURS}" if same else "")
        self.footnote.setVisible(same)
        self.tier.setText(f"<b>Tier: {card.tier.score.tier.title()}</b> ({card.tier.score.total} points). "
                          + _tier_sentence(card))

    def _fit_table_height(self) -> None:
        """Every row shows: the list is as tall as its rows (the page scrolls, if anything)."""
        rows = self.table.topLevelItemCount()
        row_height = self.table.sizeHintForRow(0) if rows else 0
        header = self.table.header().sizeHint().height()
        self.table.setFixedHeight(header + rows * row_height + 2 * self.table.frameWidth() + 2)

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
        self._message(f"Saved {self.exported.name} in {self.exported.parent}", "ok",
                      tip=str(self.exported))
        if self.ctx.window is not None:
            self.ctx.window.statusBar().showMessage(f"Scorecard saved: {self.exported}", 10_000)

    def _export_failed(self, error: BaseException) -> None:
        self.export_button.setEnabled(True)
        self._message(f"PDF not written: {error}", "rejected")

    def _message(self, text: str, tone: str, tip: str = "") -> None:
        """One line; a long folder is shortened in its middle (the file name stays)."""
        metrics = QFontMetrics(self.state.font())
        self.state.setText(metrics.elidedText(text, Qt.TextElideMode.ElideMiddle, STATE_WIDTH))
        self.state.setToolTip(tip or text)
        set_tone(self.state, tone)
        self.state.setVisible(bool(text))


def period_text(window: str) -> str:
    """What a figure is over, as a rep says it: 'last 90 days', 'this quarter', 'now'."""
    if window.endswith(("days", "months")):
        return f"last {window}"
    return {"snapshot": "now (snapshot)"}.get(window, window)


def _tier_sentence(card: Any) -> str:
    return tier_gap_sentence(card.tier)
