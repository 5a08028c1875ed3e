"""Ask for a short text (a rejection reason, a renewal note) without blocking the event loop."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from workbench.ui.widgets import primary


class NoteDialog(QDialog):
    submitted = Signal(str)

    def __init__(self, title: str, prompt: str, *, required: bool = True, ok_text: str = "OK",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.required = required
        layout = QVBoxLayout(self)
        label = QLabel(prompt)
        label.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setAccessibleName(prompt)
        self.text.setTabChangesFocus(True)
        self.text.setMinimumSize(380, 90)
        label.setBuddy(self.text)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok = primary(self.buttons.button(QDialogButtonBox.StandardButton.Ok))
        self.ok.setText(ok_text)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(label)
        layout.addWidget(self.text)
        layout.addWidget(self.buttons)
        self.text.textChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        self.ok.setEnabled(not self.required or bool(self.text.toPlainText().strip()))

    def _accept(self) -> None:
        if self.ok.isEnabled():
            self.submitted.emit(self.text.toPlainText().strip())
            self.accept()
