"""The look: one small style sheet and the status colours (kept in Python so it ships everywhere)."""

from __future__ import annotations

import tempfile
from pathlib import Path

ACCENT = "#2563eb"

# tone -> (text colour, background colour)
TONES: dict[str, tuple[str, str]] = {
    "approved": ("#166534", "#dcfce7"),
    "ok": ("#166534", "#dcfce7"),
    "pending": ("#92400e", "#fef3c7"),
    "warning": ("#9a3412", "#ffedd5"),
    "rejected": ("#991b1b", "#fee2e2"),
    "lapsed": ("#991b1b", "#fee2e2"),
    "draft": ("#334155", "#e2e8f0"),
    "info": ("#1e40af", "#dbeafe"),
    "closed": ("#475569", "#f1f5f9"),
}

_STATUS_TONES = {
    # registrations
    "draft": "draft", "submitted": "info", "pending_review": "pending", "approved": "approved",
    "rejected": "rejected", "won": "ok", "lost": "closed", "expired": "lapsed",
    "withdrawn": "closed",
    # leads
    "new": "info", "accepted": "approved", "contacted": "ok",
    # cases
    "open": "info", "waiting_on_partner": "warning", "waiting_on_customer": "pending",
    "escalated": "rejected", "resolved": "ok", "closed": "closed",
    # outbox
    "pending": "pending", "applied": "ok", "conflict": "warning",
}


def style_sheet() -> str:
    """The sheet with its arrow images drawn once into a cache folder (needs a QGuiApplication)."""
    folder = _arrow_folder()
    return STYLE_SHEET.replace("@ARROWS@", folder.as_posix())


