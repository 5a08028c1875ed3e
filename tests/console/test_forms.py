"""Bad input on every console form: a clear message next to the field (by the label the user
sees), the form keeps what was typed, and nothing is written (issue 11)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import sqlalchemy as sa

from tests.console.conftest import ADMIN_EMAIL
from tests.server.support import create_registration
from workbench.server.schema import audit_log, program_settings, vendor_leads


def _writes(console) -> int:
    """Every vendor write leaves an audit entry: the count proves nothing was written."""
    with console.server.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar_one()


def _error(html: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="error-{re.escape(field)}"[^>]*>([^<]+)</p>', html)
    assert found, f"no message next to {field}"
    return found.group(1)


@pytest.fixture
def setup(console, tmp_path):
    server = console.server
    partner = server.create_partner("Acme Resellers", region="EMEA", tier="gold")
    with server.client(server.create_user(partner, "rep@acme.example")) as rep:
        record = create_registration(rep)["record"]
    opened = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
    (tmp_path / "p.csv").write_text("name,customer_name,customer_domain,stage,opened_on\n"
                                    f"Hooli deal,Hooli,hooli.com,1,{opened}\n")
    server.admin.load_opportunities(tmp_path / "p.csv")
    with server.client(server.create_user(partner, "rep2@acme.example")) as rep:
        conflict = create_registration(rep, customer_name="Hooli",
                                       customer_domain="hooli.com")["record"]
    case = server.admin.open_case("acme-customer.com", "Broken", partner_id=partner)
    client, csrf = console.signed_in()
    return {"partner": partner, "registration": record["id"], "conflict": conflict["id"],
            "case": case["id"], "client": client, "csrf": csrf}


def _post(setup, path: str, **form):
    return setup["client"].post(path, data={"csrf": setup["csrf"], **form})


def test_reject_needs_a_reason(console, setup):
    before = _writes(console)
    answer = _post(setup, f"/console/registrations/{setup['registration']}/reject", reason="  ")
    assert answer.status_code == 422
    assert _error(answer.text, "reason").startswith("Reason: say why")
    assert console.server.admin.get_record("registrations", setup["registration"])[
        "status"] == "submitted"
    assert _writes(console) == before


def test_resolve_refuses_a_bad_share_and_a_missing_outcome(console, setup):
    before = _writes(console)
    path = f"/console/registrations/{setup['conflict']}/resolve"
    answer = _post(setup, path, outcome="co_sell", share="150")
    assert answer.status_code == 422
    assert "1 to 99" in _error(answer.text, "share")
    assert 'value="150"' in answer.text  # what was typed stays
    assert "choose who gets the deal" in _error(_post(setup, path).text, "outcome")
    assert console.server.admin.get_record("registrations", setup["conflict"])[
        "status"] == "pending_review"
    assert _writes(console) == before


def test_lead_form_names_the_field(console, setup):
    before = _writes(console)
    answer = _post(setup, "/console/leads", company="", region="EMEA")
    assert answer.status_code == 422 and "Company: is required" in _error(answer.text, "company")
    answer = _post(setup, "/console/leads", company="Lead Co", contact_email="not-an-email")
    assert answer.status_code == 422
    assert _error(answer.text, "contact_email").startswith("Contact email:")
    assert 'value="Lead Co"' in answer.text
    answer = _post(setup, "/console/leads", company="Lead Co", region="x" * 101)
    assert "at most 100" in _error(answer.text, "region")
    with console.server.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(vendor_leads)).scalar() == 0
    assert _writes(console) == before


def test_rule_and_waiting_lead_forms(console, setup):
    before = _writes(console)
    answer = _post(setup, "/console/leads/rules", name=" ")
    assert answer.status_code == 422 and "Name:" in _error(answer.text, "name")
    answer = _post(setup, "/console/leads/rules", name="Gold only", min_tier="diamond")
    assert "Minimum tier: must be one of" in _error(answer.text, "min_tier")
    assert _writes(console) == before
    # a lead nobody is eligible for waits; assigning it by the rules then says why not
    waiting = console.server.admin.create_lead("Far Away Co", region="LATAM")
    assert waiting["status"] == "waiting"
    answer = _post(setup, f"/console/leads/{waiting['id']}/assign")
    assert "no eligible partner" in _error(answer.text, f"assign-{waiting['id']}")


def test_case_forms(console, setup):
    before = _writes(console)
    case = setup["case"]
    answer = _post(setup, f"/console/cases/{case}/comment", body=" ")
    assert answer.status_code == 422 and "Answer:" in _error(answer.text, "body")
    answer = _post(setup, f"/console/cases/{case}/comment", body="ok", status="sleeping")
    assert "Status: choose one" in _error(answer.text, "status")
    assert "ok" in answer.text  # the typed answer stays in the box
    answer = _post(setup, f"/console/cases/{case}/status", status="sleeping")
    assert "Status: choose one" in _error(answer.text, "status")
    answer = _post(setup, "/console/cases", domain="", subject="Hello")
    assert "Customer domain: is required" in _error(answer.text, "domain")
    answer = _post(setup, "/console/cases", domain="acme.com", subject="")
    assert "Subject: is required" in _error(answer.text, "subject")
    queued = console.server.admin.open_case("nobody.example", "Who owns this?")
    before = _writes(console)
    answer = _post(setup, f"/console/cases/{queued['id']}/route")
    assert "Partner: choose who takes the case" in _error(answer.text, "partner")
    assert _writes(console) == before


def test_partner_user_and_status_forms(console, setup):
    partner = setup["partner"]
    before = _writes(console)
    answer = _post(setup, f"/console/partners/{partner}/users", email="nope", role="seller")
    assert answer.status_code == 422 and _error(answer.text, "email").startswith("Email:")
    answer = _post(setup, f"/console/partners/{partner}/users", email="rep@acme.example",
                   role="seller")
    assert "already has a user" in _error(answer.text, "email")
    answer = _post(setup, f"/console/partners/{partner}/status", status="retired")
    assert "Program status: choose one" in _error(answer.text, "status")
    assert _writes(console) == before


def test_settings_are_checked_whole_before_anything_is_stored(console, setup):
    admin_client, csrf = console.signed_in(ADMIN_EMAIL)
    before = _writes(console)
    answer = admin_client.post("/console/settings", data={
        "csrf": csrf, "protection_days": "60", "decision_sla_hours": "abc",
        "lead_sla_hours": "48", "co_sell_partner_share": "50"})
    assert answer.status_code == 422
    assert _error(answer.text, "decision_sla_hours").startswith("Decision SLA: enter a whole")
    answer = admin_client.post("/console/settings", data={
        "csrf": csrf, "protection_days": "5", "decision_sla_hours": "48",
        "lead_sla_hours": "48", "co_sell_partner_share": "50"})
    assert "from 30 to 365 days" in _error(answer.text, "protection_days")
    with console.server.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(program_settings)
                            ).scalar() == 0  # the valid 60 was not stored either
    assert _writes(console) == before
    # a channel manager may look but not change
    answer = _post(setup, "/console/settings", protection_days="60")
    assert answer.status_code == 403


def test_staff_and_second_factor_forms(console, setup):
    admin_client, csrf = console.signed_in(ADMIN_EMAIL)
    before = _writes(console)
    answer = admin_client.post("/console/staff", data={
        "csrf": csrf, "email": "new@vendor.example", "password": "tiny-pw", "role": "admin"})
    assert "at least 12 characters" in _error(answer.text, "staff_password")
    assert 'value="new@vendor.example"' in answer.text and "tiny-pw" not in answer.text
    page = setup["client"].get("/console/account").text
    secret = re.search(r'name="secret" value="([A-Z2-7]+)"', page).group(1)
    answer = _post(setup, "/console/account/totp", secret=secret, code="000000")
    assert "does not match" in _error(answer.text, "code")
    assert _writes(console) == before
    answer = _post(setup, "/console/account/totp", secret=secret, code=pyotp.TOTP(secret).now())
    assert answer.status_code == 303


def test_audit_filter_names_a_bad_date(console, setup):
    answer = setup["client"].get("/console/audit", params={"since": "yesterday"})
    assert answer.status_code == 422
    assert "From: expected a date such as 2026-12-01" in _error(answer.text, "since")
