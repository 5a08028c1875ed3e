"""Opportunities: the vendor's stages and attribution, read-only in the workbench."""

from __future__ import annotations

from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QVBoxLayout

from workbench.ui import format as fmt
from workbench.ui import queries
from workbench.ui.tablemodel import Column, TableSpec
from workbench.ui.views.base import ListPage
from workbench.ui.widgets import RecordForm, banner, section

SPEC = TableSpec(
    entity="opportunities",
    columns=(
        Column("name", "Opportunity", sort="name", width=190),
        Column("customer_name", "Customer", sort="customer_name", width=150),
        Column("stage", "Stage", sort="stage", width=125,
               display=lambda r: fmt.stage(r.get("stage"), r.get("outcome"))),
        Column("amount_cents", "Amount", sort="amount_cents", width=85, right=True,
               display=lambda r: fmt.money(r.get("amount_cents"), r.get("currency"))),
        Column("expected_close_date", "Close date", sort="expected_close_date", width=100,
               display=lambda r: fmt.day(r.get("expected_close_date"))),
        Column("outcome", "Outcome", sort="outcome", width=80, pill=True,
               display=lambda r: fmt.label(r.get("outcome")),
               tone=lambda r: {"won": "ok", "lost": "closed", "open": "info"}.get(
                   r.get("outcome") or "", "")),
    ),
    search=("name", "customer_name", "customer_domain"),
    default_sort="expected_close_date",
    fetch=("currency",),
)


class OpportunitiesPage(ListPage):
    title = "Opportunities"
    hint = "Pipeline the vendor tracks for your deals: stage, amount and who gets credit. Read-only."
    search_placeholder = "Search opportunity or customer  (Ctrl+F)"
    spec = SPEC
    shows = frozenset({"opportunities", "attributions"})

    def build_detail(self, layout: QVBoxLayout) -> None:
        self.add_detail_heading(layout)
        layout.addWidget(banner("Stages and amounts are set by the vendor.", "info"))
        self.form = RecordForm("opportunities", [
            "customer_name", "customer_domain", "stage", "amount_cents", "opened_on",
            "expected_close_date", "closed_on"], {
            "stage": lambda r: fmt.stage(r.get("stage"), r.get("outcome")),
            "amount_cents": lambda r: fmt.money(r.get("amount_cents"), r.get("currency")),
            "opened_on": lambda r: fmt.day(r.get("opened_on")),
            "expected_close_date": lambda r: fmt.day(r.get("expected_close_date")),
            "closed_on": lambda r: fmt.day(r.get("closed_on")),
        }, titles={"amount_cents": "Amount"})
        layout.addWidget(self.form)
        layout.addWidget(section("Attribution"))
        self.attributions = QTreeWidget()
        self.attributions.setHeaderLabels(["Role", "Credit split"])
        self.attributions.setRootIsDecorated(False)
        self.attributions.setAccessibleName("Attribution")
        self.attributions.setMaximumHeight(140)
        layout.addWidget(self.attributions)
        layout.addStretch(1)

    def show_detail(self, record_id: str | None) -> None:
        data = self.ctx.read_now(lambda c: queries.opportunity_detail(c, record_id)) \
            if record_id else {"opportunity": {}, "attributions": []}
        row = data["opportunity"]
        self.detail.setEnabled(bool(row))
        self.heading.setText(row.get("name") or "No opportunity selected")
        outcome = row.get("outcome") or ""
        self.pill.show_status(fmt.label(outcome), {"won": "ok", "lost": "closed"}.get(outcome, "info"))
        self.form.show_record(row)
        self.attributions.clear()
        for item in data["attributions"]:
            split = item.get("split_percent")
            self.attributions.addTopLevelItem(QTreeWidgetItem(
                [fmt.label(item.get("role")), f"{split} %" if split is not None else "—"]))
        if not data["attributions"] and row:
            self.attributions.addTopLevelItem(QTreeWidgetItem(["No attribution recorded yet", ""]))

