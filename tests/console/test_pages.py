"""Console pages doing their job over HTTP: answers reach the partner by sync, settings take
effect, tokens are shown once, big lists are paged, empty pages say what to do."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from tests.console.conftest import ADMIN_EMAIL
from tests.server.support import create_registration, new_id, op, pull_all, push
from workbench.domain.values import parse_datetime
from workbench.server.schema import RECORD_TABLES


def test_empty_pages_say_what_to_do(console):
    client, _ = console.signed_in()
    assert "Nothing is waiting for a decision" in client.get("/console/").text
    assert "No cases here" in client.get("/console/cases").text
    assert "No leads here" in client.get("/console/leads").text
    assert "create-partner" in client.get("/console/partners").text


def test_a_case_answer_reaches_the_partner_by_sync(console):
    server = console.server
    partner = server.create_partner("Acme Resellers")
    with server.client(server.create_user(partner, "rep@acme.example")) as rep:
        account = new_id()
        case = new_id()
        push(rep, op("accounts", account, "create", {"name": "Umbrella", "domain": "umbrella.com"}),
             op("cases", case, "create", {"account_id": account, "subject": "Outage",
                                          "customer_domain": "umbrella.com"}))
        client, csrf = console.signed_in()
        listed = client.get("/console/cases").text
        assert "Outage" in listed and "Acme Resellers" in listed
        answer = client.post(f"/console/cases/{case}/comment", data={
            "csrf": csrf, "body": "Please send the logs", "status": "waiting_on_partner"})
        assert answer.status_code == 303
        changes, _ = pull_all(rep)
    comments = [c["record"] for c in changes if c["entity"] == "case_comments"]
    assert comments[0]["body"] == "Please send the logs"
    assert comments[0]["author"] == "Dana Brooks (vendor support)"
    cases = [c["record"] for c in changes if c["entity"] == "cases"]
    assert cases[-1]["status"] == "waiting_on_partner"


def test_a_new_users_token_is_shown_once_and_works_until_revoked(console):
    server = console.server
    partner = server.create_partner("Acme Resellers")
    client, csrf = console.signed_in()
    made = client.post(f"/console/partners/{partner}/users",
                       data={"csrf": csrf, "email": "new@acme.example", "role": "seller"})
    token = re.search(r'<code class="token">([^<]+)</code>', made.text).group(1)
    assert token not in client.get(f"/console/partners/{partner}").text  # once only
    with server.client(token) as rep:
        assert rep.get("/api/v1/me").status_code == 200
        user_id = re.search(rf"/console/partners/{partner}/users/([0-9a-f-]+)/revoke",
                            made.text).group(1)
        assert client.post(f"/console/partners/{partner}/users/{user_id}/revoke",
                           data={"csrf": csrf}).status_code == 303
        assert rep.get("/api/v1/me").status_code == 401


def test_protection_days_setting_applies_to_the_next_approval(console):
    server = console.server
    admin_client, csrf = console.signed_in(ADMIN_EMAIL)
    answer = admin_client.post("/console/settings", data={
        "csrf": csrf, "protection_days": "60", "decision_sla_hours": "48",
        "lead_sla_hours": "48", "co_sell_partner_share": "50", "auto_approve": "on"})
    assert answer.status_code == 303
    settings = admin_client.get("/console/settings").text
    assert "Protection window: 90 → 60" in settings and ADMIN_EMAIL in settings
    partner = server.create_partner("Acme Resellers")
    with server.client(server.create_user(partner, "rep@acme.example")) as rep:
        record = create_registration(rep)["record"]  # auto-approve now on: approved at once
    assert record["status"] == "approved"
    granted = parse_datetime(record["protection_expires_at"]) - \
        parse_datetime(record["approved_at"])
    assert granted == timedelta(days=60)


def test_a_lead_sla_changed_on_the_settings_page_is_pulled_by_every_partner(console):
    server = console.server
    acme, globex = server.create_partner("Acme Resellers"), server.create_partner("Globex")
    with server.client(server.create_user(acme, "rep@acme.example")) as rep:
        first, cursor = pull_all(rep)  # a first sync already has the program's terms
    terms = {c["record"]["key"]: c["record"]["value"] for c in first
             if c["entity"] == "program_terms"}
    assert terms == {"lead_sla_hours": "48", "protection_days": "90"}
    admin_client, csrf = console.signed_in(ADMIN_EMAIL)
    answer = admin_client.post("/console/settings", data={
        "csrf": csrf, "lead_sla_hours": "24", "auto_approve": "on"})
    assert answer.status_code == 303
    with server.client(server.create_user(acme, "ann@acme.example")) as rep:
        changes, _ = pull_all(rep, cursor)
    assert [(c["record"]["key"], c["record"]["value"]) for c in changes
            if c["entity"] == "program_terms"] == [("lead_sla_hours", "24")]  # the change, once
    with server.client(server.create_user(globex, "rep@globex.example")) as other:
        everything, _ = pull_all(other)
    assert {c["record"]["key"]: c["record"]["value"] for c in everything
            if c["entity"] == "program_terms"}["lead_sla_hours"] == "24"


def test_the_queue_is_paged_and_the_qbr_pdf_downloads(console):
    server = console.server
    partner = server.create_partner("Acme Resellers")
    with server.client(server.create_user(partner, "rep@acme.example")) as rep:
        for n in range(55):
            create_registration(rep, customer_name=f"Customer {n:02d}",
                                customer_domain=f"customer{n:02d}.com")
    client, _ = console.signed_in()
    first = client.get("/console/").text
    assert first.count('data-test="approve"') == 50 and "1–50 of 55" in first
    assert 'rel="next"' in first
    second = client.get("/console/", params={"page": 2}).text
    assert second.count('data-test="approve"') == 5 and "51–55 of 55" in second
    pdf = client.get(f"/console/partners/{partner}/qbr.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "Acme Resellers" in pdf.headers["content-disposition"]


def test_a_lead_created_in_the_console_goes_to_the_best_partner(console):
    server = console.server
    gold = server.create_partner("Gold EMEA", tier="gold", region="EMEA")
    server.create_partner("Silver EMEA", tier="silver", region="EMEA")
    client, csrf = console.signed_in()
    answer = client.post("/console/leads", data={"csrf": csrf, "company": "Lead Co",
                                                 "region": "EMEA", "source": "Webinar"})
    assert answer.status_code == 303 and "Gold+EMEA" in answer.headers["location"].replace(
        "%20", "+")
    leads = RECORD_TABLES["leads"]
    with server.engine.connect() as conn:
        owner = conn.execute(sa.select(leads.c.partner_id)).scalar_one()
    assert owner == gold
    page = client.get("/console/leads").text
    assert "Lead Co" in page and ("47 h left" in page or "48 h left" in page)
