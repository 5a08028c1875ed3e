"""Vendor administration: the service functions and the `workbench-server admin` CLI."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tests.server.support import create_registration, new_id, pull_all
from workbench.server.admin import AdminError
from workbench.server.schema import metadata


def _cli(db_url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workbench.server.cli", "admin", "--db", db_url,
                           *args], capture_output=True, text=True, timeout=60, check=False)


def test_admin_cli_creates_partner_and_user_whose_token_works(vendor_server):
    made = _cli(vendor_server.db_url, "create-partner", "--name", "Cli Partners", "--motion",
                "reseller", "--motion", "services", "--tier", "silver", "--json")
    assert made.returncode == 0, made.stderr
    partner_id = json.loads(made.stdout)["id"]
    user = _cli(vendor_server.db_url, "create-user", "--partner", partner_id, "--email",
                "cli@partner.example", "--json")
    assert user.returncode == 0, user.stderr
    token = json.loads(user.stdout)["token"]
    with vendor_server.client(token) as client:
        assert client.get("/api/v1/me").json()["partner"]["name"] == "Cli Partners"
    listed = json.loads(_cli(vendor_server.db_url, "list-partners", "--json").stdout)
    assert listed[0]["motions"] == ["reseller", "services"]
    # Only the hash is stored.
    with vendor_server.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT token_hash FROM users")).scalar()
    assert token not in stored and len(stored) == 64

    revoked = _cli(vendor_server.db_url, "revoke-user", "--email", "cli@partner.example")
    assert revoked.returncode == 0
    with vendor_server.client(token) as client:
        assert client.get("/api/v1/me").status_code == 401


def test_admin_cli_errors_name_the_field_and_exit_non_zero(vendor_server):
    bad_tier = _cli(vendor_server.db_url, "create-partner", "--name", "X", "--tier", "diamond")
    assert bad_tier.returncode == 1 and "tier" in bad_tier.stderr
    nobody = _cli(vendor_server.db_url, "create-user", "--partner", new_id(), "--email", "a@b.co")
    assert nobody.returncode == 1 and "no partner" in nobody.stderr
    usage = _cli(vendor_server.db_url, "reject", new_id())
    assert usage.returncode == 2 and "--reason" in usage.stderr
    lapse = _cli(vendor_server.db_url, "lapse", "--now", "2030-01-01T00:00:00Z", "--json")
    assert lapse.returncode == 0 and json.loads(lapse.stdout) == {"expired": []}


def test_duplicate_email_and_bad_csv_rows_are_reported(vendor_server, tmp_path):
    partner = vendor_server.create_partner()
    vendor_server.create_user(partner, "rep@acme.example")
    with pytest.raises(AdminError) as error:
        vendor_server.create_user(partner, "REP@acme.example")
    assert error.value.field == "email"
    csv_file = tmp_path / "pipeline.csv"
    csv_file.write_text("name,customer_domain,stage,opened_on\n"
                        "Good deal,good.com,1,2026-01-05\n"
                        "Bad stage,bad.com,seven,2026-01-05\n"
                        ",nameless.com,1,2026-01-05\n"
                        "Bad date,date.com,2,05/01/2026\n")
    with pytest.raises(AdminError) as error:
        vendor_server.admin.load_opportunities(csv_file)
    message = str(error.value)
    assert "line 3: stage" in message and "line 4: name" in message
    assert "line 5: opened_on" in message
    with vendor_server.engine.connect() as conn:  # all or nothing
        assert conn.execute(sa.text("SELECT count(*) FROM direct_opportunities")).scalar() == 0


def test_leads_not_contacted_in_48_hours_are_recycled(vendor_server):
    partner = vendor_server.create_partner()
    assigned = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    quiet = vendor_server.admin.assign_lead(partner, "Quiet Co", now=assigned)
    worked = vendor_server.admin.assign_lead(partner, "Busy Co", now=assigned)
    vendor_server.admin.update_record("leads", worked["id"], working_status="contacted",
                                      first_contact_at="2026-11-03T10:00:00Z")
    assert vendor_server.admin.recycle_leads(now=assigned + timedelta(hours=47)) == []
    assert vendor_server.admin.recycle_leads(now=assigned + timedelta(hours=49)) == [quiet["id"]]
    assert vendor_server.admin.get_record("leads", quiet["id"])["assignment_status"] == "recycled"


def test_cases_are_routed_to_the_partner_of_the_latest_won_deal(vendor_server):
    older, newer = vendor_server.create_partner("Older"), vendor_server.create_partner("Newer")
    for partner, closed in ((older, "2026-01-10"), (newer, "2026-06-10")):
        token = vendor_server.create_user(partner, f"rep@{partner[:8]}.example")
        with vendor_server.client(token) as client:
            create_registration(client, customer_domain="umbrella.com",
                                customer_name="Umbrella Corp")
            # The older deal is won already, so the newer registration is clean.
            opportunity = [c for c in pull_all(client)[0] if c["entity"] == "opportunities"]
        vendor_server.admin.close_opportunity(opportunity[0]["id"], "won", closed_on=closed)
    case = vendor_server.admin.open_case("https://www.Umbrella.com", "Outage")
    assert case["partner_id"] == newer and case["status"] == "new"
    assert vendor_server.admin.open_case("nobody.example", "Hello")["queue"] == "vendor"
    vendor_server.admin.set_case_status(case["id"], "escalated")
    comment = vendor_server.admin.add_case_comment(case["id"], "Engineering is on it")
    assert comment["partner_id"] == newer


def test_attribution_rules_and_program_averages(vendor_server):
    a, b = vendor_server.create_partner("Alpha"), vendor_server.create_partner("Bravo")
    c = vendor_server.create_partner("Charlie")
    deals = []
    for partner, email in ((a, "rep@a.example"), (c, "rep@c.example")):
        with vendor_server.client(vendor_server.create_user(partner, email)) as rep:
            create_registration(rep, customer_name=f"Customer of {email}",
                                customer_domain=f"{email.split('@')[0]}-{partner[:8]}.com")
            deals.append(next(x for x in pull_all(rep)[0] if x["entity"] == "opportunities"))
    opportunity = deals[0]
    with pytest.raises(AdminError, match="one sourced partner"):
        vendor_server.admin.attribute(opportunity["id"], b, "sourced")
    influenced = vendor_server.admin.attribute(opportunity["id"], b, "influenced")
    assert influenced["partner_id"] == b
    vendor_server.admin.close_opportunity(opportunity["id"], "won", amount_cents="$50,000")
    vendor_server.admin.close_opportunity(deals[1]["id"], "lost")
    metrics = vendor_server.admin.publish_averages(period="2026-Q4")
    # Two partners' deals only: close rate and deal size are withheld (issue 13 item 5).
    assert metrics["close_rate_percent"] is None and metrics["avg_deal_size_cents"] is None
    assert metrics["registrations_per_partner"] is None  # two partners registered
    with vendor_server.client(vendor_server.create_user(b, "rep@b.example")) as bravo:
        averages = [x["record"] for x in pull_all(bravo)[0] if x["entity"] == "program_averages"]
        assert averages == []
        create_registration(bravo, customer_name="Bravo's customer",
                            customer_domain="bravo-customer.com")
        metrics = vendor_server.admin.publish_averages(period="2026-Q4")
        assert metrics["registrations_per_partner"] == "1.00"  # 3 registrations, 3 partners
        averages = [x["record"] for x in pull_all(bravo)[0] if x["entity"] == "program_averages"]
    assert {r["metric"]: r["value"] for r in averages} == {"registrations_per_partner": "1.00",
                                                           "registration_approval_rate_percent":
                                                           "100.0"}
    assert all(r["period"] == "2026Q4" and "partner_id" not in r for r in averages)
    # Publishing again updates the same rows.
    vendor_server.admin.publish_averages(period="2026-Q4")
    assert len(vendor_server.admin.list_partners()) == 3


def test_serve_starts_workers_that_answer_with_a_token_made_by_admin(tmp_path):
    """`workbench-server serve --workers 2` on a fresh SQLite file: the deployable path."""
    db_url = f"sqlite:///{tmp_path / 'served.db'}"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "workbench.server.cli", "serve", "--db", db_url, "--port",
         str(port), "--workers", "2", "--log-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        # generous: two workers importing the app on a loaded 2-core machine take 20 s+
        deadline = time.monotonic() + 90
        while True:
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/api/v1/health").status_code == 200
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None, "did not start"
                time.sleep(0.2)
        partner = json.loads(_cli(db_url, "create-partner", "--name", "Served", "--json").stdout)
        user = json.loads(_cli(db_url, "create-user", "--partner", partner["id"], "--email",
                               "rep@served.example", "--json").stdout)
        me = httpx.get(f"http://127.0.0.1:{port}/api/v1/me",
                       headers={"Authorization": f"Bearer {user['token']}",
                                "X-Workbench-Protocol": "1"})
        assert me.status_code == 200 and me.json()["partner"]["name"] == "Served"
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert user["token"] not in errors  # never logged


def test_migrated_schema_matches_the_model(vendor_server):
    """A field added to workbench/domain/model.py needs a new server migration."""
    with vendor_server.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
