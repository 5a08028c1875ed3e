"""The vendor server's HTTP API (docs/sync-protocol.md): FastAPI app factory and routes."""

from __future__ import annotations

import contextlib
import logging
import os
import pathlib
import re
import uuid
from typing import Any
from urllib.parse import parse_qsl

import sqlalchemy as sa
from fastapi import FastAPI, Header, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from workbench.domain import attachments as file_rules
from workbench.domain.model import ENTITIES
from workbench.server import api_schema as api
from workbench.server import attachments, console, db, program_settings
from workbench.server.access import User, authenticate, visibility
from workbench.server.jobs import JobScheduler
from workbench.server.pull import decode_cursor, pull_page
from workbench.server.push import push_with_cursor
from workbench.server.records import fetch, to_wire, write_tx
from workbench.server.schema import RECORD_TABLES
from workbench.sync.protocol import (
    API_PREFIX,
    DEFAULT_PULL_LIMIT,
    MAX_BODY_BYTES,
    MAX_JSON_DEPTH,
    MAX_OPS_PER_PUSH,
    MAX_PULL_LIMIT,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    Operation,
    ProtocolError,
    check_json_text,
    decode_json,
    encode_json,
    error_body,
)

log = logging.getLogger(__name__)

# Environment read by `app_from_env`, the factory uvicorn workers import (serve --workers N).
ENV_DB_URL = "WORKBENCH_SERVER_DB"
ENV_AUTO_APPROVE = "WORKBENCH_SERVER_AUTO_APPROVE"
ENV_JOBS_EVERY = "WORKBENCH_SERVER_JOBS_EVERY"

_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
          405: "method_not_allowed", 409: "conflict", 413: "too_large", 422: "invalid",
          426: "protocol_mismatch"}


class WireJSON(JSONResponse):
    """A sync answer, encoded by the protocol's one encoder (the same bytes, ~9x faster)."""

    def render(self, content: Any) -> bytes:
        return encode_json(content)


