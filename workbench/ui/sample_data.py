"""Sample records for screenshots, the UI benchmark and UI tests, when no demo vendor runs.

The records are written as a sync would leave them (server versions, vendor decisions), plus a
few local edits, a rejected change and a conflict, so every view has something true to show.
`fill_bulk` writes many rows fast for the 100k-record benchmark.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from workbench.domain.values import format_datetime, new_id, now_text
from workbench.store import records
from workbench.store.db import Store
from workbench.store.schema import RECORD_TABLES, conflicts, outbox, sync_log

COMPANIES = [
    ("Acme Corporation", "acme.com", "Manufacturing", "United States"),
    ("Globex GmbH", "globex.de", "Energy", "Germany"),
    ("Initech Ltd", "initech.co.uk", "Software", "United Kingdom"),
    ("Umbrella Health", "umbrella-health.com", "Healthcare", "United States"),
    ("Northwind Traders", "northwind.com", "Retail", "Canada"),
    ("Contoso Pharmaceuticals", "contoso-pharma.com", "Pharma", "Switzerland"),
    ("Fabrikam Logistics", "fabrikam.io", "Logistics", "Netherlands"),
    ("Tailspin Airlines", "tailspin.aero", "Airlines", "Ireland"),
    ("Wingtip Hotels", "wingtiphotels.com", "Hospitality", "Spain"),
    ("Litware Analytics", "litware.ai", "Software", "United States"),
    ("Adatum Insurance", "adatum.com", "Insurance", "France"),
    ("Proseware Media", "proseware.net", "Media", "United States"),
    ("Lucerne Capital", "lucernecap.ch", "Finance", "Switzerland"),
    ("Blue Yonder Foods", "blueyonderfoods.com", "Food", "Australia"),
    ("Cyberdyne Robotics", "cyberdyne.com", "Robotics", "Japan"),
    ("Stark Energy Systems", "starkenergy.com", "Energy", "United States"),
    ("Wayne Telecom", "waynetel.com", "Telecom", "United States"),
    ("Vandelay Industries", "vandelay.com", "Import/Export", "United States"),
    ("Soylent Nutrition", "soylent-nutrition.com", "Food", "United States"),
    ("Nakatomi Trading", "nakatomi.jp", "Finance", "Japan"),
    ("Oscorp Biotech", "oscorp.bio", "Biotech", "United States"),
    ("Aperture Science", "aperture.com", "Research", "United States"),
    ("Monarch Paper Company", "monarchpaper.com", "Paper", "United States"),
    ("Hooli Cloud", "hooli.xyz", "Software", "United States"),
    ("Pied Piper Compression", "piedpiper.com", "Software", "United States"),
    ("Dunder Mifflin Paper", "dundermifflin.com", "Paper", "United States"),
    ("Massive Dynamic", "massivedynamic.com", "Research", "United States"),
    ("Tyrell Biosystems", "tyrell.com", "Biotech", "United States"),
]
PRODUCTS = ["Analytics Suite", "Security Cloud", "Data Platform", "Edge Gateway", "Support Plus"]
PEOPLE = ["Maria Lopez", "Jon Park", "Aisha Khan", "Tom Becker", "Lena Fischer", "Ravi Patel",
          "Chloé Martin", "Sam Okafor", "Emma Stone", "Kenji Sato", "Olivia Brown", "Noah Weber"]


def _ts(moment: datetime) -> str:
    return format_datetime(moment)


def _meta(now: datetime, partner_id: str, version: int = 3, age_days: float = 30) -> dict[str, Any]:
    created = now - timedelta(days=age_days)
    return {"id": new_id(), "partner_id": partner_id, "created_at": _ts(created),
            "updated_at": _ts(now - timedelta(days=min(age_days, 2))), "version": version,
            "deleted": False}


def _insert(conn: sa.Connection, entity_name: str, rows: list[dict[str, Any]]) -> None:
    """Bulk insert; every row gets every column (executemany needs the same keys)."""
    if not rows:
        return
    table = RECORD_TABLES[entity_name]
    keys = {c.name for c in table.c}
    conn.execute(sa.insert(table), [{k: row.get(k) for k in keys} for row in rows])


def fill_sample(store: Store, now: datetime | None = None, seed: int = 5) -> dict[str, Any]:
    """A small, believable partner workbench; returns ids of interesting records."""
    now = now or datetime.now(UTC)
    rng = random.Random(seed)
    partner_id = new_id()
    ids: dict[str, Any] = {}
    with store.transaction() as conn:
        for key, value in (("partner_id", partner_id), ("partner_name", "Brightline Solutions"),
                           ("user_email", "sam.rep@brightline.example"), ("partner_tier", "gold")):
            records.set_state(conn, key, value)
        accounts, contacts, regs, opps, attributions = [], [], [], [], []
        for number, (name, domain, industry, country) in enumerate(COMPANIES):
            account = {**_meta(now, partner_id, age_days=200 - number * 5), "name": name,
                       "domain": domain, "industry": industry, "country": country,
                       "region": "EMEA"
                       if country not in ("United States", "Canada", "Japan", "Australia") else
                       ("AMER" if country in ("United States", "Canada") else "APAC")}
            accounts.append(account)
            for person in rng.sample(PEOPLE, 2):
                first, last = person.split()
                contacts.append({**_meta(now, partner_id), "account_id": account["id"], "name": person,
                                 "email": f"{first.lower()}.{last.lower()}@{domain}",
                                 "role": rng.choice(["CIO", "IT Director", "Procurement", "CFO"])})
        statuses = [("approved", 80), ("approved", 78), ("approved", 20), ("approved", 45),
                    ("approved", 5), ("submitted", None), ("pending_review", None),
                    ("rejected", None), ("draft", None), ("won", 60), ("lost", 50),
                    ("expired", 100), ("withdrawn", None), ("approved", 62), ("pending_review", None),
                    ("approved", 86), ("submitted", None), ("draft", None)]
        for number, (status, approved_days) in enumerate(statuses):
            account = accounts[number]
            approved = now - timedelta(days=approved_days, hours=3) if approved_days is not None else None
            reg = {**_meta(now, partner_id, version=1 if status == "draft" else 4, age_days=95),
                   "account_id": account["id"], "customer_name": account["name"],
                   "customer_domain": account["domain"], "product": PRODUCTS[number % len(PRODUCTS)],
                   "deal_value_cents": rng.choice([25_000, 48_000, 120_000, 75_500, 310_000, 18_900]) * 100,
                   "currency": "USD",
                   "expected_close_date": (now + timedelta(days=rng.randint(15, 150))).date().isoformat(),
                   "status": status, "notes": None}
            if status not in ("draft",):
                reg["submitted_at"] = _ts(now - timedelta(days=(approved_days or 10) + 1))
                reg["registration_number"] = f"DR-{26000 + number * 17}" if status != "submitted" else None
            if approved is not None:
                reg.update(approved_at=_ts(approved), decided_at=_ts(approved),
                           protection_expires_at=_ts(approved + timedelta(days=90)))
            if status in ("won", "lost"):  # the vendor records the close as the last decision
                reg["decided_at"] = _ts(now - timedelta(days=5))
            if status == "pending_review":
                reg["review_reason"] = "conflict"
                reg["decision_reason"] = "another registration for this customer is being reviewed"
            if status == "rejected":
                reg["decision_reason"] = "the customer is managed by the vendor's direct team"
            if status == "draft":
                reg["version"] = 0
            regs.append(reg)
            if status in ("approved", "won", "lost"):
                outcome = {"won": "won", "lost": "lost"}.get(status, "open")
                opp = {**_meta(now, partner_id), "name": f"{account['name']} — {reg['product']}",
                       "customer_name": account["name"], "customer_domain": account["domain"],
                       "registration_id": reg["id"], "stage": rng.randint(1, 5) if outcome == "open" else 5,
                       "amount_cents": reg["deal_value_cents"], "currency": "USD",
                       "opened_on": (now - timedelta(days=60)).date().isoformat(),
                       "expected_close_date": reg["expected_close_date"], "outcome": outcome,
                       "closed_on": (now - timedelta(days=5)).date().isoformat()
                       if outcome != "open" else None}
                opps.append(opp)
                attributions.append({**_meta(now, partner_id), "opportunity_id": opp["id"],
                                     "role": "sourced", "split_percent": 100 if number % 3 else 70})
                if number % 3 == 0:
                    attributions.append({**_meta(now, partner_id), "opportunity_id": opp["id"],
                                         "role": "influenced", "split_percent": 30})
        ids["expiring"] = regs[0]["id"]
        ids["draft"] = regs[8]["id"]
        ids["rejected"] = regs[7]["id"]
        leads = []
        for number, hours in enumerate([40, 30, 50, 4, 20, 60, 10, 46]):
            name, domain, _industry, _country = COMPANIES[-(number + 1)]
            person = PEOPLE[number]
            first, last = person.split()
            working = ["new", "accepted", "new", "new", "contacted", "rejected", "new", "accepted"][number]
            lead = {**_meta(now, partner_id, age_days=hours / 24), "company_name": name.split()[0] + " " +
                    ["Group", "Partners", "Labs", "Works", "Systems", "Retail", "Digital",
                     "Services"][number],
                    "company_domain": "lead-" + domain, "contact_name": person,
                    "contact_email": f"{first.lower()}@lead-{domain}",
                    "source": ["Webinar", "Trade show", "Website", "Referral"][number % 4],
                    "assigned_at": _ts(now - timedelta(hours=hours)), "assignment_status": "assigned",
                    "working_status": working,
                    "first_contact_at": _ts(now - timedelta(hours=hours - 8))
                    if working == "contacted" else None,
                    "rejection_reason": "outside our territory" if working == "rejected" else None}
            leads.append(lead)
        ids["lead_new"] = leads[3]["id"]
        cases = []
        for number, status in enumerate(["open", "waiting_on_partner", "escalated", "resolved",
                                         "waiting_on_partner", "new"]):
            account = accounts[number + 2]
            cases.append({**_meta(now, partner_id, age_days=12 - number), "account_id": account["id"],
                          "customer_domain": account["domain"],
                          "subject": ["Login fails after SSO change", "Licence key not accepted",
                                      "Data sync stalls at 90%", "Invoice shows wrong tier",
                                      "Gateway drops connections", "Need sandbox for trial"][number],
                          "description": "Customer reports the problem since the last update.",
                          "severity": ["high", "normal", "urgent", "low", "normal", "normal"][number],
                          "escalation_requested": status == "escalated", "status": status,
                          "case_number": f"CS-{4100 + number}"})
        comments = [{**_meta(now, partner_id, age_days=3), "case_id": cases[1]["id"],
                     "body": "Please send the licence file the customer received.",
                     "author": "support@vendor.example"},
                    {**_meta(now, partner_id, age_days=2), "case_id": cases[1]["id"],
                     "body": "Attached — it was issued for the wrong edition.",
                     "author": "sam.rep@brightline.example"}]
        ids["case"] = cases[0]["id"]
        for name, rows in (("accounts", accounts), ("contacts", contacts), ("registrations", regs),
                           ("opportunities", opps), ("attributions", attributions), ("leads", leads),
                           ("cases", cases), ("case_comments", comments)):
            _insert(conn, name, rows)
        ids["account"] = accounts[0]["id"]
        # A conflict: the rep and the vendor both changed the notes of an account.
        target = accounts[4]
        accounts_table = RECORD_TABLES["accounts"]
        conn.execute(sa.update(accounts_table).where(accounts_table.c.id == target["id"])
                     .values(notes="Renewal in Q3; talk to Lena first"))
        ids["conflict"] = new_id()
        conn.execute(sa.insert(conflicts).values(
            id=ids["conflict"], entity="accounts", record_id=target["id"], field="notes",
            base_value="Renewal in Q3", mine_value="Renewal in Q3; talk to Lena first",
            theirs_value="Renewal moved to Q4 (procurement freeze)", theirs_version=4,
            created_at=_ts(now - timedelta(hours=5))))
        # A change the vendor rejected, with its reason.
        conn.execute(sa.insert(outbox).values(
            op_id=new_id(), entity="registrations", record_id=regs[7]["id"], kind="action",
            action="submit", fields={}, base_version=3, created_at=_ts(now - timedelta(days=1, hours=2)),
            state="rejected", reason="the expected close date 2026-01-15 is in the past",
            reason_field="expected_close_date", finished_at=_ts(now - timedelta(days=1))))
        for outcome, pushed, pulled, hours in [("ok", 4, 130, 30), ("failed", 0, 0, 6),
                                               ("ok", 2, 11, 2)]:
            started = now - timedelta(hours=hours)
            conn.execute(sa.insert(sync_log).values(
                started_at=_ts(started), finished_at=_ts(started + timedelta(seconds=2)),
                outcome=outcome, pushed=pushed, pulled=pulled,
                message=None if outcome == "ok" else "vendor server unreachable (connection refused)"))
        records.set_state(conn, "last_successful_sync_at", _ts(now - timedelta(hours=2)))
        # Local edits not yet sent: they show as pending changes.
        records.create(conn, "contacts", {"account_id": accounts[1]["id"], "name": "Priya Nair",
                                          "email": "priya.nair@globex.de", "role": "CTO"})
        records.perform_action(conn, "registrations", regs[17]["id"], "submit")
    return ids


def fill_bulk(store: Store, count: int, seed: int = 7) -> None:
    """`count` records spread over accounts, registrations, leads and cases (bulk insert)."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    stamp = now_text()
    words = [c[0].split()[0] for c in COMPANIES]
    kinds = ["Logistics", "Robotics", "Analytics", "Systems", "Foods", "Bank", "Health", "Energy"]
    statuses = ["draft", "submitted", "pending_review", "approved", "rejected", "won", "lost"]
    n_accounts, n_regs = int(count * 0.4), int(count * 0.4)
    n_leads = int(count * 0.1)
    n_cases = count - n_accounts - n_regs - n_leads
    base = {"created_at": stamp, "updated_at": stamp, "version": 1, "deleted": False}
    accounts = []
    for i in range(n_accounts):
        name = f"{rng.choice(words)} {rng.choice(words)} {rng.choice(kinds)} {i}"
        accounts.append({**base, "id": new_id(), "name": name,
                         "domain": f"{name.split()[0].lower()}{i}.com",
                         "industry": rng.choice(kinds),
                         "country": rng.choice(["Germany", "France", "United States"])})
    regs = []
    for i in range(n_regs):
        account = accounts[i % n_accounts]
        status = rng.choice(statuses)
        approved = _ts(now - timedelta(days=rng.randint(0, 89))) if status == "approved" else None
        regs.append({**base, "id": new_id(), "account_id": account["id"],
                     "customer_name": account["name"], "customer_domain": account["domain"],
                     "product": rng.choice(PRODUCTS), "deal_value_cents": rng.randint(1, 500) * 100_000,
                     "currency": "USD", "expected_close_date": f"2027-{rng.randint(1, 12):02d}-15",
                     "status": status, "approved_at": approved})
    leads = [{**base, "id": new_id(), "company_name": f"{rng.choice(words)} Lead {i}",
              "company_domain": f"lead{i}.com", "contact_name": rng.choice(PEOPLE),
              "source": "Website", "assigned_at": _ts(now - timedelta(hours=rng.randint(1, 80))),
              "assignment_status": "assigned", "working_status": rng.choice(["new", "accepted", "contacted"])}
             for i in range(n_leads)]
    cases = [{**base, "id": new_id(), "account_id": accounts[i % n_accounts]["id"],
              "customer_domain": accounts[i % n_accounts]["domain"], "subject": f"Case {i}",
              "severity": "normal", "status": rng.choice(["new", "open", "waiting_on_partner", "resolved"]),
              "case_number": f"CS-{i}"} for i in range(n_cases)]
    with store.transaction() as conn:
        for name, rows in (("accounts", accounts), ("registrations", regs), ("leads", leads),
                           ("cases", cases)):
            for start in range(0, len(rows), 20_000):
                _insert(conn, name, rows[start:start + 20_000])
