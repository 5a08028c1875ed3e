"""Registration review on the server (seed 003 §1 and edge case 3; DESIGN §3-§4)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.server.support import create_registration, latest, new_id, op, pull_all, push_one


@pytest.fixture
def partners(vendor_server):
    """Two partners with one rep each: (partner_id, client) pairs."""
    a = vendor_server.create_partner("Alpha Partners")
    b = vendor_server.create_partner("Bravo Partners")
    with vendor_server.client(vendor_server.create_user(a, "rep@alpha.example")) as alpha, \
            vendor_server.client(vendor_server.create_user(b, "rep@bravo.example")) as bravo:
        yield (a, alpha), (b, bravo)


def test_clean_submit_is_approved_with_number_and_90_days(partners, vendor_server):
    (_a, alpha), _ = partners
    result = create_registration(alpha)
    record = result["record"]
    assert result["status"] == "applied" and record["status"] == "approved"
    assert re.fullmatch(r"DR-\d{4}-\d{6}", record["registration_number"])
    approved = datetime.fromisoformat(record["approved_at"])
    expires = datetime.fromisoformat(record["protection_expires_at"])
    assert expires - approved == timedelta(days=90)
    changes, _ = pull_all(alpha)
    entities = {c["entity"] for c in changes}
    # The decision, the opportunity it opened, the sourced credit and the activity all sync.
    assert {"registrations", "opportunities", "attributions", "activity_events"} <= entities
    activity = [c["record"] for c in changes if c["entity"] == "activity_events"]
    assert activity[0]["kind"] == "registration"


def test_conflict_goes_to_review_without_revealing_the_other_partner(partners, vendor_server):
    (a, alpha), (_b, bravo) = partners
    create_registration(alpha, customer_name="Globex Corporation",
                        customer_domain="https://www.globex.com/")
    answer = bravo.post("/api/v1/sync/push", json={"ops": [
        op("registrations", rid := new_id(), "create",
           {"customer_name": "Globex Corp", "customer_domain": "globex.com",
            "product": "Widget Suite", "deal_value_cents": 100,
            "expected_close_date": "2099-01-01"}),
        op("registrations", rid, "action", base_version=1, action="submit")]})
    record = answer.json()["results"][-1]["record"]
    assert record["status"] == "pending_review" and record["review_reason"] == "conflict"
    assert "same domain globex.com" in record["decision_reason"]
    assert "48 hours" in record["decision_reason"]
    assert record["registration_number"] is None
    for secret in (a, "Alpha", "alpha.example"):
        assert secret not in answer.text
    changes, _ = pull_all(bravo)
    for secret in (a, "Alpha", "alpha.example"):
        assert secret not in json.dumps(changes)


def test_conflict_with_the_direct_pipeline_and_its_resolution(partners, vendor_server, tmp_path):
    (_a, alpha), _ = partners
    opened = (datetime.now(UTC) - timedelta(days=30)).date().isoformat()
    csv_file = tmp_path / "pipeline.csv"
    csv_file.write_text("name,customer_name,customer_domain,stage,opened_on,owner\n"
                        f"Initech renewal,Initech,initech.com,3,{opened},dana@vendor\n")
    assert vendor_server.admin.load_opportunities(csv_file) == 1
    record = create_registration(alpha, customer_name="Initech", customer_domain="initech.com"
                                 )["record"]
    assert record["status"] == "pending_review"
    assert "dana" not in json.dumps(record)

    suggestion = vendor_server.admin.resolve_conflict(record["id"])
    assert suggestion["applied"] is False
    assert suggestion["suggestion"]["outcome"] == "direct"  # stage 3 before registration
    assert suggestion["suggestion"]["partner_credit"] == "influenced"
    resolved = vendor_server.admin.resolve_conflict(record["id"], "direct")
    assert resolved["applied"] and resolved["registration"]["status"] == "rejected"
    changes, _ = pull_all(alpha)
    pulled = latest(changes)[("registrations", record["id"])]["record"]
    assert pulled["status"] == "rejected" and "influence" in pulled["decision_reason"]


def test_co_sell_resolution_approves(partners, vendor_server, tmp_path):
    (_a, alpha), _ = partners
    csv_file = tmp_path / "pipeline.csv"
    today = datetime.now(UTC).date().isoformat()
    csv_file.write_text(f"name,customer_domain,stage,opened_on\nHooli,hooli.com,1,{today}\n")
    vendor_server.admin.load_opportunities(csv_file)
    record = create_registration(alpha, customer_name="Hooli", customer_domain="hooli.com"
                                 )["record"]
    suggestion = vendor_server.admin.resolve_conflict(record["id"])["suggestion"]
    assert suggestion["outcome"] == "co_sell" and suggestion["needs_mediation"]
    approved = vendor_server.admin.resolve_conflict(record["id"], "co-sell")["registration"]
    assert approved["status"] == "approved" and approved["registration_number"]


def test_auto_approval_can_be_switched_off(vendor_server_factory):
    server = vendor_server_factory(auto_approve=False)
    partner = server.create_partner("Alpha Partners")
    with server.client(server.create_user(partner, "rep@alpha.example")) as alpha:
        record = create_registration(alpha)["record"]
        assert record["status"] == "submitted" and record["registration_number"] is None
        pending = server.admin.list_registrations(status="submitted")
        assert [r["id"] for r in pending] == [record["id"]]
        assert pending[0]["partner_name"] == "Alpha Partners"
        server.admin.approve(record["id"])
        changes, _ = pull_all(alpha)
    assert latest(changes)[("registrations", record["id"])]["record"]["status"] == "approved"


def test_approved_registrations_lapse_after_90_days_and_renewal_goes_to_review(
        partners, vendor_server):
    (_a, alpha), _ = partners
    record = create_registration(alpha)["record"]
    approved = datetime.fromisoformat(record["approved_at"])
    assert vendor_server.admin.expire_registrations(now=approved + timedelta(days=89)) == []
    assert vendor_server.admin.expire_registrations(now=approved + timedelta(days=90)) \
        == [record["id"]]
    changes, _ = pull_all(alpha)
    lapsed = latest(changes)[("registrations", record["id"])]["record"]
    assert lapsed["status"] == "expired"

    renewed = push_one(alpha, op("registrations", record["id"], "action",
                                 base_version=lapsed["version"], action="renew",
                                 fields={"request_note": "customer still evaluating"}))
    assert renewed["status"] == "applied"
    assert renewed["record"]["status"] == "pending_review"
    assert renewed["record"]["review_reason"] == "renewal"
    assert renewed["record"]["request_note"] == "customer still evaluating"
    again = vendor_server.admin.approve(record["id"])
    assert again["status"] == "approved" and again["approved_at"] > record["approved_at"]
    assert again["registration_number"] == record["registration_number"]


def test_rejection_can_be_disputed(partners, vendor_server):
    (_a, alpha), _ = partners
    server_off = create_registration(alpha, submit=False)["record"]
    submitted = push_one(alpha, op("registrations", server_off["id"], "action", action="submit"))
    # Auto-approved; the vendor cannot reject an approved one — mark it lost instead.
    assert submitted["record"]["status"] == "approved"
    with pytest.raises(Exception, match="cannot reject"):
        vendor_server.admin.reject(server_off["id"], "duplicate")

    (_b, bravo) = partners[1]
    held = create_registration(bravo)["record"]  # same customer: held for review
    vendor_server.admin.reject(held["id"], "the customer is covered by an earlier registration")
    disputed = push_one(bravo, op("registrations", held["id"], "action", action="dispute",
                                  fields={"request_note": "we met them first"}))
    assert disputed["record"]["status"] == "pending_review"
    assert disputed["record"]["review_reason"] == "dispute"


def test_withdraw_and_close_won(partners, vendor_server):
    (_a, alpha), _ = partners
    record = create_registration(alpha)["record"]
    opportunity = next(c for c in pull_all(alpha)[0] if c["entity"] == "opportunities")
    vendor_server.admin.set_stage(opportunity["id"], 4)
    vendor_server.admin.close_opportunity(opportunity["id"], "won")
    changes, _ = pull_all(alpha)
    assert latest(changes)[("registrations", record["id"])]["record"]["status"] == "won"
    late = push_one(alpha, op("registrations", record["id"], "action", action="withdraw"))
    assert late["status"] == "rejected" and "final" in late["reason"]


def test_invalid_registration_submit_names_the_field(partners):
    (_a, alpha), _ = partners
    record = create_registration(alpha, submit=False, expected_close_date="2020-01-01")
    result = push_one(alpha, op("registrations", record["record"]["id"], "action",
                                action="submit"))
    assert result["status"] == "rejected" and result["field"] == "expected_close_date"
    missing = push_one(alpha, op("registrations", new_id(), "create",
                                 {"customer_name": "Nameless"}))
    assert missing["status"] == "rejected" and missing["field"] in ("product", "deal_value_cents",
                                                                    "expected_close_date")


def test_an_approved_registration_cannot_be_pointed_at_another_customer(partners):
    """Identity fields lock once submitted: else an approved registration could dodge review."""
    (_a, alpha), _ = partners
    record = create_registration(alpha, customer_name="Initech", customer_domain="initech.com")["record"]
    assert record["status"] == "approved"
    moved = push_one(alpha, op("registrations", record["id"], "update",
                               {"customer_domain": "globex.com"}, base_version=record["version"],
                               old={"customer_domain": "initech.com"}))
    assert moved["status"] == "rejected" and moved["field"] == "customer_domain"
    assert "withdraw" in moved["reason"]
    noted = push_one(alpha, op("registrations", record["id"], "update", {"notes": "CFO signed"},
                               base_version=record["version"], old={"notes": None}))
    assert noted["status"] == "applied" and noted["record"]["customer_domain"] == "initech.com"
    deleted = push_one(alpha, op("registrations", record["id"], "delete",
                                 base_version=noted["version"]))
    assert deleted["status"] == "rejected" and deleted["field"] == "status"
