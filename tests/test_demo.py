"""`workbench --demo`: a newcomer sees a living workbench, built through the real server and sync."""

import sqlalchemy as sa

from workbench.demo import prepare_demo
from workbench.store import records
from workbench.store.db import open_store
from workbench.store.schema import outbox


def test_demo_fills_every_view_through_the_real_sync(tmp_path):
    demo = prepare_demo(tmp_path / "demo")
    try:
        store = open_store(demo.data_dir)
        with store.reading() as conn:
            statuses = {r["status"] for r in records.list_records(conn, "registrations")}
            leads = records.list_records(conn, "leads")
            opportunities = records.list_records(conn, "opportunities")
            averages = records.list_records(conn, "program_averages")
            cases = records.list_records(conn, "cases")
            pending = conn.execute(sa.select(sa.func.count()).select_from(outbox)
                                   .where(outbox.c.state == "pending")).scalar_one()
            partner = records.get_state(conn, "partner_name")
        store.close()
        # registrations in every state a rep meets (DESIGN §4 lifecycle)
        assert {"draft", "submitted", "approved", "rejected", "won", "lost"} <= statuses
        assert len(leads) == 4 and all(lead["assigned_at"] for lead in leads)
        assert any(o["outcome"] == "open" for o in opportunities)
        assert any(o["outcome"] == "won" for o in opportunities)
        assert averages and cases[0]["case_number"].startswith("CS-")
        assert pending == 0 and partner == "Northwind Partners GmbH"
        # the vendor side answers: the server is really running
        assert demo.vendor.list_registrations(status="approved")
    finally:
        demo.stop()


def test_demo_sync_view_shows_a_conflict_and_a_rejected_change(tmp_path):
    """The demo shows what sync does when edits cross: a stored conflict (never overwritten) and
    an edit the vendor refused, with its reason (seed 001: recycled after the 48-hour SLA)."""
    from workbench.store.schema import conflicts

    demo = prepare_demo(tmp_path / "demo")
    try:
        store = open_store(demo.data_dir)
        with store.reading() as conn:
            [conflict] = conn.execute(sa.select(conflicts)).mappings().all()
            rejected = conn.execute(sa.select(outbox).where(outbox.c.state == "rejected")).mappings().all()
            globex = next(a for a in records.list_records(conn, "accounts") if a["domain"] == "globex.com")
        store.close()
        assert (conflict["field"], conflict["mine_value"], conflict["theirs_value"]) == \
            ("notes", "Renewal in Q3; talk to Lena first", "Renewal moved to Q4 (procurement freeze)")
        assert globex["notes"] == "Renewal in Q3; talk to Lena first"  # mine shows until resolved
        assert [r["entity"] for r in rejected] == ["leads"] and "48-hour" in rejected[0]["reason"]
    finally:
        demo.stop()


def test_demo_has_mdf_in_every_stage_with_proof_files_on_the_server(tmp_path):
    """Issue 14 item 2: the demo partner's year has MDF requests in each stage; the claimed and
    paid ones carry proof files that reached the vendor (content-addressed attachments)."""
    from workbench.server.attachments import file_store
    from workbench.services import mdf

    demo = prepare_demo(tmp_path / "demo")
    try:
        store = open_store(demo.data_dir)
        try:
            requests = mdf.list_mdf(store)
            by_status = {r["status"]: r for r in requests}
            paid = mdf.show_mdf(store, by_status["paid"]["id"])
            claimed = mdf.show_mdf(store, by_status["claimed"]["id"])
        finally:
            store.close()
        assert set(by_status) == {"draft", "submitted", "approved", "rejected", "claimed", "paid"}
        assert by_status["rejected"]["decision_reason"]
        for shown in (paid, claimed):
            assert len(shown["attachments"]) == 2
            assert all(a["uploaded"] for a in shown["attachments"])
            assert all(file_store(demo.vendor.engine).exists(a["sha256"])
                       for a in shown["attachments"])
        assert paid["revenue_cents"] > 0 and paid["roi_percent"] is not None  # seed 003 ROI
    finally:
        demo.stop()


def test_demo_content_library_follows_the_tier_and_is_cached(tmp_path):
    """Issue 14 item 5: the Gold demo partner sees every document but the Platinum kit, each
    cached for offline use; the price list was opened (a download for the vendor)."""
    from workbench.services import content

    demo = prepare_demo(tmp_path / "demo")
    try:
        store = open_store(demo.data_dir)
        try:
            items = content.list_content(store)
            with store.reading() as conn:
                pending = conn.execute(sa.select(outbox).where(
                    outbox.c.entity == "content_items")).mappings().all()
        finally:
            store.close()
        assert {i["title"] for i in items} == {"2027 partner price list", "Partner pitch deck",
                                                "Product brochure"}
        assert all(i["cached"] for i in items)
        assert [p["action"] for p in pending] == ["open"]
    finally:
        demo.stop()
