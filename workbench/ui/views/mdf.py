"""Market development funds: request, claim with proof files, follow to paid; the campaign's
pipeline, revenue and ROI (seed 003). Approval and payment are the vendor's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.domain import attachments as file_rules
from workbench.domain.model import MDF_STATUSES
from workbench.services import mdf
from workbench.services.changes import Changes, Done
from workbench.store import records
from workbench.ui import format as fmt
from workbench.ui.dialogs.mdf import ClaimMdfDialog, LinkDealDialog, RequestMdfDialog
from workbench.ui.style import status_tone
from workbench.ui.tablemodel import Column, TableSpec
from workbench.ui.views.base import ListPage, equals
from workbench.ui.widgets import RecordForm, banner, button, muted, primary, section


def _money(cents: int | None) -> str:
    return fmt.money(cents) if cents is not None else "—"


SPEC = TableSpec(
    entity="mdf_requests",
    columns=(
        Column("activity_name", "Activity", sort="activity_name", stretch=True,
               samples=("Q1 customer webinar",)),
        Column("start_date", "Starts", sort="start_date", samples=("30 Sep 2027",),
               display=lambda r: fmt.day(r.get("start_date"))),
        Column("requested_cents", "Requested", sort="requested_cents", right=True,
               samples=("$25,000",), display=lambda r: _money(r.get("requested_cents"))),
        Column("approved_cents", "Approved", sort="approved_cents", right=True,
               samples=("$25,000",), display=lambda r: _money(r.get("approved_cents"))),
        Column("claim_cents", "Claimed", sort="claim_cents", right=True, samples=("$25,000",),
               display=lambda r: _money(r.get("claim_cents"))),
        Column("status", "Status", sort="status", pill=True,
               samples=tuple(fmt.label(s) for s in MDF_STATUSES),
               display=lambda r: fmt.label(r.get("status")),
               tone=lambda r: status_tone(r.get("status"))),
    ),
    search=("activity_name", "description"),
    default_sort="start_date",
    descending=True,
)

FILTERS = [("All requests", None),
           ("Waiting for the vendor", equals("status", ("submitted", "claimed"))),
           ("Approved: to claim", equals("status", "approved")),
           ("Paid", equals("status", "paid"))]


class MdfPage(ListPage):
    title = "MDF"
    hint = ("Marketing funds: request a budget, claim it with proof, see what the activity "
            "brought. The vendor pre-approves and pays.")
    search_placeholder = "Search activity  (Ctrl+F)"
    spec = SPEC
    shows = frozenset({"mdf_requests", "attachments", "registrations", "opportunities"})

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.request_dialog: RequestMdfDialog | None = None
        self.claim_dialog: ClaimMdfDialog | None = None
        self.save_picker: QFileDialog | None = None
        self.link_dialog: LinkDealDialog | None = None
        self.record: dict[str, Any] = {}

    def header_buttons(self) -> list[QWidget]:
        return [primary(button("&Request funds…", "Request marketing funds",
                               lambda: self.open_request(), "Request MDF for an activity"))]

    def filters(self) -> list[QWidget]:
        return [self.status_filter(FILTERS, "Filter MDF requests by status")]

    def build_detail(self, layout: QVBoxLayout) -> None:
        self.add_detail_heading(layout)
        self.pill.setToolTip("Set by the vendor")
        self.notice = banner()
        layout.addWidget(self.notice)
        self.form = RecordForm("mdf_requests", [
            "start_date", "end_date", "requested_cents", "approved_cents", "claim_cents",
            "paid_on", "expected_pipeline_cents", "decision_reason"], {
            "start_date": lambda r: fmt.day(r.get("start_date")),
            "end_date": lambda r: fmt.day(r.get("end_date")),
            "paid_on": lambda r: fmt.day(r.get("paid_on")),
            "requested_cents": lambda r: _money(r.get("requested_cents")),
            "approved_cents": lambda r: _money(r.get("approved_cents")),
            "claim_cents": lambda r: _money(r.get("claim_cents")),
            "expected_pipeline_cents": lambda r: _money(r.get("expected_pipeline_cents")),
        }, titles={"start_date": "Starts", "end_date": "Ends", "requested_cents": "Requested",
                   "approved_cents": "Approved", "claim_cents": "Claimed",
                   "expected_pipeline_cents": "Expected", "decision_reason": "Vendor note"})
        layout.addWidget(self.form)
        layout.addWidget(section("What it brought"))
        self.figures = RecordForm("mdf_requests", ["pipeline", "revenue", "roi"], {
            "pipeline": lambda r: _money(r.get("pipeline_cents")),
            "revenue": lambda r: _money(r.get("revenue_cents")),
            "roi": lambda r: f"{r['roi_percent']}%" if r.get("roi_percent") else "—",
        }, titles={"pipeline": "Pipeline", "revenue": "Revenue", "roi": "ROI"})
        self.figures.setToolTip("Deals registered from this activity; ROI = (revenue − spend) "
                                "/ spend × 100 (seed 003)")
        layout.addWidget(self.figures)
        deals_row = QHBoxLayout()
        self.deals = muted()
        self.link_button = button("&Link a deal…", "Link a deal to this activity",
                                  self.open_link, "Say which deal came from this activity")
        deals_row.addWidget(self.deals, 1)
        deals_row.addWidget(self.link_button)
        layout.addLayout(deals_row)
        layout.addWidget(section("Proof of performance"))
        self.files = QListWidget()
        self.files.setAccessibleName("Proof files")
        self.files.setFixedHeight(76)
        self.files.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.files.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        layout.addWidget(self.files)
        row = QHBoxLayout()
        self.claim_button = button("&Claim…", "Claim with proof", self.open_claim,
                                   "Claim the spend with proof files")
        self.submit_button = button("Send a&gain", "Send for pre-approval", self._submit,
                                    "Send a rejected request again")
        self.save_button = button("Save &file…", "Save the selected file", self.pick_target)
        row.addWidget(self.claim_button)
        row.addWidget(self.submit_button)
        row.addWidget(self.save_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)

    def show_detail(self, record_id: str | None) -> None:
        record = mdf.show_mdf(self.ctx.store, record_id) if record_id else {}
        self.record = record
        self.detail.setEnabled(bool(record))
        self.heading.setText(record.get("activity_name") or "No request selected")
        status = record.get("status") or ""
        self.pill.show_status(fmt.label(status), status_tone(status))
        self.form.show_record(record)
        self.figures.show_record(record)
        linked = record.get("registrations", [])
        self.deals.setText("Deals from it: " + (", ".join(r["customer_name"] for r in linked)
                                                if linked else "none linked yet"))
        self.link_button.setEnabled(bool(record))
        self.notice.setText(_notice(record))
        self.notice.setVisible(bool(record))
        self.files.clear()
        for a in record.get("attachments", []):
            where = "on the vendor server" if a["uploaded"] else "sent with the next sync"
            item = QListWidgetItem(f"{a['filename']} · {file_rules.human_size(a['size_bytes'])}"
                                   + ("" if a["uploaded"] else " · not sent yet"))
            item.setToolTip(f"{where}; SHA-256 {a['sha256']}")
            item.setData(256, a["id"])
            self.files.addItem(item)
        if self.files.count():
            self.files.setCurrentRow(0)
        actions = record.get("next_actions", [])
        self.claim_button.setEnabled("claim" in actions)
        self.submit_button.setVisible(status == "rejected")
        self.save_button.setEnabled(self.files.count() > 0)

    def open_request(self) -> RequestMdfDialog:
        dialog = RequestMdfDialog(self.ctx, self)
        dialog.saved.connect(lambda r: self._saved(r["id"], "Request saved — the vendor sees it "
                                                            "for pre-approval after the next sync"))
        self.request_dialog = dialog
        dialog.open()
        return dialog

    def open_claim(self) -> ClaimMdfDialog | None:
        if not self.record:
            return None
        dialog = ClaimMdfDialog(self.ctx, self.record, self)
        dialog.saved.connect(lambda claim: self._saved(
            claim.request["id"], f"Claim saved with {len(claim.attachments)} file(s) — sent with "
                                 "the next sync"))
        self.claim_dialog = dialog
        dialog.open()
        return dialog

    def open_link(self) -> LinkDealDialog | None:
        if not self.record:
            return None
        linked = {r["id"] for r in self.record.get("registrations", [])}
        with self.ctx.store.reading() as conn:
            deals = [r for r in records.list_records(conn, "registrations", order_by="customer_name")
                     if r["id"] not in linked]
        dialog = LinkDealDialog(self.ctx, self.record, deals, self)
        mdf_id = self.record["id"]
        dialog.saved.connect(lambda reg: self._saved(
            mdf_id, f"{reg['customer_name']} now counts for this activity's ROI"))
        self.link_dialog = dialog
        dialog.open()
        return dialog

    def _saved(self, record_id: str, text: str) -> None:
        self.current_id = record_id
        self.confirm(text)

    def _submit(self) -> None:
        if self.current_id:
            mdf_id = self.current_id
            self.write(lambda: mdf.submit_mdf(self.ctx.store, mdf_id),
                       "Sent again for pre-approval with the next sync")

    def pick_target(self) -> QFileDialog | None:
        item = self.files.currentItem()
        if item is None:
            return None
        picker = QFileDialog(self, "Save the file")
        picker.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        picker.selectFile(item.text().split(" · ")[0])
        attachment_id = item.data(256)
        picker.fileSelected.connect(lambda name: self.save_file(attachment_id, Path(name)))
        self.save_picker = picker
        picker.open()
        return picker

    def save_file(self, attachment_id: str, target: Path) -> None:
        """Copy the file out (fetched from the vendor server when it is not on this computer)."""
        self.write(lambda: Done(mdf.save_attachment(self.ctx.store, attachment_id, target),
                                Changes()),
                   lambda saved: f"Saved {saved['filename']} to {saved['saved_to']}")


def _notice(record: dict[str, Any]) -> str:
    status = record.get("status")
    return {
        "draft": "A draft: send it for pre-approval.",
        "submitted": "Waiting for the vendor's pre-approval (it goes with the next sync if not "
                     "sent yet).",
        "approved": "Pre-approved: run the activity, then claim what you spent with proof.",
        "rejected": "Rejected — see the vendor's note; improve it and send it again.",
        "claimed": "Claimed: the vendor checks the proof and pays.",
        "paid": "Paid.",
    }.get(status or "", "")
