"""Render every view and dialog of the desktop window at 1366×768 to docs/screenshots/*.png.

Under a real X server (what a rep sees; the README's screenshots are made this way):

    xvfb-run -a -s "-screen 0 1366x768x24" python scripts/render_screenshots.py

Without a display it renders offscreen (QT_QPA_PLATFORM=offscreen). Options: --out DIR
(default docs/screenshots), --sample (the sample records of workbench.ui.sample_data instead of
the embedded demo vendor, which needs the server extra). 1366×768 is the smallest laptop screen
the workbench must be readable on. Prints the platform it rendered on and each file written.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen" and os.environ.get("DISPLAY"):
        os.environ.pop("QT_QPA_PLATFORM")  # a real display was given: use it
else:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no display: render without one

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # render this checkout, whatever is installed

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from workbench.store.db import Store, open_store  # noqa: E402
from workbench.ui.app import application, create_window  # noqa: E402
from workbench.ui.main_window import MainWindow  # noqa: E402

SIZE = (1366, 768)


def settle(app: QApplication, window: MainWindow, seconds: float = 0.4) -> None:
    """Let background reads finish and their results paint."""
    deadline = time.monotonic() + 10
    quiet_since = None
    while time.monotonic() < deadline:
        app.processEvents()
        if window.ctx.tasks.busy() or window.sync.running:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > seconds:
            break
        time.sleep(0.02)
    app.processEvents()


def wait_for(app: QApplication, condition: Callable[[], Any], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)


def save(widget: QWidget, path: Path) -> None:
    widget.grab().save(str(path))
    print(f"wrote {path}")


def prepare(folder: Path, sample: bool) -> tuple[object | None, dict]:
    if not sample:
        try:
            from workbench.demo import prepare_demo
        except ImportError:
            prepare_demo = None
        if prepare_demo is not None:
            return prepare_demo(folder), {}
    from workbench.ui.sample_data import fill_sample
    store = open_store(folder)
    try:
        ids = fill_sample(store)
    finally:
        store.close()
    return None, ids


def open_window(folder: Path, store: Store) -> MainWindow:
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    window = create_window(store, settings)
    window.resize(*SIZE)
    window.show()
    window.start()
    return window


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path,
                        default=ROOT / "docs" / "screenshots")
    parser.add_argument("--sample", action="store_true",
                        help="sample records instead of the demo vendor")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = application()
    print(f"rendering on the {QGuiApplication.platformName()} platform at {SIZE[0]}x{SIZE[1]}")
    folder = Path(tempfile.mkdtemp(prefix="workbench-shots-"))
    environment, ids = prepare(folder, args.sample)
    store = open_store(folder)
    window = open_window(folder, store)
    try:
        render_pages(app, window, args.out, folder)
        render_deals(app, window, args.out)
        render_dialogs(app, window, args.out, ids)
    finally:
        window.close()
        store.close()
        if environment is not None:
            environment.stop()
    render_first_run(app, args.out)
    return 0


def render_pages(app: QApplication, window: MainWindow, out: Path, folder: Path) -> None:
    for key in window.pages:
        window.show_page(key)
        settle(app, window)
        if key == "registrations":  # show a deal whose protection is about to end
            _select_expiring(window)
            settle(app, window)
        if key == "scorecard":  # after an export: the "Saved" message and every row
            page = window.pages["scorecard"]
            wait_for(app, lambda p=page: p.card is not None)
            page.export_pdf(folder / "scorecard.pdf")
            wait_for(app, lambda p=page: p.exported is not None)
            settle(app, window)
        save(window, out / f"{key}.png")
        window.statusBar().clearMessage()


def render_dialogs(app: QApplication, window: MainWindow, out: Path, ids: dict) -> None:
    """Each dialog over the window, in a state worth showing."""
    window.show_page("registrations")
    dialog = window.register_deal()
    dialog.customer.setText("Globex Corp.")  # a customer the demo rep already registered
    dialog.domain.setText("https://www.globex.com/")
    dialog.product.setText("Analytics Suite")
    dialog.value.setText("$48,000")
    wait_for(app, lambda: window.ctx.duplicates.index is not None)
    dialog.check_duplicates()
    settle(app, window)
    save(dialog, out / "register-deal.png")
    dialog.value.setText("forty-eight thousand")  # a problem: named, marked, nothing covered
    dialog.save()
    settle(app, window)
    save(dialog, out / "register-deal-problem.png")
    dialog.reject()  # Escape on typed work asks first
    settle(app, window)
    if dialog.discard_box is not None:
        save(dialog.discard_box, out / "register-deal-discard.png")
    dialog.discard()
    settle(app, window)

    conflict_id = ids.get("conflict") or _first_conflict(window)
    if conflict_id:
        conflict = window.resolve_conflict(conflict_id)
        settle(app, window)
        save(conflict, out / "conflict.png")
        conflict.reject()
    else:  # the demo had no conflict today: show the dialog over the sample records
        render_sample_conflict(app, out)

    settings_dialog = window.open_settings()
    settle(app, window)
    save(settings_dialog, out / "settings.png")
    settings_dialog.reject()

    window.show_page("accounts")
    settle(app, window)
    new_account = window.pages["accounts"].new_account()
    settle(app, window)
    save(new_account, out / "new-account.png")
    new_account.reject()

    cases = window.show_page("cases")
    settle(app, window)
    open_case = cases.open_case()
    settle(app, window)
    save(open_case, out / "open-case.png")
    open_case.reject()

    leads = window.show_page("leads")
    settle(app, window)
    if leads.reject_button.isEnabled():
        leads.reject_button.click()
        settle(app, window)
        note = leads._note_dialog
        if note is not None:
            note.text.setPlainText("The customer already works with another partner")
            save(note, out / "note.png")
            note.reject()

    window.show_shortcuts()
    settle(app, window)
    box = QApplication.activeModalWidget() or next(
        (w for w in QApplication.topLevelWidgets() if w.windowTitle() == "Keyboard shortcuts"
         and w.isVisible()), None)
    if box is not None:
        save(box, out / "shortcuts.png")
        box.close()


def render_first_run(app: QApplication, out: Path) -> None:
    """A fresh workbench, never signed in: Today says how to connect; F5 offers the form."""
    folder = Path(tempfile.mkdtemp(prefix="workbench-first-run-"))
    store = open_store(folder)
    window = open_window(folder, store)
    try:
        window.show_page("today")
        settle(app, window)
        save(window, out / "today-first-run.png")
        window.sync_now()  # F5 while signed out
        settle(app, window)
        if window.sign_in_dialog is not None:
            save(window.sign_in_dialog, out / "sign-in.png")
            window.sign_in_dialog.reject()
    finally:
        window.close()
        store.close()


def render_sample_conflict(app: QApplication, out: Path) -> None:
    from workbench.ui.sample_data import fill_sample
    folder = Path(tempfile.mkdtemp(prefix="workbench-conflict-"))
    store = open_store(folder)
    ids = fill_sample(store)
    window = create_window(store, QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
    try:
        dialog = window.resolve_conflict(ids["conflict"])
        settle(app, window)
        save(dialog, out / "conflict.png")
        dialog.reject()
    finally:
        window.close()
        store.close()


def render_deals(app: QApplication, window: MainWindow, out: Path) -> None:
    """Deal progress and its dialogs on an approved deal with a requested change (the demo has
    one), and the Commissions page with a disputed line selected."""
    from workbench.ui.dialogs.deal_progress import AmendmentDialog, ProgressDialog

    page = window.show_page("registrations")
    settle(app, window)
    target = _amended_registration(window)
    if target:
        page.select_record(target)
        settle(app, window)
        save(window, out / "registrations-progress.png")
        for dialog in (ProgressDialog(page.row or {}, window), AmendmentDialog(page.row or {},
                                                                              window)):
            dialog.show()
            settle(app, window)
            name = "progress" if isinstance(dialog, ProgressDialog) else "request-change"
            save(dialog, out / f"{name}.png")
            dialog.close()
    commissions = window.show_page("commissions")
    settle(app, window)
    _select_disputed(commissions)
    settle(app, window)
    save(window, out / "commissions-disputed.png")


def _amended_registration(window: MainWindow) -> str | None:
    import sqlalchemy as sa

    from workbench.store.schema import RECORD_TABLES

    table = RECORD_TABLES["registration_amendments"]
    return window.ctx.read_now(lambda c: c.execute(
        sa.select(table.c.registration_id).limit(1)).scalar())


def _select_disputed(page: Any) -> None:
    from workbench.domain.commissions import dispute_open
    from workbench.ui.tablemodel import ROW_ROLE

    for row in range(page.model.rowCount()):
        if dispute_open(page.model.index(row, 0).data(ROW_ROLE) or {}):
            page.select_record(page.model.row_id(row))
            return


def _select_expiring(window: MainWindow) -> None:
    from workbench.ui.tablemodel import NOTE_ROLE
    page = window.pages["registrations"]
    column = next(n for n, c in enumerate(page.spec.columns) if c.key == "status")
    for row in range(page.model.rowCount()):
        if page.model.index(row, column).data(NOTE_ROLE)[1] == "warning":
            page.select_record(page.model.row_id(row))
            return


def _first_conflict(window: MainWindow) -> str | None:
    from workbench.ui import queries
    rows = window.ctx.read_now(queries.open_conflicts)
    return rows[0]["id"] if rows else None


if __name__ == "__main__":
    sys.exit(main())
