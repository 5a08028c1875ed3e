"""A customer field that completes from the local accounts (offline, as you type)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import QCompleter, QLineEdit

from workbench.ui import queries
from workbench.ui.context import Context


class AccountPicker(QLineEdit):
    """Type a customer; pick an existing account from the list, or keep typing a new name."""

    account_chosen = Signal(object)  # the account dict, or None when the text no longer is one

    def __init__(self, ctx: Context, placeholder: str = "Company name") -> None:
        super().__init__()
        self.ctx = ctx
        self.setPlaceholderText(placeholder)
        self.account: dict[str, Any] | None = None
        self._choices: dict[str, dict[str, Any]] = {}
        self._model = QStringListModel(self)
        self.completer_ = QCompleter(self._model, self)
        self.completer_.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer_.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer_.setMaxVisibleItems(10)
        self.setCompleter(self.completer_)
        self.completer_.activated.connect(self.choose_text)  # the chosen display text
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(80)
        self._timer.timeout.connect(self._lookup)
        self.textEdited.connect(self._edited)

    def _edited(self, _text: str) -> None:
        if self.account is not None:
            self.account = None
            self.account_chosen.emit(None)
        self._timer.start()

    def _lookup(self) -> None:
        text = self.text().strip()
        rows = self.ctx.read_now(lambda c: queries.account_names(c, text)) if len(text) >= 2 else []
        self._choices = {self._display(r): r for r in rows}
        self._model.setStringList(list(self._choices))
        if rows and self.hasFocus():
            self.completer_.complete()

    def suggestions(self) -> list[str]:
        return self._model.stringList()

    def choose_text(self, display: str) -> None:
        row = self._choices.get(display)
        if row is None:
            return
        self.set_account(row)

    def set_account(self, row: dict[str, Any]) -> None:
        self.account = row
        # Defer: QCompleter writes the chosen display text after `activated`; ours must win.
        QTimer.singleShot(0, self, lambda: self.setText(row["name"]))
        self.setText(row["name"])
        self.account_chosen.emit(row)

    def lookup_now(self) -> None:
        """Run the pending look-up at once (tests, Enter)."""
        self._timer.stop()
        self._lookup()

    @staticmethod
    def _display(row: dict[str, Any]) -> str:
        return f"{row['name']}  —  {row['domain']}" if row.get("domain") else row["name"]
