"""The console's MDF pages (issue 14 item 2): pre-approve or reject a request, pay a claim, and
download the proof files — as downloads, never as pages."""

from __future__ import annotations

import hashlib

from tests.console.conftest import csrf_of
from tests.sync.helpers import Replica
from workbench.services import mdf


def _partner_with_request(console, tmp_path):
    server = console.server
    partner_id = server.create_partner("Northwind Partners", tier="silver")
    rep = Replica(tmp_path / "rep", server.url, server.create_user(partner_id, "rep@nw.example"))
    request = mdf.request_mdf(rep.store, mdf.MdfRequest(
        activity="Customer summit booth", budget="$6,000", start_date="2027-04-01",
        end_date="2027-04-03", expected_pipeline="$90,000")).result
    rep.sync()
    return rep, request["id"]


def test_a_channel_manager_pre_approves_less_then_pays_the_claim(console, tmp_path):
    rep, mdf_id = _partner_with_request(console, tmp_path)
    try:
        client, csrf = console.signed_in()
        listing = client.get("/console/mdf")
        assert "Customer summit booth" in listing.text and "Northwind Partners" in listing.text
        page = client.get(f"/console/mdf/{mdf_id}")
        assert "Pre-approve" in page.text and "$90,000" in page.text
        more = client.post(f"/console/mdf/{mdf_id}/decide",
                           data={"csrf": csrf, "decision": "approve", "amount": "$7,000"})
        assert more.status_code == 422
        assert "more than the partner requested ($6,000" in more.text
        rejected = client.post(f"/console/mdf/{mdf_id}/decide",
                               data={"csrf": csrf, "decision": "reject", "reason": ""})
        assert rejected.status_code == 422 and "Reason: say why" in rejected.text
        done = client.post(f"/console/mdf/{mdf_id}/decide",
                           data={"csrf": csrf, "decision": "approve", "amount": "$5,000"})
        assert done.status_code == 303
        rep.sync()
        assert rep.get("mdf_requests", mdf_id)["approved_cents"] == 500_000

        proof = tmp_path / "invoice <b>1<b>.html"
        proof.write_bytes(b"<html><body onload=alert(1)>invoice</body></html>")
        mdf.claim_mdf(rep.store, mdf_id, "$4,800", [proof])
        rep.sync()
        page = client.get(f"/console/mdf/{mdf_id}")
        assert "Mark paid ($4,800)" in page.text
        assert "<b>1<b>" not in page.text  # the file name is text, escaped
        [attachment] = mdf.show_mdf(rep.store, mdf_id)["attachments"]
        file = client.get(f"/console/files/attachments/{attachment['id']}")
        assert file.status_code == 200
        assert file.headers["content-type"] == "application/octet-stream"
        assert file.headers["x-content-type-options"] == "nosniff"
        assert file.headers["content-disposition"].startswith("attachment; ")
        assert hashlib.sha256(file.content).hexdigest() == attachment["sha256"]

        paid = client.post(f"/console/mdf/{mdf_id}/pay",
                           data={"csrf": csrf, "paid_on": "2027-05-02"})
        assert paid.status_code == 303
        assert "Paid on" in client.get(f"/console/mdf/{mdf_id}").text
        rep.sync()
        assert rep.get("mdf_requests", mdf_id)["status"] == "paid"
        # a form without the session's CSRF token changes nothing
        forged = client.post(f"/console/mdf/{mdf_id}/pay", data={"csrf": "x"})
        assert forged.status_code in (400, 403)
    finally:
        rep.close()


def test_files_need_a_console_session(console, tmp_path):
    rep, mdf_id = _partner_with_request(console, tmp_path)
    rep.close()
    anonymous = console.browser_client()
    assert anonymous.get(f"/console/mdf/{mdf_id}").status_code == 303
    assert anonymous.get("/console/files/attachments/x").status_code == 303
    client, _ = console.signed_in()
    assert csrf_of(client.get("/console/mdf").text)


def test_publishing_content_by_tier_reaches_only_that_tier(console, tmp_path):
    server = console.server
    gold = server.create_partner("Goldcrest", tier="gold")
    silver = server.create_partner("Silverline", tier="silver")
    client, csrf = console.signed_in()
    missing = client.post("/console/content", data={"csrf": csrf, "title": "Deck"})
    assert missing.status_code == 422 and "File: choose the document" in missing.text
    published = client.post("/console/content", data={"csrf": csrf, "title": "Gold price list",
                                                      "tier": "gold"},
                            files={"file": ("prices <2027>.pdf", b"%PDF prices")})
    assert published.status_code == 303 and "1%20partner" in published.headers["location"]
    page = client.get("/console/content")
    assert "Gold price list" in page.text and "Gold and up" in page.text
    assert "prices _2027_.pdf" in page.text  # a safe file name, never markup
    library = server.admin.content_library()
    [item] = library
    assert item["partners"] == 1
    file = client.get(f"/console/files/content_documents/{item['id']}")
    assert file.headers["content-disposition"].startswith("attachment; ")
    assert file.headers["x-content-type-options"] == "nosniff" and file.content == b"%PDF prices"
    import sqlalchemy as sa

    from workbench.server.schema import RECORD_TABLES
    table = RECORD_TABLES["content_items"]
    with server.engine.connect() as conn:
        scopes = set(conn.execute(sa.select(table.c.partner_id)).scalars())
    assert scopes == {gold} and silver not in scopes
