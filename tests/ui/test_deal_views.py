"""Deal progress, change requests and commissions, worked through the window (issue 14,
items 1 and 3): the same services as the command line, offline, queued for the next sync."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from tests.ui.helpers import click, type_into, wait_idle
from workbench.domain.values import format_datetime, new_id
from workbench.store import records
from workbench.store.schema import RECORD_TABLES, outbox


def _ops(store, entity):
    with store.reading() as conn:
        return [dict(r) for r in conn.execute(sa.select(outbox).where(outbox.c.entity == entity))
                .mappings()]


def test_progress_is_recorded_on_an_approved_deal_only(qtbot, window, store, sample):
    page = window.show_page("registrations")
    page.select_record(sample["draft"])
    assert not page.progress_button.isEnabled() and not page.amend_button.isEnabled()
    page.select_record(sample["expiring"])  # approved 80 days ago: still protected
    assert page.progress_button.isEnabled()
    click(qtbot, page.progress_button)
    dialog = page._deal_dialog
    dialog.next_step.clear()
    type_into(qtbot, dialog.next_step, "Security review with the CISO")
    type_into(qtbot, dialog.activity, "Demo to the IT team")
    dialog.activity_on.setText("2026-11-30")
    click(qtbot, dialog.ok)
    wait_idle(qtbot, window)
    with store.reading() as conn:
        saved = records.get(conn, "registrations", sample["expiring"])
    assert (saved["next_step"], saved["last_activity"], saved["last_activity_on"]) == \
        ("Security review with the CISO", "Demo to the IT team", "2026-11-30")
    [op] = [o for o in _ops(store, "registrations") if o["record_id"] == sample["expiring"]]
    assert op["kind"] == "update" and "next_step" in op["fields"]
    qtbot.waitUntil(lambda: page.form.values["next_step"].text() ==
                    "Security review with the CISO")
    assert "30 Nov 2026" in page.form.values["last_activity"].text()


def test_request_change_needs_a_note_and_shows_it_is_waiting(qtbot, window, store, sample):
    page = window.show_page("registrations")
    page.select_record(sample["expiring"])
    assert not page.amendment_note.isVisible()
    click(qtbot, page.amend_button)
    dialog = page._deal_dialog
    type_into(qtbot, dialog.value, "150000")
    assert not dialog.ok.isEnabled()  # what changed is required
    type_into(qtbot, dialog.note, "Two more sites")
    assert dialog.ok.isEnabled()
    click(qtbot, dialog.ok)
    wait_idle(qtbot, window)
    with store.reading() as conn:
        [amendment] = records.list_records(conn, "registration_amendments")
    assert amendment["deal_value_cents"] == 15_000_000 and amendment["status"] == "pending"
    assert amendment["registration_id"] == sample["expiring"]
    qtbot.waitUntil(page.amendment_note.isVisible)
    assert "Change requested ($150,000)" in page.amendment_note.text()
    assert "waiting for the channel manager" in page.amendment_note.text()
    # one change request at a time: the button waits for the channel manager's answer too
    qtbot.waitUntil(lambda: not page.amend_button.isEnabled())
    assert page.progress_button.isEnabled()


def _commission(conn, opportunity_id, status, amount, **extra):
    now = format_datetime(datetime.now(UTC))
    row = {"id": new_id(), "opportunity_id": opportunity_id, "amount_cents": amount,
           "currency": "USD", "status": status, "rate_percent": "10", "tier": "gold",
           "closed_amount_cents": amount * 10, "earned_on": "2026-10-01", "period": "2026Q4",
           "created_at": now, "updated_at": now, "version": 2, "deleted": False, **extra}
    conn.execute(sa.insert(RECORD_TABLES["commissions"]).values(row))
    return row["id"]


def test_commissions_show_earned_coming_paid_and_take_a_dispute(qtbot, make_window, store,
                                                               sample):
    with store.transaction() as conn:
        won = records.list_records(conn, "opportunities", where={"outcome": "won"})[0]["id"]
        earned = _commission(conn, won, "earned", 450_000)
        _commission(conn, won, "approved", 250_000, approved_on="2026-10-15")
        _commission(conn, won, "paid", 100_000, approved_on="2026-10-15", paid_on="2026-11-01")
    window = make_window()
    page = window.show_page("commissions")
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)
    assert page.cards["earned"].value.text() == "$4,500"
    assert page.cards["coming"].value.text() == "$2,500"
    assert page.cards["paid"].value.text() == "$1,000"
    assert page.cards["total"].value.text() == "$8,000"
    page.select_record(earned)
    click(qtbot, page.dispute_button)
    dialog = page._note_dialog
    assert not dialog.ok.isEnabled()  # a dispute needs its reason
    type_into(qtbot, dialog.text, "The closed amount was higher")
    click(qtbot, dialog.ok)
    wait_idle(qtbot, window)
    with store.reading() as conn:
        line = records.get(conn, "commissions", earned)
    assert line["dispute_reason"] == "The closed amount was higher" and line["disputed_at"]
    qtbot.waitUntil(lambda: page.pill.text() == "Earned, disputed")
    assert not page.dispute_button.isEnabled()
    assert "1 disputed" in page.cards["total"].period.text()
    page.status_box.setCurrentIndex(page.status_box.findText("Disputed"))
    assert page.model.rowCount() == 1
