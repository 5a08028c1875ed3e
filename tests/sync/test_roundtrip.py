"""Push, pull and field-level merge between two reps of one partner and the vendor
(issue 4 §3-5)."""

from __future__ import annotations

import pytest

from tests.sync.helpers import assert_converged


@pytest.fixture
def ann(partner, replicas):
    return replicas(partner.token_a, "ann")


@pytest.fixture
def bob(partner, replicas):
    return replicas(partner.token_b, "bob")


def test_created_records_reach_the_server_and_the_colleague(vendor_server, partner, ann, bob):
    account = ann.create("accounts", name="Globex", domain="globex.com")
    contact = ann.create("contacts", account_id=account["id"], name="Hank Scorpio")
    summary = ann.sync()
    assert (summary.pushed, summary.applied, summary.rejected) == (2, 2, [])
    assert ann.get("accounts", account["id"])["version"] == 1
    assert vendor_server.admin.get_record("contacts", contact["id"])["name"] == "Hank Scorpio"
    bob.sync()
    assert bob.get("contacts", contact["id"])["account_id"] == account["id"]
    assert_converged(vendor_server.engine, partner.id, ann, bob)


def test_edits_of_different_fields_both_survive(vendor_server, partner, ann, bob):
    account = ann.create("accounts", name="Globex")
    ann.sync()
    bob.sync()
    ann.edit("accounts", account["id"], industry="Energy")
    bob.edit("accounts", account["id"], country="US")
    vendor_server.admin.update_record("accounts", account["id"], region="AMER")
    for replica in (bob, ann, bob):
        summary = replica.sync()
        assert summary.conflicts == 0
    final = ann.get("accounts", account["id"])
    assert (final["industry"], final["country"], final["region"]) == ("Energy", "US", "AMER")
    assert_converged(vendor_server.engine, partner.id, ann, bob)


def test_same_field_becomes_a_conflict_resolved_from_the_cli(vendor_server, partner, ann, bob):
    account = ann.create("accounts", name="Globex")
    ann.sync()
    bob.sync()
    ann.edit("accounts", account["id"], notes="Ann: budget approved", industry="Energy")
    bob.edit("accounts", account["id"], notes="Bob: call back in May", country="US")
    ann.sync()
    summary = bob.sync()
    assert summary.conflicts == 1
    # Bob still sees his own value until he decides; his other field went through.
    assert bob.get("accounts", account["id"])["notes"] == "Bob: call back in May"
    server = vendor_server.admin.get_record("accounts", account["id"])
    assert (server["notes"], server["country"]) == ("Ann: budget approved", "US")
    _, listed = bob.cli("conflicts", "list")
    assert [(c["field"], c["mine_value"], c["theirs_value"]) for c in listed] == [
        ("notes", "Bob: call back in May", "Ann: budget approved")]
    _, shown = bob.cli("conflicts", "show", listed[0]["id"][:8])
    assert shown["base_value"] is None
    bob.cli("conflicts", "resolve", listed[0]["id"][:8],
            "--set", "notes=Both: approved, call in May")
    assert bob.open_conflicts() == []
    bob.sync()
    ann.sync()
    assert ann.get("accounts", account["id"])["notes"] == "Both: approved, call in May"
    assert_converged(vendor_server.engine, partner.id, ann, bob)
