"""Fixtures for the sync client tests: a test keyring, a partner with two users, replicas."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import keyring
import pytest

from tests.sync.helpers import Replica, forget_memory_tokens
from tests.sync.keyring_backends import MemoryKeyring


@pytest.fixture(autouse=True)
def memory_keyring():
    """Every sync test gets an empty in-memory keyring (never the null backend)."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    forget_memory_tokens()
    yield backend
    keyring.set_keyring(previous)
    forget_memory_tokens()


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
