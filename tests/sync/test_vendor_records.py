"""Vendor-driven records arrive by pull; lead actions and registration requests sync like edits;
rejections are shown with their reason and never block the queue (issue 4 §4, §5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.sync.helpers import assert_converged


@pytest.fixture
def ann(partner, replicas):
    return replicas(partner.token_a, "ann")


def _approved_registration(ann):
    _, draft = ann.cli("registrations", "draft", "--name", "Initech", "--domain", "initech.com",
                       "--value", "$120,000", "--close-date", "2099-06-30", "--product", "Suite")
    ann.cli("registrations", "submit", draft["id"][:8])
    summary = ann.sync()
    assert summary.applied == 3 and not summary.rejected  # account, registration, submit
    return ann.get("registrations", draft["id"])


def test_submitted_registration_comes_back_approved_with_its_opportunity(vendor_server, partner,
                                                                          ann):
    registration = _approved_registration(ann)
    assert registration["status"] == "approved" and registration["registration_number"]
    _, opportunities = ann.cli("opportunities", "list")
    assert len(opportunities) == 1
    opportunity = opportunities[0]
    assert opportunity["registration_id"] == registration["id"]
    assert [a["role"] for a in opportunity["attribution"]] == ["sourced"]
    vendor_server.admin.set_stage(opportunity["id"], 3)
    ann.sync()
    _, shown = ann.cli("opportunities", "show", opportunity["id"][:8])
    assert shown["stage"] == 3 and shown["attribution"][0]["split_percent"] == 100
    assert_converged(vendor_server.engine, partner.id, ann)


def test_a_rejected_request_shows_its_reason_reverts_and_does_not_block(vendor_server, partner,
                                                                         ann):
    registration = _approved_registration(ann)
    _, opportunities = ann.cli("opportunities", "list")
    # Offline, the rep withdraws the registration while the vendor closes the deal as won.
    ann.cli("registrations", "withdraw", registration["id"][:8])
    assert ann.get("registrations", registration["id"])["status"] == "withdrawn"
    vendor_server.admin.close_opportunity(opportunities[0]["id"], "won")
    account = ann.create("accounts", name="Umbrella")
    summary = ann.sync()
    assert len(summary.rejected) == 1 and summary.applied == 1  # the account went through
    rejection = summary.rejected[0]
    assert rejection.record_id == registration["id"] and "won" in rejection.reason
    assert ann.get("registrations", registration["id"])["status"] == "won"  # the server's truth
    assert vendor_server.admin.get_record("accounts", account["id"])["name"] == "Umbrella"
    _, status = ann.cli("status")
    assert status["pending"] == 0 and status["rejected_total"] == 1
    assert status["rejected"][0]["reason"] == rejection.reason
    assert status["rejected"][0]["action"] == "withdraw"
    assert_converged(vendor_server.engine, partner.id, ann)


def test_edit_of_a_record_the_vendor_deleted_is_rejected_and_the_tombstone_arrives(
        vendor_server, partner, ann):
    account = ann.create("accounts", name="Soon Gone")
    ann.sync()
    vendor_server.admin.delete_record("accounts", account["id"])
    ann.edit("accounts", account["id"], notes="still here?")
    summary = ann.sync()
    assert [r.reason for r in summary.rejected] == ["the record has been deleted"]
    assert ann.get("accounts", account["id"])["deleted"] is True
    assert_converged(vendor_server.engine, partner.id, ann)


def test_leads_work_offline_with_a_local_sla_countdown(vendor_server, partner, ann):
    hot = vendor_server.admin.assign_lead(partner.id, "Hooli", contact_name="Gavin")
    cold = vendor_server.admin.assign_lead(partner.id, "Pied Piper")
    old = vendor_server.admin.assign_lead(partner.id, "Aviato",
                                          now=datetime.now(UTC) - timedelta(hours=50))
    vendor_server.admin.recycle_leads()
    ann.sync()
    _, leads = ann.cli("leads", "list")
    assert {lead["company_name"] for lead in leads} == {"Hooli", "Pied Piper"}  # Aviato recycled
    sla = next(lead["sla"] for lead in leads if lead["id"] == hot["id"])
    assert not sla["met"] and not sla["breached"]
    assert 47 * 3600 < sla["remaining_seconds"] <= 48 * 3600
    code, error = ann.cli("leads", "accept", old["id"][:8], expect=2)
    assert "took this lead back" in error["error"]["message"]

    ann.cli("leads", "accept", hot["id"][:8])
    _, contacted = ann.cli("leads", "contacted", hot["id"][:8])
    assert contacted["sla"]["met"] is True
    ann.cli("leads", "reject", cold["id"][:8], "--reason", "outside our territory")
    code, error = ann.cli("leads", "accept", cold["id"][:8], expect=2)
    assert error["error"]["field"] == "working_status"
    summary = ann.sync()
    assert not summary.rejected
    server_hot = vendor_server.admin.get_record("leads", hot["id"])
    assert server_hot["working_status"] == "contacted" and server_hot["first_contact_at"]
    server_cold = vendor_server.admin.get_record("leads", cold["id"])
    assert (server_cold["working_status"], server_cold["rejection_reason"]) == (
        "rejected", "outside our territory")
    assert_converged(vendor_server.engine, partner.id, ann)


def test_vendor_owned_fields_cannot_be_edited_locally(ann, vendor_server, partner):
    lead = vendor_server.admin.assign_lead(partner.id, "Hooli")
    ann.sync()
    with pytest.raises(Exception) as error:
        ann.edit("leads", lead["id"], company_name="Not Hooli")
    assert "vendor" in str(error.value)
    assert ann.outbox_rows() == []


def test_a_queued_action_keeps_its_optimistic_status_until_its_own_answer(vendor_server, partner,
                                                                           ann):
    from workbench.sync.engine import sync
    from workbench.sync.errors import Cancelled
    _, draft = ann.cli("registrations", "draft", "--name", "Initech", "--value", "50000",
                       "--close-date", "2099-06-30", "--product", "Suite")
    ann.sync()
    ann.edit("registrations", draft["id"], notes="champion: Bill L.")
    ann.cli("registrations", "submit", draft["id"][:8])  # queued behind the edit: next batch
    batches = []
    client = ann.client()
    with pytest.raises(Cancelled):
        sync(ann.store, client, progress=batches.append,
             cancel=lambda: any(p.message.startswith("sent") for p in batches))
    local = ann.get("registrations", draft["id"])
    assert (local["notes"], local["status"]) == ("champion: Bill L.", "submitted")
    sync(ann.store, client)
    client.close()
    assert ann.get("registrations", draft["id"])["status"] == "approved"
    assert_converged(vendor_server.engine, partner.id, ann)
