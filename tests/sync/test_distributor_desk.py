"""Issue 14 item 7 through the real server: a distributor's desk labels its sub-partners'
records, refuses edits and withdrawals on them before anything is queued, and rolls up
registrations, pipeline and won revenue by sub-partner."""

from __future__ import annotations

import pytest

from workbench.domain.distributors import SubPartnerRecord


@pytest.fixture
def desks(vendor_server, replicas):
    distributor = vendor_server.create_partner("Big Distribution", tier="gold",
                                               sub_partner_visibility=True)
    reseller = vendor_server.create_partner("Small Reseller GmbH", parent_id=distributor)
    ops = replicas(vendor_server.create_user(distributor, "ops@bigdist.example"), "ops")
    rep = replicas(vendor_server.create_user(reseller, "rep@small.example"), "rep")
    _, own = ops.cli("registrations", "draft", "--name", "Globex", "--domain", "globex.com",
                     "--value", "$30,000", "--close-date", "2099-03-31", "--product", "Suite")
    ops.cli("registrations", "submit", own["id"][:8])
    _, theirs = rep.cli("registrations", "draft", "--name", "Initech", "--domain", "initech.com",
                        "--value", "$120,000", "--close-date", "2099-06-30", "--product", "Suite")
    rep.cli("registrations", "submit", theirs["id"][:8])
    rep.sync()  # auto-approved: an approved registration and its opportunity
    ops.sync()
    return {"ops": ops, "rep": rep, "own": own["id"], "theirs": theirs["id"],
            "reseller": reseller, "distributor": distributor}


def test_sub_partner_records_are_labelled_in_lists_and_detail(desks):
    ops = desks["ops"]
    _, listing = ops.cli("registrations", "list")
    by_customer = {r["customer_name"]: r for r in listing}
    assert by_customer["Initech"]["partner"] == "Small Reseller GmbH"
    assert by_customer["Globex"]["partner"] is None  # the distributor's own
    _, shown = ops.cli("registrations", "show", desks["theirs"][:8])
    assert shown["partner"] == "Small Reseller GmbH"
    _, opportunities = ops.cli("opportunities", "list")
    assert {o["partner"] for o in opportunities} == {None, "Small Reseller GmbH"}
    _, accounts = ops.cli("accounts", "list")
    assert {a["name"]: a["partner"] for a in accounts}["Initech"] == "Small Reseller GmbH"


def test_withdraw_or_edit_of_a_sub_partners_record_is_refused_before_queuing(desks,
                                                                             vendor_server):
    ops = desks["ops"]
    before = len(ops.outbox_rows())
    code, error = ops.cli("registrations", "withdraw", desks["theirs"][:8], expect=2)
    assert "belongs to Small Reseller GmbH, a sub-partner" in error["error"]["message"]
    assert "cannot be withdrawn here" in error["error"]["message"]
    with pytest.raises(SubPartnerRecord, match="read-only in your workbench"):
        ops.edit("registrations", desks["theirs"], notes="push harder")
    assert len(ops.outbox_rows()) == before  # nothing queued
    assert ops.get("registrations", desks["theirs"])["status"] == "approved"  # nothing changed
    assert ops.sync().rejected == []  # so the server never has to refuse it
    assert vendor_server.admin.get_record("registrations", desks["theirs"])["status"] == \
        "approved"
    # the distributor's own registration still works normally
    ops.cli("registrations", "withdraw", desks["own"][:8])
    assert ops.get("registrations", desks["own"])["status"] == "withdrawn"


def test_roll_up_by_sub_partner(desks):
    ops = desks["ops"]
    _, rollup = ops.cli("scorecard", "--by-partner")
    assert rollup["sub_partners"] == 1
    own, sub = rollup["partners"]
    assert (own["name"], own["own"]) == ("Big Distribution", True)
    assert (sub["name"], sub["own"]) == ("Small Reseller GmbH", False)
    assert sub["registrations_90d"] == 1 and sub["approved_90d"] == 1
    assert sub["pipeline_cents"] == 12_000_000 and sub["pipeline_deals"] == 1
    assert own["registrations_90d"] == 1 and own["pipeline_cents"] == 3_000_000
    code, error = ops.cli("scorecard", "--by-partner", "--period", "2026Q1", expect=2)
    assert "--by-partner" in error["error"]["message"]


def test_the_sub_partner_itself_edits_its_record_normally(desks):
    rep = desks["rep"]
    _, listing = rep.cli("registrations", "list")
    assert [r["partner"] for r in listing] == [None]
    rep.edit("registrations", desks["theirs"], notes="call on Monday")
    assert rep.sync().rejected == []


def test_the_server_refuses_by_the_same_rule_if_an_edit_arrives_anyway(desks, vendor_server):
    """A client that skipped the desk's check (an old version): the server answers with the
    same words, and the sub-partner's registration is unchanged."""
    from workbench.domain.values import new_id
    from workbench.sync.protocol import Operation

    ops = desks["ops"]
    version = ops.get("registrations", desks["theirs"])["version"]
    client = ops.client()
    try:
        answer = client.push([Operation(new_id(), "registrations", desks["theirs"], "action",
                                        action="withdraw", base_version=version)])
    finally:
        client.close()
    [result] = answer
    assert result.status == "rejected"
    assert "belongs to a sub-partner: it is read-only in your workbench and cannot be " \
           "withdrawn here" in result.reason
    assert vendor_server.admin.get_record("registrations", desks["theirs"])["status"] == \
        "approved"
