"""Leads the vendor assigned: accept or reject with a reason, log the first contact, watch the SLA."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from workbench.services import leads
from workbench.ui import format as fmt
from workbench.ui import queries
from workbench.ui.style import status_tone
from workbench.ui.tablemodel import Column, TableSpec
from workbench.ui.views.base import ListPage, StatusChoice
from workbench.ui.widgets import RecordForm, banner, button, set_tone

FILTERS: list[tuple[str, StatusChoice]] = [
    ("Open leads", ("new", "accepted")), ("All leads", None), ("New", "new"),
    ("Accepted", "accepted"), ("Contacted", "contacted"), ("Rejected", "rejected")]

SPEC = TableSpec(
    entity="leads",
    columns=(
        Column("company_name", "Company", sort="company_name", width=180),
        Column("contact_name", "Contact", sort="contact_name", width=125),
        Column("source", "Source", sort="source", width=95),
        Column("assigned_at", "Assigned", sort="assigned_at", width=95,
               display=lambda r: fmt.ago(r.get("assigned_at"))),
        Column("sla", "First contact SLA", sort="assigned_at", width=150,
               display=lambda r: fmt.sla_text(r)[0], tone=lambda r: fmt.sla_text(r)[1]),
        Column("working_status", "Status", sort="working_status", width=100, pill=True,
               display=lambda r: fmt.label(r.get("working_status")),
               tone=lambda r: status_tone(r.get("working_status"))),
    ),
    search=("company_name", "company_domain", "contact_name", "contact_email", "source"),
    default_sort="assigned_at",
    fetch=("first_contact_at", "assignment_status"),
)


class LeadsPage(ListPage):
    title = "Leads"
    hint = "Leads the vendor handed you. Log a first contact within 48 hours or the lead is recycled."
    search_placeholder = "Search company, contact or source  (Ctrl+F)"
    spec = SPEC

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.model.set_where(refresh=False, working_status=FILTERS[0][1])  # loads when shown

    def filters(self) -> list[QWidget]:
        return [self.status_filter("working_status", FILTERS, "Filter leads by status")]

    def build_detail(self, layout: QVBoxLayout) -> None:
        self.add_detail_heading(layout)
        self.notice = banner()
        layout.addWidget(self.notice)
        self.form = RecordForm("leads", [
            "company_domain", "contact_name", "contact_email", "source", "assigned_at",
            "first_contact_at", "rejection_reason", "notes"], {
            "assigned_at": lambda r: fmt.day(r.get("assigned_at")) + (
                f"  ({fmt.ago(r['assigned_at'])})" if r.get("assigned_at") else ""),
            "first_contact_at": lambda r: fmt.day(r.get("first_contact_at")),
        })
        layout.addWidget(self.form)
        row = QHBoxLayout()
        self.accept_button = button("Accept", "Accept lead", self._accept)
        self.reject_button = button("Reject…", "Reject lead with a reason", self._reject)
        self.contact_button = button("Log first contact", "Log first contact", self._contact,
                                     "Record that you contacted the customer now")
        for widget, keys in ((self.accept_button, "Alt+A"), (self.reject_button, "Alt+R"),
                             (self.contact_button, "Alt+L")):
            self.bind(widget, keys)
        for widget in (self.accept_button, self.contact_button, self.reject_button):
            row.addWidget(widget)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)

    def show_detail(self, record_id: str | None) -> None:
        row = self.ctx.read_now(lambda c: queries.record(c, "leads", record_id)) if record_id else {}
        self.detail.setEnabled(bool(row))
        self.heading.setText(row.get("company_name") or "No lead selected")
        status = row.get("working_status") or ""
        recycled = row.get("assignment_status") == "recycled"
        if recycled:
            self.pill.show_status("Recycled", status_tone("expired"))
        else:
            self.pill.show_status(fmt.label(status), status_tone(status))
        self.form.show_record(row)
        text, tone = fmt.sla_text(row) if row else ("", "")
        if recycled:
            text = ("The vendor took this lead back: no first contact was logged within 48 "
                    "hours. It can no longer be worked here.")
        elif text and not row.get("first_contact_at") and status != "rejected":
            text = f"First contact due: {text}" if tone != "lapsed" else \
                "The 48-hour first-contact SLA has passed: contact the customer now."
        set_tone(self.notice, {"lapsed": "rejected", "warning": "warning", "ok": "ok"}.get(tone, "info"))
        self.notice.setText(text)
        self.notice.setVisible(bool(text))
        self.accept_button.setEnabled(status == "new" and not recycled)
        self.reject_button.setEnabled(status in ("new", "accepted") and not recycled)
        self.contact_button.setEnabled(bool(row) and not row.get("first_contact_at")
                                       and status != "rejected" and not recycled)

    def _accept(self) -> None:
        if self.current_id:
            lead_id = self.current_id
            self.write(lambda: leads.accept_lead(self.ctx.store, lead_id), "Lead accepted")

    def _reject(self) -> None:
        if self.current_id:
            lead_id = self.current_id
            self.ask("Reject lead", "Why are you rejecting this lead? (the vendor re-routes it)",
                     lambda reason: self.write(
                         lambda: leads.reject_lead(self.ctx.store, lead_id, reason),
                         "Lead rejected"), ok_text="Reject lead")

    def _contact(self) -> None:
        if self.current_id:
            lead_id = self.current_id
            self.write(lambda: leads.log_first_contact(self.ctx.store, lead_id),
                       "First contact logged")
