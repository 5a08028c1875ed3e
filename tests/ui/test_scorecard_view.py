"""The Scorecard page reads like the QBR PDF: bands the right way round, periods, plain dates."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import sqlalchemy as sa

from tests.ui.helpers import wait_idle
from workbench.domain.values import format_datetime, new_id
from workbench.reports import scorecard as reports
from workbench.reports import texts
from workbench.store import records
from workbench.store.schema import RECORD_TABLES
from workbench.ui.views.scorecard import SAME_AS_YOURS, period_text

COLUMNS = ["Measure", "Period", "Value", "Based on", "Program average", "Low", "Typical", "High",
           "Rating"]


def _vendor_rows(store, close_rate: str) -> None:
    """What a sync brings: the partner (joined 15 May 2025) and the program's averages."""
    now = datetime.now(UTC)
    quarter = f"{now.year}-Q{(now.month - 1) // 3 + 1}"
    meta = {"created_at": format_datetime(now), "updated_at": format_datetime(now), "version": 1,
            "deleted": False}
    with store.transaction() as conn:
        partner_id = records.get_state(conn, "partner_id")
        conn.execute(sa.insert(RECORD_TABLES["partners"]).values(
            id=partner_id, partner_id=partner_id, name="Brightline Solutions", tier="gold",
            joined_on="2025-05-15", **meta))
        for metric, value in (("close_rate_percent", close_rate), ("avg_deal_size_cents", "1")):
            conn.execute(sa.insert(RECORD_TABLES["program_averages"]).values(
                id=new_id(), partner_id=None, period=quarter, metric=metric, value=value, **meta))


def _rows(page) -> list[list[str]]:
    table = page.table
    return [[table.topLevelItem(i).text(c) for c in range(table.columnCount())]
            for i in range(table.topLevelItemCount())]


def _loaded(qtbot, window):
    page = window.show_page("scorecard")
    qtbot.waitUntil(lambda: page.card is not None, timeout=10_000)
    wait_idle(qtbot, window)
    return page


def test_benchmarks_read_the_way_the_pdf_prints_them(qtbot, window, store, sample):
    page = _loaded(qtbot, window)
    header = page.table.headerItem()
    assert [header.text(c) for c in range(header.columnCount())] == COLUMNS
    pdf_rows = texts.kpi_rows(page.card)  # what the PDF prints, row by row
    assert len(pdf_rows) == len(_rows(page))
    for row, pdf in zip(_rows(page), pdf_rows):
        assert row[0] == pdf.label
        assert row[5:] == [pdf.low, pdf.typical, pdf.high, pdf.rating]
    approval = next(r for r in _rows(page) if r[0] == "Median approval time")
    # Fewer hours are better: High is "<4 h", the bad end ">72 h" — no "above" that reads wrong.
    assert approval[5:8] == [">72 h", "24-48 h", "<4 h"]


def test_every_figure_says_what_period_it_covers(qtbot, window, store, sample):
    page = _loaded(qtbot, window)
    measures = {m.label: m for m in page.card.measures}
    for card in page.cards:
        measure = measures[card.caption.text()]
        assert card.period.text() == period_text(measure.window) != ""
    periods = {row[1] for row in _rows(page)}
    assert periods <= {"last 90 days", "last 30 days", "last 12 months", "this quarter",
                       "now (snapshot)", "since joining", "latest survey"}  # NPS: its survey
    assert "" not in periods


def test_a_program_average_equal_to_yours_says_why_and_dates_read_plainly(qtbot, window, store,
                                                                          sample):
    card = reports.load_scorecard(store)
    close_rate = str(card.measure("close_rate_12m").value)
    _vendor_rows(store, close_rate)
    window.pages["scorecard"].mark_stale()
    page = _loaded(qtbot, window)
    qtbot.waitUntil(lambda: page.card.measure("close_rate_12m").program is not None)
    rows = {row[0]: (index, row) for index, row in enumerate(_rows(page))}
    index, close = rows["Close rate"]
    assert close[4].endswith("*")
    assert page.table.topLevelItem(index).toolTip(4) == SAME_AS_YOURS
    assert page.footnote.isVisible() and SAME_AS_YOURS in page.footnote.text()
    assert not rows["Average deal size (won)"][1][4].endswith("*")  # $0.01: not the same
    assert rows["Registration approval rate"][1][4] == "not published"
    assert rows["Time to first deal"][1][3].startswith("joined 15 May 2025")
    iso = re.compile(r"\d{4}-\d{2}-\d{2}")
    assert not [cell for row in _rows(page) for cell in row if iso.search(cell)]
    assert not iso.search(page.subtitle.text())


def test_after_the_saved_message_every_row_still_shows(qtbot, window, tmp_path):
    page = _loaded(qtbot, window)
    page.export_pdf(tmp_path / "qbr.pdf")
    qtbot.waitUntil(lambda: page.exported is not None, timeout=20_000)
    qtbot.waitUntil(page.state.isVisible)
    wait_idle(qtbot, window)
    table, viewport = page.table, page.scroll_area.viewport()
    last = table.topLevelItem(table.topLevelItemCount() - 1)
    bottom = table.visualItemRect(last).bottom()
    assert bottom < table.viewport().height()  # the list itself never hides a row …
    in_page = table.viewport().mapTo(viewport, table.visualItemRect(last).bottomLeft())
    assert in_page.y() < viewport.height()  # … and at 1366x768 the page shows it, too
    assert page.scroll_area.verticalScrollBar().maximum() == 0
