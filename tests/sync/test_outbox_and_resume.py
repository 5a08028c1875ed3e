"""The outbox side of sync: coalescing, stable op ids across an unanswered push, resuming an
interrupted pull from its cursor, and rejections that never block the queue."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from tests.sync.faults import FaultProxy
from tests.sync.helpers import assert_converged
from workbench.domain.values import new_id, now_text
from workbench.server.schema import applied_ops
from workbench.store.records import get_state, set_state
from workbench.store.schema import RECORD_TABLES, outbox
from workbench.sync import credentials
from workbench.sync.errors import SyncError
from workbench.sync.outbox import IN_FLIGHT_KEY, build_batch


@pytest.fixture
def ann(partner, replicas):
    return replicas(partner.token_a, "ann")


def _through(proxy, replica, email, token):
    with replica.store.transaction() as conn:
        set_state(conn, "server_url", proxy.url)
    credentials.remember_for_process(proxy.url, email, token)


def test_consecutive_edits_of_a_record_go_out_as_one_operation(ann, vendor_server, partner):
    account = ann.create("accounts", name="Globex")
    ann.edit("accounts", account["id"], notes="one", industry="Energy")
    ann.edit("accounts", account["id"], notes="two")
    other = ann.create("accounts", name="Initech")
    ann.edit("accounts", other["id"], notes="x")
    ann.edit("accounts", other["id"], notes=None)  # back to where it was
    with ann.store.transaction() as conn:
        batch = build_batch(conn)
        conn.rollback()
    assert [(b.op.kind, b.op.fields) for b in batch.ops] == [
        ("create", {"name": {"old": None, "new": "Globex"}, "notes": {"old": None, "new": "two"},
                    "industry": {"old": None, "new": "Energy"}}),
        ("create", {"name": {"old": None, "new": "Initech"}, "notes": {"old": None, "new": None}})]
    assert batch.ops[0].op.op_id == ann.outbox_rows()[0]["op_id"]  # the first row's op id
    summary = ann.sync()
    assert summary.pushed == 2 and all(r["state"] == "applied" for r in ann.outbox_rows())
    assert vendor_server.admin.get_record("accounts", account["id"])["version"] == 1
    assert_converged(vendor_server.engine, partner.id, ann)


def test_a_changed_reference_is_never_pulled_ahead_of_the_record_it_points_to(ann):
    first = ann.create("accounts", name="First")
    contact = ann.create("contacts", account_id=first["id"], name="Moving Person")
    second = ann.create("accounts", name="Second")
    ann.edit("contacts", contact["id"], account_id=second["id"])
    with ann.store.transaction() as conn:
        batch = build_batch(conn)
        conn.rollback()
    # the contact's move waits for the next batch instead of overtaking Second's create
    assert [(b.op.entity, b.op.kind) for b in batch.ops] == [
        ("accounts", "create"), ("contacts", "create"), ("accounts", "create")]


def test_an_unanswered_batch_is_resent_with_the_same_op_ids(vendor_server, partner, ann):
    account = ann.create("accounts", name="Globex")
    ann.sync()
    ann.edit("accounts", account["id"], notes="applied but never acknowledged")
    with FaultProxy(vendor_server.url) as proxy:
        _through(proxy, ann, partner.email_a, partner.token_a)
        proxy.always("drop_after")  # the server applies it; the answer is lost, every retry too
        with pytest.raises(SyncError):
            ann.sync(retries=1)
        with ann.store.reading() as conn:
            in_flight = get_state(conn, IN_FLIGHT_KEY)
        sent_op = in_flight["ops"][0]["op_id"]
        ann.edit("accounts", account["id"], notes="a later edit")  # while offline
        proxy.always("ok")
        ann.sync()
    pushes = [p for m, p, f in proxy.log if p.endswith("/sync/push")]
    assert len(pushes) >= 4  # 2 unanswered attempts, the resend, then the later edit
    with vendor_server.engine.connect() as conn:
        ops = conn.execute(sa.select(applied_ops.c.op_id)).scalars().all()
    assert ops.count(sent_op) == 1  # applied once, answered from the record the second time
    server = vendor_server.admin.get_record("accounts", account["id"])
    assert (server["notes"], server["version"]) == ("a later edit", 3)
    assert all(r["state"] == "applied" for r in ann.outbox_rows())
    assert_converged(vendor_server.engine, partner.id, ann)


def test_an_interrupted_pull_resumes_from_its_cursor(vendor_server, partner, ann):
    for number in range(30):
        vendor_server.admin.assign_lead(partner.id, f"Lead {number}")
    with FaultProxy(vendor_server.url) as proxy:
        _through(proxy, ann, partner.email_a, partner.token_a)
        pages = iter(["ok", "ok", "500"])  # pages 1 and 2 arrive, page 3 fails
        proxy.plan = lambda method, path: next(pages, "ok") if "/sync/pull" in path else "ok"
        with pytest.raises(SyncError) as error:
            _sync(ann, page_size=10)
        assert error.value.summary.pulled == 20
        proxy.log.clear()
        summary = _sync(ann, page_size=10)
    first_pull = next(p for m, p, f in proxy.log if "/sync/pull" in p)
    assert parse_qs(urlsplit(first_pull).query).get("cursor")  # resumed, not from the start
    assert summary.pulled < 20
    assert_converged(vendor_server.engine, partner.id, ann)


def test_pages_before_a_malformed_page_are_kept_and_the_next_sync_goes_on_from_them(
        vendor_server, partner, ann):
    """Pages that arrive together are written together, but one malformed page costs only
    itself: the pages before it are stored with their cursor (DESIGN §5 'bad input')."""
    for number in range(30):
        vendor_server.admin.assign_lead(partner.id, f"Lead {number}")
    with FaultProxy(vendor_server.url) as proxy:
        _through(proxy, ann, partner.email_a, partner.token_a)
        pages = iter(["ok", "ok", "wrong_shape"])  # page 3 holds a record of the wrong shape
        proxy.plan = lambda method, path: next(pages, "ok") if "/sync/pull" in path else "ok"
        with pytest.raises(SyncError) as error:
            _sync(ann, page_size=10)
        assert "malformed" in error.value.message
        assert error.value.summary.pulled == 20
        kept = _count(ann, "leads")
        assert 0 < kept < 30  # the two good pages' leads, not the malformed page's
        proxy.log.clear()
        summary = _sync(ann, page_size=10)
    first_pull = next(p for m, p, f in proxy.log if "/sync/pull" in p)
    assert parse_qs(urlsplit(first_pull).query).get("cursor")  # resumed after page 2
    assert summary.pulled < 20 and _count(ann, "leads") == 30
    assert_converged(vendor_server.engine, partner.id, ann)


def _count(replica, entity):
    with replica.store.reading() as conn:
        return conn.execute(sa.select(sa.func.count())
                            .select_from(RECORD_TABLES[entity])).scalar_one()


def _sync(replica, **options):
    from workbench.sync.engine import sync
    client = replica.client()
    try:
        return sync(replica.store, client, **options)
    finally:
        client.close()


def _raw_row(replica, entity, record_id, kind, fields, base_version=0, action=None):
    """An outbox row as an older or buggy client might have written it."""
    with replica.store.transaction() as conn:
        conn.execute(sa.insert(outbox).values(
            op_id=new_id(), entity=entity, record_id=record_id, kind=kind, action=action,
            fields=fields, base_version=base_version, created_at=now_text(), state="pending"))


def test_a_malformed_op_is_isolated_and_rejected_without_blocking(vendor_server, partner, ann):
    account = ann.create("accounts", name="Before")
    ann.sync()
    before = ann.create("accounts", name="Also before")
    _raw_row(ann, "accounts", account["id"], "update", {"notes": {"old": None, "new": "x"}},
             base_version=-1)  # the server refuses the whole request (422)
    after = ann.create("accounts", name="After")
    summary = ann.sync()
    assert summary.applied == 2 and len(summary.rejected) == 1
    assert "base_version" in summary.rejected[0].reason
    for record in (before, after):
        assert vendor_server.admin.get_record("accounts", record["id"])["version"] == 1
    assert_converged(vendor_server.engine, partner.id, ann)


def test_a_rejected_create_leaves_a_local_tombstone_and_a_visible_reason(vendor_server, partner,
                                                                          ann):
    record_id = new_id()
    with ann.store.transaction() as conn:  # pretend an old client let the rep create one
        conn.execute(sa.insert(RECORD_TABLES["opportunities"]).values(
            id=record_id, name="Homemade", created_at=now_text(), updated_at=now_text()))
    _raw_row(ann, "opportunities", record_id, "create", {"name": {"old": None, "new": "Homemade"}})
    summary = ann.sync()
    assert "created by the vendor" in summary.rejected[0].reason
    assert ann.get("opportunities", record_id)["deleted"] is True
    _, status = ann.cli("status")
    assert status["rejected"][0]["wanted"] == {"name": "Homemade"}
    assert_converged(vendor_server.engine, partner.id, ann)


def test_an_older_version_never_replaces_a_newer_one(vendor_server, partner, ann):
    from workbench.sync.apply import apply_changes
    from workbench.sync.protocol import Change
    account = ann.create("accounts", name="Globex")
    ann.sync()
    old = vendor_server.admin.get_record("accounts", account["id"])
    vendor_server.admin.update_record("accounts", account["id"], industry="Energy")
    ann.sync()
    stale = {**old, "industry": "Stale"}
    with ann.store.transaction() as conn:
        apply_changes(conn, [Change("accounts", old["id"], old["version"], False, stale)])
    local = ann.get("accounts", account["id"])
    assert (local["industry"], local["version"]) == ("Energy", 2)
