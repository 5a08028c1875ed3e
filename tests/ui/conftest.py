"""UI test set-up: offscreen Qt, a window over a real store, and a guard against leaked threads/timers.

The guard (napari's idea) fails any test that leaves a QTimer running or a worker thread busy
after its window closed: such leaks make later tests flaky and the app hang on exit.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QSettings, QThread, QTimer
from PySide6.QtWidgets import QApplication

from workbench.store.db import Store
from workbench.ui import tasks as tasks_module
from workbench.ui.app import application, create_window
from workbench.ui.main_window import MainWindow
from workbench.ui.sample_data import fill_sample

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def qt_leak_guard(monkeypatch: pytest.MonkeyPatch, qapp: QApplication) -> Iterator[None]:
    timers: weakref.WeakSet = weakref.WeakSet()
    qthreads: weakref.WeakSet = weakref.WeakSet()
    runners: weakref.WeakSet = weakref.WeakSet()
    timer_start, thread_start = QTimer.start, QThread.start
    runner_init = tasks_module.TaskRunner.__init__

    def track_timer(self: QTimer, *args: Any) -> None:
        timers.add(self)
        timer_start(self, *args)

    def track_thread(self: QThread, *args: Any) -> None:
        qthreads.add(self)
        thread_start(self, *args)

    def track_runner(self: Any, *args: Any, **kwargs: Any) -> None:
        runner_init(self, *args, **kwargs)
        runners.add(self)

    monkeypatch.setattr(QTimer, "start", track_timer)
    monkeypatch.setattr(QThread, "start", track_thread)
    monkeypatch.setattr(tasks_module.TaskRunner, "__init__", track_runner)
    python_threads = set(threading.enumerate())
    yield
    qapp.processEvents()
    problems = []
    problems += [f"QTimer still active (interval {t.interval()} ms, parent {type(t.parent()).__name__})"
                 for t in list(timers) if shiboken6.isValid(t) and t.isActive()]
    problems += ["QThread still running" for t in list(qthreads) if shiboken6.isValid(t) and t.isRunning()]
    for runner in list(runners):
        if not shiboken6.isValid(runner):
            continue
        for pool in (runner.readers, runner.writer, runner.long):
            if shiboken6.isValid(pool) and pool.activeThreadCount():
                problems.append(f"{pool.activeThreadCount()} background task(s) still running")
    leaked = [t for t in threading.enumerate() if t not in python_threads and t.is_alive()
              and not t.daemon and not isinstance(t, threading._DummyThread)]
    problems += [f"Python thread {t.name} still running" for t in leaked]
    if problems:
        pytest.fail("test leaked: " + "; ".join(problems))


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def sample(store: Store) -> dict[str, Any]:
    return fill_sample(store)


@pytest.fixture
def make_window(qapp: QApplication, qtbot: Any, store: Store, settings: QSettings,
                qt_leak_guard: None) -> Iterator[Callable[..., MainWindow]]:
    application()  # our style sheet and font on pytest-qt's QApplication
    opened: list[MainWindow] = []

    def make(start: bool = True, resize: bool = True) -> MainWindow:
        window = create_window(store, settings)
        if resize:  # the smallest laptop screen we must be readable on
            window.resize(1366, 768)
        window.show()
        window.activateWindow()  # keyboard shortcuts go to the active window
        qtbot.waitUntil(window.isActiveWindow, timeout=3000)
        if start:
            window.start()
        opened.append(window)
        return window

    yield make
    for window in opened:
        if shiboken6.isValid(window):
            window.close()
            window.deleteLater()
    qapp.processEvents()


@pytest.fixture
def window(make_window: Callable[..., MainWindow], sample: dict[str, Any]) -> MainWindow:
    return make_window()

