"""Files that travel with records: MDF proof of performance, content library documents.

Content-addressed (DESIGN §3): a file is named by the SHA-256 of its bytes, both ends check the
hash, and no file larger than MAX_BYTES is copied, stored or sent. The rules here are shared by
the workbench (before it copies a file into its data folder) and the vendor server (before it
accepts a single byte).
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from workbench.domain.model import ATTACHMENTS

MAX_BYTES = 25 * 1024 * 1024  # per file
MAX_LABEL = "25 MB"
CHUNK_BYTES = 1024 * 1024  # one upload request carries at most this much
_SHA256 = re.compile(r"[0-9a-f]{64}")
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]')


def too_large(size: int, filename: str = "the file") -> str | None:
    """The message for a file over the limit, naming the limit; None when it fits."""
    if size > MAX_BYTES:
        return (f"{filename} is {human_size(size)}; files may be at most {MAX_LABEL} "
                f"({MAX_BYTES:,} bytes) each")
    return None


def check_size(size: int, filename: str = "the file") -> None:
    problem = too_large(size, filename)
    if problem:
        raise ATTACHMENTS.invalid("size_bytes", problem)


def is_sha256(text: Any) -> bool:
    return isinstance(text, str) and _SHA256.fullmatch(text) is not None


def check_attachment(record: Mapping[str, Any]) -> None:
    """An attachment record's cross-field rules (the hash's form and the size limit)."""
    if record.get("sha256") is not None and not is_sha256(record["sha256"]):
        raise ATTACHMENTS.invalid("sha256", "must be 64 lowercase hexadecimal characters")
    size = record.get("size_bytes")
    if isinstance(size, int):
        check_size(size, record.get("filename") or "the file")


def check_attachment_edit(changes: Mapping[str, Any]) -> None:
    """An attachment names its bytes: it is never changed, only another one attached."""
    for name in changes:
        raise ATTACHMENTS.invalid(name, "an attachment cannot be changed; attach the corrected "
                                        "file as a new one")


def sha256_of(stream: IO[bytes]) -> tuple[str, int]:
    """(hex digest, size) of everything left in a binary stream."""
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK_BYTES):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def sha256_file(path: Path) -> tuple[str, int]:
    with path.open("rb") as stream:
        return sha256_of(stream)


def safe_filename(name: str | None) -> str:
    """A file name safe in a Content-Disposition header and on any disk: no folders, no control
    or shell-special characters, at most 120 characters, never empty."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    base = _UNSAFE.sub("_", base).strip(" .")
    if len(base) > 120:
        stem, dot, ext = base.rpartition(".")
        base = (stem[:110] + dot + ext[:9]) if dot and len(ext) <= 9 else base[:120]
    return base or "attachment"


def ascii_filename(name: str) -> str:
    """The ASCII fallback of a safe file name (for Content-Disposition's filename=)."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return text.replace("'", "_").replace("%", "_") or "attachment"


def media_type(filename: str) -> str:
    guessed, _ = mimetypes.guess_type(filename, strict=False)
    return guessed or "application/octet-stream"


def human_size(size: int) -> str:
    """"2.0 GB", "25.0 MB", "3.1 KB", "12 bytes"."""
    for unit, scale in (("GB", 1024 ** 3), ("MB", 1024 ** 2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


# Documents the desktop may hand to the system's viewer; anything else (a program, a script, a
# shortcut) is only ever saved as a copy, never opened: the workbench executes no vendor file.
VIEWABLE = frozenset({".pdf", ".pptx", ".ppt", ".docx", ".doc", ".xlsx", ".xls", ".csv", ".txt",
                      ".png", ".jpg", ".jpeg", ".gif", ".odt", ".ods", ".odp", ".mp4"})


def viewable(filename: str | None) -> bool:
    name = (filename or "").lower()
    return "." in name and name[name.rindex("."):] in VIEWABLE
