"""The local store refuses a dangling reference at edit time — every way a rep edits (create,
update, an action carrying fields) — while a pulled page may still bring a child before its
parent (issue 13, class 2)."""

from __future__ import annotations

import pytest

from workbench.domain.values import InvalidValue, new_id, now_text
from workbench.store import records
from workbench.sync.apply import apply_changes
from workbench.sync.protocol import Change


def _draft(conn, **extra):
    return records.create(conn, "registrations", {
        "customer_name": "Globex", "product": "Suite", "deal_value_cents": 4_000_000,
        "expected_close_date": "2099-03-31", **extra})


def test_create_update_and_action_refuse_a_reference_to_no_record_here(store):
    dangling = new_id()
    with store.transaction() as conn:
        account = records.create(conn, "accounts", {"name": "Initech"})
        draft = _draft(conn)
        before = records.pending_count(conn)
    attempts = [
        ("contacts", lambda c: records.create(c, "contacts", {"name": "Jo", "account_id": dangling})),
        ("cases", lambda c: records.create(c, "cases", {"subject": "x", "account_id": dangling})),
        ("case_comments", lambda c: records.create(c, "case_comments",
                                                   {"body": "x", "case_id": dangling})),
        ("registrations", lambda c: records.update(c, "registrations", draft["id"],
                                                   {"account_id": dangling})),
        ("registrations", lambda c: records.perform_action(c, "registrations", draft["id"],
                                                           "submit", {"contact_id": dangling})),
    ]
    for _entity, attempt in attempts:
        with pytest.raises(InvalidValue) as refused, store.transaction() as conn:
            attempt(conn)
        assert refused.value.field in ("account_id", "case_id", "contact_id")
        assert dangling in str(refused.value)
    with store.reading() as conn:
        assert records.pending_count(conn) == before  # nothing half-written
        assert records.get(conn, "registrations", draft["id"])["status"] == "draft"
        # the same edits with a record that exists here go through
    with store.transaction() as conn:
        records.create(conn, "contacts", {"name": "Jo", "account_id": account["id"]})


def test_a_deleted_record_cannot_be_referred_to(store):
    with store.transaction() as conn:
        account = records.create(conn, "accounts", {"name": "Gone Ltd"})
        records.delete(conn, "accounts", account["id"])
    with pytest.raises(InvalidValue) as refused, store.transaction() as conn:
        records.create(conn, "contacts", {"name": "Jo", "account_id": account["id"]})
    assert refused.value.field == "account_id"


def test_a_pulled_page_may_bring_a_contact_before_its_account(store):
    account_id, contact_id, partner_id = new_id(), new_id(), new_id()
    now = now_text()
    meta = {"partner_id": partner_id, "created_at": now, "updated_at": now, "version": 1,
            "deleted": False}
    contact = {"id": contact_id, "account_id": account_id, "name": "Early Contact", "email": None,
               "phone": None, "role": None, **meta}
    account = {"id": account_id, "name": "Late Account", "domain": None, "industry": None,
               "country": None, "region": None, "notes": None, **meta}
    with store.transaction() as conn:
        apply_changes(conn, [Change("contacts", contact_id, 1, False, contact)])
    with store.reading() as conn:
        assert records.get(conn, "contacts", contact_id)["account_id"] == account_id
    with store.transaction() as conn:
        apply_changes(conn, [Change("accounts", account_id, 1, False, account)])
        records.update(conn, "contacts", contact_id, {"role": "CTO"})  # now a valid edit
