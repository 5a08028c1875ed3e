"""One sync: push the outbox in batches, then pull every page. The API the UI and the CLI call.

    summary = sync(store, client, progress=callback, cancel=event.is_set)

Crash safety, step by step (each step is one local transaction; a kill between any two leaves a
state the next sync continues from):

1. build the next batch and store it as "in flight" (outbox.py);
2. POST it (retried with the same op ids; the server applies each op id once);
3. record the results, rebase later edits and clear "in flight";
4. repeat until nothing is pending; then for each pull page: apply it and store the cursor.

A failure raises a `SyncError` (with `.summary` holding what was done before it) and leaves the
local data consistent; a malformed answer is detected before anything is written.
"""

from __future__ import annotations

import logging
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from workbench.domain.values import now_text
from workbench.store.db import Store, StoreError, StoreFull
from workbench.store.records import get_state, pending_count, set_state
from workbench.store.schema import conflicts, sync_log
from workbench.sync import apply, files, outbox
from workbench.sync.errors import (
    BadAnswer,
    BatchInFlight,
    Cancelled,
    LocalStoreFailed,
    ServerFailed,
    SyncBusy,
    SyncError,
)
from workbench.sync.protocol import MAX_OPS_PER_PUSH, MAX_PULL_LIMIT, Operation, OpResult

if TYPE_CHECKING:  # requests loads with the client: `workbench status` reads this module too
    from workbench.sync.client import SyncClient

log = logging.getLogger(__name__)

CURSOR_KEY = "pull_cursor"
LAST_SYNC_KEY = "last_sync"
LAST_SUCCESS_KEY = "last_successful_sync_at"
MAX_PUSH_ROUNDS = 1000  # a safety net; every round closes at least one outbox row
PREFETCH_PAGES = 4  # pulled pages waiting to be written (bounds memory: ~1 MB per page)
MAX_PAGES_PER_WRITE = 4  # waiting pages written together, in one local transaction
_NOTHING = object()


@dataclass(frozen=True)
class Progress:
    phase: str  # "push" | "pull"
    done: int  # outbox rows settled / records pulled so far
    total: int | None  # rows pending when the push began; None while pulling (unknown)
    message: str


@dataclass
class SyncSummary:
    pushed: int = 0  # operations sent (coalesced edits count once)
    applied: int = 0
    rejected: list[apply.Rejection] = field(default_factory=list)
    merged: int = 0  # operations answered "conflict": merged, re-queued and/or stored conflicts
    conflicts: int = 0  # fields that became stored conflicts in this sync
    open_conflicts: int = 0  # all unresolved conflicts after this sync
    requeued: int = 0
    uploaded: int = 0  # attachment files the server now has
    cached: int = 0  # content library files fetched for offline use
    upload_problems: list[str] = field(default_factory=list)
    pulled: int = 0
    duration: float = 0.0
    outcome: str = "running"  # ok | failed | cancelled
    message: str | None = None
    reason: str | None = None  # machine-readable failure reason (SyncError.reason)

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"

    def to_json(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "pushed": self.pushed, "applied": self.applied,
                "rejected": [r.to_json() for r in self.rejected], "merged": self.merged,
                "conflicts": self.conflicts,
                "open_conflicts": self.open_conflicts, "requeued": self.requeued,
                "uploaded": self.uploaded, "upload_problems": self.upload_problems,
                "cached": self.cached,
                "pulled": self.pulled, "duration": round(self.duration, 3),
                "message": self.message, "reason": self.reason}


ProgressCallback = Callable[[Progress], None]
CancelCheck = Callable[[], bool]


def sync(store: Store, client: SyncClient, *, progress: ProgressCallback | None = None,
         cancel: CancelCheck | None = None, page_size: int = MAX_PULL_LIMIT,
         batch_size: int = MAX_OPS_PER_PUSH) -> SyncSummary:
    """Push pending edits, then pull the server's changes. Raises SyncError on failure."""
    started = time.perf_counter()
    summary = SyncSummary()
    with sync_lock(store.data_dir):
        log_id = None
        try:
            try:
                log_id = _start_log(store)
                _push_all(store, client, summary, progress, cancel, batch_size)
                _upload_files(store, client, summary, progress, cancel)
                _count_login(store, client)  # before the pull, which brings the event back
                _pull_all(store, client, summary, progress, cancel, page_size)
                _cache_content(store, client, summary, cancel)
            except StoreError as error:  # this computer's disk, not the server or the network
                raise _local_failure(error) from error
            summary.outcome = "ok"
        except SyncError as error:
            summary.outcome = "cancelled" if isinstance(error, Cancelled) else "failed"
            summary.message, summary.reason = error.message, error.reason
            error.summary = summary
            raise
        except Exception as error:  # a bug or a local disk problem: still log the attempt
            log.exception("sync failed unexpectedly")
            summary.outcome, summary.reason = "failed", "internal"
            summary.message = f"sync failed unexpectedly ({type(error).__name__}); see the log"
            raise
        finally:
            summary.duration = time.perf_counter() - started
            _finish_log(store, log_id, summary)
    return summary


