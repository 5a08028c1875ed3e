"""Sync: the last sync, what waits to be sent, what the vendor rejected and why, conflicts."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QTabWidget, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from workbench.ui import format as fmt
from workbench.ui import queries, style
from workbench.ui.views.base import Page
from workbench.ui.widgets import Card, banner, button, page_header, primary, set_tone


def _tree(accessible: str, headers: list[str], widths: list[int]) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setAccessibleName(accessible)
    tree.setHeaderLabels(headers)
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    tree.setAlternatingRowColors(True)
    for column, width in enumerate(widths):
        tree.setColumnWidth(column, width)
    return tree


def _what(op: dict[str, Any]) -> str:
    if op.get("action"):
        return fmt.label(op["action"])
    fields = ", ".join(fmt.label(f).lower() for f in (op.get("fields") or {}))
    return {"create": "New", "delete": "Delete"}.get(op["kind"], "Change") + \
        (f": {fields}" if fields and op["kind"] == "update" else "")


class SyncPage(Page):
    title = "Sync"
    hint = "Your edits wait here until the next sync; the vendor's answers arrive with it."
    shows_sync = True

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        root = QVBoxLayout(self)
        root.setContentsMargins(20, 16, 20, 12)
        root.setSpacing(12)
        self.sync_button = primary(button("&Sync now", "Sync now", lambda: ctx.window.sync_now(),
                                          "Send your edits and fetch the vendor's (Ctrl+S / F5)"))
        self.sync_button.setDefault(False)
        settings = button("Se&ttings…", "Settings", lambda: ctx.window.open_settings(), "Ctrl+,")
        root.addWidget(page_header(self.title, self.hint, settings, self.sync_button))
        self.state = banner("", "info")
        self.state.setAccessibleName("Sync state")
        root.addWidget(self.state)
        cards = QHBoxLayout()
        self.cards = {"last": Card("last successful sync"), "pending": Card("changes waiting to be sent"),
                      "rejected": Card("changes the vendor rejected"),
                      "conflicts": Card("conflicts to resolve")}
        for card in self.cards.values():
            cards.addWidget(card)
        root.addLayout(cards)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Sync details")
        self.conflicts = _tree("Conflicts", ["Record", "Field", "Mine", "Theirs (vendor)"], [220, 140, 200])
        self.rejected = _tree("Rejected changes", ["Record", "Change", "Reason", "When"], [200, 150, 330])
        self.pending = _tree("Pending changes", ["Record", "Change", "Edited"], [240, 240])
        self.history = _tree("Sync history", ["Started", "Outcome", "Sent", "Received", "Message"],
                             [150, 90, 60, 80])
        conflict_box = QWidget()
        conflict_layout = QVBoxLayout(conflict_box)
        conflict_layout.setContentsMargins(8, 8, 8, 8)
        conflict_layout.addWidget(self.conflicts, 1)
        row = QHBoxLayout()
        self.resolve_button = button("&Resolve…", "Resolve the selected conflict", self._resolve,
                                     "Compare base, mine and theirs and decide (Alt+R)")
        row.addWidget(self.resolve_button)
        row.addStretch(1)
        conflict_layout.addLayout(row)
        self.tabs.addTab(conflict_box, "Conflicts")
        self.tabs.addTab(self.rejected, "Rejected")
        self.tabs.addTab(self.pending, "Waiting to send")
        self.tabs.addTab(self.history, "History")
        root.addWidget(self.tabs, 1)
        self.conflicts.itemActivated.connect(lambda _item: self._resolve())
        self.data: dict[str, Any] | None = None

    def reload(self) -> None:
        self.ctx.tasks.read(queries.sync_overview, self._show)

    def show_running(self, text: str) -> None:
        self.state.setText(text)
        set_tone(self.state, "info")
        self.state.setVisible(True)
        self.sync_button.setEnabled(False)

    def show_outcome(self, outcome: dict[str, Any]) -> None:
        self.state.setText(outcome["message"])
        set_tone(self.state, "ok" if outcome["ok"] else "rejected")
        self.state.setVisible(True)
        self.sync_button.setEnabled(True)

    def _show(self, data: dict[str, Any]) -> None:
        self.data = data
        status = data["status"]
        if not self.state.text():
            signed = status["signed_in"] and status["server_url"]
            self.state.setText(f"Signed in as {status['user_email']} at {status['server_url']}."
                               if signed else "Not signed in: open Settings (Ctrl+,) to connect to "
                                              "your vendor. Everything you do is kept until then.")
            set_tone(self.state, "info" if signed else "warning")
        self.cards["last"].set(fmt.ago(status["last_sync_at"]))
        self.cards["pending"].set(f"{status['pending']:,}", "pending" if status["pending"] else "ok")
        self.cards["rejected"].set(str(len(data["rejected"])), "rejected" if data["rejected"] else "ok")
        self.cards["conflicts"].set(str(status["conflicts"]), "warning" if status["conflicts"] else "ok")
        self.conflicts.clear()
        for conflict in data["conflicts"]:
            item = QTreeWidgetItem([conflict["label"], conflict["field_label"],
                                    _short(conflict["mine_value"]), _short(conflict["theirs_value"])])
            item.setData(0, Qt.ItemDataRole.UserRole, conflict["id"])
            self.conflicts.addTopLevelItem(item)
        first = self.conflicts.topLevelItem(0)
        if first is not None:
            self.conflicts.setCurrentItem(first)
        self.resolve_button.setEnabled(bool(data["conflicts"]))
        self.rejected.clear()
        for op in data["rejected"]:
            item = QTreeWidgetItem([op["label"], _what(op), op.get("reason") or "",
                                    fmt.ago(op.get("finished_at"))])
            item.setForeground(2, QColor(style.TONES["rejected"][0]))
            item.setToolTip(2, op.get("reason") or "")
            self.rejected.addTopLevelItem(item)
        self.pending.clear()
        for op in data["pending"]:
            self.pending.addTopLevelItem(QTreeWidgetItem([op["label"], _what(op), fmt.ago(op["created_at"])]))
        self.history.clear()
        for entry in data["history"]:
            item = QTreeWidgetItem([fmt.day(entry["started_at"]) + " " + (entry["started_at"] or "")[11:16],
                                    entry["outcome"] or "running", str(entry["pushed"]),
                                    str(entry["pulled"]), entry.get("message") or ""])
            tone = {"ok": "ok", "failed": "rejected", "cancelled": "pending"}.get(entry["outcome"] or "")
            if tone:
                item.setForeground(1, QColor(style.TONES[tone][0]))
            self.history.addTopLevelItem(item)
        for tab, (name, count) in enumerate([("Conflicts", len(data["conflicts"])),
                                             ("Rejected", len(data["rejected"])),
                                             ("Waiting to send", status["pending"]),
                                             ("History", None)]):
            self.tabs.setTabText(tab, f"{name} ({count:,})" if count is not None else name)

    def _resolve(self) -> None:
        item = self.conflicts.currentItem()
        if item is not None:
            self.ctx.window.resolve_conflict(item.data(0, Qt.ItemDataRole.UserRole))


def _short(value: Any) -> str:
    text = "(empty)" if value is None else str(value)
    return text if len(text) <= 60 else text[:57] + "…"
