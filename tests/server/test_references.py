"""References across partners (issue 13, class 2): a partner's record may refer only to a record
the same partner can see. Another partner's id answers exactly as an id that exists nowhere, so
the answer tells an attacker nothing about which ids exist.

Every reference field a partner writes is found in domain/model.py, so a new one is covered too.
"""

from __future__ import annotations

import json

import pytest

from tests.server.support import new_id, op, push, push_one, registration
from workbench.domain.model import ENTITIES, Kind, Owner

# Every (entity, field) where a partner sets a reference to another record.
PARTNER_REFERENCES = [(entity.name, f.name) for entity in ENTITIES.values()
                      if entity.created_by is Owner.PARTNER
                      for f in entity.fields if f.kind is Kind.REF and f.owner is Owner.PARTNER]

# The least a record of each kind needs besides its references.
MINIMAL = {"accounts": {"name": "Initech"}, "contacts": {"name": "Jo Contact"},
           "registrations": registration(), "cases": {"subject": "Printer on fire"},
           "case_comments": {"body": "Any news?"},
           "registration_amendments": {"deal_value_cents": 5_000_000, "note": "Two more sites"},
           "mdf_requests": {"activity_name": "Webinar", "requested_cents": 100_000},
           "attachments": {"filename": "invoice.pdf", "size_bytes": 10, "sha256": "a" * 64}}


def test_the_reference_fields_are_the_ones_the_issue_names():
    assert set(PARTNER_REFERENCES) >= {("contacts", "account_id"), ("registrations", "account_id"),
                                       ("registrations", "contact_id"), ("cases", "account_id"),
                                       ("case_comments", "case_id")}


class Partner:
    """A partner's user with one record of every kind a reference may point at."""

    def __init__(self, client, name: str) -> None:
        self.client = client
        self.ids = {"accounts": new_id(), "contacts": new_id(), "cases": new_id(),
                    "mdf_requests": new_id()}
        results = push(client,
                       op("accounts", self.ids["accounts"], "create", {"name": f"{name} Customer"}),
                       op("contacts", self.ids["contacts"], "create",
                          {"name": f"{name} Contact", "account_id": self.ids["accounts"]}),
                       op("cases", self.ids["cases"], "create", {"subject": f"{name} case"}),
                       op("mdf_requests", self.ids["mdf_requests"], "create",
                          {"activity_name": f"{name} webinar", "requested_cents": 100_000}))
        assert all(r["status"] == "applied" for r in results), results
        # an approved registration: what an amendment refers to (auto-approved, no conflict)
        self.ids["registrations"] = new_id()
        push(client, op("registrations", self.ids["registrations"], "create", registration(
            customer_name=f"{name} Deal Co", customer_domain=f"{name.lower()}-deal.example")))
        approved = push_one(client, op("registrations", self.ids["registrations"], "action",
                                       base_version=1, action="submit"))
        assert approved["record"]["status"] == "approved", approved

    def fields(self, entity: str, **refs: str) -> dict:
        """A record of `entity` whose required references point at this partner's records."""
        values = dict(MINIMAL[entity])
        for f in ENTITIES[entity].fields:
            if f.kind is Kind.REF and f.required:
                values[f.name] = self.ids[f.ref]
        values.update(refs)
        return values


@pytest.fixture
def partners(vendor_server):
    clients = []
    made = []
    for name in ("Alpha", "Bravo"):
        partner_id = vendor_server.create_partner(f"{name} Partners")
        client = vendor_server.client(vendor_server.create_user(partner_id, f"rep@{name}.example"))
        clients.append(client)
        made.append(Partner(client, name))
    yield made
    for client in clients:
        client.close()


def _same_answer(theirs: dict, missing: dict, their_id: str, missing_id: str) -> None:
    for answer in (theirs, missing):
        answer.pop("op_id")
    assert json.dumps(theirs).replace(their_id, "ID") == json.dumps(missing).replace(missing_id, "ID")


