"""Sync benchmark (DESIGN §5 budgets, issue 15 goals): initial pull of 100k records, push of 10k
edits, no-change sync — each next to its floor measured in the same run.

    python scripts/bench_sync.py [--records 100000] [--edits 10000] [--runs 3] [--keep DIR]

Runs the real vendor server (uvicorn on 127.0.0.1, SQLite) in a second process and the real sync
engine, against fresh data folders: in this process (`sync()`), and as a whole `workbench sync`
process (interpreter start, imports, sign-in state, sync, exit). Seeding the server bypasses the
API (a bulk insert with the scope's sequence numbers): creating 100k records is not measured.

The pull floor: the very pages the server sent (its wire JSON, recorded once) served by a bare
HTTP/1.1 server in another process, which encodes each page per request with the same JSON
library as the vendor server; fetched over one loopback connection (http.client), decoded, and
inserted into a SQLite table of the same columns with executemany — no ORM, no checks, no merge.
Also as a whole process. Ratios: in-process sync / in-process floor (goal <= 1.5x) and whole
`workbench sync` process / in-process floor (goal <= 2.0x). Best of --runs runs each, taken
alternately; the load average is printed with each figure (the machine is shared).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pickle
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import keyring
import sqlalchemy as sa
from keyring.backend import KeyringBackend

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workbench.domain.values import new_id, now_text  # noqa: E402
from workbench.server import admin, db  # noqa: E402
from workbench.server.schema import RECORD_TABLES as SERVER_TABLES  # noqa: E402
from workbench.server.schema import scope_counters  # noqa: E402
from workbench.store import records  # noqa: E402
from workbench.store.db import open_store  # noqa: E402
from workbench.store.schema import RECORD_TABLES as LOCAL_TABLES  # noqa: E402
from workbench.sync import account  # noqa: E402
from workbench.sync.engine import sync  # noqa: E402
from workbench.sync.protocol import MAX_PULL_LIMIT, decode_json, encode_json  # noqa: E402

FILE_ENV = "WORKBENCH_TEST_KEYRING_FILE"  # tests/sync/keyring_backends.py: shared by processes

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
                raise RuntimeError("the vendor server did not start") from None
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


FLOOR_SERVER = """
import http.server, pickle, sys
from workbench.sync.protocol import encode_json
pages = pickle.load(open(sys.argv[1], "rb"))
class Pages(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: one connection for every page
    def do_GET(self):
        body = encode_json(pages[int(self.path.rsplit("/", 1)[1])])
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Pages)
print(server.server_address[1], flush=True)
server.serve_forever()
"""

FLOOR_CLIENT = """
import http.client, operator, sqlite3, sys, time
from workbench.sync.protocol import decode_json
def floor_pull(port, count, path, columns):
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(f"CREATE TABLE accounts ({', '.join(columns)}, PRIMARY KEY (id))")
    insert = f"INSERT INTO accounts VALUES ({', '.join('?' * len(columns))})"
    link = http.client.HTTPConnection("127.0.0.1", port)
    for number in range(count):
        link.request("GET", f"/page/{number}")
        page = decode_json(link.getresponse().read())
        with connection:
            connection.executemany(insert, [tuple(map(change["record"].get, columns))
                                            for change in page["changes"]])
            connection.execute("CREATE TABLE IF NOT EXISTS state (key PRIMARY KEY, value)")
            connection.execute("INSERT OR REPLACE INTO state VALUES ('cursor', ?)",
                               (page["cursor"],))
    link.close()
    connection.close()
if __name__ == "__main__":
    floor_pull(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4].split(","))
