"""A real X server (Xvfb) for tests of what a user's first run shows — not Qt's offscreen plugin.

`xvfb_display(width, height)` starts Xvfb on a free display number (Xvfb picks it: -displayfd)
and yields ":N"; the server is stopped afterwards. Xvfb comes from Debian's `xvfb` package,
which scripts/test.sh installs.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def xvfb_display(width: int = 1366, height: int = 768, timeout: float = 30) -> Iterator[str]:
    executable = shutil.which("Xvfb")
    assert executable, "Xvfb is not installed (Debian package xvfb; scripts/test.sh installs it)"
    read_end, write_end = os.pipe()
    server = subprocess.Popen([executable, "-displayfd", str(write_end), "-screen", "0",
                               f"{width}x{height}x24", "-nolisten", "tcp", "-noreset"],
                              pass_fds=(write_end,), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    os.close(write_end)
    try:
        number = _read_display_number(read_end, timeout)
        yield f":{number}"
    finally:
        os.close(read_end)
        server.terminate()
        server.wait(timeout=10)


def _read_display_number(fd: int, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    text = b""
    while not text.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        readable, _, _ = select.select([fd], [], [], max(remaining, 0))
        if not readable:
            raise AssertionError(f"Xvfb did not report a display within {timeout} s")
        chunk = os.read(fd, 64)
        if not chunk:
            raise AssertionError("Xvfb exited before reporting a display")
        text += chunk
    return text.decode().strip()


GRAB_SCRIPT = """
import sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
sys.exit(0 if app.primaryScreen().grabWindow(0).save(sys.argv[1]) else 1)
"""


def grab_screen(display: str, path: Path) -> Path:
    """A screenshot of the whole X screen, taken by a separate Qt client on that display."""
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    subprocess.run([sys.executable, "-c", GRAB_SCRIPT, str(path)], env=env, check=True,
                   timeout=60)
    return path
