"""Deal progress and amendments through the real server (issue 14, item 1): the rep records
progress offline, the vendor sees it after sync; an amendment the channel manager approves
changes the registration the rep pulls back (seed 003: renewal "with updated deal
information")."""

from __future__ import annotations

import pytest

from tests.sync.helpers import assert_converged


@pytest.fixture
def ann(partner, replicas):
    return replicas(partner.token_a, "ann")


def _approved(ann) -> dict:
    _, draft = ann.cli("registrations", "draft", "--name", "Initech", "--domain", "initech.com",
                       "--value", "$120,000", "--close-date", "2099-06-30", "--product", "Suite")
    ann.cli("registrations", "submit", draft["id"][:8])
    ann.sync()
    registration = ann.get("registrations", draft["id"])
    assert registration["status"] == "approved"  # auto-approved: no conflict
    return registration


def test_progress_recorded_offline_reaches_the_vendor(vendor_server, partner, ann):
    registration = _approved(ann)
    _, saved = ann.cli("registrations", "progress", registration["id"][:8],
                       "--next-step", "Security review with the CISO",
                       "--activity", "Demo to the IT team", "--activity-date", "2026-11-30",
                       "--notes", "Budget confirmed for Q1")
    assert saved["progress"] == {"next_step": "Security review with the CISO",
                                 "last_activity": "Demo to the IT team",
                                 "last_activity_on": "2026-11-30",
                                 "progress_notes": "Budget confirmed for Q1"}
    assert ann.sync().applied == 1
    on_server = vendor_server.admin.get_record("registrations", registration["id"])
    assert on_server["next_step"] == "Security review with the CISO"
    assert on_server["last_activity_on"] == "2026-11-30"
    assert_converged(vendor_server.engine, partner.id, ann)


def test_progress_on_a_draft_is_refused_by_its_label_and_nothing_is_queued(ann):
    _, draft = ann.cli("registrations", "draft", "--name", "Globex", "--value", "5000",
                       "--close-date", "2099-01-31", "--product", "Suite")
    queued = len(ann.outbox_rows())
    code, error = ann.cli("registrations", "progress", draft["id"][:8], "--next-step", "Call",
                          expect=2)
    assert "Next step" in error["error"]["message"] and "approved" in error["error"]["message"]
    assert len(ann.outbox_rows()) == queued


def test_the_server_refuses_progress_on_a_registration_that_is_not_approved(vendor_server, ann):
    registration = _approved(ann)
    # Offline, the rep records progress while the vendor closes the deal lost.
    ann.cli("registrations", "progress", registration["id"][:8], "--next-step", "Send quote")
    [deal] = ann.cli("opportunities", "list")[1]
    vendor_server.admin.close_opportunity(deal["id"], "lost")
    summary = ann.sync()
    assert len(summary.rejected) == 1
    assert "Next step" in summary.rejected[0].reason and "lost" in summary.rejected[0].reason


def test_amendment_approved_in_the_console_changes_the_deal_the_rep_pulls(vendor_server, ann):
    registration = _approved(ann)
    _, amendment = ann.cli("registrations", "amend", registration["id"][:8], "--value",
                           "$150,000", "--close-date", "2099-09-30", "--note",
                           "Customer added two sites")
    assert amendment["status"] == "pending" and amendment["deal_value_cents"] == 15_000_000
    ann.sync()
    [waiting] = vendor_server.admin.list_amendments()
    assert waiting["registration_number"] == registration["registration_number"]
    assert waiting["current_value_cents"] == 12_000_000
    vendor_server.admin.decide_amendment(waiting["id"], "approve")
    ann.sync()
    _, shown = ann.cli("registrations", "show", registration["id"][:8])
    assert shown["deal_value_cents"] == 15_000_000
    assert shown["expected_close_date"] == "2099-09-30"
    assert [a["status"] for a in shown["amendments"]] == ["approved"]
    _, deals = ann.cli("opportunities", "list")
    assert deals[0]["amount_cents"] == 15_000_000  # the vendor's pipeline followed


