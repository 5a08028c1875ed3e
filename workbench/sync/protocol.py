"""The wire protocol between the workbench and the vendor server (docs/sync-protocol.md).

Plain dataclasses and JSON checks shared by the sync client and the server; no HTTP here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import orjson

from workbench.domain.actions import PARTNER_ACTIONS

PROTOCOL_VERSION = 1
PROTOCOL_HEADER = "X-Workbench-Protocol"
API_PREFIX = "/api/v1"

MAX_OPS_PER_PUSH = 500
MAX_PULL_LIMIT = 1000
DEFAULT_PULL_LIMIT = 500
MAX_BODY_BYTES = 4 * 1024 * 1024

# An op id: what the client chose to name one operation (a UUID in this workbench). Checked here,
# before any database sees it, so SQLite and PostgreSQL answer alike: 1 to 100 printable ASCII
# characters (no spaces, no control characters such as NUL, nothing outside ASCII).
MAX_OP_ID_LENGTH = 100
_OP_ID = re.compile(rf"[!-~]{{1,{MAX_OP_ID_LENGTH}}}")
# Names in an operation (entity, kind, action, field names) are short identifiers.
MAX_NAME_LENGTH = 100
# No message of this protocol nests deeper than this (body → ops → op → fields → field → list).
MAX_JSON_DEPTH = 16

# The server keeps each op's answer at least this long (docs/sync-protocol.md, "Idempotency
# window"): far longer than any laptop stays offline with a batch sent but not acknowledged. An op
# first sent longer ago than that, with no answer kept, is refused ("resync"), never applied again.
IDEMPOTENCY_WINDOW_DAYS = 90

OP_KINDS = ("create", "update", "delete", "action")
RESULT_STATUSES = ("applied", "conflict", "rejected")

# Partner-side requests that move a record through a vendor-owned state machine (the domain
# declares them; the protocol carries them as op kind "action").
ACTIONS = PARTNER_ACTIONS


def encode_json(data: Any) -> bytes:
    """A message as the wire carries it: compact UTF-8 JSON, the bytes `json.dumps(ensure_ascii=
    False, separators=(",", ":"))` would give. orjson writes them ~9x faster (a 100k-record
    initial pull is 100 pages of 1,000 records); what it refuses (a key that is not text, an
    integer beyond 64 bits) goes the standard library's way, with its errors. One difference:
    orjson writes a float NaN or infinity as null where the standard library refuses it."""
    try:
        return orjson.dumps(data)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(data, ensure_ascii=False, allow_nan=False,
                          separators=(",", ":")).encode("utf-8")


def decode_json(data: bytes) -> Any:
    """A message from the wire; ValueError (or UnicodeDecodeError) when it is not JSON. orjson
    first; anything it refuses (e.g. a \\ud800 escape, NaN, a huge integer) is decoded by the
    standard library exactly as before, so both give the same values and the same refusals."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


class ProtocolError(ValueError):
    """A message does not follow the protocol; the text says which part and why."""


def valid_op_id(value: Any) -> bool:
    return isinstance(value, str) and _OP_ID.fullmatch(value) is not None


# A lone surrogate reaches a parsed body only as a JSON escape (\\udXXX) or as CESU-8 bytes
# (json.loads decodes with surrogatepass): a body with neither needs no look at its text.
_MAYBE_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")


def check_json_text(data: Any, raw: bytes | None = None) -> None:
    """Refuse JSON nested deeper than MAX_JSON_DEPTH, or holding text that is not valid Unicode
    (a lone surrogate such as "\\ud800", which JSON escapes allow but no database or UTF-8
    encoder takes), in a key or a value. The error names the place, e.g. `ops[2].fields.notes.new`.
    `raw`: the body as received, to skip the text check when it cannot hold a surrogate.
    Iterative: a hostile body cannot exhaust the stack. Runs on every push (500 ops), so the
    place is spelled out only for an error."""
    texts = raw is None or _MAYBE_SURROGATE.search(raw) is not None
    if type(data) is not dict and type(data) is not list:
        if texts and type(data) is str and not _is_unicode(data):
            raise ProtocolError("body: not valid text (holds a lone surrogate)")
        return
    stack: list[tuple[Any, Any, int]] = [(data, None, 0)]  # (value, place, depth)
    while stack:
        value, place, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ProtocolError(f"{_spell(place)}: nested deeper than {MAX_JSON_DEPTH} levels")
        items = value.items() if type(value) is dict else enumerate(value)
        for key, item in items:
            if texts and type(key) is str and not _is_unicode(key):
                raise ProtocolError(f"{_spell(place)}: a key is not valid text (holds a lone "
                                    "surrogate)")
            kind = type(item)
            if kind is dict or kind is list:
                stack.append((item, (place, key), depth + 1))
            elif texts and kind is str and not _is_unicode(item):
                raise ProtocolError(f"{_spell((place, key))}: not valid text (holds a lone "
                                    "surrogate)")


