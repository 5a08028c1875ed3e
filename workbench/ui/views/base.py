"""A list page: header, search and filters, a table over the store, a detail pane on the right."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from workbench.domain.distributors import partner_label
from workbench.services.changes import Changes, Done
from workbench.store.records import has_sub_partner_records, partner_names
from workbench.ui.context import Context
from workbench.ui.dialogs.note import NoteDialog
from workbench.ui.tablemodel import Column, SqlTableModel, TableSpec, Where
from workbench.ui.widgets import (
    RecordForm,
    SearchBox,
    StatusPill,
    banner,
    heading_label,
    make_table,
    page_header,
)

CONFIRMATION_MS = 12_000  # how long "First contact logged …" stays above the list


def equals(column: str, value: str | tuple[str, ...]) -> Where:
    """The filter condition `column` = value (a tuple: any of them)."""
    if isinstance(value, tuple):
        return lambda t: [t.c[column].in_(value)]
    return lambda t: [t.c[column] == value]

# What a status filter selects: one value, several (any of them), or None for all.
StatusChoice = str | tuple[str, ...] | None


class Page(QWidget):
    """Anything in the navigation. Pages load lazily: only when shown, and again when stale."""

    title = ""
    hint = ""
    # What the page shows, so it can tell whether a unit of work's Changes concern it: record
    # types, and the sync side (outbox, conflicts, who is signed in, the last sync).
    shows: frozenset[str] = frozenset()
    shows_sync = False

    def __init__(self, ctx: Context) -> None:
        super().__init__()
        self.ctx = ctx
        self.stale = True
        self.setAccessibleName(f"{self.title} page")

    def activate(self) -> None:
        if self.stale:
            self.stale = False
            self.reload()

    def mark_stale(self) -> None:
        self.stale = True
        if self.isVisible():
            self.activate()

    def affected_by(self, changes: Changes) -> bool:
        return changes.touches(self.shows) or (self.shows_sync and (
            changes.outbox or changes.conflicts or changes.account))

    def follow(self, changes: Changes) -> None:
        """A unit of work finished: reload if it touched what this page shows (the visible
        page now, a hidden one when it is shown next)."""
        if self.affected_by(changes):
            self.mark_stale()

    def reload(self) -> None:
        """Show the store's current state."""

    def focus_search(self) -> None:
        """Ctrl+F."""

    def select_record(self, record_id: str) -> None:
        """Show one record (navigation from Today, Accounts …)."""

    def tick(self) -> None:
        """Once a minute: countdowns move."""


PARTNER_COLUMN = 1  # after the list's first (name) column


