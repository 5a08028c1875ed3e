"""Small building blocks shared by the views: tables, search box, pills, cards, field forms."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QKeySequence, QPainter, QPainterPath, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.domain.model import Owner, entity
from workbench.ui import style
from workbench.ui.tablemodel import NOTE_ROLE, PILL_ROLE, TONE_ROLE, Column, SqlTableModel

ROW_HEIGHT = 30


def repolish(widget: QWidget) -> None:
    """Re-apply the style sheet after a dynamic property changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def set_tone(widget: QWidget, tone: str) -> None:
    widget.setProperty("tone", tone)
    repolish(widget)


def primary(button: QPushButton) -> QPushButton:
    button.setProperty("primary", True)
    button.setDefault(True)
    return button


def button(text: str, accessible: str, slot: Callable[[], Any] | None = None,
           tip: str = "") -> QPushButton:
    widget = QPushButton(text)
    widget.setAccessibleName(accessible)
    if tip:
        widget.setToolTip(tip)
    if slot is not None:
        widget.clicked.connect(slot)
    return widget


def shortcut(parent: QWidget, keys: str | QKeySequence.StandardKey, slot: Callable[[], Any],
             context: Qt.ShortcutContext = Qt.ShortcutContext.WidgetWithChildrenShortcut) -> QShortcut:
    sequence = QKeySequence(keys)
    item = QShortcut(sequence, parent)
    item.setContext(context)
    item.activated.connect(slot)
    return item


# --- column sizing ------------------------------------------------------------------------------
#
# Every list sizes its columns the same way, from font metrics, never from the rows (no
# ResizeToContents: it reads every row of a 100k table). A column that holds values of a known
# shape (a registration number, a date, money, a status pill) is as wide as the widest one it
# can hold and its title; one column of free text (the customer, the reason) takes what is left.

CELL_PADDING = 10  # the item's text margins (Fusion: 3-4 px a side; 8 px in all) and air
HEADER_PADDING = 18  # the style sheet's "padding: 5px 8px" and a little air
SORT_MARK = 14  # the sort arrow drawn beside the title of the sorted column
PILL_PADDING = 16  # inside the pill, around its text
PILL_LEFT = 6  # the pill's offset in its cell
PILL_RIGHT = 6  # air after the pill (or its note) at the cell's right edge
NOTE_GAP = 8  # between a pill and the note after it


def header_font(view: QWidget) -> QFont:
    font = QFont(view.font())
    font.setWeight(QFont.Weight.DemiBold)  # QHeaderView::section { font-weight: 600 }
    return font


def pill_font(font: QFont) -> QFont:
    small = QFont(font)
    small.setPointSizeF(max(font.pointSizeF() - 0.5, 7))
    small.setWeight(QFont.Weight.DemiBold)
    return small


def pill_cell_width(font: QFont, text: str, note: str = "") -> int:
    """The cell width a pill (and the note after it) needs: the geometry PillDelegate draws."""
    width = PILL_LEFT + text_width(pill_font(font), [text]) + PILL_PADDING
    if note:
        width += NOTE_GAP + text_width(font, [note])
    return width + PILL_RIGHT


def text_width(font: QFont, texts: Iterable[str]) -> int:
    """The widest of `texts` in whole pixels, rounded up (advances are fractional: 76.4 px of
    text in a 76 px cell is elided)."""
    metrics = QFontMetricsF(font)
    return max((math.ceil(metrics.horizontalAdvance(t)) for t in texts), default=0)


def column_width(view: QWidget, column: Column) -> int:
    """The width `column` needs: its title (with the sort arrow) and its widest sample."""
    title = text_width(header_font(view), [column.title]) + HEADER_PADDING + \
        (SORT_MARK if column.sort else 0)
    font = view.font()
    if column.pill:
        content = max((pill_cell_width(font, text) for text in column.samples), default=0)
        for text, note in column.note_samples:
            content = max(content, pill_cell_width(font, text, note))
    else:  # right-aligned figures keep clear of the left-aligned text after them
        content = text_width(font, column.samples) + CELL_PADDING + (6 if column.right else 0)
    return max(title, content)