def _spell(place: Any) -> str:
    """(((None, "ops"), 2), "kind") → "ops[2].kind"; None → "body"."""
    parts: list[Any] = []
    while place is not None:
        place, key = place
        parts.append(key)
    text = ""
    for key in reversed(parts):
        if isinstance(key, int):
            text = f"{text or 'body'}[{key}]"
        else:
            text = f"{text}.{key}" if text else str(key)
    return text or "body"


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass
class Operation:
    op_id: str
    entity: str
    record_id: str
    kind: str
    base_version: int = 0
    # field name -> {"old": value at base version, "new": value wanted}
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    action: str | None = None
    # When the client first sent this op (its clock, ISO UTC); the same on every resend.
    sent_at: str | None = None

    def to_wire(self) -> dict[str, Any]:
        wire = {"op_id": self.op_id, "entity": self.entity, "record_id": self.record_id,
                "kind": self.kind, "base_version": self.base_version, "fields": self.fields}
        if self.action:
            wire["action"] = self.action
        if self.sent_at:
            wire["sent_at"] = self.sent_at
        return wire

    @classmethod
    def from_wire(cls, data: Any, index: int = 0) -> Operation:
        operation = _well_formed_operation(data)  # every pushed op: the cheap checks first
        if operation is not None:
            return operation
        where = f"ops[{index}]"
        if not isinstance(data, dict):
            raise ProtocolError(f"{where}: must be an object")
        for key in ("op_id", "entity", "record_id", "kind"):
            if not isinstance(data.get(key), str) or not data[key]:
                raise ProtocolError(f"{where}.{key}: required text")
        if not valid_op_id(data["op_id"]):
            raise ProtocolError(f"{where}.op_id: 1 to {MAX_OP_ID_LENGTH} printable ASCII "
                                "characters (no spaces or control characters), such as a UUID")
        for key in ("entity", "record_id", "kind", "action"):
            if isinstance(data.get(key), str) and len(data[key]) > MAX_NAME_LENGTH:
                raise ProtocolError(f"{where}.{key}: at most {MAX_NAME_LENGTH} characters")
        if data["kind"] not in OP_KINDS:
            raise ProtocolError(f"{where}.kind: must be one of {', '.join(OP_KINDS)}")
        base_version = data.get("base_version", 0)
        if isinstance(base_version, float) and base_version.is_integer():
            base_version = int(base_version)  # JSON has one number type: 3.0 is 3
        if not isinstance(base_version, int) or isinstance(base_version, bool) or base_version < 0:
            raise ProtocolError(f"{where}.base_version: must be a whole number >= 0")
        fields = data.get("fields", {})
        if not isinstance(fields, dict) or not all(
                isinstance(v, dict) and "new" in v for v in fields.values()):
            raise ProtocolError(f"{where}.fields: must map field names to {{'old', 'new'}}")
        if any(len(name) > MAX_NAME_LENGTH for name in fields):
            raise ProtocolError(f"{where}.fields: field names have at most {MAX_NAME_LENGTH} "
                                "characters")
        action = data.get("action")
        if data["kind"] == "action" and not isinstance(action, str):
            raise ProtocolError(f"{where}.action: required for kind 'action'")
        if action is not None and not isinstance(action, str):
            raise ProtocolError(f"{where}.action: must be text (the action's name)")
        sent_at = data.get("sent_at")
        if sent_at is not None and not _is_timestamp(sent_at):
            raise ProtocolError(f"{where}.sent_at: an ISO timestamp such as "
                                "2026-11-22T17:58:23.000000Z, when the op was first sent")
        return cls(op_id=data["op_id"], entity=data["entity"], record_id=data["record_id"],
                   kind=data["kind"], base_version=base_version, fields=fields, action=action,
                   sent_at=sent_at)


