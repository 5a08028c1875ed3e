"""Benchmark: one scorecard PDF for a partner with a year of data (DESIGN §5: ≤ 0.3 s per PDF).

    python scripts/bench_scorecard.py [--registrations 5000] [--runs 7] [--keep DIR] [--pdf FILE]
                                      [--now 2026-08-14T09:30:00Z]

Fills a real local store the way a sync would leave it (the partner's registrations over the last
365 days, the opportunities the vendor opened and closed from them, attributions, leads, learning
records, activity events, program averages), then measures what the rep waits for:
loading the scorecard from the store, computing it, and rendering the PDF — each separately.
`--keep DIR` leaves the store for a look with `workbench scorecard --data-dir DIR --pdf out.pdf`.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pypdf import PdfReader

from workbench.domain import scorecard as sc
from workbench.domain.values import format_datetime, new_id, parse_datetime
from workbench.reports.pdf import register_fonts, render_scorecard_pdf
from workbench.reports.scorecard import collector_paused, load_scorecard, read_scorecard_data
from workbench.store import records
from workbench.store.db import open_store
from workbench.store.schema import RECORD_TABLES

PARTNER_NAME = "Müller GmbH"
CUSTOMERS = ("Société Générale", "Nordwind Ålesund AS", "Škoda Auto a.s.", "Bäckerei Schäfer KG",
             "Zürich Versicherungen", "Crédit Agricole", "Grupo Peñalara S.L.", "Łódź Logistics",
             "Acme Corp", "Globex Inc", "Initech", "Umbrella Pharma", "Hooli", "Stark Industries",
             "Wayne Enterprises", "Tyrell Systems", "Cyberdyne Labs", "Soylent Foods",
             "Nakatomi Trading", "Vandelay Industries", "Contoso Ltd", "Fabrikam Inc",
             "Northwind Traders", "Tailspin Toys", "Wingtip Analytics", "Litware Software",
             "Adatum Capital", "Proseware Health", "Lucerne Publishing", "Fourth Coffee")
PRODUCTS = ("Platform Suite", "Analytics Add-on", "Security Pack", "Enterprise Support")
USERS = ("jürgen.weiß", "anna.schäfer", "françois.dubois", "lena.krüger", "tomás.garcía",
         "mia.novák", "ole.sørensen", "sara.ricci", "jan.kowalski", "emma.müller")


class Rows:
    """Rows of every record type, as a sync would have stored them for one partner."""

    def __init__(self, partner_id: str, now: datetime) -> None:
        self.partner_id = partner_id
        self.stamp = format_datetime(now)
        self.tables: dict[str, list[dict[str, Any]]] = {name: [] for name in RECORD_TABLES}

    def add(self, entity: str, values: dict[str, Any], *, scoped: bool = True) -> dict[str, Any]:
        row = {"id": new_id(), "partner_id": self.partner_id if scoped else None,
               "created_at": self.stamp, "updated_at": self.stamp, "version": 1,
               "deleted": False, **values}
        self.tables[entity].append(row)
        return row


def build_store(data_dir: Path, registrations: int, *, now: datetime, seed: int = 7) -> None:
    """A store with `registrations` registrations over the year before `now`, and what follows."""
    rng = random.Random(seed)
    partner_id = new_id()
    rows = Rows(partner_id, now)
    rows.add("partners", {"id": partner_id, "name": PARTNER_NAME, "tier": "silver",
                          "program_status": "active", "motions": ["reseller"],
                          "joined_on": (now - timedelta(days=430)).date().isoformat()})
    scale = max(1, registrations // 150)
    users = [f"{u}{i or ''}@mueller.example" for i in range(scale) for u in USERS]
    users = users[:max(10, scale * 4)]
    for email in users:
        rows.add("partner_users", {"email": email, "name": email.split("@")[0].title()})
    _registrations_and_deals(rng, rows, registrations, now)
    _leads(rng, rows, max(20, registrations // 6), now)
    _enablement(rng, rows, users, now)
    _activity(rng, rows, users, now)
    _program_averages(rows, registrations, now)
    store = open_store(data_dir)
    with store.transaction() as conn:
        for entity, batch in rows.tables.items():
            if batch:
                conn.execute(sa.insert(RECORD_TABLES[entity]), _complete(entity, batch))
        records.set_state(conn, "partner_id", partner_id)
        records.set_state(conn, "partner_name", PARTNER_NAME)
        records.set_state(conn, "last_successful_sync_at",
                          format_datetime(now - timedelta(hours=2, minutes=17)))
    store.close()


def _program_averages(rows: Rows, registrations: int, now: datetime) -> None:
    for back in range(4):
        period = sc.quarter_of(now - timedelta(days=91 * back))
        for metric, value in (("close_rate_percent", "31.5"), ("avg_deal_size_cents", "3850000"),
                              ("avg_sales_cycle_days", "74.0"),
                              ("registrations_per_partner", f"{registrations / 4 * 0.6:.2f}"),
                              ("registration_approval_rate_percent", "78.0")):
            rows.add("program_averages", {"period": f"{period.year}-Q{period.quarter}",
                                          "metric": metric, "value": value}, scoped=False)


def _complete(entity: str, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every row with every column (executemany needs the same keys in each)."""
    columns = [c.name for c in RECORD_TABLES[entity].columns]
    return [{c: row.get(c) for c in columns} for row in batch]


