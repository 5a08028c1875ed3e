"""Support cases: open one for a customer, comment, ask to escalate. The status is the vendor's."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QTextBrowser, QVBoxLayout, QWidget

from workbench.domain.model import CASE_SEVERITIES, CASE_STATUSES
from workbench.services import cases
from workbench.ui import format as fmt
from workbench.ui import queries
from workbench.ui.dialogs.open_case import OpenCaseDialog
from workbench.ui.style import status_tone
from workbench.ui.tablemodel import Column, TableSpec
from workbench.ui.views.base import ListPage
from workbench.ui.widgets import DOMAIN_SAMPLE, RecordForm, button, primary, section

SEVERITY_TONES = {"urgent": "rejected", "high": "warning", "normal": "", "low": "closed"}

SPEC = TableSpec(
    entity="cases",
    columns=(
        Column("case_number", "Number", sort="case_number",
               samples=("CS-2026-000123", "not sent yet"),
               display=lambda r: r.get("case_number") or "not sent yet"),
        Column("subject", "Subject", sort="subject", stretch=True, samples=("Licence key rejected",)),
        Column("customer_domain", "Customer", sort="customer_domain",
               samples=("umbrella-health.co.uk",)),
        Column("severity", "Severity", sort="severity",
               samples=tuple(fmt.label(s) for s in CASE_SEVERITIES),
               display=lambda r: fmt.label(r.get("severity")),
               tone=lambda r: SEVERITY_TONES.get(r.get("severity") or "", "")),
        Column("status", "Status", sort="status", pill=True,
               samples=tuple(fmt.label(s) for s in CASE_STATUSES),
               display=lambda r: fmt.label(r.get("status")),
               tone=lambda r: status_tone(r.get("status"))),
        Column("created_at", "Opened", sort="created_at", samples=("30 Sep 2027",),
               display=lambda r: fmt.day(r.get("created_at"))),
    ),
    search=("subject", "customer_domain", "case_number", "description"),
    default_sort="created_at",
    descending=True,
)


class CasesPage(ListPage):
    title = "Cases"
    hint = "Support cases you opened for customers. The vendor's support team sets the status."
    search_placeholder = "Search subject, customer or number  (Ctrl+F)"
    spec = SPEC
    partner_column = True
    partner_makes_room = ("severity", "created_at")
    shows = frozenset({"cases", "case_comments"})

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.open_dialog: OpenCaseDialog | None = None

    def header_buttons(self) -> list[QWidget]:
        return [primary(button("&Open case…", "Open a support case", lambda: self.open_case(),
                               "Open a case for a customer (Alt+O)"))]

    def build_detail(self, layout: QVBoxLayout) -> None:
        self.add_detail_heading(layout)
        self.pill.setToolTip("Set by the vendor's support team")
        self.form = RecordForm("cases", ["case_number", "customer_domain", "severity", "created_at",
                                         "escalation_requested", "description"], {
            "case_number": lambda r: r.get("case_number") or "not sent yet",
            "severity": lambda r: fmt.label(r.get("severity")),
            "created_at": lambda r: fmt.day(r.get("created_at")),
            "escalation_requested": lambda r: "requested" if r.get("escalation_requested") else "no",
        }, titles={"case_number": "Number", "customer_domain": "Customer", "created_at": "Opened",
                   "escalation_requested": "Escalation"}, value_sample=DOMAIN_SAMPLE)
        layout.addWidget(self.form)
        layout.addWidget(section("Comments"))
        self.comments = QTextBrowser()
        self.comments.setAccessibleName("Comments")
        self.comments.setMinimumHeight(120)
        layout.addWidget(self.comments, 1)
        self.comment_box = QPlainTextEdit()
        self._comment_placeholder = "Add a comment for the support team"
        self.comment_box.setPlaceholderText(self._comment_placeholder)
        self.comment_box.setAccessibleName("New comment")
        self.comment_box.setTabChangesFocus(True)
        self.comment_box.setFixedHeight(70)
        layout.addWidget(self.comment_box)
        row = QHBoxLayout()
        self.comment_button = button("Comment", "Add comment", self._comment)
        self.escalate_button = button("Request escalation…", "Request escalation", self._escalate,
                                      "Ask the vendor to escalate this case")
        self.bind(self.comment_button, "Alt+C")
        self.bind(self.escalate_button, "Alt+E")
        row.addWidget(self.comment_button)
        row.addWidget(self.escalate_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.comment_box.textChanged.connect(
            lambda: self.comment_button.setEnabled(bool(self.comment_box.toPlainText().strip())))

    def show_detail(self, record_id: str | None) -> None:
        data = self.ctx.read_now(lambda c: queries.case_detail(c, record_id)) if record_id else None
        case = data["case"] if data else {}
        self.detail.setEnabled(bool(case))
        self.heading.setText(case.get("subject") or "No case selected")
        status = case.get("status") or ""
        self.pill.show_status(fmt.label(status), status_tone(status))
        self.form.show_record(case)
        parts = []
        for comment in (data or {}).get("comments", []):
            parts.append(f"<p><b>{escape(comment.get('author') or 'me')}</b> "
                         f"<span style='color:#6b7280'>{escape(fmt.ago(comment['created_at']))}</span>"
                         f"<br>{escape(comment['body']).replace(chr(10), '<br>')}</p>")
        self.comments.setHtml("".join(parts) or "<p style='color:#6b7280'>No comments yet.</p>")
        read_only = bool(self.partner_of(case))
        self.comment_box.setReadOnly(read_only)
        self.comment_box.setPlaceholderText(self.sub_partner_notice(case) if read_only else
                                            self._comment_placeholder)
        self.comment_button.setEnabled(bool(self.comment_box.toPlainText().strip())
                                       and not read_only)
        self.escalate_button.setEnabled(bool(case) and not case.get("escalation_requested")
                                        and status not in ("resolved", "closed")
                                        and not read_only)

    def open_case(self, account: dict[str, Any] | None = None) -> OpenCaseDialog:
        dialog = OpenCaseDialog(self.ctx, account, self)
        dialog.saved.connect(lambda case: self._opened(case))
        self.open_dialog = dialog
        dialog.open()
        return dialog

    def _opened(self, case: dict[str, Any]) -> None:
        self.current_id = case["id"]
        if self.ctx.window is not None:
            self.ctx.window.statusBar().showMessage(
                "Case saved — it goes to the vendor with the next sync", 5000)

    def _comment(self) -> None:
        text = self.comment_box.toPlainText().strip()
        if self.current_id and text:
            case_id = self.current_id
            self.comment_box.clear()
            self.write(lambda: cases.comment_case(self.ctx.store, case_id, text), "Comment saved")

    def _escalate(self) -> None:
        if self.current_id:
            case_id = self.current_id
            self.ask("Request escalation", "Why does this case need escalating? (optional)",
                     lambda why: self.write(
                         lambda: cases.request_escalation(self.ctx.store, case_id, why),
                         "Escalation requested"),
                     required=False, ok_text="Request escalation")
