"""Attachment transfer benchmark: claim an MDF request with one file at the size limit (25 MB),
sync (the file goes up in 1 MiB chunks, hashed on both ends), then fetch it on a second
workbench — through the real vendor server on 127.0.0.1 (embedded, SQLite).

    python scripts/bench_attachments.py [--mb 25]

Prints the claim (hash and copy into the data folder), the upload sync and the download, each
with its throughput.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import keyring  # noqa: E402
from keyring.backend import KeyringBackend  # noqa: E402


class _MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=25.0)
    args = parser.parse_args()
    keyring.set_keyring(_MemoryKeyring())
    from workbench.server.app import create_app
    from workbench.server.embedded import BoundAdmin, EmbeddedServer
    from workbench.services import mdf
    from workbench.store.db import open_store
    from workbench.sync import account
    from workbench.sync.engine import sync

    folder = Path(tempfile.mkdtemp(prefix="bench-attachments-"))
    app = create_app(f"sqlite:///{folder / 'server.db'}")
    server = EmbeddedServer(app)
    url = server.start()
    vendor = BoundAdmin(app.state.engine)
    partner = vendor.create_partner("Bench Partners", tier="gold")
    tokens = [vendor.create_user(partner, f"rep{n}@bench.example").token for n in (1, 2)]
    stores = []
    try:
        for n, token in enumerate(tokens):
            store = open_store(folder / f"rep{n}")
            account.login(store, url, token)
            stores.append(store)
        size = int(args.mb * 1024 * 1024)
        proof = folder / "recording.bin"
        proof.write_bytes(os.urandom(size))

        def synced(store):
            client = account.client_for(store)
            try:
                return sync(store, client)
            finally:
                client.close()

        request = mdf.request_mdf(stores[0], mdf.MdfRequest(activity="Bench", budget=100_000)
                                  ).result
        synced(stores[0])
        vendor.decide_mdf(request["id"], "approve")
        synced(stores[0])
        started = time.perf_counter()
        claim = mdf.claim_mdf(stores[0], request["id"], 1000, [proof]).result
        claimed = time.perf_counter() - started
        started = time.perf_counter()
        summary = synced(stores[0])
        uploaded = time.perf_counter() - started
        assert summary.uploaded == 1, summary
        synced(stores[1])
        started = time.perf_counter()
        saved = mdf.save_attachment(stores[1], claim.attachments[0]["id"], folder / "copy.bin")
        downloaded = time.perf_counter() - started
        assert saved["sha256"] == claim.attachments[0]["sha256"]
        mb = size / 1024 / 1024
        print(f"file {mb:.1f} MB; client and server on this machine (2 cores shared)")
        for what, seconds in (("claim (hash + copy in)", claimed), ("sync with upload", uploaded),
                              ("download + check", downloaded)):
            print(f"{what:24s} {seconds * 1000:8.1f} ms  {mb / seconds:7.1f} MB/s")
    finally:
        for store in stores:
            store.close()
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
