"""Crash safety (issue 4 §7): SIGKILL a syncing subprocess at random points, >= 20 times; one
normal sync afterwards converges with no lost edit and no duplicate. Longer runs:
scripts/sync_kill_soak.py."""

from __future__ import annotations

import pytest

from tests.sync.kill_harness import kill_soak


@pytest.mark.slow
def test_sigkill_at_random_points_then_one_sync_converges(vendor_server, partner, tmp_path):
    report = kill_soak(vendor_server.engine, vendor_server.url, partner.id, partner.token_a,
                       tmp_path, kills=20, seed=4, log=print)
    assert report.kills >= 20
    assert report.kills_mid_sync >= 10, report  # most kills hit a running sync, not start-up
