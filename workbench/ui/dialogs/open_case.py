"""Open a support case for a customer (saved offline, sent with the next sync)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from workbench.domain.model import CASE_SEVERITIES, entity
from workbench.domain.values import InvalidValue
from workbench.services import cases
from workbench.ui import format as fmt
from workbench.ui.context import Context
from workbench.ui.dialogs.account_picker import AccountPicker
from workbench.ui.widgets import banner, muted, primary, repolish, set_tone


class OpenCaseDialog(QDialog):
    saved = Signal(object)  # the new case

    def __init__(self, ctx: Context, account: dict[str, Any] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Open a support case")
        self.setAccessibleName("Open a support case")
        self.setMinimumWidth(480)
        spec = entity("cases")
        layout = QVBoxLayout(self)
        intro = muted("The vendor's support team sees the case after the next sync.", wrap=False)
        layout.addWidget(intro)
        form = QFormLayout()
        self.customer = AccountPicker(ctx, "Start typing a customer account")
        self.customer.setAccessibleName("Customer account")
        self.subject = QLineEdit()
        self.subject.setAccessibleName(spec.field("subject").title)
        self.subject.setPlaceholderText("What is wrong, in one line")
        self.severity = QComboBox()
        self.severity.setAccessibleName(spec.field("severity").title)
        for value in CASE_SEVERITIES:
            self.severity.addItem(fmt.label(value), value)
        self.severity.setCurrentIndex(CASE_SEVERITIES.index("normal"))
        self.description = QPlainTextEdit()
        self.description.setAccessibleName(spec.field("description").title)
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(110)
        form.addRow("&Customer:", self.customer)
        form.addRow("&Subject:", self.subject)
        form.addRow("Se&verity:", self.severity)
        form.addRow("&Description:", self.description)
        layout.addLayout(form)
        self.error = banner("", "rejected")
        self.error.setVisible(False)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = primary(buttons.addButton("Open case", QDialogButtonBox.ButtonRole.AcceptRole))
        self.save_button.setAccessibleName("Open case")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if account:
            self.customer.set_account(account)
            self.subject.setFocus()

    def save(self) -> None:
        account = self.customer.account
        if account is None:
            self._show_error("customer: pick an existing account from the list")
            return
        subject, severity = self.subject.text(), self.severity.currentData()
        description = self.description.toPlainText()
        self.save_button.setEnabled(False)
        self.ctx.tasks.write(
            lambda: cases.open_case(self.ctx.store, account["id"], subject, severity=severity,
                                    description=description),
            self._saved, self._failed)

    def _saved(self, case: dict[str, Any]) -> None:
        self.saved.emit(case)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        self._show_error(str(error))
        if isinstance(error, InvalidValue) and error.field == "subject":
            self.subject.setProperty("invalid", True)
            repolish(self.subject)

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        set_tone(self.error, "rejected")
        self.error.setVisible(True)
