"""What every view gets: the store, the task runner, settings, and hooks into the main window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from workbench.domain.matching import Candidate, DuplicateIndex
from workbench.store import duplicates
from workbench.store.db import Store
from workbench.ui.tasks import TaskRunner

T = TypeVar("T")


class DuplicateCache(QObject):
    """The local duplicate index, built once in the background and kept current.

    Building it over 100k records takes seconds (README: 0.4 s load + 2.6 s build), a check takes
    milliseconds: so the window builds it off the UI thread, adds what the rep creates, and
    rebuilds after a sync brought new records.
    """

    ready = Signal()

    def __init__(self, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.index: DuplicateIndex | None = None
        self._building = False
        self._stale = False

    def ensure(self) -> None:
        if self._building or (self.index is not None and not self._stale):
            return
        self._building, self._stale = True, False
        self.tasks.read(lambda conn: duplicates.build_index(conn), self._built, self._failed)

    def mark_stale(self) -> None:
        """New records arrived (sync): rebuild in the background, keep checking with the old one."""
        self._stale = True
        if self.index is not None:
            self.ensure()

    def add(self, candidate: Candidate) -> None:
        if self.index is not None:
            self.index.add(candidate)

    def _built(self, index: DuplicateIndex) -> None:
        self.index, self._building = index, False
        self.ready.emit()
        if self._stale:
            self.ensure()

    def _failed(self, error: BaseException) -> None:
        self._building = False
        self.tasks.error.emit(f"duplicate check unavailable: {error}")


class Context(QObject):
    """Shared by the views; the main window fills in the navigation hooks."""

    data_changed = Signal()  # local write or sync finished: refresh what is shown

    def __init__(self, store: Store, settings: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.settings = settings
        self.tasks = TaskRunner(store, self)
        self.duplicates = DuplicateCache(self.tasks, self)
        self.window: Any = None  # the MainWindow, set by it
        self.last_error = ""
        self.tasks.wrote.connect(self.data_changed.emit)

    def now(self) -> datetime:
        """The window's one clock: every "3 min ago" on screen is computed from it."""
        return datetime.now(UTC)

    def read_now(self, fn: Callable[[sa.Connection], T]) -> T:
        """A short indexed read on the UI thread (one record by id, a page of rows).

        Anything that scans or counts a big table goes through `tasks.read` instead.
        """
        with self.store.reading() as conn:
            return fn(conn)

    def fail(self, parent: QWidget | None, error: BaseException | str, title: str = "Not done") -> None:
        """Tell the rep what went wrong, in their words (InvalidValue names the field)."""
        # Non-modal (open, not exec): a message never stalls the event loop or a test.
        box = QMessageBox(QMessageBox.Icon.Warning, title, str(error), QMessageBox.StandardButton.Ok,
                          parent or self.window)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setAccessibleName(title)
        box.open()
        self.last_error = str(error)

    def navigate(self, page: str, record_id: str | None = None) -> None:
        if self.window is not None:
            self.window.show_page(page, record_id)