class ColumnFitter(QObject):
    """Gives the stretch columns the width the others leave, never less than their minimum.

    Qt's Stretch mode would squeeze a stretch column to nothing before a scroll bar appears;
    this keeps the minimum (then the list scrolls sideways, on a window narrower than 1366 px).
    """

    def __init__(self, view: QAbstractItemView, header: QHeaderView, minimums: dict[int, int]) -> None:
        super().__init__(view)
        self.view, self.header, self.minimums = view, header, minimums
        self.fixed = {i: header.sectionSize(i) for i in range(header.count()) if i not in minimums}
        self._fitting = False
        view.viewport().installEventFilter(self)
        header.sectionResized.connect(self._section_resized)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def _section_resized(self, section: int, _old: int, _new: int) -> None:
        if section not in self.minimums:  # the rep widened a column: the stretch one gives way
            self.fit()

    def needed_width(self) -> int:
        """Every column at its computed width, the stretch ones at their minimum."""
        return sum(width for section, width in {**self.fixed, **self.minimums}.items()
                   if not self.header.isSectionHidden(section))

    def fit(self) -> None:
        if self._fitting or not self.minimums:
            return
        self._fitting = True
        try:
            header = self.header
            fixed = sum(header.sectionSize(i) for i in range(header.count())
                        if i not in self.minimums and not header.isSectionHidden(i))
            share = (self.view.viewport().width() - fixed) // len(self.minimums)
            for section, minimum in self.minimums.items():
                header.resizeSection(section, max(minimum, share))
        finally:
            self._fitting = False


def fit_columns(view: QAbstractItemView, header: QHeaderView, columns: Sequence[Column]) -> None:
    """Size `view`'s columns by the policy above (tables and small trees alike)."""
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    minimums = {}
    for number, column in enumerate(columns):
        width = column_width(view, column)
        header.resizeSection(number, width)
        if column.stretch:
            minimums[number] = width
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    fitter = ColumnFitter(view, header, minimums)
    view.column_fitter = fitter  # type: ignore[attr-defined]
    fitter.fit()


def columns_needed_width(view: QAbstractItemView) -> int:
    """What `view`'s columns need side by side (the stretch ones at their minimum)."""
    fitter: ColumnFitter = getattr(view, "column_fitter")  # noqa: B009 - set by fit_columns
    return fitter.needed_width()


class PillDelegate(QStyledItemDelegate):
    """Draws status cells as rounded coloured pills: the rep finds 'rejected' without reading.

    A note (NOTE_ROLE), such as the days of protection left, follows the pill in its own tone.
    """

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        tone = index.data(TONE_ROLE) or ""
        text = index.data(PILL_ROLE) or index.data(Qt.ItemDataRole.DisplayRole) or ""
        if not tone or not text:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = option.widget
        (widget.style() if widget else QStyle()).drawControl(
            QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        fg, bg = style.TONES.get(tone, ("#374151", "#f3f4f6"))
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(pill_font(option.font))
        metrics = painter.fontMetrics()
        room = option.rect.width() - PILL_LEFT - PILL_RIGHT
        width = min(text_width(painter.font(), [text]) + PILL_PADDING, room)
        height = metrics.height() + 4
        rect = QRectF(option.rect.x() + PILL_LEFT, option.rect.center().y() - height / 2 + 1,
                      width, height)
        path = QPainterPath()
        path.addRoundedRect(rect, height / 2, height / 2)
        painter.fillPath(path, QColor(bg))
        painter.setPen(QColor(fg))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter,
                         metrics.elidedText(text, Qt.TextElideMode.ElideRight,
                                            int(width) - PILL_PADDING + 6))
        note, note_tone = index.data(NOTE_ROLE) or ("", "")
        if note:
            painter.setFont(option.font)
            left = option.rect.x() + PILL_LEFT + int(width) + NOTE_GAP
            area = QRect(left, option.rect.y(),
                         option.rect.x() + option.rect.width() - PILL_RIGHT - left,
                         option.rect.height())
            painter.setPen(QColor(style.TONES[note_tone][0] if note_tone else "#374151"))
            painter.drawText(area, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             painter.fontMetrics().elidedText(note, Qt.TextElideMode.ElideRight,
                                                              area.width()))
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        hint = super().sizeHint(option, index)  # tables fix the row height in their header
        return QSize(hint.width() + PILL_PADDING, hint.height())


