"""Registrations: status, protection countdown, and the partner's actions on each."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Any

import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QGridLayout, QVBoxLayout, QWidget

from workbench.domain import registration as rules
from workbench.domain.values import format_datetime, parse_datetime
from workbench.services import deals, registrations
from workbench.ui import format as fmt
from workbench.ui import queries
from workbench.ui.style import status_tone
from workbench.ui.tablemodel import Column, TableSpec, Where
from workbench.ui.views.base import ListPage, equals
from workbench.ui.widgets import DOMAIN_SAMPLE, RecordForm, banner, button, primary, set_tone


def _lapse_cutoff() -> str:
    """Approved at or before this moment: a default 90-day protection has run out (for a record
    without the expiry its approval granted)."""
    return format_datetime(datetime.now(UTC) - rules.PROTECTION_PERIOD)


def _running(t: sa.Table) -> sa.ColumnElement[bool]:
    """The window granted at approval is still open (its expiry; 90 days for one without)."""
    return sa.or_(sa.and_(t.c.protection_expires_at.is_not(None),
                          t.c.protection_expires_at > format_datetime(datetime.now(UTC))),
                  sa.and_(t.c.protection_expires_at.is_(None),
                          sa.or_(t.c.approved_at.is_(None), t.c.approved_at > _lapse_cutoff())))


def _protected(t: sa.Table) -> sa.ColumnElement[bool]:
    return sa.and_(t.c.status == "approved", _running(t))


def _lapsed(t: sa.Table) -> sa.ColumnElement[bool]:
    return sa.or_(t.c.status == "expired",
                  sa.and_(t.c.status == "approved", sa.not_(_running(t))))


def _status_where(status: str) -> Where:
    if status == "approved":
        return lambda t: [_protected(t)]
    if status == "expired":
        return lambda t: [_lapsed(t)]
    return equals("status", status)


# The same rule as the Status column (fmt.effective_status): an approval past its 90 days is
# listed, filtered and shown as Expired before the vendor records the expiry.
STATUS_FILTERS: list[tuple[str, Where | None]] = [
    ("All registrations", None),
    # domain "active registration" (a draft, or claiming its customer), a lapsed approval not
    ("Active", lambda t: [sa.or_(t.c.status.in_([str(s) for s in rules.ACTIVE_LOCALLY
                                                 if s != "approved"]), _protected(t))]),
    *[(fmt.label(s.value), _status_where(s.value)) for s in rules.RegistrationStatus]]


def _status(row: dict[str, Any]) -> str:
    return fmt.label(fmt.effective_status(row))


def _status_tone(row: dict[str, Any]) -> str:
    return status_tone(fmt.effective_status(row))


def _protection_note(row: dict[str, Any]) -> tuple[str, str]:
    """'45 days left' after an approved registration's pill (a lapsed one reads Expired)."""
    text, tone = fmt.protection_text(row)
    return ("", "") if tone == "lapsed" else (text, tone)


STATUS_LABELS = tuple(fmt.label(s) for s in rules.RegistrationStatus)

SPEC = TableSpec(
    entity="registrations",
    columns=(
        Column("customer_name", "Customer", sort="customer_name", stretch=True,
               samples=("Tyrell Robotics",)),  # at least this; all the room the others leave
        Column("product", "Product", sort="product", samples=("Support Premium",)),
        Column("deal_value_cents", "Value", sort="deal_value_cents", right=True,
               samples=("$1,250,000",),
               display=lambda r: fmt.money(r.get("deal_value_cents"), r.get("currency"))),
        Column("close_date", "Close date", sort="close_date", samples=("30 Sep 2027",),
               display=fmt.registration_close_day),
        Column("status", "Status", sort="status", display=_status, tone=_status_tone, pill=True,
               samples=STATUS_LABELS, note=_protection_note,
               note_samples=(("Approved", "89 days left"),)),
        Column("registration_number", "Number", sort="registration_number",
               samples=("DR-2026-000123",)),
    ),
    search=("customer_name", "customer_domain", "product", "registration_number"),
    default_sort="close_date",
    fetch=("currency", "approved_at", "customer_domain", "expected_close_date", "decided_at"),
    # The order matches what the column shows: the day a won or lost deal closed.
    sort_sql={"close_date": lambda t: sa.case(
        (t.c.status.in_(fmt.CLOSED_STATUSES) & t.c.decided_at.is_not(None),
         sa.func.substr(t.c.decided_at, 1, 10)), else_=t.c.expected_close_date)},
)


