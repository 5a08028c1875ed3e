"""The program settings a channel manager changes in the console reach every partner's desk:
the lead first-contact SLA and the protection window (program_terms, global scope)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.sync.helpers import assert_converged
from workbench.server import program_settings


@pytest.fixture
def ann(partner, replicas):
    return replicas(partner.token_a, "ann")


def test_first_sync_brings_the_program_defaults(vendor_server, partner, ann):
    # seed 001: 48 h first-contact SLA; seed 003: protection typically 60-90 days (90 here)
    ann.sync()
    terms = {r["key"]: r["value"] for r in _terms(ann)}
    assert terms == {"lead_sla_hours": "48", "protection_days": "90"}
    assert_converged(vendor_server.engine, partner.id, ann)


def test_a_24_hour_lead_sla_set_in_the_console_counts_down_on_the_desk(vendor_server, partner,
                                                                        ann):
    now = datetime.now(UTC)
    fresh = vendor_server.admin.assign_lead(partner.id, "Hooli", now=now - timedelta(hours=20))
    late = vendor_server.admin.assign_lead(partner.id, "Aviato", now=now - timedelta(hours=30))
    turned_down = vendor_server.admin.assign_lead(partner.id, "Initech",
                                                  now=now - timedelta(hours=30))
    ann.sync()
    ann.cli("leads", "reject", turned_down["id"][:8], "--reason", "outside our territory")
    _, before = ann.cli("leads", "list")
    by_id = {lead["id"]: lead["sla"] for lead in before}
    assert not by_id[late["id"]]["breached"]  # 30 h into the default 48 h
    assert by_id[fresh["id"]]["sla_hours"] == 48

    changed = program_settings.change(vendor_server.engine, {"lead_sla_hours": "24"})
    assert changed == {"lead_sla_hours": (48, 24)}
    ann.sync()
    _, after = ann.cli("leads", "list")
    by_id = {lead["id"]: lead["sla"] for lead in after}
    hooli = by_id[fresh["id"]]
    assert hooli["sla_hours"] == 24 and not hooli["breached"]
    assert 3 * 3600 < hooli["remaining_seconds"] <= 4 * 3600  # 24 h - 20 h, not 28 h
    assert datetime.fromisoformat(hooli["due_at"]) == \
        datetime.fromisoformat(fresh["assigned_at"]) + timedelta(hours=24)
    assert by_id[late["id"]]["breached"] is True  # 30 h > 24 h: breached on the desk
    # The vendor takes back the breached lead it never heard about, not the rejected one.
    vendor_server.admin.recycle_leads()
    ann.sync()
    _, left = ann.cli("leads", "list")
    assert sorted(lead["company_name"] for lead in left) == ["Hooli", "Initech"]
    assert next(lead for lead in left if lead["id"] == turned_down["id"])["working_status"] \
        == "rejected"
    assert_converged(vendor_server.engine, partner.id, ann)


def test_a_60_day_protection_window_moves_the_renewal_on_the_desk(vendor_server, partner, ann):
    program_settings.change(vendor_server.engine, {"protection_days": "60"})
    _, draft = ann.cli("registrations", "draft", "--name", "Initech", "--domain", "initech.com",
                       "--value", "$120,000", "--close-date", "2099-06-30", "--product", "Suite")
    ann.cli("registrations", "submit", draft["id"][:8])
    summary = ann.sync()
    assert not summary.rejected
    assert {r["key"]: r["value"] for r in _terms(ann)}["protection_days"] == "60"
    _, shown = ann.cli("registrations", "show", draft["id"][:8])
    assert shown["status"] == "approved"
    protection = shown["protection"]
    assert (protection["window_days"], protection["renewal_opens_day"]) == (60, 45)
    assert 59 <= protection["days_left"] <= 60 and not protection["warning"]
    code, error = ann.cli("registrations", "renew", draft["id"][:8], expect=2)
    assert "day 45 of the 60-day protection window" in error["error"]["message"]
    # 46 days later (the vendor's record moved back in time): the desk offers the renewal and
    # the server, counting the same 60 days, takes it
    approved = datetime.now(UTC) - timedelta(days=46)
    vendor_server.admin.update_record(
        "registrations", draft["id"], approved_at=approved,
        protection_expires_at=approved + timedelta(days=60))
    ann.sync()
    _, shown = ann.cli("registrations", "show", draft["id"][:8])
    assert shown["protection"]["warning"] is True and shown["protection"]["days_left"] == 14
    ann.cli("registrations", "renew", draft["id"][:8])
    summary = ann.sync()
    assert not summary.rejected
    renewed = vendor_server.admin.get_record("registrations", draft["id"])
    assert (renewed["status"], renewed["review_reason"]) == ("pending_review", "renewal")
    assert_converged(vendor_server.engine, partner.id, ann)


def _terms(replica):
    import sqlalchemy as sa

    from workbench.store.schema import RECORD_TABLES
    with replica.store.reading() as conn:
        return [dict(r) for r in conn.execute(sa.select(RECORD_TABLES["program_terms"]))
                .mappings()]


def test_a_setting_stored_before_the_upgrade_is_published_on_start(vendor_server, partner, ann):
    """A server upgraded with 60 protection days already set: the first sync brings 60."""
    import sqlalchemy as sa

    from workbench.server import db
    from workbench.server.schema import program_settings as settings_table
    with vendor_server.engine.begin() as conn:  # as an older server stored it, nothing synced
        conn.execute(sa.insert(settings_table).values(
            key="protection_days", value="60", updated_at="2026-11-01T00:00:00.000000Z",
            updated_by="cli:ops"))
    db.upgrade(vendor_server.engine)  # what `workbench-server serve` runs before the workers
    ann.sync()
    assert {r["key"]: r["value"] for r in _terms(ann)}["protection_days"] == "60"
    assert_converged(vendor_server.engine, partner.id, ann)
