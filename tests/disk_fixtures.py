"""Pytest plugin: real small and read-only filesystems for storage-failure tests.

small_disk
    A tmpfs of 32 MB mounted in tmp_path (`SmallDisk`): `.path`, `.fill(leave=bytes)` takes all
    but `leave` bytes of its free space with a filler file, `.free()` gives it back. Real
    ENOSPC from the kernel, no mocks.
read_only_disk
    `make_read_only()`: a tmpfs in tmp_path; what the test writes into `.path` stays, then
    `.make_read_only()` remounts it read-only (EROFS even for root).

Both need to mount (root here; the test is skipped with the reason elsewhere).
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

CHUNK = 64 * 1024


def _mount_tmpfs(path: Path, size: str) -> None:
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("mounting a small filesystem needs root")
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs",
                           str(path)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")


def _unmount(path: Path) -> None:
    if subprocess.run(["umount", str(path)], capture_output=True, check=False).returncode:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


def free_bytes(path: Path) -> int:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


@dataclass
class SmallDisk:
    path: Path

    @property
    def filler(self) -> Path:
        return self.path / "filler.bin"

    def fill(self, leave: int = 0) -> None:
        """Take the free space but `leave` bytes (rounded to the filesystem's pages)."""
        block = b"\xa5" * CHUNK
        with self.filler.open("ab") as out:
            try:
                while free_bytes(self.path) > leave:
                    out.write(block[:max(min(CHUNK, free_bytes(self.path) - leave), 1)])
                    out.flush()
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[SmallDisk]:
    path = tmp_path / "small-disk"
    _mount_tmpfs(path, "32m")
    try:
        yield SmallDisk(path)
    finally:
        _unmount(path)


@dataclass
class ReadOnlyDisk:
    path: Path

    def make_read_only(self) -> None:
        subprocess.run(["mount", "-o", "remount,ro", str(self.path)], check=True)


@pytest.fixture
def read_only_disk(tmp_path: Path) -> Iterator[ReadOnlyDisk]:
    path = tmp_path / "read-only-disk"
    _mount_tmpfs(path, "32m")
    try:
        yield ReadOnlyDisk(path)
    finally:
        _unmount(path)