@pytest.mark.parametrize("entity,field", PARTNER_REFERENCES)
def test_a_create_may_not_refer_to_another_partners_record_nor_to_a_missing_one(partners, entity,
                                                                              field):
    alpha, bravo = partners
    target = ENTITIES[entity].field(field).ref
    their_id, missing_id = alpha.ids[target], new_id()
    theirs, missing, own = push(
        bravo.client,
        op(entity, new_id(), "create", bravo.fields(entity, **{field: their_id})),
        op(entity, new_id(), "create", bravo.fields(entity, **{field: missing_id})),
        op(entity, new_id(), "create", bravo.fields(entity, **{field: bravo.ids[target]})))
    assert own["status"] == "applied" and own["record"][field] == bravo.ids[target]
    assert theirs["status"] == "rejected" and theirs["field"] == field
    assert "no " in theirs["reason"] and their_id in theirs["reason"]
    assert "Alpha" not in json.dumps(theirs)
    _same_answer(theirs, missing, their_id, missing_id)


@pytest.mark.parametrize("entity,field", PARTNER_REFERENCES)
def test_an_update_may_not_point_a_reference_at_another_partners_record(partners, entity, field):
    alpha, bravo = partners
    target = ENTITIES[entity].field(field).ref
    record_id = new_id()
    push_one(bravo.client, op(entity, record_id, "create", bravo.fields(entity)))
    their_id, missing_id = alpha.ids[target], new_id()
    current = bravo.ids[target] if ENTITIES[entity].field(field).required else None
    theirs, missing = push(
        bravo.client,
        op(entity, record_id, "update", {field: their_id}, base_version=1, old={field: current}),
        op(entity, record_id, "update", {field: missing_id}, base_version=1, old={field: current}))
    assert theirs["status"] == "rejected" and theirs["field"] == field
    _same_answer(theirs, missing, their_id, missing_id)
    record = bravo.client.get(f"/api/v1/records/{entity}/{record_id}").json()
    assert record["version"] == 1 and record[field] == current


def test_an_action_may_not_carry_a_foreign_reference(partners):
    alpha, bravo = partners
    record_id = new_id()
    push_one(bravo.client, op("registrations", record_id, "create", registration()))
    submitted = push_one(bravo.client, op("registrations", record_id, "action",
                                          {"contact_id": alpha.ids["contacts"]},
                                          base_version=1, action="submit"))
    assert submitted["status"] == "rejected" and submitted["field"] == "contact_id"
    record = bravo.client.get(f"/api/v1/records/registrations/{record_id}").json()
    assert record["status"] == "draft" and record["contact_id"] is None


def test_a_reference_to_a_deleted_record_is_refused_like_a_missing_one(partners):
    _alpha, bravo = partners
    account_id = new_id()
    push_one(bravo.client, op("accounts", account_id, "create", {"name": "Gone Ltd"}))
    push_one(bravo.client, op("accounts", account_id, "delete", base_version=1))
    contact = push_one(bravo.client, op("contacts", new_id(), "create",
                                        bravo.fields("contacts", account_id=account_id)))
    assert contact["status"] == "rejected" and contact["field"] == "account_id"


def test_a_reference_to_a_record_created_earlier_in_the_same_batch_is_taken(partners):
    _alpha, bravo = partners
    account_id, contact_id = new_id(), new_id()
    results = push(bravo.client,
                   op("accounts", account_id, "create", {"name": "Fresh Co"}),
                   op("contacts", contact_id, "create", {"name": "Fresh Contact",
                                                         "account_id": account_id}),
                   op("registrations", new_id(), "create",
                      registration(account_id=account_id, contact_id=contact_id)))
    assert [r["status"] for r in results] == ["applied"] * 3


def test_a_distributor_may_refer_to_a_sub_partners_record_it_can_see(vendor_server):
    distributor = vendor_server.create_partner("Big Distribution", sub_partner_visibility=True)
    reseller = vendor_server.create_partner("Small Reseller", parent_id=distributor)
    with vendor_server.client(vendor_server.create_user(reseller, "rep@small.example")) as small, \
            vendor_server.client(vendor_server.create_user(distributor, "ops@big.example")) as big:
        account_id = new_id()
        push_one(small, op("accounts", account_id, "create", {"name": "Reseller Customer"}))
        case = push_one(big, op("cases", new_id(), "create",
                                {"subject": "For the reseller's customer", "account_id": account_id}))
    assert case["status"] == "applied"
