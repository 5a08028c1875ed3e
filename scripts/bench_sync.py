"""Sync benchmark (DESIGN §5 budgets): initial pull of 100k records, push of 10k edits, no-change
sync — each next to a raw baseline measured in the same run: the same rows JSON-encoded, decoded
and bulk-inserted (or updated) in SQLite with no HTTP, and the ratio of the two.

    python scripts/bench_sync.py [--records 100000] [--edits 10000] [--keep DIR]

Runs the real vendor server (uvicorn on 127.0.0.1, SQLite) in a second process and the real sync
engine in this one, against a fresh data folder. Seeding the server bypasses the API (a bulk
insert with the scope's sequence numbers), since creating 100k records is not what is measured.
"""

from __future__ import annotations

import argparse
import json
import operator
import shutil
import sqlite3
import statistics
import sys
import tempfile
import socket
import subprocess
import time
from pathlib import Path

import keyring
import sqlalchemy as sa
from keyring.backend import KeyringBackend

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workbench.domain.values import new_id, now_text  # noqa: E402
from workbench.server import admin  # noqa: E402
from workbench.server import db  # noqa: E402
from workbench.server.schema import RECORD_TABLES as SERVER_TABLES, scope_counters  # noqa: E402
from workbench.store import records  # noqa: E402
from workbench.store.db import open_store  # noqa: E402
from workbench.sync import account, apply, outbox  # noqa: E402
from workbench.sync import engine as engine_module  # noqa: E402
from workbench.sync.engine import sync  # noqa: E402

BUDGETS = {"initial pull": 5.0, "push": 3.0, "no-change sync": 0.050}


class _MemoryKeyring(KeyringBackend):
    """Keeps the benchmark's throwaway token out of the machine's real keyring."""
    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.values.get((service, username))

    def set_password(self, service, username, password):
        self.values[(service, username)] = password

    def delete_password(self, service, username):
        self.values.pop((service, username), None)


def start_server(db_url: str) -> tuple[str, sa.Engine, subprocess.Popen]:
    """The vendor server in its own process, as in real life (not sharing this process's GIL)."""
    engine = db.make_engine(db_url)
    db.upgrade(engine)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = ("import uvicorn; from workbench.server.app import create_app; "
            f"uvicorn.run(create_app({db_url!r}), host='127.0.0.1', port={port}, "
            "log_level='warning')")
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the vendor server did not start")
            time.sleep(0.05)
    return url, engine, process


def account_row(number: int) -> dict:
    return {"name": f"Account {number:06d}", "domain": f"account{number}.example",
            "industry": ("Energy", "Retail", "Banking")[number % 3], "country": "US",
            "region": "AMER", "notes": f"seeded record {number} " + "x" * 40}


def seed(engine: sa.Engine, partner_id: str, count: int) -> None:
    table = SERVER_TABLES["accounts"]
    with engine.begin() as conn:
        start = conn.execute(sa.select(scope_counters.c.seq)
                             .where(scope_counters.c.scope == partner_id)).scalar_one()
        now = now_text()
        rows = [{"id": new_id(), "partner_id": partner_id, **account_row(n), "created_at": now,
                 "updated_at": now, "version": 1, "deleted": False, "scope": partner_id,
                 "seq": start + n + 1} for n in range(count)]
        for offset in range(0, count, 5000):
            conn.execute(sa.insert(table), rows[offset:offset + 5000])
        conn.execute(sa.update(scope_counters).where(scope_counters.c.scope == partner_id)
                     .values(seq=start + count))


def baseline_insert(rows: list[dict], folder: Path) -> float:
    """The same records as wire JSON, decoded and bulk-inserted with sqlite3: no HTTP, no checks."""
    path = folder / "baseline.sqlite3"
    connection = sqlite3.connect(path)
    columns = list(rows[0])
    connection.execute(f"CREATE TABLE accounts ({', '.join(columns)}, PRIMARY KEY (id))")
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    values = operator.itemgetter(*columns)
    started = time.perf_counter()
    for offset in range(0, len(rows), 1000):  # the same page size as the pull
        page = json.loads(json.dumps({"changes": rows[offset:offset + 1000]}))["changes"]
        with connection:
            connection.executemany(
                f"INSERT INTO accounts VALUES ({', '.join('?' * len(columns))})",
                map(values, page))
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def baseline_update(ops: list[dict], folder: Path) -> float:
    path = folder / "baseline.sqlite3"
    connection = sqlite3.connect(path)
    started = time.perf_counter()
    for offset in range(0, len(ops), 500):  # the same batch size as the push
        batch = json.loads(json.dumps({"ops": ops[offset:offset + 500]}))["ops"]
        with connection:
            connection.executemany(
                "UPDATE accounts SET notes = ?, version = version + 1 WHERE id = ?",
                [(op["fields"]["notes"]["new"], op["record_id"]) for op in batch])
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def baseline_nothing(folder: Path) -> float:
    connection = sqlite3.connect(folder / "baseline.sqlite3")
    started = time.perf_counter()
    json.loads(json.dumps({"changes": [], "cursor": "x" * 40, "has_more": False}))
    with connection:
        connection.execute("CREATE TABLE IF NOT EXISTS state (key PRIMARY KEY, value)")
        connection.execute("INSERT OR REPLACE INTO state VALUES ('cursor', 'x')")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