"""


class Floor:
    """The pull floor's server process, fed with the pages the vendor server sent."""

    def __init__(self, pages: list, folder: Path) -> None:
        self.folder = folder
        self.count = len(pages)
        with open(folder / "pages.pickle", "wb") as handle:
            pickle.dump(pages, handle)
        self.columns = [c.name for c in LOCAL_TABLES["accounts"].c]
        self.process = subprocess.Popen([sys.executable, "-c", FLOOR_SERVER,
                                         str(folder / "pages.pickle")], cwd=ROOT, env=_env(),
                                        stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline())
        self.runs = 0

    def _path(self) -> Path:
        self.runs += 1
        path = self.folder / f"floor{self.runs}.sqlite3"
        path.unlink(missing_ok=True)
        return path

    def in_process(self) -> Meter:
        namespace: dict = {}
        exec(FLOOR_CLIENT.replace('if __name__ == "__main__":', "if False:"), namespace)
        path = self._path()
        with Meter(self.process.pid) as meter:
            namespace["floor_pull"](self.port, self.count, path, self.columns)
        return meter

    def whole_process(self) -> Meter:
        argv = [sys.executable, "-c", FLOOR_CLIENT, str(self.port), str(self.count),
                str(self._path()), ",".join(self.columns)]
        with Meter(self.process.pid) as meter:
            subprocess.run(argv, cwd=ROOT, env=_env(), check=True)
        return meter

    def close(self) -> None:
        self.process.terminate()
        self.process.wait()


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its .pyc files
    env.update({"PYTHON_KEYRING_BACKEND": "tests.sync.keyring_backends.FileKeyring"})
    return env


