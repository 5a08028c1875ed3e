"""A small form for a new partner-owned record (account, contact): one line per field.

A save the service refuses as a likely duplicate (seed 003, edge case 4) asks first: the form
says which record it probably is and offers "Create anyway" (`save_anyway`); changing a value
asks the service again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QVBoxLayout, QWidget

from workbench.domain.model import entity
from workbench.domain.values import InvalidValue
from workbench.services.accounts import LikelyDuplicate
from workbench.services.changes import Done
from workbench.ui.context import Context
from workbench.ui.widgets import banner, primary, repolish, set_tone


class RecordFormDialog(QDialog):
    saved = Signal(object)

    def __init__(self, ctx: Context, title: str, entity_name: str, fields: list[str],
                 save: Callable[[dict[str, Any]], Done[dict[str, Any]]],
                 parent: QWidget | None = None, *,
                 save_anyway: Callable[[dict[str, Any]], Done[dict[str, Any]]] | None = None
                 ) -> None:
        super().__init__(parent)
        self.ctx, self._save, self._save_anyway = ctx, save, save_anyway
        self.duplicate_confirmed = False
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setMinimumWidth(420)
        spec = entity(entity_name)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.inputs: dict[str, QLineEdit] = {}
        for name in fields:
            field = spec.field(name)
            edit = QLineEdit()
            edit.setAccessibleName(field.title)
            edit.setMaxLength(field.max_length)
            form.addRow(field.title + (" *" if field.required else "") + ":", edit)
            edit.textEdited.connect(self._values_changed)
            self.inputs[name] = edit
        layout.addLayout(form)
        self.error = banner("", "rejected")
        self.error.setVisible(False)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = primary(buttons.addButton("Save", QDialogButtonBox.ButtonRole.AcceptRole))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def save(self) -> None:
        values = {name: edit.text() for name, edit in self.inputs.items()}
        save = self._save_anyway if self.duplicate_confirmed and self._save_anyway else self._save
        self.save_button.setEnabled(False)
        self.ctx.tasks.write(lambda: save(values), self._saved, self._failed)

    def _values_changed(self) -> None:
        if self.duplicate_confirmed:  # another name or domain: ask the duplicate check again
            self.duplicate_confirmed = False
            self.save_button.setText("Save")
            self.error.setVisible(False)

    def _saved(self, record: dict[str, Any]) -> None:
        self.saved.emit(record)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(error, LikelyDuplicate) and self._save_anyway is not None:
            self._ask_about_twin(error)
            return
        self.error.setText(str(error))
        set_tone(self.error, "rejected")
        self.error.setVisible(True)
        for name, edit in self.inputs.items():
            edit.setProperty("invalid", isinstance(error, InvalidValue) and error.field == name)
            repolish(edit)

    def _ask_about_twin(self, error: LikelyDuplicate) -> None:
        account = error.twin.account
        self.error.setText(f"This is probably {account.name}"
                           f"{f' ({account.domain})' if account.domain else ''}, already in the "
                           f"workbench: {error.twin.why()}. Cancel and use that account, or "
                           "create another one anyway.")
        self.error.setWordWrap(True)
        set_tone(self.error, "warning")
        self.error.setVisible(True)
        self.duplicate_confirmed = True
        self.save_button.setText("Create anyway")
