"""The idempotency window (issue 13, class 9, the server's side; docs/sync-protocol.md).

Answers to pushed ops are pruned after IDEMPOTENCY_WINDOW (90 days) by `prune_applied_ops`, which
the vendor's scheduled jobs call. A replay older than that is answered "resync" — never applied a
second time: a dispute replayed after its answer was pruned would put a registration the vendor
rejected back into review.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.server.support import new_id, op, push, push_one, registration
from workbench.domain.values import format_datetime, utc_now
from workbench.server.access import authenticate, visibility
from workbench.server.idempotency import IDEMPOTENCY_WINDOW, RESYNC, prune_applied_ops
from workbench.server.push import push as server_push
from workbench.server.records import fetch, write_tx
from workbench.server.schema import applied_ops
from workbench.sync.protocol import IDEMPOTENCY_WINDOW_DAYS, Operation


@pytest.fixture
def vendor_server(vendor_server_factory):
    return vendor_server_factory(auto_approve=False)  # the vendor decides by hand


@pytest.fixture
def rep(vendor_server):
    partner_id = vendor_server.create_partner("Acme Resellers")
    token = vendor_server.create_user(partner_id, "rep@acme.example")
    with vendor_server.client(token) as client:
        yield token, client


def _ago(days: float) -> str:
    return format_datetime(utc_now() - timedelta(days=days))


def _rejected(vendor_server, client) -> str:
    record_id = new_id()
    push(client, op("registrations", record_id, "create", registration()),
         op("registrations", record_id, "action", base_version=1, action="submit"))
    vendor_server.admin.reject(record_id, reason="not a fit")
    return record_id


def _stored(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(applied_ops)).scalar_one()


def test_the_window_is_90_days():
    assert IDEMPOTENCY_WINDOW == timedelta(days=IDEMPOTENCY_WINDOW_DAYS) == timedelta(days=90)


def test_a_replay_after_its_answer_was_pruned_is_resync_not_a_second_application(vendor_server,
                                                                                  rep):
    token, client = rep
    record_id = _rejected(vendor_server, client)
    dispute = {**op("registrations", record_id, "action", {"request_note": "we were first"},
                    base_version=3, action="dispute"), "sent_at": _ago(0)}
    assert push_one(client, dispute)["status"] == "applied"
    vendor_server.admin.reject(record_id, reason="still not a fit")

    later = utc_now() + IDEMPOTENCY_WINDOW + timedelta(days=1)
    assert prune_applied_ops(vendor_server.engine, later) >= 1
    with vendor_server.engine.connect() as conn:  # the dispute's answer is gone
        assert conn.execute(sa.select(applied_ops.c.op_id).where(
            applied_ops.c.op_id == dispute["op_id"])).first() is None
    with write_tx(vendor_server.engine, later) as tx:  # the laptop resends, 91 days on
        user = authenticate(tx.conn, token)
        [answer] = server_push(tx, user, visibility(tx.conn, user),
                               [Operation.from_wire(dispute)], auto_approve=False)
    assert answer["status"] == "rejected" and answer["code"] == RESYNC
    assert answer["field"] == "sent_at" and answer["reason"].startswith("resync: ")
    with vendor_server.engine.connect() as conn:
        assert fetch(conn, "registrations", record_id)["status"] == "rejected"


def test_an_op_first_sent_longer_ago_than_the_window_is_refused_and_stays_refused(rep):
    _token, client = rep
    account_id = new_id()
    stale = {**op("accounts", account_id, "create", {"name": "Initech"}),
             "sent_at": _ago(IDEMPOTENCY_WINDOW_DAYS + 10)}
    fresh = {**op("accounts", new_id(), "create", {"name": "Globex"}), "sent_at": _ago(30)}
    refused, applied = push(client, stale, fresh)
    assert refused["code"] == RESYNC and f"{IDEMPOTENCY_WINDOW_DAYS} days" in refused["reason"]
    assert applied["status"] == "applied"  # the rest of the batch goes on
    assert push_one(client, stale) == refused  # answered the same next time
    assert client.get(f"/api/v1/records/accounts/{account_id}").status_code == 404


def test_pruning_keeps_answers_inside_the_window(vendor_server, rep):
    _token, client = rep
    first = {**op("accounts", new_id(), "create", {"name": "Kept Co"}), "sent_at": _ago(0)}
    answer = push_one(client, first)
    before = _stored(vendor_server.engine)
    assert prune_applied_ops(vendor_server.engine,
                             utc_now() + IDEMPOTENCY_WINDOW - timedelta(days=1)) == 0
    assert _stored(vendor_server.engine) == before
    assert push_one(client, first) == answer


@pytest.mark.parametrize("sent_at", ["yesterday", 5, True, "2026-13-01T00:00:00Z", ""],
                         ids=["words", "number", "bool", "month-13", "empty"])
def test_a_malformed_sent_at_is_422_naming_it(rep, sent_at):
    _token, client = rep
    answer = client.post("/api/v1/sync/push", json={"ops": [
        {**op("accounts", new_id(), "create", {"name": "X"}), "sent_at": sent_at}]})
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "ops[0].sent_at"


@pytest.mark.parametrize("sent_at", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"])
def test_a_sent_at_at_the_edge_of_the_calendar_is_a_time_not_a_500(rep, sent_at):
    """Past year 9999 / before year 1 once in UTC: still a valid time, compared as it is."""
    _token, client = rep
    answer = push_one(client, {**op("accounts", new_id(), "create", {"name": "Edge"}),
                               "sent_at": sent_at})
    assert answer["status"] == ("applied" if sent_at.startswith("9999") else "rejected")
    assert answer.get("code") == (None if sent_at.startswith("9999") else RESYNC)
