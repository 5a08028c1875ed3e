"""The sync sends its pull cursor with each push batch: records it just pushed are not pulled back
when nobody else wrote in between, and everything anybody else wrote still arrives
(docs/sync-protocol.md, "Pull cursor with a push")."""

from __future__ import annotations

import pytest

from tests.sync.helpers import assert_converged
from workbench.sync.engine import sync


@pytest.fixture
def ann(partner, replicas):
    return replicas(partner.token_a, "ann")


@pytest.fixture
def bob(partner, replicas):
    return replicas(partner.token_b, "bob")


def test_own_edits_are_not_pulled_back_and_later_writes_still_arrive(vendor_server, partner,
                                                                       ann, bob):
    accounts = [ann.create("accounts", name=f"Globex {n}") for n in range(3)]
    ann.sync()
    for account in accounts:
        ann.edit("accounts", account["id"], notes="budget approved")
    ann.create("accounts", name="Initech")
    client = ann.client()
    summary = sync(ann.store, client, batch_size=2)  # the second batch sends the first's cursor
    client.close()
    assert (summary.applied, summary.pulled) == (4, 0)
    assert ann.get("accounts", accounts[0]["id"])["version"] == 2  # the server's answer
    assert_converged(vendor_server.engine, partner.id, ann)
    bob.sync()
    bob.edit("accounts", accounts[1]["id"], industry="Energy")
    bob.sync()
    summary = ann.sync()
    assert summary.pulled == 1
    assert ann.get("accounts", accounts[1]["id"])["industry"] == "Energy"
    assert_converged(vendor_server.engine, partner.id, ann, bob)


def test_a_colleagues_write_before_the_push_is_pulled_with_the_pushed_records(
        vendor_server, partner, ann, bob):
    account = ann.create("accounts", name="Globex")
    ann.sync()
    bob.create("accounts", name="Hooli")
    bob.sync()
    ann.edit("accounts", account["id"], notes="call back in May")
    summary = ann.sync()
    assert summary.applied == 1 and summary.pulled == 2  # Bob's record and Ann's own, again
    bob.sync()
    assert_converged(vendor_server.engine, partner.id, ann, bob)


def test_a_vendor_change_between_push_batches_still_arrives(vendor_server, partner, ann):
    accounts = [ann.create("accounts", name=f"Globex {n}") for n in range(4)]
    ann.sync()
    for account in accounts:
        ann.edit("accounts", account["id"], notes="edited")
    client = ann.client()
    original = client.push_with_cursor
    calls = []

    def vendor_writes_after_the_first_batch(ops, cursor=None, **kwargs):
        answer = original(ops, cursor, **kwargs)
        calls.append(answer.cursor)
        if len(calls) == 1:
            vendor_server.admin.update_record("accounts", accounts[3]["id"], region="EMEA")
        return answer
    client.push_with_cursor = vendor_writes_after_the_first_batch  # type: ignore[method-assign]
    summary = sync(ann.store, client, batch_size=2)
    client.close()
    assert calls[0] is not None and calls[1] is None  # the second batch's cursor was behind
    assert summary.applied == 4 and summary.pulled >= 1
    assert ann.get("accounts", accounts[3]["id"])["region"] == "EMEA"
    assert_converged(vendor_server.engine, partner.id, ann)
