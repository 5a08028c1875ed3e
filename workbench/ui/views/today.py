"""Today: what needs the rep now — leads near their SLA, protection ending, conflicts, cases."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QTreeWidget, QTreeWidgetItem, QVBoxLayout

from workbench.ui import format as fmt
from workbench.ui import queries, style
from workbench.ui.views.base import Page
from workbench.ui.widgets import Card, page_header, section

ROLE_TARGET = Qt.ItemDataRole.UserRole  # (page, record id) to open on double-click / Enter


class TodayPage(Page):
    title = "Today"
    hint = "What needs you now. Double-click (or Enter) opens the item."
    shows = frozenset({"leads", "registrations", "cases"})
    shows_sync = True  # conflicts and rejected changes

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        root = QVBoxLayout(self)
        root.setContentsMargins(20, 16, 20, 12)
        root.setSpacing(12)
        root.addWidget(page_header(self.title, self.hint))
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
            "leads": self._list("Leads near SLA breach", ["Company", "Contact", "First contact"]),
            "registrations": self._list("Protection ending soon", ["Customer", "Value", "Protection"]),
            "sync": self._list("Conflicts and rejected changes", ["Record", "What", "Why"]),
            "cases": self._list("Cases waiting on you", ["Subject", "Customer", "Updated"]),
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

    def _list(self, accessible: str, headers: list[str]) -> QTreeWidget:
        tree = QTreeWidget()
        tree.setAccessibleName(accessible)
        tree.setHeaderLabels(headers)
        tree.setRootIsDecorated(False)
        tree.setUniformRowHeights(True)
        tree.setAlternatingRowColors(True)
        tree.setColumnWidth(0, 230)
        tree.setColumnWidth(1, 140)
        tree.itemActivated.connect(self._open)
        return tree

    def reload(self) -> None:
        self.ctx.tasks.read(queries.today, self._show)

    def tick(self) -> None:
        self.reload()

    def _show(self, data: dict[str, list[dict[str, Any]]]) -> None:
        self.data = data
        now = datetime.now(UTC)
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
            self._add(sync, [conflict["label"], f"conflict on {fmt.label(conflict['field']).lower()}",
                             "changed here and by the vendor"], ("conflict", conflict["id"]), "warning")
        for op in data["rejected"]:
            what = op["action"] or op["kind"]
            self._add(sync, [op["label"], f"{what} rejected", op.get("reason") or ""],
                      ("sync", op["op_id"]), "rejected")
        cases = self.lists["cases"]
        cases.clear()
        for case in data["cases"]:
            self._add(cases, [case["subject"], case.get("customer_domain") or "",
                              fmt.ago(case["updated_at"], now)], ("cases", case["id"]), "warning")
        counts = {"leads": len(data["leads"]), "registrations": len(data["registrations"]),
                  "sync": len(data["conflicts"]) + len(data["rejected"]), "cases": len(data["cases"])}
        for key, count in counts.items():
            self.cards[key].set(str(count), ("warning" if key != "sync" else "rejected") if count else "ok")
            if not count:
                empty = QTreeWidgetItem(["Nothing here — all clear"])
                empty.setForeground(0, QColor("#6b7280"))
                empty.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.lists[key].addTopLevelItem(empty)

    @staticmethod
    def _add(tree: QTreeWidget, cells: list[str], target: tuple[str, str], tone: str = "") -> None:
        item = QTreeWidgetItem(cells)
        item.setData(0, ROLE_TARGET, target)
        item.setToolTip(len(cells) - 1, cells[-1])
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

