"""A distributor's window (issue 14 item 7): its sub-partners' records carry a Partner column
naming the sub-partner, their detail says they are read-only and the actions are off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from PySide6.QtCore import Qt

from tests.ui.helpers import wait_idle
from workbench.domain.values import format_datetime, new_id
from workbench.store import records
from workbench.store.schema import RECORD_TABLES

SUB = "Alpine IT Solutions AG"


def _synced_sub_partner(store) -> str:
    """What a distributor's sync brings: its sub-partner and one of its approved registrations."""
    now = datetime.now(UTC)
    meta = {"created_at": format_datetime(now), "updated_at": format_datetime(now), "version": 2,
            "deleted": False}
    sub_id, registration_id = new_id(), new_id()
    with store.transaction() as conn:
        own = records.get_state(conn, "partner_id")
        conn.execute(sa.insert(RECORD_TABLES["partners"]).values(
            id=sub_id, partner_id=sub_id, name=SUB, parent_partner_id=own, **meta))
        conn.execute(sa.insert(RECORD_TABLES["registrations"]).values(
            id=registration_id, partner_id=sub_id, customer_name="Edelweiss Bank",
            customer_domain="edelweiss-bank.ch", product="Data Platform",
            deal_value_cents=4_800_000, currency="USD", status="approved",
            expected_close_date=(now + timedelta(days=60)).date().isoformat(),
            approved_at=format_datetime(now - timedelta(days=10)), **meta))
    return registration_id


def test_a_sub_partners_registration_is_labelled_and_read_only(qtbot, window, store, sample):
    registration_id = _synced_sub_partner(store)
    page = window.show_page("registrations")
    page.mark_stale()
    wait_idle(qtbot, window)
    assert not page.table.isColumnHidden(1)
    # the registration number is what the rep quotes to the channel manager: it stays
    number = next(i for i, c in enumerate(page.spec.columns) if c.key == "registration_number")
    assert not page.table.isColumnHidden(number)
    titles = [page.model.headerData(i, Qt.Orientation.Horizontal)
              for i in range(page.model.columnCount())]
    assert titles[1] == "Partner"
    position = page.model.position_of(registration_id)
    assert page.model.index(position, 1).data() == SUB
    own = next(i for i in range(page.model.rowCount()) if i != position)
    assert page.model.index(own, 1).data() == ""  # the distributor's own: no label
    page.select_record(registration_id)
    assert page.notice.isVisible() and f"Record of {SUB}, your sub-partner" in page.notice.text()
    assert not page.withdraw_button.isEnabled() and not page.renew_button.isEnabled()
    assert page.table.column_fitter.needed_width() <= page.table.viewport().width()
    # an own approved registration keeps its actions
    with store.reading() as conn:
        mine = next(r for r in records.list_records(conn, "registrations",
                                                    where={"status": "approved"})
                    if r["id"] != registration_id)
    page.select_record(mine["id"])
    assert page.withdraw_button.isEnabled()


def test_without_sub_partners_the_partner_column_stays_hidden(qtbot, window, sample):
    page = window.show_page("registrations")
    wait_idle(qtbot, window)
    assert page.table.isColumnHidden(1)
    assert not page.table.isColumnHidden(len(page.spec.columns) - 1)  # Number still shows


def test_the_scorecard_rolls_up_by_sub_partner_on_a_distributors_desk(qtbot, window, store,
                                                                      sample):
    _synced_sub_partner(store)
    page = window.show_page("scorecard")
    qtbot.waitUntil(lambda: page.rollup_rows != [], timeout=10_000)
    wait_idle(qtbot, window)
    assert page.rollup.isVisibleTo(page)
    rows = [[page.rollup.topLevelItem(i).text(c) for c in range(6)]
            for i in range(page.rollup.topLevelItemCount())]
    assert rows[0][0].endswith("(you)") and rows[1][0] == SUB
    assert rows[1][3] == "1"  # its approved registration is open
    assert rows[1][4] == "$0 (0)"


def test_no_roll_up_for_a_partner_without_sub_partners(qtbot, window, sample):
    page = window.show_page("scorecard")
    qtbot.waitUntil(lambda: page.rollup_loaded, timeout=10_000)
    assert not page.rollup.isVisibleTo(page) and page.rollup_rows == []
