"""`workbench --demo`: a living workbench in one command.

Starts an embedded vendor server on 127.0.0.1 with a demo program, signs the rep in, lets the
rep's workbench draft and submit real registrations through the real sync, has the vendor decide
them over a year of history, and syncs again. Nothing here bypasses the product: the demo data
reaches the workbench the way a rep's data does.
"""

from __future__ import annotations

import logging
import random
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from workbench.domain.values import format_datetime
from workbench.store import records
from workbench.store.db import Store, open_store

log = logging.getLogger(__name__)

DEMO_EMAIL = "maria.keller@northwind-partners.example"
PARTNER_NAME = "Northwind Partners GmbH"
COLLEAGUE_EMAIL = "jonas.richter@northwind-partners.example"
DEMO_NPS = 45
# The vendor's side of the demo: a channel manager for the real console (loopback only).
CONSOLE_EMAIL = "daniel.brooks@vendor.example"
CONSOLE_PASSWORD = "demo-console-password"

# (company, domain, industry, country) — the rep's customers.
CUSTOMERS = [
    ("Müller Maschinenbau GmbH", "mueller-maschinenbau.de", "Manufacturing", "Germany"),
    ("Société Générale Équipements", "sg-equipements.fr", "Financial services", "France"),
    ("Globex Corporation", "globex.com", "Energy", "United States"),
    ("Initech Inc.", "initech.com", "Software", "United States"),
    ("Umbrella Health Ltd", "umbrella-health.co.uk", "Healthcare", "United Kingdom"),
    ("Vandelay Industries", "vandelay.com", "Import/export", "United States"),
    ("Stark Logistics AG", "stark-logistics.ch", "Logistics", "Switzerland"),
    ("Nakatomi Trading", "nakatomi.co.jp", "Trading", "Japan"),
    ("Tyrell Robotics", "tyrell-robotics.com", "Robotics", "United States"),
    ("Wonka Foods B.V.", "wonkafoods.nl", "Food", "Netherlands"),
    ("Cyberdyne Systems", "cyberdyne.io", "Defence", "United States"),
    ("Oscorp Pharma", "oscorp-pharma.com", "Pharma", "United States"),
    ("Soylent Nutrition", "soylent-nutrition.com", "Food", "Canada"),
    ("Aperture Labs", "aperture-labs.com", "Research", "United States"),
    ("Hooli Europe", "hooli.eu", "Software", "Ireland"),
    ("Pied Piper", "piedpiper.com", "Software", "United States"),
]
PRODUCTS = ("Analytics Suite", "Security Add-on", "Data Platform", "Support Premium")
CONTACT_NAMES = ("Jonas Weber", "Camille Laurent", "Priya Natarajan", "Tom Becker",
                 "Aiko Tanaka", "Lucía Fernández", "Sven Olsen", "Grace Okafor")


@dataclass
class DemoEnvironment:
    """The running demo: the vendor server, the vendor's console and the rep's store."""

    data_dir: Path
    server_url: str
    partner_id: str
    vendor: Any  # BoundAdmin: every workbench.server.admin function, engine bound
    _server: Any = field(repr=False, default=None)
    console_email: str = CONSOLE_EMAIL
    console_password: str = CONSOLE_PASSWORD

    @property
    def console_url(self) -> str:
        return f"{self.server_url}/console/"

    def console_sign_in(self) -> str:
        """What a newcomer needs to play the vendor's side in a browser."""
        return (f"Vendor console: {self.console_url}\n"
                f"Sign in as {self.console_email}, password {self.console_password}")

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None