class ListPage(Page):
    spec: TableSpec
    # A distributor's desk also holds its sub-partners' records (read-only there): lists with a
    # Partner column name whose each row is; it shows only when the desk holds sub-partners.
    partner_column = False
    # Columns the Partner column takes the place of (still in the detail pane), so the list
    # keeps fitting the window at 1366 px without a sideways scroll bar.
    partner_makes_room: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "spec" in cls.__dict__ and not cls.__dict__.get("shows"):
            cls.shows = frozenset({cls.spec.entity})  # a list shows its own records at least
    search_placeholder = "Search"

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.owners: tuple[str | None, dict[str, str]] = (None, {})
        if self.partner_column:
            column = Column("partner_id", "Partner", samples=("Small Reseller",),
                            display=lambda row: self.partner_of(row) or "")
            columns = self.spec.columns
            self.spec = replace(self.spec, columns=(*columns[:PARTNER_COLUMN], column,
                                                    *columns[PARTNER_COLUMN:]))
        self.model = SqlTableModel(ctx.store, self.spec, self)
        self.search = SearchBox(self.search_placeholder, f"Search {self.title.lower()}")
        self.search.search.connect(self._filter)
        self.table = make_table(self.model, f"{self.title} list")
        self.count = QLabel()
        self.count.setObjectName("muted")
        self.current_id: str | None = None
        self._note_dialog: NoteDialog | None = None

        root = QVBoxLayout(self)
        root.setContentsMargins(20, 16, 20, 12)
        root.setSpacing(10)
        root.addWidget(page_header(self.title, self.hint, *self.header_buttons()))
        bar = QHBoxLayout()
        bar.addWidget(self.search, 2)
        for widget in self.filters():
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.count)
        root.addLayout(bar)
        # What the last action did, where the rep is looking (the status bar is easy to miss).
        self.confirmation = banner("", "ok")
        self.confirmation.setAccessibleName("Done")
        self.confirmation.setVisible(False)
        self._confirmation_timer = QTimer(self)
        self._confirmation_timer.setSingleShot(True)
        self._confirmation_timer.setInterval(CONFIRMATION_MS)
        self._confirmation_timer.timeout.connect(lambda: self.confirmation.setVisible(False))
        root.addWidget(self.confirmation)

        self.detail = QFrame()
        self.detail.setObjectName("detail")
        detail_layout = QVBoxLayout(self.detail)
        detail_layout.setContentsMargins(16, 14, 16, 14)
        self.detail_layout = detail_layout
        self.build_detail(detail_layout)
        scroll = QScrollArea()
        scroll.setWidget(self.detail)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        # The detail wraps its text to the pane; a sideways scroll bar would hide the buttons.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.detail_width = self.detail_needed_width(scroll)
        scroll.setMinimumWidth(self.detail_width)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 0)  # a wider window widens the list, not the detail
        splitter.setSizes([1126 - self.detail_width, self.detail_width])
        splitter.setChildrenCollapsible(False)
        root.addWidget(splitter, 1)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.setTabOrder(self.search, self.table)

    # --- for subclasses -------------------------------------------------------------------------

    def header_buttons(self) -> list[QWidget]:
        return []

    def filters(self) -> list[QWidget]:
        return []

    def build_detail(self, layout: QVBoxLayout) -> None:
        raise NotImplementedError

    def detail_content_width(self) -> int:
        """The width the detail's content needs (fields, buttons), without the pane's margins."""
        form: RecordForm | None = getattr(self, "form", None)  # most details have one
        margins = self.detail_layout.contentsMargins()
        return max(form.needed_width() if form is not None else 0,
                   self.detail_layout.sizeHint().width() - margins.left() - margins.right())

    def detail_needed_width(self, scroll: QScrollArea) -> int:
        margins = self.detail_layout.contentsMargins()
        bar = scroll.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        return self.detail_content_width() + margins.left() + margins.right() + 2 + bar

    # --- shared pieces of pages -----------------------------------------------------------------

    def add_detail_heading(self, layout: QVBoxLayout) -> None:
        """The record's name with its status pill at the top of the detail pane."""
        top = QHBoxLayout()
        self.heading = heading_label()
        self.pill = StatusPill()
        top.addWidget(self.heading, 1)
        top.addWidget(self.pill, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)

    def status_filter(self, choices: list[tuple[str, Where | None]],
                      accessible_name: str) -> QComboBox:
        """A combo box that limits the list to the rows of one status (None: all).

        Each choice is SQL conditions, so a filter can follow the same rule as the status the
        list shows (a lapsed approval reads Expired, a recycled lead Recycled).
        """
        self.status_box = QComboBox()
        self.status_box.setAccessibleName(accessible_name)
        self.status_choices = choices
        for text, _where in choices:
            self.status_box.addItem(text)

        def changed(index: int) -> None:
            self.model.set_conditions(self.status_choices[index][1])
            self._update_count()
            self._select_position(0)
        self.status_box.currentIndexChanged.connect(changed)
        return self.status_box

    def show_detail(self, record_id: str | None) -> None:
        raise NotImplementedError

    # --- behaviour ------------------------------------------------------------------------------

    def partner_of(self, row: dict[str, Any] | None) -> str | None:
        """The sub-partner whose record `row` is (read-only here), None for the desk's own."""
        if not row:
            return None
        own, names = self.owners
        return partner_label(row, own, names)

    def sub_partner_notice(self, row: dict[str, Any] | None) -> str:
        """What the detail pane says above a sub-partner's record; "" for the desk's own."""
        owner = self.partner_of(row)
        if not owner:
            return ""
        return (f"Record of {owner}, your sub-partner: read-only in your workbench. "
                f"{owner} works it; you see it as its distributor.")

    def _read_owners(self) -> None:
        if not self.partner_column:
            return
        self.owners = self.ctx.read_now(partner_names)
        own, names = self.owners
        entity_name = self.spec.entity
        # Only a distributor's desk holds other partners; then only lists holding their records.
        shown = any(key != own for key in names) and self.ctx.read_now(
            lambda conn: has_sub_partner_records(conn, entity_name))
        self.table.setColumnHidden(PARTNER_COLUMN, not shown)
        for number, column in enumerate(self.spec.columns):
            if column.key in self.partner_makes_room:
                self.table.setColumnHidden(number, shown)
        self.table.column_fitter.fit()  # type: ignore[attr-defined]  # set by fit_columns

    def reload(self) -> None:
        keep = self.current_id
        self._read_owners()
        self.model.refresh()
        self._update_count()
        position = self.model.position_of(keep) if keep else -1
        self._select_position(position if position >= 0 else 0)

    def select_record(self, record_id: str) -> None:
        self.activate()
        position = self.model.position_of(record_id)
        if position < 0 and self.search.text():
            self.search.clear()
            self.search.flush()
            position = self.model.position_of(record_id)
        if position >= 0:
            self._select_position(position)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def tick(self) -> None:
        top = self.table.rowAt(0)
        if top >= 0:  # repaint the visible rows: countdown columns change
            self.model.dataChanged.emit(self.model.index(top, 0),
                                        self.model.index(self.model.rowCount() - 1,
                                                         self.model.columnCount() - 1))
        self.show_detail(self.current_id)

    def bind(self, widget: QPushButton, keys: str) -> QShortcut:
        """A key for a button: works wherever focus is in the window, while this page shows.

        Buttons' own Alt-mnemonics proved unreliable inside the scrolled detail pane, so the
        keys are explicit shortcuts (hidden pages do not match: their widgets are not visible).
        """
        item = QShortcut(QKeySequence(keys), self)
        item.setContext(Qt.ShortcutContext.WindowShortcut)
        item.activated.connect(lambda: widget.click() if widget.isEnabled() and self.isVisible() else None)
        widget.setToolTip(f"{widget.toolTip() or widget.accessibleName()} ({keys})")
        return item

    def write(self, call: Callable[[], Done[Any]],
              done: str | Callable[[Any], str] = "") -> None:
        """Run a service call on the write worker; failures name the field (InvalidValue).

        `done`: what to confirm once it is saved (a text, or made from the service's result).
        """
        def finished(result: Any) -> None:
            self.confirm(done(result) if callable(done) else done)
        self.ctx.tasks.write(call, finished, lambda error: self.ctx.fail(self, error))

    def confirm(self, text: str) -> None:
        """Say above the list what was just done (and in the status bar)."""
        if not text:
            return
        self.confirmation.setText(text)
        self.confirmation.setVisible(True)
        self._confirmation_timer.start()
        if self.ctx.window is not None:
            self.ctx.window.statusBar().showMessage(text, CONFIRMATION_MS)

    def ask(self, title: str, prompt: str, on_text: Callable[[str], None], *,
            required: bool = True, ok_text: str = "OK") -> NoteDialog:
        dialog = NoteDialog(title, prompt, required=required, ok_text=ok_text, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.submitted.connect(on_text)
        self._note_dialog = dialog
        dialog.open()
        return dialog

    def _filter(self, text: str) -> None:
        self.model.set_filter(text)
        self._update_count()
        self._select_position(0)

    def _update_count(self) -> None:
        n = self.model.rowCount()
        self.count.setText(f"{n:,} {'record' if n == 1 else 'records'}")

    def _select_position(self, position: int) -> None:
        if self.model.rowCount() == 0:
            self.table.clearSelection()
            self.current_id = None
            self.show_detail(None)
            return
        position = min(position, self.model.rowCount() - 1)
        index = self.model.index(position, 0)
        self.table.setCurrentIndex(index)  # emits currentRowChanged after a reset
        self.table.scrollTo(index)
        if self.current_id != self.model.row_id(position):
            self._current_changed(index, QModelIndex())

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        record_id = self.model.row_id(current.row()) if current.isValid() else None
        self.current_id = record_id
        self.show_detail(record_id)
