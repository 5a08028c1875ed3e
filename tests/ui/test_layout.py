"""What fits at 1366×768: no value cut where there is room, no needless sideways scroll bar.

The rule every list follows (widgets.py): columns of known shape (numbers, dates, money, status
pills) are as wide as the widest value they hold, measured with the font; one column of free
text takes what is left. These tests measure what a rep would read, with the same font metrics.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFontMetrics, QFontMetricsF
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTabBar, QTableView, QTreeWidget

from tests.ui.helpers import wait_idle
from workbench.store import records
from workbench.ui.tablemodel import NOTE_ROLE, PILL_ROLE, TONE_ROLE
from workbench.ui.views.base import ListPage
from workbench.ui.widgets import header_font, pill_cell_width

TEXT_MARGIN = 8  # Fusion draws a cell's text 3-4 px in from each side; less than this elides


def _show_everything(qtbot, window) -> None:
    for key in window.pages:
        window.show_page(key)
        wait_idle(qtbot, window)


def _header(view: QAbstractItemView) -> QHeaderView:
    return view.horizontalHeader() if isinstance(view, QTableView) else view.header()


def _stretch_columns(view: QAbstractItemView) -> set[int]:
    return set(view.column_fitter.minimums)


def _needed(view: QAbstractItemView, row: int, column: int) -> int:
    """Pixels the cell's content needs to show in full."""
    index = view.model().index(row, column)
    font = view.font()
    if index.data(TONE_ROLE) and view.itemDelegateForColumn(column) is not None:
        # the geometry PillDelegate paints with
        return pill_cell_width(font, index.data(PILL_ROLE) or index.data() or "",
                               (index.data(NOTE_ROLE) or ("", ""))[0])
    return math.ceil(QFontMetricsF(font).horizontalAdvance(index.data() or "")) + TEXT_MARGIN


def _views(window) -> list[QAbstractItemView]:
    return [v for v in window.findChildren(QAbstractItemView)
            if isinstance(v, (QTableView, QTreeWidget)) and hasattr(v, "column_fitter")]


def test_every_list_page_fits_1366_without_a_sideways_scroll_bar(qtbot, window):
    _show_everything(qtbot, window)
    for key, page in window.pages.items():
        if not isinstance(page, ListPage):
            continue
        window.show_page(key)
        wait_idle(qtbot, window)
        table = page.table
        header = table.horizontalHeader()
        total = sum(header.sectionSize(i) for i in range(header.count()))
        assert total <= table.viewport().width(), f"{key}: columns wider than the list"
        assert not table.horizontalScrollBar().isVisible(), key
        # … even once the list is long enough for a vertical scroll bar.
        bar = table.style().pixelMetric(table.style().PixelMetric.PM_ScrollBarExtent)
        assert table.column_fitter.needed_width() <= table.viewport().width() - bar \
            or table.verticalScrollBar().isVisible(), key


def test_values_of_known_shape_are_never_cut(qtbot, window, store, sample):
    with store.transaction() as conn:  # the longest values a rep quotes
        reg = records.list_records(conn, "registrations", where={"status": "approved"})[0]
        conn.execute(records.RECORD_TABLES["registrations"].update()
                     .where(records.RECORD_TABLES["registrations"].c.id == reg["id"])
                     .values(registration_number="DR-2026-000123"))
        case = records.list_records(conn, "cases")[0]
        conn.execute(records.RECORD_TABLES["cases"].update()
                     .where(records.RECORD_TABLES["cases"].c.id == case["id"])
                     .values(case_number="CS-2026-000123", status="waiting_on_customer"))
        pending = records.list_records(conn, "registrations", where={"status": "submitted"})[0]
        conn.execute(records.RECORD_TABLES["registrations"].update()
                     .where(records.RECORD_TABLES["registrations"].c.id == pending["id"])
                     .values(status="pending_review"))
    for page in window.pages.values():
        page.mark_stale()
    _show_everything(qtbot, window)
    number = window.pages["registrations"].table
    metrics = QFontMetrics(number.font())
    column = next(i for i, c in enumerate(window.pages["registrations"].spec.columns)
                  if c.key == "registration_number")
    assert number.columnWidth(column) >= metrics.horizontalAdvance("DR-2026-000123") + TEXT_MARGIN
    cut = []
    for view in _views(window):
        model, stretch = view.model(), _stretch_columns(view)
        for column in range(model.columnCount()):
            if column in stretch or view.isColumnHidden(column):
                continue
            width = view.columnWidth(column)
            for row in range(min(model.rowCount(), 200)):
                if isinstance(view, QTreeWidget) and view.isFirstColumnSpanned(row, QModelIndex()):
                    continue  # a sentence across the whole row ("Nothing here — all clear")
                if _needed(view, row, column) > width:
                    cut.append(f"{view.accessibleName()}: {model.index(row, column).data()!r} "
                               f"in {width} px")
    assert cut == []