def _local_failure(error: StoreError) -> LocalStoreFailed:
    reason = "disk_full" if isinstance(error, StoreFull) else None
    return LocalStoreFailed(f"sync could not finish: {error}. What was sent and received before "
                            "is kept; the next sync continues from there", reason)


def _check(cancel: CancelCheck | None) -> None:
    if cancel is not None and cancel():
        raise Cancelled("sync cancelled; what was already sent or received is kept")


def _report(progress: ProgressCallback | None, *args: Any) -> None:
    if progress is not None:
        progress(Progress(*args))


# --- push ---------------------------------------------------------------------------------------

def _push_all(store: Store, client: SyncClient, summary: SyncSummary,
              progress: ProgressCallback | None, cancel: CancelCheck | None,
              batch_size: int) -> None:
    with store.reading() as conn:
        total = pending_count(conn)
    done = 0
    for _ in range(MAX_PUSH_ROUNDS):
        _check(cancel)
        with store.transaction() as conn:
            batch = outbox.next_batch(conn, max_ops=batch_size)
            _refuse_another_users_batch(conn, batch)
            cursor = get_state(conn, CURSOR_KEY)
        done += batch.settled
        if not batch.ops:
            return
        _report(progress, "push", done, total, f"sending {len(batch.ops)} change(s)")
        result = _send(store, client, batch, cursor)
        if result is None:
            continue  # someone else (another window) recorded these answers meanwhile
        summary.pushed += len(batch.ops)
        summary.applied += result.applied
        summary.rejected += result.rejected
        summary.merged += result.conflicted
        summary.conflicts += result.new_conflicts
        summary.requeued += result.requeued
        done += result.rows_closed
        _report(progress, "push", done, total, f"sent {summary.pushed} change(s)")


def _upload_files(store: Store, client: SyncClient, summary: SyncSummary,
                  progress: ProgressCallback | None, cancel: CancelCheck | None) -> None:
    """The bytes of attachments pushed now or before (sync/files.py); resumable."""
    if not files.pending_uploads(store):
        return
    _report(progress, "push", 0, None, "sending attached files")
    outcome = files.upload_pending(store, client, lambda: _check(cancel))
    summary.uploaded += outcome.uploaded
    summary.upload_problems += outcome.problems


LOGIN_DAY_KEY = "login_recorded_on"


def _cache_content(store: Store, client: SyncClient, summary: SyncSummary,
                   cancel: CancelCheck | None) -> None:
    """The content library's files, for offline use; a failure leaves them for the next sync
    (or the open) and never fails a sync that has done its work."""
    try:
        summary.cached += files.cache_content(store, client, lambda: _check(cancel))
    except SyncError as error:
        if isinstance(error, Cancelled):
            raise
        log.warning("content library files not cached: %s", error.message)


def _count_login(store: Store, client: SyncClient) -> None:
    """The day's first sync counts as a portal login (seed 003 engagement score: logins × 1).
    Asked before the pull, so the event comes back in the same sync; a failure only logs."""
    today = now_text()[:10]
    with store.reading() as conn:
        recorded = get_state(conn, LOGIN_DAY_KEY)
    if recorded == today:
        return
    try:
        client.record_session()
    except ServerFailed as error:
        if error.status != 404:  # a server without the endpoint: nothing to count
            log.warning("sync not counted as a login: %s", error.message)
        return
    except SyncError as error:
        log.warning("sync not counted as a login: %s", error.message)
        return
    with store.transaction() as conn:
        set_state(conn, LOGIN_DAY_KEY, today)