def prepare_demo(data_dir: Path | None = None, *, today: date | None = None,
                 seed: int = 7) -> DemoEnvironment:
    """Start the demo vendor, fill both sides with a year of history, sign in and sync."""
    from workbench.server.app import (
        create_app,  # the server extra is needed for the demo only
    )
    from workbench.server.embedded import BoundAdmin, EmbeddedServer

    folder = Path(data_dir) if data_dir else default_demo_dir()
    _start_afresh(folder)
    db_url = f"sqlite:///{folder / 'demo-vendor.sqlite3'}"
    app = create_app(db_url, auto_approve=False, jobs_every=300)
    server = EmbeddedServer(app)
    url = server.start()
    vendor = BoundAdmin(app.state.engine)
    store = open_store(folder)
    try:
        partner_id = _build(store, url, vendor, today or date.today(), random.Random(seed))
    except Exception:
        server.stop()
        raise
    finally:
        store.close()
    environment = DemoEnvironment(folder, url, partner_id, vendor, server)
    print(environment.console_sign_in(), file=sys.stderr)
    return environment


def default_demo_dir() -> Path:
    """Apart from the rep's real data, so a demo never mixes with real records."""
    return Path(user_data_dir("partner-workbench-demo", appauthor=False))


def _start_afresh(folder: Path) -> None:
    """The demo is rebuilt at every launch: the embedded server's port and token are new."""
    folder.mkdir(parents=True, exist_ok=True)
    import shutil

    for pattern in ("workbench.sqlite3*", "demo-vendor.sqlite3*", "demo-direct-pipeline.csv",
                    "attachments", "demo-proof"):
        for path in folder.glob(pattern):
            if path.is_dir():  # the vendor's and the rep's attachment files
                shutil.rmtree(path)
            else:
                path.unlink()


def _sync(store: Store) -> Any:
    from workbench.sync import account
    from workbench.sync.engine import sync

    client = account.client_for(store)
    try:
        return sync(store, client)
    finally:
        client.close()


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _build(store: Store, url: str, vendor: Any, today: date, rng: random.Random) -> str:
    from workbench.sync import account

    year_ago = today - timedelta(days=365)
    partner_id = vendor.create_partner(
        PARTNER_NAME, motions=["reseller", "co-sell", "services"], tier="gold", region="EMEA",
        segment="Mid-market", territory="DACH", channel_manager="Daniel Brooks",
        joined_on=(year_ago - timedelta(days=200)).isoformat(), sub_partner_visibility=True)
    other_id = vendor.create_partner("Contoso Channel Services", motions=["referral"],
                                     tier="silver", region="NA")
    token = vendor.create_user(partner_id, DEMO_EMAIL, name="Maria Keller", role="seller").token
    other_token = vendor.create_user(other_id, "sam@contoso-channel.example").token
    from workbench.server import staff

    staff.create_staff(vendor.engine, CONSOLE_EMAIL, CONSOLE_PASSWORD, role="admin",
                       name="Daniel Brooks")
    _vendor_program(vendor, partner_id, today)
    _peer_partners(url, vendor, today, rng)
    _sub_partner(url, vendor, partner_id, today)
    account.login(store, url, token)
    _sync(store)  # the vendor's leads, cases and the partner record arrive

    registration_ids = _rep_work(store, today, rng)
    _sync(store)  # push: accounts, contacts, drafts, submissions
    _vendor_decisions(vendor, registration_ids, today, rng)
    vendor.publish_averages(now=_at(today))
    _channel_conflicts(url, vendor, other_token, store.data_dir)
    _sync(store)  # pull: decisions, opportunities, attribution
    _deal_year(store, vendor, partner_id, today)
    _mdf_year(store, vendor, partner_id, today)
    _content_library(store, vendor)
    _crossed_edits(store, vendor)
    return partner_id


