"""Sign-in, access changes and bad answers: sync stops with a message a rep understands and
touches neither the local data nor the outbox (issue 4 §2, §6; DESIGN §5 'bad input')."""

from __future__ import annotations

import io
import sqlite3

import keyring
import keyring.backends.fail
import pytest

from tests.sync.faults import FaultProxy
from tests.sync.helpers import Replica, assert_converged, forget_memory_tokens
from workbench.store.db import DB_FILE
from workbench.sync import credentials
from workbench.sync.client import REVOKED_MESSAGE, SyncClient
from workbench.sync.engine import sync, sync_lock
from workbench.sync.errors import (
    AccessRevoked, BadAnswer, Cancelled, ServerFailed, SyncBusy, Unreachable, UpdateRequired)


BOOKKEEPING = {"last_sync", "push_in_flight"}  # the attempt itself; not data, not the outbox


def dump(replica: Replica) -> list[tuple]:
    """Every row of every table, sync bookkeeping aside: proof that nothing was touched."""
    connection = sqlite3.connect(replica.data_dir / DB_FILE)
    try:
        tables = [r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT IN ('sync_log') "
            "ORDER BY name")]
        rows = []
        for table in tables:
            rows += [(table, *r) for r in connection.execute(f'SELECT * FROM "{table}" ORDER BY 1')
                     if not (table == "sync_state" and r[0] in BOOKKEEPING)]
        return rows
    finally:
        connection.close()


def _stateful_replica(replicas, partner, vendor_server, proxy_url=None):
    ann = replicas(partner.token_a, "ann")
    account = ann.create("accounts", name="Globex")
    vendor_server.admin.assign_lead(partner.id, "Hooli")
    ann.sync()
    ann.edit("accounts", account["id"], notes="unsent edit")
    ann.create("accounts", name="Unsent Corp")
    vendor_server.admin.assign_lead(partner.id, "Waiting Inc")  # something to pull
    return ann


def test_login_verifies_the_token_and_keeps_it_only_in_the_keyring(vendor_server, partner, tmp_path,
                                                                   memory_keyring, monkeypatch):
    replica_dir = tmp_path / "fresh"
    from workbench.cli import main
    monkeypatch.setattr("sys.stdin", io.StringIO(partner.token_a + "\n"))
    assert main(["--data-dir", str(replica_dir), "login", "--server", vendor_server.url + "/",
                 "--token-stdin", "--json"]) == 0
    service = credentials.service_name(vendor_server.url)
    assert memory_keyring.passwords == {(service, partner.email_a): partner.token_a}
    assert service == f"partner-workbench:{vendor_server.url}"
    monkeypatch.setattr("sys.stdin", io.StringIO("not-a-token\n"))
    other = tmp_path / "other"
    assert main(["--data-dir", str(other), "login", "--server", vendor_server.url,
                 "--token-stdin", "--json"]) == 4
    assert (service, partner.email_b) not in memory_keyring.passwords


def test_logout_forgets_the_token_but_keeps_the_work(vendor_server, partner, replicas,
                                                      memory_keyring):
    ann = replicas(partner.token_a, "ann")
    ann.create("accounts", name="Kept")
    _, result = ann.cli("logout")
    assert result["signed_out"] and memory_keyring.passwords == {}
    code, error = ann.cli("sync", expect=4)
    assert "not signed in" in error["error"]["message"]
    _, status = ann.cli("status")
    assert status["pending"] == 1 and status["signed_in"] is False


def test_revoked_token_stops_sync_and_touches_nothing(vendor_server, partner, replicas):
    ann = _stateful_replica(replicas, partner, vendor_server)
    before = dump(ann)
    vendor_server.admin.revoke_user(email=partner.email_a)
    with pytest.raises(AccessRevoked) as error:
        ann.sync()
    assert str(error.value) == REVOKED_MESSAGE
    assert dump(ann) == before
    code, document = ann.cli("sync", expect=4)
    assert document["error"]["message"] == REVOKED_MESSAGE


@pytest.mark.parametrize("fault, error_type", [
    ("426", UpdateRequired), ("html", BadAnswer), ("garble", BadAnswer),
    ("wrong_shape", BadAnswer), ("truncate", Unreachable),
    ("drop", Unreachable), ("500", ServerFailed)])
