"""Starting the desktop application: `workbench` and `workbench --demo` land in `run`."""

from __future__ import annotations

import importlib
import logging
import logging.handlers
import sys
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLockFile, QSettings, Qt
from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from workbench import resources
from workbench.store.db import APP_NAME, Store, StoreError, default_data_dir, open_store
from workbench.ui.context import Context, setting_text
from workbench.ui.demo_menu import add_demo_menu
from workbench.ui.display import EXIT_NO_DISPLAY, display_problem
from workbench.ui.main_window import MainWindow
from workbench.ui.style import style_sheet

log = logging.getLogger(__name__)

ORGANISATION = "partner-workbench"
APPLICATION = "Partner Workbench"


def setup_logging() -> Path | None:
    """A rotating log file in the user's log folder; never the token (the sync code ensures it)."""
    from platformdirs import user_log_dir
    folder = Path(user_log_dir(APP_NAME, appauthor=False))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(folder / "workbench.log", maxBytes=1_000_000,
                                                       backupCount=3, encoding="utf-8")
    except OSError:
        return None  # a read-only home must not stop the window from opening
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return folder / "workbench.log"


def application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with our look; reuses one that exists (tests, scripts)."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setStyle("Fusion")  # the same, predictable look on every OS; the sheet does the rest
    font = QFont(app.font())
    if font.pointSizeF() < 10:
        font.setPointSizeF(10)
    app.setFont(font)
    app.setStyleSheet(style_sheet())
    app.setWindowIcon(QIcon(str(resources.path("icons", "partner-workbench.png"))))
    return app


def default_settings() -> QSettings:
    return QSettings(ORGANISATION, APPLICATION)


def create_window(store: Store, settings: QSettings | None = None) -> MainWindow:
    """A main window over `store` (the app, tests, screenshots and the benchmark use this)."""
    ctx = Context(store, settings or default_settings())
    return MainWindow(ctx)


def acquire_lock(folder: Path) -> QLockFile | None:
    """One window per data folder. QLockFile removes a stale lock left by a crashed process."""
    lock = QLockFile(str(Path(folder) / "workbench.lock"))
    return lock if lock.tryLock(200) else None


def run(data_dir: Path | str | None = None, demo: bool = False) -> int:
    problem = display_problem()
    if problem is not None:  # Qt would abort the process (exit 134) with misleading advice
        print(problem, file=sys.stderr)
        return EXIT_NO_DISPLAY
    log_file = setup_logging()
    app = application()
    settings = default_settings()
    environment: Any = None
    if demo:
        folder = Path(data_dir) if data_dir else _demo_dir()
    else:
        folder = Path(data_dir or setting_text(settings, "data/dir") or default_data_dir())
    folder.mkdir(parents=True, exist_ok=True)
    # Lock before anything touches the folder: the demo rebuilds its store at every launch.
    lock = acquire_lock(folder)
    if lock is None:
        QMessageBox.critical(None, APPLICATION, f"Partner Workbench is already open with the data "
                                                f"folder {folder}.")
        return 1
    if demo:
        environment = _start_demo(app, folder)
    try:
        store = open_store(folder)
    except StoreError as error:
        QMessageBox.critical(None, APPLICATION, str(error))
        lock.unlock()
        _stop_demo(environment)
        return 1
    log.info("workbench window on %s (log %s)", folder, log_file)
    window = create_window(store, settings)
    if environment is not None:
        window.setWindowTitle(f"Partner Workbench — demo ({getattr(environment, 'server_url', '')})")
        add_demo_menu(window, environment)
    window.show()
    window.start()
    try:
        return app.exec()
    finally:
        store.close()
        lock.unlock()
        _stop_demo(environment)


EXIT_DEMO_UNAVAILABLE = 6  # `--demo` where the demo cannot run (README, "Command line": exit codes)
DEMO_UNAVAILABLE = ("The demo is not part of this installation. It runs an embedded vendor server, "
                    "so it needs Partner Workbench installed as a Python package with its "
                    "server extra; the desktop bundle leaves both out. Without the demo, the "
                    "workbench opens your own data.")
# Said on stderr too, where a command is the answer (a terminal started the demo).
DEMO_UNAVAILABLE_TERMINAL = ("workbench --demo: the demo needs the installed package with the "
                             "server extra: python3 -m pip install -e '.[server]' (in a "
                             "checkout), then workbench --demo")


def _demo_missing() -> str | None:
    """Why the demo cannot run here (the bundle leaves it out; it needs the server extra)."""
    try:
        importlib.import_module("workbench.demo")
        importlib.import_module("workbench.server.embedded")  # uvicorn and FastAPI: the extra
    except ImportError as error:
        return getattr(error, "name", None) or str(error)
    return None


def _demo_dir() -> Path:
    try:
        from workbench.demo import default_demo_dir
    except ImportError:
        return Path(tempfile.mkdtemp(prefix="workbench-demo-"))
    return default_demo_dir()


def _start_demo(app: QApplication, folder: Path) -> Any:
    """The embedded demo vendor (workbench.demo); without it, say so and exit — never an empty
    window that looks like a demo with no data."""
    missing = _demo_missing()
    if missing is not None:
        log.warning("demo asked for, but this installation has none (missing %s)", missing)
        print(DEMO_UNAVAILABLE_TERMINAL, file=sys.stderr)
        QMessageBox.critical(None, f"{APPLICATION} — demo", DEMO_UNAVAILABLE)
        raise SystemExit(EXIT_DEMO_UNAVAILABLE)
    from workbench.demo import prepare_demo
    splash = QLabel("  Starting the demo vendor server and the first sync…  ")
    splash.setWindowFlag(Qt.WindowType.SplashScreen)
    splash.setStyleSheet("font-size: 13pt; padding: 24px; background: #111827; color: white;")
    splash.show()
    app.processEvents()
    try:
        return prepare_demo(folder)
    finally:
        splash.close()


def _stop_demo(environment: Any) -> None:
    if environment is not None:
        environment.stop()