def _deal_year(store: Store, vendor: Any, partner_id: str, today: date) -> None:
    """Deal progress and payouts (issue 14): progress on approved deals, one change of terms
    waiting for the channel manager, commissions earned at close (the tier's rate) in every
    status — the oldest paid, one approved (coming), the newest earned — and one disputed."""
    from workbench.domain.distributors import is_sub_partner_record
    from workbench.services import commissions, deals

    lines = sorted(vendor.list_commissions(partner_id=partner_id),
                   key=lambda line: line["earned_on"])
    for index, line in enumerate(lines):
        earned = date.fromisoformat(line["earned_on"])
        if index < len(lines) - 1:
            approved = min(earned + timedelta(days=14), today)
            vendor.move_commission(line["id"], "approve", on=approved.isoformat(),
                                   now=_at(approved))
        if index < len(lines) - 2:
            paid = min(earned + timedelta(days=40), today)
            vendor.move_commission(line["id"], "pay", on=paid.isoformat(), now=_at(paid))
    _sync(store)  # pull: commission statuses
    with store.reading() as conn:
        approved_deals = sorted(
            (r for r in records.list_records(conn, "registrations", where={"status": "approved"})
             if r.get("approved_at") and not is_sub_partner_record(r, partner_id)),
            key=lambda r: r["approved_at"], reverse=True)
    if len(approved_deals) >= 2:
        newest, second = approved_deals[0], approved_deals[1]
        deals.record_progress(store, newest["id"], deals.Progress(
            next_step="Technical workshop with the customer's architects",
            last_activity="Discovery call with the IT director",
            last_activity_on=(today - timedelta(days=3)).isoformat(),
            progress_notes="Budget approved for next quarter; procurement wants two quotes."))
        deals.record_progress(store, second["id"], deals.Progress(
            next_step="Send the revised quote", last_activity="Pricing call",
            last_activity_on=(today - timedelta(days=12)).isoformat()))
        deals.request_amendment(
            store, second["id"], deal_value=int(second["deal_value_cents"] * 1.25),
            expected_close_date=(today + timedelta(days=120)).isoformat(),
            note="The customer adds two more sites; signature moves to next quarter.")
    if lines:
        disputed = lines[0]["id"] if len(lines) < 3 else lines[-3]["id"]
        commissions.dispute_commission(store, disputed, "The deal closed at a higher amount "
                                                        "after the upsell; please recheck.")
    _sync(store)  # push: progress, the amendment request, the dispute


# (title, file name, lowest tier, text) — the vendor's library; the demo partner is Gold, so it
# sees all but the Platinum kit.
CONTENT = [
    ("2027 partner price list", "price-list-2027.csv", "gold",
     "product,list price,partner discount\nAnalytics Suite,$40000,30%\n"
     "Security Add-on,$12000,25%\nData Platform,$65000,30%\n"),
    ("Partner pitch deck", "partner-pitch-deck.txt", "silver",
     "Slide 1: Why our platform\nSlide 2: Customer stories\nSlide 3: Pricing\n"),
    ("Product brochure", "product-brochure.txt", None,
     "Analytics Suite: every team's numbers in one place.\n"),
    ("Platinum co-marketing kit", "platinum-kit.txt", "platinum",
     "Co-branded banners and the joint press release template.\n"),
]


def _content_library(store: Store, vendor: Any) -> None:
    """Documents by tier, cached at the sync; the rep opens the price list (a download)."""
    from workbench.services import content

    folder = store.data_dir / "demo-proof"
    folder.mkdir(exist_ok=True)
    for title, filename, tier, text in CONTENT:
        path = folder / filename
        path.write_text(text, encoding="utf-8")
        vendor.publish_content(path, title, tier=tier, description=f"{title} for partners.")
    _sync(store)
    prices = next(r for r in content.list_content(store) if r["tier"] == "gold")
    content.open_content(store, prices["id"])


# (activity, budget, days from today it starts, length in days, expected pipeline, stage)
MDF_ACTIVITIES = [
    ("Spring partner summit booth", 12_000, -250, 3, 150_000, "paid"),
    ("DACH customer webinar series", 6_000, -120, 30, 80_000, "claimed"),
    ("Data Platform roadshow Munich", 9_000, 20, 2, 120_000, "approved"),
    ("Security breakfast Zürich", 4_500, 45, 1, 60_000, "submitted"),
    ("Paid social campaign", 15_000, 30, 60, 90_000, "rejected"),
    ("Q3 co-branded e-book", 3_000, 90, 30, 40_000, "draft"),
]