def test_bad_answers_and_outages_touch_nothing(vendor_server, partner, replicas, fault, error_type):
    with FaultProxy(vendor_server.url, seed=7) as proxy:
        ann = replicas(partner.token_a, "ann", read_timeout=2, retries=1)
        ann.client_options["backoff"] = 0
        # sign-in went through the real server; now route the replica through the proxy
        with ann.store.transaction() as conn:
            from workbench.store.records import set_state
            set_state(conn, "server_url", proxy.url)
        credentials.remember_for_process(proxy.url, partner.email_a, partner.token_a)
        account = ann.create("accounts", name="Globex")
        ann.sync()
        ann.edit("accounts", account["id"], notes="unsent edit")
        before = dump(ann)
        proxy.always(fault)
        with pytest.raises(error_type) as raised:
            ann.sync()
        assert raised.value.summary.outcome == "failed"
        assert dump(ann) == before
        proxy.always("ok")
        ann.sync()
    assert_converged(vendor_server.engine, partner.id, ann)


def test_unreachable_server_says_so(vendor_server, partner, replicas):
    with FaultProxy(vendor_server.url) as proxy:
        url = proxy.url
    client = SyncClient(url, partner.token_a, connect_timeout=1, retries=1, backoff=0)
    with pytest.raises(Unreachable) as error:
        client.me()
    assert str(error.value).startswith("vendor server unreachable")


def test_plain_http_is_refused_off_loopback(partner):
    with pytest.raises(ValueError, match="https"):
        SyncClient("http://partners.example.com", partner.token_a)
    SyncClient("https://partners.example.com", partner.token_a)  # fine: TLS, verified


def test_no_keyring_keeps_the_token_for_this_process_only(vendor_server, partner, tmp_path,
                                                          monkeypatch):
    keyring.set_keyring(keyring.backends.fail.Keyring())
    from workbench.cli import main
    data = tmp_path / "no-keyring"
    monkeypatch.setattr("sys.stdin", io.StringIO(partner.token_a + "\n"))
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    assert main(["--data-dir", str(data), "login", "--server", vendor_server.url,
                 "--token-stdin", "--json"]) == 0
    assert "no usable keyring" in out.getvalue() and partner.token_a not in out.getvalue()
    assert main(["--data-dir", str(data), "sync", "--json"]) == 0  # same process: in memory
    forget_memory_tokens()  # a new process
    assert main(["--data-dir", str(data), "sync", "--json"]) == 4
    assert "--token-stdin" in out.getvalue()
    monkeypatch.setattr("sys.stdin", io.StringIO(partner.token_a + "\n"))
    assert main(["--data-dir", str(data), "sync", "--token-stdin", "--json"]) == 0


def test_a_second_sync_of_the_same_folder_is_refused(vendor_server, partner, replicas):
    ann = replicas(partner.token_a, "ann")
    with sync_lock(ann.data_dir):
        with pytest.raises(SyncBusy):
            ann.sync()
    ann.sync()


def test_progress_and_cancellation_between_batches(vendor_server, partner, replicas):
    ann = replicas(partner.token_a, "ann")
    with ann.store.transaction() as conn:
        from workbench.store import records
        for number in range(12):
            records.create(conn, "accounts", {"name": f"Account {number}"})
    seen = []

    def cancel_after_first_batch() -> bool:
        return any(p.phase == "push" and p.done >= 5 for p in seen)

    client = ann.client()
    with pytest.raises(Cancelled) as error:
        sync(ann.store, client, progress=seen.append, cancel=cancel_after_first_batch, batch_size=5)
    assert error.value.summary.pushed == 5 and error.value.summary.outcome == "cancelled"
    summary = sync(ann.store, client, progress=seen.append, batch_size=5, page_size=4)
    client.close()
    assert summary.pushed == 7 and summary.pulled >= 12
    phases = [p.phase for p in seen]
    assert "push" in phases and phases[-1] == "pull"
    _, status = ann.cli("status")
    assert status["last_sync"]["outcome"] == "ok" and status["pending"] == 0
    assert_converged(vendor_server.engine, partner.id, ann)


def test_a_malformed_record_in_a_pulled_page_writes_nothing(vendor_server, partner, replicas):
    with FaultProxy(vendor_server.url) as proxy:
        ann = replicas(partner.token_a, "ann")
        with ann.store.transaction() as conn:
            from workbench.store.records import set_state
            set_state(conn, "server_url", proxy.url)
        credentials.remember_for_process(proxy.url, partner.email_a, partner.token_a)
        ann.sync()
        before = dump(ann)
        vendor_server.admin.assign_lead(partner.id, "Hooli")
        proxy.always("wrong_shape")  # the page's last record has a number for a timestamp
        with pytest.raises(BadAnswer, match="created_at"):
            ann.sync()
        assert dump(ann) == before  # neither the page nor its cursor
        proxy.always("ok")
        assert ann.sync().pulled >= 1
    assert_converged(vendor_server.engine, partner.id, ann)
