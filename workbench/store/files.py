"""The files the workbench keeps in its data folder: attachments the rep added (MDF proof) and
documents cached from the content library, each named by its SHA-256 (`attachments/<sha256>`).

A file is checked against the size limit before a byte is copied (a 2 GB file is refused at
once), hashed while it is copied, and moved into place only when complete, so a crash never
leaves a half-copied file under a hash it does not have.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from workbench.domain import attachments as rules
from workbench.domain.errors import InvalidValue

FOLDER = "attachments"


class LocalFiles:
    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / FOLDER

    def path(self, sha256: str) -> Path:
        if not rules.is_sha256(sha256):
            raise ValueError("sha256: 64 lowercase hexadecimal characters")
        return self.root / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def check_source(self, source: Path, label: str = "Proof file") -> int:
        """The size of a file the rep picked, or InvalidValue naming the problem and the limit."""
        try:
            if not source.is_file():
                raise InvalidValue("proof", f"{source} is not a file", label)
            size = source.stat().st_size
        except OSError as error:
            raise InvalidValue("proof", f"{source} cannot be read ({error.strerror})",
                               label) from None
        problem = rules.too_large(size, source.name)
        if problem:
            raise InvalidValue("proof", problem, label)
        return size

    def add(self, source: Path, label: str = "Proof file") -> tuple[str, int]:
        """Copy a file in (after the size check); returns (sha256, size)."""
        self.check_source(source, label)
        self.root.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        temp = Path(temp_name)
        digest, size = hashlib.sha256(), 0
        try:
            with os.fdopen(fd, "wb") as out, source.open("rb") as stream:
                while chunk := stream.read(rules.CHUNK_BYTES):
                    size += len(chunk)
                    if size > rules.MAX_BYTES:  # it grew while we copied
                        raise InvalidValue("proof", rules.too_large(size, source.name) or "",
                                           label)
                    digest.update(chunk)
                    out.write(chunk)
            sha = digest.hexdigest()
            os.replace(temp, self.path(sha))
            return sha, size
        finally:
            temp.unlink(missing_ok=True)

    def adopt(self, sha256: str, temp: Path) -> None:
        """Move a downloaded file into place once its hash is checked (ValueError otherwise)."""
        actual, _ = rules.sha256_file(temp)
        if actual != sha256:
            temp.unlink(missing_ok=True)
            raise ValueError(f"the downloaded file does not match its SHA-256 (expected "
                             f"{sha256}, got {actual}); it was not kept")
        self.root.mkdir(parents=True, exist_ok=True)
        os.replace(temp, self.path(sha256))

    def copy_out(self, sha256: str, target: Path) -> Path:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.path(sha256), target)
        return target
