"""Register deal (Ctrl+N): four required fields, account autocomplete, live duplicate warning.

Saves offline in one transaction (account if new, the registration, its queued submit); the
vendor's decision arrives with a later sync.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from workbench.domain.matching import Match
from workbench.domain.model import entity
from workbench.domain.values import InvalidValue, coerce, parse_money_cents
from workbench.services import registrations
from workbench.services.registrations import Deal
from workbench.store import duplicates
from workbench.ui import format as fmt
from workbench.ui.context import Context
from workbench.ui.dialogs.account_picker import AccountPicker
from workbench.ui.widgets import banner, fit_height, primary, repolish, set_tone

DEFAULT_CLOSE_IN = timedelta(days=60)
DIALOG_WIDTH = 560


class RegisterDealDialog(QDialog):
    saved = Signal(object)  # {"registration": …, "created_account": … | None}

    def __init__(self, ctx: Context, account: dict[str, Any] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.matches: list[Match] = []
        self.error_field = ""  # the field the shown problem is about
        self.setWindowTitle("Register a deal")
        self.setAccessibleName("Register a deal")
        # One width whatever appears (duplicate warning, problem): it grows downwards only,
        # and stays centred on the window (widgets.fit_height).
        self.setFixedWidth(DIALOG_WIDTH)
        self.discard_box: QMessageBox | None = None
        spec = entity("registrations")
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        intro = QLabel("Saved on this computer at once; sent to the vendor with the next sync.")
        intro.setObjectName("muted")
        layout.addWidget(intro)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.customer = AccountPicker(ctx, "Company name — pick an account or type a new one")
        self.customer.setAccessibleName(spec.field("customer_name").title)
        self.domain = QLineEdit()
        self.domain.setPlaceholderText("acme.com")
        self.domain.setAccessibleName(spec.field("customer_domain").title)
        self.product = QLineEdit()
        self.product.setPlaceholderText("What you are selling")
        self.product.setAccessibleName(spec.field("product").title)
        self.value = QLineEdit()
        self.value.setPlaceholderText("40000, $40,000 or 40k")
        self.value.setAccessibleName(spec.field("deal_value_cents").title)
        self.value_hint = QLabel()
        self.value_hint.setObjectName("muted")
        self.close_date = QDateEdit()
        self.close_date.setCalendarPopup(True)
        self.close_date.setDisplayFormat("d MMM yyyy")  # as every date reads: 30 Jan 2027
        default_close = date.today() + DEFAULT_CLOSE_IN
        self.close_date.setDate(QDate(default_close.year, default_close.month, default_close.day))
        self.close_date.setAccessibleName(spec.field("expected_close_date").title)
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText("Optional: context for the channel manager")
        self.notes.setAccessibleName(spec.field("notes").title)
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(64)
        value_row = QHBoxLayout()  # the amount as read back, beside the field: no empty row
        value_row.setContentsMargins(0, 0, 0, 0)
        self.value.setFixedWidth(190)
        self.value_hint.setWordWrap(True)
        value_row.addWidget(self.value)
        value_row.addWidget(self.value_hint, 1)
        form.addRow("&Customer *", self.customer)
        form.addRow("Do&main", self.domain)
        form.addRow("&Product *", self.product)
        form.addRow("Deal &value *", value_row)
        value_label = form.labelForField(value_row)
        if isinstance(value_label, QLabel):  # Alt+V reaches the value field, not the hint
            value_label.setBuddy(self.value)
        form.addRow("&Expected close *", self.close_date)
        form.addRow("&Notes", self.notes)
        layout.addLayout(form)

        self.warning = banner("", "warning")
        self.warning.setAccessibleName("Duplicate warning")
        self.warning.setVisible(False)
        layout.addWidget(self.warning)
        self.error = banner("", "rejected")
        self.error.setAccessibleName("Problem")
        self.error.setVisible(False)
        layout.addWidget(self.error)
        self.submit_now = QCheckBox("&Submit to the vendor on the next sync")
        self.submit_now.setChecked(True)
        self.submit_now.setAccessibleName("Submit on next sync")
        layout.addWidget(self.submit_now)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = primary(buttons.addButton("&Register deal",
                                                     QDialogButtonBox.ButtonRole.AcceptRole))
        self.save_button.setAccessibleName("Register deal")
        self.save_button.setToolTip("Save and queue the submit (Ctrl+Enter)")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.save)
        for first, second in ((self.customer, self.domain), (self.domain, self.product),
                              (self.product, self.value), (self.value, self.close_date),
                              (self.close_date, self.notes), (self.notes, self.submit_now),
                              (self.submit_now, self.save_button)):
            self.setTabOrder(first, second)

        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(120)
        self._check_timer.timeout.connect(self.check_duplicates)
        self.customer.textChanged.connect(lambda _t: self._check_timer.start())
        self.domain.textChanged.connect(lambda _t: self._check_timer.start())
        self.customer.account_chosen.connect(self._account_chosen)
        self.value.textChanged.connect(self._value_changed)
        self.inputs = {"customer_name": self.customer, "customer_domain": self.domain,
                       "product": self.product, "deal_value_cents": self.value,
                       "expected_close_date": self.close_date}
        for name, widget in self.inputs.items():
            if isinstance(widget, QDateEdit):
                widget.dateChanged.connect(lambda *_a, n=name: self._recheck(n))
            elif isinstance(widget, QLineEdit):
                widget.textChanged.connect(lambda *_a, n=name: self._recheck(n))
        ctx.duplicates.ready.connect(self.check_duplicates)
        ctx.duplicates.ensure()
        if account:
            self.customer.set_account(account)
            self._account_chosen(account)
            self.product.setFocus()
        else:
            self.customer.setFocus()
        self.initial = self.values()  # what counts as "nothing typed yet" (a chosen account)
        fit_height(self)

    # --- live feedback ----------------------------------------------------------------------

    def _account_chosen(self, account: dict[str, Any] | None) -> None:
        if account is not None and account.get("domain"):
            self.domain.setText(account["domain"])
        self._check_timer.start()

    def _value_changed(self, text: str) -> None:
        if not text.strip():
            self.value_hint.setText("")
            return
        try:
            self.value_hint.setText("= " + fmt.money(parse_money_cents(text)))
        except ValueError:
            self.value_hint.setText("Enter an amount such as 40000, $40,000.50 or 12.5k")

    def check_duplicates(self) -> None:
        """Warn, with the reason, when the customer looks registered or known already."""
        self._check_timer.stop()
        name, domain = self.customer.text().strip(), self.domain.text().strip()
        index = self.ctx.duplicates.index
        if not name and not domain:
            self.matches = []
        elif index is None:
            self._show_warning("Checking for duplicates as soon as local records are loaded…", "info")
            return
        else:
            exclude = frozenset({self.customer.account["id"]}) if self.customer.account else frozenset()
            self.matches = duplicates.check(index, name, domain, exclude_ids=exclude, limit=3)
            # Picking an account is not a duplicate of itself; its registrations still are.
        if not self.matches:
            self._show_warning("", "")
            return
        lines = []
        for match in self.matches:
            what = "a registration" if match.candidate.kind == "registration" else "an account"
            where = f" ({match.candidate.domain})" if match.candidate.domain else ""
            lines.append(f"• {what} for {match.candidate.name}{where}: {'; '.join(match.reasons)}")
        head = "Possible duplicate — check before you register:"
        self._show_warning(head + "\n" + "\n".join(lines), "warning")

    def _show_warning(self, text: str, tone: str) -> None:
        self.warning.setText(text)
        if tone:
            set_tone(self.warning, tone)
        self.warning.setVisible(bool(text))
        fit_height(self)  # grow with the warning instead of squeezing the notes

    # --- saving ----------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        return {"customer_name": self.customer.text(), "customer_domain": self.domain.text(),
                "product": self.product.text(), "deal_value_cents": self.value.text(),
                "expected_close_date": self.close_date.date().toPython(),
                "notes": self.notes.toPlainText() or None}

    def save(self) -> None:
        if not self.save_button.isEnabled():
            return
        values = self.values()
        account = self.customer.account
        account_id = account["id"] if account and account["name"] == values["customer_name"].strip() else None
        index = self.ctx.duplicates.index
        if account_id is None and index is not None:
            # The same linking rule as the service's, on the window's current index (read here,
            # on the UI thread that keeps it current); without an index the service reads one.
            account_id = registrations.linked_account(index, values["customer_name"].strip(),
                                                      values["customer_domain"].strip())
        deal = Deal(customer_name=values["customer_name"], customer_domain=values["customer_domain"],
                    account_id=account_id, deal_value=values["deal_value_cents"],
                    expected_close_date=values["expected_close_date"], product=values["product"],
                    notes=values["notes"])
        submit = self.submit_now.isChecked()
        self.save_button.setEnabled(False)
        self.error.setVisible(False)
        self.error_field = ""
        self.ctx.tasks.write(
            lambda: registrations.register_deal(self.ctx.store, deal, submit=submit),
            self._saved, self._failed)

    def _saved(self, result: registrations.RegisteredDeal) -> None:
        # The duplicate index learns of the new records from the write's Changes.
        self.saved.emit({"registration": result.registration,
                         "created_account": result.created_account})
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        field = error.field if isinstance(error, InvalidValue) else ""
        problem = error.problem if isinstance(error, InvalidValue) else str(error)
        widgets = {"customer_name": self.customer, "customer_domain": self.domain,
                   "name": self.customer, "domain": self.domain, "product": self.product,
                   "deal_value_cents": self.value, "expected_close_date": self.close_date}
        labels = {"customer_name": "Customer", "name": "Customer", "customer_domain": "Domain",
                  "domain": "Domain", "product": "Product", "deal_value_cents": "Deal value",
                  "expected_close_date": "Expected close"}
        for name, widget in widgets.items():
            widget.setProperty("invalid", name == field)
            repolish(widget)
        text = f"{labels[field]}: {problem}" if field in labels else str(error)
        self.error.setText(text)
        self.error.setVisible(True)
        self.error_field = field if field in widgets else ""
        fit_height(self)  # the problem pushes the buttons down; it never covers the notes
        if field in widgets:
            widgets[field].setFocus()

    # --- fixing a problem, leaving ---------------------------------------------------------

    def _recheck(self, name: str) -> None:
        """A field marked invalid loses the mark (and its problem) as soon as it is fixed."""
        field_names = {"customer_name": ("customer_name", "name"),
                       "customer_domain": ("customer_domain", "domain")}.get(name, (name,))
        widget = self.inputs[name]
        if not widget.property("invalid") or not self._valid(name):
            return
        widget.setProperty("invalid", False)
        repolish(widget)
        if self.error_field in field_names:
            self.error.setVisible(False)
            self.error_field = ""
            fit_height(self)

    def _valid(self, name: str) -> bool:
        value = self.values()[name]
        if name == "expected_close_date":
            return not self.submit_now.isChecked() or value >= date.today()
        try:
            coerce(entity("registrations").field(name), value)
        except InvalidValue:
            return False
        return True

    def dirty(self) -> bool:
        """Something typed that a close would throw away."""
        return self.values() != self.initial

    def reject(self) -> None:
        """Escape, Cancel or the close button: ask first when the form holds typed work."""
        if not self.save_button.isEnabled():
            return  # saving: the dialog closes itself when the save is done
        if not self.dirty():
            super().reject()
            return
        if self.discard_box is not None and self.discard_box.isVisible():
            return
        box = QMessageBox(QMessageBox.Icon.Question, "Discard this deal?",
                          "Discard this deal?\nWhat you typed in this registration is not saved "
                          "yet.", QMessageBox.StandardButton.NoButton, self)
        discard = box.addButton("&Discard", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("&Keep editing", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.setAccessibleName("Discard this deal?")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        discard.clicked.connect(self.discard)
        self.discard_box = box
        box.open()  # non-modal to the event loop: nothing stalls while the rep decides

    def discard(self) -> None:
        self.initial = self.values()
        super().reject()
