"""A push may carry the client's pull cursor; the answer then carries it moved past the batch's
writes, but only when the batch's answers are all a pull would bring for them
(docs/sync-protocol.md, "Pull cursor with a push")."""

from __future__ import annotations

import pytest

from tests.server.support import create_registration, new_id, op, pull_all


@pytest.fixture
def rep(vendor_server):
    partner_id = vendor_server.create_partner("Acme Resellers")
    token = vendor_server.create_user(partner_id, "rep@acme.example")
    with vendor_server.client(token) as client:
        yield vendor_server, partner_id, client


def push_with(client, cursor, *ops):
    response = client.post("/api/v1/sync/push", json={"ops": list(ops), "cursor": cursor})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_current_cursor_comes_back_past_the_batch_and_the_pull_then_brings_nothing(rep):
    _, _, client = rep
    _, cursor = pull_all(client)  # the partner and the rep themselves
    ids = [new_id(), new_id()]
    answer = push_with(client, cursor, *(op("accounts", i, "create", {"name": f"Initech {n}"})
                                          for n, i in enumerate(ids)))
    assert [r["status"] for r in answer["results"]] == ["applied", "applied"]
    assert answer["cursor"] != cursor
    assert pull_all(client, answer["cursor"])[0] == []  # the two records are in the answers
    # ...and the same cursor still brings what anyone writes afterwards.
    later = push_with(client, None, op("accounts", new_id(), "create", {"name": "Hooli"}))
    assert "cursor" not in later  # no cursor sent, none answered
    changes, _ = pull_all(client, answer["cursor"])
    assert [c["record"]["name"] for c in changes] == ["Hooli"]


def test_a_cursor_behind_the_partners_writes_is_not_moved(rep):
    vendor_server, partner_id, client = rep
    _, cursor = pull_all(client)
    other = vendor_server.create_user(partner_id, "colleague@acme.example")
    with vendor_server.client(other) as colleague:
        push_with(colleague, None, op("accounts", new_id(), "create", {"name": "Globex"}))
    answer = push_with(client, cursor, op("accounts", new_id(), "create", {"name": "Initech"}))
    assert answer["results"][0]["status"] == "applied" and "cursor" not in answer
    changes, _ = pull_all(client, cursor)  # the colleague's user record too
    assert sorted(c["record"]["name"] for c in changes if c["entity"] == "accounts") == [
        "Globex", "Initech"]


def test_a_replayed_batch_and_an_action_answer_without_a_cursor(rep):
    _, _, client = rep
    _, cursor = pull_all(client)
    batch = [op("accounts", new_id(), "create", {"name": "Initech"})]
    first = push_with(client, cursor, *batch)
    assert "cursor" in first
    replay = push_with(client, first["cursor"], *batch)
    assert replay["results"] == first["results"] and "cursor" not in replay
    # An action writes other records than the op's (a submit records an activity event).
    _, cursor = pull_all(client)
    record_id = new_id()
    created = push_with(client, cursor, op("registrations", record_id, "create",
                                           {"customer_name": "Globex Corporation",
                                            "customer_domain": "globex.com",
                                            "product": "Widget Suite",
                                            "deal_value_cents": 4_000_000,
                                            "expected_close_date": "2099-03-31"}))
    submitted = push_with(client, created["cursor"],
                          op("registrations", record_id, "action", base_version=1,
                             action="submit"))
    assert submitted["results"][0]["status"] == "applied" and "cursor" not in submitted
    assert create_registration(client)["status"] == "applied"  # a push without a cursor


def test_a_cursor_that_is_not_one_is_ignored_not_refused(rep):
    """Text this server cannot read (an older or newer cursor) is ignored; the wrong type is
    refused naming the field, as the schema says (a string)."""
    _, _, client = rep
    for cursor in ("not a cursor", "", None):
        answer = push_with(client, cursor, op("accounts", new_id(), "create", {"name": "Initech"}))
        assert answer["results"][0]["status"] == "applied" and "cursor" not in answer
    for cursor in (42, ["x"], {}):
        response = client.post("/api/v1/sync/push", json={
            "cursor": cursor, "ops": [op("accounts", new_id(), "create", {"name": "Initech"})]})
        assert response.status_code == 422 and response.json()["error"]["field"] == "cursor"
