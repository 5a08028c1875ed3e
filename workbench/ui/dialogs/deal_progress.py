"""Record an approved deal's progress, or ask the vendor to change its value or close date."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from workbench.domain.values import utc_now
from workbench.ui import format as fmt
from workbench.ui.widgets import primary


def _notes(text: str, accessible: str, height: int = 70) -> QPlainTextEdit:
    edit = QPlainTextEdit(text)
    edit.setAccessibleName(accessible)
    edit.setTabChangesFocus(True)
    edit.setMinimumSize(380, height)
    return edit


def _line(text: str, accessible: str, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit(text)
    edit.setAccessibleName(accessible)
    edit.setPlaceholderText(placeholder)
    return edit


def _buttons(dialog: QDialog, ok_text: str) -> tuple[QDialogButtonBox, Any]:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel)
    ok = primary(buttons.button(QDialogButtonBox.StandardButton.Ok))
    ok.setText(ok_text)
    buttons.rejected.connect(dialog.reject)
    return buttons, ok


class ProgressDialog(QDialog):
    """Next step, last activity (text and date) and notes; emits the fields as entered."""

    submitted = Signal(object)  # dict: next_step, last_activity, last_activity_on, notes

    def __init__(self, row: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Record progress")
        self.setAccessibleName("Record progress")
        layout = QVBoxLayout(self)
        intro = QLabel(f"How is the {row.get('customer_name') or ''} deal moving? Saved on this "
                       "computer and sent to your channel manager at the next sync.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.next_step = _line(row.get("next_step") or "", "Next step",
                               "e.g. Security review with the CISO")
        self.activity = _line(row.get("last_activity") or "", "Last activity",
                              "e.g. Demo to the IT team")
        self.activity_on = _line(row.get("last_activity_on") or utc_now().date().isoformat(),
                                 "Last activity date", "YYYY-MM-DD")
        self.notes = _notes(row.get("progress_notes") or "", "Progress notes")
        form.addRow("Next step:", self.next_step)
        form.addRow("Last activity:", self.activity)
        form.addRow("Activity date:", self.activity_on)
        form.addRow("Notes:", self.notes)
        layout.addLayout(form)
        buttons, self.ok = _buttons(self, "Save progress")
        buttons.accepted.connect(self._accept)
        layout.addWidget(buttons)

    def values(self) -> dict[str, str | None]:
        # the date goes with an activity: a new next step alone is not an activity
        dated = bool(self.activity.text().strip())
        return {"next_step": self.next_step.text(), "last_activity": self.activity.text(),
                "last_activity_on": self.activity_on.text().strip() if dated else None,
                "progress_notes": self.notes.toPlainText()}

    def _accept(self) -> None:
        self.submitted.emit(self.values())
        self.accept()


class AmendmentDialog(QDialog):
    """A new deal value and/or close date with a note (the note is required)."""

    submitted = Signal(object)  # dict: deal_value, expected_close_date, note

    def __init__(self, row: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Request change")
        self.setAccessibleName("Request change")
        layout = QVBoxLayout(self)
        intro = QLabel(f"Now {fmt.money(row.get('deal_value_cents'), row.get('currency'))}, "
                       f"closing {fmt.day(row.get('expected_close_date'))}. The approved terms "
                       "change when your channel manager approves the request.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.value = _line("", "New deal value", "e.g. 52000 — leave empty to keep")
        self.close_date = _line("", "New close date", "YYYY-MM-DD — leave empty to keep")
        self.note = _notes("", "What changed in the deal", 80)
        form.addRow("New deal value:", self.value)
        form.addRow("New close date:", self.close_date)
        form.addRow("What changed:", self.note)
        layout.addLayout(form)
        buttons, self.ok = _buttons(self, "Send request")
        buttons.accepted.connect(self._accept)
        layout.addWidget(buttons)
        for edit in (self.value, self.close_date):
            edit.textChanged.connect(self._update)
        self.note.textChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        self.ok.setEnabled(bool(self.note.toPlainText().strip()) and bool(
            self.value.text().strip() or self.close_date.text().strip()))

    def values(self) -> dict[str, str | None]:
        return {"deal_value": self.value.text().strip() or None,
                "expected_close_date": self.close_date.text().strip() or None,
                "note": self.note.toPlainText().strip()}

    def _accept(self) -> None:
        if self.ok.isEnabled():
            self.submitted.emit(self.values())
            self.accept()