def _mdf_year(store: Store, vendor: Any, partner_id: str, today: date) -> None:
    """MDF requests in every stage, claimed ones with proof files that travel as attachments;
    the paid activity sourced a won deal, so its ROI shows (seed 003)."""
    from workbench.services import mdf

    proof_dir = store.data_dir / "demo-proof"
    proof_dir.mkdir(exist_ok=True)
    ids: dict[str, str] = {}
    for activity, budget, starts, days, pipeline, stage in MDF_ACTIVITIES:
        start = today + timedelta(days=starts)
        ids[stage] = mdf.request_mdf(store, mdf.MdfRequest(
            activity=activity, budget=budget * 100, start_date=start,
            end_date=start + timedelta(days=days), expected_pipeline=pipeline * 100,
            description=f"{activity}: leads go to the registrations desk."),
            submit=stage != "draft").result["id"]
    _sync(store)
    for stage in ("paid", "claimed", "approved"):
        vendor.decide_mdf(ids[stage], "approve",
                          approved_cents=None if stage != "claimed" else 550_000)
    vendor.decide_mdf(ids["rejected"], "reject", reason="Paid social is outside this year's "
                      "MDF guidelines; propose an event or a co-branded asset instead.")
    _sync(store)
    for stage, spent in (("paid", 11_400), ("claimed", 5_200)):
        attendees = proof_dir / f"attendees-{stage}.csv"
        attendees.write_text("name,company,email\n" + "".join(
            f"Guest {n},{CUSTOMERS[n % len(CUSTOMERS)][0].replace(',', '')},"
            f"guest{n}@{CUSTOMERS[n % len(CUSTOMERS)][1]}\n" for n in range(40)),
            encoding="utf-8")
        invoice = proof_dir / f"invoice-{stage}.txt"
        invoice.write_text(f"INVOICE\nEvent services for {ids[stage][:8]}\nTotal: "
                           f"${spent:,}.00\n", encoding="utf-8")
        mdf.claim_mdf(store, ids[stage], spent * 100, [invoice, attendees])
    with store.transaction() as conn:  # the summit sourced a deal that was won
        won = [o for o in records.list_records(conn, "opportunities")
               if o.get("outcome") == "won" and o.get("registration_id")
               and o.get("partner_id") == partner_id]
        if won:
            records.update(conn, "registrations", won[0]["registration_id"],
                           {"mdf_request_id": ids["paid"]})
    _sync(store)  # the claims and their files reach the vendor
    vendor.pay_mdf(ids["paid"], paid_on=(today - timedelta(days=200)).isoformat())
    _sync(store)


def _crossed_edits(store: Store, vendor: Any) -> None:
    """What the Sync view is for: one edit both sides made, one the vendor had to refuse.

    The rep notes a renewal on Globex while the channel manager notes a delay (a conflict to
    resolve), and logs contact on a lead the vendor recycled after its SLA (rejected, with why).
    """
    with store.transaction() as conn:
        globex = next(a for a in records.list_records(conn, "accounts")
                      if a["domain"] == "globex.com")
        records.update(conn, "accounts", globex["id"], {"notes": "Renewal in Q3"})
    _sync(store)
    with store.transaction() as conn:
        records.update(conn, "accounts", globex["id"], {"notes": "Renewal in Q3; talk to Lena first"})
        overdue = next(lead for lead in records.list_records(conn, "leads")
                       if lead["company_name"] == "Monarch Solutions")
        records.update(conn, "leads", overdue["id"], {"working_status": "contacted",
                                                      "first_contact_at": format_datetime(datetime.now(UTC))})
    vendor.update_record("accounts", globex["id"], notes="Renewal moved to Q4 (procurement freeze)")
    vendor.recycle_leads()
    _sync(store)


# Other partners of the program with a year of deals: program averages are published only
# from three partners' data (no partner can read another's deals in an average).
PEERS = [("Fabrikam Solutions", "platinum", "EMEA", "UK & Ireland"),
         ("Litware Systems", "silver", "APAC", "ANZ")]


