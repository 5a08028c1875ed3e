"""Today: what needs the rep now — leads near their SLA, protection ending, conflicts, cases."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QTreeWidget, QTreeWidgetItem, QVBoxLayout

from workbench.ui import format as fmt
from workbench.ui import queries, style
from workbench.ui.tablemodel import Column
from workbench.ui.views.base import Page
from workbench.ui.widgets import Card, banner, button, col, make_tree, page_header, primary, section

ROLE_TARGET = Qt.ItemDataRole.UserRole  # (page, record id) to open on double-click / Enter

# What an empty list means before the first sync: nothing came from the vendor yet.
EMPTY_BEFORE_FIRST_SYNC = {
    "leads": "No leads yet: the vendor's leads arrive with your first sync",
    "registrations": "Protection starts once the vendor approves a registration",
    "sync": "Nothing to resolve",
    "cases": "The vendor's answers to your cases arrive with your first sync",
}


class TodayPage(Page):
    title = "Today"
    hint = "What needs you now. Double-click (or Enter) opens the item."
    shows = frozenset({"leads", "registrations", "cases", "program_terms"})
    shows_sync = True  # conflicts and rejected changes

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        root = QVBoxLayout(self)
        root.setContentsMargins(20, 16, 20, 12)
        root.setSpacing(12)
        root.addWidget(page_header(self.title, self.hint))
        # Not signed in yet: how to connect, and that nothing waits for it.
        self.welcome = QFrame()
        self.welcome.setObjectName("welcome")
        welcome_row = QHBoxLayout(self.welcome)
        welcome_row.setContentsMargins(0, 0, 0, 0)
        self.welcome_text = banner("", "info")
        self.welcome_text.setAccessibleName("How to connect")
        self.sign_in_button = primary(button("Sign in…", "Sign in to your vendor",
                                             lambda: ctx.window.sign_in(), "F5"))
        self.sign_in_button.setDefault(False)
        welcome_row.addWidget(self.welcome_text, 1)
        welcome_row.addWidget(self.sign_in_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.welcome.setVisible(False)
        root.addWidget(self.welcome)
        cards = QHBoxLayout()
        self.cards = {
            "leads": Card("leads near the 48-hour SLA"),
            "registrations": Card("registrations losing protection within 15 days"),
            "sync": Card("conflicts and rejected changes"),
            "cases": Card("cases waiting on you"),
        }
        for card in self.cards.values():
            cards.addWidget(card)
        root.addLayout(cards)
        grid = QGridLayout()
        grid.setSpacing(12)
        self.lists = {
            "leads": self._list("Leads near SLA breach", [
                col("Company", "Globex Corporation", stretch=True), col("Contact", "Camille Laurent"),
                col("First contact", "23 h 59 min left")]),
            "registrations": self._list("Protection ending soon", [
                col("Customer", "Globex Corporation", stretch=True), col("Value", "$1,250,000"),
                col("Protection", "14 days left · renew now")]),
            # The reason is the long text: it gets the room the record and the change leave.
            "sync": self._list("Conflicts and rejected changes", [
                col("Record", "Globex Corporation"), col("What", "withdraw rejected"),
                col("Why", "changed here and by the vendor", stretch=True)]),
            "cases": self._list("Cases waiting on you", [
                col("Subject", "Licence key rejected", stretch=True),
                col("Customer", "umbrella-health.co.uk"), col("Updated", "12 Nov 2026")]),
        }
        titles = {"leads": "Leads near SLA breach", "registrations": "Protection ending in ≤ 15 days",
                  "sync": "Conflicts and rejected changes", "cases": "Cases waiting on you"}
        for number, (key, tree) in enumerate(self.lists.items()):
            box = QVBoxLayout()
            box.addWidget(section(titles[key]))
            box.addWidget(tree, 1)
            grid.addLayout(box, number // 2, number % 2)
        root.addLayout(grid, 1)
        self.data: dict[str, list[dict[str, Any]]] | None = None

    def _list(self, accessible: str, columns: list[Column]) -> QTreeWidget:
        tree = make_tree(accessible, columns)
        tree.itemActivated.connect(self._open)
        return tree

    def reload(self) -> None:
        self.ctx.tasks.read(queries.today, self._show)

    def tick(self) -> None:
        self.reload()

    def _show(self, data: dict[str, Any]) -> None:
        self.data = data
        now = datetime.now(UTC)
        status = data["status"]
        never_synced = not status["last_sync_at"]
        self._show_welcome(status, never_synced)
        leads = self.lists["leads"]
        leads.clear()
        for lead in data["leads"]:
            text, tone = fmt.sla_text(lead, now)
            self._add(leads, [lead["company_name"], lead.get("contact_name") or "", text],
                      ("leads", lead["id"]), tone)
        regs = self.lists["registrations"]
        regs.clear()
        for reg in data["registrations"]:
            text, tone = fmt.protection_text(reg, now)
            text += " · renew now" if tone == "warning" else ""
            self._add(regs, [reg["customer_name"], fmt.money(reg["deal_value_cents"], reg.get("currency")),
                             text], ("registrations", reg["id"]), tone or "warning")
        sync = self.lists["sync"]
        sync.clear()
        for conflict in data["conflicts"]:
            self._add(sync, [conflict["label"], "conflict",
                             f"{conflict['field_label']} changed here and by the vendor"],
                      ("conflict", conflict["id"]), "warning")
        for op in data["rejected"]:
            what = op["action"] or op["kind"]
            self._add(sync, [op["label"], f"{what} rejected", fmt.readable_dates(op.get("reason"))],
                      ("sync", op["op_id"]), "rejected")
        cases = self.lists["cases"]
        cases.clear()
        for case in data["cases"]:
            self._add(cases, [case["subject"], case.get("customer_domain") or "",
                              fmt.ago(case["updated_at"], now)], ("cases", case["id"]), "warning")
        self.cards["leads"].caption.setText(f"leads near the {data['lead_sla_hours']}-hour SLA")
        counts = {"leads": len(data["leads"]), "registrations": len(data["registrations"]),
                  "sync": len(data["conflicts"]) + len(data["rejected"]), "cases": len(data["cases"])}
        for key, count in counts.items():
            self.cards[key].set(str(count), ("warning" if key != "sync" else "rejected") if count else "ok")
            if not count:
                empty = QTreeWidgetItem([EMPTY_BEFORE_FIRST_SYNC[key] if never_synced
                                         else "Nothing here — all clear"])
                empty.setForeground(0, QColor("#6b7280"))
                empty.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.lists[key].addTopLevelItem(empty)
                empty.setFirstColumnSpanned(True)  # a sentence, not a company name: all columns

    def _show_welcome(self, status: dict[str, Any], never_synced: bool) -> None:
        if status["signed_in"]:
            self.welcome.setVisible(False)
            return
        if never_synced:
            text = ("You are working offline, and everything works: what you do is saved on this "
                    "computer. To connect to your vendor, sign in (F5) with the server address and "
                    "access token from your partner portal: your work goes out with the first "
                    "sync, and the vendor's decisions and leads come in.")
        else:
            text = ("Signed out: your work is kept on this computer and nothing is lost. Sign in "
                    "again (F5) to send it and to get the vendor's news.")
        self.welcome_text.setText(text)
        self.welcome.setVisible(True)

    @staticmethod
    def _add(tree: QTreeWidget, cells: list[str], target: tuple[str, str], tone: str = "") -> None:
        item = QTreeWidgetItem(cells)
        item.setData(0, ROLE_TARGET, target)
        for column, text in enumerate(cells):  # what does not fit is there on hover
            item.setToolTip(column, text)
        if tone:
            item.setForeground(len(cells) - 1, QColor(style.TONES[tone][0]))
        tree.addTopLevelItem(item)

    def _open(self, item: QTreeWidgetItem) -> None:
        target = item.data(0, ROLE_TARGET)
        if not target:
            return
        page, record_id = target
        if page == "conflict":
            self.ctx.window.resolve_conflict(record_id)
        elif page == "sync":
            self.ctx.navigate("sync")
        else:
            self.ctx.navigate(page, record_id)