def make_table(model: SqlTableModel, accessible: str) -> QTableView:
    """A table view that stays fast at 100k rows: fixed row heights, widths from font metrics."""
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(accessible)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.setSortingEnabled(False)  # enabled below without triggering a sort of the whole table
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTabKeyNavigation(False)  # Tab leaves the table for the detail pane
    vertical = view.verticalHeader()
    vertical.setVisible(False)
    vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vertical.setDefaultSectionSize(ROW_HEIGHT)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    fit_columns(view, header, model.spec.columns)
    pills = PillDelegate(view)
    for number, column in enumerate(model.spec.columns):
        if column.pill:
            view.setItemDelegateForColumn(number, pills)
    header.setSortIndicatorShown(True)
    header.setSectionsClickable(True)
    default = next((n for n, c in enumerate(model.spec.columns) if c.sort == model.spec.default_sort), -1)
    header.setSortIndicator(default, Qt.SortOrder.DescendingOrder if model.spec.descending
                            else Qt.SortOrder.AscendingOrder)  # before connecting: no query yet
    header.sortIndicatorChanged.connect(model.sort)
    return view


def make_tree(accessible: str, columns: Sequence[Column]) -> QTreeWidget:
    """A small list (Today, Sync, an account's contacts): the same sizing policy as the tables."""
    tree = QTreeWidget()
    tree.setAccessibleName(accessible)
    tree.setHeaderLabels([c.title for c in columns])
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)  # fixed row heights
    tree.setAlternatingRowColors(True)
    tree.setWordWrap(False)
    tree.header().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    fit_columns(tree, tree.header(), columns)
    pills = None
    for number, column in enumerate(columns):
        if column.pill:
            pills = pills or PillDelegate(tree)
            tree.setItemDelegateForColumn(number, pills)
    return tree


def col(title: str, *samples: str, stretch: bool = False, pill: bool = False,
        sortable: bool = False) -> Column:
    """A column of a small list, by its title and the widest content expected."""
    return Column(title, title, sort=title if sortable else None, samples=samples,
                  stretch=stretch, pill=pill)


class SearchBox(QLineEdit):
    """Search as you type, with a short pause so a fast typist runs one query, not five."""

    search = Signal(str)

    def __init__(self, placeholder: str, accessible: str, delay_ms: int = 120) -> None:
        super().__init__()
        self.setPlaceholderText(placeholder)
        self.setAccessibleName(accessible)
        self.setClearButtonEnabled(True)
        self.setMinimumWidth(260)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(lambda: self.search.emit(self.text()))
        self.textChanged.connect(lambda _text: self._timer.start())
        self.returnPressed.connect(self.flush)

    def flush(self) -> None:
        """Run the pending search now (Enter, and tests)."""
        self._timer.stop()
        self.search.emit(self.text())


class Card(QFrame):
    """A number with a caption (Today, Scorecard)."""

    def __init__(self, caption: str, value: str = "–") -> None:
        super().__init__()
        self.setObjectName("card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        self.value = QLabel(value)
        self.value.setObjectName("cardValue")
        self.caption = QLabel(caption)
        self.caption.setObjectName("cardLabel")
        self.caption.setWordWrap(False)
        self.period = QLabel()  # what the figure is over ("last 90 days"), after the caption
        self.period.setObjectName("cardLabel")
        self.period.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        bottom = QHBoxLayout()
        bottom.addWidget(self.caption, 1)
        bottom.addWidget(self.period)
        layout.addWidget(self.value)
        layout.addLayout(bottom)
        self.setAccessibleName(caption)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(78)  # cards in a row line up whatever their caption

    def set(self, value: str, tone: str = "", period: str = "") -> None:
        self.value.setText(value)
        self.period.setText(period)
        color = style.TONES[tone][0] if tone else "#111827"
        self.value.setStyleSheet(f"color: {color};")
        over = f" ({period})" if period else ""
        self.setAccessibleDescription(f"{self.caption.text()}{over}: {value}")


def fit_height(dialog: QWidget) -> None:
    """Give a fixed-width dialog the height its content needs now, keeping it centred.

    A banner appearing (a warning, a problem) then pushes what is below it down instead of
    being squeezed over the fields, and the dialog neither widens nor drifts off-centre.
    """
    layout = dialog.layout()
    if layout is None:
        return
    layout.activate()
    width = dialog.width()
    height = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else \
        layout.totalSizeHint().height()
    height = max(height, layout.totalMinimumSize().height())
    centre = dialog.geometry().center()
    dialog.setMinimumHeight(height)
    dialog.resize(width, height)
    if dialog.isVisible():
        frame = dialog.geometry()
        frame.moveCenter(centre)
        dialog.move(frame.topLeft() - (dialog.geometry().topLeft() - dialog.pos()))


def muted(text: str = "", *, wrap: bool = True) -> QLabel:
    """A quiet line of explanation (the style sheet's "muted" grey)."""
    label = QLabel(text)
    label.setObjectName("muted")
    label.setWordWrap(wrap)
    return label


def banner(text: str = "", tone: str = "info") -> QLabel:
    label = QLabel(text)
    label.setObjectName("banner")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    set_tone(label, tone)
    return label


def page_header(title: str, hint: str, *right: QWidget) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 4)
    text = QVBoxLayout()
    heading = QLabel(title)
    heading.setObjectName("pageTitle")
    heading.setAccessibleName(f"{title} page")
    sub = QLabel(hint)
    sub.setObjectName("pageHint")
    text.addWidget(heading)
    text.addWidget(sub)
    layout.addLayout(text, 1)
    for widget in right:
        layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignBottom)
    return box


