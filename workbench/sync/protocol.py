"""The wire protocol between the workbench and the vendor server (docs/sync-protocol.md).

Plain dataclasses and JSON checks shared by the sync client and the server; no HTTP here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.domain.actions import PARTNER_ACTIONS

PROTOCOL_VERSION = 1
PROTOCOL_HEADER = "X-Workbench-Protocol"
API_PREFIX = "/api/v1"

MAX_OPS_PER_PUSH = 500
MAX_PULL_LIMIT = 1000
DEFAULT_PULL_LIMIT = 500
MAX_BODY_BYTES = 4 * 1024 * 1024

OP_KINDS = ("create", "update", "delete", "action")
RESULT_STATUSES = ("applied", "conflict", "rejected")

# Partner-side requests that move a record through a vendor-owned state machine (the domain
# declares them; the protocol carries them as op kind "action").
ACTIONS = PARTNER_ACTIONS


class ProtocolError(ValueError):
    """A message does not follow the protocol; the text says which part and why."""


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

    def to_wire(self) -> dict[str, Any]:
        wire = {"op_id": self.op_id, "entity": self.entity, "record_id": self.record_id,
                "kind": self.kind, "base_version": self.base_version, "fields": self.fields}
        if self.action:
            wire["action"] = self.action
        return wire

    @classmethod
    def from_wire(cls, data: Any, index: int = 0) -> Operation:
        where = f"ops[{index}]"
        if not isinstance(data, dict):
            raise ProtocolError(f"{where}: must be an object")
        for key in ("op_id", "entity", "record_id", "kind"):
            if not isinstance(data.get(key), str) or not data[key]:
                raise ProtocolError(f"{where}.{key}: required text")
        if data["kind"] not in OP_KINDS:
            raise ProtocolError(f"{where}.kind: must be one of {', '.join(OP_KINDS)}")
        base_version = data.get("base_version", 0)
        if not isinstance(base_version, int) or isinstance(base_version, bool) or base_version < 0:
            raise ProtocolError(f"{where}.base_version: must be a whole number >= 0")
        fields = data.get("fields", {})
        if not isinstance(fields, dict) or not all(
                isinstance(v, dict) and "new" in v for v in fields.values()):
            raise ProtocolError(f"{where}.fields: must map field names to {{'old', 'new'}}")
        action = data.get("action")
        if data["kind"] == "action" and not isinstance(action, str):
            raise ProtocolError(f"{where}.action: required for kind 'action'")
        return cls(op_id=data["op_id"], entity=data["entity"], record_id=data["record_id"],
                   kind=data["kind"], base_version=base_version, fields=fields, action=action)


@dataclass
class OpResult:
    op_id: str
    status: str  # applied | conflict | rejected
    version: int | None = None  # the record's version after the op (applied) or now (conflict)
    record: dict[str, Any] | None = None  # the server's current record (applied, conflict)
    conflicts: dict[str, Any] = field(default_factory=dict)  # field -> server's current value
    reason: str | None = None  # why rejected / what conflicted, for the rep
    field: str | None = None  # the field a rejection is about, if one

    def to_wire(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, {})}

    @classmethod
    def from_wire(cls, data: Any) -> OpResult:
        if not isinstance(data, dict) or data.get("status") not in RESULT_STATUSES \
                or not isinstance(data.get("op_id"), str):
            raise ProtocolError("push result: each result needs op_id and a valid status")
        return cls(op_id=data["op_id"], status=data["status"], version=data.get("version"),
                   record=data.get("record"), conflicts=data.get("conflicts") or {},
                   reason=data.get("reason"), field=data.get("field"))


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
