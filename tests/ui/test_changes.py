"""One signal carrying Changes drives what the window redraws and the duplicate index (issue 12).

Before: a write marked all eight pages stale, and the duplicate index was patched by hand, so an
account made with "New account" was missing from it — typing that name in Register deal then
created a second account without a warning.
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate

from tests.ui.helpers import click, closed, type_into, wait_idle
from workbench.services.changes import Changes
from workbench.store import records


def test_an_account_made_with_new_account_is_known_to_register_deal(qtbot, window, store):
    page = window.show_page("accounts")
    qtbot.waitUntil(lambda: window.ctx.duplicates.index is not None, timeout=10_000)
    dialog = page.new_account()
    type_into(qtbot, dialog.inputs["name"], "Quill & Quire Publishing")
    type_into(qtbot, dialog.inputs["domain"], "quillquire.example")
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: closed(dialog))
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: any(c.candidate.name == "Quill & Quire Publishing" for c in
                                window.ctx.duplicates.index.find("Quill & Quire Publishing")))

    deal = window.register_deal()
    type_into(qtbot, deal.customer, "QUILL & QUIRE PUBLISHING LTD")
    deal.check_duplicates()
    assert deal.warning.isVisible() and "an account for Quill & Quire Publishing" in \
        deal.warning.text()
    type_into(qtbot, deal.product, "Suite")
    type_into(qtbot, deal.value, "12000")
    deal.close_date.setDate(QDate(date.today() + timedelta(days=30)))
    click(qtbot, deal.save_button)
    qtbot.waitUntil(lambda: closed(deal))
    wait_idle(qtbot, window)
    with store.reading() as conn:
        named = [a for a in records.list_records(conn, "accounts") if "Quire" in a["name"]]
        [registration] = records.list_records(conn, "registrations",
                                              where={"account_id": named[0]["id"]})
    assert len(named) == 1  # linked to the account just made, not a second one
    assert registration["customer_domain"] == "quillquire.example"


def test_a_write_redraws_only_the_pages_that_show_what_it_touched(qtbot, window, sample):
    for key in window.pages:  # every page loaded once: nothing is stale
        window.show_page(key)
    wait_idle(qtbot, window)
    leads_page = window.show_page("leads")
    leads_page.select_record(sample["lead_new"])
    assert not any(page.stale for page in window.pages.values())
    click(qtbot, leads_page.accept_button)
    wait_idle(qtbot, window)
    stale = {key for key, page in window.pages.items() if page.stale}
    # Today lists leads, the Scorecard counts the SLA, Sync lists the queued edit; the visible
    # Leads page reloaded at once; accounts, registrations, opportunities and cases are untouched.
    assert stale == {"today", "scorecard", "sync"}
    qtbot.waitUntil(lambda: leads_page.pill.text() == "Accepted")


def test_a_withdrawn_registration_leaves_the_duplicate_index(qtbot, window, sample):
    qtbot.waitUntil(lambda: window.ctx.duplicates.index is not None, timeout=10_000)
    index = window.ctx.duplicates.index
    assert sample["draft"] in index
    with window.ctx.store.transaction() as conn:
        records.perform_action(conn, "registrations", sample["draft"], "withdraw")
    window.ctx.tasks.announce(Changes.edited(("registrations", sample["draft"])))
    qtbot.waitUntil(lambda: sample["draft"] not in window.ctx.duplicates.index)
    wait_idle(qtbot, window)


def test_changes_say_what_they_touch():
    edit = Changes.edited(("leads", "a")) | Changes.edited(("cases", "b"))
    assert edit.touches(["leads"]) and edit.ids("cases") == {"b"} and edit.outbox
    assert not edit.touches(["opportunities"]) and not Changes()
    synced = Changes.after_sync(pushed=0, pulled=3)
    assert synced.touches(["opportunities"]) and synced.ids("accounts") is None
    assert not Changes.after_sync(pushed=0, pulled=0).touches(["accounts"])


def test_new_account_asks_before_creating_a_likely_twin(qtbot, window, store):
    """Issue 13 class 10 (seed 003, edge case 4): "ZEPHYRINE ANALYTICS Corp." at https://www.acme.example/ next
    to "Zephyrine Analytics Corporation" at acme.example is the same company — the form says so and creates a
    second account only when the rep says "Create anyway"."""
    with store.transaction() as conn:
        existing = records.create(conn, "accounts", {"name": "Zephyrine Analytics Corporation",
                                                     "domain": "zephyrine.example"})
    page = window.show_page("accounts")
    dialog = page.new_account()
    type_into(qtbot, dialog.inputs["name"], "ZEPHYRINE ANALYTICS Corp.")
    type_into(qtbot, dialog.inputs["domain"], "https://www.zephyrine.example/")
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: dialog.save_button.text() == "Create anyway")
    assert dialog.isVisible() and "probably Zephyrine Analytics Corporation (zephyrine.example)" in dialog.error.text()
    with store.reading() as conn:
        assert [a["id"] for a in records.list_records(conn, "accounts")
                if "zephyrine" in a["name"].lower()] == [existing["id"]]  # nothing written yet
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: closed(dialog))
    wait_idle(qtbot, window)
    with store.reading() as conn:
        assert len([a for a in records.list_records(conn, "accounts")
                    if "zephyrine" in a["name"].lower()]) == 2
