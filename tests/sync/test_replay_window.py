"""The workbench's side of the idempotency window: every op carries when it was first sent, the
same on every resend, and a "resync" answer ends as a rejected edit with the server's record
shown — the sync goes on (docs/sync-protocol.md, "Idempotency window")."""

from __future__ import annotations

from datetime import timedelta

from workbench.domain.values import format_datetime, utc_now
from workbench.store import records
from workbench.sync import outbox
from workbench.sync.protocol import IDEMPOTENCY_WINDOW_DAYS


def test_a_batch_keeps_its_first_send_time_on_every_resend(partner, replicas):
    rep = replicas(partner.token_a)
    with rep.store.transaction() as conn:
        records.create(conn, "accounts", {"name": "Initech"})
        first = outbox.next_batch(conn)
    with rep.store.transaction() as conn:
        again = outbox.next_batch(conn)  # the answer never came: the same batch again
    stamps = {op.sent_at for op in first.operations() + again.operations()}
    assert len(stamps) == 1 and None not in stamps
    assert [op.op_id for op in again.operations()] == [op.op_id for op in first.operations()]
    assert rep.sync().ok


def test_a_batch_sent_longer_ago_than_the_window_is_rejected_and_the_sync_goes_on(partner,
                                                                                  replicas):
    rep = replicas(partner.token_a)
    with rep.store.transaction() as conn:
        account = records.create(conn, "accounts", {"name": "Initech"})
        batch = outbox.next_batch(conn)
        stored = records.get_state(conn, outbox.IN_FLIGHT_KEY)
        long_ago = format_datetime(utc_now() - timedelta(days=IDEMPOTENCY_WINDOW_DAYS + 5))
        stored["ops"] = [{**wire, "sent_at": long_ago} for wire in stored["ops"]]
        records.set_state(conn, outbox.IN_FLIGHT_KEY, stored)
    assert len(batch.ops) == 1
    summary = rep.sync()
    assert summary.ok and len(summary.rejected) == 1
    assert summary.rejected[0].reason.startswith("resync: ")
    with rep.store.reading() as conn:  # the server never had it: the local record is gone
        assert records.find(conn, "accounts", account["id"]) is None
        assert records.pending_count(conn) == 0
