"""Malformed input answers 4xx naming the field, never 500 — on SQLite and PostgreSQL alike.

Each case here was seen answering 500 (issue 13, class 3). A rejected op never blocks the ops
after it; a malformed op that makes the server refuse the whole request names its place
(`ops[1].op_id`), so the client can set that op aside and send the rest (engine.push_ops).
"""

from __future__ import annotations

import base64
import json

import pytest

from tests.server.support import new_id, op, push, push_one, registration
from workbench.sync.protocol import MAX_JSON_DEPTH, MAX_OP_ID_LENGTH

PUSH = "/api/v1/sync/push"


@pytest.fixture
def rep(vendor_server):
    partner_id = vendor_server.create_partner("Acme Resellers")
    token = vendor_server.create_user(partner_id, "rep@acme.example")
    with vendor_server.client(token) as client:
        yield partner_id, client


def _error(answer, status=422):
    assert answer.status_code == status, answer.text
    return answer.json()["error"]


def _account(name="Globex"):
    return op("accounts", new_id(), "create", {"name": name})


_BAD_LIMITS = ["²", "1" * 5000, "٣", "", "0", "-1", "1001", "1.5", " 5", "5 ", "0x10", "1e3"]


@pytest.mark.parametrize("limit", _BAD_LIMITS, ids=[f"limit{i}" for i in range(len(_BAD_LIMITS))])
def test_a_malformed_pull_limit_is_422_naming_limit(rep, limit):
    _, client = rep
    error = _error(client.get("/api/v1/sync/pull", params={"limit": limit}))
    assert error["field"] == "limit" and "1 to 1000" in error["message"]
    assert len(error["message"]) < 200  # a 5,000-digit limit is not echoed back whole


@pytest.mark.parametrize("limit", ["1", "1000", "0500"])
def test_a_good_pull_limit_is_taken(rep, limit):
    _, client = rep
    assert client.get("/api/v1/sync/pull", params={"limit": limit}).status_code == 200


def test_a_cursor_that_is_deeply_nested_json_is_422_naming_cursor(rep):
    _, client = rep
    cursor = base64.urlsafe_b64encode(("[" * 5000 + "]" * 5000).encode()).decode()
    assert _error(client.get("/api/v1/sync/pull", params={"cursor": cursor}))["field"] == "cursor"


def test_json_nested_1000_deep_is_422(rep):
    _, client = rep
    deep = "[" * 1000 + "]" * 1000
    whole = client.post(PUSH, content=deep, headers={"Content-Type": "application/json"})
    error = _error(whole)  # "body", or the place below it where the nesting goes too deep
    assert error["field"].startswith("body") and str(MAX_JSON_DEPTH) in error["message"]
    operation = json.dumps(_account())[:-1] + ', "extra": ' + "[" * 100 + "]" * 100 + "}"
    inside = client.post(PUSH, content='{"ops": [' + operation + "]}",
                         headers={"Content-Type": "application/json"})
    error = _error(inside)
    assert error["field"].startswith("ops[0].extra") and str(MAX_JSON_DEPTH) in error["message"]
    value = {**_account(), "fields": {"name": {"old": None, "new": json.loads(deep[:400] + deep[-400:])}}}
    assert _error(client.post(PUSH, json={"ops": [value]}))["field"].startswith(
        "ops[0].fields.name.new")


def _with_surrogate(where: str) -> str:
    """A push body whose op 1 holds the lone surrogate \\ud800 at `where` (JSON escape)."""
    ops = [_account("Good first"), _account("Bad second")]
    bad = ops[1]
    marker = "SURROGATE"
    if where == "field name":
        bad["fields"] = {marker: {"old": None, "new": "x"}}
    elif where in ("new", "old"):
        bad["fields"]["name"][where] = f"Acme {marker}"
    else:
        bad[where] = bad[where] + marker
    return json.dumps({"ops": ops}).replace(marker, "\\ud800")


@pytest.mark.parametrize("where", ["op_id", "entity", "record_id", "kind", "field name", "new",
                                   "old"])
def test_a_lone_surrogate_anywhere_in_an_op_is_422_naming_its_place(rep, where):
    _, client = rep
    answer = client.post(PUSH, content=_with_surrogate(where),
                         headers={"Content-Type": "application/json"})
    error = _error(answer)
    assert error["field"].startswith("ops[1]"), error
    assert "not valid text" in error["message"]
    # Nothing of the refused request was applied.
    changes = client.get("/api/v1/sync/pull").json()["changes"]
    assert not [c for c in changes if c["entity"] == "accounts"]


