"""Sync in the background: on demand (Ctrl+S/F5), every N minutes, and when the server is back.

The sync engine (workbench.sync.engine) does the work in a pool thread with its own connections
and its own HTTP session; this object only decides *when*, carries progress and the outcome to
the UI thread as signals, and watches whether the server answers (online/offline).
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from workbench.services import syncing
from workbench.services.changes import Changes, Done
from workbench.store import records
from workbench.sync.client import SyncClient
from workbench.ui.context import Context, setting_int
from workbench.ui.tasks import Task

log = logging.getLogger(__name__)

PROBE_INTERVAL_MS = 30_000  # how often "are we online?" is asked while idle
DEFAULT_INTERVAL_MIN = 15
# A sync that failed before it could say what it did: the queue and the sync state may have moved.
SYNC_STATE = Changes(outbox=True, conflicts=True, account=True)

# Why a sync stopped, in the window's words: the sync package's own messages are written for the
# command line too ("run `workbench login` first"); the window has a Sign in form for that.
DESKTOP_MESSAGES = {
    "not_signed_in": "Not signed in: sign in to your vendor's server to sync (F5). Everything "
                     "you do is kept on this computer until then.",
    "unauthorized": "The vendor's server no longer accepts your access token (revoked or "
                    "expired): sign in again with a new token (F5).",
    "wrong_partner": "This data folder holds another partner's or another server's records. "
                     "Choose a new data folder in Settings (Ctrl+,), restart the workbench, "
                     "then sign in.",
}
# A manual sync that stops for these opens the Sign in form, which says why.
SIGN_IN_REASONS = {
    "not_signed_in": "Your access token is not on this computer any more (it had no keyring to "
                     "keep it, or it was removed): sign in again to sync.",
    "unauthorized": "The vendor's server no longer accepts your access token (revoked or "
                    "expired): sign in with a new token from your partner portal.",
}


def desktop_message(error: BaseException) -> str:
    """What went wrong, for the window: never a command to type."""
    reason = getattr(error, "reason", "")
    if reason in DESKTOP_MESSAGES:
        return DESKTOP_MESSAGES[reason]
    text = getattr(error, "message", None) or str(error) or type(error).__name__
    return text[:1].upper() + text[1:]



class SyncController(QObject):
    started = Signal()
    progress = Signal(str)
    finished = Signal(object)  # {"ok": bool, "message": str, "summary": dict | None}
    online_changed = Signal(object)  # True / False / None (unknown: not signed in)

    def __init__(self, ctx: Context, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.online: bool | None = None
        self.task: Task | None = None
        self.trigger = ""  # what started the running or last sync: "manual", "auto" …
        self._probing = False
        self.auto = QTimer(self)
        self.auto.timeout.connect(lambda: self.sync_now("auto"))
        self.probe = QTimer(self)
        self.probe.setInterval(PROBE_INTERVAL_MS)
        self.probe.timeout.connect(self.check_online)

    @property
    def running(self) -> bool:
        return self.task is not None

    def start(self) -> None:
        """Begin the timers (called once the window is up)."""
        self.apply_settings()
        self.probe.start()
        self.check_online()

    def stop(self) -> None:
        self.auto.stop()
        self.probe.stop()
        if self.task is not None:
            self.task.cancel.set()

    def apply_settings(self) -> None:
        minutes = setting_int(self.ctx.settings, "sync/interval_minutes", DEFAULT_INTERVAL_MIN)
        if minutes > 0:
            self.auto.start(minutes * 60_000)
        else:
            self.auto.stop()

    # --- sync ------------------------------------------------------------------------------

    def signed_in(self) -> bool:
        """Someone signed in to this data folder (the token may still be missing)."""
        server, active = self.ctx.read_now(lambda c: (records.get_state(c, "server_url"),
                                                      records.get_state(c, "signed_in", False)))
        return bool(server and active)

    def sync_now(self, reason: str = "manual") -> bool:
        """Start a sync unless one runs; False when it could not start.

        Automatic syncs (timer, back online) wait silently while nobody is signed in.
        """
        if self.task is not None:
            return False
        if reason != "manual" and not self.signed_in():
            return False
        task = Task(lambda: self._work(task))
        task.signals.progress.connect(self.progress.emit)
        self.task = task
        self.trigger = reason
        log.info("sync started (%s)", reason)
        self.started.emit()
        self.ctx.tasks.run(task, self._done, self._failed)
        return True

    def _work(self, task: Task) -> Done[dict[str, Any]]:
        """In the pool thread: the sync service (client from the keyring), plain dict back."""
        done = syncing.sync(self.ctx.store, connect_timeout=5, read_timeout=60,
                            progress=lambda p: task.signals.progress.emit(p.message),
                            cancel=task.cancel.is_set)
        return Done(done.result.to_json(), done.changes)

    def _done(self, done: Done[dict[str, Any]]) -> None:
        self.task = None
        summary = done.result
        self._set_online(True)
        parts = [f"sent {summary['pushed']}", f"received {summary['pulled']}"]
        if summary["rejected"]:
            parts.append(f"{len(summary['rejected'])} rejected")
        if summary.get("uploaded"):
            parts.append(f"{summary['uploaded']} file(s) sent")
        if summary.get("upload_problems"):
            parts.append(f"{len(summary['upload_problems'])} file(s) refused: "
                         + "; ".join(summary["upload_problems"]))
        conflicts = summary["open_conflicts"]
        if conflicts:
            parts.append(f"{conflicts} conflict{'' if conflicts == 1 else 's'} to resolve")
        self.finished.emit({"ok": True, "message": "Synced: " + ", ".join(parts), "summary": summary})
        self.ctx.tasks.announce(done.changes)

    def _failed(self, error: BaseException) -> None:
        self.task = None
        reason = getattr(error, "reason", "")
        if reason == "unreachable":
            self._set_online(False)
        message = desktop_message(error)
        log.warning("sync failed: %s", message)
        self.finished.emit({"ok": False, "message": f"Sync failed: {message}",
                            "summary": None, "reason": reason, "trigger": self.trigger})
        # what was done before the failure is kept and shown
        self.ctx.tasks.announce(getattr(error, "changes", None) or SYNC_STATE)

    # --- online / offline -------------------------------------------------------------------

    def check_online(self) -> None:
        if self._probing or self.task is not None:
            return
        server = self.ctx.read_now(lambda c: (records.get_state(c, "server_url"),
                                              records.get_state(c, "signed_in", False)))
        if not server[0] or not server[1]:
            self._set_online(None)
            return
        self._probing = True

        def probe() -> bool:
            client = SyncClient(server[0], "", connect_timeout=3, read_timeout=5, retries=0)
            try:
                client.health()
                return True
            except Exception:  # noqa: BLE001 - any failure means "not reachable now"
                return False
            finally:
                client.close()
        self.ctx.tasks.run(Task(probe), self._probed, lambda _e: self._probed(False))

    def _probed(self, online: bool) -> None:
        self._probing = False
        was = self.online
        self._set_online(online)
        if online and was is False:
            self.sync_now("reconnected")  # back online: send what waited

    def _set_online(self, online: bool | None) -> None:
        if online != self.online:
            self.online = online
            self.online_changed.emit(online)
