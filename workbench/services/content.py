"""The content library: documents the vendor published for the partner's tier (price lists,
decks, co-branded assets), cached in the data folder at each sync for offline use.

Opening a document queues an "open" for the vendor, who counts it as a resource downloaded in the
engagement score (seed 003: resources downloaded × 0.5).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.domain import attachments as file_rules
from workbench.domain.errors import InvalidValue
from workbench.services.changes import Changes, Done
from workbench.store import records
from workbench.store.db import Store
from workbench.store.files import LocalFiles


def _shown(row: dict[str, Any], files: LocalFiles) -> dict[str, Any]:
    sha = row.get("sha256") or ""
    cached = file_rules.is_sha256(sha) and files.exists(sha)
    return {**row, "cached": cached, "path": str(files.path(sha)) if cached else None}


def list_content(store: Store) -> list[dict[str, Any]]:
    """Every document, newest first, saying whether it is on this computer."""
    files = LocalFiles(store.data_dir)
    with store.reading() as conn:
        rows = records.list_records(conn, "content_items", order_by="published_at")
    return [_shown(r, files) for r in reversed(rows)]


def open_content(store: Store, content_id: str, target: Path | str | None = None
                 ) -> Done[dict[str, Any]]:
    """The document's local file (fetched from the vendor server if it is not cached yet, or
    copied to `target`), checked by its SHA-256; the open is queued for the vendor."""
    files = LocalFiles(store.data_dir)
    with store.reading() as conn:
        record_id = records.resolve_id(conn, "content_items", content_id)
        row = records.get(conn, "content_items", record_id)
    sha = row["sha256"]
    if not files.exists(sha):
        from workbench.sync import account
        from workbench.sync import files as transfer
        client = account.client_for(store)
        try:
            transfer.download(store, client, sha)
        finally:
            client.close()
    actual, _ = file_rules.sha256_file(files.path(sha))
    if actual != sha:
        files.path(sha).unlink(missing_ok=True)
        raise InvalidValue("sha256", "the copy on this computer was damaged and has been "
                                     "removed; sync to fetch it again", "SHA-256")
    path = files.copy_out(sha, Path(target)) if target else files.path(sha)
    with store.transaction() as conn:
        records.perform_action(conn, "content_items", record_id, "open")
    return Done({**_shown(row, files), "opened": str(path)},
                Changes.edited(("content_items", record_id)))
