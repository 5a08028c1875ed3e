"""The People page: the partner's people, their certifications and training with expiry dates,
expiring soon highlighted, and what the next tier needs (issue 14 item 4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from tests.ui.helpers import wait_idle
from workbench.domain.values import format_datetime, new_id
from workbench.store import records
from workbench.store.schema import RECORD_TABLES
from workbench.ui.tablemodel import TONE_ROLE


def _synced_people(store) -> None:
    """What a sync brings: two partner users and the vendor's learning records."""
    now = datetime.now(UTC)
    meta = {"created_at": format_datetime(now), "updated_at": format_datetime(now), "version": 1,
            "deleted": False}
    with store.transaction() as conn:
        partner_id = records.get_state(conn, "partner_id")
        for email, name, role in (("sam.rep@brightline.example", "Sam Rep", "seller"),
                                  ("lee@brightline.example", "Lee Engineer", "engineer")):
            conn.execute(sa.insert(RECORD_TABLES["partner_users"]).values(
                id=new_id(), partner_id=partner_id, email=email, name=name, role=role, **meta))
        for email, name, level, status, expires in (
                ("sam.rep@brightline.example", "Sales Professional", "basic", "completed",
                 now.date() + timedelta(days=12)),
                ("sam.rep@brightline.example", "Technical Specialist", "advanced", "completed",
                 now.date() + timedelta(days=400)),
                ("lee@brightline.example", "Architect", "expert", "in_progress", None)):
            conn.execute(sa.insert(RECORD_TABLES["learning_records"]).values(
                id=new_id(), partner_id=partner_id, user_email=email, kind="certification",
                name=name, level=level, status=status,
                completed_at=format_datetime(now - timedelta(days=300))
                if status == "completed" else None,
                expires_on=expires.isoformat() if expires else None, **meta))


def test_people_page_lists_certifications_and_highlights_the_one_expiring(qtbot, window, store):
    _synced_people(store)
    page = window.show_page("people")
    qtbot.waitUntil(lambda: page.overview is not None, timeout=10_000)
    wait_idle(qtbot, window)
    table = page.table
    rows = [[table.topLevelItem(i).text(c) for c in range(table.columnCount())]
            for i in range(table.topLevelItemCount())]
    assert rows[0][0] == "Sam Rep" and rows[0][3] == "Sales Professional"  # expiring: first
    assert rows[0][5] == "expiring soon" and rows[0][7].endswith("(in 12 days)")
    assert table.topLevelItem(0).data(5, TONE_ROLE) == "warning"
    assert ["Lee Engineer", "engineer", "certification", "Architect", "expert", "in progress"] \
        == rows[2][:6]
    assert page.expiring_card.value.text() == "1"
    assert page.level_card.value.text() == "Advanced"  # seed 003 rubric: Advanced = 10 pts
    assert "10 of 15" in page.level_card.period.text()
    assert page.tier.text().startswith("<b>Tier:")
    assert "→" in page.tier.text()  # what the next tier needs


def test_people_page_without_synced_people_says_so(qtbot, window, store):
    page = window.show_page("people")
    qtbot.waitUntil(lambda: page.overview is not None, timeout=10_000)
    assert page.table.topLevelItemCount() == 0
    assert page.people_card.value.text() == "0"