def _peer_partners(url: str, vendor: Any, today: date, rng: random.Random) -> None:
    from workbench.domain.values import new_id
    from workbench.sync.client import SyncClient
    from workbench.sync.protocol import Operation

    for index, (name, tier, region, territory) in enumerate(PEERS):
        peer = vendor.create_partner(name, motions=["reseller"], tier=tier, region=region,
                                     territory=territory, channel_manager="Daniel Brooks",
                                     joined_on=(today - timedelta(days=500)).isoformat())
        token = vendor.create_user(peer, f"rep@{name.split()[0].lower()}.example").token
        client = SyncClient(url, token)
        try:
            for deal in range(4):
                record_id = new_id()
                fields = {"customer_name": f"{name.split()[0]} customer {deal + 1}",
                          "customer_domain": f"{name.split()[0].lower()}-c{deal + 1}.example.com",
                          "product": PRODUCTS[deal % len(PRODUCTS)],
                          "deal_value_cents": rng.choice((20_000, 35_000, 60_000)) * 100,
                          "expected_close_date": (today + timedelta(days=60)).isoformat()}
                client.push([Operation(new_id(), "registrations", record_id, "create",
                                       fields={k: {"old": None, "new": v}
                                               for k, v in fields.items()}),
                             Operation(new_id(), "registrations", record_id, "action",
                                       action="submit")])
                decided = _at(today - timedelta(days=200 - 40 * deal - 10 * index))
                vendor.update_record("registrations", record_id, now=decided,
                                     submitted_at=format_datetime(decided - timedelta(hours=6)))
                vendor.approve(record_id, now=decided)
                closed = decided + timedelta(days=45)
                vendor.close_opportunity(_opportunity_of(vendor.engine, record_id),
                                         "won" if deal != 1 else "lost",
                                         closed_on=closed.date().isoformat(), now=closed)
        finally:
            client.close()


# Northwind distributes to a smaller reseller: the vendor lets it see the reseller's deals
# (read-only on Northwind's desk, labelled with the reseller's name, rolled up by sub-partner).
SUB_PARTNER = "Alpine IT Solutions AG"
SUB_PARTNER_DEALS = [("Edelweiss Bank", "edelweiss-bank.ch", 4_800_000, 150, "won"),
                     ("Matterhorn Logistics", "matterhorn-logistics.ch", 2_200_000, 40, None),
                     ("Zermatt Hotels", "zermatt-hotels.ch", 900_000, 10, None)]


def _sub_partner(url: str, vendor: Any, distributor_id: str, today: date) -> None:
    from workbench.domain.values import new_id
    from workbench.sync.client import SyncClient
    from workbench.sync.protocol import Operation

    reseller = vendor.create_partner(SUB_PARTNER, motions=["reseller"], tier="silver",
                                     region="EMEA", territory="Switzerland",
                                     parent_id=distributor_id, channel_manager="Daniel Brooks",
                                     joined_on=(today - timedelta(days=300)).isoformat())
    client = SyncClient(url, vendor.create_user(reseller, "lea@alpine-it.example",
                                                name="Lea Brunner").token)
    try:
        for customer, domain, cents, days_ago, outcome in SUB_PARTNER_DEALS:
            record_id = new_id()
            fields = {"customer_name": customer, "customer_domain": domain,
                      "product": "Data Platform", "deal_value_cents": cents,
                      "expected_close_date": (today + timedelta(days=75)).isoformat()}
            client.push([Operation(new_id(), "registrations", record_id, "create",
                                   fields={k: {"old": None, "new": v} for k, v in fields.items()}),
                         Operation(new_id(), "registrations", record_id, "action",
                                   action="submit")])
            decided = _at(today - timedelta(days=days_ago))
            vendor.update_record("registrations", record_id, now=decided,
                                 submitted_at=format_datetime(decided - timedelta(hours=8)))
            vendor.approve(record_id, now=decided)
            opportunity = _opportunity_of(vendor.engine, record_id)
            vendor.set_stage(opportunity, 3, now=decided + timedelta(days=2))
            if outcome:
                closed = decided + timedelta(days=50)
                vendor.close_opportunity(opportunity, outcome,
                                         closed_on=closed.date().isoformat(), now=closed)
    finally:
        client.close()


