"""Shared test set-up: Qt offscreen, the real vendor server fixtures, a fresh data folder."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest_plugins = ["tests.server_fixtures"] if (Path(__file__).parent / "server_fixtures.py").exists() else []


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
