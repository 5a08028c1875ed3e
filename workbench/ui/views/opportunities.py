"""Opportunities: the vendor's stages and attribution, read-only in the workbench."""

from __future__ import annotations

import sqlalchemy as sa
from PySide6.QtWidgets import QTreeWidgetItem, QVBoxLayout

from workbench.ui import format as fmt
from workbench.ui import queries
from workbench.ui.tablemodel import Column, TableSpec
from workbench.ui.views.base import ListPage
from workbench.ui.widgets import RecordForm, banner, col, make_tree, section

SPEC = TableSpec(
    entity="opportunities",
    columns=(
        Column("name", "Opportunity", sort="name", stretch=True, samples=("Globex Corporation",)),
        Column("customer_name", "Customer", sort="customer_name", stretch=True,
               samples=("Globex Corporation",)),
        Column("stage", "Stage", sort="stage", samples=(fmt.stage(1), fmt.stage(0), "Closed lost"),
               display=lambda r: fmt.stage(r.get("stage"), r.get("outcome"))),
        Column("amount_cents", "Amount", sort="amount_cents", right=True, samples=("$1,250,000",),
               display=lambda r: fmt.money(r.get("amount_cents"), r.get("currency"))),
        Column("close_date", "Close date", sort="close_date", samples=("30 Sep 2027",),
               display=fmt.opportunity_close_day),
        Column("outcome", "Outcome", sort="outcome", pill=True, samples=("Open", "Won", "Lost"),
               display=lambda r: fmt.label(r.get("outcome")),
               tone=lambda r: {"won": "ok", "lost": "closed", "open": "info"}.get(
                   r.get("outcome") or "", "")),
    ),
    search=("name", "customer_name", "customer_domain"),
    default_sort="close_date",
    fetch=("currency", "expected_close_date", "closed_on"),
    sort_sql={"close_date": lambda t: sa.case(
        (t.c.outcome.in_(fmt.CLOSED_STATUSES) & t.c.closed_on.is_not(None), t.c.closed_on),
        else_=t.c.expected_close_date)},
)


class OpportunitiesPage(ListPage):
    title = "Opportunities"
    hint = "Pipeline the vendor tracks for your deals: stage, amount and who gets credit. Read-only."
    search_placeholder = "Search opportunity or customer  (Ctrl+F)"
    spec = SPEC
    partner_column = True
    partner_makes_room = ("customer_name",)
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
        }, titles={"customer_name": "Customer", "customer_domain": "Domain",
                   "amount_cents": "Amount", "opened_on": "Opened",
                   "expected_close_date": "Expected close", "closed_on": "Closed"})
        layout.addWidget(self.form)
        layout.addWidget(section("Attribution"))
        self.attributions = make_tree("Attribution", [col("Role", "No attribution recorded yet"),
                                                      col("Credit split", "100 %", stretch=True)])
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

