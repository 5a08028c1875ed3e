"""A small partner with known data, and the scorecard figures worked out by hand.

Used by the domain tests (plain rows) and the report tests (the same rows in a real store).
The scorecard is computed at NOW, inside Q3 2026 (1 Jul – 30 Sep):

- last 90 days: timestamps from 2026-05-17T12:00Z to NOW;
- last 12 months: closing dates from 2025-08-15 to 2026-08-15;
- last 30 days: timestamps from 2026-07-16T12:00Z.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

NOW = datetime(2026, 8, 15, 12, 0, tzinfo=UTC)
PARTNER_ID = "00000000-0000-4000-8000-000000000001"
PARTNER_NAME = "Müller GmbH"
JOINED_ON = "2025-05-01"

PARTNER = {"id": PARTNER_ID, "name": PARTNER_NAME, "tier": "silver", "joined_on": JOINED_ON}


def _id(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def ts(text: str) -> str:
    """'2026-08-01 09:00' → the wire form of that UTC moment."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _registration(n: int, status: str, submitted: str | None, approved: str | None = None,
                  decided: str | None = None) -> dict[str, Any]:
    return {"id": _id(100 + n), "customer_name": f"Customer {n}", "product": "Suite",
            "deal_value_cents": 1_000_000, "expected_close_date": "2026-12-31", "status": status,
            "submitted_at": ts(submitted) if submitted else None,
            "approved_at": ts(approved) if approved else None,
            "decided_at": ts(decided or approved) if (decided or approved) else None}


REGISTRATIONS = [
    _registration(1, "approved", "2026-08-01 09:00", "2026-08-02 09:00"),  # approved in 24 h
    _registration(2, "won", "2026-07-10 10:00", "2026-07-10 14:00"),  # approved in 4 h
    _registration(3, "rejected", "2026-06-01 08:00", decided="2026-06-03 08:00"),
    _registration(4, "submitted", "2026-08-14 08:00"),  # waiting for the vendor
    _registration(5, "won", "2026-04-01 00:00", "2026-04-03 00:00"),  # before the 90 days
    _registration(6, "draft", None),  # never submitted
    _registration(7, "won", "2025-06-01 00:00", "2025-06-02 00:00"),  # before the 12 months
]
R = {n: _id(100 + n) for n in range(1, 8)}


def _opportunity(n: int, customer: str, domain: str, amount: int, opened: str, outcome: str,
                 closed: str | None = None, stage: int = 5,
                 registration: str | None = None) -> dict[str, Any]:
    return {"id": _id(200 + n), "name": f"{customer} deal {n}", "customer_name": customer,
            "customer_domain": domain, "registration_id": registration, "stage": stage,
            "amount_cents": amount, "currency": "USD", "opened_on": opened, "closed_on": closed,
            "outcome": outcome}


OPPORTUNITIES = [
    _opportunity(1, "Société Générale", "socgen.com", 4_500_000, "2026-07-11", "won", "2026-08-05",
                 registration=R[2]),  # 25 days
    _opportunity(2, "Müller Logistik AG", "mueller-logistik.de", 12_000_000, "2026-04-04", "won",
                 "2026-06-03", registration=R[5]),  # 60 days
    _opportunity(3, "Globex Inc", "globex.com", 3_000_000, "2026-01-10", "lost", "2026-03-01"),
    _opportunity(4, "Globex Inc", "globex.com", 2_000_000, "2026-08-02", "open", stage=1,
                 registration=R[1]),
    _opportunity(5, "Müller Logistik AG", "mueller-logistik.de", 7_500_000, "2026-05-01", "open",
                 stage=3),
    _opportunity(6, "Societe Generale SA", "socgen.com", 6_000_000, "2025-09-01", "won",
                 "2025-10-11"),  # 40 days; a direct deal the partner influenced
    _opportunity(7, "Initech", "initech.com", 1_000_000, "2025-06-02", "won", "2025-07-15",
                 registration=R[7]),  # the first deal: 75 days after joining
]
O = {n: _id(200 + n) for n in range(1, 8)}

ATTRIBUTIONS = [
    {"id": _id(301), "opportunity_id": O[1], "role": "sourced", "split_percent": 100},
    {"id": _id(302), "opportunity_id": O[2], "role": "sourced", "split_percent": None},
    {"id": _id(303), "opportunity_id": O[3], "role": "sourced", "split_percent": 100},
    {"id": _id(304), "opportunity_id": O[4], "role": "sourced", "split_percent": 100},
    {"id": _id(306), "opportunity_id": O[6], "role": "influenced", "split_percent": 50},
    {"id": _id(307), "opportunity_id": O[7], "role": "sourced", "split_percent": 100},
]


def _lead(n: int, assigned: str, contacted: str | None = None,
          status: str = "new") -> dict[str, Any]:
    return {"id": _id(400 + n), "company_name": f"Lead {n}", "assigned_at": ts(assigned),
            "assignment_status": "assigned", "working_status": status,
            "first_contact_at": ts(contacted) if contacted else None}


LEADS = [
    _lead(1, "2026-08-01 10:00", "2026-08-02 10:00", "contacted"),  # met
    _lead(2, "2026-07-01 10:00", "2026-07-03 10:00", "contacted"),  # exactly 48 h: met
    _lead(3, "2026-07-01 10:00", "2026-07-04 10:00", "contacted"),  # late: breached
    _lead(4, "2026-06-01 10:00"),  # never contacted: breached
    _lead(5, "2026-08-15 00:00"),  # 12 hours old: pending
    _lead(6, "2026-07-20 10:00", status="rejected"),  # rejected: not counted
    _lead(7, "2026-01-01 10:00"),  # before the 90 days
    _lead(8, "2026-07-05 10:00", status="contacted"),  # contacted, no time recorded: met
]


