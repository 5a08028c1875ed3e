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
            terms = {t["key"]: t["value"] for t in records.list_records(conn, "program_terms")}
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
        # the program's lead SLA and protection window came with the sync (seed 001, seed 003)
        assert terms == {"lead_sla_hours": "48", "protection_days": "90"}
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


def test_demo_shows_deal_progress_an_amendment_and_commissions_in_every_status(tmp_path):
    """Issue 14, items 1 and 3: an approved deal with progress, one change of terms waiting for
    the channel manager, commissions earned, coming (approved) and paid, one disputed — on both
    the rep's desk and the vendor's console side."""
    from workbench.domain.commissions import dispute_open
    from workbench.services import commissions

    demo = prepare_demo(tmp_path / "demo")
    try:
        store = open_store(demo.data_dir)
        with store.reading() as conn:
            registrations = records.list_records(conn, "registrations")
            amendments = records.list_records(conn, "registration_amendments")
            # the sub-partner's own commission line is its money, not the distributor's
            lines = [line for line in records.list_records(conn, "commissions")
                     if line["partner_id"] == demo.partner_id]
        assert lines and len(commissions.list_commissions(store).lines) == len(lines)
        store.close()
        assert any(r["status"] == "approved" and r["next_step"] and r["last_activity_on"]
                   for r in registrations)
        assert [a["status"] for a in amendments] == ["pending"]
        assert {"earned", "approved", "paid"} <= {line["status"] for line in lines}
        assert sum(dispute_open(line) for line in lines) == 1
        # seed 001: the rate by tier at close — the demo partner is gold (10%)
        assert all(line["rate_percent"] == "10" and line["tier"] == "gold" for line in lines)
        assert len(demo.vendor.list_amendments()) == 1
        assert len(demo.vendor.list_commissions(disputed=True)) == 1
    finally:
        demo.stop()


def test_demo_shows_certifications_nps_and_a_sub_partner(tmp_path):
    """Issue 14 items 4, 6, 7 in the demo partner's year: a certification expiring soon that
    counts in the engagement score, the vendor's customer NPS, and a sub-partner's deals."""
    import contextlib
    import io
    import json
    from datetime import UTC, datetime

    from workbench.cli import main as cli_main
    from workbench.demo import DEMO_NPS, SUB_PARTNER, SUB_PARTNER_DEALS
    from workbench.domain import scorecard as sc
    from workbench.reports.scorecard import load_scorecard, read_scorecard_data

    def cli(*argv):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            assert cli_main(["--data-dir", str(demo.data_dir), *argv, "--json"]) == 0
        return json.loads(buffer.getvalue())

    demo = prepare_demo(tmp_path / "demo")
    try:
        people = cli("certifications", "list")
        states = {(p["name"], r["name"]): r["state"] for p in people["people"]
                  for r in p["records"]}
        assert states[("Maria Keller", "Analytics Suite Sales Professional")] == "expiring soon"
        assert states[("Jonas Richter", "Data Platform Technical Specialist")] == "in progress"
        card = cli("scorecard")
        assert card["metrics"]["customer_nps"]["value"] == DEMO_NPS
        assert card["tier"]["criteria"]["satisfaction"] == 10  # seed 003: NPS 30-50 = 10 pts
        # seed 003: a certification achieved is a training completed (× 3): the month of the
        # advanced certification scores 3 more than its activity events alone (21.5 → 24.5)
        store = open_store(demo.data_dir)
        now = datetime.now(UTC)
        with store.reading() as conn:
            data = read_scorecard_data(conn, now)
        full = load_scorecard(store, now=now)
        store.close()
        month = next(r["completed_at"][:7] for r in data.learning_records
                     if r["level"] == "advanced" and r["status"] == "completed")
        events_only = sc.compute_scorecard(
            sc.ScorecardData(partner_name="x", activity_events=data.activity_events),
            sc.quarter_of(now), now)
        figure = {m.month: m.value for m in full.engagement_by_month}[month]
        assert figure == {m.month: m.value for m in events_only.engagement_by_month}[month] + 3
        registrations = cli("registrations", "list")
        assert sum(r["partner"] == SUB_PARTNER for r in registrations) == len(SUB_PARTNER_DEALS)
        rollup = cli("scorecard", "--by-partner")
        assert [p["name"] for p in rollup["partners"]][1:] == [SUB_PARTNER]
        assert rollup["partners"][1]["won_12m_deals"] == 1
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
