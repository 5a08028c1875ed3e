"""The main window: navigation on the left, pages on the right, sync state in the status bar."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from workbench import __version__
from workbench.services.changes import Changes
from workbench.ui import format as fmt
from workbench.ui import queries
from workbench.ui.context import Context, setting_bytes, setting_text
from workbench.ui.dialogs import conflict as conflict_dialog
from workbench.ui.dialogs.register_deal import RegisterDealDialog
from workbench.ui.dialogs.settings import SettingsDialog
from workbench.ui.dialogs.sign_in import SignInDialog
from workbench.ui.syncing import SIGN_IN_REASONS, SyncController
from workbench.ui.views.accounts import AccountsPage
from workbench.ui.views.base import Page
from workbench.ui.views.cases import CasesPage
from workbench.ui.views.commissions import CommissionsPage
from workbench.ui.views.content import ContentPage
from workbench.ui.views.leads import LeadsPage
from workbench.ui.views.mdf import MdfPage
from workbench.ui.views.opportunities import OpportunitiesPage
from workbench.ui.views.people import PeoplePage
from workbench.ui.views.registrations import RegistrationsPage
from workbench.ui.views.scorecard import ScorecardPage
from workbench.ui.views.sync import SyncPage
from workbench.ui.views.today import TodayPage
from workbench.ui.widgets import set_tone

PAGES: list[tuple[str, str, type[Page]]] = [
    ("today", "Today", TodayPage),
    ("accounts", "Accounts", AccountsPage),
    ("registrations", "Registrations", RegistrationsPage),
    ("leads", "Leads", LeadsPage),
    ("opportunities", "Opportunities", OpportunitiesPage),
    ("cases", "Cases", CasesPage),
    ("mdf", "MDF", MdfPage),
    ("commissions", "Commissions", CommissionsPage),
    ("content", "Content", ContentPage),
    ("people", "People", PeoplePage),
    ("scorecard", "Scorecard", ScorecardPage),
    ("sync", "Sync", SyncPage),
]

# Go-to keys by page, not by position: the pages a rep had from the start keep the keys they
# learnt (Ctrl+1 … Ctrl+8); pages added later take the keys left over, in the order listed.
_FIRST_PAGES = ("today", "accounts", "registrations", "leads", "opportunities", "cases",
                "scorecard", "sync")
_LATER_KEYS = ("Ctrl+9", "Ctrl+0")
GO_KEYS: dict[str, str] = {key: f"Ctrl+{n}" for n, key in enumerate(_FIRST_PAGES, start=1)}
GO_KEYS.update(zip([k for k, _t, _c in PAGES if k not in GO_KEYS], _LATER_KEYS, strict=False))

SHORTCUTS = [
    ("Ctrl+N", "Register a deal (from anywhere)"), ("Ctrl+S / F5", "Sync now"),
    ("Ctrl+1 … Ctrl+8", "Go to Today, Accounts … Cases, Scorecard, Sync"),
    ("Ctrl+9 / Ctrl+0", " / ".join(t for k, t, _c in PAGES if GO_KEYS.get(k) in _LATER_KEYS)),
    ("Ctrl+F", "Search in the current list"),
    ("Ctrl+,", "Settings"), ("Ctrl+E", "Export the scorecard as PDF"),
    ("Alt+S / W / N / D", "Registrations: Submit, Withdraw, Renew…, Dispute…"),
    ("Alt+A / R / L", "Leads: Accept, Reject…, Log first contact"),
    ("Alt+O / C / E", "Cases: Open case…, Comment, Request escalation…"),
    ("Alt+A / C / O", "Accounts: New account…, Add contact…, Open case…"),
    ("Alt+R", "Sync: Resolve the selected conflict"),
    ("Ctrl+Enter", "Save in the Register deal dialog"), ("F1", "This list"), ("Ctrl+Q", "Quit"),
]


class MainWindow(QMainWindow):
    def __init__(self, ctx: Context) -> None:
        super().__init__()
        self.ctx = ctx
        ctx.window = self
        self.setWindowTitle("Partner Workbench")
        self.setMinimumSize(1000, 640)
        self.pages: dict[str, Page] = {}
        self.register_dialog: RegisterDealDialog | None = None
        self.settings_dialog: SettingsDialog | None = None
        self.conflict_dialog: conflict_dialog.ConflictDialog | None = None
        self.sign_in_dialog: SignInDialog | None = None
        self._status_pending = False

        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setAccessibleName("Navigation")
        self.nav.setFixedWidth(210)
        self.stack = QStackedWidget()
        for key, title, page_class in PAGES:
            page = page_class(ctx)
            self.pages[key] = page
            self.stack.addWidget(page)
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip(f"{title} ({GO_KEYS[key]})" if key in GO_KEYS else title)
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(self._nav_changed)

        side = QWidget()
        side.setObjectName("side")
        side.setStyleSheet("QWidget#side { background: #111827; }")
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.setSpacing(0)
        brand = QLabel("Partner Workbench")
        brand.setObjectName("brand")
        self.partner_label = QLabel("offline workbench")
        self.partner_label.setObjectName("brandSub")
        side_layout.addWidget(brand)
        side_layout.addWidget(self.partner_label)
        side_layout.addWidget(self.nav, 1)
        side.setFixedWidth(210)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(side)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.sync = SyncController(ctx, self)
        self._build_status_bar()
        self._build_menus()
        self.sync.started.connect(self._sync_started)
        self.sync.progress.connect(self._sync_progress)
        self.sync.finished.connect(self._sync_finished)
        self.sync.online_changed.connect(self._online_changed)
        ctx.changed.connect(self._changed)
        ctx.tasks.error.connect(lambda text: self.statusBar().showMessage(f"Problem: {text}", 8000))

        self.minute = QTimer(self)  # countdowns (SLA, protection, "3 min ago") move on their own
        self.minute.setInterval(60_000)
        self.minute.timeout.connect(self._tick)
        self._restore()

    # --- building ------------------------------------------------------------------------------

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.online_label = QLabel("● not connected")
        self.online_label.setObjectName("online")
        self.online_label.setAccessibleName("Connection")
        self.pending_label = QLabel()
        self.pending_label.setAccessibleName("Pending changes")
        self.last_sync_label = QLabel()
        self.last_sync_label.setAccessibleName("Last sync")
        self.conflicts_label = QLabel()
        self.conflicts_label.setAccessibleName("Conflicts")
        for label in (self.online_label, self.pending_label, self.last_sync_label, self.conflicts_label):
            bar.addPermanentWidget(label)
        self.status: dict[str, Any] = {}  # the latest queries.status_counts
        self.last_sync_text = "never"  # as the status bar and the Sync page show it

    def _action(self, menu: Any, text: str, keys: list[str], slot: Any) -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)  # shortcuts work with the menu bar hidden, too
        return action

    def _build_menus(self) -> None:
        menus = self.menuBar()
        work = menus.addMenu("&Workbench")
        self.register_action = self._action(work, "&Register deal…", ["Ctrl+N"], lambda: self.register_deal())
        self.sync_action = self._action(work, "&Sync now", ["Ctrl+S", "F5"], self.sync_now)
        work.addSeparator()
        self._action(work, "Se&ttings…", ["Ctrl+,"], self.open_settings)
        work.addSeparator()
        self._action(work, "&Quit", ["Ctrl+Q"], self.close)
        go = menus.addMenu("&Go")
        for key, title, _cls in PAGES:
            self._action(go, title, [GO_KEYS[key]] if key in GO_KEYS else [],
                         lambda _=False, k=key: self.show_page(k))
        go.addSeparator()
        self._action(go, "&Find in list", ["Ctrl+F"], lambda: self.current_page().focus_search())
        self._action(go, "&Export scorecard PDF…", ["Ctrl+E"], self._export_pdf)
        help_menu = menus.addMenu("&Help")
        self._action(help_menu, "&Keyboard shortcuts", ["F1"], self.show_shortcuts)
        self._action(help_menu, "&About", [], self._about)

    def _restore(self) -> None:
        geometry = setting_bytes(self.ctx.settings, "window/geometry")
        self.geometry_restored = not geometry.isEmpty() and self.restoreGeometry(geometry)
        if not self.geometry_restored:
            self.resize(1366, 768)
        page = setting_text(self.ctx.settings, "window/page", "today")
        self.show_page(page if page in self.pages else "today")

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        """After show(): timers, first status, online probe, duplicate index warm-up."""
        self.minute.start()
        self.refresh_status()
        self.sync.start()
        QTimer.singleShot(1500, self, self.ctx.duplicates.ensure)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.ctx.settings.setValue("window/geometry", self.saveGeometry())
        self.ctx.settings.setValue("window/page", self.current_key())
        self.ctx.settings.sync()
        self.minute.stop()
        self.sync.stop()
        for child in self.findChildren(QTimer):  # search boxes, dialogs: nothing fires after close
            child.stop()
        self.ctx.tasks.shutdown()
        super().closeEvent(event)

    # --- navigation ------------------------------------------------------------------------------

    @property
    def sync_page(self) -> SyncPage:
        page = self.pages["sync"]
        assert isinstance(page, SyncPage)
        return page

    @property
    def scorecard_page(self) -> ScorecardPage:
        page = self.pages["scorecard"]
        assert isinstance(page, ScorecardPage)
        return page

    def current_key(self) -> str:
        item = self.nav.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else "today"

    def current_page(self) -> Page:
        return self.pages[self.current_key()]

    def show_page(self, key: str, record_id: str | None = None) -> Page:
        row = [k for k, _t, _c in PAGES].index(key)
        if self.nav.currentRow() != row:
            self.nav.setCurrentRow(row)
        page = self.pages[key]
        page.activate()
        if record_id:
            page.select_record(record_id)
        return page

    def _nav_changed(self, row: int) -> None:
        if row >= 0:
            self.stack.setCurrentIndex(row)
            self.pages[PAGES[row][0]].activate()

    # --- actions ---------------------------------------------------------------------------------

    def register_deal(self, account: dict[str, Any] | None = None) -> RegisterDealDialog:
        if self.register_dialog is not None and self.register_dialog.isVisible():
            self.register_dialog.raise_()
            self.register_dialog.activateWindow()
            return self.register_dialog
        dialog = RegisterDealDialog(self.ctx, account, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._deal_saved)
        dialog.destroyed.connect(lambda: setattr(self, "register_dialog", None))
        self.register_dialog = dialog
        dialog.open()
        return dialog

    def _deal_saved(self, result: dict[str, Any]) -> None:
        registration = result["registration"]
        queued = registration["status"] == "submitted"
        self.statusBar().showMessage(
            f"Deal for {registration['customer_name']} saved" +
            (" — the submit goes to the vendor with the next sync" if queued else " as a draft"), 8000)
        self.show_page("registrations", registration["id"])

    def sync_now(self) -> None:
        """F5 / Ctrl+S: sync, or the Sign in form while nobody is signed in."""
        if not self.sync.running and not self.sync.signed_in():
            self.sign_in()
            return
        if not self.sync.sync_now("manual") and self.sync.running:
            self.statusBar().showMessage("A sync is already running", 4000)

    def sign_in(self, reason: str = "") -> SignInDialog:
        if self.sign_in_dialog is not None and self.sign_in_dialog.isVisible():
            self.sign_in_dialog.raise_()
            return self.sign_in_dialog
        dialog = SignInDialog(self.ctx, self, reason)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.signed_in.connect(self._signed_in)
        dialog.destroyed.connect(lambda: setattr(self, "sign_in_dialog", None))
        self.sign_in_dialog = dialog
        dialog.open()
        return dialog

    def open_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.applied.connect(self.sync.apply_settings)
        dialog.signed_in.connect(self._signed_in)
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def _signed_in(self, info: dict[str, Any] | None) -> None:
        # Today's "how to connect" and the Sync page follow the sign-in's Changes (account=True)
        self.sync.check_online()
        if info is not None:
            self.sync.sync_now("signed in")

    def resolve_conflict(self, conflict_id: str) -> conflict_dialog.ConflictDialog | None:
        try:
            conflicts = self.ctx.read_now(lambda c: conflict_dialog.load(c, conflict_id))
        except LookupError as error:
            self.ctx.fail(self, error)
            return None
        dialog = conflict_dialog.ConflictDialog(self.ctx, conflicts, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.resolved.connect(lambda n: self.statusBar().showMessage(
            f"{n} conflict{'' if n == 1 else 's'} resolved — your decision syncs like any edit",
            6000))
        self.conflict_dialog = dialog
        dialog.open()
        return dialog

    def _export_pdf(self) -> None:
        self.show_page("scorecard")
        self.scorecard_page.choose_pdf()

    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td style='padding-right:16px; white-space:nowrap'><b>{k}</b></td>"
                       f"<td style='white-space:nowrap'>{v}</td></tr>" for k, v in SHORTCUTS)
        box = QMessageBox(QMessageBox.Icon.NoIcon, "Keyboard shortcuts", f"<table>{rows}</table>",
                          QMessageBox.StandardButton.Close, self)
        box.setStyleSheet("QLabel { min-width: 600px; }")  # one line per shortcut
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _about(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, "About",
                          f"Partner Workbench {__version__}\nData folder: {self.ctx.store.data_dir}",
                          QMessageBox.StandardButton.Close, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # --- state -----------------------------------------------------------------------------------

    def _changed(self, changes: Changes) -> None:
        """One unit of work finished (an edit, a sync): each page decides whether to reload."""
        for page in self.pages.values():
            page.follow(changes)
        if changes.outbox or changes.conflicts or changes.account:
            self.refresh_status()

    def refresh_status(self) -> None:
        if self._status_pending:  # coalesce bursts of writes into one count
            return
        self._status_pending = True
        self.ctx.tasks.read(queries.status_counts, self._show_status,
                            lambda _e: setattr(self, "_status_pending", False))

    def _show_status(self, status: dict[str, Any]) -> None:
        self._status_pending = False
        self.status = status
        pending = status["pending"]
        self.pending_label.setText(f"{pending:,} change{'s' if pending != 1 else ''} to send")
        self._show_clock()
        conflicts = status["conflicts"]
        self.conflicts_label.setText(f"{conflicts} conflict{'s' if conflicts != 1 else ''}")
        self.conflicts_label.setStyleSheet("color: #9a3412; font-weight: 600;" if conflicts else "")
        if status.get("partner_name"):
            self.partner_label.setText(status["partner_name"])
        self._online_changed(self.sync.online)

    def _online_changed(self, online: bool | None) -> None:
        if self.sync.running:
            return
        signed = self.status.get("signed_in")
        if online is None:
            text, tone = ("● Not signed in" if not signed else "● Connecting…", "pending")
        elif online:
            text, tone = "● Online", "ok"
        else:
            text, tone = "● Offline — changes are kept", "lapsed"
        self.online_label.setText(text)
        set_tone(self.online_label, tone)

    def _sync_started(self) -> None:
        self.online_label.setText("⟳ Syncing…")
        set_tone(self.online_label, "pending")
        self.sync_page.show_running("Syncing…")

    def _sync_progress(self, text: str) -> None:
        self.online_label.setText(f"⟳ {text[:40]}")
        self.sync_page.show_running(f"Syncing: {text}")

    def _sync_finished(self, outcome: dict[str, Any]) -> None:
        self.statusBar().showMessage(outcome["message"], 8000)
        self.sync_page.show_outcome(outcome)
        self._online_changed(self.sync.online)
        self.refresh_status()
        if outcome.get("reason") in SIGN_IN_REASONS and outcome.get("trigger") == "manual":
            # e.g. the token is gone (signed in on a machine without a keyring, revoked)
            self.sign_in(SIGN_IN_REASONS[outcome["reason"]])

    def _show_clock(self) -> None:
        """The last sync as '3 min ago', read once from the one clock for every label showing it
        (the status bar and the Sync page's card used to disagree by a minute)."""
        self.last_sync_text = fmt.ago(self.status.get("last_sync_at"), self.ctx.now())
        self.last_sync_label.setText(f"Last sync: {self.last_sync_text}")
        self.sync_page.show_last_sync(self.last_sync_text)

    def _tick(self) -> None:
        self._show_clock()
        self.current_page().tick()
        self.refresh_status()
