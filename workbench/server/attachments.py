"""Attachment bytes on the vendor server: one small storage interface and the HTTP endpoints.

Records name their file by SHA-256 (domain/attachments.py); the bytes travel apart from the
record ops (DESIGN §3):

    GET  /api/v1/attachments/{sha256}/received          → {"received": n, "size": s, "complete": b}
    PUT  /api/v1/attachments/{sha256}/upload?offset=N   body: the next bytes (≤ 1 MiB)
    GET  /api/v1/attachments/{sha256}                   the file, as a download

An upload is resumable: a client that was cut off asks how much arrived and sends the rest from
there. Bytes are accepted only for a file one of the user's own attachment records names, never
beyond the size that record declares nor the size limit; when the last byte arrives the server
hashes the whole file and refuses it (and forgets the partial file) when the hash differs. Then
the records are marked uploaded, so the workbench stops sending and the console offers the file.

Downloads are served only to users who can see a record naming the file, always as
`Content-Disposition: attachment` with `X-Content-Type-Options: nosniff` and a sanitised file
name: the console and the API never render an uploaded file as a page.

`FileStore` keeps the files on the server's disk (content-addressed: `ab/cd/abcd…`); another
backend (an object store) would implement the same few methods.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from platformdirs import user_data_dir

from workbench.domain import attachments as rules
from workbench.server.schema import RECORD_TABLES

ENV_FILES_DIR = "WORKBENCH_SERVER_FILES"
# An upload nobody added to for this long is abandoned: long enough for a rep who lost the
# network mid-upload to be away for a few weeks and still resume.
PARTIAL_UPLOAD_KEPT = timedelta(days=30)
FILE_ENTITIES = ("attachments", "content_items")  # records that name a file by its hash
_SAFE_KEY = re.compile(r"[0-9a-zA-Z-]{1,100}")


class HashMismatch(ValueError):
    pass


class FileStore:
    """Content-addressed files in a folder: put / get / exists, and resumable partial uploads."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, sha256: str) -> Path:
        if not rules.is_sha256(sha256):
            raise ValueError("sha256: 64 lowercase hexadecimal characters")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).is_file()

    def get(self, sha256: str) -> Path:
        """The stored file's path (FileNotFoundError if absent)."""
        path = self._path(sha256)
        if not path.is_file():
            raise FileNotFoundError(sha256)
        return path

    def put(self, sha256: str, source: Path) -> None:
        """Store a whole file under its hash; HashMismatch (nothing stored) if it differs."""
        actual, _ = rules.sha256_file(source)
        if actual != sha256:
            raise HashMismatch(actual)
        target = self._path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        os.close(fd)
        shutil.copyfile(source, temp)
        os.replace(temp, target)

    # -- partial uploads (keyed by uploader and hash) ----------------------------------------

    def _partial(self, key: str, sha256: str) -> Path:
        if not _SAFE_KEY.fullmatch(key):
            raise ValueError("key: letters, digits and dashes")
        self._path(sha256)  # checks the hash's form
        return self.root / "partial" / f"{key}-{sha256}"

    def received(self, key: str, sha256: str) -> int:
        path = self._partial(key, sha256)
        return path.stat().st_size if path.exists() else 0

    def append(self, key: str, sha256: str, offset: int, data: bytes) -> int:
        """Write `data` at `offset` (which must be what was received so far); the new size."""
        path = self._partial(key, sha256)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab") as stream:
            if stream.tell() != offset:
                raise ValueError(f"offset: expected {stream.tell()}, got {offset}")
            stream.write(data)
            return stream.tell()

    def prune_partials(self, now: datetime, keep: timedelta) -> int:
        """Forget partial uploads nobody added to for `keep`; a workbench that comes back
        later asks what was received (nothing) and sends the file again. The count."""
        folder = self.root / "partial"
        if not folder.is_dir():
            return 0
        cutoff = (now - keep).timestamp()
        forgotten = 0
        for path in folder.iterdir():
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                forgotten += 1
        return forgotten

    def complete(self, key: str, sha256: str) -> None:
        """Move a fully received partial file into the store; HashMismatch forgets it."""
        path = self._partial(key, sha256)
        try:
            self.put(sha256, path)
        finally:
            path.unlink(missing_ok=True)


def files_root(db_url: str) -> Path:
    """Where the server keeps files: $WORKBENCH_SERVER_FILES, else beside a SQLite database
    ("server.db" → "server.db.files/"), else the server's user data folder."""
    configured = os.environ.get(ENV_FILES_DIR)
    if configured:
        return Path(configured)
    url = sa.make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database + ".files")
    return Path(user_data_dir("partner-workbench-server", appauthor=False)) / "files"


def file_store(engine: sa.Engine) -> FileStore:
    return FileStore(files_root(engine.url.render_as_string(hide_password=False)))


def records_naming(conn: sa.Connection, sha256: str, scopes: tuple[str, ...] | None,
                   entities: tuple[str, ...] = FILE_ENTITIES) -> Iterator[tuple[str, dict]]:
    """(entity, row) of live records naming the file, within `scopes` (None: any)."""
    for name in entities:
        table = RECORD_TABLES[name]
        query = sa.select(table).where(table.c.sha256 == sha256, table.c.deleted == sa.false())
        if scopes is not None:
            query = query.where(table.c.scope.in_(scopes))
        for row in conn.execute(query).mappings():
            yield name, dict(row)


def content_disposition(filename: str | None) -> str:
    """`attachment` with an ASCII fallback and the RFC 5987 UTF-8 name: never inline."""
    safe = rules.safe_filename(filename)
    return (f'attachment; filename="{rules.ascii_filename(safe)}"; '
            f"filename*=UTF-8''{quote(safe, safe='')}")


DOWNLOAD_HEADERS = {"X-Content-Type-Options": "nosniff",
                    "Content-Security-Policy": "default-src 'none'; sandbox",
                    "Cache-Control": "private, no-store"}


def download_headers(filename: str | None) -> dict[str, str]:
    return {**DOWNLOAD_HEADERS, "Content-Disposition": content_disposition(filename)}


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def upload_state(files: FileStore, key: str, sha256: str, size: int) -> dict[str, Any]:
    complete = files.exists(sha256)
    return {"sha256": sha256, "size": size, "complete": complete,
            "received": size if complete else files.received(key, sha256)}