def _registrations_and_deals(rng: random.Random, rows: Rows, count: int, now: datetime) -> None:
    customers = list(CUSTOMERS) + [f"Customer {i:04d} GmbH" for i in range(max(0, count // 4))]
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(customers))]
    for _ in range(count):
        customer = rng.choices(customers, weights)[0]
        submitted = now - timedelta(days=rng.uniform(0, 365) ** 1.08 / 365 ** 0.08,
                                    hours=rng.uniform(0, 23))
        value = rng.choice((8, 12, 18, 25, 30, 40, 45, 60, 75, 90, 120, 150)) * 100_000
        registration = rows.add("registrations", {
            "customer_name": customer, "customer_domain": _domain(customer),
            "product": rng.choice(PRODUCTS), "deal_value_cents": value, "currency": "USD",
            "expected_close_date": (submitted + timedelta(days=90)).date().isoformat(),
            "status": "submitted", "submitted_at": format_datetime(submitted)})
        roll = rng.random()
        if roll < 0.09:
            registration.update(status="rejected", decided_at=format_datetime(
                submitted + timedelta(hours=rng.uniform(8, 60))))
        elif roll < 0.14 and submitted > now - timedelta(days=10):
            continue  # still waiting for the vendor
        else:
            approved = submitted + timedelta(hours=rng.lognormvariate(3.0, 0.6))
            if approved >= now:
                continue
            registration.update(status="approved", approved_at=format_datetime(approved),
                                decided_at=format_datetime(approved))
            _deal(rng, rows, registration, approved, now)


def _deal(rng: random.Random, rows: Rows, registration: dict[str, Any], approved: datetime,
          now: datetime) -> None:
    opened = approved.date()
    cycle = int(rng.triangular(20, 150, 60))
    closed = opened + timedelta(days=cycle)
    outcome, stage = "open", rng.choice((0, 1, 1, 2, 2, 3, 3, 4, 5))
    if closed <= now.date():
        outcome = "won" if rng.random() < 0.34 else "lost" if rng.random() < 0.7 else "open"
    amount = int(registration["deal_value_cents"] * rng.uniform(0.85, 1.15)) // 100_000 * 100_000
    deal = rows.add("opportunities", {
        "name": f"{registration['customer_name']} — {registration['product']}",
        "customer_name": registration["customer_name"],
        "customer_domain": registration["customer_domain"], "registration_id": registration["id"],
        "stage": stage, "amount_cents": amount, "currency": "USD", "opened_on": opened.isoformat(),
        "expected_close_date": closed.isoformat(), "outcome": outcome,
        "closed_on": closed.isoformat() if outcome != "open" else None})
    rows.add("attributions", {"opportunity_id": deal["id"], "role": "sourced",
                              "split_percent": 100})
    if outcome == "won":
        registration["status"] = "won"
        rows.add("activity_events", {"kind": "closed_won", "occurred_at": format_datetime(
            datetime.combine(closed, datetime.min.time(), tzinfo=UTC) + timedelta(hours=15))})
    if rng.random() < 0.12:  # a direct deal the partner helped with: influenced credit
        direct = rows.add("opportunities", {
            "name": f"{registration['customer_name']} — expansion",
            "customer_name": registration["customer_name"],
            "customer_domain": registration["customer_domain"], "stage": 5,
            "amount_cents": amount // 2, "currency": "USD", "opened_on": opened.isoformat(),
            "outcome": outcome, "closed_on": closed.isoformat() if outcome != "open" else None})
        rows.add("attributions", {"opportunity_id": direct["id"], "role": "influenced",
                             "split_percent": 50})


def _domain(customer: str) -> str:
    ascii_name = customer.lower().encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_name if ch.isalnum())[:30] + ".example"


def _leads(rng: random.Random, rows: Rows, count: int, now: datetime) -> None:
    for i in range(count):
        assigned = now - timedelta(days=rng.uniform(0.2, 365))
        contacted = assigned + timedelta(hours=rng.lognormvariate(3.1, 0.7))
        rows.add("leads", {"company_name": f"Lead {i} AG", "assigned_at": format_datetime(assigned),
                      "assignment_status": "assigned", "working_status": "contacted"
                      if contacted < now else "new",
                      "first_contact_at": format_datetime(contacted) if contacted < now else None})