class ApiError(Exception):
    def __init__(self, status: int, message: str, field: str | None = None,
                 code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.field = status, message, field
        self.code = code or _CODES.get(status, "error")


# -- access log ----------------------------------------------------------------------------------
# uvicorn's access log writes each request's whole target, query string included, so a token or a
# pull cursor sent there would be logged in clear. Only the path is logged, with the names of the
# known query parameters and the values of the harmless ones.
ACCESS_LOGGER = "uvicorn.access"
_QUERY_NAMES_LOGGED = {"cursor", "limit"}  # names our endpoints take; anything else is hidden
_QUERY_VALUES_LOGGED = {"limit"}  # a page size tells nothing


def redact_target(target: str) -> str:
    """'/api/v1/sync/pull?cursor=abc&limit=5' → '/api/v1/sync/pull?cursor=[redacted]&limit=5'."""
    path, mark, query = target.partition("?")
    if not mark:
        return path
    shown, hidden = [], 0
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name not in _QUERY_NAMES_LOGGED:
            hidden += 1
        elif name in _QUERY_VALUES_LOGGED and value.isascii() and value.isdigit() \
                and len(value) <= 4:
            shown.append(f"{name}={value}")
        else:
            shown.append(f"{name}=[redacted]")
    if hidden or not shown:
        shown.append("[redacted]")
    return f"{path}?{'&'.join(shown)}"


class RedactQueryStrings(logging.Filter):
    """Rewrites uvicorn's access log records: '%s - "%s %s HTTP/%s" %d' (client, method, target,
    HTTP version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_target(args[2]), *args[3:])
        return True


def _redact_access_log() -> None:
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, RedactQueryStrings) for f in logger.filters):
        logger.addFilter(RedactQueryStrings())


def _error_response(status: int, code: str, message: str, field: str | None = None,
                    headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message, field), status_code=status, headers=headers)


def create_app(db_url: str, *, auto_approve: bool = True, migrate: bool = True,
               jobs_every: float | None = None, files_dir: str | os.PathLike[str] | None = None
               ) -> FastAPI:
    """The server for the database at `db_url` (schema upgraded unless migrate=False).

    `auto_approve` is the default until a channel manager changes the program setting;
    `jobs_every` (seconds) runs the program jobs in the background (None: not in this process).
    """
    engine = db.make_engine(db_url)
    if migrate:
        db.upgrade(engine)
    _redact_access_log()
    app = FastAPI(title="Partner Workbench vendor server", version=str(PROTOCOL_VERSION))
    app.state.engine = engine
    app.state.auto_approve = auto_approve
    app.state.jobs_every = jobs_every
    app.state.files = attachments.FileStore(pathlib.Path(files_dir)) if files_dir else \
        attachments.file_store(engine)
    _install_error_handlers(app)
    _install_routes(app)
    _document(app)
    console.install(app)
    if jobs_every:
        scheduler = JobScheduler(engine, jobs_every)
        app.router.add_event_handler("startup", scheduler.start)
        app.router.add_event_handler("shutdown", scheduler.stop)
    app.router.add_event_handler("shutdown", engine.dispose)
    return app


def _document(app: FastAPI) -> None:
    """/openapi.json with the models FastAPI cannot see (the push body is parsed by hand)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = api.add_components(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` workers: configuration comes from the environment.

    The parent process (`workbench-server serve`) has upgraded the schema already.
    """
    auto = os.environ.get(ENV_AUTO_APPROVE, "1") not in ("0", "false", "no")
    every = float(os.environ.get(ENV_JOBS_EVERY) or 0) or None
    return create_app(os.environ.get(ENV_DB_URL) or db.default_db_url(), auto_approve=auto,
                      migrate=False, jobs_every=every)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_request: Request, error: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
        return _error_response(error.status, error.code, error.message, error.field, headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        # keeps the headers Starlette set, e.g. the Allow header of a 405
        return _error_response(error.status_code, _CODES.get(error.status_code, "error"),
                               str(error.detail), headers=dict(error.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()))
        return _error_response(422, "invalid", f"{where}: {first.get('msg', 'invalid')}", where)

    @app.exception_handler(ClientDisconnect)
    async def client_gone(_request: Request, _error: ClientDisconnect) -> JSONResponse:
        # A laptop that lost its network mid-upload: normal for this product, not a failure.
        log.info("client disconnected before its request body arrived")
        return _error_response(400, "client_disconnected", "the request body did not arrive")

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, error: Exception) -> JSONResponse:
        log.exception("request failed")
        return _error_response(500, "internal", "the server failed; try again later")


def _check_protocol(value: str | None) -> None:
    if value != str(PROTOCOL_VERSION):
        raise ApiError(426, f"this workbench speaks sync protocol {value or 'unknown'}, the server "
                            f"speaks {PROTOCOL_VERSION}: please update your workbench",
                       PROTOCOL_HEADER)


def _user(conn: sa.Connection, authorization: str | None) -> User:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "sign in: the request carries no bearer token", "Authorization")
    user = authenticate(conn, token.strip())
    if user is None:
        raise ApiError(401, "the token is unknown or has been revoked; sign in again",
                       "Authorization")
    return user


async def _read_body(request: Request) -> bytes:
    """The request body, refusing more than MAX_BODY_BYTES before reading it all."""
    declared = request.headers.get("content-length")
    if declared and declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise ApiError(413, f"request body larger than {MAX_BODY_BYTES} bytes; push fewer "
                            f"operations per batch")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BODY_BYTES:
            raise ApiError(413, f"request body larger than {MAX_BODY_BYTES} bytes; push fewer "
                                f"operations per batch")
    return bytes(body)


def _parse_ops(body: bytes) -> list[Operation]:
    return _parse_push(body)[0]


def _parse_push(body: bytes) -> tuple[list[Operation], dict[str, int] | None]:
    """The ops, and the client's pull cursor if it sent one this server can read (optional: a
    cursor that is not one is ignored, and the answer then carries none)."""
    try:
        data = decode_json(body)  # orjson; what it refuses, the standard library's way
    except (ValueError, UnicodeDecodeError) as error:
        raise ApiError(422, f"body: not valid JSON ({error})", "body") from None
    except RecursionError:
        raise ApiError(422, f"body: nested deeper than {MAX_JSON_DEPTH} levels", "body") from None
    try:
        check_json_text(data, body)
    except ProtocolError as error:
        raise ApiError(422, str(error), str(error).split(":", 1)[0]) from None
    if not isinstance(data, dict):
        raise ApiError(422, 'body: must be an object {"ops": [...]}', "body")
    ops = data.get("ops")
    if not isinstance(ops, list):
        raise ApiError(422, "ops: required, a list of operations", "ops")
    if len(ops) > MAX_OPS_PER_PUSH:
        raise ApiError(422, f"ops: at most {MAX_OPS_PER_PUSH} operations per push, got {len(ops)}",
                       "ops")
    try:
        parsed = [Operation.from_wire(op, index) for index, op in enumerate(ops)]
    except ProtocolError as error:
        raise ApiError(422, str(error), str(error).split(":", 1)[0]) from None
    cursor = None
    if data.get("cursor") is not None and not isinstance(data["cursor"], str):
        # the wrong type is a client bug worth naming; text this server cannot read is not
        # (an older or newer cursor): it is ignored and the answer then carries none
        raise ApiError(422, "cursor: must be the text of a pull cursor", "cursor")
    if isinstance(data.get("cursor"), str):
        with contextlib.suppress(ProtocolError):
            cursor = decode_cursor(data["cursor"])
    return parsed, cursor


_PULL_LIMIT = re.compile(r"[0-9]{1,4}")  # ASCII digits only: "²".isdigit() is true


def _pull_limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_PULL_LIMIT
    if not _PULL_LIMIT.fullmatch(raw) or not 1 <= int(raw) <= MAX_PULL_LIMIT:
        shown = repr(raw) if len(raw) <= 20 else f"{len(raw)} characters"
        raise ApiError(422, f"limit: a whole number from 1 to {MAX_PULL_LIMIT}, got {shown}",
                       "limit")
    return int(raw)


def _install_routes(app: FastAPI) -> None:
    engine: sa.Engine = app.state.engine
    # Read here, documented in /openapi.json as the bearer scheme and a required header.
    Auth = Header(None, include_in_schema=False)
    Protocol = Header(None, alias=PROTOCOL_HEADER, include_in_schema=False)

    @app.get(f"{API_PREFIX}/health", response_model=api.Health, responses=api.SERVER_ERROR)
    def health() -> dict[str, Any]:
        return {"status": "ok", "protocol_version": PROTOCOL_VERSION}

    @app.get(f"{API_PREFIX}/me", response_model=api.MeAnswer, responses=api.BASICS,
             openapi_extra=api.authenticated())
    def me(authorization: str | None = Auth, protocol: str | None = Protocol) -> dict[str, Any]:
        _check_protocol(protocol)
        with db.reading(engine) as conn:
            user = _user(conn, authorization)
            partner = fetch(conn, "partners", user.partner_id) or {}
        return {"user": {"id": user.id, "email": user.email, "name": user.name,
                         "role": user.role},
                "partner": {"id": user.partner_id, "name": partner.get("name"),
                            "tier": partner.get("tier")},
                "protocol_version": PROTOCOL_VERSION}

    @app.post(f"{API_PREFIX}/sync/push", response_model=api.PushAnswer,
              responses=api.PUSH_ERRORS, openapi_extra=api.authenticated(api.PUSH_BODY))
    async def sync_push(request: Request, authorization: str | None = Auth,
                        protocol: str | None = Protocol) -> JSONResponse:
        _check_protocol(protocol)
        ops, cursor = _parse_push(await _read_body(request))
        results, moved = await run_in_threadpool(_push, engine, authorization, ops,
                                                 app.state.auto_approve, cursor)
        answer: dict[str, Any] = {"results": results}
        if moved is not None:
            answer["cursor"] = moved
        return WireJSON(answer)

    @app.get(f"{API_PREFIX}/sync/pull", response_model=api.PullAnswer,
             responses=api.PULL_ERRORS, openapi_extra=api.authenticated(api.PULL_PARAMETERS))
    def sync_pull(cursor: str | None = Query(None, include_in_schema=False),
                  limit: str | None = Query(None, include_in_schema=False),
                  authorization: str | None = Auth,
                  protocol: str | None = Protocol) -> JSONResponse:
        _check_protocol(protocol)
        try:
            positions = decode_cursor(cursor)
        except ProtocolError as error:
            raise ApiError(422, str(error), "cursor") from None
        size = _pull_limit(limit)
        with db.reading(engine) as conn:
            user = _user(conn, authorization)
            page = pull_page(conn, visibility(conn, user).scopes, positions, size)
        return WireJSON({"changes": page.changes, "cursor": page.cursor,
                             "has_more": page.has_more})

    @app.get(f"{API_PREFIX}/records/{{entity}}/{{record_id}}",
             response_model=dict[str, Any], responses=api.RECORD_ERRORS,
             openapi_extra=api.authenticated())
    def get_record(entity: str = Path(json_schema_extra={"enum": sorted(ENTITIES)}),
                   record_id: str = Path(json_schema_extra={"format": "uuid"}),
                   authorization: str | None = Auth,
                   protocol: str | None = Protocol) -> JSONResponse:
        _check_protocol(protocol)
        with db.reading(engine) as conn:
            user = _user(conn, authorization)
            known = entity in RECORD_TABLES and _is_uuid(record_id)
            row = fetch(conn, entity, record_id) if known else None
            if row is None or row["scope"] not in visibility(conn, user).scopes:
                raise ApiError(404, f"no {entity} record {record_id}", "record_id")
        return WireJSON(to_wire(ENTITIES[entity], row))

    @app.post(f"{API_PREFIX}/sync/session", response_model=dict[str, Any],
              responses=api.BASICS, openapi_extra=api.authenticated())
    def sync_session(authorization: str | None = Auth,
                     protocol: str | None = Protocol) -> JSONResponse:
        """A sync counts as a portal login for the engagement score (seed 003: the partner's
        portal logins × 1), at most one a day per partner."""
        _check_protocol(protocol)
        return JSONResponse(_record_login(engine, authorization))

    _install_attachment_routes(app, Auth, Protocol)


def _install_attachment_routes(app: FastAPI, Auth: Any, Protocol: Any) -> None:
    """Attachment bytes apart from the record ops (server/attachments.py says how)."""
    engine: sa.Engine = app.state.engine
    files = app.state.files
    Sha = Path(json_schema_extra={"pattern": "^[0-9a-f]{64}$"})
    upload_doc = api.authenticated({
        "parameters": [{"name": "offset", "in": "query", "required": True,
                        "schema": {"type": "string", "pattern": "^[0-9]{1,12}$"},
                        "description": "where these bytes start in the file"}],
        "requestBody": {"required": True, "content": {"application/octet-stream": {
            "schema": {"type": "string", "format": "binary"}}}}})
    upload_errors = {**api.RECORD_ERRORS, 409: api.error_response("the server holds another "
                                                                  "amount of the file"),
                     413: api.error_response("more than the chunk or file size limit")}

    @app.get(f"{API_PREFIX}/attachments/{{sha256}}/received", response_model=dict[str, Any],
             responses=api.RECORD_ERRORS, openapi_extra=api.authenticated())
    def upload_state(sha256: str = Sha, authorization: str | None = Auth,
                     protocol: str | None = Protocol) -> JSONResponse:
        _check_protocol(protocol)
        with db.reading(engine) as conn:
            user = _user(conn, authorization)
            sha = _sha256(sha256)
            row = _own_attachment(conn, user, sha)
        return JSONResponse(attachments.upload_state(files, user.id, sha, row["size_bytes"]))

    @app.put(f"{API_PREFIX}/attachments/{{sha256}}/upload", response_model=dict[str, Any],
             responses=upload_errors, openapi_extra=upload_doc)
    async def upload_chunk(request: Request, sha256: str = Sha,
                           offset: str | None = Query(None, include_in_schema=False),
                           authorization: str | None = Auth,
                           protocol: str | None = Protocol) -> JSONResponse:
        _check_protocol(protocol)
        body = await _read_chunk(request)
        answer = await run_in_threadpool(_upload, engine, files, authorization, sha256,
                                         offset, body)
        return JSONResponse(answer)

    @app.get(f"{API_PREFIX}/attachments/{{sha256}}", responses=api.RECORD_ERRORS,
             openapi_extra=api.authenticated(), response_class=FileResponse)
    def download(sha256: str = Sha, authorization: str | None = Auth,
                 protocol: str | None = Protocol) -> FileResponse:
        _check_protocol(protocol)
        with db.reading(engine) as conn:
            user = _user(conn, authorization)
            sha = _sha256(sha256)
            scopes = visibility(conn, user).scopes
            named = [row for entity, row in attachments.records_naming(conn, sha, scopes)
                     if entity == "content_items" or row.get("uploaded_at")]
        if not named or not files.exists(sha):
            raise ApiError(404, f"no file with SHA-256 {sha} for you", "sha256")
        return FileResponse(files.get(sha), media_type="application/octet-stream",
                            headers=attachments.download_headers(named[0]["filename"]))


_OFFSET = re.compile(r"[0-9]{1,12}")


def _sha256(text: str) -> str:
    if not file_rules.is_sha256(text):
        raise ApiError(422, "sha256: the file's SHA-256, 64 lowercase hexadecimal characters",
                       "sha256")
    return text


def _own_attachment(conn: sa.Connection, user: User, sha: str) -> dict[str, Any]:
    own = [row for _, row in attachments.records_naming(conn, sha, (user.partner_id,),
                                                         ("attachments",))]
    if not own:
        raise ApiError(404, f"no attachment of yours names the file with SHA-256 {sha}; "
                            "sync its record first", "sha256")
    return own[0]


async def _read_chunk(request: Request) -> bytes:
    limit = file_rules.CHUNK_BYTES
    too_big = f"at most {limit} bytes per upload request; send the file in chunks"
    declared = request.headers.get("content-length")
    if declared and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, too_big, "body")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise ApiError(413, too_big, "body")
    return bytes(body)


def _upload(engine: sa.Engine, files: attachments.FileStore, authorization: str | None,
            sha256: str, offset_text: str | None, body: bytes) -> dict[str, Any]:
    with db.reading(engine) as conn:
        user = _user(conn, authorization)
        sha = _sha256(sha256)
        if offset_text is None or not _OFFSET.fullmatch(offset_text):
            raise ApiError(422, "offset: the position of these bytes in the file, a whole "
                                "number (0 for the first chunk)", "offset")
        offset = int(offset_text)
        row = _own_attachment(conn, user, sha)
        uploaded_before = any(r.get("uploaded_at") for _, r in attachments.records_naming(
            conn, sha, (user.partner_id,), ("attachments",)))
    size, name = row["size_bytes"], row["filename"]
    problem = file_rules.too_large(size, name)
    if problem:
        raise ApiError(413, problem, "size_bytes")
    if uploaded_before and files.exists(sha):  # this partner sent these bytes already
        _mark_uploaded(engine, user, sha)
        return attachments.upload_state(files, user.id, sha, size)
    received = files.received(user.id, sha)
    if offset != received:
        raise ApiError(409, f"offset: the server has {received} bytes of {name}; continue "
                            f"from there", "offset", code="offset_mismatch")
    if offset + len(body) > size:
        raise ApiError(422, f"{name}: more bytes than the attachment's size ({size} bytes)",
                       "body")
    if files.append(user.id, sha, offset, body) == size:
        try:
            files.complete(user.id, sha)
        except attachments.HashMismatch as mismatch:
            raise ApiError(422, f"{name}: the bytes received do not match the file's SHA-256 "
                                f"(expected {sha}, got {mismatch}); nothing was stored — "
                                "attach the file again", "sha256", code="hash_mismatch") from None
        _mark_uploaded(engine, user, sha)
    return attachments.upload_state(files, user.id, sha, size)


def _mark_uploaded(engine: sa.Engine, user: User, sha: str) -> None:
    with write_tx(engine) as tx:
        tx.lock(user.partner_id)
        for _, row in list(attachments.records_naming(tx.conn, sha, (user.partner_id,),
                                                      ("attachments",))):
            if not row.get("uploaded_at"):
                tx.update("attachments", row, {"uploaded_at": tx.now})


def _record_login(engine: sa.Engine, authorization: str | None) -> dict[str, Any]:
    events = RECORD_TABLES["activity_events"]
    with write_tx(engine) as tx:
        user = _user(tx.conn, authorization)
        tx.lock(user.partner_id)
        day = tx.now[:10]
        seen = tx.conn.execute(sa.select(events.c.id).where(
            events.c.scope == user.partner_id, events.c.kind == "login",
            events.c.occurred_at >= day,
            events.c.deleted == sa.false()).limit(1)).first()
        if seen is None:
            tx.insert("activity_events", str(uuid.uuid4()), {
                "user_email": user.email, "kind": "login", "occurred_at": tx.now,
                "detail": "workbench sync"}, user.partner_id)
    return {"login_recorded": seen is None, "day": day}


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text.lower()
    except ValueError:
        return False


def _push(engine: sa.Engine, authorization: str | None, ops: list[Operation],
          auto_approve: bool, cursor: dict[str, int] | None = None
          ) -> tuple[list[dict[str, Any]], str | None]:
    with write_tx(engine) as tx:
        user = _user(tx.conn, authorization)
        auto = bool(program_settings.value(tx.conn, "auto_approve", auto_approve))
        return push_with_cursor(tx, user, visibility(tx.conn, user), ops, auto_approve=auto,
                                cursor=cursor)
