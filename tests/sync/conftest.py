"""Fixtures for the sync client tests: a partner with two users, replicas (the test keyring is
installed for every test by tests/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.sync.helpers import Replica


@dataclass
class Partner:
    id: str
    token_a: str
    token_b: str
    email_a: str = "ann@acme.example"
    email_b: str = "bob@acme.example"


@pytest.fixture
def partner(vendor_server) -> Partner:
    partner_id = vendor_server.create_partner("Acme Resellers", tier="gold")
    return Partner(partner_id, vendor_server.create_user(partner_id, "ann@acme.example"),
                   vendor_server.create_user(partner_id, "bob@acme.example"))


@pytest.fixture
def replicas(tmp_path: Path, vendor_server):
    opened: list[Replica] = []

    def make(token: str, name: str | None = None, **client_options) -> Replica:
        replica = Replica(tmp_path / (name or f"replica-{len(opened)}"), vendor_server.url,
                          token, **client_options)
        opened.append(replica)
        return replica

    yield make
    for replica in opened:
        replica.close()