def _well_formed_operation(data: Any) -> Operation | None:
    """The operation when `data` passes every check of `Operation.from_wire` in its plainest form
    (exact JSON types, no coercion needed), else None: from_wire then checks it step by step and
    says what is wrong. Runs for every op of every push (the server parses 500 per request)."""
    if type(data) is not dict:
        return None
    get = data.get
    op_id, entity_name, record_id, kind = get("op_id"), get("entity"), get("record_id"), get("kind")
    if type(op_id) is not str or type(entity_name) is not str or type(record_id) is not str \
            or kind not in OP_KINDS or not entity_name or not record_id \
            or len(entity_name) > MAX_NAME_LENGTH or len(record_id) > MAX_NAME_LENGTH \
            or _OP_ID.fullmatch(op_id) is None:
        return None
    base_version = get("base_version", 0)
    if type(base_version) is not int or base_version < 0:
        return None
    fields = get("fields", {})
    if type(fields) is not dict:
        return None
    for name, change in fields.items():
        if type(change) is not dict or "new" not in change or len(name) > MAX_NAME_LENGTH:
            return None
    action, sent_at = get("action"), get("sent_at")
    if (action is None and kind == "action") or (action is not None and (
            type(action) is not str or len(action) > MAX_NAME_LENGTH)):
        return None
    if sent_at is not None and not _is_timestamp(sent_at):
        return None
    return Operation(op_id=op_id, entity=entity_name, record_id=record_id, kind=kind,
                     base_version=base_version, fields=fields, action=action, sent_at=sent_at)


@lru_cache(maxsize=256)  # a batch's ops share one sent_at, checked on arrival and on replay
def sent_moment(sent_at: str) -> datetime:
    """The moment of an op's `sent_at` (already checked by Operation.from_wire), timezone-aware
    but in its own offset: 9999-12-31T23:59:59-05:00 is a valid time past year 9999 in UTC."""
    moment = datetime.fromisoformat(sent_at.upper().replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _is_timestamp(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > 40:
        return False
    try:
        sent_moment(value)
    except ValueError:
        return False
    return True


@dataclass
class OpResult:
    op_id: str
    status: str  # applied | conflict | rejected
    version: int | None = None  # the record's version after the op (applied) or now (conflict)
    record: dict[str, Any] | None = None  # the server's current record (applied, conflict)
    conflicts: dict[str, Any] = field(default_factory=dict)  # field -> server's current value
    reason: str | None = None  # why rejected / what conflicted, for the rep
    field: str | None = None  # the field a rejection is about, if one
    code: str | None = None  # what a client must do about a rejection: "resync"

    def to_wire(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, {})}

    @classmethod
    def from_wire(cls, data: Any) -> OpResult:
        if not isinstance(data, dict) or data.get("status") not in RESULT_STATUSES \
                or not isinstance(data.get("op_id"), str):
            raise ProtocolError("push result: each result needs op_id and a valid status")
        return cls(op_id=data["op_id"], status=data["status"], version=data.get("version"),
                   record=data.get("record"), conflicts=data.get("conflicts") or {},
                   reason=data.get("reason"), field=data.get("field"),
                   code=data.get("code") if isinstance(data.get("code"), str) else None)


@dataclass
class Change:
    """One record as it is now on the server, in a pull page."""
    entity: str
    id: str
    version: int
    deleted: bool
    record: dict[str, Any]

    def to_wire(self) -> dict[str, Any]:
        return {"entity": self.entity, "id": self.id, "version": self.version,
                "deleted": self.deleted, "record": self.record}

    @classmethod
    def from_wire(cls, data: Any) -> Change:
        if not isinstance(data, dict):
            raise ProtocolError("pull change: must be an object")
        if not isinstance(data.get("entity"), str) or not isinstance(data.get("id"), str) \
                or not isinstance(data.get("version"), int) or not isinstance(data.get("record"), dict):
            raise ProtocolError("pull change: entity, id, version and record are required")
        return cls(entity=data["entity"], id=data["id"], version=data["version"],
                   deleted=bool(data.get("deleted")), record=data["record"])


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if field:
        body["field"] = field
    return {"error": body}