def baseline_update(ops: list[dict], path: Path) -> float:
    """The floor of a push: the ops as JSON, decoded, and one executemany UPDATE per batch."""
    connection = sqlite3.connect(path)
    started = time.perf_counter()
    for offset in range(0, len(ops), 500):  # the same batch size as the push
        batch = decode_json(encode_json({"ops": ops[offset:offset + 500]}))["ops"]
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
    decode_json(encode_json({"changes": [], "cursor": "x" * 40, "has_more": False}))
    with connection:
        connection.execute("CREATE TABLE IF NOT EXISTS state (key PRIMARY KEY, value)")
        connection.execute("INSERT OR REPLACE INTO state VALUES ('cursor', 'x')")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def line(name: str, seconds: float, baseline: float, extra: str = "", floor: str = "raw baseline"
         ) -> str:
    budget = BUDGETS[name]
    verdict = "ok" if seconds <= budget else "OVER BUDGET"
    shown = f"{seconds * 1000:8.1f} ms" if seconds < 1 else f"{seconds:8.2f} s "
    return (f"{name:<16} {shown}  (budget {budget:g} s, {verdict})   {floor} "
            f"{baseline * 1000:8.1f} ms   ratio {seconds / baseline:6.1f}x  {extra}")


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def process_cpu(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Meter:
    """Wall time, and CPU seconds of this process, its finished children and one server."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid

    def __enter__(self) -> Meter:
        self.started = time.perf_counter()
        self.cpu0 = (time.process_time(), children_cpu(), process_cpu(self.server_pid))
        return self

    def __exit__(self, *_exc: object) -> None:
        self.wall = time.perf_counter() - self.started
        own, children, server = time.process_time(), children_cpu(), process_cpu(self.server_pid)
        self.client_cpu = own - self.cpu0[0] + children - self.cpu0[1]
        self.server_cpu = server - self.cpu0[2]
        self.load = load()

    def __lt__(self, other: Meter) -> bool:
        return self.wall < other.wall

    def text(self) -> str:
        return (f"{self.wall:.2f} s (CPU client {self.client_cpu:.2f} + server "
                f"{self.server_cpu:.2f} s; {self.load})")


class Bench:
    def __init__(self, folder: Path, url: str, token: str, server_pid: int) -> None:
        self.folder, self.url, self.token, self.server_pid = folder, url, token, server_pid
        self.keyring_file = folder / "keyring.json"
        self.runs = 0

    def data_dir(self) -> Path:
        self.runs += 1
        path = self.folder / f"data{self.runs}"
        shutil.rmtree(path, ignore_errors=True)
        return path

    def signed_in(self, data: Path):
        store = open_store(data)
        account.login(store, self.url, self.token)
        return store, account.client_for(store)

    def cli(self, data: Path, *argv: str, stdin: str | None = None) -> Meter:
        env = {**_env(), FILE_ENV: str(self.keyring_file)}
        with Meter(self.server_pid) as meter:
            subprocess.run([sys.executable, "-m", "workbench.cli", "--data-dir", str(data),
                            *argv], input=stdin, text=True, env=env, cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL)
        return meter

    def cli_signed_in(self, data: Path) -> None:
        self.cli(data, "login", "--server", self.url, "--token-stdin", stdin=self.token + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--edits", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3, help="best of RUNS (default 3)")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it")
    parser.add_argument("--profile", metavar="FILE", help="pyinstrument profile of one in-process "
                        "initial pull to FILE (.html)")
    args = parser.parse_args()
    keyring.set_keyring(_MemoryKeyring())
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-sync-"))
    folder.mkdir(parents=True, exist_ok=True)
    url, engine, server = start_server(f"sqlite:///{folder / 'server.db'}")
    floor = None
    try:
        partner_id = admin.create_partner(engine, "Bench Partner")
        token = admin.create_user(engine, partner_id, "bench@partner.example").token
        seed(engine, partner_id, args.records)
        bench = Bench(folder, url, token, server.pid)
        print(f"{args.records} records on the server; client and server on this machine "
              f"(2 cores shared); best of {args.runs}")

        # --- initial pull ---------------------------------------------------------------------
        pages: list = []
        store, client = bench.signed_in(bench.data_dir())
        fetch = client.pull_raw

        def recording(cursor, limit=MAX_PULL_LIMIT):
            page = fetch(cursor, limit)
            pages.append({"changes": page.changes, "cursor": page.cursor,
                          "has_more": page.has_more})
            return page
        client.pull_raw = recording  # type: ignore[method-assign]
        summary = sync(store, client)  # a first pull, also warming the server's caches
        assert summary.pulled >= args.records, summary
        client.close()
        store.close()
        floor = Floor(pages, folder)
        pulls, floors, wholes, floor_wholes = [], [], [], []
        pull_dirs, whole_dirs = [], []
        for run in range(args.runs):
            floors.append(floor.in_process())
            pull_dirs.append(bench.data_dir())
            store, client = bench.signed_in(pull_dirs[-1])
            profiler = None
            if args.profile and run == 0:
                from pyinstrument import Profiler
                profiler = Profiler(interval=0.0005)
                profiler.start()
            with Meter(server.pid) as meter:
                summary = sync(store, client)
            pulls.append(meter)
            if profiler is not None:
                profiler.stop()
                Path(args.profile).write_text(profiler.output_html())
            assert summary.pulled >= args.records, summary
            client.close()
            store.close()
            floor_wholes.append(floor.whole_process())
            data = bench.data_dir()
            whole_dirs.append(data)
            bench.cli_signed_in(data)
            wholes.append(bench.cli(data, "sync"))
        pull, floor_best, whole, floor_whole = min(pulls), min(floors), min(wholes), min(floor_wholes)
        print(line("initial pull", pull.wall, floor_best.wall,
                   f"{summary.pulled} records, {summary.pulled / pull.wall:,.0f}/s, {len(pages)} "
                   "pages, in process (goal <= 1.5x)", floor="floor"))
        print(f"    sync {pull.text()}; floor {floor_best.text()}")
        print(f"    runs {', '.join(f'{m.wall:.2f}' for m in pulls)} s; floor runs "
              f"{', '.join(f'{m.wall:.2f}' for m in floors)} s")
        print(line("initial pull", whole.wall, floor_best.wall,
                   "whole `workbench sync` process (goal <= 2.0x)", floor="floor (in-process)"))
        print(f"    sync {whole.text()}; the floor as a whole process {floor_whole.text()}")
        print(f"    runs {', '.join(f'{m.wall:.2f}' for m in wholes)} s; floor runs "
              f"{', '.join(f'{m.wall:.2f}' for m in floor_wholes)} s")

        # --- push -----------------------------------------------------------------------------
        pushes, push_wholes, push_pull_backs, pulled_back = [], [], [], []
        for run in range(args.runs):
            for whole_process in (False, True):
                data = (whole_dirs if whole_process else pull_dirs)[run]
                # Each run edits its own records (no conflicts), after taking in the earlier
                # runs' edits (so pulling back brings only its own).
                if whole_process:
                    bench.cli(data, "sync")
                store = open_store(data)
                if not whole_process:
                    sync(store, account.client_for(store))
                with store.reading() as conn:
                    edited = [r["id"] for r in records.list_records(conn, "accounts",
                                                                     order_by="name")]
                first = (run * 2 + whole_process) * args.edits % max(1, len(edited) - args.edits)
                with store.transaction() as conn:
                    for number, record_id in enumerate(edited[first:first + args.edits]):
                        records.update(conn, "accounts", record_id,
                                       {"notes": f"edited {run} {whole_process} {number}"})
                if whole_process:
                    store.close()
                    push_wholes.append(bench.cli(data, "sync"))
                    continue
                client = account.client_for(store)
                marks: dict[str, float] = {}

                def progress(step, marks=marks) -> None:
                    marks.setdefault(step.phase, time.perf_counter())
                started = time.perf_counter()
                summary = sync(store, client, progress=progress)
                total = time.perf_counter() - started
                pushes.append((marks.get("pull", time.perf_counter()) - started, load()))
                push_pull_backs.append(total)
                assert summary.applied == args.edits and not summary.rejected, summary
                pulled_back.append(summary.pulled)
                client.close()
                store.close()
        with store_for(pull_dirs[0]) as store, store.reading() as conn:
            local = records.list_records(conn, "accounts")[:args.edits]
        ops = [{"op_id": new_id(), "entity": "accounts", "record_id": r["id"], "kind": "update",
                "base_version": 1, "fields": {"notes": {"old": r["notes"], "new": f"edited {n}"}}}
               for n, r in enumerate(local)]
        push_base = baseline_update(ops, folder / "floor1.sqlite3")
        push, push_load = min(pushes)
        push_whole = min(push_wholes)
        print(line("push", push, push_base,
                   f"{args.edits} edits in {args.edits // 500 + bool(args.edits % 500)} batches, "
                   f"in process; whole sync incl. the pull after it "
                   f"{min(push_pull_backs):.2f} s (records pulled back: "
                   f"{', '.join(map(str, pulled_back))}); {push_load}"))
        print(line("push", push_whole.wall, push_base,
                   "whole `workbench sync` process incl. the pull after it (goal <= 1.0 s)"))
        print(f"    {push_whole.text()}; runs {', '.join(f'{m.wall:.2f}' for m in push_wholes)} s")

        # --- no change ------------------------------------------------------------------------
        store = open_store(pull_dirs[0])
        client = account.client_for(store)
        sync(store, client)
        times = []
        for _ in range(30):
            started = time.perf_counter()
            summary = sync(store, client)
            times.append(time.perf_counter() - started)
            assert summary.pulled == 0 and summary.pushed == 0
        idle = statistics.median(times)
        idle_base = statistics.median(baseline_nothing(folder) for _ in range(30))
        print(line("no-change sync", idle, idle_base,
                   f"median of 30, max {max(times) * 1000:.1f} ms; {load()}"))
        client.close()
        store.close()
        idle_whole = min(bench.cli(whole_dirs[0], "sync") for _ in range(args.runs))
        print(f"no-change sync, whole `workbench sync` process: {idle_whole.text()}")
    finally:
        if floor is not None:
            floor.close()
        server.terminate()
        server.wait()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


@contextlib.contextmanager
def store_for(path: Path):
    store = open_store(path)
    try:
        yield store
    finally:
        store.close()


if __name__ == "__main__":
    sys.exit(main())
