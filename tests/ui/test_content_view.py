"""The Content view (issue 14 item 5): the vendor's documents, opened offline from the cache;
an open is queued for the vendor as a download (seed 003: resources downloaded × 0.5)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa

from tests.ui.helpers import click, wait_idle
from workbench.store.files import LocalFiles
from workbench.store.schema import RECORD_TABLES, outbox


def _pulled_item(store, filename, body, title):
    """A content item as a pull writes it, with its file cached as a sync caches it."""
    sha = hashlib.sha256(body).hexdigest()
    files = LocalFiles(store.data_dir)
    files.root.mkdir(parents=True, exist_ok=True)
    files.path(sha).write_bytes(body)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    record_id = str(uuid.uuid5(uuid.NAMESPACE_URL, title))
    with store.transaction() as conn:
        conn.execute(sa.insert(RECORD_TABLES["content_items"]).values(
            id=record_id, title=title, tier="silver", filename=filename, size_bytes=len(body),
            sha256=sha, published_at=now, created_at=now, updated_at=now, version=1,
            deleted=False))
    return record_id


def test_open_a_document_offline_and_queue_the_download(qtbot, window, store, tmp_path):
    deck = _pulled_item(store, "pitch-deck.pptx", b"deck", "Partner pitch deck")
    tool = _pulled_item(store, "installer.exe", b"MZ", "Demo installer")
    page = window.show_page("content")
    opened = []
    page.opener = opened.append
    page.reload()
    page.select_record(deck)
    assert page.heading.text() == "Partner pitch deck"
    assert page.notice.text() == "On this computer: opens offline."
    click(qtbot, page.open_button)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: len(opened) == 1)
    assert opened[0].read_bytes() == b"deck"
    with store.reading() as conn:
        op = conn.execute(sa.select(outbox).where(outbox.c.record_id == deck)).mappings().one()
    assert (op["kind"], op["action"]) == ("action", "open")

    page.select_record(tool)  # a program is never opened from the workbench, only saved
    assert not page.open_button.isEnabled() and page.copy_button.isEnabled()
    assert "not opened by the workbench" in page.notice.text()
    copy = tmp_path / "installer-copy.exe"
    page.save_copy(tool, copy)
    wait_idle(qtbot, window)
    qtbot.waitUntil(copy.exists)
    assert copy.read_bytes() == b"MZ" and len(opened) == 1
