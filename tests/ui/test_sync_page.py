"""The Sync page and the status bar tell one story: one clock, and banners that follow the store."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.ui.helpers import click, closed, wait_idle
from workbench.domain.values import parse_datetime
from workbench.services.changes import Changes
from workbench.store.schema import sync_log


def test_the_card_and_the_status_bar_agree_on_the_last_sync(qtbot, window, store, monkeypatch):
    with store.reading() as conn:
        finished = conn.execute(sa.select(sync_log.c.finished_at).where(sync_log.c.outcome == "ok")
                                .order_by(sync_log.c.id.desc()).limit(1)).scalar()
    last = parse_datetime(finished)
    page = window.show_page("sync")
    wait_idle(qtbot, window)
    # Between two readings of a clock the minute turns: 89 s and 91 s after the sync.
    for seconds in (89, 91, 151):
        monkeypatch.setattr(window.ctx, "now", lambda s=seconds: last + timedelta(seconds=s))
        window._tick()  # the minute timer
        page.reload()
        wait_idle(qtbot, window)
        card = page.cards["last"].value.text()
        assert window.last_sync_label.text() == f"Last sync: {card}", seconds
    assert card == "3 min ago"


def test_resolving_the_only_conflict_takes_its_banner_away(qtbot, window, store, sample):
    page = window.show_page("sync")
    wait_idle(qtbot, window)
    # A sync just reported the conflict (the outcome the controller hands over).
    page.show_outcome({"ok": True, "message": "Synced: sent 0, received 3, 1 conflict to resolve",
                       "summary": {"pushed": 0, "pulled": 3, "rejected": [], "open_conflicts": 1}})
    assert page.conflict_banner.isVisible()
    assert page.conflict_banner.text().startswith("1 conflict to resolve")
    assert "conflict" not in page.state.text()  # the outcome line says what the sync did
    click(qtbot, page.resolve_button)
    qtbot.waitUntil(lambda: window.conflict_dialog is not None and window.conflict_dialog.isVisible())
    dialog = window.conflict_dialog
    click(qtbot, dialog.rows[0].theirs)
    click(qtbot, dialog.apply_button)
    qtbot.waitUntil(lambda: closed(dialog))
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: not page.conflict_banner.isVisible())
    assert page.state.text() == "Synced: sent 0, received 3."
    assert page.tabs.tabText(0) == "Conflicts (0)"
    qtbot.waitUntil(lambda: window.conflicts_label.text() == "0 conflicts")


def test_a_failed_sync_keeps_saying_so_until_the_next_one(qtbot, window, store):
    page = window.show_page("sync")
    page.show_outcome({"ok": False, "message": "Sync failed: vendor server unreachable",
                       "summary": None})
    with store.transaction() as conn:  # any later write reloads the page
        conn.execute(sa.update(sync_log).values(message="x"))
    window.ctx.tasks.announce(Changes(outbox=True, conflicts=True, account=True))
    wait_idle(qtbot, window)
    assert page.state.text() == "Sync failed: vendor server unreachable"
