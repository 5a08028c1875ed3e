"""The access token never appears in the SQLite file, logs, exception messages or command output
(issue 4 §2, §7): run the real command line in subprocesses, log everything at DEBUG, fail on
purpose, then grep every file and every output for the token."""

from __future__ import annotations

import logging
from pathlib import Path


from tests.sync.faults import FaultProxy
from tests.sync.helpers import Replica, run_cli, subprocess_env
from workbench.sync.client import SyncClient
from workbench.sync.errors import SyncError


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_the_token_never_leaks(vendor_server, partner, tmp_path):
    token = partner.token_a
    keyring_file = tmp_path / "keyring" / "keyring.json"
    keyring_file.parent.mkdir()
    data = tmp_path / "data"
    log_file = tmp_path / "logs" / "sync.log"
    log_file.parent.mkdir()
    env = subprocess_env(keyring_file)
    outputs: list[str] = []

    def cli(*argv: str, stdin: str | None = None, expect: int = 0) -> None:
        done = run_cli(["--data-dir", str(data), *argv], env, stdin=stdin)
        outputs.extend([done.stdout, done.stderr])
        assert done.returncode == expect, done.stdout + done.stderr

    cli("login", "--server", vendor_server.url, "--token-stdin", stdin=token + "\n")
    cli("--json", "login", "--server", vendor_server.url, "--token-stdin", stdin=token + "\n")
    cli("accounts", "add", "--name", "Globex")
    vendor_server.admin.assign_lead(partner.id, "Hooli")
    cli("sync")
    cli("sync", "--json")
    for argv in (("status",), ("status", "--json"), ("conflicts", "list"), ("leads", "list"),
                 ("opportunities", "list"), ("export", str(data / "export"))):
        cli(*argv)

    # In-process too, with every logger (ours, urllib3, requests) at DEBUG into a file.
    handler = logging.FileHandler(log_file)
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    messages: list[str] = []
    try:
        replica = Replica(tmp_path / "in-process", vendor_server.url, token)
        replica.create("accounts", name="Initech")
        replica.sync()
        with FaultProxy(vendor_server.url) as proxy:
            for fault in ("500", "garble", "drop", "426"):
                proxy.always(fault)
                client = SyncClient(proxy.url, token, retries=0, read_timeout=1)
                try:
                    client.pull(None)
                except SyncError as error:
                    messages += [str(error), repr(error), repr(client)]
                client.close()
        replica.close()
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()

    assert token in keyring_file.read_text()  # it really is stored — in the keyring only
    vendor_server.admin.revoke_user(email=partner.email_a)
    cli("sync", expect=4)
    cli("sync", "--json", expect=4)
    cli("logout")

    assert '"GET /api/v1/sync/pull' in log_file.read_text()  # the HTTP layer did log at DEBUG
    leaks = [str(p) for p in _files(data) + _files(tmp_path / "in-process") + [log_file]
             if token.encode() in p.read_bytes()]
    assert not leaks, f"the token is in {leaks}"
    assert not [o for o in outputs + messages if token in o]
    assert any("revoked" in o for o in outputs)
