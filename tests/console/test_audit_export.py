"""The audit log's CSV export: every vendor action with who and before → after, filtered like
the page, and no cell a spreadsheet would run as a formula (issue 13 item 1)."""

from __future__ import annotations

import csv
import io
import json

from tests.console.conftest import PASSWORD
from workbench.server import audit, staff


def test_audit_csv_is_filtered_and_safe_for_spreadsheets(console):
    server = console.server
    staff.create_staff(server.engine, "=cmd@vendor.example", PASSWORD)  # a hostile "email"
    partner = server.create_partner("Acme Resellers")
    with audit.acting_as("=cmd@vendor.example"):
        server.admin.update_record("partners", partner, tier="gold")
    with audit.acting_as("dana@vendor.example"):
        server.admin.update_record("partners", partner, region="-2+3")
    client, _ = console.signed_in()
    answer = client.get("/console/audit.csv", params={"entity": "partners",
                                                      "action": "edit record"})
    assert answer.status_code == 200
    assert answer.headers["content-disposition"].startswith('attachment; filename="audit-')
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [r["actor"] for r in rows] == ["dana@vendor.example", "'=cmd@vendor.example"]
    assert json.loads(rows[0]["after"]) == {"region": "-2+3"}
    assert json.loads(rows[1]["before"]) == {"tier": None}
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    page = client.get("/console/audit", params={"actor": "dana@vendor.example"}).text
    assert "region — → -2+3" in page and "tier — → gold" not in page
