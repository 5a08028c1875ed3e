"""Render every main view and dialog with demo data, offscreen, to docs/screenshots/*.png.

    QT_QPA_PLATFORM=offscreen python scripts/render_screenshots.py [--out docs/screenshots]
                                                                    [--sample]

Uses the embedded demo vendor (workbench.demo.prepare_demo) when this build has it, otherwise
(or with --sample) the sample records of workbench.ui.sample_data. Window size 1366×768, the
smallest laptop screen the workbench must be readable on.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from workbench.store.db import open_store  # noqa: E402
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "docs" / "screenshots")
    parser.add_argument("--sample", action="store_true", help="sample records instead of the demo vendor")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = application()
    folder = Path(tempfile.mkdtemp(prefix="workbench-shots-"))
    environment, ids = prepare(folder, args.sample)
    store = open_store(folder)
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    window = create_window(store, settings)
    window.resize(*SIZE)
    window.show()
    window.start()
    try:
        for key in window.pages:
            window.show_page(key)
            settle(app, window)
            if key == "registrations":  # show a deal whose protection is about to end
                _select_expiring(window)
                settle(app, window)
            save(window, args.out / f"{key}.png")
        # Dialogs, each over the window in a state worth showing.
        window.show_page("registrations")
        dialog = window.register_deal()
        dialog.customer.setText("Globex Corp.")  # a customer the demo rep already registered
        dialog.domain.setText("https://www.globex.com/")
        dialog.product.setText("Analytics Suite")
        dialog.value.setText("$48,000")
        deadline = time.monotonic() + 15
        while window.ctx.duplicates.index is None and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.02)
        dialog.check_duplicates()
        settle(app, window)
        save(dialog, args.out / "register-deal.png")
        dialog.reject()
        conflict_id = ids.get("conflict") or _first_conflict(window)
        if conflict_id:
            conflict = window.resolve_conflict(conflict_id)
            settle(app, window)
            save(conflict, args.out / "conflict.png")
            conflict.reject()
        else:  # the demo had no conflict today: show the dialog over the sample records
            render_sample_conflict(app, args.out)
        settings_dialog = window.open_settings()
        settle(app, window)
        save(settings_dialog, args.out / "settings.png")
        settings_dialog.reject()
    finally:
        window.close()
        store.close()
        if environment is not None:
            environment.stop()
    return 0


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


def _select_expiring(window: MainWindow) -> None:
    from workbench.ui.tablemodel import TONE_ROLE
    page = window.pages["registrations"]
    column = next(n for n, c in enumerate(page.spec.columns) if c.key == "protection")
    for row in range(page.model.rowCount()):
        if page.model.index(row, column).data(TONE_ROLE) == "warning":
            page.select_record(page.model.row_id(row))
            return


def _first_conflict(window: MainWindow) -> str | None:
    from workbench.ui import queries
    rows = window.ctx.read_now(queries.open_conflicts)
    return rows[0]["id"] if rows else None


if __name__ == "__main__":
    sys.exit(main())