def _send(store: Store, client: SyncClient, batch: outbox.Batch, cursor: str | None = None
          ) -> apply.PushOutcome | None:
    """POST a batch and record its results; None when they were recorded by someone else.

    With the pull cursor sent along, the server may answer it moved past the batch's writes
    (when the results are all a pull would bring for them): stored with the results, in their
    transaction, so the pull that follows does not fetch back the records just pushed."""
    results, moved = _push_split(client, batch.operations(), cursor)
    fetched = _fetch_rejected(client, batch, results)
    with store.transaction() as conn:
        if outbox.in_flight_op_ids(conn) != [op.op_id for op in batch.operations()]:
            return None
        result = apply.apply_results(conn, batch, results, fetched)
        outbox.clear_in_flight(conn)
        if moved is not None and get_state(conn, CURSOR_KEY) == cursor:
            set_state(conn, CURSOR_KEY, moved)
    return result


def _refuse_another_users_batch(conn: sa.Connection, batch: outbox.Batch) -> None:
    signed_in = get_state(conn, "user_id")
    if batch.resent and batch.user_id and signed_in and batch.user_id != signed_in:
        raise BatchInFlight(f"{len(batch.ops)} change(s) sent by another user of this "
                            "workbench still await the vendor server's answer; sign in as that "
                            "user and sync to finish them")


def finish_in_flight(store: Store, client: SyncClient) -> int:
    """Send the batch in flight (if any) again with its op ids and record its results: what a
    sign-in as another user needs first. Returns how many ops it held. Raises SyncError."""
    with sync_lock(store.data_dir):
        with store.reading() as conn:
            batch = outbox.load_in_flight(conn)
        if batch is None:
            return 0
        _send(store, client, batch)
        return len(batch.ops)


def push_ops(client: SyncClient, ops: list[Operation]) -> list[OpResult]:
    """POST the ops; when the server refuses the whole request as malformed or too large,
    split it to find the offending op and record that one as rejected locally (the refused
    request applied nothing, so the op id was never used)."""
    return _push_split(client, ops, None)[0]


def _push_split(client: SyncClient, ops: list[Operation], cursor: str | None
                ) -> tuple[list[OpResult], str | None]:
    """`push_ops`, sending `cursor` with the whole batch: (results, the cursor moved or None).
    The halves of a split batch go without it (the pull that follows fetches their records)."""
    try:
        if cursor is None:
            return client.push(ops), None
        answer = client.push_with_cursor(ops, cursor)
        return answer.results, answer.cursor
    except ServerFailed as error:
        if error.status not in (413, 422):
            raise
        if len(ops) > 1:
            middle = len(ops) // 2
            return push_ops(client, ops[:middle]) + push_ops(client, ops[middle:]), None
        log.warning("the server refused op %s: %s", ops[0].op_id, error.message)
        return [OpResult(ops[0].op_id, "rejected", reason=error.message, field=error.field)], None


def _fetch_rejected(client: SyncClient, batch: outbox.Batch, results: list[OpResult]
                    ) -> dict[tuple[str, str], Any]:
    """The server's current record for each rejected op, to put the local row back to it."""
    fetched: dict[tuple[str, str], Any] = {}
    for bop, result in zip(batch.ops, results, strict=True):
        if result.status == "rejected" and result.record is None and bop.key not in fetched:
            record = client.fetch_record(*bop.key)
            fetched[bop.key] = apply.NOT_FOUND if record is None else record
    return fetched


# --- pull ---------------------------------------------------------------------------------------

