"""Secrets never reach the server's access log (issue 13, class 7).

uvicorn's access log wrote each request's whole query string, so a token or a pull cursor sent
there was logged in clear. This runs the real server processes, sends real requests, and reads
the log the server wrote.
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time

import httpx
import pytest

from workbench.server import db
from workbench.server.app import ENV_DB_URL, redact_target
from workbench.sync.protocol import PROTOCOL_HEADER

SECRETS = ("CURSORSECRET123", "TOKENSECRET456", "KEYSECRET789", "BARESECRET000")


# How the server is started: `workbench-server serve` (one worker: the app object it builds), and
# what each worker of `serve --workers N` runs: uvicorn importing the app factory. (Not `serve
# --workers 2` itself: uvicorn's supervisor restarts a worker that needs more than 5 s to start,
# which a busy test machine sometimes does.)
COMMANDS = {
    "serve": lambda url: [sys.executable, "-m", "workbench.server.cli", "serve", "--db", url,
                          "--port", "0", "--log-level", "info"],
    "worker": lambda url: [sys.executable, "-m", "uvicorn", "--factory",
                           "workbench.server.app:app_from_env", "--port", "0",
                           "--log-level", "info"],
}


def _serve(db_url: str, how: str) -> tuple[subprocess.Popen, str, list[str], queue.Queue]:
    engine = db.make_engine(db_url)
    db.upgrade(engine)  # what `serve` does before its workers start
    engine.dispose()
    process = subprocess.Popen(
        COMMANDS[how](db_url), stderr=subprocess.STDOUT, stdout=subprocess.PIPE,
        text=True,  # the access log goes to stdout
        env={**os.environ, "PYTHONUNBUFFERED": "1", ENV_DB_URL: db_url})
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout],
                     daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            assert process.poll() is None, "".join(seen)
            continue
        seen.append(line)
        started = re.search(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", line)
        if started and not started.group(1).endswith(":0"):
            return process, started.group(1), seen, lines
    process.kill()
    raise AssertionError("the server did not start:\n" + "".join(seen))


def _wait_until_serving(url: str) -> None:
    """Until the server answers (it may log its address a moment before it accepts)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{url}/api/v1/health", timeout=5)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.parametrize("how", sorted(COMMANDS))
def test_the_access_log_holds_paths_not_secrets(tmp_path, how):
    process, url, seen, lines = _serve(f"sqlite:///{tmp_path / 'server.db'}", how)
    try:
        _wait_until_serving(url)
        headers = {PROTOCOL_HEADER: "1"}
        pull = httpx.get(f"{url}/api/v1/sync/pull", headers=headers, params={
            "cursor": SECRETS[0], "limit": "5", "token": SECRETS[1]})
        health = httpx.get(f"{url}/api/v1/health?access_token={SECRETS[2]}&{SECRETS[3]}")
        assert pull.status_code == 422 and health.status_code == 200  # 422: not a cursor
        # Wait for both access lines (the log is written as the answers go out).
        deadline = time.monotonic() + 30
        while sum('"GET /api/v1/sync' in line or "health?" in line for line in seen) < 2 and time.monotonic() < deadline:
            try:
                seen.append(lines.get(timeout=1))
            except queue.Empty:
                pass
    finally:
        process.terminate()
        process.wait(timeout=30)
    log = "".join(seen)
    assert '"GET /api/v1/sync/pull?cursor=[redacted]&limit=5&[redacted] HTTP/1.1" 422' in log, log
    assert '"GET /api/v1/health?[redacted] HTTP/1.1" 200' in log, log
    for secret in SECRETS:
        assert secret not in log


@pytest.mark.parametrize("target,logged", [
    ("/api/v1/health", "/api/v1/health"),
    ("/api/v1/sync/pull?limit=500", "/api/v1/sync/pull?limit=500"),
    ("/api/v1/sync/pull?cursor=eyJhIjoxfQ&limit=500", "/api/v1/sync/pull?cursor=[redacted]&limit=500"),
    ("/api/v1/sync/pull?limit=%C2%B2", "/api/v1/sync/pull?limit=[redacted]"),
    ("/x?token=abc", "/x?[redacted]"),
    ("/x?abc", "/x?[redacted]"),
    ("/x?", "/x?[redacted]"),
])
def test_what_a_logged_target_keeps(target, logged):
    assert redact_target(target) == logged
