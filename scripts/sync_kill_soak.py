"""Crash-safety soak: SIGKILL `workbench sync` at random points many times, then check that one
normal sync converges (no lost edit, no duplicate, nothing left pending or in conflict).

    python scripts/sync_kill_soak.py [--kills 200] [--seed N] [--keep DIR]

The CI test (tests/sync/test_crash_safety.py) runs the same harness with 20 kills. The vendor
server runs in its own process on 127.0.0.1 with a SQLite database in the work folder; the
token is kept in a file-based test keyring there (never in the data folder).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_sync import start_server  # noqa: E402
from tests.sync.kill_harness import kill_soak  # noqa: E402
from workbench.server import admin  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(10**6)
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="sync-soak-"))
    folder.mkdir(parents=True, exist_ok=True)
    url, engine, server = start_server(f"sqlite:///{folder / 'server.db'}")
    started = time.perf_counter()
    try:
        partner_id = admin.create_partner(engine, "Soak Partner")
        token = admin.create_user(engine, partner_id, "soak@partner.example").token
        print(f"seed {seed}, work folder {folder}")
        report = kill_soak(engine, url, partner_id, token, folder, kills=args.kills, seed=seed,
                           log=print)
        print(f"converged after {report.kills} kills ({report.kills_mid_sync} during a sync, "
              f"{report.completed_syncs} syncs finished first), {report.creates} creates and "
              f"{report.edits} edits, in {time.perf_counter() - started:.0f} s")
        return 0
    except AssertionError as error:
        print(f"FAILED (seed {seed}, folder kept: {folder}): {error}")
        args.keep = str(folder)
        return 1
    finally:
        server.terminate()
        server.wait()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