def _vendor_program(vendor: Any, partner_id: str, today: date) -> None:
    """What the vendor has before the rep opens the workbench: leads, enablement, activity."""
    for index, (company, domain) in enumerate([("Massive Dynamic", "massivedynamic.com"),
                                               ("Blue Sun Corp", "bluesun.com"),
                                               ("Virtucon", "virtucon.com"),
                                               ("Monarch Solutions", "monarch-solutions.com")]):
        hours_ago = (6, 30, 44, 70)[index]  # one near the 48-hour SLA, one already breached
        vendor.assign_lead(partner_id, company, company_domain=domain,
                           contact_name=CONTACT_NAMES[index], contact_email=f"info@{domain}",
                           source="webinar", now=datetime.now(UTC) - timedelta(hours=hours_ago))
    # Certifications last two years; the oldest runs out within the People view's warning.
    for name, level, days_ago in (("Analytics Suite Sales Professional", "basic", 705),
                                  ("Data Platform Technical Specialist", "advanced", 120),
                                  ("Security Add-on Architect", "expert", 20)):
        vendor.record_certification(partner_id, name, user_email=DEMO_EMAIL, level=level,
                                    completed_at=format_datetime(_at(today - timedelta(days=days_ago))),
                                    expires_on=(today + timedelta(days=730 - days_ago)).isoformat())
    vendor.create_user(partner_id, COLLEAGUE_EMAIL, name="Jonas Richter", role="engineer")
    vendor.record_certification(partner_id, "Data Platform Fundamentals", user_email=COLLEAGUE_EMAIL,
                                kind="training",
                                completed_at=format_datetime(_at(today - timedelta(days=60))))
    vendor.record_certification(partner_id, "Data Platform Technical Specialist",
                                user_email=COLLEAGUE_EMAIL, level="advanced", status="in_progress")
    # The vendor's customer survey (seed 003 rubric: NPS 30-50 = 10 points).
    vendor.record_nps(partner_id, DEMO_NPS, surveyed_on=(today - timedelta(days=20)).isoformat())
    for days_ago in range(0, 365, 3):
        moment = _at(today - timedelta(days=days_ago), 9)
        vendor.record_activity(partner_id, "login", user_email=DEMO_EMAIL,
                               occurred_at=format_datetime(moment))
        if days_ago % 12 == 0:
            vendor.record_activity(partner_id, "download", user_email=DEMO_EMAIL,
                                   occurred_at=format_datetime(moment), detail="battle card")


def _rep_work(store: Store, today: date, rng: random.Random) -> list[str]:
    """The rep's own work, done offline in the workbench: accounts, contacts, registrations.

    The first 14 customers' registrations are submitted; the last two stay drafts, and both
    will meet a channel conflict when the rep submits them (another partner's registration, the
    vendor's direct pipeline) — try it in the demo.
    """
    ids = []
    with store.transaction() as conn:
        for index, (company, domain, industry, country) in enumerate(CUSTOMERS):
            customer = records.create(conn, "accounts", {"name": company, "domain": domain,
                                                         "industry": industry, "country": country})
            first, last = CONTACT_NAMES[index % len(CONTACT_NAMES)].split()
            records.create(conn, "contacts", {
                "account_id": customer["id"], "name": f"{first} {last}",
                "email": f"{first.lower()}.{last.lower()}@{domain}", "role": "IT director"})
            value = rng.choice((18_000, 25_000, 40_000, 65_000, 90_000, 150_000))
            registration = records.create(conn, "registrations", {
                "account_id": customer["id"], "customer_name": company,
                "customer_domain": domain, "product": PRODUCTS[index % len(PRODUCTS)],
                "deal_value_cents": value * 100,
                "expected_close_date": (today + timedelta(days=30 + 7 * index)).isoformat()})
            if index < len(DECISIONS):
                records.perform_action(conn, "registrations", registration["id"], "submit")
            ids.append(registration["id"])
        case_account = records.list_records(conn, "accounts", order_by="name")[0]
        records.create(conn, "cases", {"account_id": case_account["id"],
                                       "customer_domain": case_account["domain"],
                                       "subject": "Licence key not accepted after renewal",
                                       "severity": "high",
                                       "description": "Customer's renewed key fails on 3 of 12 nodes."})
    return ids


