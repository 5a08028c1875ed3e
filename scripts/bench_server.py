#!/usr/bin/env python
"""Benchmark the vendor server on PostgreSQL: N simulated workbench clients on loopback.

Starts `workbench-server serve --workers W` as a subprocess on a fresh PostgreSQL schema, creates
one partner and one user per client, then runs N client threads (one requests.Session each) for a
bounded time. Each client pulls with its cursor (an empty delta unless it just pushed) and now and
then pushes a small batch. Prints requests/s, pushed ops/s and the p50/p99 latency of empty-delta
pulls (goal with 200 clients: p99 <= 100 ms).

    python scripts/bench_server.py [--db postgresql+psycopg://…] [--clients 200] [--workers 2]
                                   [--seconds 30] [--push-every 10] [--think-ms 1000]

The database defaults to $WORKBENCH_TEST_PG_URL. The schema is dropped afterwards.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.server import admin, db
from workbench.sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION

MAX_CLIENTS = 1000  # bounded: threads and connections on loopback only


@dataclass
class Stats:
    empty_pulls: list[float] = field(default_factory=list)  # seconds
    push_times: list[float] = field(default_factory=list)  # seconds
    other_pulls: int = 0  # pulls that delivered changes, and empty ones during warm-up
    pushes: int = 0
    pushed_ops: int = 0
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def summary(self) -> tuple:
        return (self.empty_pulls, self.push_times, self.other_pulls, self.pushes,
                self.pushed_ops, self.errors)

    def merge(self, summary: tuple) -> None:
        empty, push_times, other, pushes, ops, errors = summary
        self.empty_pulls += empty
        self.push_times += push_times
        self.other_pulls += other
        self.pushes += pushes
        self.pushed_ops += ops
        self.errors += errors


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fresh_schema(base_url: str) -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(base_url, poolclass=sa.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    url = sa.make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return schema, url.render_as_string(hide_password=False)


def _drop_schema(base_url: str, schema: str) -> None:
    engine = sa.create_engine(base_url, poolclass=sa.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def _tokens(url: str, clients: int) -> list[str]:
    engine = db.make_engine(url)
    db.upgrade(engine)
    tokens = []
    for n in range(clients):
        partner = admin.create_partner(engine, f"Bench Partner {n:04d}")
        tokens.append(admin.create_user(engine, partner, f"rep{n:04d}@bench.example").token)
    engine.dispose()
    return tokens


def _start_server(url: str, port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "workbench.server.cli", "serve", "--db", url, "--port", str(port),
         "--workers", str(workers), "--log-level", "warning"],
        cwd=Path(__file__).resolve().parent.parent)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).ok:
                return server
        except requests.ConnectionError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the server did not start")


def _client(base: str, token: str, stop_at: float, args: argparse.Namespace, stats: Stats
            ) -> None:
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {token}",
                            PROTOCOL_HEADER: str(PROTOCOL_VERSION)})
    rng = random.Random(token)
    measure_from = stop_at - args.seconds + args.warmup  # monotonic, like stop_at
    cursor = _drain(session, base, None)  # initial sync, not measured
    time.sleep(rng.uniform(0, args.think_ms / 1000))  # independent clients: no lock-step
    while time.monotonic() < stop_at:
        try:
            # Random, not every Nth request: clients must not push in lock-step bursts.
            if args.push_every and rng.random() < 1 / args.push_every:
                _push(session, base, stats)
                cursor = _drain(session, base, cursor, stats)
            else:
                counted = time.monotonic() >= measure_from
                started = time.perf_counter()
                answer = session.get(f"{base}/api/v1/sync/pull", params={"cursor": cursor},
                                     timeout=(3, 30))
                elapsed = time.perf_counter() - started
                page = answer.json()
                with stats.lock:
                    if page["changes"] or not counted:
                        stats.other_pulls += 1
                    else:
                        stats.empty_pulls.append(elapsed)
                cursor = page["cursor"]
        except (requests.RequestException, ValueError, KeyError):
            with stats.lock:
                stats.errors += 1
        if args.think_ms:
            time.sleep(args.think_ms / 1000 * rng.uniform(0.5, 1.5))
    session.close()


def _client_group(base: str, tokens: list[str], stop_at: float, args: argparse.Namespace
                  ) -> tuple:
    """One load-generating process: a thread (and requests.Session) per client."""
    stats = Stats()
    threads = [threading.Thread(target=_client, args=(base, t, stop_at, args, stats))
               for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return stats.summary()


def _drain(session: requests.Session, base: str, cursor: str | None,
           stats: Stats | None = None) -> str:
    while True:
        params = {"cursor": cursor} if cursor else {}
        page = session.get(f"{base}/api/v1/sync/pull", params=params, timeout=(3, 30)).json()
        cursor = page["cursor"]
        if stats:
            with stats.lock:
                stats.other_pulls += 1
        if not page["has_more"]:
            return cursor


def _push(session: requests.Session, base: str, stats: Stats) -> None:
    ops = [{"op_id": str(uuid.uuid4()), "entity": "accounts", "record_id": str(uuid.uuid4()),
            "kind": "create", "base_version": 0,
            "fields": {"name": {"old": None, "new": f"Customer {uuid.uuid4().hex[:6]}"}}}
           for _ in range(3)]
    started = time.perf_counter()
    answer = session.post(f"{base}/api/v1/sync/push", json={"ops": ops}, timeout=(3, 30))
    elapsed = time.perf_counter() - started
    answer.raise_for_status()
    with stats.lock:
        stats.push_times.append(elapsed)
        stats.pushes += 1
        stats.pushed_ops += len(ops)


def _server_cpu_seconds(pid: int) -> float | None:
    """CPU time used by the server process and its workers (Linux /proc), else None."""
    total, pending = 0.0, [pid]
    try:
        while pending:
            current = pending.pop()
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
    except (OSError, ValueError, IndexError):
        return None
    return total


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default=os.environ.get("WORKBENCH_TEST_PG_URL"),
                        help="PostgreSQL URL (default $WORKBENCH_TEST_PG_URL)")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--push-every", type=int, default=10,
                        help="on average every Nth request of a client is a push (0: never)")
    parser.add_argument("--think-ms", type=float, default=1000,
                        help="mean pause of each client between requests, jittered ±50%% "
                             "(0: closed loop, as fast as the server answers)")
    parser.add_argument("--warmup", type=float, default=5,
                        help="seconds at the start whose pull latencies are not counted "
                             "(connections and pools filling up)")
    parser.add_argument("--client-processes", type=int, default=2,
                        help="processes the client threads are spread over (one GIL each)")
    args = parser.parse_args()
    if not args.db or not args.db.startswith("postgresql"):
        parser.error("give a PostgreSQL URL with --db or WORKBENCH_TEST_PG_URL")
    if not 1 <= args.clients <= MAX_CLIENTS:
        parser.error(f"--clients must be 1..{MAX_CLIENTS}")

    schema, url = _fresh_schema(args.db)
    server = None
    try:
        tokens = _tokens(url, args.clients)
        port = _free_port()
        server = _start_server(url, port, args.workers)
        base = f"http://127.0.0.1:{port}"
        stats = Stats()
        cpu_before = _server_cpu_seconds(server.pid)
        started = time.monotonic()
        stop_at = started + args.seconds  # monotonic clocks are shared by forked processes
        groups = [tokens[n::args.client_processes] for n in range(args.client_processes)]
        load_cpu_before = _children_cpu()
        pool = multiprocessing.get_context("fork").Pool(len(groups))
        for summary in pool.starmap(_client_group,
                                    [(base, group, stop_at, args) for group in groups]):
            stats.merge(summary)
        pool.close()
        pool.join()  # reaped: their CPU time is now in this process's children's
        load_cpu = _children_cpu() - load_cpu_before
        elapsed = time.monotonic() - started
        cpu_after = _server_cpu_seconds(server.pid)
        server_cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after else None
        _report(args, stats, elapsed, server_cpu, load_cpu)
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
        _drop_schema(args.db, schema)
    return 0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _report(args: argparse.Namespace, stats: Stats, elapsed: float,
            server_cpu: float | None, load_cpu: float) -> None:
    requests_done = len(stats.empty_pulls) + stats.other_pulls + stats.pushes
    print(f"clients {args.clients} in {args.client_processes} processes, "
          f"workers {args.workers}, {elapsed:.1f} s, "
          f"think {args.think_ms:g} ms, push every {args.push_every} requests, "
          f"latencies after {args.warmup:g} s warm-up, "
          f"machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"requests/s            {requests_done / elapsed:8.0f}  "
          f"({requests_done} requests, {stats.errors} errors)")
    print(f"pushed ops/s          {stats.pushed_ops / elapsed:8.0f}  ({stats.pushes} pushes)")
    if server_cpu is not None and requests_done:
        print(f"server CPU            {server_cpu / elapsed:8.2f} cores  "
              f"({server_cpu / requests_done * 1000:.1f} ms per request, workers only)")
    print(f"load generator CPU    {load_cpu / elapsed:8.2f} cores  ({args.client_processes} "
          "processes, apart from the server's)")
    if stats.push_times:
        ms = [s * 1000 for s in stats.push_times]
        print(f"push (3 ops)          p50 {statistics.median(ms):6.1f} ms   "
              f"p99 {_percentile(ms, 0.99):6.1f} ms")
    if stats.empty_pulls:
        ms = [s * 1000 for s in stats.empty_pulls]
        print(f"empty-delta pull      p50 {statistics.median(ms):6.1f} ms   "
              f"p99 {_percentile(ms, 0.99):6.1f} ms   ({len(ms)} pulls; goal p99 <= 100 ms)")
    if stats.empty_pulls and stats.push_times:
        ms = [s * 1000 for s in stats.empty_pulls + stats.push_times]
        print(f"mixed (pulls, pushes) p50 {statistics.median(ms):6.1f} ms   "
              f"p99 {_percentile(ms, 0.99):6.1f} ms   (goal p99 <= 250 ms)")


if __name__ == "__main__":
    sys.exit(main())
