"""Network faults (issue 4 §7): through a fault-injecting proxy on loopback — dropped
connections, 500/502/503, answers slower than the read timeout, truncated and garbled bodies,
duplicated requests — every sync either completes or stops cleanly with a SyncError, and a later
sync converges: same data everywhere, no lost edit, no duplicate."""

from __future__ import annotations

import random

import pytest

from tests.sync.faults import FAULTS, FaultProxy
from tests.sync.helpers import assert_converged, server_snapshot
from workbench.store.records import set_state
from workbench.sync import credentials
from workbench.sync.errors import SyncError

FLAKY = {"read_timeout": 0.4, "connect_timeout": 1.0, "retries": 2, "backoff": 0.0}


def _through(proxy, replica, email, token):
    with replica.store.transaction() as conn:
        set_state(conn, "server_url", proxy.url)
    credentials.remember_for_process(proxy.url, email, token)


@pytest.mark.slow
def test_syncs_under_random_faults_stop_cleanly_and_then_converge(vendor_server, partner, replicas):
    rng = random.Random(3)
    with FaultProxy(vendor_server.url, delay=0.7, seed=5) as proxy:
        ann = replicas(partner.token_a, "ann", **FLAKY)
        bob = replicas(partner.token_b, "bob", **FLAKY)
        _through(proxy, ann, partner.email_a, partner.token_a)
        _through(proxy, bob, partner.email_b, partner.token_b)
        expected, created = {}, 0
        # Each rep edits its own fields of shared accounts: no true conflicts, so every edit
        # must end up on the server exactly as last written.
        own = {id(ann): ("notes", "country"), id(bob): ("industry", "domain")}
        outcomes = {"completed": 0, "stopped": 0}
        for round_number in range(24):
            for replica in (ann, bob):
                with replica.store.reading() as conn:
                    from workbench.store import records
                    known = [r["id"] for r in records.list_records(conn, "accounts")]
                for _ in range(rng.randint(1, 8)):
                    if rng.random() < 0.3 or not known:
                        account = replica.create("accounts", name=f"Account {created}")
                        created += 1
                        known.append(account["id"])
                        expected[("accounts", account["id"], "name")] = account["name"]
                    else:
                        record_id = rng.choice(known)
                        field = rng.choice(own[id(replica)])
                        value = f"{field}{round_number}x{rng.randrange(1000)}" + (
                            ".example" if field == "domain" else "")
                        if replica.get("accounts", record_id)["deleted"]:
                            continue
                        replica.edit("accounts", record_id, **{field: value})
                        expected[("accounts", record_id, field)] = value
            if round_number < len(FAULTS):  # every kind of fault at least once, then at random
                proxy.sequence([FAULTS[round_number]] * 2)
            else:
                proxy.random_faults(0.35)
            for replica in (ann, bob):
                try:
                    replica.sync()
                    outcomes["completed"] += 1
                except SyncError as error:
                    assert error.summary.outcome == "failed" and error.message
                    outcomes["stopped"] += 1
        proxy.always("ok")
        for replica in (ann, bob, ann):
            summary = replica.sync()
            assert not summary.rejected and summary.open_conflicts == 0
    seen = {fault for _, _, fault in proxy.log}
    assert seen >= set(FAULTS), f"faults never injected: {set(FAULTS) - seen}"
    assert outcomes["stopped"] >= 5 and outcomes["completed"] >= 5, outcomes
    assert_converged(vendor_server.engine, partner.id, ann, bob)
    server = server_snapshot(vendor_server.engine, partner.id)
    lost = {k: v for k, v in expected.items() if server[k[:2]][k[2]] != v}
    assert not lost, f"edits lost: {list(lost.items())[:3]}"
    assert sum(1 for key in server if key[0] == "accounts") == created  # no duplicates
    for replica in (ann, bob):
        assert {r["state"] for r in replica.outbox_rows()} <= {"applied"}
