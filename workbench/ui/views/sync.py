"""Sync: the last sync, what waits to be sent, what the vendor rejected and why, conflicts."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QTabWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from workbench.ui import format as fmt
from workbench.ui import queries, style
from workbench.ui.views.base import Page
from workbench.ui.widgets import Card, banner, button, col, make_tree, page_header, primary, set_tone


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
        # Conflicts are said apart from the last sync's outcome: this line follows the store
        # (gone once the last conflict is resolved), the outcome is history.
        self.conflict_banner = banner("", "warning")
        self.conflict_banner.setAccessibleName("Conflicts to resolve")
        self.conflict_banner.setVisible(False)
        root.addWidget(self.conflict_banner)
        cards = QHBoxLayout()
        self.cards = {"last": Card("last successful sync"), "pending": Card("changes waiting to be sent"),
                      "rejected": Card("changes the vendor rejected"),
                      "conflicts": Card("conflicts to resolve")}
        for card in self.cards.values():
            cards.addWidget(card)
        root.addLayout(cards)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Sync details")
        self.tabs.setElideMode(Qt.TextElideMode.ElideNone)  # titles with counts, never cut
        # The long text of each list (the values, the reason, the message) stretches.
        self.conflicts = make_tree("Conflicts", [
            col("Record", "Müller Maschinenbau GmbH"), col("Field", "Expected close date"),
            col("Mine", "Renewal in Q3", stretch=True),
            col("Theirs (vendor)", "Renewal in Q4", stretch=True)])
        self.rejected = make_tree("Rejected changes", [
            col("Record", "Müller Maschinenbau GmbH"), col("Change", "Change: working status"),
            col("Reason", "the vendor took this lead back", stretch=True),
            col("When", "12 Nov 2026")])
        self.pending = make_tree("Pending changes", [
            col("Record", "Müller Maschinenbau GmbH"),
            col("Change", "Change: notes", stretch=True), col("Edited", "12 Nov 2026")])
        self.history = make_tree("Sync history", [
            col("Started", "12 Nov 2026 14:05"), col("Outcome", "cancelled"), col("Sent", "10,000"),
            col("Received", "100,000"), col("Message", "vendor server unreachable", stretch=True)])
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
        self.outcome: dict[str, Any] | None = None  # the last sync's, from the controller
        self.running = False

    def reload(self) -> None:
        self.ctx.tasks.read(queries.sync_overview, self._show)

    def show_running(self, text: str) -> None:
        self.running = True
        self.state.setText(text)
        set_tone(self.state, "info")
        self.state.setVisible(True)
        self.sync_button.setEnabled(False)

    def show_outcome(self, outcome: dict[str, Any]) -> None:
        self.running = False
        self.outcome = outcome
        self.sync_button.setEnabled(True)
        self._show_state()

    def show_last_sync(self, text: str) -> None:
        """Set by the window from its one clock, with the status bar's label."""
        self.cards["last"].set(text)

    def _show_state(self) -> None:
        if self.running:
            return
        outcome, status = self.outcome, (self.data or {}).get("status")
        if outcome is not None and not outcome["ok"]:
            text, tone = outcome["message"], "rejected"
        elif outcome is not None:
            text, tone = outcome_text(outcome["summary"]), "ok"
        elif status and status["signed_in"] and status["server_url"]:
            text, tone = f"Signed in as {status['user_email']} at {status['server_url']}.", "info"
        else:
            text, tone = ("Not signed in: Sync now (F5) asks for your vendor's server address and "
                          "your access token. Everything you do is kept on this computer until "
                          "then."), "warning"
        self.state.setText(text)
        set_tone(self.state, tone)
        self.state.setVisible(True)

    def _show(self, data: dict[str, Any]) -> None:
        self.data = data
        status = data["status"]
        self._show_state()
        count = len(data["conflicts"])
        self.conflict_banner.setText(
            f"{plural(count, 'conflict')} to resolve: you and the vendor changed the same field. "
            "Pick one below and choose what stays (Alt+R).")
        self.conflict_banner.setVisible(count > 0)
        if self.ctx.window is not None:  # the window's clock, not one of our own
            self.show_last_sync(self.ctx.window.last_sync_text)
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
            reason = fmt.readable_dates(op.get("reason"))
            item = QTreeWidgetItem([op["label"], _what(op), reason, fmt.ago(op.get("finished_at"))])
            item.setForeground(2, QColor(style.TONES["rejected"][0]))
            item.setToolTip(2, reason)
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


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def outcome_text(summary: dict[str, Any] | None) -> str:
    """The last sync's outcome, without its conflicts (those are said from the store)."""
    if not summary:
        return "Synced."
    parts = [f"sent {summary['pushed']:,}", f"received {summary['pulled']:,}"]
    if summary.get("rejected"):
        parts.append(f"{len(summary['rejected'])} rejected by the vendor")
    if summary.get("uploaded"):
        parts.append(f"{summary['uploaded']:,} attached file(s) sent")
    for problem in summary.get("upload_problems") or ():
        parts.append(f"refused: {problem}")
    return "Synced: " + ", ".join(parts) + "."


def _short(value: Any) -> str:
    text = "(empty)" if value is None else str(value)
    return text if len(text) <= 60 else text[:57] + "…"