def _events(kind: str, count: int, day: str) -> list[dict[str, Any]]:
    return [{"id": f"{kind}-{day}-{i}", "kind": kind, "occurred_at": ts(f"{day} {10 + i % 8}:00"),
             "user_email": "anna@mueller.example"} for i in range(count)]


# Last 30 days: seed 003's monthly worked example (8 logins, 5 downloads, 2 registrations,
# 1 deal won, 1 training = 33.5). 30-90 days back: 12 logins and 1 registration (+17).
ACTIVITY_EVENTS = [
    *_events("login", 8, "2026-08-03"), *_events("download", 5, "2026-08-04"),
    *_events("registration", 2, "2026-08-05"), *_events("closed_won", 1, "2026-08-05"),
    *_events("training", 1, "2026-08-06"), *_events("content_share", 4, "2026-08-06"),
    *_events("login", 12, "2026-06-10"), *_events("registration", 1, "2026-06-11"),
    *_events("login", 30, "2026-04-01"),  # before the 90 days
]

PARTNER_USERS = [{"id": _id(500 + i), "email": f"{name}@mueller.example", "name": name.title()}
                 for i, name in enumerate(("anna", "bernd", "chloé", "dieter"))]

LEARNING_RECORDS = [
    {"id": _id(601), "user_email": "anna@mueller.example", "kind": "certification",
     "name": "Sales Basics", "level": "basic", "status": "completed",
     "completed_at": ts("2025-01-01 09:00"), "expires_on": "2027-01-01"},
    {"id": _id(602), "user_email": "bernd@mueller.example", "kind": "certification",
     "name": "Architect", "level": "advanced", "status": "completed",
     "completed_at": ts("2024-01-01 09:00"), "expires_on": "2026-01-01"},  # expired
    {"id": _id(603), "user_email": "CHLOÉ@mueller.example", "kind": "training",
     "name": "Onboarding", "status": "completed", "completed_at": ts("2026-02-01 09:00")},
    {"id": _id(604), "user_email": "dieter@mueller.example", "kind": "certification",
     "name": "Expert", "level": "expert", "status": "in_progress"},
    {"id": _id(605), "user_email": "eve@mueller.example", "kind": "training",
     "name": "Onboarding", "status": "in_progress"},  # not a partner user, but one of its people
]

PROGRAM_AVERAGES = [
    {"id": _id(701), "period": "2026-Q2", "metric": "close_rate_percent", "value": "60.0"},
    {"id": _id(702), "period": "2026-Q3", "metric": "close_rate_percent", "value": "62.5"},
    {"id": _id(703), "period": "2026-Q4", "metric": "close_rate_percent", "value": "99.0"},
    {"id": _id(704), "period": "2026Q3", "metric": "avg_deal_size_cents", "value": "5000000"},
    {"id": _id(705), "period": "2026-Q1", "metric": "avg_sales_cycle_days", "value": "45.5"},
    {"id": _id(706), "period": "someday", "metric": "avg_sales_cycle_days", "value": "1.0"},
    {"id": _id(707), "period": "2026-Q3", "metric": "registrations_per_partner", "value": "3.25"},
    {"id": _id(708), "period": "2026-Q3", "metric": "registration_approval_rate_percent",
     "value": "not a number"},
]

ROWS = {"registrations": REGISTRATIONS, "opportunities": OPPORTUNITIES,
        "attributions": ATTRIBUTIONS, "leads": LEADS, "activity_events": ACTIVITY_EVENTS,
        "partner_users": PARTNER_USERS, "learning_records": LEARNING_RECORDS}

# The figures at NOW, worked out by hand from the rows above.
EXPECTED = {
    "registrations_90d": 4,  # registrations 1-4
    "approval_rate_90d": ("66.7", 2, 3),  # 1 and 2 approved, 3 rejected, 4 undecided
    "approval_time_90d": "14.0",  # median of 24 h and 4 h
    "open_pipeline": (9_500_000, 2),  # opportunities 4 and 5
    "close_rate_12m": ("75.0", 3, 4),  # 1, 2, 6 won; 3 lost
    "average_deal_size_12m": 7_500_000,  # ($45,000 + $120,000 + $60,000) / 3
    "average_sales_cycle_12m": "41.7",  # (25 + 60 + 40) / 3
    "closed_revenue_12m": 22_500_000,
    "sourced_revenue_12m": 16_500_000,  # opportunities 1 and 2 at 100 %
    "influenced_revenue_12m": 3_000_000,  # opportunity 6 at 50 %
    "registration_to_close_12m": ("40.0", 2, 5),  # of 1-5 submitted, 2 and 5 won
    "time_to_first_deal": 75,  # 2025-05-01 → 2025-07-15
    "lead_sla_90d": ("60.0", 3, 5),  # met 1, 2, 8; breached 3, 4; 5 pending
    "engagement_30d": "33.5",
    "engagement_90d": "50.5",
    "tier_points": 58,  # revenue 25 + registrations 8 + basic 5 + NPS 0 + engagement 20
    "certification_completion": ("40.0", 2, 5),  # anna, chloé of anna…dieter, eve
}
