"""Small building blocks shared by the views: tables, search box, pills, cards, field forms."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QKeySequence, QPainter, QPainterPath, QShortcut
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
    QVBoxLayout,
    QWidget,
)

from workbench.domain.model import Owner, entity
from workbench.ui import style
from workbench.ui.tablemodel import TONE_ROLE, SqlTableModel

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


class PillDelegate(QStyledItemDelegate):
    """Draws status cells as rounded coloured pills: the rep finds 'rejected' without reading."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        tone = index.data(TONE_ROLE) or ""
        text = index.data(Qt.ItemDataRole.DisplayRole) or ""
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
        font = QFont(option.font)
        font.setPointSizeF(max(option.font.pointSizeF() - 0.5, 7))
        font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        width = min(metrics.horizontalAdvance(text) + 16, option.rect.width() - 8)
        height = metrics.height() + 4
        rect = QRectF(option.rect.x() + 6, option.rect.center().y() - height / 2 + 1, width, height)
        path = QPainterPath()
        path.addRoundedRect(rect, height / 2, height / 2)
        painter.fillPath(path, QColor(bg))
        painter.setPen(QColor(fg))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter,
                         metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(width) - 10))
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(hint.width() + 16, ROW_HEIGHT)


def make_table(model: SqlTableModel, accessible: str) -> QTableView:
    """A table view that stays fast at 100k rows: fixed row heights, fixed column widths."""
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
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    pills = PillDelegate(view)
    for number, column in enumerate(model.spec.columns):
        view.setColumnWidth(number, column.width)
        if column.pill:
            view.setItemDelegateForColumn(number, pills)
    header.setSortIndicatorShown(True)
    header.setSectionsClickable(True)
    default = next((n for n, c in enumerate(model.spec.columns) if c.sort == model.spec.default_sort), -1)
    header.setSortIndicator(default, Qt.SortOrder.DescendingOrder if model.spec.descending
                            else Qt.SortOrder.AscendingOrder)  # before connecting: no query yet
    header.sortIndicatorChanged.connect(model.sort)
    return view


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
        layout.addWidget(self.value)
        layout.addWidget(self.caption)
        self.setAccessibleName(caption)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(84)  # cards in a row line up whatever their caption

    def set(self, value: str, tone: str = "") -> None:
        self.value.setText(value)
        color = style.TONES[tone][0] if tone else "#111827"
        self.value.setStyleSheet(f"color: {color};")
        self.setAccessibleDescription(f"{self.caption.text()}: {value}")


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


class RecordForm(QWidget):
    """A record's fields as label/value rows; vendor-owned fields say so (read-only here)."""

    def __init__(self, entity_name: str, fields: Iterable[str],
                 formatters: dict[str, Callable[[dict[str, Any]], str]] | None = None,
                 titles: dict[str, str] | None = None) -> None:
        super().__init__()
        self.spec = entity(entity_name)
        self.formatters = formatters or {}
        self.layout_ = QFormLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.layout_.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.values: dict[str, QLabel] = {}
        for name in fields:
            caption = (titles or {}).get(name) or (
                self.spec.field(name).title if self.spec.has_field(name) else name)
            vendor = self.spec.has_field(name) and self.spec.field(name).owner is Owner.VENDOR
            title = QLabel(caption + ":")
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

    def show_record(self, row: dict[str, Any]) -> None:
        for name, label in self.values.items():
            formatter = self.formatters.get(name)
            value = formatter(row) if formatter else row.get(name)
            label.setText("—" if value in (None, "") else str(value))
            label.setToolTip("" if value in (None, "") else str(value))
