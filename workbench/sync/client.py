"""HTTP client of the vendor server (docs/sync-protocol.md).

- One `requests.Session` per thread (sessions are not thread-safe), created lazily.
- Every call has `timeout=(connect, read)`; TLS verification is always on; plain HTTP is refused
  except on loopback (demos, tests), so a token never crosses a network in clear text.
- urllib3 `Retry` with exponential backoff on connection errors, read errors/timeouts and
  502/503/504, for POST too: that is safe only because every pushed operation carries an op id
  and the server answers a replayed op id from its record without applying it again.
- Every answer is validated (protocol.py, validate.py) before it is returned; anything malformed
  raises `BadAnswer`, so the caller never writes half-understood data.
- The token lives in a request header only; it is never part of a message, log line or repr.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import requests
import requests.adapters
from urllib3.util.retry import Retry

from workbench.sync import validate
from workbench.sync.credentials import normalise_server_url
from workbench.sync.errors import (
    AccessRevoked,
    BadAnswer,
    Forbidden,
    ServerFailed,
    Unreachable,
    UpdateRequired,
)
from workbench.sync.protocol import (
    API_PREFIX,
    MAX_OPS_PER_PUSH,
    MAX_PULL_LIMIT,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    Change,
    Operation,
    OpResult,
    ProtocolError,
    decode_json,
    encode_json,
)

log = logging.getLogger(__name__)

REVOKED_MESSAGE = ("your access was revoked or the token is invalid — sign in again "
                   "(workbench login)")
UPDATE_MESSAGE = "update your workbench: the vendor server speaks a newer sync protocol"
UNREACHABLE_MESSAGE = "vendor server unreachable"
RETRY_STATUSES = (502, 503, 504)


@dataclass(frozen=True)
class Me:
    user_id: str
    email: str
    name: str | None
    role: str | None
    partner_id: str
    partner_name: str | None
    partner_tier: str | None


@dataclass(frozen=True)
class PullPage:
    changes: list[Change]
    cursor: str
    has_more: bool


@dataclass(frozen=True)
class PushAnswer:
    results: list[OpResult]
    cursor: str | None  # the pull cursor moved past the batch's writes, or None: pull them


@dataclass(frozen=True)
class RawPullPage:
    """A pull answer whose envelope is checked but whose changes are not yet (parse_changes)."""
    changes: list[Any]
    cursor: str
    has_more: bool


class SyncClient:
    """Talks to one vendor server as one user. Safe to share between threads."""

    def __init__(self, server_url: str, token: str, *, connect_timeout: float = 5.0,
                 read_timeout: float = 30.0, retries: int = 3, backoff: float = 0.5) -> None:
        self.server_url = normalise_server_url(server_url)
        _refuse_clear_text(self.server_url)
        self.timeout = (connect_timeout, read_timeout)
        self.retries = retries
        self.backoff = backoff
        self.__token = token  # name-mangled, and excluded from repr
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SyncClient({self.server_url!r})"

    # -- sessions ----------------------------------------------------------------------------

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._new_session()
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def _new_session(self) -> requests.Session:
        session = requests.Session()
        # trust_env=False: otherwise a ~/.netrc entry silently replaces our Authorization header.
        # Proxies and a custom CA bundle from the environment are still honoured, explicitly.
        session.trust_env = False
        session.proxies = requests.utils.get_environ_proxies(self.server_url)
        session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get(
            "CURL_CA_BUNDLE") or True  # always verifying; at most with another CA bundle
        retry = Retry(total=self.retries, connect=self.retries, read=self.retries,
                      status=self.retries, other=0, redirect=0, backoff_factor=self.backoff,
                      backoff_max=10, status_forcelist=RETRY_STATUSES,
                      allowed_methods=frozenset({"GET", "POST"}), raise_on_status=False,
                      respect_retry_after_header=True)
        adapter = requests.adapters.HTTPAdapter(max_retries=retry, pool_connections=1,
                                                pool_maxsize=2)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        session.headers.update({
            "Authorization": f"Bearer {self.__token}",
            PROTOCOL_HEADER: str(PROTOCOL_VERSION),
            "Accept": "application/json",
            "User-Agent": f"partner-workbench/{PROTOCOL_VERSION}",
        })
        return session

    def release_thread(self) -> None:
        """Close this thread's session (a worker thread that is about to end)."""
        session = getattr(self._local, "session", None)
        if session is not None:
            self._local.session = None
            with self._lock:
                self._sessions = [s for s in self._sessions if s is not session]
            session.close()

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()
        self._local = threading.local()

    # -- endpoints ---------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        data = self._call("GET", "/health")
        if not isinstance(data, dict) or data.get("protocol_version") != PROTOCOL_VERSION:
            raise BadAnswer(f"{self.server_url} does not look like a partner workbench server "
                            f"speaking protocol {PROTOCOL_VERSION}")
        return data

    def me(self) -> Me:
        data = self._call("GET", "/me")
        try:
            user, partner = data["user"], data["partner"]
            me = Me(user_id=_text(user, "id"), email=_text(user, "email"), name=user.get("name"),
                    role=user.get("role"), partner_id=_text(partner, "id"),
                    partner_name=partner.get("name"), partner_tier=partner.get("tier"))
        except (KeyError, TypeError, ProtocolError):
            raise BadAnswer("the vendor server's answer to 'who am I' is malformed") from None
        if data.get("protocol_version") != PROTOCOL_VERSION:
            raise UpdateRequired(UPDATE_MESSAGE)
        return me

    def push(self, ops: list[Operation], *, body: bytes | None = None) -> list[OpResult]:
        """Send up to 500 operations; the results, one per op in the same order, validated."""
        return self.push_with_cursor(ops, body=body).results

    def push_with_cursor(self, ops: list[Operation], cursor: str | None = None, *,
                         body: bytes | None = None) -> PushAnswer:
        """`push`, sending the pull cursor too: the answer may carry it moved past the batch's
        writes (when its results are all a pull would bring for them)."""
        if len(ops) > MAX_OPS_PER_PUSH:
            raise ValueError(f"at most {MAX_OPS_PER_PUSH} operations per push")
        if body is None:
            body = encode_push(ops, cursor)
        data = self._call("POST", "/sync/push", body=body)
        try:
            results = parse_push_answer(ops, data)
            moved = data.get("cursor")
            if moved is not None and (cursor is None or not isinstance(moved, str) or not moved):
                raise ProtocolError("cursor: an answer to a push without a cursor carries none; "
                                    "otherwise it is text")
            return PushAnswer(results, moved)
        except ProtocolError as error:
            raise BadAnswer(f"the vendor server's answer to a push is malformed ({error}); "
                            "nothing was changed") from None

    def pull(self, cursor: str | None, limit: int = MAX_PULL_LIMIT) -> PullPage:
        """One page of changes, every record validated."""
        raw = self.pull_raw(cursor, limit)
        return PullPage(parse_changes(raw.changes), raw.cursor, raw.has_more)

    def pull_raw(self, cursor: str | None, limit: int = MAX_PULL_LIMIT) -> RawPullPage:
        """One page with only its envelope checked: enough to ask for the next page. Check the
        changes with `parse_changes` before using them (the sync engine does that in the
        thread that writes them, so checking overlaps with fetching)."""
        params = {"limit": str(limit)}
        if cursor:
            params["cursor"] = cursor
        data = self._call("GET", "/sync/pull", params=params)
        if not isinstance(data, dict) or not isinstance(data.get("changes"), list) \
                or not isinstance(data.get("cursor"), str) \
                or type(data.get("has_more")) is not bool \
                or (data["changes"] and not data["cursor"]):
            raise BadAnswer("the vendor server's answer to a pull is malformed (expected "
                            '{"changes": [...], "cursor": "...", "has_more": bool}); nothing '
                            "was changed")
        return RawPullPage(data["changes"], data["cursor"], data["has_more"])

    def fetch_record(self, entity: str, record_id: str) -> dict[str, Any] | None:
        """The server's current record, or None when it does not exist for this user.

        Not in protocol v1's document; the server offers it (GET /records/{entity}/{id}).
        """
        path = f"/records/{quote(entity, safe='')}/{quote(record_id, safe='')}"
        try:
            data = self._call("GET", path)
        except ServerFailed as error:
            if error.status == 404:
                return None
            raise
        try:
            return validate.check_record(entity, data, "record", record_id=record_id)
        except ProtocolError as error:
            raise BadAnswer(f"the vendor server's record is malformed ({error})") from None

    def record_session(self) -> bool:
        """Tell the server a sync completed (a portal login for the engagement score); whether
        it recorded one (at most one a day)."""
        data = self._call("POST", "/sync/session", body=b"{}")
        return bool(isinstance(data, dict) and data.get("login_recorded"))

    # -- attachment bytes (server/attachments.py) -------------------------------------------

    def upload_state(self, sha256: str) -> dict[str, Any]:
        """How much of the file the server has: {"received", "size", "complete"}."""
        return _upload_answer(self._call("GET", f"/attachments/{sha256}/received"))

    def upload_chunk(self, sha256: str, offset: int, data: bytes) -> dict[str, Any]:
        """Send the bytes at `offset`; ServerFailed (status 409) when the server holds a
        different amount (ask upload_state and continue from there)."""
        return _upload_answer(self._call("PUT", f"/attachments/{sha256}/upload",
                                         params={"offset": str(offset)}, body=data,
                                         content_type="application/octet-stream"))

    def download(self, sha256: str, target: Any, max_bytes: int) -> int:
        """Stream the file into the open binary file `target`; the number of bytes written.
        More than `max_bytes` aborts (BadAnswer)."""
        url = f"{self.server_url}{API_PREFIX}/attachments/{sha256}"
        try:
            with self._session().get(url, timeout=self.timeout, stream=True,
                                     allow_redirects=False) as response:
                if response.status_code != 200:
                    self._answer(response)
                    raise BadAnswer(f"the vendor server answered HTTP {response.status_code}")
                written = 0
                for chunk in response.iter_content(64 * 1024):
                    written += len(chunk)
                    if written > max_bytes:
                        raise BadAnswer(f"the vendor server sent more than {max_bytes} bytes "
                                        "for one file; it was not kept")
                    target.write(chunk)
                return written
        except requests.exceptions.RequestException as error:
            raise Unreachable(f"{UNREACHABLE_MESSAGE}: {_describe(error, self.timeout[1])} "
                              f"({self.server_url})") from None

    # -- transport ---------------------------------------------------------------------------

    def _call(self, method: str, path: str, *, params: dict[str, str] | None = None,
              body: bytes | None = None, content_type: str = "application/json") -> Any:
        url = self.server_url + API_PREFIX + path
        headers = {"Content-Type": content_type} if body is not None else None
        try:
            response = self._session().request(method, url, params=params, data=body,
                                               headers=headers, timeout=self.timeout,
                                               allow_redirects=False)
        except requests.exceptions.SSLError:
            raise Unreachable(f"{UNREACHABLE_MESSAGE}: its TLS certificate could not be verified "
                              f"({self.server_url})") from None
        except requests.exceptions.ConnectTimeout:
            raise Unreachable(f"{UNREACHABLE_MESSAGE}: no connection within "
                              f"{self.timeout[0]:g} s ({self.server_url})") from None
        except (requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError):
            raise Unreachable(f"{UNREACHABLE_MESSAGE}: the connection broke off during the "
                              f"answer ({self.server_url})") from None
        except requests.exceptions.RequestException as error:
            raise Unreachable(f"{UNREACHABLE_MESSAGE}: {_describe(error, self.timeout[1])} "
                              f"({self.server_url})") from None
        return self._answer(response)

    def _answer(self, response: requests.Response) -> Any:
        status = response.status_code
        if 200 <= status < 300:
            try:
                return decode_json(response.content)
            except (ValueError, UnicodeDecodeError):
                raise BadAnswer("the vendor server's answer is not valid JSON (garbled or cut "
                                "short); nothing was changed") from None
        message, field = _error_text(response)
        if status == 401:
            raise AccessRevoked(REVOKED_MESSAGE)
        if status == 426:
            raise UpdateRequired(f"{UPDATE_MESSAGE} ({message})" if message else UPDATE_MESSAGE)
        if status == 403:
            raise Forbidden(f"the vendor server refused: {message or 'forbidden'}")
        if 300 <= status < 400:
            raise ServerFailed(f"the vendor server answered with a redirect (HTTP {status}); "
                               "check the server address", status)
        if status >= 500:
            raise ServerFailed(f"the vendor server had a problem (HTTP {status}); try again "
                               "later", status)
        raise ServerFailed(f"the vendor server refused the request (HTTP {status}): "
                           f"{message or response.reason}", status, field)


