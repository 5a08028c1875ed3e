"""Accounts: search as you type; the detail shows contacts, registrations, opportunities, cases."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QTabWidget, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from workbench.services import accounts
from workbench.ui import format as fmt
from workbench.ui import queries
from workbench.ui.dialogs.record_form import RecordFormDialog
from workbench.ui.tablemodel import Column, TableSpec
from workbench.ui.views.base import ListPage
from workbench.ui.widgets import RecordForm, button, heading_label, primary

SPEC = TableSpec(
    entity="accounts",
    columns=(
        Column("name", "Name", sort="name", width=220),
        Column("domain", "Domain", sort="domain", width=165),
        Column("industry", "Industry", sort="industry", width=110),
        Column("country", "Country", sort="country", width=115),
        Column("region", "Region", sort="region", width=70),
    ),
    search=("name", "domain", "industry", "country"),
    default_sort="name",
)


def _tree(accessible: str, headers: list[str]) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setHeaderLabels(headers)
    tree.setRootIsDecorated(False)
    tree.setAccessibleName(accessible)
    tree.setUniformRowHeights(True)
    tree.setAlternatingRowColors(True)
    return tree


class AccountsPage(ListPage):
    title = "Accounts"
    hint = "Your customers, with everything you and the vendor know about them."
    search_placeholder = "Search name, domain, industry or country  (Ctrl+F)"
    spec = SPEC
    detail_width = 450
    shows = frozenset({"accounts", "contacts", "registrations", "opportunities", "cases"})

    def header_buttons(self) -> list[QWidget]:
        return [button("New &account…", "New account", lambda: self.new_account(), "Alt+A"),
                primary(button("Register deal for this account…", "Register a deal for this account",
                               self._register, "Ctrl+N registers a deal for any customer"))]

    def build_detail(self, layout: QVBoxLayout) -> None:
        self.heading = heading_label()
        layout.addWidget(self.heading)
        self.form = RecordForm("accounts", ["domain", "industry", "country", "region", "notes"])
        layout.addWidget(self.form)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Account details")
        self.tabs.setUsesScrollButtons(False)  # all four tabs visible, names elided if need be
        self.tabs.setElideMode(Qt.TextElideMode.ElideRight)
        self.contacts = _tree("Contacts", ["Name", "Email", "Role"])
        self.registrations = _tree("Registrations", ["Product", "Value", "Status", "Close"])
        self.opportunities = _tree("Opportunities", ["Opportunity", "Stage", "Amount"])
        self.cases = _tree("Cases", ["Subject", "Status", "Opened"])
        self.tabs.addTab(self.contacts, "Contacts")
        self.tabs.addTab(self.registrations, "Registrations")
        self.tabs.addTab(self.opportunities, "Opportunities")
        self.tabs.addTab(self.cases, "Cases")
        layout.addWidget(self.tabs, 1)
        self.registrations.itemActivated.connect(
            lambda item: self.ctx.navigate("registrations", item.data(0, Qt.ItemDataRole.UserRole)))
        self.opportunities.itemActivated.connect(
            lambda item: self.ctx.navigate("opportunities", item.data(0, Qt.ItemDataRole.UserRole)))
        self.cases.itemActivated.connect(
            lambda item: self.ctx.navigate("cases", item.data(0, Qt.ItemDataRole.UserRole)))
        row = QHBoxLayout()
        add_contact = button("Add contact…", "Add contact", self._add_contact)
        open_case = button("Open case…", "Open a case for this account", self._open_case)
        row.addWidget(add_contact)
        row.addWidget(open_case)
        self.bind(add_contact, "Alt+C")
        self.bind(open_case, "Alt+O")
        row.addStretch(1)
        layout.addLayout(row)
        self.account: dict[str, Any] | None = None

    def show_detail(self, record_id: str | None) -> None:
        data = self.ctx.read_now(lambda c: queries.account_detail(c, record_id)) if record_id else None
        self.account = data["account"] if data else None
        self.detail.setEnabled(data is not None)
        self.heading.setText(self.account["name"] if self.account else "No account selected")
        self.form.show_record(self.account or {})
        for tree in (self.contacts, self.registrations, self.opportunities, self.cases):
            tree.clear()
        if not data:
            return
        self._fill(self.contacts, data["contacts"],
                   lambda r: [r["name"], r.get("email") or "", r.get("role") or ""])
        self._fill(self.registrations, data["registrations"], lambda r: [
            r["product"], fmt.money(r["deal_value_cents"], r.get("currency")),
            fmt.label(fmt.effective_status(r)), fmt.day(r.get("expected_close_date"))])
        self._fill(self.opportunities, data["opportunities"], lambda r: [
            r["name"], fmt.stage(r.get("stage"), r.get("outcome")),
            fmt.money(r.get("amount_cents"), r.get("currency"))])
        self._fill(self.cases, data["cases"], lambda r: [
            r["subject"], fmt.label(r.get("status")), fmt.day(r["created_at"])])
        for index, (name, key) in enumerate([("Contacts", "contacts"), ("Registrations", "registrations"),
                                             ("Opportunities", "opportunities"), ("Cases", "cases")]):
            self.tabs.setTabText(index, f"{name} ({len(data[key])})")

    @staticmethod
    def _fill(tree: QTreeWidget, rows: list[dict[str, Any]], cells: Any) -> None:
        for row in rows:
            item = QTreeWidgetItem([str(c) for c in cells(row)])
            item.setData(0, Qt.ItemDataRole.UserRole, row["id"])
            tree.addTopLevelItem(item)
        tree.setColumnWidth(0, 150)  # fixed widths: the pane never scrolls sideways

    def new_account(self) -> RecordFormDialog:
        dialog = RecordFormDialog(self.ctx, "New account", "accounts",
                                  ["name", "domain", "industry", "country", "region"],
                                  lambda values: accounts.add_account(self.ctx.store, values),
                                  self)
        dialog.saved.connect(lambda account: setattr(self, "current_id", account["id"]))
        dialog.open()
        return dialog

    def _add_contact(self) -> None:
        if not self.account:
            return
        account_id = self.account["id"]
        dialog = RecordFormDialog(self.ctx, f"New contact at {self.account['name']}", "contacts",
                                  ["name", "email", "phone", "role"],
                                  lambda values: accounts.add_contact(self.ctx.store, account_id,
                                                                      values), self)
        dialog.open()

    def _register(self) -> None:
        self.ctx.window.register_deal(self.account)

    def _open_case(self) -> None:
        if self.account:
            self.ctx.window.show_page("cases")
            self.ctx.window.pages["cases"].open_case(self.account)
