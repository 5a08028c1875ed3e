"""Benchmark: re-importing a CRM export into a store that already holds its accounts.

    python scripts/bench_import.py [--accounts 20000] [--rows 5000]

Fills a real store with accounts (bulk inserts; a third carry a Salesforce id), writes a CSV
export of `--rows` of them (renamed in part) plus new companies, and times what the rep waits
for: the first `accounts import` (dry run: matching only; then --update-existing, which links
each row's CRM id to its account) and the next week's re-import of the same export.
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from workbench.domain.values import new_id, now_text
from workbench.store.csv_import import import_accounts
from workbench.store.db import open_store
from workbench.store.schema import RECORD_TABLES

WORDS = ("acme globex initech umbrella hooli vandelay stark wayne wonka cyberdyne tyrell soylent "
         "nakatomi oscorp aperture monarch dunder mifflin pied piper massive dynamic nordic "
         "alpine harbor summit cedar granite silver river northwind contoso fabrikam litware "
         "adatum tailspin proseware lucerne wingtip meridian beacon falcon orchid quartz zephyr "
         "lumen vertex cobalt juniper sierra tundra coral ember aurora bramble").split()
TRADES = ("Logistics Robotics Analytics Systems Foods Bank Health Energy Media Labs Motors Retail "
          "Consulting Software Capital Pharma Airlines Hotels Insurance Telecom").split()
SUFFIXES = ("Inc", "Corp.", "Ltd", "GmbH", "LLC", "", "S.A.", "plc")


def company(rng: random.Random, taken: set[str]) -> str:
    """A made-up company name, distinct after normalising (real exports rarely number names)."""
    while True:
        core = f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {rng.choice(TRADES)}"
        if core not in taken:
            taken.add(core)
            return f"{core} {rng.choice(SUFFIXES)}".strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--rows", type=int, default=5_000)
    args = parser.parse_args()
    rng = random.Random(20261201)
    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    store = open_store(folder / "data")
    now = now_text()
    accounts, taken = [], set()
    for i in range(args.accounts):
        name = company(rng, taken)
        domain = f"{name.lower().replace(' ', '').replace('.', '')}.example"
        accounts.append({"id": new_id(), "name": name, "domain": domain,
                         "crm_record_id": f"0015g{i:010d}AAA" if i % 3 == 0 else None,
                         "created_at": now, "updated_at": now, "version": 1, "deleted": False})
    with store.transaction() as conn:
        conn.execute(sa.insert(RECORD_TABLES["accounts"]), accounts)

    path = folder / "export.csv"
    known = rng.sample(accounts, min(args.rows // 2, len(accounts)))
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["Id", "Name", "Website", "Industry"])
        for n, account in enumerate(known):
            renamed = account["name"] + " Holdings" if n % 10 == 0 else account["name"]
            writer.writerow([account["crm_record_id"] or "", renamed, account["domain"], "Energy"])
        for n in range(args.rows - len(known)):
            name = company(rng, taken)
            domain = f"{name.lower().replace(' ', '').replace('.', '')}.new"
            writer.writerow([f"0015h{n:010d}AAA", name, domain, ""])

    # 1. the first import against hand-made accounts: most rows are matched by domain and name;
    # 2. the next week's export again: every row now matches by its CRM record id.
    for label, options in (("first import, dry run", {"dry_run": True}),
                           ("first, --update-existing", {"update_existing": True}),
                           ("next week, same file", {"update_existing": True})):
        started = time.perf_counter()
        with store.transaction() as conn:
            report = import_accounts(conn, path, **options)
            if options.get("dry_run"):
                conn.rollback()
        seconds = time.perf_counter() - started
        print(f"{label:<25} {args.rows:>6,} rows against {args.accounts:,} accounts: "
              f"{seconds:6.2f} s ({seconds / args.rows * 1000:.2f} ms/row); new {report.new_rows}, "
              f"updated {report.count('update')}, unchanged {report.count('unchanged')}")
    store.close()


if __name__ == "__main__":
    main()