def _upload_answer(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict) or type(data.get("received")) is not int \
            or type(data.get("size")) is not int or type(data.get("complete")) is not bool:
        raise BadAnswer("the vendor server's answer about an upload is malformed (expected "
                        '{"received": n, "size": n, "complete": bool})')
    return data


def encode_push(ops: list[Operation], cursor: str | None = None) -> bytes:
    body: dict[str, Any] = {"ops": [op.to_wire() for op in ops]}
    if cursor:
        body["cursor"] = cursor
    return encode_json(body)


def parse_push_answer(ops: list[Operation], data: Any) -> list[OpResult]:
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise ProtocolError('expected {"results": [...]}')
    raw = data["results"]
    if len(raw) != len(ops):
        raise ProtocolError(f"{len(raw)} results for {len(ops)} operations")
    results = []
    for index, (op, item) in enumerate(zip(ops, raw, strict=True)):
        result = OpResult.from_wire(item)
        where = f"results[{index}]"
        if result.op_id != op.op_id:
            raise ProtocolError(f"{where}: answers op {result.op_id}, expected {op.op_id}")
        _check_result(op, result, where)
        results.append(result)
    return results


def _check_result(op: Operation, result: OpResult, where: str) -> None:
    if result.status in ("applied", "conflict"):
        if type(result.version) is not int:
            raise ProtocolError(f"{where}.version: required")
        validate.check_record(op.entity, result.record, f"{where}.record",
                              record_id=op.record_id, version=result.version)
    if result.status == "conflict" and not isinstance(result.conflicts, dict):
        raise ProtocolError(f"{where}.conflicts: must be an object")
    if result.status == "rejected" and not isinstance(result.reason, str):
        raise ProtocolError(f"{where}.reason: a rejection needs a reason")
    if result.record is not None and result.status == "rejected":
        validate.check_record(op.entity, result.record, f"{where}.record", record_id=op.record_id)