def _arrow_folder() -> Path:
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QColor, QImage, QPainter, QPolygonF

    folder = Path(tempfile.gettempdir()) / "partner-workbench-style"
    folder.mkdir(exist_ok=True)
    for name, points in (("down", [(2, 4), (10, 4), (6, 9)]), ("up", [(2, 9), (10, 9), (6, 4)])):
        image = QImage(12, 12, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#6b7280"))
        painter.drawPolygon(QPolygonF([QPointF(x, y) for x, y in points]))
        painter.end()
        image.save(str(folder / f"{name}.png"))
    return folder


def status_tone(status: str | None) -> str:
    return _STATUS_TONES.get(status or "", "")


STYLE_SHEET = """
QMainWindow, QDialog { background: #f5f6f8; }
QWidget { color: #1f2937; }
QLabel#pageTitle { font-size: 17pt; font-weight: 600; color: #111827; }
QLabel#pageHint, QLabel.hint { color: #6b7280; }
QLabel#sectionTitle { font-size: 11pt; font-weight: 600; color: #111827; margin-top: 6px; }
QLabel#muted { color: #6b7280; }
QLabel#banner { border-radius: 6px; padding: 8px 10px; }
QLabel#banner[tone="warning"] { background: #fff7ed; color: #9a3412; border: 1px solid #fed7aa; }
QLabel#banner[tone="rejected"] { background: #fef2f2; color: #991b1b; border: 1px solid #fecaca; }
QLabel#banner[tone="ok"] { background: #f0fdf4; color: #166534; border: 1px solid #bbf7d0; }
QLabel#banner[tone="info"] { background: #eff6ff; color: #1e40af; border: 1px solid #bfdbfe; }

QListWidget#nav {
    background: #111827; color: #d1d5db; border: none; padding-top: 8px; outline: 0;
    font-size: 11pt;
}
QListWidget#nav::item { padding: 9px 16px; border-left: 3px solid transparent; }
QListWidget#nav::item:selected { background: #1f2937; color: #ffffff; border-left: 3px solid #60a5fa; }
QListWidget#nav::item:hover:!selected { background: #18212f; }
QTreeView::item { min-height: 24px; }
QLabel#brand { background: #111827; color: #ffffff; font-size: 11pt; font-weight: 700;
               padding: 14px 16px 4px 16px; }
QLabel#brandSub { background: #111827; color: #9ca3af; padding: 0 16px 8px 16px; }

QFrame#card { background: #ffffff; border: 1px solid #e5e7eb; border-radius: 8px; }
QLabel#cardValue { font-size: 20pt; font-weight: 600; color: #111827; }
QLabel#cardLabel { color: #6b7280; }
QFrame#detail { background: #ffffff; border: 1px solid #e5e7eb; border-radius: 8px; }

QTableView, QTreeWidget, QListWidget#plain, QTextBrowser {
    background: #ffffff; border: 1px solid #e5e7eb; border-radius: 6px;
    alternate-background-color: #f9fafb; gridline-color: #f3f4f6;
    selection-background-color: #dbeafe; selection-color: #111827;
}
QHeaderView::section {
    background: #f3f4f6; color: #4b5563; border: none; border-bottom: 1px solid #e5e7eb;
    padding: 5px 8px; font-weight: 600;
}
QLineEdit, QComboBox, QDateEdit, QSpinBox, QPlainTextEdit, QTextEdit {
    background: #ffffff; border: 1px solid #d1d5db; border-radius: 5px; padding: 4px 6px;
    selection-background-color: #bfdbfe; selection-color: #111827;
}
QLineEdit:focus, QComboBox:focus, QDateEdit:focus, QPlainTextEdit:focus, QSpinBox:focus {
    border: 1px solid #2563eb;
}
QComboBox::drop-down, QDateEdit::drop-down { border: none; width: 22px; }
QComboBox::down-arrow, QDateEdit::down-arrow, QSpinBox::down-arrow { image: url(@ARROWS@/down.png); }
QSpinBox::up-arrow { image: url(@ARROWS@/up.png); }
QSpinBox::up-button, QSpinBox::down-button { border: none; width: 18px; background: transparent; }
QComboBox QAbstractItemView { background: #ffffff; border: 1px solid #d1d5db;
                              selection-background-color: #dbeafe; selection-color: #111827; }
QLineEdit[invalid="true"], QDateEdit[invalid="true"] { border: 1px solid #dc2626; background: #fef2f2; }
QLineEdit:read-only { background: #f3f4f6; color: #4b5563; }
QPushButton {
    background: #ffffff; border: 1px solid #d1d5db; border-radius: 5px; padding: 5px 12px;
    min-height: 18px;
}
QPushButton:hover { background: #f3f4f6; }
QPushButton:focus { border: 1px solid #2563eb; }
QPushButton:disabled { color: #9ca3af; background: #f9fafb; border-color: #e5e7eb; }
QPushButton[primary="true"] { background: #2563eb; color: #ffffff; border: 1px solid #1d4ed8; }
QPushButton[primary="true"]:hover { background: #1d4ed8; }
QPushButton[primary="true"]:disabled { background: #93c5fd; border-color: #93c5fd; }
QStatusBar { background: #ffffff; border-top: 1px solid #e5e7eb; }
QStatusBar QLabel { padding: 0 8px; color: #374151; }
QLabel#online[tone="ok"] { color: #166534; font-weight: 600; }
QLabel#online[tone="lapsed"] { color: #991b1b; font-weight: 600; }
QLabel#online[tone="pending"] { color: #92400e; font-weight: 600; }
QToolBox::tab { background: #f3f4f6; border: 1px solid #e5e7eb; border-radius: 5px;
                color: #374151; font-weight: 600; padding: 3px 8px; }
QToolBox::tab:selected { background: #eff6ff; color: #1d4ed8; border-color: #bfdbfe; }
QTabWidget::pane { border: 1px solid #e5e7eb; border-radius: 6px; background: #ffffff; top: -1px; }
QTabBar::tab { padding: 6px 7px; background: transparent; color: #4b5563; border: none; }
QTabBar::tab:selected { color: #1d4ed8; border-bottom: 2px solid #2563eb; }
QToolTip { background: #111827; color: #ffffff; border: none; padding: 4px; }
QDialogButtonBox { dialogbuttonbox-buttons-have-icons: 0; }
"""
