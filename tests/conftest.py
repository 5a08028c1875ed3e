"""Shared test set-up: Qt offscreen, the real vendor server fixtures, a fresh data folder."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Figures are asserted as an English reader sees them ("$40,000", "22 Nov 2026"), whatever the
# locale of the machine running the tests (subprocesses inherit it).
os.environ.setdefault("WORKBENCH_LOCALE", "en_US")

pytest_plugins = ["tests.server_fixtures", "tests.disk_fixtures"]


@pytest.fixture(autouse=True)
def memory_keyring():
    """Every test gets an empty in-memory keyring: none touches the OS keyring, none sees another
    test's tokens (never the null backend, which silently drops writes)."""
    import keyring

    from tests.sync.helpers import forget_memory_tokens
    from tests.sync.keyring_backends import MemoryKeyring

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    forget_memory_tokens()
    yield backend
    keyring.set_keyring(previous)
    forget_memory_tokens()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "workbench-data"
    folder.mkdir()
    return folder


@pytest.fixture
def store(data_dir: Path):
    from workbench.store.db import open_store

    opened = open_store(data_dir)
    yield opened
    opened.close()
