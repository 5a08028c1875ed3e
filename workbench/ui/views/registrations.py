"""Registrations: status, protection countdown, and the partner's actions on each."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Any

from PySide6.QtWidgets import QGridLayout, QVBoxLayout, QWidget

from workbench.domain import registration as rules
from workbench.domain.values import parse_datetime
from workbench.services import registrations
from workbench.ui import format as fmt
from workbench.ui import queries
from workbench.ui.style import status_tone
from workbench.ui.tablemodel import Column, TableSpec
from workbench.ui.views.base import ListPage, StatusChoice
from workbench.ui.widgets import RecordForm, banner, button, primary, set_tone

STATUS_FILTERS: list[tuple[str, StatusChoice]] = [
    ("All registrations", None),
    ("Active", tuple(str(s) for s in rules.ACTIVE_LOCALLY)),  # domain: "active registration"
    *[(fmt.label(s), str(s)) for s in rules.RegistrationStatus]]


def _status(row: dict[str, Any]) -> str:
    return fmt.label(fmt.effective_status(row))


def _status_tone(row: dict[str, Any]) -> str:
    return status_tone(fmt.effective_status(row))


SPEC = TableSpec(
    entity="registrations",
    columns=(
        Column("customer_name", "Customer", sort="customer_name", width=170),
        Column("product", "Product", sort="product", width=110),
        Column("deal_value_cents", "Value", sort="deal_value_cents", width=80, right=True,
               display=lambda r: fmt.money(r.get("deal_value_cents"), r.get("currency"))),
        Column("expected_close_date", "Close date", sort="expected_close_date", width=95,
               display=lambda r: fmt.day(r.get("expected_close_date"))),
        Column("status", "Status", sort="status", width=122, display=_status, tone=_status_tone,
               pill=True),
        Column("protection", "Protection", sort="approved_at", width=105,
               display=lambda r: fmt.protection_text(r)[0], tone=lambda r: fmt.protection_text(r)[1]),
        Column("registration_number", "Number", sort="registration_number", width=80),
    ),
    search=("customer_name", "customer_domain", "product", "registration_number"),
    default_sort="expected_close_date",
    fetch=("currency", "approved_at", "customer_domain"),
)


class RegistrationsPage(ListPage):
    title = "Registrations"
    hint = "Your deal registrations, their vendor decision and how long protection lasts."
    search_placeholder = "Search customer, domain, product or number  (Ctrl+F)"
    spec = SPEC

    def header_buttons(self) -> list[QWidget]:
        register = primary(button("Register deal…", "Register a deal",
                                  lambda: self.ctx.window.register_deal(), "Ctrl+N"))
        register.setDefault(False)
        return [register]

    def filters(self) -> list[QWidget]:
        return [self.status_filter("status", STATUS_FILTERS, "Filter by status")]

    def build_detail(self, layout: QVBoxLayout) -> None:
        self.add_detail_heading(layout)
        self.notice = banner()
        layout.addWidget(self.notice)
        self.form = RecordForm("registrations", [
            "customer_domain", "product", "deal_value_cents", "expected_close_date",
            "registration_number", "protection_expires_at", "review_reason", "decision_reason",
            "submitted_at", "approved_at", "notes", "request_note"], {
            "deal_value_cents": lambda r: fmt.money(r.get("deal_value_cents"), r.get("currency")),
            "expected_close_date": lambda r: fmt.day(r.get("expected_close_date")),
            "protection_expires_at": lambda r: fmt.day(r.get("protection_expires_at")),
            "submitted_at": lambda r: fmt.day(r.get("submitted_at")),
            "approved_at": lambda r: fmt.day(r.get("approved_at")),
            "review_reason": lambda r: fmt.label(r.get("review_reason")),
        })
        layout.addWidget(self.form)
        row = QGridLayout()  # two by two: fits the narrow detail pane at 1366 px
        self.submit_button = button("Submit", "Submit to the vendor", partial(self._act, "submit"),
                                    "Queue this draft for the vendor")
        self.withdraw_button = button("Withdraw", "Withdraw registration",
                                      partial(self._act, "withdraw"))
        self.renew_button = button("Renew…", "Ask to renew protection", self._renew)
        self.dispute_button = button("Dispute…", "Dispute the rejection", self._dispute)
        for widget, keys in ((self.submit_button, "Alt+S"), (self.withdraw_button, "Alt+W"),
                             (self.renew_button, "Alt+N"), (self.dispute_button, "Alt+D")):
            self.bind(widget, keys)
        self.action_buttons = {"submit": self.submit_button, "withdraw": self.withdraw_button,
                               "renew": self.renew_button, "dispute": self.dispute_button}
        for number, widget in enumerate(self.action_buttons.values()):
            row.addWidget(widget, number // 2, number % 2)
        layout.addLayout(row)
        layout.addStretch(1)
        self.row: dict[str, Any] | None = None

    def show_detail(self, record_id: str | None) -> None:
        self.row = self.ctx.read_now(lambda c: queries.record(c, "registrations", record_id)) \
            if record_id else None
        self.detail.setEnabled(self.row is not None)
        row = self.row or {}
        self.heading.setText(row.get("customer_name") or "No registration selected")
        status = fmt.effective_status(row) if row else ""
        self.pill.show_status(fmt.label(status), status_tone(status))
        self.form.show_record(row)
        self._show_notice(row, status)
        allowed = rules.allowed_actions(row["status"], "partner") if row else ()
        now = datetime.now(UTC)
        approved = parse_datetime(row["approved_at"]) if row.get("approved_at") else None
        for action, widget in self.action_buttons.items():
            enabled = action in allowed
            if action == "renew":
                enabled = enabled and rules.can_renew(row["status"], approved, now)
            widget.setEnabled(enabled)

    def _show_notice(self, row: dict[str, Any], status: str) -> None:
        text, tone = "", "info"
        if status == "approved":
            text, warn = fmt.protection_text(row)
            tone = "warning" if warn else "ok"
            text = f"Protected: {text}." + (" Renew now to keep the deal." if warn else "")
        elif status == "pending_review":
            text = f"Waiting for the channel manager ({fmt.label(row.get('review_reason'))})."
            tone = "warning"
        elif status == "rejected":
            text, tone = f"Rejected: {row.get('decision_reason') or 'no reason given'}", "rejected"
        elif status == "draft":
            text = "Draft, saved on this computer. Submit it to send it to the vendor."
        elif status == "submitted":
            text = "Submitted: the vendor's decision arrives with the next sync."
        elif status == "expired":
            text, tone = "Protection has lapsed. Ask to renew if the deal is still alive.", "rejected"
        self.notice.setText(text)
        set_tone(self.notice, tone)
        self.notice.setVisible(bool(text))

    def _act(self, action: str, note: str | None = None) -> None:
        if self.current_id is None:
            return
        record_id = self.current_id
        self.write(lambda: registrations.registration_action(self.ctx.store, record_id, action,
                                                             note),
                   f"{fmt.label(action)} queued — the vendor decides on the next sync")

    def _renew(self) -> None:
        self.ask("Renew protection", "What changed in the deal? (for the channel manager)",
                 lambda note: self._act("renew", note), required=False, ok_text="Ask to renew")

    def _dispute(self) -> None:
        self.ask("Dispute rejection", "Why should the decision change?",
                 lambda note: self._act("dispute", note), ok_text="Dispute")
