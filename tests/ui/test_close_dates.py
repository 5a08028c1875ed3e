"""A closed deal shows the day it closed, not the expected close date still in the future."""

from __future__ import annotations

from datetime import date

from tests.ui.helpers import wait_idle
from workbench.store import records
from workbench.ui import format as fmt


def _won(store):
    with store.reading() as conn:
        return records.list_records(conn, "registrations", where={"status": "won"})[0]


def _cell(page, record_id, key):
    column = next(n for n, c in enumerate(page.spec.columns) if c.key == key)
    return page.model.index(page.model.position_of(record_id), column).data()


def test_a_won_registration_shows_when_it_closed(qtbot, window, store, sample):
    won = _won(store)
    assert date.fromisoformat(won["expected_close_date"]) > date.today()  # expected: later
    closed = fmt.day(won["decided_at"])
    page = window.show_page("registrations", won["id"])
    wait_idle(qtbot, window)
    assert _cell(page, won["id"], "close_date") == closed
    assert _cell(page, won["id"], "close_date") != fmt.day(won["expected_close_date"])
    assert page.notice.text() == f"Won on {closed}."
    assert page.form.values["decided_at"].text() == closed
    # Sorted by close date, the closed deal comes before the open ones expected later.
    positions = {r: page.model.position_of(r) for r in (won["id"], sample["expiring"])}
    assert positions[won["id"]] < positions[sample["expiring"]]


def test_a_closed_opportunity_shows_its_close_date(qtbot, window, store, sample):
    with store.reading() as conn:
        opportunity = records.list_records(conn, "opportunities", where={"outcome": "won"})[0]
    page = window.show_page("opportunities", opportunity["id"])
    wait_idle(qtbot, window)
    assert _cell(page, opportunity["id"], "close_date") == fmt.day(opportunity["closed_on"])


def test_the_account_lists_its_closed_deal_with_the_close_date(qtbot, window, store, sample):
    won = _won(store)
    page = window.show_page("accounts", won["account_id"])
    wait_idle(qtbot, window)
    tree = page.registrations
    rows = [[tree.topLevelItem(i).text(c) for c in range(4)] for i in range(tree.topLevelItemCount())]
    assert ["Won", fmt.day(won["decided_at"])] in [row[2:] for row in rows]