# (days ago the vendor decided, decision) for the submitted registrations, oldest first.
# Decided over 100 days ago: the deal has closed since. 80-86 days ago: protection ends soon.
DECISIONS = [(340, "approve"), (310, "approve"), (285, "approve"), (250, "reject"),
             (220, "approve"), (190, "approve"), (160, "approve"), (130, "approve"),
             (110, "approve"), (86, "approve"), (80, "approve"), (45, "approve"),
             (20, "approve"), (1, "leave")]


def _vendor_decisions(vendor: Any, registration_ids: list[str], today: date,
                      rng: random.Random) -> None:
    """A year of the vendor's decisions on what the rep submitted."""
    by_id = {r["id"]: r for r in vendor.list_registrations(status="submitted")}
    submitted = [by_id[i] for i in registration_ids if i in by_id]
    for registration, (days_ago, decision) in zip(submitted, DECISIONS, strict=False):
        decided = _at(today - timedelta(days=days_ago))
        vendor.update_record("registrations", registration["id"],
                             submitted_at=format_datetime(decided - timedelta(hours=20)), now=decided)
        if decision == "reject":
            vendor.reject(registration["id"], "The customer is a named account of the direct team "
                                              "in this territory.", now=decided)
        if decision != "approve":
            continue
        vendor.approve(registration["id"], now=decided)
        opportunity_id = _opportunity_of(vendor.engine, registration["id"])
        if days_ago >= 100:
            outcome = "won" if rng.random() < 0.7 else "lost"
            vendor.set_stage(opportunity_id, 4, now=decided + timedelta(days=20))
            closed = decided + timedelta(days=rng.randint(35, 90))
            vendor.close_opportunity(opportunity_id, outcome, closed_on=closed.date().isoformat(),
                                     now=closed)
        else:
            vendor.set_stage(opportunity_id, min(4, 1 + days_ago // 25),
                             now=decided + timedelta(days=1))


def _opportunity_of(engine: Any, registration_id: str) -> str:
    """The opportunity the vendor opened when approving a registration."""
    import sqlalchemy as sa

    from workbench.server.schema import RECORD_TABLES

    table = RECORD_TABLES["opportunities"]
    with engine.connect() as conn:
        return conn.execute(sa.select(table.c.id)
                            .where(table.c.registration_id == registration_id)).scalar_one()


def _channel_conflicts(url: str, vendor: Any, other_token: str, folder: Path) -> None:
    """Another partner registered Hooli; the vendor's direct team works Pied Piper."""
    from workbench.domain.values import new_id
    from workbench.sync.client import SyncClient
    from workbench.sync.protocol import Operation

    hooli = {"customer_name": "Hooli Europe", "customer_domain": "hooli.eu",
             "product": "Data Platform", "deal_value_cents": 7_500_000, "currency": "USD",
             "expected_close_date": (date.today() + timedelta(days=60)).isoformat()}
    record_id = new_id()
    client = SyncClient(url, other_token)
    try:
        client.push([
            Operation(new_id(), "registrations", record_id, "create",
                      fields={k: {"old": None, "new": v} for k, v in hooli.items()}),
            Operation(new_id(), "registrations", record_id, "action", action="submit")])
    finally:
        client.close()
    pipeline = folder / "demo-direct-pipeline.csv"
    pipeline.write_text("name,customer_name,customer_domain,stage,opened_on,owner\n"
                        f"Pied Piper platform,Pied Piper,piedpiper.com,2,"
                        f"{(date.today() - timedelta(days=30)).isoformat()},Direct AE West\n",
                        encoding="utf-8")
    vendor.load_opportunities(pipeline)
