"""The content library through the real server (issue 14 item 5): the vendor publishes documents
by tier (seed 000/004: Silver sees other assets than Gold), partners receive only what their
tier sees, the workbench caches the files at sync for offline use, and each open is a download
for the engagement score (seed 003: resources downloaded × 0.5); a sync counts as a portal login
(seed 003: portal logins × 1), at most once a day."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from workbench.server.schema import RECORD_TABLES
from workbench.services import content
from workbench.store.records import set_state


def _publish(vendor_server, tmp_path):
    files = {}
    for name, body in (("gold-price-list.pdf", b"%PDF gold prices"),
                       ("silver-deck.pptx", b"deck for silver and up"),
                       ("brochure.pdf", b"%PDF for everyone")):
        path = tmp_path / name
        path.write_bytes(body)
        files[name] = hashlib.sha256(body).hexdigest()
    admin = vendor_server.admin
    admin.publish_content(tmp_path / "gold-price-list.pdf", "Gold price list 2027", tier="gold")
    admin.publish_content(tmp_path / "silver-deck.pptx", "Partner pitch deck", tier="silver")
    admin.publish_content(tmp_path / "brochure.pdf", "Product brochure")
    return files


def _events(vendor_server, partner_id, kind):
    table = RECORD_TABLES["activity_events"]
    with vendor_server.engine.connect() as conn:
        return conn.execute(sa.select(table).where(table.c.partner_id == partner_id,
                                                   table.c.kind == kind)).mappings().all()


def test_partners_receive_what_their_tier_sees_cached_for_offline_use(
        vendor_server, partner, replicas, tmp_path):
    silver_id = vendor_server.create_partner("Silverline Resellers", tier="silver")
    silver_token = vendor_server.create_user(silver_id, "sue@silverline.example")
    files = _publish(vendor_server, tmp_path)
    ann = replicas(partner.token_a, "ann")  # a gold partner
    sue = replicas(silver_token, "sue")
    assert ann.sync().cached == 3
    assert sue.sync().cached == 2
    gold_titles = {r["title"] for r in content.list_content(ann.store)}
    silver_titles = {r["title"] for r in content.list_content(sue.store)}
    assert gold_titles == {"Gold price list 2027", "Partner pitch deck", "Product brochure"}
    assert silver_titles == {"Partner pitch deck", "Product brochure"}
    assert all(r["cached"] for r in content.list_content(sue.store))
    # a silver partner cannot fetch the gold price list by its hash either
    with vendor_server.client(silver_token) as http:
        assert http.get(f"/api/v1/attachments/{files['gold-price-list.pdf']}").status_code == 404

    # offline: the server is unreachable, the document still opens from the cache
    with ann.store.transaction() as conn:
        set_state(conn, "server_url", "http://127.0.0.1:9")
    deck = next(r for r in content.list_content(ann.store) if r["title"] == "Partner pitch deck")
    copy = tmp_path / "out" / "deck.pptx"
    opened = content.open_content(ann.store, deck["id"], copy).result
    assert copy.read_bytes() == b"deck for silver and up" and opened["opened"] == str(copy)


def test_an_open_is_a_download_event_and_a_sync_a_login_once_a_day(
        vendor_server, partner, replicas, tmp_path):
    _publish(vendor_server, tmp_path)
    ann = replicas(partner.token_a, "ann")
    ann.sync()
    assert len(_events(vendor_server, partner.id, "login")) == 1  # the day's first sync
    _, listed = ann.cli("content", "list")
    brochure = next(r for r in listed if r["title"] == "Product brochure")
    _, opened = ann.cli("content", "open", brochure["id"][:8])
    assert open(opened["opened"], "rb").read() == b"%PDF for everyone"
    ann.cli("content", "open", brochure["id"])
    assert _events(vendor_server, partner.id, "download") == []  # queued: sent at the next sync
    ann.sync()
    downloads = _events(vendor_server, partner.id, "download")
    assert len(downloads) == 2 and downloads[0]["user_email"] == partner.email_a
    assert "Product brochure" in downloads[0]["detail"]
    assert len(_events(vendor_server, partner.id, "login")) == 1  # still once today
    bob = replicas(partner.token_b, "bob")
    bob.sync()  # a colleague's first sync: the partner's login for the day is counted already
    assert len(_events(vendor_server, partner.id, "login")) == 1
    ann.sync()  # the events come back to the desk, where the scorecard counts them
    with ann.store.reading() as conn:
        kinds = [r.kind for r in conn.execute(sa.text("select kind from activity_events"))]
    assert kinds.count("download") == 2 and kinds.count("login") == 1
    library = vendor_server.admin.content_library()
    assert next(r for r in library if r["title"] == "Product brochure")["opens"] == 2


def test_publishing_refuses_an_unknown_tier_and_a_file_over_the_limit(vendor_server, tmp_path):
    import pytest

    from workbench.server.admin import AdminError
    path = tmp_path / "big.zip"
    with path.open("wb") as stream:
        stream.truncate(26 * 1024 * 1024)
    with pytest.raises(AdminError, match="big.zip is 26.0 MB; files may be at most 25 MB"):
        vendor_server.admin.publish_content(path, "Assets")
    small = tmp_path / "a.txt"
    small.write_text("x")
    with pytest.raises(AdminError, match="^tier: one of bronze, silver, gold, platinum"):
        vendor_server.admin.publish_content(small, "Assets", tier="diamond")
    assert vendor_server.admin.content_library() == []


def test_a_partner_that_moves_up_a_tier_receives_its_documents_and_down_loses_them(
        vendor_server, replicas, tmp_path):
    from workbench.server import jobs
    partner_id = vendor_server.create_partner("Climbing Co", tier="silver")
    rep = replicas(vendor_server.create_user(partner_id, "rep@climbing.example"), "rep")
    _publish(vendor_server, tmp_path)
    rep.sync()
    assert {r["title"] for r in content.list_content(rep.store)} == {"Partner pitch deck",
                                                                     "Product brochure"}
    vendor_server.admin.update_record("partners", partner_id, tier="gold")
    assert jobs.run_all(vendor_server.engine)["follow-content-tiers"] == {"added": 1,
                                                                          "withdrawn": 0}
    rep.sync()
    assert "Gold price list 2027" in {r["title"] for r in content.list_content(rep.store)}
    vendor_server.admin.update_record("partners", partner_id, tier="bronze")
    assert jobs.run_all(vendor_server.engine)["follow-content-tiers"] == {"added": 0,
                                                                          "withdrawn": 2}
    rep.sync()
    assert {r["title"] for r in content.list_content(rep.store)} == {"Product brochure"}
