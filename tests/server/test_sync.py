"""Push and pull (docs/sync-protocol.md): round trip, idempotency, ownership, conflicts, paging."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.server.support import (
    create_registration,
    latest,
    new_id,
    op,
    pull_all,
    push,
    push_one,
    registration,
)


@pytest.fixture
def rep(vendor_server):
    """(partner_id, client) of a signed-in rep."""
    partner_id = vendor_server.create_partner("Acme Resellers")
    token = vendor_server.create_user(partner_id, "rep@acme.example")
    with vendor_server.client(token) as client:
        yield partner_id, client


def test_push_then_pull_round_trip(rep):
    partner_id, client = rep
    account_id, contact_id = new_id(), new_id()
    results = push(client,
                   op("accounts", account_id, "create",
                      {"name": "Initech", "domain": "initech.com"}),
                   op("contacts", contact_id, "create", {"account_id": account_id,
                                                         "name": "Bill Lumbergh"}))
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert results[0]["version"] == 1 and results[0]["record"]["partner_id"] == partner_id

    changes, cursor = pull_all(client)
    pulled = latest(changes)
    account = pulled[("accounts", account_id)]["record"]
    assert account["name"] == "Initech" and account["version"] == 1
    assert account["created_at"].endswith("Z") and account["deleted"] is False
    assert pulled[("contacts", contact_id)]["record"]["account_id"] == account_id
    assert ("partners", partner_id) in pulled  # the partner's own row is visible

    # An edit shows up as the next change; an empty delta pulls nothing.
    update = op("accounts", account_id, "update", {"notes": "met at trade show"},
                base_version=1)
    assert push_one(client, update)["version"] == 2
    changes, cursor = pull_all(client, cursor)
    assert [(c["entity"], c["version"]) for c in changes] == [("accounts", 2)]
    assert pull_all(client, cursor)[0] == []


def test_replayed_batch_answers_the_same_and_changes_nothing(rep):
    _, client = rep
    account_id = new_id()
    batch = [op("accounts", account_id, "create", {"name": "Initech"}),
             op("accounts", account_id, "update", {"notes": "first"}, base_version=1),
             op("accounts", account_id, "update", {"status": "x"}, base_version=2)]
    first = push(client, *batch)
    _, cursor = pull_all(client)
    again = push(client, *batch)
    assert again == first
    assert pull_all(client, cursor)[0] == []  # nothing was written
    record = client.get(f"/api/v1/records/accounts/{account_id}").json()
    assert record["version"] == 2 and record["notes"] == "first"


def test_vendor_owned_field_is_rejected_naming_it(rep, vendor_server):
    _, client = rep
    result = create_registration(client, submit=False)
    record_id = result["record"]["id"]
    rejected = push_one(client, op("registrations", record_id, "update",
                                   {"status": "approved"}, base_version=1,
                                   old={"status": "draft"}))
    assert rejected["status"] == "rejected"
    assert rejected["field"] == "status" and "owned by the vendor" in rejected["reason"]
    leads = push_one(client, op("leads", new_id(), "create", {"company_name": "Hooli"}))
    assert leads["status"] == "rejected" and "created by the vendor" in leads["reason"]
    unknown = push_one(client, op("accounts", new_id(), "create",
                                  {"name": "X", "revenue": 5}))
    assert unknown["status"] == "rejected" and unknown["field"] == "revenue"
    invalid = push_one(client, op("registrations", new_id(), "create",
                                  registration(deal_value_cents="lots")))
    assert invalid["status"] == "rejected" and invalid["field"] == "deal_value_cents"


def test_illegal_transition_is_rejected_with_reason(rep):
    _, client = rep
    draft = create_registration(client, submit=False)["record"]
    result = push_one(client, op("registrations", draft["id"], "action", base_version=1,
                                 action="dispute"))
    assert result["status"] == "rejected" and result["field"] == "status"
    assert "cannot dispute a registration that is draft" in result["reason"]
    unknown = push_one(client, op("registrations", draft["id"], "action", action="approve"))
    assert unknown["status"] == "rejected" and unknown["field"] == "action"


def test_rejected_op_does_not_block_later_ops(rep):
    _, client = rep
    account_id = new_id()
    results = push(client,
                   op("accounts", account_id, "create", {"name": "Initech"}),
                   op("accounts", new_id(), "update", {"notes": "no such record"}),
                   op("accounts", account_id, "update", {"domain": "not a valid"}, base_version=1),
                   op("accounts", account_id, "update", {"notes": "still applied"},
                      base_version=1))
    assert [r["status"] for r in results] == ["applied", "rejected", "rejected", "applied"]
    assert results[1]["field"] == "record_id" and "not found" in results[1]["reason"]
    assert results[2]["field"] == "domain"
    assert results[-1]["record"]["notes"] == "still applied"


def test_same_field_changed_on_both_sides_is_a_conflict_with_server_values(rep, vendor_server):
    _, client = rep
    account_id = new_id()
    push_one(client, op("accounts", account_id, "create", {"name": "Initech", "notes": "v1"}))
    vendor_server.admin.update_record("accounts", account_id, notes="vendor says v2")

    conflict = push_one(client, op("accounts", account_id, "update",
                                   {"notes": "rep says v2", "industry": "software"},
                                   base_version=1, old={"notes": "v1"}))
    assert conflict["status"] == "conflict"
    assert conflict["conflicts"] == {"notes": "vendor says v2"}
    assert conflict["version"] == 2 and conflict["record"]["notes"] == "vendor says v2"
    assert conflict["record"]["industry"] is None  # nothing of the op was applied

    # A different field edited on each side merges; the same new value is no conflict.
    merged = push_one(client, op("accounts", account_id, "update",
                                 {"industry": "software", "notes": "vendor says v2"},
                                 base_version=1, old={"notes": "v1"}))
    assert merged["status"] == "applied" and merged["version"] == 3
    assert merged["record"]["industry"] == "software"


def test_create_of_an_existing_id_is_an_update_against_empty_base(rep):
    _, client = rep
    account_id = new_id()
    push_one(client, op("accounts", account_id, "create", {"name": "Initech"}))
    same = push_one(client, op("accounts", account_id, "create", {"name": "Initech"}))
    assert same["status"] == "applied" and same["version"] == 1
    different = push_one(client, op("accounts", account_id, "create", {"name": "Initrode"}))
    assert different["status"] == "conflict" and different["conflicts"] == {"name": "Initech"}


def test_delete_sends_a_tombstone(rep, vendor_server):
    _, client = rep
    account_id = new_id()
    push_one(client, op("accounts", account_id, "create", {"name": "Initech"}))
    _, cursor = pull_all(client)
    deleted = push_one(client, op("accounts", account_id, "delete", base_version=1))
    assert deleted["status"] == "applied" and deleted["record"]["deleted"] is True
    changes, cursor = pull_all(client, cursor)
    assert [(c["id"], c["deleted"], c["version"]) for c in changes] == [(account_id, True, 2)]
    after = push_one(client, op("accounts", account_id, "update", {"notes": "x"}, base_version=2))
    assert after["status"] == "rejected" and "deleted" in after["reason"]
    # Vendor deletions reach partners the same way.
    lead = vendor_server.admin.assign_lead(rep[0], "Hooli", company_domain="hooli.com")
    vendor_server.admin.delete_record("leads", lead["id"])
    changes, _ = pull_all(client, cursor)
    assert latest(changes)[("leads", lead["id"])]["deleted"] is True


def test_pull_pages_are_bounded_and_resume_from_the_cursor(rep):
    _, client = rep
    ids = [new_id() for _ in range(25)]
    push(client, *(op("accounts", i, "create", {"name": f"Company {n}"})
                   for n, i in enumerate(ids)))
    first = client.get("/api/v1/sync/pull", params={"limit": 10}).json()
    assert len(first["changes"]) == 10 and first["has_more"] is True
    changes, _ = pull_all(client, first["cursor"], limit=10)
    pulled = [c["id"] for c in first["changes"] + changes if c["entity"] == "accounts"]
    assert sorted(pulled) == sorted(ids) and len(pulled) == len(set(pulled))


def test_partner_edits_of_vendor_records_fields_they_own(rep, vendor_server):
    partner_id, client = rep
    lead = vendor_server.admin.assign_lead(partner_id, "Hooli", company_domain="hooli.com",
                                           now=datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    assert lead["working_status"] == "new" and lead["assignment_status"] == "assigned"
    worked = push_one(client, op("leads", lead["id"], "update",
                                 {"working_status": "contacted",
                                  "first_contact_at": "2026-11-23T09:00:00Z"},
                                 base_version=1, old={"working_status": "new"}))
    assert worked["status"] == "applied"
    assert worked["record"]["first_contact_at"] == "2026-11-23T09:00:00.000000Z"
    refused = push_one(client, op("leads", lead["id"], "update", {"assignment_status": "recycled"},
                                  base_version=2))
    assert refused["status"] == "rejected" and refused["field"] == "assignment_status"


def test_cases_get_a_number_and_mdf_requests_follow_their_steps(rep, vendor_server):
    _, client = rep
    case = push_one(client, op("cases", new_id(), "create", {"subject": "Login broken"}))
    assert case["record"]["status"] == "new"
    assert case["record"]["case_number"].startswith("CS-")
    mdf_id = new_id()
    push_one(client, op("mdf_requests", mdf_id, "create",
                        {"activity_name": "Webinar", "requested_cents": 500_000}))
    early_claim = push_one(client, op("mdf_requests", mdf_id, "action", action="claim"))
    assert early_claim["status"] == "rejected" and early_claim["field"] == "status"
    submitted = push_one(client, op("mdf_requests", mdf_id, "action", action="submit"))
    assert submitted["record"]["status"] == "submitted"
    vendor_server.admin.decide_mdf(mdf_id, "approve", approved_cents=400_000)
    claimed = push_one(client, op("mdf_requests", mdf_id, "action", base_version=3,
                                  action="claim", fields={"claim_cents": 390_000}))
    assert claimed["status"] == "applied"
    assert claimed["record"]["status"] == "claimed" and claimed["record"]["claim_cents"] == 390_000