def test_no_column_title_or_tab_title_is_cut(qtbot, window):
    _show_everything(qtbot, window)
    cut = []
    for view in _views(window):
        header = _header(view)
        metrics = QFontMetrics(header_font(header))
        for section in range(header.count()):
            if header.isSectionHidden(section):  # e.g. Partner, on a desk with no sub-partners
                continue
            title = view.model().headerData(section, Qt.Orientation.Horizontal)
            sort = 14 if header.isSortIndicatorShown() else 0
            if header.sectionSize(section) < metrics.horizontalAdvance(title) + 16 + sort:
                cut.append(f"{view.accessibleName()}: {title!r}")
    for bar in window.findChildren(QTabBar):
        metrics = QFontMetrics(bar.font())
        for tab in range(bar.count()):
            if bar.tabRect(tab).width() < metrics.horizontalAdvance(bar.tabText(tab)) + 8:
                cut.append(f"tab {bar.tabText(tab)!r}")
    assert cut == []


def test_the_long_reason_takes_the_room_the_other_columns_leave(qtbot, window):
    """Today's Why and the Sync page's Reason: no empty columns beside a cut reason."""
    _show_everything(qtbot, window)
    today = window.pages["today"].lists["sync"]
    rejected = window.pages["sync"].rejected
    window.pages["sync"].tabs.setCurrentIndex(1)
    for tree, reason in ((today, 2), (rejected, 2)):
        header = tree.header()
        widths = [header.sectionSize(i) for i in range(header.count())]
        assert sum(widths) == tree.viewport().width()  # the columns fill the list, no gap
        others = sum(w for i, w in enumerate(widths) if i != reason)
        assert widths[reason] == tree.viewport().width() - others
        assert widths[reason] > max(w for i, w in enumerate(widths) if i != reason)


def test_a_long_company_name_and_domain_each_show_on_one_line(qtbot, window, store, sample):
    """The Opportunities detail used to break "Müller Maschinenbau GmbH" and its domain in two."""
    from workbench.store.schema import RECORD_TABLES
    table = RECORD_TABLES["opportunities"]
    with store.transaction() as conn:
        opportunity = records.list_records(conn, "opportunities")[0]
        conn.execute(table.update().where(table.c.id == opportunity["id"]).values(
            customer_name="Müller Maschinenbau GmbH", customer_domain="mueller-maschinenbau.de"))
    page = window.show_page("opportunities", opportunity["id"])
    wait_idle(qtbot, window)
    one_line = QFontMetrics(page.form.font()).lineSpacing()
    for field in ("customer_name", "customer_domain"):
        label = page.form.values[field]
        assert label.text() in ("Müller Maschinenbau GmbH", "mueller-maschinenbau.de")
        assert label.heightForWidth(label.width()) <= one_line + 2, field


def test_the_settings_data_folder_reads_from_its_start(qtbot, window):
    folder = "/home/maria.keller/.local/share/partner-workbench/northwind-partners"
    window.ctx.settings.setValue("data/dir", folder)
    dialog = window.open_settings()
    qtbot.waitUntil(dialog.isVisible)
    field = dialog.data_dir
    assert field.cursorPosition() == 0
    assert field.width() >= QFontMetrics(field.font()).horizontalAdvance(folder)  # all of it
    assert field.toolTip() == folder
    dialog.reject()
