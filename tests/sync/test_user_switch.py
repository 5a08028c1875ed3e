"""One edit, one action — whoever signs in (issue 13, class 9, the workbench's side).

The server remembers each op's answer per user. A batch sent as Ann whose answer never arrived,
resent after Bob signs in on the same laptop, would be new ops for Bob: a dispute applied twice
puts a registration the vendor rejected back into review. So signing in as Bob first finishes
Ann's batch as Ann, or is refused with everything left as it was.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.sync.helpers import FAST
from workbench.server.schema import RECORD_TABLES as SERVER_TABLES
from workbench.server.schema import applied_ops, users
from workbench.store import records
from workbench.sync import account, credentials, outbox
from workbench.sync.errors import BatchInFlight


@pytest.fixture
def vendor_server(vendor_server_factory):
    """The vendor decides every registration by hand here (no auto-approval)."""
    return vendor_server_factory(auto_approve=False)


def _rejected_registration(vendor_server, rep) -> str:
    with rep.store.transaction() as conn:
        draft = records.create(conn, "registrations", {
            "customer_name": "Globex", "customer_domain": "globex.com", "product": "Suite",
            "deal_value_cents": 4_000_000, "expected_close_date": "2099-03-31"})
        records.perform_action(conn, "registrations", draft["id"], "submit")
    rep.sync()
    vendor_server.admin.reject(draft["id"], reason="not a fit")
    rep.sync()
    assert rep.get("registrations", draft["id"])["status"] == "rejected"
    return draft["id"]


def _send_without_answer(rep) -> list[str]:
    """The rep disputed; the batch reached the server, the answer was lost (train tunnel)."""
    with rep.store.transaction() as conn:
        batch = outbox.next_batch(conn)
    client = rep.client()
    try:
        client.push(batch.operations())  # applied on the server; the answer is dropped here
    finally:
        client.close()
    return [op.op_id for op in batch.operations()]


def _user_id(engine, email: str) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.select(users.c.id).where(users.c.email == email)).scalar_one()


def _answers_for(engine, op_ids: list[str]) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(sa.select(applied_ops.c.user_id)
                                .where(applied_ops.c.op_id.in_(op_ids))).scalars())


def _status(engine, registration_id: str) -> str:
    table = SERVER_TABLES["registrations"]
    with engine.connect() as conn:
        return conn.execute(sa.select(table.c.status).where(table.c.id == registration_id)
                            ).scalar_one()


def test_signing_in_as_a_colleague_first_finishes_the_batch_in_flight(vendor_server, partner,
                                                                      replicas):
    ann = replicas(partner.token_a)
    registration_id = _rejected_registration(vendor_server, ann)
    with ann.store.transaction() as conn:
        records.perform_action(conn, "registrations", registration_id, "dispute",
                               {"request_note": "we met them first"})
    op_ids = _send_without_answer(ann)
    assert _status(vendor_server.engine, registration_id) == "pending_review"
    vendor_server.admin.reject(registration_id, reason="still not a fit")  # the vendor decides

    account.login(ann.store, vendor_server.url, partner.token_b, **FAST)  # Bob takes the laptop
    with ann.store.reading() as conn:
        assert outbox.in_flight_op_ids(conn) == []  # finished before the switch, as Ann
        assert records.get_state(conn, "user_email") == partner.email_b
    summary = ann.sync()  # now as Bob
    assert summary.ok and summary.rejected == []
    # Applied once, answered to Ann only; the vendor's second rejection stands.
    assert _answers_for(vendor_server.engine, op_ids) == {_user_id(vendor_server.engine,
                                                                    partner.email_a)}
    assert _status(vendor_server.engine, registration_id) == "rejected"
    assert ann.get("registrations", registration_id)["status"] == "rejected"


def test_the_switch_is_refused_when_the_batch_cannot_be_finished(vendor_server, partner,
                                                                 replicas):
    ann = replicas(partner.token_a)
    registration_id = _rejected_registration(vendor_server, ann)
    with ann.store.transaction() as conn:
        records.perform_action(conn, "registrations", registration_id, "dispute",
                               {"request_note": "we met them first"})
    op_ids = _send_without_answer(ann)
    credentials.delete_token(vendor_server.url, partner.email_a)  # Ann signed out meanwhile
    with pytest.raises(BatchInFlight) as refused:
        account.login(ann.store, vendor_server.url, partner.token_b, **FAST)
    assert partner.email_a in refused.value.message and "sync" in refused.value.message
    with ann.store.reading() as conn:  # nothing changed: still Ann, the batch still in flight
        assert records.get_state(conn, "user_email") == partner.email_a
        assert outbox.in_flight_op_ids(conn) == op_ids
    assert credentials.load_token(vendor_server.url, partner.email_b) is None
    # Ann signs in again and syncs: the batch is answered from the server's record, once.
    account.login(ann.store, vendor_server.url, partner.token_a, **FAST)
    assert ann.sync().ok
    account.login(ann.store, vendor_server.url, partner.token_b, **FAST)
    assert _answers_for(vendor_server.engine, op_ids) == {_user_id(vendor_server.engine,
                                                                    partner.email_a)}


def test_a_sync_never_resends_another_users_batch(vendor_server, partner, replicas):
    """Defence in depth: whatever changed the signed-in user, the engine refuses to resend."""
    ann = replicas(partner.token_a)
    with ann.store.transaction() as conn:
        records.create(conn, "accounts", {"name": "Initech"})
    op_ids = _send_without_answer(ann)
    with ann.store.transaction() as conn:
        records.set_state(conn, "user_id", _user_id(vendor_server.engine, partner.email_b))
        records.set_state(conn, "user_email", partner.email_b)
    credentials.save_token(vendor_server.url, partner.email_b, partner.token_b)
    with pytest.raises(BatchInFlight):
        ann.sync()
    assert _answers_for(vendor_server.engine, op_ids) == {_user_id(vendor_server.engine,
                                                                    partner.email_a)}