def _enablement(rng: random.Random, rows: Rows, users: list[str], now: datetime) -> None:
    for email in users:
        if rng.random() < 0.72:
            done = now - timedelta(days=rng.uniform(5, 500))
            rows.add("learning_records", {"user_email": email, "kind": "certification",
                                     "name": "Platform Sales Certification", "level": "basic",
                                     "status": "completed", "completed_at": format_datetime(done),
                                     "expires_on": (done + timedelta(days=730)).date().isoformat()})
        if rng.random() < 0.35:
            rows.add("learning_records", {"user_email": email, "kind": "certification",
                                     "name": "Platform Architect", "level": "advanced",
                                     "status": rng.choice(("completed", "in_progress")),
                                     "completed_at": format_datetime(now - timedelta(days=40))})


def _activity(rng: random.Random, rows: Rows, users: list[str], now: datetime) -> None:
    registrations = [r for r in rows.tables["registrations"] if r.get("submitted_at")]
    for registration in registrations:
        rows.add("activity_events", {"kind": "registration",
                                     "occurred_at": registration["submitted_at"]})
    for day in range(365):
        moment = now - timedelta(days=day, hours=rng.uniform(0, 8))
        seasonal = 0.6 + 0.4 * ((365 - day) / 365)
        for email in users:
            if rng.random() < 0.09 * seasonal:
                rows.add("activity_events", {"kind": "login", "user_email": email,
                                        "occurred_at": format_datetime(moment)})
            if rng.random() < 0.03 * seasonal:
                rows.add("activity_events", {"kind": "download", "user_email": email,
                                        "occurred_at": format_datetime(moment)})
        if rng.random() < 0.05:
            rows.add("activity_events", {"kind": "training", "user_email": rng.choice(users),
                                    "occurred_at": format_datetime(moment)})


def measure(data_dir: Path, runs: int, pdf: Path | None, now: datetime) -> None:
    """Time load, compute and render separately: wall clock and this process's CPU time."""
    store = open_store(data_dir)
    register_fonts()  # once per process, as in the running application
    timings: dict[str, list[tuple[float, float]]] = {"load": [], "compute": [], "render PDF": [],
                                                     "total": []}
    out_dir = Path(tempfile.mkdtemp(prefix="scorecard-bench-"))
    try:
        for run in range(runs):
            marks = [(time.perf_counter(), time.process_time())]
            quarter = sc.parse_period(None, now)
            with collector_paused():  # as load_scorecard does
                with store.reading() as conn:
                    data = read_scorecard_data(conn, sc.reference_moment(quarter, now))
                marks.append((time.perf_counter(), time.process_time()))
                card = sc.compute_scorecard(data, quarter, now)
            marks.append((time.perf_counter(), time.process_time()))
            render_scorecard_pdf(card, out_dir / f"run{run}.pdf")
            marks.append((time.perf_counter(), time.process_time()))
            for name, (start, end) in zip(timings, [(0, 1), (1, 2), (2, 3), (0, 3)]):
                timings[name].append((marks[end][0] - marks[start][0],
                                      marks[end][1] - marks[start][1]))
        assert load_scorecard(store, now=now).to_json() == card.to_json()
        if pdf:
            render_scorecard_pdf(card, pdf)
    finally:
        store.close()
    counts = {name: len(getattr(data, name)) for name in (
        "registrations", "opportunities", "attributions", "leads", "learning_records",
        "activity_events")}
    print("rows read: " + ", ".join(f"{name} {count:,}" for name, count in counts.items()))
    print(f"PDF: {(out_dir / 'run0.pdf').stat().st_size / 1024:.0f} KiB, "
          f"{len(PdfReader(out_dir / 'run0.pdf').pages)} pages")
    for name, values in timings.items():
        wall = [w for w, _ in values]
        cpu = [c for _, c in values]
        print(f"{name:>10}: median {statistics.median(wall) * 1000:6.1f} ms "
              f"(CPU {statistics.median(cpu) * 1000:6.1f} ms)   min {min(wall) * 1000:6.1f} ms"
              f"   max {max(wall) * 1000:6.1f} ms   [{runs} runs]")
    total = statistics.median(w for w, _ in timings["total"])
    print(f"budget 300 ms per PDF (load + compute + render, median wall clock): "
          f"{'within' if total <= 0.3 else 'OVER'}; load average now "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--registrations", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="build the store in DIR and keep it")
    parser.add_argument("--pdf", type=Path, help="also write the scorecard PDF to FILE")
    parser.add_argument("--now", type=parse_datetime, default=None, metavar="ISO-TIME",
                        help="the moment the data ends at (default: now); e.g. 2026-08-14T09:30Z")
    args = parser.parse_args()
    now = args.now or datetime.now(UTC)
    data_dir = args.keep or Path(tempfile.mkdtemp(prefix="scorecard-store-"))
    started = time.perf_counter()
    build_store(data_dir, args.registrations, now=now)
    print(f"built a store with {args.registrations:,} registrations in "
          f"{time.perf_counter() - started:.1f} s ({data_dir})")
    measure(data_dir, args.runs, args.pdf, now)


if __name__ == "__main__":
    main()
