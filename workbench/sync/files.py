"""Moving attachment bytes: upload the rep's proof files after a push, fetch files on demand.

An upload asks the server how much of the file it already has and sends the rest in chunks
(CHUNK_BYTES each), so an upload cut off by a lost network or a killed process continues where
it stopped on the next sync. The server checks the whole file's hash when the last chunk
arrives and marks the attachment record uploaded; that mark comes back with the pull.
Downloads land in a temporary file and are kept only when their hash matches.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from workbench.domain import attachments as rules
from workbench.store.db import Store
from workbench.store.files import LocalFiles
from workbench.store.schema import RECORD_TABLES
from workbench.sync.errors import ServerFailed

if TYPE_CHECKING:
    from workbench.sync.client import SyncClient

log = logging.getLogger(__name__)


@dataclass
class UploadOutcome:
    uploaded: int = 0  # files the server now has complete
    sent_bytes: int = 0
    problems: list[str] = field(default_factory=list)  # refused files, in the rep's words


def pending_uploads(store: Store) -> list[dict]:
    """Attachment records the server knows (pushed) but whose bytes it does not have yet."""
    table = RECORD_TABLES["attachments"]
    with store.reading() as conn:
        rows = conn.execute(sa.select(table).where(
            table.c.deleted.is_(False), table.c.version > 0,
            table.c.uploaded_at.is_(None)).order_by(table.c.created_at)).mappings().all()
    files = LocalFiles(store.data_dir)
    seen: set[str] = set()
    pending = []
    for row in rows:
        if row["sha256"] not in seen and files.exists(row["sha256"]):
            seen.add(row["sha256"])
            pending.append(dict(row))
    return pending


def upload_pending(store: Store, client: SyncClient,
                   check: Callable[[], None] | None = None) -> UploadOutcome:
    outcome = UploadOutcome()
    files = LocalFiles(store.data_dir)
    for row in pending_uploads(store):
        if check:
            check()
        try:
            outcome.sent_bytes += upload_one(client, files.path(row["sha256"]), row["sha256"],
                                             check)
            outcome.uploaded += 1
        except ServerFailed as error:
            if error.status not in (404, 413, 422):
                raise
            outcome.problems.append(f"{row['filename']}: {error.message}")
    return outcome


def upload_one(client: SyncClient, path: Path, sha256: str,
               check: Callable[[], None] | None = None) -> int:
    """Send what the server is missing of one file; the bytes sent."""
    state = client.upload_state(sha256)
    sent = 0
    with path.open("rb") as stream:
        for _ in range(2 + state["size"] // rules.CHUNK_BYTES + 2):
            if state["complete"]:
                return sent
            if check:
                check()
            stream.seek(state["received"])
            chunk = stream.read(rules.CHUNK_BYTES)
            try:
                state = client.upload_chunk(sha256, state["received"], chunk)
            except ServerFailed as error:
                if error.status != 409:  # 409: the server has another amount; ask again
                    raise
                state = client.upload_state(sha256)
                continue
            sent += len(chunk)
    if not state["complete"]:
        raise ServerFailed(f"{path.name}: the upload did not complete; the next sync "
                           "continues it", None)
    return sent


def download(store: Store, client: SyncClient, sha256: str) -> Path:
    """Fetch a file into the data folder (if it is not there yet); its local path."""
    files = LocalFiles(store.data_dir)
    if files.exists(sha256):
        return files.path(sha256)
    files.root.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=files.root, prefix=".download-")
    try:
        with os.fdopen(fd, "wb") as out:
            client.download(sha256, out, rules.MAX_BYTES)
        files.adopt(sha256, Path(temp))
    finally:
        Path(temp).unlink(missing_ok=True)
    return files.path(sha256)


def missing_content(store: Store) -> list[str]:
    """Hashes of content library files listed here but not cached yet."""
    table = RECORD_TABLES["content_items"]
    with store.reading() as conn:
        hashes = sorted(set(conn.execute(sa.select(table.c.sha256).where(
            table.c.deleted.is_(False), table.c.sha256.is_not(None))).scalars()))
    files = LocalFiles(store.data_dir)
    return [sha for sha in hashes if rules.is_sha256(sha) and not files.exists(sha)]


def cache_content(store: Store, client: SyncClient,
                  check: Callable[[], None] | None = None) -> int:
    """Fetch the content library's files this workbench lacks; how many were fetched."""
    fetched = 0
    for sha in missing_content(store):
        if check:
            check()
        try:
            download(store, client, sha)
        except ValueError as error:  # a file whose hash did not match: not kept
            log.warning("content file %s not cached: %s", sha[:12], error)
            continue
        fetched += 1
    return fetched