class Stopwatch:
    """Adds up the time spent in a function (to split a sync into server wait and local work)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def wrap(self, owner: object, name: str, label: str) -> None:
        function = getattr(owner, name)

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - started
        setattr(owner, name, timed)

    def take(self) -> str:
        text = ", ".join(f"{k} {v:.2f} s" for k, v in self.seconds.items())
        self.seconds.clear()
        return text


def line(name: str, seconds: float, baseline: float, extra: str = "") -> str:
    budget = BUDGETS[name]
    verdict = "ok" if seconds <= budget else "OVER BUDGET"
    shown = f"{seconds * 1000:8.1f} ms" if seconds < 1 else f"{seconds:8.2f} s "
    return (f"{name:<16} {shown}  (budget {budget:g} s, {verdict})   raw baseline "
            f"{baseline * 1000:8.1f} ms   ratio {seconds / baseline:6.1f}x  {extra}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--edits", type=int, default=10_000)
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it")
    args = parser.parse_args()
    keyring.set_keyring(_MemoryKeyring())
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-sync-"))
    folder.mkdir(parents=True, exist_ok=True)
    url, engine, server = start_server(f"sqlite:///{folder / 'server.db'}")
    try:
        partner_id = admin.create_partner(engine, "Bench Partner")
        token = admin.create_user(engine, partner_id, "bench@partner.example").token
        seed(engine, partner_id, args.records)
        store = open_store(folder / "data")
        account.login(store, url, token)
        client = account.client_for(store)
        watch = Stopwatch()
        watch.wrap(client, "pull_raw", "fetching pages (server + HTTP + JSON)")
        watch.wrap(client, "push", "pushing (server + HTTP + JSON + checks)")
        watch.wrap(engine_module, "parse_changes", "checking pages")
        watch.wrap(apply, "apply_changes", "writing pages")
        watch.wrap(apply, "apply_results", "writing results")
        watch.wrap(outbox, "next_batch", "building batches")
        print(f"{args.records} records on the server; client and server on this machine "
              f"(2 cores shared)")

        started = time.perf_counter()
        summary = sync(store, client)
        pull_time = time.perf_counter() - started
        assert summary.pulled >= args.records, summary
        with store.reading() as conn:
            local = records.list_records(conn, "accounts")
        wire = [{k: r[k] for k in ("id", "partner_id", "name", "domain", "industry", "country",
                                   "region", "notes", "created_at", "updated_at", "version",
                                   "deleted")} for r in local]
        pull_base = baseline_insert(wire, folder)
        print(line("initial pull", pull_time, pull_base,
                   f"{summary.pulled} records, {summary.pulled / pull_time:,.0f}/s"))
        print(f"    {watch.take()} (the next page is fetched while one is checked and written)")

        edited = local[:args.edits]
        with store.transaction() as conn:
            for number, record in enumerate(edited):
                records.update(conn, "accounts", record["id"], {"notes": f"edited {number}"})
        ops = [{"op_id": new_id(), "entity": "accounts", "record_id": r["id"], "kind": "update",
                "base_version": 1, "fields": {"notes": {"old": r["notes"], "new": f"edited {n}"}}}
               for n, r in enumerate(edited)]
        marks: dict[str, float] = {}

        def progress(step) -> None:
            marks.setdefault(step.phase, time.perf_counter())

        started = time.perf_counter()
        summary = sync(store, client, progress=progress)
        total = time.perf_counter() - started
        push_time = marks.get("pull", time.perf_counter()) - started
        assert summary.applied == args.edits and not summary.rejected, summary
        push_base = baseline_update(ops, folder)
        print(line("push", push_time, push_base,
                   f"{args.edits} edits in {summary.pushed // 500 + bool(summary.pushed % 500)} "
                   f"batches; whole sync incl. pulling them back {total:.2f} s"))
        print(f"    {watch.take()}")

        times = []
        for _ in range(30):
            started = time.perf_counter()
            summary = sync(store, client)
            times.append(time.perf_counter() - started)
            assert summary.pulled == 0 and summary.pushed == 0
        idle = statistics.median(times)
        idle_base = statistics.median(baseline_nothing(folder) for _ in range(30))
        print(line("no-change sync", idle, idle_base,
                   f"median of 30, max {max(times) * 1000:.1f} ms"))
        watch.take()
        client.close()
        store.close()
    finally:
        server.terminate()
        server.wait()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
