"""The HTTP surface: health, sign-in check, authentication, protocol version, bad bodies."""

from __future__ import annotations

import httpx

from tests.server.support import new_id, op, push_one
from workbench.sync.protocol import MAX_BODY_BYTES, PROTOCOL_HEADER


def _user(vendor_server, name="Acme Resellers", email="rep@acme.example"):
    partner_id = vendor_server.create_partner(name, tier="gold")
    return partner_id, vendor_server.create_user(partner_id, email, name="Rita Rep")


def test_health_needs_no_token(vendor_server):
    answer = httpx.get(f"{vendor_server.url}/api/v1/health")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "protocol_version": 1}


def test_me_names_user_and_partner(vendor_server):
    partner_id, token = _user(vendor_server)
    with vendor_server.client(token) as client:
        me = client.get("/api/v1/me").json()
    assert me["user"]["email"] == "rep@acme.example"
    assert me["user"]["name"] == "Rita Rep"
    assert me["partner"] == {"id": partner_id, "name": "Acme Resellers", "tier": "gold"}
    assert me["protocol_version"] == 1


def test_missing_and_unknown_tokens_are_401_with_json(vendor_server):
    _user(vendor_server)
    for token in (None, "not-a-real-token"):
        with vendor_server.client(token) as client:
            for answer in (client.get("/api/v1/me"), client.get("/api/v1/sync/pull"),
                           client.post("/api/v1/sync/push", json={"ops": []})):
                assert answer.status_code == 401
                assert answer.json()["error"]["code"] == "unauthorized"
                assert answer.headers["www-authenticate"] == "Bearer"


def test_revoked_token_is_refused_on_the_next_request(vendor_server):
    _, token = _user(vendor_server)
    with vendor_server.client(token) as client:
        assert client.get("/api/v1/me").status_code == 200
        vendor_server.admin.revoke_user(email="rep@acme.example")
        answer = client.get("/api/v1/sync/pull")
    assert answer.status_code == 401
    assert "revoked" in answer.json()["error"]["message"]


def test_protocol_mismatch_is_426_asking_to_update(vendor_server):
    _, token = _user(vendor_server)
    for version in (None, "2"):
        headers = {"Authorization": f"Bearer {token}"}
        if version:
            headers[PROTOCOL_HEADER] = version
        answer = httpx.get(f"{vendor_server.url}/api/v1/sync/pull", headers=headers)
        assert answer.status_code == 426
        error = answer.json()["error"]
        assert error["code"] == "protocol_mismatch"
        assert "update your workbench" in error["message"]


def test_oversized_body_is_413_and_changes_nothing(vendor_server):
    _, token = _user(vendor_server)
    filler = "x" * 9000
    ops = [op("accounts", new_id(), "create", {"name": "Big", "notes": filler})
           for _ in range(MAX_BODY_BYTES // 9000 + 10)]
    with vendor_server.client(token) as client:
        answer = client.post("/api/v1/sync/push", json={"ops": ops})
        assert answer.status_code == 413
        assert answer.json()["error"]["code"] == "too_large"
        # Streamed without Content-Length: refused while reading, too.
        body = httpx.ByteStream(b'{"ops": [' + b" " * (MAX_BODY_BYTES + 10) + b"]}")
        streamed = client.post("/api/v1/sync/push", content=body,
                               headers={"Content-Type": "application/json",
                                        "Transfer-Encoding": "chunked"})
        assert streamed.status_code == 413
        changes = client.get("/api/v1/sync/pull").json()["changes"]
    assert not [c for c in changes if c["entity"] == "accounts"]


def test_malformed_bodies_are_422_naming_the_part(vendor_server):
    _, token = _user(vendor_server)
    good = op("accounts", new_id(), "create", {"name": "Initech"})
    cases = [
        (b"{not json", "body"),
        (b"[1, 2]", "body"),
        (b'{"ops": "everything"}', "ops"),
        (b'{"ops": [{"op_id": "x"}]}', "ops[0].entity"),
        (b'{"ops": [{"op_id": "a", "entity": "accounts", "record_id": "r", "kind": "merge"}]}',
         "ops[0].kind"),
    ]
    with vendor_server.client(token) as client:
        for body, field in cases:
            answer = client.post("/api/v1/sync/push", content=body,
                                 headers={"Content-Type": "application/json"})
            assert answer.status_code == 422, body
            error = answer.json()["error"]
            assert error["code"] == "invalid" and error["field"] == field, error
        too_many = client.post("/api/v1/sync/push", json={"ops": [good] * 501})
        assert too_many.status_code == 422 and too_many.json()["error"]["field"] == "ops"
        bad_cursor = client.get("/api/v1/sync/pull", params={"cursor": "!!nonsense"})
        assert bad_cursor.status_code == 422 and bad_cursor.json()["error"]["field"] == "cursor"
        bad_limit = client.get("/api/v1/sync/pull", params={"limit": "5000"})
        assert bad_limit.status_code == 422 and bad_limit.json()["error"]["field"] == "limit"
        # A batch refused as malformed applied nothing, not even its good ops.
        mixed = client.post("/api/v1/sync/push", json={"ops": [good, {"op_id": "y"}]})
        assert mixed.status_code == 422
        changes = client.get("/api/v1/sync/pull").json()["changes"]
        assert not [c for c in changes if c["entity"] == "accounts"]
        assert push_one(client, good)["status"] == "applied"


def test_unknown_route_answers_json(vendor_server):
    answer = httpx.get(f"{vendor_server.url}/api/v1/nothing-here")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_openapi_docs_are_served(vendor_server):
    assert httpx.get(f"{vendor_server.url}/docs").status_code == 200
    paths = httpx.get(f"{vendor_server.url}/openapi.json").json()["paths"]
    assert "/api/v1/sync/push" in paths and "/api/v1/sync/pull" in paths