def test_a_rejected_amendment_shows_its_reason_and_keeps_the_terms(vendor_server, ann):
    registration = _approved(ann)
    ann.cli("registrations", "amend", registration["id"][:8], "--value", "900000",
            "--note", "Bigger scope")
    ann.sync()
    [waiting] = vendor_server.admin.list_amendments()
    with pytest.raises(vendor_server.admin.AdminError, match="reason"):
        vendor_server.admin.decide_amendment(waiting["id"], "reject")
    vendor_server.admin.decide_amendment(waiting["id"], "reject", reason="No signed scope yet")
    ann.sync()
    _, shown = ann.cli("registrations", "show", registration["id"][:8])
    assert shown["deal_value_cents"] == 12_000_000
    assert shown["amendments"][0]["status"] == "rejected"
    assert shown["amendments"][0]["decision_reason"] == "No signed scope yet"


def test_an_amendment_needs_a_change_and_an_approved_registration(ann):
    registration = _approved(ann)
    code, error = ann.cli("registrations", "amend", registration["id"][:8], "--note", "x",
                          expect=2)
    assert "--value" in error["error"]["message"]
    code, error = ann.cli("registrations", "amend", registration["id"][:8], "--value", "-5",
                          "--note", "x", expect=2)
    assert "New deal value" in error["error"]["message"]
    _, draft = ann.cli("registrations", "draft", "--name", "Globex", "--value", "5000",
                       "--close-date", "2099-01-31", "--product", "Suite")
    code, error = ann.cli("registrations", "amend", draft["id"][:8], "--value", "6000",
                          "--note", "More seats", expect=2)
    assert "Registration" in error["error"]["message"] and "draft" in error["error"]["message"]


def test_an_amendment_cannot_be_approved_once_the_deal_closed(vendor_server, ann):
    registration = _approved(ann)
    ann.cli("registrations", "amend", registration["id"][:8], "--value", "$130,000",
            "--note", "Upsell")
    ann.sync()
    [deal] = ann.cli("opportunities", "list")[1]
    vendor_server.admin.close_opportunity(deal["id"], "won")
    [waiting] = vendor_server.admin.list_amendments()
    with pytest.raises(vendor_server.admin.AdminError, match="registration is won"):
        vendor_server.admin.decide_amendment(waiting["id"], "approve")
    vendor_server.admin.decide_amendment(waiting["id"], "reject", reason="Closed at $120,000")
    ann.sync()
    _, shown = ann.cli("registrations", "show", registration["id"][:8])
    assert shown["deal_value_cents"] == 12_000_000
    assert shown["amendments"][0]["decision_reason"] == "Closed at $120,000"


def test_one_change_request_at_a_time_on_the_desk_and_on_the_server(vendor_server, partner,
                                                                   ann, replicas):
    """The channel manager never decides on terms a later request replaced: while one change
    request waits, the desk refuses a second (by its label, nothing queued) and so does the
    server for a colleague's laptop; once answered, the rep may ask again."""
    registration = _approved(ann)
    bob = replicas(partner.token_b, "bob")
    bob.sync()  # Bob's laptop has the approved deal, then goes offline
    ann.cli("registrations", "amend", registration["id"][:8], "--value", "$130,000",
            "--note", "Two more sites")
    _, error = ann.cli("registrations", "amend", registration["id"][:8], "--close-date",
                       "2099-09-30", "--note", "Signature slips", expect=2)
    assert "Registration" in error["error"]["message"] and "waits" in error["error"]["message"]
    ann.sync()
    bob.cli("registrations", "amend", registration["id"][:8], "--value", "$150,000",
            "--note", "Bigger scope")
    bob.sync()
    assert len(vendor_server.admin.list_amendments()) == 1  # only Ann's waits
    _, status = bob.cli("status")
    assert any("waits for the channel manager" in r["reason"] for r in status["rejected"])
    [waiting] = vendor_server.admin.list_amendments()
    vendor_server.admin.decide_amendment(waiting["id"], "approve")
    ann.sync()
    _, again = ann.cli("registrations", "amend", registration["id"][:8], "--close-date",
                       "2099-09-30", "--note", "Signature slips")
    assert again["status"] == "pending"