def section(title: str) -> QLabel:
    label = QLabel(title)
    label.setObjectName("sectionTitle")
    return label


def heading_label() -> QLabel:
    """A detail pane's title: wraps, and never forces the pane wider than it is."""
    label = QLabel()
    label.setObjectName("sectionTitle")
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return label


class StatusPill(QLabel):
    def __init__(self) -> None:
        super().__init__()
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def show_status(self, text: str, tone: str) -> None:
        fg, bg = style.TONES.get(tone, ("#374151", "#f3f4f6"))
        self.setText(text)
        self.setStyleSheet(f"background: {bg}; color: {fg}; border-radius: 10px; "
                           "padding: 2px 10px; font-weight: 600;")
        self.setVisible(bool(text))


# A detail pane is wide enough to show a long company name or web domain on one line: a value
# broken over two lines ("mueller-" / "maschinenbau.de") reads as two things.
DETAIL_VALUE_SAMPLE = "Müller Maschinenbau GmbH"
DOMAIN_SAMPLE = "mueller-maschinenbau.de"


class RecordForm(QWidget):
    """A record's fields as label/value rows; vendor-owned fields say so (read-only here).

    Captions are short (`titles`): the pane's width goes to the values.
    """

    def __init__(self, entity_name: str, fields: Iterable[str],
                 formatters: dict[str, Callable[[dict[str, Any]], str]] | None = None,
                 titles: dict[str, str] | None = None,
                 value_sample: str = DETAIL_VALUE_SAMPLE,
                 optional: Iterable[str] = ()) -> None:
        super().__init__()
        self.spec = entity(entity_name)
        self.optional = frozenset(optional)  # rows hidden while they have no value
        self.value_sample = value_sample
        self.formatters = formatters or {}
        self.layout_ = QFormLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.layout_.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.values: dict[str, QLabel] = {}
        self.captions: list[str] = []
        for name in fields:
            caption = (titles or {}).get(name) or (
                self.spec.field(name).title if self.spec.has_field(name) else name)
            vendor = self.spec.has_field(name) and self.spec.field(name).owner is Owner.VENDOR
            title = QLabel(caption + ":")
            self.captions.append(title.text())
            title.setObjectName("muted")
            if vendor:
                title.setToolTip("Set by the vendor — read-only in the workbench")
            value = QLabel()
            value.setWordWrap(True)
            # Long words (domains, e-mail addresses) must not widen the detail pane.
            value.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(caption)
            self.layout_.addRow(title, value)
            self.values[name] = value

    def needed_width(self) -> int:
        """Captions plus a long company name or domain on one line, by font metrics."""
        spacing = self.style().pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing)
        return (text_width(self.font(), self.captions) + max(spacing, 6) + 4
                + text_width(self.font(), [self.value_sample]))

    def show_record(self, row: dict[str, Any]) -> None:
        for name, label in self.values.items():
            formatter = self.formatters.get(name)
            value = formatter(row) if formatter else row.get(name)
            label.setText("—" if value in (None, "") else str(value))
            label.setToolTip("" if value in (None, "") else str(value))
            if name in self.optional:
                self.layout_.setRowVisible(label, value not in (None, ""))
