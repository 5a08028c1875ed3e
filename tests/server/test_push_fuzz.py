"""Property: whatever a client pushes, the server answers 200 or a 4xx naming the part at fault —
never 500 — and a bad op never blocks the rest of its batch for good (issue 13, class 3).

Batches of ops are drawn over the push op shape (every key, missing or of any JSON type) and
every field of every entity with values of every kind: right, wrong type, out of range, hostile
text (NUL, lone surrogates, 5,000 digits), extreme timestamps, deep nesting. The batch ends with a
sentinel op that is always valid; when the server refuses the whole request it names the op
(`ops[i]…`), the client sets that op aside and sends the rest (engine.push_ops does so by
splitting), and the sentinel must then be applied.
"""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.server.support import new_id, op, push, registration
from workbench.domain.model import ENTITIES, Kind

PUSH = "/api/v1/sync/push"
_OP_INDEX = re.compile(r"^ops\[(\d+)\]")

HOSTILE_TEXT = st.sampled_from([
    "x\ud800", "\udfff", "\x00", "a\x00b", "1" * 5000, "²", "9999-12-31T23:59:59-05:00",
    "0001-01-01T00:00:00+05:00", "2026-02-30", "2026-13-01T00:00:00Z", "NaN", "-1", "1e400",
    "  ", "=cmd|' /C calc'!A0", "<script>", "null", "[1,2]", "'; DROP TABLE accounts; --",
    "12345678-1234-1234-1234-1234567890ab", "\u202e", "a" * 20001])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(min_value=-(10**40),
                    max_value=10**40), st.floats(allow_nan=False), st.text(max_size=30),
                    HOSTILE_TEXT)


def _nested(depth: int) -> object:
    value: object = "deep"
    for _ in range(depth):
        value = [value]
    return value


ANY_JSON = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8) | st.integers(min_value=15, max_value=40).map(_nested)

# A right-looking value per field kind, to get past type checks and reach the rules.
GOOD = {Kind.TEXT: st.text(min_size=1, max_size=20), Kind.INT: st.integers(0, 5),
        Kind.MONEY: st.integers(1, 10**9), Kind.BOOL: st.booleans(),
        Kind.DATE: st.dates().map(str), Kind.DATETIME: st.datetimes().map(lambda d: d.isoformat() + "Z"),
        Kind.JSON: st.lists(st.text(max_size=8), max_size=3),
        Kind.REF: st.uuids().map(str),
        Kind.DOMAIN: st.from_regex(r"[a-z]{1,10}\.example", fullmatch=True),
        Kind.EMAIL: st.from_regex(r"[a-z]{1,8}@[a-z]{1,8}\.example", fullmatch=True)}

ENTITY_NAMES = sorted(ENTITIES)
# What partners write: most ops go there, so they reach the field rules, not the first refusal.
WRITABLE = sorted(name for name, e in ENTITIES.items() if e.created_by.value == "partner") + ["leads"]


@st.composite
def fields_of(draw, entity_name: str) -> dict:
    entity = ENTITIES[entity_name]
    required = [f for f in entity.fields if f.required]
    chosen = required + draw(st.lists(st.sampled_from(entity.fields), max_size=3, unique=True))
    fields = {}
    for spec in chosen:
        new = draw(GOOD[spec.kind] | HOSTILE_TEXT | ANY_JSON)
        change = {"old": draw(st.one_of(st.none(), ANY_JSON)), "new": new}
        fields[spec.name] = change
    if draw(st.booleans()):
        fields[draw(st.text(max_size=12) | HOSTILE_TEXT)] = {"old": None, "new": draw(ANY_JSON)}
    return fields


@st.composite
def operations(draw, record_ids: dict[str, str]) -> dict:
    entity_name = draw(st.sampled_from(WRITABLE) | st.sampled_from(WRITABLE)
                       | st.sampled_from(ENTITY_NAMES))
    record_id = draw(st.one_of(st.just(record_ids.get(entity_name, new_id())),
                               st.uuids().map(str), HOSTILE_TEXT))
    wire: dict = {"op_id": draw(st.uuids().map(str) | st.uuids().map(str) | HOSTILE_TEXT
                                | st.text(max_size=120)),
                  "entity": entity_name, "record_id": record_id,
                  "kind": draw(st.sampled_from(["create", "create", "update", "update", "delete",
                                                "action", "merge"])),
                  "base_version": draw(st.one_of(st.integers(0, 3), ANY_JSON)),
                  "fields": draw(fields_of(entity_name)),
                  "action": draw(st.one_of(st.sampled_from(["submit", "withdraw", "renew",
                                                            "dispute", "claim"]), ANY_JSON))}
    # Now and then break the envelope itself: drop or replace a key.
    key = draw(st.sampled_from([None] * 12 + list(wire)))
    if key is not None:
        if draw(st.booleans()):
            del wire[key]
        else:
            wire[key] = draw(ANY_JSON)
    return wire


def _post(client, ops: list) -> object:
    body = json.dumps({"ops": ops}, allow_nan=True)
    return client.post(PUSH, content=body, headers={"Content-Type": "application/json"})


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data())
def test_no_push_answers_500_and_no_bad_op_blocks_its_batch(fuzz_target, data):
    client, record_ids = fuzz_target
    ops = data.draw(st.lists(operations(record_ids), min_size=1, max_size=4))
    sentinel = op("accounts", new_id(), "create", {"name": "Sentinel Ltd"})
    batch = [*ops, sentinel]
    for _ in range(len(batch)):
        answer = _post(client, batch)
        assert answer.status_code in (200, 413, 422), (answer.status_code, answer.text)
        if answer.status_code == 200:
            break
        error = answer.json()["error"]
        assert error["field"] and error["message"].startswith(error["field"].split("[")[0])
        where = _OP_INDEX.match(error["field"])
        assert where, f"a refused batch must name the op at fault: {error}"
        index = int(where.group(1))
        assert index < len(ops), f"the valid sentinel op was blamed: {error}"
        batch.pop(index)  # what the client does: set the op aside, send the rest
        ops.pop(index)
    results = answer.json()["results"]
    assert len(results) == len(batch)
    for result in results:
        assert result["status"] in ("applied", "conflict", "rejected"), result
        if result["status"] == "rejected":
            assert result["reason"], result
    assert results[-1]["status"] == "applied", results[-1]


@pytest.fixture
def fuzz_target(vendor_server):
    """A partner with one record of several kinds, so fuzzed updates and actions find targets."""
    partner_id = vendor_server.create_partner("Fuzz Partners")
    token = vendor_server.create_user(partner_id, "rep@fuzz.example")
    lead = vendor_server.admin.assign_lead(partner_id, "Fuzzed Lead Inc")
    ids = {name: new_id() for name in ("accounts", "registrations", "cases", "mdf_requests")}
    with vendor_server.client(token) as client:
        push(client,
             op("accounts", ids["accounts"], "create", {"name": "Fuzzed Account"}),
             op("registrations", ids["registrations"], "create", registration()),
             op("cases", ids["cases"], "create", {"subject": "Fuzzed case"}),
             op("mdf_requests", ids["mdf_requests"], "create",
                {"activity_name": "Webinar", "requested_cents": 100_000}))
        ids["leads"] = lead["id"]
        ids["partners"] = partner_id
        yield client, ids
