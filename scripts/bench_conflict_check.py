"""Benchmark: the server's conflict check on submit against 100k active registrations.

    python scripts/bench_conflict_check.py [--records 100000] [--checks 200] [--db URL]

Fills a server database (bulk inserts plus the match_keys pre-filter), then times
`registrations.conflict_basis`, which runs inside every submit while the review lock is held.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_store import company  # noqa: E402  (same synthetic companies as the local benchmark)

from workbench.domain.values import new_id, now_text  # noqa: E402
from workbench.server import db, matchkeys, registrations  # noqa: E402
from workbench.server.schema import RECORD_TABLES  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--checks", type=int, default=200)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    url = args.db or f"sqlite:///{Path(tempfile.mkdtemp()) / 'server.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    rng = random.Random(20261122)
    now, partner = now_text(), new_id()
    companies = [company(rng, i) for i in range(args.records)]
    rows = [{"id": new_id(), "partner_id": partner, "customer_name": name, "customer_domain": domain,
             "product": "Suite", "deal_value_cents": 100, "expected_close_date": "2099-01-01",
             "status": "approved", "approved_at": now, "created_at": now, "updated_at": now,
             "version": 1, "deleted": False, "scope": partner, "seq": i + 1}
            for i, (name, domain) in enumerate(companies)]
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(sa.insert(RECORD_TABLES["registrations"]), rows)
        for start in range(0, len(rows), 5000):
            matchkeys.refresh(conn, matchkeys.REGISTRATION, [r["id"] for r in rows[start:start + 5000]])
    fill_s = time.perf_counter() - started

    timings, conflicts = [], 0
    moment = datetime.now(UTC)
    with engine.connect() as conn:
        for n in range(args.checks):
            name, domain = rng.choice(companies)
            query = {"id": new_id(), "customer_name": name.upper() if n % 2 else f"New Prospect {n}",
                     "customer_domain": domain if n % 4 == 1 else ""}
            started = time.perf_counter()
            conflicts += registrations.conflict_basis(conn, query, moment) is not None
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    print(f"active registrations        {args.records:>9,}  ({engine.dialect.name})")
    print(f"fill incl. match keys       {fill_s:>9.1f} s")
    print(f"conflict check p50          {statistics.median(timings):>9.2f} ms")
    print(f"conflict check p95          {timings[int(len(timings) * 0.95) - 1]:>9.2f} ms")
    print(f"conflict check max          {timings[-1]:>9.2f} ms")
    print(f"checks finding a conflict   {conflicts:>9} of {len(timings)} (expected {len(timings) // 2})")


if __name__ == "__main__":
    main()
