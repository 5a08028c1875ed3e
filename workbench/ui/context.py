"""What every view gets: the store, the task runner, settings, and hooks into the main window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from PySide6.QtCore import QByteArray, QObject, QSettings, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from workbench.domain.matching import Candidate, DuplicateIndex
from workbench.services.changes import Changes
from workbench.store import duplicates
from workbench.store.db import Store
from workbench.ui.tasks import TaskRunner

T = TypeVar("T")


# QSettings answers `object`: these say what a setting holds, with the default when unset.
def setting_int(settings: QSettings, key: str, default: int) -> int:
    value = settings.value(key, default, type=int)
    return value if isinstance(value, int) else default


def setting_text(settings: QSettings, key: str, default: str = "") -> str:
    value = settings.value(key, default, type=str)
    return value if isinstance(value, str) else default


def setting_bytes(settings: QSettings, key: str) -> QByteArray:
    value = settings.value(key, QByteArray(), type=QByteArray)
    return value if isinstance(value, QByteArray) else QByteArray()

# Record types the duplicate check looks at (store/duplicates.py).
MATCHED = ("accounts", "registrations")


class DuplicateCache(QObject):
    """The local duplicate index, built once in the background and kept current from Changes.

    Building it over 100k records takes seconds (README: 0.4 s load + 2.6 s build), a check takes
    milliseconds: so the window builds it off the UI thread and then follows what changes — the
    records a local edit touched are read again (a new account, a withdrawn registration), and
    a sync that may have changed any of them rebuilds it in the background.
    """

    ready = Signal()

    def __init__(self, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.index: DuplicateIndex | None = None
        self._building = False
        self._stale = False
        self._queued: set[str] = set()  # touched ids waiting to be read again
        self._reading = False

    @property
    def building(self) -> bool:
        """The index is being (re)built in the background."""
        return self._building

    def ensure(self) -> None:
        if self._building or (self.index is not None and not self._stale):
            return
        self._building, self._stale = True, False
        self.tasks.read(lambda conn: duplicates.build_index(conn), self._built, self._failed)

    def mark_stale(self) -> None:
        """Any record may have changed: rebuild in the background, keep checking with the old."""
        self._stale = True
        if self.index is not None:
            self.ensure()

    def apply(self, changes: Changes) -> None:
        """Follow a unit of work: re-read the records it touched, or rebuild after a bulk one."""
        if not changes.touches(MATCHED):
            return
        ids: set[str] = set()
        for entity_name in MATCHED:
            touched = changes.ids(entity_name)
            if touched is None:
                self.mark_stale()
                return
            ids |= touched
        if self._building:
            self._stale = True  # the index being built may have been read before this change
            return
        if self.index is not None:
            self._queued |= ids
            self._refresh()

    def _refresh(self) -> None:
        """One re-read at a time, in order: a later edit's answer never lands before an
        earlier one's."""
        if self._reading or not self._queued:
            return
        wanted, self._queued, self._reading = frozenset(self._queued), set(), True
        self.tasks.read(lambda conn: duplicates.load_candidates(conn, ids=wanted),
                        lambda found: self._replace(wanted, found), self._failed)

    def _replace(self, ids: frozenset[str], found: list[Candidate]) -> None:
        self._reading = False
        if self.index is not None:
            for candidate_id in ids:  # gone, or no longer active (a withdrawn registration)
                self.index.remove(candidate_id)
            for candidate in found:
                self.index.add(candidate)
            self.ready.emit()
        self._refresh()

    def _built(self, index: DuplicateIndex) -> None:
        self.index, self._building = index, False
        self.ready.emit()
        if self._stale:
            self.ensure()

    def _failed(self, error: BaseException) -> None:
        self._building = self._reading = False
        self.tasks.error.emit(f"duplicate check unavailable: {error}")


class Context(QObject):
    """Shared by the views; the main window fills in the navigation hooks."""

    # Changes: a local write or a sync finished. The one signal every page and the duplicate
    # index follow, each deciding for itself whether what it shows is affected.
    changed = Signal(object)

    def __init__(self, store: Store, settings: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.settings = settings
        self.tasks = TaskRunner(store, self)
        self.duplicates = DuplicateCache(self.tasks, self)
        self.window: Any = None  # the MainWindow, set by it
        self.last_error = ""
        self.tasks.changed.connect(self.changed.emit)
        self.changed.connect(self.duplicates.apply)

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
