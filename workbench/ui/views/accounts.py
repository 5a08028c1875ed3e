"""Accounts: search as you type; the detail shows contacts, registrations, opportunities, cases."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QToolBox, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from workbench.domain.model import REGISTRATION_STATUSES
from workbench.services import accounts
from workbench.ui import format as fmt
from workbench.ui import queries
from workbench.ui.dialogs.record_form import RecordFormDialog
from workbench.ui.tablemodel import Column, TableSpec
from workbench.ui.views.base import ListPage
from workbench.ui.widgets import (
    RecordForm,
    button,
    col,
    columns_needed_width,
    heading_label,
    make_tree,
    primary,
)

REGISTRATION_LABELS = tuple(fmt.label(s) for s in REGISTRATION_STATUSES)

SPEC = TableSpec(
    entity="accounts",
    columns=(
        Column("name", "Name", sort="name", stretch=True, samples=("Globex Corporation",)),
        Column("domain", "Domain", sort="domain", samples=("mueller-maschinenbau.de",)),
        Column("industry", "Industry", sort="industry", samples=("Financial services",)),
        Column("country", "Country", sort="country", samples=("United Kingdom",)),
        Column("region", "Region", sort="region", samples=("EMEA", "APAC", "AMER")),
    ),
    search=("name", "domain", "industry", "country"),
    default_sort="name",
)


class AccountsPage(ListPage):
    title = "Accounts"
    hint = "Your customers, with everything you and the vendor know about them."
    search_placeholder = "Search name, domain, industry or country  (Ctrl+F)"
    spec = SPEC
    partner_column = True
    partner_makes_room = ("country", "region")
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
        # Sections stacked one above the other, each title the pane's full width: four tab
        # titles with their counts do not fit side by side in a detail pane at 1366 px.
        self.sections = QToolBox()
        self.sections.setAccessibleName("Account details")
        self.contacts = make_tree("Contacts", [col("Name", "Lucía Fernández"),
                                               col("Email", "lucia@globex.com", stretch=True),
                                               col("Role", "Procurement lead")])
        self.registrations = make_tree("Registrations", [
            col("Product", "Data Platform", stretch=True), col("Value", "$1,250,000"),
            col("Status", *REGISTRATION_LABELS), col("Close", "30 Sep 2027")])
        self.opportunities = make_tree("Opportunities", [
            col("Opportunity", "Globex Corporation", stretch=True), col("Stage", fmt.stage(1)),
            col("Amount", "$1,250,000")])
        self.cases = make_tree("Cases", [col("Subject", "Licence key rejected", stretch=True),
                                         col("Status", "Waiting on customer"),
                                         col("Opened", "30 Sep 2027")])
        for tree, name in self._sections():
            self.sections.addItem(tree, name)
        layout.addWidget(self.sections, 1)
        self.registrations.itemActivated.connect(
            lambda item: self.ctx.navigate("registrations", item.data(0, Qt.ItemDataRole.UserRole)))
        self.opportunities.itemActivated.connect(
            lambda item: self.ctx.navigate("opportunities", item.data(0, Qt.ItemDataRole.UserRole)))
        self.cases.itemActivated.connect(
            lambda item: self.ctx.navigate("cases", item.data(0, Qt.ItemDataRole.UserRole)))
        row = QHBoxLayout()
        add_contact = button("Add contact…", "Add contact", self._add_contact)
        open_case = button("Open case…", "Open a case for this account", self._open_case)
        self.account_buttons = (add_contact, open_case)  # off on a sub-partner's account
        row.addWidget(add_contact)
        row.addWidget(open_case)
        self.bind(add_contact, "Alt+C")
        self.bind(open_case, "Alt+O")
        row.addStretch(1)
        layout.addLayout(row)
        self.account: dict[str, Any] | None = None

    def _sections(self) -> list[tuple[QTreeWidget, str]]:
        return [(self.contacts, "Contacts"), (self.registrations, "Registrations"),
                (self.opportunities, "Opportunities"), (self.cases, "Cases")]

    def detail_content_width(self) -> int:
        """Wide enough for the widest section's columns side by side."""
        lists = max(columns_needed_width(tree) for tree, _name in self._sections())
        return max(super().detail_content_width(), lists + 2)

    def show_detail(self, record_id: str | None) -> None:
        data = self.ctx.read_now(lambda c: queries.account_detail(c, record_id)) if record_id else None
        self.account = data["account"] if data else None
        self.detail.setEnabled(data is not None)
        self.heading.setText(self.account["name"] if self.account else "No account selected")
        self.form.show_record(self.account or {})
        read_only = bool(self.partner_of(self.account))
        for widget in self.account_buttons:
            widget.setEnabled(not read_only)
        for tree, _name in self._sections():
            tree.clear()
        if not data:
            return
        self._fill(self.contacts, data["contacts"],
                   lambda r: [r["name"], r.get("email") or "", r.get("role") or ""])
        self._fill(self.registrations, data["registrations"], lambda r: [
            r["product"], fmt.money(r["deal_value_cents"], r.get("currency")),
            fmt.label(fmt.effective_status(r)), fmt.registration_close_day(r)])
        self._fill(self.opportunities, data["opportunities"], lambda r: [
            r["name"], fmt.stage(r.get("stage"), r.get("outcome")),
            fmt.money(r.get("amount_cents"), r.get("currency"))])
        self._fill(self.cases, data["cases"], lambda r: [
            r["subject"], fmt.label(r.get("status")), fmt.day(r["created_at"])])
        for index, (tree, name) in enumerate(self._sections()):
            self.sections.setItemText(index, f"{name} ({tree.topLevelItemCount()})")

    @staticmethod
    def _fill(tree: QTreeWidget, rows: list[dict[str, Any]], cells: Any) -> None:
        for row in rows:
            texts = [str(c) for c in cells(row)]
            item = QTreeWidgetItem(texts)
            item.setData(0, Qt.ItemDataRole.UserRole, row["id"])
            for column, text in enumerate(texts):
                item.setToolTip(column, text)
            tree.addTopLevelItem(item)

    def new_account(self) -> RecordFormDialog:
        store = self.ctx.store
        dialog = RecordFormDialog(
            self.ctx, "New account", "accounts", ["name", "domain", "industry", "country", "region"],
            lambda values: accounts.add_account(store, values), self,
            save_anyway=lambda values: accounts.add_account(store, values, allow_duplicate=True))
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