def test_a_lone_surrogate_in_a_text_field_is_refused_by_the_domain_too():
    from workbench.domain.model import ACCOUNTS
    from workbench.domain.values import InvalidValue, coerce

    with pytest.raises(InvalidValue, match="Name: contains characters that are not valid text"):
        coerce(ACCOUNTS.field("name"), "x\ud800")


def test_a_body_that_is_not_utf8_is_422(rep):
    _, client = rep
    assert _error(client.post(PUSH, content=b'{"ops": [1, 2\xff]}'))["field"] == "body"
    # UTF-8-encoded surrogates (CESU-8) are text no database takes either
    body = b'{"ops": [{"op_id": "\xed\xa0\x80"}]}'
    assert _error(client.post(PUSH, content=body))["field"] == "ops[0].op_id"


_DATE_FIELDS = [("registrations", "expected_close_date"), ("mdf_requests", "planned_date")]


@pytest.mark.parametrize("entity,field", _DATE_FIELDS)
@pytest.mark.parametrize("value", [20990331, 2099.5, ["2099-03-31"], True, False, {"y": 2099}])
def test_a_date_sent_as_number_list_or_bool_is_rejected_naming_the_field(rep, entity, field,
                                                                         value):
    _, client = rep
    fields = registration() if entity == "registrations" else {
        "activity_name": "Webinar", "requested_cents": 100_000}
    fields[field] = value
    bad, good = push(client, op(entity, new_id(), "create", fields), _account("After"))
    assert bad["status"] == "rejected" and bad["field"] == field
    assert "date YYYY-MM-DD" in bad["reason"]
    assert good["status"] == "applied"  # the next op of the batch is not blocked


@pytest.mark.parametrize("stamp", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"])
def test_a_timestamp_outside_the_utc_years_is_rejected_naming_the_field(vendor_server, rep,
                                                                        stamp):
    partner_id, client = rep
    lead_id = vendor_server.admin.assign_lead(partner_id, "Hooli")["id"]
    answer, after = push(client, op("leads", lead_id, "update",
                                    {"working_status": "contacted", "first_contact_at": stamp},
                                    base_version=1), _account("After"))
    assert answer["status"] == "rejected" and answer["field"] == "first_contact_at"
    assert "outside the years 0001-9999" in answer["reason"]
    assert after["status"] == "applied"


@pytest.mark.parametrize("op_id", ["x" * (MAX_OP_ID_LENGTH + 1), "abc\x00def", "two words",
                                   "naïve-id", "tab\tid", "\x7f"],
                         ids=["101-chars", "nul", "space", "non-ascii", "tab", "del"])
def test_op_ids_follow_one_rule_on_every_database(rep, op_id):
    """PostgreSQL refused an op id over 100 characters or with NUL with a 500; SQLite took it."""
    _, client = rep
    answer = client.post(PUSH, json={"ops": [_account("First"), {**_account(), "op_id": op_id}]})
    error = _error(answer)
    assert error["field"] == "ops[1].op_id" and "printable ASCII" in error["message"]


def test_an_op_id_of_100_characters_is_taken_and_answered_once(rep):
    _, client = rep
    longest = "o" * MAX_OP_ID_LENGTH
    first = push_one(client, {**_account("Once"), "op_id": longest})
    again = push_one(client, {**_account("Twice"), "op_id": longest})
    assert first["status"] == "applied" and again == first


@pytest.mark.parametrize("record_id", ["not-a-uuid", "%00", "a" * 5000,
                                       "12345678-1234-1234-1234-1234567890ab%00"],
                         ids=["text", "nul", "5000-chars", "uuid-nul"])
def test_fetching_a_record_by_a_malformed_id_is_404_like_a_missing_one(rep, record_id):
    _, client = rep
    answer = client.get(f"/api/v1/records/accounts/{record_id}")
    assert _error(answer, 404)["field"] == "record_id"


@pytest.mark.parametrize("value", [10**30, -(10**30), "9" * 5000, 1e308, float("nan")],
                         ids=["1e30", "-1e30", "5000-digits", "1e308", "nan"])
def test_huge_numbers_are_rejected_naming_the_field(rep, value):
    _, client = rep
    body = json.dumps({"ops": [op("registrations", new_id(), "create",
                                  registration(deal_value_cents=value)), _account("After")]})
    answer = client.post(PUSH, content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text
    bad, good = answer.json()["results"]
    assert bad["status"] == "rejected" and bad["field"] == "deal_value_cents"
    assert len(bad["reason"]) < 300 and good["status"] == "applied"