class RegistrationsPage(ListPage):
    title = "Registrations"
    hint = "Your deal registrations, their vendor decision and how long protection lasts."
    search_placeholder = "Search customer, domain, product or number  (Ctrl+F)"
    spec = SPEC
    shows = frozenset({"registrations", "registration_amendments"})
    partner_column = True
    partner_makes_room = ("product",)  # the number is what the rep quotes: it stays

    def header_buttons(self) -> list[QWidget]:
        register = primary(button("Register deal…", "Register a deal",
                                  lambda: self.ctx.window.register_deal(), "Ctrl+N"))
        register.setDefault(False)
        return [register]

    def filters(self) -> list[QWidget]:
        return [self.status_filter(STATUS_FILTERS, "Filter by status")]

    def build_detail(self, layout: QVBoxLayout) -> None:
        self.add_detail_heading(layout)
        self.notice = banner()
        layout.addWidget(self.notice)
        self.amendment_note = banner()  # where the latest requested change of terms stands
        self.amendment_note.setAccessibleName("Requested change")
        layout.addWidget(self.amendment_note)
        self.form = RecordForm("registrations", [
            "customer_domain", "product", "deal_value_cents", "expected_close_date", "decided_at",
            "registration_number", "protection_expires_at", "review_reason", "decision_reason",
            "submitted_at", "approved_at", "notes", "request_note", "next_step",
            "last_activity", "progress_notes"], {
            "deal_value_cents": lambda r: fmt.money(r.get("deal_value_cents"), r.get("currency")),
            "expected_close_date": lambda r: fmt.day(r.get("expected_close_date")),
            "decided_at": lambda r: fmt.registration_close_day(r)
            if r.get("status") in fmt.CLOSED_STATUSES else "",
            "protection_expires_at": lambda r: fmt.day(r.get("protection_expires_at")),
            "submitted_at": lambda r: fmt.day(r.get("submitted_at")),
            "approved_at": lambda r: fmt.day(r.get("approved_at")),
            "review_reason": lambda r: fmt.label(r.get("review_reason")),
            "last_activity": lambda r: " · ".join(filter(None, (
                fmt.day(r.get("last_activity_on")) if r.get("last_activity_on") else "",
                r.get("last_activity") or ""))),
        }, titles={"progress_notes": "Progress","customer_domain": "Domain", "deal_value_cents": "Value",
                   "expected_close_date": "Expected close", "decided_at": "Closed",
                   "registration_number": "Number",
                   "protection_expires_at": "Protected until", "review_reason": "Review reason",
                   "decision_reason": "Decision", "submitted_at": "Submitted",
                   "approved_at": "Approved", "request_note": "Your request"},
            value_sample=DOMAIN_SAMPLE,  # the customer's name is the heading, wrapped at spaces
            # rows that mean nothing while empty: the pane keeps its buttons in view at 768 px
            optional=("decided_at", "review_reason", "request_note", "notes", "next_step",
                      "last_activity", "progress_notes"))
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
        # deal progress: on an approved registration only (domain: can_record_progress)
        self.progress_button = button("Progress…", "Record progress", self._progress)
        self.amend_button = button("Request change…", "Request a change of value or close date",
                                   self._amend)
        self.bind(self.progress_button, "Alt+P")
        self.bind(self.amend_button, "Alt+C")
        for number, widget in enumerate([*self.action_buttons.values(), self.progress_button,
                                         self.amend_button]):
            row.addWidget(widget, number // 2, number % 2)
        layout.addLayout(row)
        layout.addStretch(1)
        self.row: dict[str, Any] | None = None
        self._deal_dialog: QDialog | None = None

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
        read_only = bool(self.partner_of(row))
        for action, widget in self.action_buttons.items():
            enabled = action in allowed and not read_only
            if action == "renew":
                enabled = enabled and rules.can_renew(row["status"], approved, now,
                                                      rules.granted_days(row))
            widget.setEnabled(enabled)
        progressing = bool(row) and not read_only and rules.can_record_progress(
            row.get("status"), approved, now, rules.granted_days(row))
        self.progress_button.setEnabled(progressing)
        waiting = self._show_amendment(record_id)
        # one change request at a time (domain/deal_progress.check_amendment)
        self.amend_button.setEnabled(progressing and not waiting)
        self.amend_button.setToolTip(
            "A change request already waits for the channel manager" if waiting
            else "Request a change of value or close date")

    def _show_amendment(self, record_id: str | None) -> bool:
        """The latest change the rep asked for and where it stands; True while it waits."""
        latest = None
        if record_id:
            latest = self.ctx.read_now(lambda c: queries.latest_amendment(c, record_id))
        if not latest:
            self.amendment_note.setVisible(False)
            return False
        asked = ", ".join(filter(None, (
            fmt.money(latest["deal_value_cents"], (self.row or {}).get("currency"))
            if latest.get("deal_value_cents") is not None else "",
            f"close {fmt.day(latest['expected_close_date'])}"
            if latest.get("expected_close_date") else "")))
        status = latest.get("status") or "pending"
        text = {"pending": f"Change requested ({asked}): waiting for the channel manager.",
                "approved": f"Change approved ({asked}).",
                "rejected": f"Change rejected ({asked}): "
                            f"{latest.get('decision_reason') or 'no reason given'}"}[status]
        self.amendment_note.setText(text)
        set_tone(self.amendment_note, {"pending": "warning", "approved": "ok"}.get(status,
                                                                                  "rejected"))
        self.amendment_note.setVisible(True)
        return status == "pending"

    def _progress(self) -> None:
        if self.current_id is None or self.row is None:
            return
        from workbench.ui.dialogs.deal_progress import ProgressDialog

        record_id = self.current_id
        dialog = ProgressDialog(self.row, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.submitted.connect(lambda values: self.write(
            lambda: deals.record_progress(self.ctx.store, record_id, deals.Progress(**values)),
            "Progress saved — sent to the vendor at the next sync"))
        self._deal_dialog = dialog
        dialog.open()

    def _amend(self) -> None:
        if self.current_id is None or self.row is None:
            return
        from workbench.ui.dialogs.deal_progress import AmendmentDialog

        record_id = self.current_id
        dialog = AmendmentDialog(self.row, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.submitted.connect(lambda values: self.write(
            lambda: deals.request_amendment(self.ctx.store, record_id, **values),
            "Change requested — the channel manager decides after the next sync"))
        self._deal_dialog = dialog
        dialog.open()

    def _show_notice(self, row: dict[str, Any], status: str) -> None:
        text, tone = "", "info"
        if self.partner_of(row):
            text = self.sub_partner_notice(row)
        elif status == "approved":
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
        elif status in fmt.CLOSED_STATUSES:
            text = f"{fmt.label(status)} on {fmt.registration_close_day(row)}."
            tone = "ok" if status == "won" else "info"
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
