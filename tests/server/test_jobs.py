"""The program's scheduled jobs against a real server and a clock the test sets: lapse
(seed 003: 90-day protection), recycle and re-assign (seed 001: 48-hour first contact),
inactive partners (seed 001: 90/180 days), hygiene (seed 003 edge case 4), averages (issue 13
item 5); idempotent; one worker at a time; running by themselves inside the server."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from tests.server.support import create_registration, latest, pull_all
from workbench.server import jobs
from workbench.server.schema import applied_ops, partner_flags, vendor_leads

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _approved(server, client, now, **fields) -> dict:
    record = create_registration(client, **fields)["record"]
    return server.admin.approve(record["id"], now=now) if record["status"] != "approved" \
        else server.admin.update_record("registrations", record["id"], now=now,
                                        approved_at=now.isoformat(),
                                        protection_expires_at=(now + timedelta(days=90))
                                        .isoformat())


def test_lapse_then_hygiene_close_with_a_clock(vendor_server):
    partner = vendor_server.create_partner("Alpha")
    with vendor_server.client(vendor_server.create_user(partner, "rep@alpha.example")) as rep:
        record = _approved(vendor_server, rep, T0)
        deal = next(c["record"] for c in pull_all(rep)[0] if c["entity"] == "opportunities")
        get = lambda: vendor_server.admin.get_record("registrations", record["id"])
        jobs.run_all(vendor_server.engine, now=T0 + timedelta(days=89, hours=23))
        assert get()["status"] == "approved"
        result = jobs.run_all(vendor_server.engine, now=T0 + timedelta(days=90))
        assert result["lapse-registrations"] == [record["id"]] and get()["status"] == "expired"
        assert jobs.run_all(vendor_server.engine, now=T0 + timedelta(days=91))[
            "lapse-registrations"] == []  # idempotent
        # 30 quiet days after expiry the hygiene job closes it (seed 003 edge case 4)
        jobs.run_all(vendor_server.engine, now=T0 + timedelta(days=119))
        assert get()["status"] == "expired"
        closed = jobs.run_all(vendor_server.engine, now=T0 + timedelta(days=120))
        assert closed["close-stale-registrations"] == [record["id"]]
        assert get()["status"] == "lost" and "data hygiene" in get()["decision_reason"]
        assert vendor_server.admin.get_record("opportunities", deal["id"])["outcome"] == "lost"
        assert jobs.run_all(vendor_server.engine, now=T0 + timedelta(days=130))[
            "close-stale-registrations"] == []
        pulled = latest(pull_all(rep)[0])[("registrations", record["id"])]["record"]
        assert pulled["status"] == "lost"


def test_breached_leads_are_recycled_and_go_to_the_next_partner(vendor_server):
    gold = vendor_server.create_partner("Gold EMEA", tier="gold", region="EMEA")
    silver = vendor_server.create_partner("Silver EMEA", tier="silver", region="EMEA")
    vendor_server.create_partner("Gold NA", tier="gold", region="NA")
    made = vendor_server.admin.create_lead("Acme Lead", region="EMEA", now=T0)
    assert made["partner_id"] == gold and made["assigned_by"] == "ranking"
    first = made["lead"]
    assert jobs.run_all(vendor_server.engine, now=T0 + timedelta(hours=47))[
        "recycle-leads"] == []
    result = jobs.run_all(vendor_server.engine, now=T0 + timedelta(hours=49))
    assert result["recycle-leads"] == [first["id"]]
    assert vendor_server.admin.get_record("leads", first["id"])["assignment_status"] == "recycled"
    with vendor_server.engine.connect() as conn:
        desk = conn.execute(sa.select(vendor_leads)).mappings().one()
    assert desk["partner_id"] == silver and desk["tried_partner_ids"] == [gold, silver]
    second = vendor_server.admin.get_record("leads", desk["lead_id"])
    assert second["partner_id"] == silver and second["assignment_status"] == "assigned"
    assert second["assigned_at"].startswith("2026-12-03T10:00")  # the clock of the job run
    # idempotent: the next run has nothing to recycle
    assert jobs.run_all(vendor_server.engine, now=T0 + timedelta(hours=50))[
        "recycle-leads"] == []
    # silver lets it breach too: nobody in EMEA is left, so it waits on the desk
    jobs.run_all(vendor_server.engine, now=T0 + timedelta(hours=49 + 49))
    with vendor_server.engine.connect() as conn:
        desk = conn.execute(sa.select(vendor_leads)).mappings().one()
    assert desk["status"] == "waiting" and desk["lead_id"] is None
    # the second partner sees its own record only, never who had the lead before
    with vendor_server.client(vendor_server.create_user(silver, "rep@silver.example")) as rep:
        leads = [c["record"] for c in pull_all(rep)[0] if c["entity"] == "leads"]
    assert {lead["id"] for lead in leads} == {second["id"]}
    assert gold not in json.dumps(leads)


def test_inactive_partners_are_flagged_and_unflagged(vendor_server):
    quiet = vendor_server.create_partner("Quiet", joined_on="2026-01-01")
    busy = vendor_server.create_partner("Busy", joined_on="2026-01-01")
    with vendor_server.client(vendor_server.create_user(busy, "rep@busy.example")) as rep:
        record = create_registration(rep)["record"]
    vendor_server.admin.update_record("registrations", record["id"],
                                      submitted_at=(T0 - timedelta(days=100)).isoformat())

    def flags():
        with vendor_server.engine.connect() as conn:
            return {r.partner_id: r.flag for r in conn.execute(sa.select(partner_flags))}

    counts = jobs.run_all(vendor_server.engine, now=T0)["flag-inactive-partners"]
    assert counts == {"re_engagement": 1, "offboard_suggested": 1}
    assert flags() == {quiet: "offboard_suggested", busy: "re_engagement"}
    jobs.run_all(vendor_server.engine, now=T0)
    assert flags() == {quiet: "offboard_suggested", busy: "re_engagement"}  # idempotent
    with vendor_server.client(vendor_server.create_user(busy, "rep2@busy.example")) as rep:
        create_registration(rep, customer_name="Fresh Deal", customer_domain="fresh.com")
    vendor_server.admin.set_partner_status(quiet, "offboarded")
    jobs.run_all(vendor_server.engine)
    assert flags() == {}


def test_averages_job_publishes_only_from_three_partners(vendor_server):
    names = ("Alpha", "Bravo", "Charlie")
    for index, name in enumerate(names):
        partner = vendor_server.create_partner(name)
        with vendor_server.client(vendor_server.create_user(partner, f"r@{name}.example")) as rep:
            create_registration(rep, customer_name=f"{name} Co", customer_domain=f"{name}.com")
        result = jobs.run_all(vendor_server.engine)["publish-averages"]
        published = result["registrations_per_partner"]
        assert (published is None) == (index < 2)
    assert published == "1.00"


def test_one_worker_at_a_time_on_sqlite(tmp_path):
    from workbench.server import db

    engine = db.make_engine(f"sqlite:///{tmp_path / 'jobs.db'}")
    try:
        db.upgrade(engine)
        job = jobs.JOBS[0]
        assert jobs._take_lease(engine, job.name)  # another process holds it
        assert jobs.run_job(engine, job).startswith("skipped")
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE job_runs SET lease_until = NULL"))
        assert jobs.run_job(engine, job) == []
    finally:
        engine.dispose()


def test_one_worker_at_a_time_on_postgresql(pg_db_url, pg_db_url_other):
    from workbench.server import db

    engine, other = db.make_engine(pg_db_url), db.make_engine(pg_db_url_other)
    try:
        db.upgrade(engine)
        db.upgrade(other)
        job = jobs.JOBS[0]
        with engine.connect() as holder:
            holder.execution_options(isolation_level="AUTOCOMMIT")
            key = jobs.lock_key(holder, job.name)
            assert holder.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
            assert jobs.run_job(engine, job).startswith("skipped")
            # another program's schema on the same cluster is not blocked
            assert jobs.run_job(other, job) == []
            holder.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        assert jobs.run_job(engine, job) == []
    finally:
        engine.dispose()
        other.dispose()


def test_serve_runs_the_jobs_by_itself(vendor_server_factory):
    server = vendor_server_factory(jobs_every=0.2)
    partner = server.create_partner("Alpha")
    with server.client(server.create_user(partner, "rep@alpha.example")) as rep:
        record = create_registration(rep)["record"]
    # approved 91 days ago: the next round of the jobs lapses it, with nobody asking
    long_ago = datetime.now(UTC) - timedelta(days=91)
    server.admin.update_record("registrations", record["id"], approved_at=long_ago.isoformat(),
                               protection_expires_at=(long_ago + timedelta(days=90)).isoformat())
    deadline = time.monotonic() + 30
    while server.admin.get_record("registrations", record["id"])["status"] != "expired":
        assert time.monotonic() < deadline, "the server's jobs did not lapse the registration"
        time.sleep(0.05)


def test_admin_run_jobs_runs_once(vendor_server):
    done = subprocess.run([sys.executable, "-m", "workbench.server.cli", "admin", "--db",
                           vendor_server.db_url, "run-jobs", "--now", "2026-12-01T09:00:00Z",
                           "--json"], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert set(json.loads(done.stdout)) == {job.name for job in jobs.JOBS}


def test_push_answers_are_forgotten_after_the_idempotency_window(vendor_server):
    """docs/sync-protocol.md: answers are kept 90 days; the jobs prune older ones by themselves
    (a replay older than that is answered "resync", tests/server/test_idempotency_window.py)."""
    partner = vendor_server.create_partner("Prune Partners")
    with vendor_server.client(vendor_server.create_user(partner, "p@prune.example")) as client:
        create_registration(client)
    now = datetime.now(UTC)
    with vendor_server.engine.connect() as conn:
        kept = conn.execute(sa.select(sa.func.count()).select_from(applied_ops)).scalar_one()
    assert kept >= 1
    assert jobs.run_all(vendor_server.engine, now=now + timedelta(days=89))[
        "prune-push-answers"] == 0
    assert jobs.run_all(vendor_server.engine, now=now + timedelta(days=91))[
        "prune-push-answers"] == kept
    with vendor_server.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(applied_ops)).scalar_one() == 0


def test_won_deals_without_a_commission_get_theirs_from_the_job(vendor_server):
    """Issue 14 item 3: a deal won while commissions were not recorded at close (or before the
    upgrade) is paid like any other — the job records it at the tier's rate, once."""
    from workbench.server import program_settings

    partner = vendor_server.create_partner("Alpha", tier="gold")
    with vendor_server.client(vendor_server.create_user(partner, "rep@alpha.example")) as rep:
        _approved(vendor_server, rep, T0, deal_value_cents=4_000_000)
        deal = next(c["record"] for c in pull_all(rep)[0] if c["entity"] == "opportunities")
    program_settings.change(vendor_server.engine, {"commission_at_close": False})
    vendor_server.admin.close_opportunity(deal["id"], "won", now=T0 + timedelta(days=30))
    assert vendor_server.admin.list_commissions(partner_id=partner) == []
    assert jobs.run_all(vendor_server.engine, now=T0 + timedelta(days=31))[
        "earn-commissions"] == []  # the setting is off: nothing recorded behind its back
    program_settings.change(vendor_server.engine, {"commission_at_close": True})
    result = jobs.run_all(vendor_server.engine, now=T0 + timedelta(days=32))
    assert result["earn-commissions"] == [deal["id"]]
    [line] = vendor_server.admin.list_commissions(partner_id=partner)
    assert (line["status"], line["rate_percent"], line["amount_cents"]) == ("earned", "10", 400_000)
    assert line["period"] == "2026Q4"  # closed 31 Dec 2026, labelled as the scorecard labels it
    assert jobs.run_all(vendor_server.engine, now=T0 + timedelta(days=33))[
        "earn-commissions"] == []  # once


def test_abandoned_partial_uploads_are_forgotten_after_30_days(vendor_server):
    """Issue 14 item 2: a proof file upload cut off and never resumed does not stay on the
    server's disk for ever; one a rep may still resume is kept."""
    import os

    from workbench.server.attachments import file_store

    files = file_store(vendor_server.engine)
    old, recent = "a" * 64, "b" * 64
    for sha in (old, recent):
        assert files.append("user-1", sha, 0, b"first megabyte of an invoice") > 0
    stamp = (T0 - timedelta(days=31)).timestamp()
    os.utime(files.root / "partial" / f"user-1-{old}", (stamp, stamp))
    stamp = (T0 - timedelta(days=29)).timestamp()
    os.utime(files.root / "partial" / f"user-1-{recent}", (stamp, stamp))
    assert jobs.run_all(vendor_server.engine, now=T0)["prune-partial-uploads"] == 1
    assert files.received("user-1", old) == 0  # gone: the workbench will send it again
    assert files.received("user-1", recent) > 0  # still resumable