def parse_changes(items: list[Any]) -> list[Change]:
    """Validated changes of a pull page, or BadAnswer (before anything is written)."""
    changes = []
    check = validate.check_record
    for index, item in enumerate(items):
        try:  # the location is formatted only on error: this loop runs for every record
            if type(item) is not dict or type(item.get("id")) is not str \
                    or type(item.get("version")) is not int \
                    or type(item.get("deleted")) is not bool:
                raise ProtocolError("entity, id, version, deleted and record are required")
            record = check(item.get("entity"), item.get("record"), "record",
                           record_id=item["id"], version=item["version"])
            if record["deleted"] is not item["deleted"]:
                raise ProtocolError("deleted disagrees with the record")
        except ProtocolError as error:
            raise BadAnswer(f"the vendor server's answer to a pull is malformed "
                            f"(changes[{index}]: {error}); nothing was changed") from None
        changes.append(Change(item["entity"], item["id"], item["version"], item["deleted"],
                              record))
    return changes


def _text(data: Any, key: str) -> str:
    value = data[key]
    if not isinstance(value, str) or not value:
        raise ProtocolError(f"{key}: required text")
    return value


def _error_text(response: requests.Response) -> tuple[str | None, str | None]:
    """The server's error message and field, if its body is the documented error shape."""
    try:
        error = json.loads(response.content)["error"]
        message = error.get("message")
        field = error.get("field")
        return (message if isinstance(message, str) else None,
                field if isinstance(field, str) else None)
    except (ValueError, UnicodeDecodeError, KeyError, TypeError, AttributeError):
        return None, None


def _describe(error: requests.exceptions.RequestException, read_timeout: float) -> str:
    text = str(error)
    if isinstance(error, requests.exceptions.ReadTimeout) or "Read timed out" in text:
        return f"no answer within {read_timeout:g} s"
    if "Connection refused" in text or "NewConnectionError" in text:
        return "the connection was refused"
    if "Name or service not known" in text or "getaddrinfo" in text or "NameResolution" in text:
        return "the server name could not be resolved"
    return "the connection failed"


def _refuse_clear_text(server_url: str) -> None:
    parts = urlsplit(server_url)
    if parts.scheme == "https":
        return
    host = parts.hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise ValueError(f"server: use https:// ({server_url} would send your access token "
                     "unencrypted; plain http is allowed only on this computer)")