def _pull_all(store: Store, client: SyncClient, summary: SyncSummary,
              progress: ProgressCallback | None, cancel: CancelCheck | None,
              page_size: int) -> None:
    """Pull every page; a page and its cursor commit in one local transaction (pages that
    were already waiting go in the same transaction, with the last one's cursor).

    A fetcher thread asks for page after page (the cursor comes with each page) into a small
    queue while this thread writes them, so the server and the local disk work at the same
    time. Only this thread touches the store. A fetch error reaches us after the pages before
    it were written, exactly as if the pages had been fetched one by one.
    """
    from workbench.sync.client import parse_changes
    with store.reading() as conn:
        cursor = get_state(conn, CURSOR_KEY)
    pages: queue.Queue = queue.Queue(maxsize=PREFETCH_PAGES)
    stop = threading.Event()
    fetcher = threading.Thread(target=_fetch_pages, name="sync-pull", daemon=True,
                               args=(client, cursor, page_size, pages, stop))
    fetcher.start()
    try:
        while True:
            item = pages.get()
            if isinstance(item, BaseException):
                raise item
            if item is None:
                return
            # Pages already waiting are written with this one, in one transaction (a commit
            # per page is a good part of a bulk pull's time); the last page's cursor goes with
            # them. What stops the fetcher is raised after the pages before it are written.
            batch: list[Any] = [item]
            after: Any = _NOTHING
            while len(batch) < MAX_PAGES_PER_WRITE and after is _NOTHING:
                try:
                    more = pages.get_nowait()
                except queue.Empty:
                    break
                if more is None or isinstance(more, BaseException):
                    after = more  # the end, or what stopped the fetcher
                else:
                    batch.append(more)
            checked = []
            for number, page in enumerate(batch):  # each page checked before it is written
                try:
                    checked.append(parse_changes(page.changes))
                except BadAnswer as error:  # the pages before it are written, as one by one
                    batch, after = batch[:number], error
                    break
            if not batch:
                raise after
            _check(cancel)
            with store.transaction() as conn:
                for changes in checked:
                    apply.apply_changes(conn, changes)
                set_state(conn, CURSOR_KEY, batch[-1].cursor)
            summary.pulled += sum(len(changes) for changes in checked)
            _report(progress, "pull", summary.pulled, None,
                    f"received {summary.pulled} record(s)")
            if isinstance(after, BaseException):
                raise after
            if after is None:
                return
    finally:
        stop.set()  # on error or cancel the fetcher stops after its current request


def _fetch_pages(client: SyncClient, cursor: str | None, page_size: int, pages: queue.Queue,
                 stop: threading.Event) -> None:
    """Fetcher thread: pages, then None at the end, or the exception that stopped it."""
    try:
        while not stop.is_set():
            page = client.pull_raw(cursor, page_size)
            if not _offer(pages, page, stop):
                return
            if not page.has_more or (not page.changes and page.cursor == cursor):
                _offer(pages, None, stop)
                return
            cursor = page.cursor
    except BaseException as error:  # handed to the writing thread, which raises it
        _offer(pages, error, stop)
    finally:
        client.release_thread()


def _offer(pages: queue.Queue, item: Any, stop: threading.Event) -> bool:
    while not stop.is_set():
        try:
            pages.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


# --- log and lock -------------------------------------------------------------------------------

def _start_log(store: Store) -> int:
    with store.transaction() as conn:
        inserted = conn.execute(sa.insert(sync_log).values(started_at=now_text()))
        key = inserted.inserted_primary_key
        assert key is not None, "sync_log has an integer primary key"
        return int(key[0])


def _finish_log(store: Store, log_id: int | None, summary: SyncSummary) -> None:
    if log_id is None:
        return
    try:
        _write_finish(store, log_id, summary)
    except StoreError as error:  # e.g. still no space: the answer, not the log, matters now
        log.warning("could not record the end of the sync: %s", error)


def _write_finish(store: Store, log_id: int, summary: SyncSummary) -> None:
    now = now_text()
    with store.transaction() as conn:
        summary.open_conflicts = conn.execute(sa.select(sa.func.count()).select_from(conflicts)
                                              .where(conflicts.c.resolved_at.is_(None))).scalar_one()
        conn.execute(sa.update(sync_log).where(sync_log.c.id == log_id).values(
            finished_at=now, outcome=summary.outcome, pushed=summary.pushed,
            pulled=summary.pulled, rejected=len(summary.rejected), conflicts=summary.conflicts,
            message=summary.message))
        set_state(conn, LAST_SYNC_KEY, {"at": now, **summary.to_json()})
        if summary.ok:
            set_state(conn, LAST_SUCCESS_KEY, now)


@contextmanager
def sync_lock(data_dir: Path) -> Iterator[None]:
    """One sync per data folder at a time. An OS file lock: released even on SIGKILL."""
    path = Path(data_dir) / "sync.lock"
    handle = open(path, "a+b")
    try:
        if not _try_lock(handle):
            raise SyncBusy("another sync of this data folder is running; try again when it ends")
        yield
    finally:
        handle.close()  # closing releases the lock


def _try_lock(handle: Any) -> bool:
    if sys.platform == "win32":
        import msvcrt
        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    import fcntl
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False
