"""Crash safety: run `workbench sync` in a subprocess and SIGKILL it at random points.

Used by tests/sync/test_crash_safety.py (CI, >= 20 kills) and scripts/sync_kill_soak.py (longer
runs). No pytest here. Between kills the parent keeps editing (creates, edits of the same fields
again, contacts under new accounts) and the vendor keeps changing things (new leads, region
changes of accounts), some of it while the killed sync is running. Afterwards one normal sync
must converge: the server and the data folder hold the same records, every local edit's last
value is on the server, nothing is pending, rejected or in conflict, and no record was created
twice.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tests.sync.helpers import CLI, ROOT, diff, local_snapshot, run_cli, server_snapshot, \
    subprocess_env
from workbench.server import admin
from workbench.store import records
from workbench.store.db import open_store
from workbench.store.schema import conflicts, outbox, sync_log


@dataclass
class KillReport:
    rounds: int = 0
    kills: int = 0
    kills_mid_sync: int = 0  # the sync had started (its sync_log row was never finished)
    completed_syncs: int = 0
    creates: int = 0
    edits: int = 0


def kill_soak(engine: sa.Engine, server_url: str, partner_id: str, token: str, workdir: Path, *,
              kills: int = 20, seed: int = 0, max_delay: float | None = None,
              log: Callable[[str], None] = lambda _: None) -> KillReport:
    rng = random.Random(seed)
    env = subprocess_env(workdir / "keyring.json")
    data = workdir / "rep"
    done = run_cli(["--data-dir", str(data), "login", "--server", server_url, "--token-stdin"],
                   env, stdin=token + "\n")
    assert done.returncode == 0, done.stderr
    store = open_store(data)
    expected: dict[tuple[str, str, str], Any] = {}  # (entity, id, field) -> last local value
    report = KillReport()
    try:
        sync_time = _calibrate(data, env)
        log(f"a small sync takes {sync_time:.2f} s")
        while report.kills < kills:
            report.rounds += 1
            _edit(store, rng, expected, report, count=rng.randint(20, 60))
            _vendor_edits(engine, partner_id, store, rng)
            started = _sync_count(store)
            process = subprocess.Popen([*CLI, "--data-dir", str(data), "sync", "--json",
                                        "--batch-size", "15", "--page-size", "40"],
                                       env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
            if rng.random() < 0.2:  # now and then during start-up, before any sync step
                time.sleep(rng.uniform(0.0, 0.5))
            else:  # mostly somewhere inside the sync itself
                _wait_for_sync_start(store, started, process)
                _edit(store, rng, expected, report, count=rng.randint(0, 3))  # while it runs
                time.sleep(rng.uniform(0.0, max_delay or sync_time))
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                report.kills += 1
            else:
                report.completed_syncs += 1
            process.wait()
            if report.rounds > kills * 4:
                raise AssertionError(f"only {report.kills} kills in {report.rounds} rounds")
        report.kills_mid_sync = _unfinished_syncs(store)
        log(f"{report}")
        final = run_cli(["--data-dir", str(data), "sync", "--json"], env, timeout=300)
        assert final.returncode == 0, final.stdout + final.stderr
        _verify(engine, partner_id, store, expected, report)
    finally:
        store.close()
    return report


def _calibrate(data: Path, env: dict[str, str]) -> float:
    """How long the sync step of a subprocess takes (from its sync_log row), to aim the kills."""
    done = run_cli(["--data-dir", str(data), "sync", "--json", "--batch-size", "15",
                    "--page-size", "40"], env)
    assert done.returncode == 0, done.stdout + done.stderr
    return max(0.05, json.loads(done.stdout)["duration"] * 3)


def _sync_count(store: Any) -> int:
    with store.reading() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(sync_log)).scalar_one()


def _wait_for_sync_start(store: Any, before: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while _sync_count(store) == before and process.poll() is None:
        if time.monotonic() > deadline:
            raise AssertionError("the sync subprocess never started syncing")
        time.sleep(0.002)


def _edit(store: Any, rng: random.Random, expected: dict, report: KillReport, count: int) -> None:
    with store.transaction() as conn:
        accounts = [r["id"] for r in records.list_records(conn, "accounts")]
        for _ in range(count):
            choice = rng.random()
            if choice < 0.3 or not accounts:
                account = records.create(conn, "accounts", {"name": f"Account {report.creates}"})
                accounts.append(account["id"])
                report.creates += 1
                for name in ("name",):
                    expected[("accounts", account["id"], name)] = account[name]
            elif choice < 0.4:
                contact = records.create(conn, "contacts", {"account_id": rng.choice(accounts),
                                                            "name": f"Contact {report.creates}"})
                report.creates += 1
                expected[("contacts", contact["id"], "name")] = contact["name"]
            else:
                record_id = rng.choice(accounts)
                field = rng.choice(("notes", "industry", "country"))
                value = f"{field} {report.edits}"
                records.update(conn, "accounts", record_id, {field: value})
                expected[("accounts", record_id, field)] = value
                report.edits += 1


def _vendor_edits(engine: sa.Engine, partner_id: str, store: Any, rng: random.Random) -> None:
    for _ in range(rng.randint(0, 3)):
        admin.assign_lead(engine, partner_id, f"Lead {rng.randrange(10**6)}")
    with store.reading() as conn:
        synced = [r["id"] for r in records.list_records(conn, "accounts") if r["version"] > 0]
    for record_id in rng.sample(synced, min(len(synced), rng.randint(0, 3))):
        admin.update_record(engine, "accounts", record_id, region=f"R{rng.randrange(100)}")


def _unfinished_syncs(store: Any) -> int:
    with store.reading() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(sync_log).where(
            sync_log.c.finished_at.is_(None))).scalar_one()


def _verify(engine: sa.Engine, partner_id: str, store: Any, expected: dict,
            report: KillReport) -> None:
    server = server_snapshot(engine, partner_id)
    problems = diff(server, local_snapshot(store))
    assert not problems, f"local data differs from the server: {problems}"
    lost = [(key, value, server.get(key[:2], {}).get(key[2])) for key, value in expected.items()
            if server.get(key[:2], {}).get(key[2]) != value]
    assert not lost, f"{len(lost)} edit(s) lost, e.g. {lost[:3]}"
    with store.reading() as conn:
        states = dict(conn.execute(sa.select(outbox.c.state, sa.func.count())
                                   .group_by(outbox.c.state)).all())
        open_conflicts = conn.execute(sa.select(sa.func.count()).select_from(conflicts)
                                      .where(conflicts.c.resolved_at.is_(None))).scalar_one()
    assert set(states) <= {"applied"}, f"outbox not settled: {states}"
    assert open_conflicts == 0
    created = sum(1 for key in server if key[0] in ("accounts", "contacts"))
    assert created == report.creates, f"{created} on the server for {report.creates} creates"
