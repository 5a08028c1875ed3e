"""The program's scheduled jobs, run inside the server process (and by `admin run-jobs`).

Each job is a vendor operation from `workbench.server.admin` and is idempotent: run twice, the
second run finds nothing left to do. When several workers share a PostgreSQL database exactly
one runs a given job at a time (a session advisory lock whose key is derived from the database,
schema and job name, so separate programs on one cluster never block each other); on SQLite a
lease row in `job_runs` does the same for several processes.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from workbench.domain.values import format_datetime, utc_now
from workbench.server import admin, audit
from workbench.server.attachments import PARTIAL_UPLOAD_KEPT, file_store
from workbench.server.idempotency import prune_applied_ops
from workbench.server.schema import job_runs

log = logging.getLogger(__name__)
DEFAULT_EVERY = 300  # seconds between runs inside `serve`
LEASE = timedelta(minutes=30)  # a crashed SQLite worker's lease expires after this


@dataclass(frozen=True)
class Job:
    name: str
    title: str
    run: Callable[[sa.Engine, datetime], Any]
    describe: Callable[[Any], str]  # the result as the settings page shows it


def _count(noun: str, verb: str) -> Callable[[Any], str]:
    return lambda ids: f"{len(ids)} {noun}{'' if len(ids) == 1 else 's'} {verb}"


def _flags(counts: dict[str, int]) -> str:
    return (f"{counts['re_engagement']} to re-engage, {counts['offboard_suggested']} "
            f"to consider offboarding")


def _averages(metrics: dict[str, Any]) -> str:
    published = sum(1 for v in metrics.values() if v is not None)
    return (f"{published} figures published, {len(metrics) - published} withheld "
            f"(fewer than 3 partners' data)")


JOBS: tuple[Job, ...] = (
    Job("lapse-registrations", "Lapse registrations whose protection window ended",
        lambda engine, now: admin.expire_registrations(engine, now=now),
        _count("registration", "lapsed")),
    Job("recycle-leads", "Recycle leads past the first-contact SLA and re-assign them",
        lambda engine, now: admin.recycle_leads(engine, now=now), _count("lead", "recycled")),
    Job("flag-inactive-partners", "Flag partners with no registration in 90 / 180 days",
        lambda engine, now: admin.flag_inactive_partners(engine, now=now), _flags),
    Job("close-stale-registrations", "Close registrations expired 30 days with no activity",
        lambda engine, now: admin.close_stale_registrations(engine, now=now),
        _count("registration", "closed")),
    Job("publish-averages", "Publish program averages (from 3 partners' data or more)",
        lambda engine, now: admin.publish_averages(engine, now=now), _averages),
    Job("follow-content-tiers", "Give partners the content library of the tier they are in now",
        lambda engine, now: admin.follow_content_tiers(engine, now=now),
        lambda result: f"{result['added']} document(s) added, {result['withdrawn']} withdrawn"),
    Job("earn-commissions", "Record the commission of won partner deals that have none",
        lambda engine, now: admin.earn_missing_commissions(engine, now=now),
        _count("commission", "recorded")),
    Job("prune-partial-uploads", "Forget file uploads nobody added to for 30 days",
        lambda engine, now: file_store(engine).prune_partials(now, PARTIAL_UPLOAD_KEPT),
        lambda count: f"{count} abandoned upload{'' if count == 1 else 's'} forgotten"),
    Job("prune-push-answers", "Forget push answers older than the 90-day idempotency window",
        prune_applied_ops, lambda count: f"{count} answer{'' if count == 1 else 's'} forgotten"),
)


def run_all(engine: sa.Engine, now: datetime | None = None) -> dict[str, Any]:
    """Run every job once, in order; {job name: summary, or "skipped: …"}."""
    return {job.name: run_job(engine, job, now) for job in JOBS}


def run_job(engine: sa.Engine, job: Job, now: datetime | None = None) -> Any:
    with _exclusive(engine, job.name) as mine:
        if not mine:
            return "skipped: another worker is running it"
        moment = now or utc_now()
        _started(engine, job.name, moment)
        try:
            with audit.acting_as(f"job:{job.name}"):
                result = job.run(engine, moment)
        except Exception as error:  # a failing job must not stop the others or the server
            log.exception("program job %s failed", job.name)
            _finished(engine, job.name, "failed", f"{type(error).__name__}: {error}")
            return f"failed: {error}"
        summary = job.describe(result)
        _finished(engine, job.name, "ok", summary)
        log.info("program job %s: %s", job.name, summary)
        return result


def last_runs(conn: sa.Connection) -> dict[str, dict[str, Any]]:
    return {r["job"]: dict(r) for r in conn.execute(sa.select(job_runs)).mappings()}


# -- one worker at a time -----------------------------------------------------------------------

def lock_key(conn: sa.Connection, job_name: str) -> int:
    """A 63-bit advisory lock key for this database, schema and job."""
    where = conn.execute(sa.text("SELECT current_database() || '.' || current_schema()")
                         ).scalar()
    digest = hashlib.sha256(f"partner-workbench-job|{where}|{job_name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def _exclusive(engine: sa.Engine, job_name: str) -> Iterator[bool]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            key = lock_key(conn, job_name)
            mine = bool(conn.execute(sa.text("SELECT pg_try_advisory_lock(:key)"),
                                     {"key": key}).scalar())
            try:
                yield mine
            finally:
                if mine:
                    conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": key})
        return
    mine = _take_lease(engine, job_name)
    try:
        yield mine
    finally:
        if mine:
            with engine.begin() as conn:
                conn.execute(sa.update(job_runs).where(job_runs.c.job == job_name)
                             .values(lease_until=None))


def _take_lease(engine: sa.Engine, job_name: str) -> bool:
    now = utc_now()
    with engine.begin() as conn:
        _ensure_row(conn, job_name)
        taken = conn.execute(sa.update(job_runs).where(
            job_runs.c.job == job_name,
            sa.or_(job_runs.c.lease_until.is_(None),
                   job_runs.c.lease_until < format_datetime(now)))
            .values(lease_until=format_datetime(now + LEASE)))
        return taken.rowcount == 1


def _ensure_row(conn: sa.Connection, job_name: str) -> None:
    if conn.execute(sa.select(job_runs.c.job).where(job_runs.c.job == job_name)).first() is None:
        conn.execute(sa.insert(job_runs).values(job=job_name, runs=0))


def _started(engine: sa.Engine, job_name: str, moment: datetime) -> None:
    with engine.begin() as conn:
        _ensure_row(conn, job_name)
        conn.execute(sa.update(job_runs).where(job_runs.c.job == job_name).values(
            started_at=format_datetime(utc_now()), status="running"))


def _finished(engine: sa.Engine, job_name: str, status: str, result: str) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(job_runs).where(job_runs.c.job == job_name).values(
            finished_at=format_datetime(utc_now()), status=status, result=result[:2000],
            runs=job_runs.c.runs + 1))


# -- inside `serve` -----------------------------------------------------------------------------

class JobScheduler:
    """Runs every job each `every` seconds in a daemon thread until stopped."""

    def __init__(self, engine: sa.Engine, every: float) -> None:
        self.engine, self.every = engine, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="program-jobs", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            try:
                run_all(self.engine)
            except Exception:  # the database may be briefly away; try again next round
                log.exception("program jobs could not run")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=60)
