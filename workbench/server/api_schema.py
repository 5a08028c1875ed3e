"""What /openapi.json says about the sync API: request and answer shapes as pydantic models.

The routes parse push bodies themselves (size limit while streaming, the protocol's own checks in
workbench/sync/protocol.py), so these models document the wire format rather than parse it; the
test suite holds them to what the server really does (schemathesis against a live server).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from workbench.sync.protocol import (
    ACTIONS,
    DEFAULT_PULL_LIMIT,
    MAX_NAME_LENGTH,
    MAX_OP_ID_LENGTH,
    MAX_OPS_PER_PUSH,
    MAX_PULL_LIMIT,
    OP_KINDS,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    RESULT_STATUSES,
)

BEARER = "bearerAuth"


class ErrorDetail(BaseModel):
    code: str = Field(description="unauthorized, forbidden, not_found, conflict, too_large, "
                                  "invalid, protocol_mismatch, internal …")
    message: str = Field(description="what went wrong, for a person")
    field: str | None = Field(None, description="the part of the request at fault, e.g. "
                                                "ops[3].kind, limit, Authorization")


class ErrorAnswer(BaseModel):
    error: ErrorDetail


# Keys the server does not know are ignored (docs/sync-protocol.md): the schema allows them.
_OPEN = ConfigDict(extra="allow")


class FieldChange(BaseModel):
    model_config = _OPEN
    old: Any = Field(None, description="the value at base_version (null for a create)")
    new: Any = Field(description="the value wanted")


class PushOperation(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={
        "if": {"properties": {"kind": {"const": "action"}}},
        "then": {"required": ["action"], "properties": {"action": {"type": "string"}}}})
    op_id: str = Field(pattern=rf"^[!-~]{{1,{MAX_OP_ID_LENGTH}}}$",
                       description="chosen by the client, unique per user (a UUID)")
    entity: str = Field(min_length=1, max_length=MAX_NAME_LENGTH, examples=["registrations"])
    record_id: str = Field(min_length=1, max_length=MAX_NAME_LENGTH,
                           description="the record's UUID")
    kind: Literal[OP_KINDS]  # type: ignore[valid-type]
    base_version: int = Field(0, ge=0, description="the version the edit is based on")
    fields: dict[str, FieldChange] = Field(default_factory=dict, json_schema_extra={
        "propertyNames": {"maxLength": MAX_NAME_LENGTH}})
    action: str | None = Field(None, description="for kind action: " + "; ".join(
        f"{entity}: {', '.join(names)}" for entity, names in ACTIONS.items()))
    sent_at: datetime | None = Field(None, description="when the client first sent this op "
                                                       "(ISO timestamp), the same on every resend")


class PushBody(BaseModel):
    model_config = _OPEN
    ops: list[PushOperation] = Field(max_length=MAX_OPS_PER_PUSH)
    cursor: str | None = Field(None, description="optional: the client's current pull cursor "
                               "(the answer may then carry it moved past this batch)")


class OpResult(BaseModel):
    op_id: str
    status: Literal[RESULT_STATUSES]  # type: ignore[valid-type]
    version: int | None = None
    record: dict[str, Any] | None = Field(None, description="the server's current record")
    conflicts: dict[str, Any] | None = Field(None, description="field → the server's value")
    reason: str | None = None
    field: str | None = None
    code: str | None = Field(None, description='"resync": sent too long ago to be replayed')


class PushAnswer(BaseModel):
    results: list[OpResult]
    cursor: str | None = Field(None, description="the pull cursor sent with the push, moved past "
                               "this batch's writes; only when the results are all a pull would "
                               "bring for them (otherwise absent: pull as usual)")


class Change(BaseModel):
    entity: str
    id: str
    version: int
    deleted: bool
    record: dict[str, Any]


class PullAnswer(BaseModel):
    changes: list[Change]
    cursor: str = Field(description="opaque: send it with the next pull")
    has_more: bool


class Health(BaseModel):
    status: Literal["ok"]
    protocol_version: int


class MeUser(BaseModel):
    id: str
    email: str
    name: str | None
    role: str | None


class MePartner(BaseModel):
    id: str
    name: str | None
    tier: str | None


class MeAnswer(BaseModel):
    user: MeUser
    partner: MePartner
    protocol_version: int


Responses = dict[int | str, dict[str, Any]]


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorAnswer, "description": description}


UNAUTHORIZED: Responses = {401: {**_error("no, unknown or revoked token"),
                      "headers": {"WWW-Authenticate": {"schema": {"type": "string"},
                                                       "description": "Bearer"}}}}
PROTOCOL: Responses = {
    426: _error(f"{PROTOCOL_HEADER} is not {PROTOCOL_VERSION}: update the workbench")}
INVALID: Responses = {422: _error("malformed request; `field` names the part")}
SERVER_ERROR: Responses = {
    500: _error("the server failed; retry later (pushes are idempotent)")}
BASICS: Responses = {**UNAUTHORIZED, **PROTOCOL, **INVALID, **SERVER_ERROR}
PUSH_ERRORS: Responses = {**BASICS, 409: _error("conflict"),
               413: _error("request body larger than 4 MiB")}
PULL_ERRORS: Responses = BASICS
RECORD_ERRORS: Responses = {**BASICS, 404: _error("no such record for this user (also another "
                                                  "partner's record)")}


error_response = _error  # for routes documented elsewhere (server/app.py attachments)


def _protocol_parameter() -> dict[str, Any]:
    return {"name": PROTOCOL_HEADER, "in": "header", "required": True,
            "schema": {"type": "string", "enum": [str(PROTOCOL_VERSION)]},
            "description": "the sync protocol version the client speaks"}


def authenticated(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """openapi_extra of a route that needs the bearer token and the protocol header."""
    extra = dict(extra or {})
    parameters = [_protocol_parameter(), *extra.pop("parameters", [])]
    return {"security": [{BEARER: []}], "parameters": parameters, **extra}


PUSH_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/PushBody"}}}}}

PULL_PARAMETERS = {"parameters": [
    {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "the cursor of the previous answer (omit for the first pull)"},
    {"name": "limit", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PULL_LIMIT,
                "default": DEFAULT_PULL_LIMIT},
     "description": "at most this many changes in the page"}]}


def add_components(schema: dict[str, Any]) -> dict[str, Any]:
    """Add what the routes refer to but FastAPI does not generate: the push body's models and
    the bearer scheme."""
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    body = PushBody.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(body.pop("$defs", {}))
    schemas["PushBody"] = body
    components.setdefault("securitySchemes", {})[BEARER] = {
        "type": "http", "scheme": "bearer", "description": "the API token of a partner's user"}
    return schema
