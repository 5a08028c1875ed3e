"""Benchmark: vendor console page times with 100k registrations and 200 partners.

    python scripts/bench_console.py [--registrations 100000] [--partners 200] [--runs 20]
                                    [--db URL]

Fills a server database with bulk inserts (partners, registrations in every state, their
opportunities and attributions, a year of activity), starts the real server on loopback, signs
a channel manager in and times whole HTTP requests of the review queue (first page, a filtered
page, a deep page) and of partner dashboards. Budget: <= 300 ms each (issue 11).
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workbench.domain.records import with_defaults
from workbench.domain.values import format_datetime, new_id
from workbench.server import admin, db, staff
from workbench.server.app import create_app
from workbench.server.embedded import EmbeddedServer
from workbench.server.schema import RECORD_TABLES

EMAIL, PASSWORD = "bench@vendor.example", "bench console password"
STATUSES = (["approved"] * 30 + ["won"] * 20 + ["lost"] * 10 + ["expired"] * 15 +
            ["rejected"] * 8 + ["withdrawn"] * 4 + ["draft"] * 3 + ["submitted"] * 6 +
            ["pending_review"] * 4)


def _meta(row: dict, scope: str, seq: int, stamp: str) -> dict:
    return {**row, "created_at": stamp, "updated_at": stamp, "version": 1, "deleted": False,
            "scope": scope, "seq": seq}


def fill(engine: sa.Engine, registrations: int, partners: int, now: datetime) -> list[str]:
    rng = random.Random(20261201)
    stamp = format_datetime(now)
    partner_ids = [new_id() for _ in range(partners)]
    seq = dict.fromkeys(partner_ids, 0)
    rows: dict[str, list[dict]] = {name: [] for name in ("partners", "registrations",
                                                         "opportunities", "attributions",
                                                         "activity_events")}

    def add(entity: str, partner_id: str, values: dict) -> dict:
        seq[partner_id] += 1
        row = dict.fromkeys(RECORD_TABLES[entity].columns.keys())  # one shape per table
        row.update(_meta({"id": new_id(), "partner_id": partner_id,
                          **with_defaults(entity, values)}, partner_id, seq[partner_id], stamp))
        rows[entity].append(row)
        return row

    for index, partner_id in enumerate(partner_ids):
        rows["partners"].append({**dict.fromkeys(RECORD_TABLES["partners"].columns.keys()),
                                 **_meta({
            "id": partner_id, "partner_id": partner_id, "name": f"Partner {index:03d} Ltd",
            "tier": ("bronze", "silver", "gold", "platinum")[index % 4],
            "region": ("EMEA", "NA", "APAC", "LATAM")[index % 4], "motions": ["reseller"],
            "program_status": "active", "joined_on": "2024-01-15"}, partner_id, 0, stamp)})
        for day in range(0, 365, 3):
            add("activity_events", partner_id, {"kind": "login", "occurred_at": format_datetime(
                now - timedelta(days=day, hours=rng.randint(0, 8)))})
    for n in range(registrations):
        partner_id = partner_ids[n % partners]
        status = rng.choice(STATUSES)
        submitted = now - timedelta(hours=rng.randint(1, 24 * 400))
        if status in ("submitted", "pending_review"):
            submitted = now - timedelta(hours=rng.randint(1, 24 * 6))
        values = {"customer_name": f"Customer {n:06d} GmbH",
                  "customer_domain": f"customer{n:06d}.example.com", "product": "Suite",
                  "deal_value_cents": rng.randint(50, 2000) * 10_000,
                  "expected_close_date": "2027-06-30", "status": status,
                  "submitted_at": None if status == "draft" else format_datetime(submitted)}
        if status == "pending_review":
            values.update(review_reason="conflict", decision_reason=(
                "possible conflict with an existing registration or vendor opportunity "
                f"(same domain customer{n:06d}.example.com); a channel manager will review "
                f"within 48 hours"))
        if status in ("approved", "won", "lost", "expired"):
            approved = submitted + timedelta(hours=rng.randint(1, 60))
            values.update(approved_at=format_datetime(approved),
                          decided_at=format_datetime(approved),
                          protection_expires_at=format_datetime(approved + timedelta(days=90)),
                          registration_number=f"DR-2026-{n:06d}")
        registration = add("registrations", partner_id, values)
        if status in ("approved", "won", "lost", "expired"):
            opened = submitted.date() + timedelta(days=1)
            outcome = {"won": "won", "lost": "lost"}.get(status, "open")
            deal = add("opportunities", partner_id, {
                "name": f"Customer {n:06d} — Suite", "customer_name": values["customer_name"],
                "customer_domain": values["customer_domain"],
                "registration_id": registration["id"], "stage": rng.randint(0, 5),
                "amount_cents": values["deal_value_cents"], "opened_on": opened.isoformat(),
                "outcome": outcome, "closed_on": (opened + timedelta(days=rng.randint(20, 120))
                                                  ).isoformat() if outcome != "open" else None})
            add("attributions", partner_id, {"opportunity_id": deal["id"], "role": "sourced",
                                             "split_percent": 100})
    with engine.begin() as conn:
        for entity, batch in rows.items():
            for start in range(0, len(batch), 5000):
                conn.execute(sa.insert(RECORD_TABLES[entity]), batch[start:start + 5000])
    return partner_ids


def timed(client: httpx.Client, path: str, runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        answer = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, (path, answer.status_code)
    return sorted(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=100_000)
    parser.add_argument("--partners", type=int, default=200)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    url = args.db or f"sqlite:///{Path(tempfile.mkdtemp()) / 'console.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    now = datetime.now(UTC)
    started = time.perf_counter()
    partner_ids = fill(engine, args.registrations, args.partners, now)
    admin.publish_averages(engine, now=now)
    staff.create_staff(engine, EMAIL, PASSWORD, role="admin")
    fill_s = time.perf_counter() - started
    engine.dispose()

    app = create_app(url, auto_approve=False)
    server = EmbeddedServer(app)
    base = server.start()
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            form = client.get("/console/sign-in").text
            token = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
            client.post("/console/sign-in", data={"csrf": token, "email": EMAIL,
                                                  "password": PASSWORD})
            queue = client.get("/console/").text
            waiting = int(re.search(r"<b>([\d,]+)</b> waiting", queue).group(1).replace(",", ""))
            results = {
                "review queue, first page": timed(client, "/console/", args.runs),
                "review queue, one partner": timed(client, f"/console/?partner="
                                                           f"{partner_ids[7]}", args.runs),
                "review queue, page 40": timed(client, "/console/?page=40", args.runs),
                "partner dashboard": [t for p in partner_ids[:args.runs]
                                      for t in timed(client, f"/console/partners/{p}", 1)],
                "partners list": timed(client, "/console/partners", args.runs),
                "audit log": timed(client, "/console/audit", args.runs),
            }
    finally:
        server.stop()
        app.state.engine.dispose()
    print(f"registrations {args.registrations:,}, partners {args.partners}, waiting for a "
          f"decision {waiting:,} ({sa.make_url(url).get_backend_name()}); fill {fill_s:.1f} s")
    print(f"{'page (whole HTTP request)':32} {'p50':>8} {'p95':>8} {'max':>8}   budget 300 ms")
    for name, timings in results.items():
        timings.sort()
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        print(f"{name:32} {statistics.median(timings):7.1f}  {p95:7.1f}  {timings[-1]:7.1f} ms")


if __name__ == "__main__":
    main()
