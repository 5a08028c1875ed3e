"""Background work: reads on a small pool, writes serialised on one worker, results as signals.

The window never waits for the database or the network (DESIGN §6, Anki's taskman). A read is a
plain function that gets its own SQLAlchemy connection in its own thread (`store.reading()`) and
returns plain dicts/tuples; the result reaches the UI thread through a queued signal. A write is a
call into `workbench.services` (its own unit of work) on one single-thread pool, so two edits
never race for SQLite's write lock and always land in the order the rep made them; the `Changes`
it returns go out on `changed`, the one signal the pages and the duplicate index listen to.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from workbench.services.changes import Changes, Done
from workbench.store.db import Store

log = logging.getLogger(__name__)

Callback = Callable[[Any], None]


class _Signals(QObject):
    # Signal(object): results, ids and counts may exceed a 32-bit C int (DESIGN §6).
    done = Signal(object)
    failed = Signal(object)
    progress = Signal(object)


class Task(QRunnable):
    """Runs `fn(*args)` in a pool thread; emits done(result) or failed(exception)."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        super().__init__()
        self.fn, self.args = fn, args
        self.signals = _Signals()  # created in the UI thread: its slots run there
        self.cancel = threading.Event()

    def run(self) -> None:
        try:
            result = self.fn(*self.args)
        except BaseException as error:  # noqa: BLE001 - every failure must reach the UI
            log.debug("background task failed", exc_info=True)
            self._emit(self.signals.failed, error)
        else:
            self._emit(self.signals.done, result)

    def _emit(self, signal: Any, value: Any) -> None:
        try:
            signal.emit(value)
        except RuntimeError:  # the window closed meanwhile: nobody is left to tell
            log.debug("result of a background task dropped: its receiver is gone")


class TaskRunner(QObject):
    """The one place widgets start background work on the store."""

    changed = Signal(object)  # Changes: a write finished; pages and the duplicate index decide
    error = Signal(str)  # a task failed and its caller gave no handler

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.readers = QThreadPool(self)
        self.readers.setMaxThreadCount(2)
        self.writer = QThreadPool(self)
        self.writer.setMaxThreadCount(1)  # serialised writes
        self.long = QThreadPool(self)  # sync and PDF export: long, must not hold up edits
        self.long.setMaxThreadCount(2)
        self._running: set[Task] = set()  # keeps signal objects alive until delivered
        self._closed = False

    def read(self, fn: Callable[[sa.Connection], Any], on_done: Callback,
             on_failed: Callback | None = None) -> Task:
        """`fn(conn)` in a read-only unit of work."""
        def work() -> Any:
            with self.store.reading() as conn:
                return fn(conn)
        return self._start(self.readers, Task(work), on_done, on_failed)

    def write(self, call: Callable[[], Done[Any]], on_done: Callback | None = None,
              on_failed: Callback | None = None, *, long: bool = False) -> Task:
        """A service call (one unit of work) after every write queued before it; `on_done`
        gets its result, `changed` its Changes. `long`: it waits on the network (sign-in),
        so it runs beside the edits instead of holding them up."""
        task = Task(call)

        def finished(done: Done[Any]) -> None:
            if done.changes:
                self.changed.emit(done.changes)
            if on_done is not None:
                on_done(done.result)
        return self._start(self.long if long else self.writer, task, finished, on_failed)

    def announce(self, changes: Changes) -> None:
        """Changes made outside a write task (a sync): tell the same listeners."""
        if changes:
            self.changed.emit(changes)

    def run(self, task: Task, on_done: Callback | None = None,
            on_failed: Callback | None = None) -> Task:
        """A long task (sync, export) that manages its own connections."""
        return self._start(self.long, task, on_done, on_failed)

    def busy(self) -> bool:
        return bool(self._running)

    def running(self) -> int:
        """Tasks started and not yet delivered."""
        return len(self._running)

    def shutdown(self, long_timeout_ms: int = 15_000) -> None:
        """Ask long tasks to stop and wait for the workers: no thread outlives the window.

        Writes and reads always finish (a half-done write is rolled back by SQLite anyway, but a
        Python thread still running while the interpreter shuts down can crash it). A sync stops
        at its next step once cancelled; only an HTTP call stuck in its timeout can outlast the
        bound, and is then logged.
        """
        self._closed = True  # a timer firing after close must not start new work
        for task in list(self._running):
            task.cancel.set()
        self.writer.waitForDone(-1)
        self.readers.waitForDone(-1)
        if not self.long.waitForDone(long_timeout_ms):
            log.warning("a background sync or export was still running at exit")

    def _start(self, pool: QThreadPool, task: Task, on_done: Callback | None,
               on_failed: Callback | None) -> Task:
        if self._closed:
            return task
        self._running.add(task)
        task.setAutoDelete(False)  # Python owns it; freed after its signal is handled
        if on_done is not None:
            task.signals.done.connect(on_done)
        task.signals.failed.connect(on_failed if on_failed is not None else self._report)
        task.signals.done.connect(lambda _r: self._running.discard(task))
        task.signals.failed.connect(lambda _e: self._running.discard(task))
        pool.start(task)
        return task

    def _report(self, error: BaseException) -> None:
        log.error("background task failed: %s", error, exc_info=error)
        self.error.emit(str(error))
