"""Benchmark: the local duplicate check and store open time with 100k accounts + registrations.

Budgets (DESIGN §5, 2-core machine): duplicate check ≤ 20 ms against 100k records.

    python scripts/bench_store.py [--records 100000] [--checks 300] [--keep DIR]

Fills a real store (bulk inserts, same tables the workbench uses), then measures what a rep
waits for: opening the store (with its integrity check), loading the duplicate index from it,
and one check.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from workbench.domain.values import new_id, now_text
from workbench.store import duplicates
from workbench.store.db import check_integrity, open_store
from workbench.store.schema import RECORD_TABLES

WORDS = ("acme globex initech umbrella hooli vandelay stark wayne wonka cyberdyne tyrell soylent "
         "nakatomi oscorp aperture gringotts monarch dunder mifflin pied piper massive dynamic "
         "blue sun virtucon nordic alpine harbor summit cedar granite silver river northwind "
         "contoso fabrikam litware adatum tailspin proseware lucerne wingtip fourth coffee").split()
KINDS = ("Logistics Robotics Analytics Systems Foods Bank Health Energy Media Labs Motors Retail "
         "Consulting Software Capital Pharma Airlines Hotels Insurance Telecom").split()
SUFFIXES = ("Inc", "Corp.", "Ltd", "GmbH", "LLC", "", "", "S.A.", "plc", "Group")


def company(rng: random.Random, i: int) -> tuple[str, str]:
    first, second = rng.choice(WORDS).title(), rng.choice(WORDS).title()
    name = f"{first} {second} {rng.choice(KINDS)} {i} {rng.choice(SUFFIXES)}".strip()
    domain = f"{first}{second}{i}.{rng.choice(['com', 'de', 'co.uk', 'io', 'fr'])}".lower()
    return name, domain


def fill(store, count: int, rng: random.Random) -> list[tuple[str, str]]:
    now = now_text()
    accounts, registrations, companies = [], [], []
    for i in range(count // 2):
        name, domain = company(rng, i)
        companies.append((name, domain))
        account_id = new_id()
        accounts.append({"id": account_id, "name": name, "domain": domain, "created_at": now,
                         "updated_at": now, "version": 1, "deleted": False})
        registrations.append({
            "id": new_id(), "account_id": account_id, "customer_name": name,
            "customer_domain": domain, "product": "Suite", "deal_value_cents": 1_000_000,
            "currency": "USD", "expected_close_date": "2027-06-30",
            "status": rng.choice(duplicates.ACTIVE_REGISTRATION_STATUSES + ("won", "lost")),
            "created_at": now, "updated_at": now, "version": 1, "deleted": False})
    with store.transaction() as conn:
        conn.execute(sa.insert(RECORD_TABLES["accounts"]), accounts)
        conn.execute(sa.insert(RECORD_TABLES["registrations"]), registrations)
    return companies


def queries(companies: list[tuple[str, str]], count: int, rng: random.Random) -> list[tuple[str, str]]:
    picked = []
    for n in range(count):
        name, domain = rng.choice(companies)
        if n % 3 == 0:
            picked.append((name.upper().replace(" ", "  "), ""))  # name only, different case
        elif n % 3 == 1:
            picked.append(("Completely New Prospect " + str(n), f"new-prospect-{n}.com"))  # miss
        else:
            picked.append((name[:-2] + "x", f"https://www.{domain}/"))  # typo + domain
    return picked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--checks", type=int, default=300)
    parser.add_argument("--keep", type=Path, help="data folder to fill and keep (default: temporary)")
    args = parser.parse_args()
    rng = random.Random(20261122)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-store-"))

    store = open_store(folder)
    started = time.perf_counter()
    companies = fill(store, args.records, rng)
    fill_s = time.perf_counter() - started
    store.close()

    started = time.perf_counter()
    store = open_store(folder)
    with store.reading() as conn:
        conn.exec_driver_sql("SELECT count(*) FROM accounts").scalar()
    open_ms = (time.perf_counter() - started) * 1000

    checks = []
    for _ in range(5):
        started = time.perf_counter()
        check_integrity(store.engine, store.path)
        checks.append((time.perf_counter() - started) * 1000)
    size_mb = store.path.stat().st_size / 1e6

    started = time.perf_counter()
    with store.reading() as conn:
        candidates = duplicates.load_candidates(conn)
    load_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    index = duplicates.DuplicateIndex(candidates)
    build_ms = (time.perf_counter() - started) * 1000

    timings, hits = [], 0
    for name, domain in queries(companies, args.checks, rng):
        started = time.perf_counter()
        found = duplicates.check(index, name, domain)
        timings.append((time.perf_counter() - started) * 1000)
        hits += bool(found)
    store.close()
    timings.sort()

    print(f"records in store           {args.records:>10,} ({len(candidates):,} duplicate candidates)")
    print(f"fill (bulk insert)         {fill_s:>10.2f} s")
    print(f"store open (warm cache)    {open_ms:>10.1f} ms   (includes the integrity check)")
    print(f"integrity check at open    {statistics.median(checks):>10.1f} ms   (PRAGMA quick_check, "
          f"median of 5, {size_mb:.0f} MB file)")
    print(f"load candidates from store {load_ms:>10.1f} ms")
    print(f"build duplicate index      {build_ms:>10.1f} ms")
    print(f"duplicate check p50        {statistics.median(timings):>10.2f} ms   (budget 20 ms)")
    print(f"duplicate check p95        {timings[int(len(timings) * 0.95) - 1]:>10.2f} ms")
    print(f"duplicate check max        {timings[-1]:>10.2f} ms")
    print(f"checks with a match        {hits:>10} of {len(timings)}")


if __name__ == "__main__":
    main()
