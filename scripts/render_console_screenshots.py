"""Render every vendor console page at 1366×768 into docs/screenshots/console-*.png.

    python scripts/render_console_screenshots.py [--out docs/screenshots]

Starts a vendor server on a temporary SQLite file with a small program (partners, waiting and
conflicting registrations, leads, cases, settings changes), signs a channel manager in through
real headless Chromium and saves one PNG per page.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx
import sqlalchemy as sa
from selenium.webdriver.common.by import By

from tests.console.browser import chromium, sign_in, wait_for
from tests.server.support import create_registration, new_id, op, push
from workbench.domain.values import format_datetime
from workbench.server import audit, jobs, program_settings, staff
from workbench.server.app import create_app
from workbench.server.embedded import BoundAdmin, EmbeddedServer
from workbench.server.schema import RECORD_TABLES
from workbench.sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION

EMAIL, PASSWORD = "dana.brooks@vendor.example", "console-demo-password"
PARTNERS = [("Northwind Partners GmbH", "gold", "EMEA", "DACH", ["reseller", "services"]),
            ("Contoso Channel Services", "silver", "NA", "US West", ["referral"]),
            ("Fabrikam Solutions", "platinum", "EMEA", "UK & Ireland", ["reseller", "co-sell"]),
            ("Litware Systems", "bronze", "APAC", "ANZ", ["services"]),
            ("Adventure Works Consulting", "gold", "NA", "US East", ["services", "co-sell"]),
            ("Tailspin Integrators", "silver", "EMEA", "Nordics", ["reseller"]),
            ("Wide World Importers", "bronze", "LATAM", "Brazil", ["referral"]),
            ("Proseware Partners", "silver", "NA", "Canada", ["reseller"])]
CUSTOMERS = ["Globex Corporation", "Initech", "Umbrella Health", "Vandelay Industries",
             "Stark Logistics", "Nakatomi Trading", "Tyrell Robotics", "Wonka Foods",
             "Cyberdyne Systems", "Oscorp Pharma", "Soylent Nutrition", "Aperture Labs",
             "Hooli Europe", "Pied Piper", "Massive Dynamic", "Blue Sun Corp"]


def build(server_url: str, vendor: BoundAdmin, engine, folder: Path) -> dict[str, str]:
    now = datetime.now(UTC)
    with audit.acting_as("cli:setup"):
        ids = [vendor.create_partner(n, tier=t, region=r, territory=te, motions=m,
                                     channel_manager="Dana Brooks",
                                     joined_on=(now - timedelta(days=400)).date().isoformat())
               for n, t, r, te, m in PARTNERS]
        staff.create_staff(engine, EMAIL, PASSWORD, role="admin", name="Dana Brooks")
        pipeline = folder / "pipeline.csv"
        pipeline.write_text(
            "name,customer_name,customer_domain,stage,opened_on,owner\n"
            f"Pied Piper platform,Pied Piper,piedpiper.com,1,"
            f"{(now - timedelta(days=3)).date().isoformat()},Direct AE West\n", encoding="utf-8")
        vendor.load_opportunities(pipeline)
    tokens = {pid: vendor.create_user(pid, f"rep{i}@partner{i}.example", name=f"Rep {i}").token
              for i, pid in enumerate(ids)}
    created = {}
    for index, customer in enumerate(CUSTOMERS):
        partner = ids[index % 6]
        domain = customer.lower().replace(" ", "") + ".com"
        with _client(server_url, tokens[partner]) as client:
            record = create_registration(client, customer_name=customer, customer_domain=domain,
                                         deal_value_cents=(18 + 7 * index) * 100_000,
                                         product=("Analytics Suite", "Data Platform",
                                                  "Security Add-on")[index % 3])["record"]
        hours = (70, 52, 46, 40, 30, 22, 15, 9, 5, 2, 1, 60, 36, 12, 8, 4)[index]
        vendor.update_record("registrations", record["id"],
                             submitted_at=format_datetime(now - timedelta(hours=hours)))
        created[customer] = record["id"]
    # Proseware last registered 120 days ago (re-engagement); Wide World never (offboarding)
    with _client(server_url, tokens[ids[7]]) as client:
        quiet = create_registration(client, customer_name="Old Deal Co",
                                    customer_domain="olddeal.com")["record"]
    vendor.update_record("registrations", quiet["id"],
                         submitted_at=format_datetime(now - timedelta(days=120)))
    vendor.approve(quiet["id"], now=now - timedelta(days=119))  # lapses in the jobs run below
    # a year of Northwind's deals, for its dashboard
    opportunities = RECORD_TABLES["opportunities"]
    for n, (amount, outcome, days) in enumerate([(42_000, "won", 300), (65_000, "won", 220),
                                                 (30_000, "lost", 180), (88_000, "won", 120)]):
        with _client(server_url, tokens[ids[0]]) as client:
            past = create_registration(client, customer_name=f"Past Customer {n + 1}",
                                       customer_domain=f"past{n + 1}.example.com",
                                       deal_value_cents=amount * 100)["record"]
        decided = now - timedelta(days=days)
        vendor.update_record("registrations", past["id"],
                             submitted_at=format_datetime(decided - timedelta(hours=20)))
        vendor.approve(past["id"], now=decided)
        with engine.connect() as conn:
            deal = conn.execute(sa.select(opportunities.c.id).where(
                opportunities.c.registration_id == past["id"])).scalar_one()
        closed = decided + timedelta(days=50)
        vendor.close_opportunity(deal, outcome, closed_on=closed.date().isoformat(), now=closed)
    # a second partner registers Globex: a partner-vs-partner conflict
    with _client(server_url, tokens[ids[1]]) as client:
        create_registration(client, customer_name="Globex Corp", customer_domain="globex.com")
    with audit.acting_as(EMAIL):
        for customer in CUSTOMERS[10:13]:
            vendor.approve(created[customer])
        vendor.reject(created["Blue Sun Corp"], "The customer is a named account of the direct "
                                                "team in this territory.")
        for i, (company, region, hours) in enumerate([("Alpine Outfitters", "EMEA", 3),
                                                      ("Blue Harbor Shipping", "NA", 20),
                                                      ("Cedar Grove Clinics", "EMEA", 40),
                                                      ("Delta Microsystems", "APAC", 47),
                                                      ("Evergreen Retail", "NA", 60)]):
            vendor.create_lead(company, company_domain=company.split()[0].lower() + ".com",
                               contact_name="Alex Morgan", region=region, source="Webinar",
                               now=now - timedelta(hours=hours))
        vendor.create_lead("Fjord Analytics", region="LATAM", industry="Retail")
        vendor.add_lead_rule("EMEA healthcare to Gold+", region="EMEA", industry="Healthcare",
                             min_tier="gold")
        vendor.open_case("globex.com", "Licence key not accepted after renewal",
                         severity="high", description="3 of 12 nodes reject the renewed key.",
                         partner_id=ids[0])
        vendor.open_case("newcustomer.example", "Trial extension request", severity="normal")
        case = vendor.open_case("initech.com", "SSO outage for all users", severity="urgent",
                                partner_id=ids[1])
        vendor.add_case_comment(case["id"], "Engineering is on it; next update at 14:00 UTC.",
                                author="Dana Brooks (vendor support)")
        program_settings.change(engine, {"decision_sla_hours": "48", "protection_days": "90",
                                         "auto_approve": False})
    mdf_id = _partner_year(server_url, vendor, tokens[ids[0]], created, folder, now)
    jobs.run_all(engine)
    return {"registration": created["Pied Piper"], "partner": ids[0], "case": case["id"],
            "mdf": mdf_id}


def _partner_year(server_url: str, vendor: BoundAdmin, token: str, created: dict[str, str],
                  folder: Path, now: datetime) -> str:
    """What a partner's year brings the console: a change of deal terms to decide, an MDF
    request to pre-approve, a commission dispute to answer, documents in the library."""
    approved = created["Hooli Europe"]  # Northwind's, approved above
    mdf_id = new_id()
    start = (now + timedelta(days=30)).date()
    with _client(server_url, token) as client:
        push(client, op("registration_amendments", new_id(), "create", {
            "registration_id": approved, "deal_value_cents": 6_500_000,
            "note": "The customer adds two more sites; signature moves a quarter."}))
        push(client, op("mdf_requests", mdf_id, "create", {
            "activity_name": "Data Platform roadshow Munich", "requested_cents": 900_000,
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=2)).isoformat(),
            "expected_pipeline_cents": 12_000_000,
            "description": "Two-day roadshow; leads go to the registrations desk."}),
            op("mdf_requests", mdf_id, "action", base_version=1, action="submit"))
        lines = vendor.list_commissions()
        if lines:
            line = vendor.get_record("commissions", lines[0]["id"])
            push(client, op("commissions", line["id"], "update", {
                "dispute_reason": "The deal closed at a higher amount after the upsell.",
                "disputed_at": format_datetime(now)}, base_version=line["version"]))
    for title, tier in (("2027 partner price list", "gold"), ("Partner pitch deck", "silver"),
                        ("Product brochure", None)):
        document = folder / f"{title.replace(' ', '-')}.txt"
        document.write_text(f"{title}\n", encoding="utf-8")
        vendor.publish_content(document, title, tier=tier, description=f"{title} for partners.")
    return mdf_id


def _client(url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=30, headers={
        "Authorization": f"Bearer {token}", PROTOCOL_HEADER: str(PROTOCOL_VERSION)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(f"sqlite:///{folder}/console.db", auto_approve=False)
        server = EmbeddedServer(app)
        url = server.start()
        try:
            ids = build(url, BoundAdmin(app.state.engine), app.state.engine, Path(folder))
            with chromium() as driver:
                driver.get(f"{url}/console/sign-in")
                driver.save_screenshot(str(out / "console-sign-in.png"))
                sign_in(driver, url, EMAIL, PASSWORD)
                pages = [("queue", "/console/"),
                         ("conflict", f"/console/registrations/{ids['registration']}"),
                         ("leads", "/console/leads"), ("cases", "/console/cases"),
                         ("case", f"/console/cases/{ids['case']}"),
                         ("partners", "/console/partners"),
                         ("partner", f"/console/partners/{ids['partner']}"),
                         ("settings", "/console/settings"), ("audit", "/console/audit"),
                         ("account", "/console/account"), ("amendments", "/console/amendments"),
                         ("commissions", "/console/commissions"), ("mdf", "/console/mdf"),
                         ("mdf-request", f"/console/mdf/{ids['mdf']}"),
                         ("content", "/console/content")]
                for name, path in pages:
                    driver.get(url + path)
                    wait_for(lambda: driver.find_elements(By.TAG_NAME, "main"), what=path)
                    target = out / f"console-{name}.png"
                    driver.save_screenshot(str(target))
                    print(target)
        finally:
            server.stop()
            app.state.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
