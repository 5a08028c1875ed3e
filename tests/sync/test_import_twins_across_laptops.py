"""The CRM record id travels with the account: a colleague who imports the same CRM export after
a sync updates the accounts instead of making twins (issue 13, class 10; seed 003, edge case 4).

Needs the server's `accounts.crm_record_id` column (a server migration)."""

from __future__ import annotations

import csv

from tests.sync.helpers import assert_converged

ROWS = [["Id", "Name", "Website", "BillingCountry", "Industry"],
        ["0015g00000AbCdEAAV", "Globex Corporation", "globex.example", "US", "Energy"],
        ["0015g00000AbCdFAAV", "Initech", "initech.example", "US", "Software"]]


def test_a_colleagues_import_of_the_same_export_makes_no_twins(vendor_server, partner, replicas,
                                                               tmp_path):
    path = tmp_path / "salesforce.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(ROWS)
    ann, bob = replicas(partner.token_a, "ann"), replicas(partner.token_b, "bob")
    ann.cli("accounts", "import", str(path))
    ann.sync()
    bob.sync()

    renamed = tmp_path / "renamed.csv"
    with renamed.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([ROWS[0], ROWS[1], [*ROWS[2][:1], "Initech Systems", *ROWS[2][2:]]])
    _, report = bob.cli("accounts", "import", str(renamed), "--update-existing")
    assert report["created"] == 0 and report["updated"] == 1
    bob.sync()
    ann.sync()
    _, listed = ann.cli("accounts", "list")
    assert sorted(a["name"] for a in listed) == ["Globex Corporation", "Initech Systems"]
    assert {a["crm_record_id"] for a in listed} == {r[0] for r in ROWS[1:]}
    assert_converged(vendor_server.engine, partner.id, ann, bob)
