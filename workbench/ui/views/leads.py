"""Leads the vendor assigned: accept or reject with a reason, log the first contact, watch the SLA."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from workbench.domain.model import LEAD_WORKING_STATUSES
from workbench.domain.values import parse_datetime
from workbench.services import leads
from workbench.ui import format as fmt
from workbench.ui import queries
from workbench.ui.style import status_tone
from workbench.ui.tablemodel import Column, TableSpec, Where
from workbench.ui.views.base import ListPage, equals
from workbench.ui.widgets import RecordForm, banner, button, set_tone


def _still_assigned(t: sa.Table) -> sa.ColumnElement[bool]:
    """Not taken back by the vendor (seed 001: recycled after 48 h without first contact)."""
    return sa.or_(t.c.assignment_status.is_(None), t.c.assignment_status != "recycled")


def _working(*statuses: str) -> Where:
    return lambda t: [t.c.working_status.in_(statuses), _still_assigned(t)]


# The same rule as the Status column (fmt.lead_status): a recycled lead is Recycled, never New.
FILTERS: list[tuple[str, Where | None]] = [
    ("Open leads", _working("new", "accepted")), ("All leads", None), ("New", _working("new")),
    ("Accepted", _working("accepted")), ("Contacted", equals("working_status", "contacted")),
    ("Rejected", equals("working_status", "rejected")),
    ("Recycled by the vendor", equals("assignment_status", "recycled"))]

SPEC = TableSpec(
    entity="leads",
    columns=(
        Column("company_name", "Company", sort="company_name", stretch=True,
               samples=("Globex Corporation",)),
        Column("contact_name", "Contact", sort="contact_name", samples=("Camille Laurent",)),
        Column("source", "Source", sort="source", samples=("Trade show",)),
        Column("assigned_at", "Assigned", sort="assigned_at", samples=("12 Nov 2026",),
               display=lambda r: fmt.ago(r.get("assigned_at"))),
        Column("sla", "First contact SLA", sort="assigned_at",
               samples=("23 h 59 min left", "contacted in time"),
               display=lambda r: fmt.sla_text(r)[0], tone=lambda r: fmt.sla_text(r)[1]),
        Column("working_status", "Status", sort="working_status", pill=True,
               samples=tuple(fmt.label(s) for s in LEAD_WORKING_STATUSES) + ("Recycled",),
               display=lambda r: fmt.label(fmt.lead_status(r)),
               tone=lambda r: _tone(fmt.lead_status(r))),
    ),
    search=("company_name", "company_domain", "contact_name", "contact_email", "source"),
    default_sort="assigned_at",
    fetch=("first_contact_at", "assignment_status"),
    context=queries.lead_terms,
)


class LeadsPage(ListPage):
    title = "Leads"
    hint = "Leads the vendor handed you. Log a first contact within 48 hours or the lead is recycled."
    shows = frozenset({"leads", "program_terms"})  # the program's SLA hours come with a sync
    search_placeholder = "Search company, contact or source  (Ctrl+F)"
    spec = SPEC
    partner_column = True
    partner_makes_room = ("source", "assigned_at")

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.model.set_conditions(FILTERS[0][1], refresh=False)  # loads when shown

    def filters(self) -> list[QWidget]:
        return [self.status_filter(FILTERS, "Filter leads by status")]

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
        }, titles={"company_domain": "Domain", "contact_name": "Contact", "contact_email": "Email",
                   "assigned_at": "Assigned", "first_contact_at": "First contact",
                   "rejection_reason": "Why rejected"})
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

    def reload(self) -> None:
        hours = self.ctx.read_now(queries.lead_terms)["sla_hours"]
        hint = self.findChild(QLabel, "pageHint")
        if hint is not None:
            hint.setText(self.hint.replace("48 hours", f"{hours} hours"))
        super().reload()

    def show_detail(self, record_id: str | None) -> None:
        row = self.ctx.read_now(lambda c: queries.lead(c, record_id)) if record_id else {}
        self.detail.setEnabled(bool(row))
        self.heading.setText(row.get("company_name") or "No lead selected")
        status = row.get("working_status") or ""
        recycled = fmt.lead_status(row) == "recycled" if row else False
        shown = fmt.lead_status(row) if row else ""
        self.pill.show_status(fmt.label(shown), _tone(shown))
        self.form.show_record(row)
        text, tone = fmt.sla_text(row) if row else ("", "")
        if recycled:
            text = ("The vendor took this lead back: no first contact was logged within "
                    f"{fmt.sla_hours(row)} hours. It can no longer be worked here.")
        elif text and not row.get("first_contact_at") and status != "rejected":
            text = f"First contact due: {text}" if tone != "lapsed" else \
                f"The {fmt.sla_hours(row)}-hour first-contact SLA has passed: contact the " \
                "customer now."
        read_only = bool(self.partner_of(row))
        if read_only:
            text, tone = self.sub_partner_notice(row), "info"
        set_tone(self.notice, {"lapsed": "rejected", "warning": "warning", "ok": "ok"}.get(tone, "info"))
        self.notice.setText(text)
        self.notice.setVisible(bool(text))
        self.accept_button.setEnabled(status == "new" and not recycled and not read_only)
        self.reject_button.setEnabled(status in ("new", "accepted") and not recycled
                                      and not read_only)
        self.contact_button.setEnabled(bool(row) and not row.get("first_contact_at")
                                       and status != "rejected" and not recycled
                                       and not read_only)

    def _accept(self) -> None:
        if self.current_id:
            lead_id = self.current_id
            hours = self.ctx.read_now(queries.lead_terms)["sla_hours"]
            self.write(lambda: leads.accept_lead(self.ctx.store, lead_id),
                       lambda lead: f"{lead['company_name']} accepted: log the first contact "
                                    f"within the {hours} hours.")

    def _reject(self) -> None:
        if self.current_id:
            lead_id = self.current_id
            self.ask("Reject lead", "Why are you rejecting this lead? (the vendor re-routes it)",
                     lambda reason: self.write(
                         lambda: leads.reject_lead(self.ctx.store, lead_id, reason),
                         lambda lead: f"{lead['company_name']} rejected: the vendor re-routes it "
                                      "with the next sync."), ok_text="Reject lead")

    def _contact(self) -> None:
        if self.current_id:
            lead_id = self.current_id
            terms = self.ctx.read_now(queries.lead_terms)
            self.write(lambda: leads.log_first_contact(self.ctx.store, lead_id),
                       lambda lead: _contact_logged({**terms, **lead}))


def _tone(status: str) -> str:
    return status_tone("expired" if status == "recycled" else status)


def _contact_logged(lead: dict[str, Any]) -> str:
    """The confirmation a rep reads after 'Log first contact' (the lead may leave the list)."""
    when = parse_datetime(lead["first_contact_at"]).astimezone()
    text = fmt.sla_text(lead)[0]
    hours = fmt.sla_hours(lead)
    sla = f"within the {hours}-hour SLA" if text == "contacted in time" else \
        f"after the {hours}-hour SLA"
    return (f"First contact with {lead['company_name']} logged at {when:%H:%M}, {sla}. "
            "The lead is now Contacted; it goes to the vendor with the next sync.")
