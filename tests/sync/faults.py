"""A fault-injecting HTTP proxy on 127.0.0.1 for the sync client tests.

Each request is read whole, then one fault from the plan is applied:

    ok            forward, answer as the server did
    drop          close the connection without forwarding (nothing reached the server)
    drop_after    forward, then close without answering (the server applied it; the client
                  never hears back)
    500/502/503   answer that status without forwarding
    503_after     forward, then answer 503 anyway (applied, but the client sees an error)
    delay         forward, then wait past the client's read timeout before answering
    truncate      forward, send the headers and half the body, close
    garble        forward, answer 200 with the body corrupted (never valid JSON)
    html          answer 200 with an HTML page (a captive portal, a misconfigured gateway)
    duplicate     forward the request twice, answer with the second answer
    426           answer 426 protocol_mismatch without forwarding
    wrong_shape   forward, answer 200 with valid JSON of the wrong shape: a pulled record with a
                  number where text belongs, a push answer missing its last result

Every answer closes the connection (Connection: close), so each request is one connection.
"""

from __future__ import annotations

import http.client
import json
import random
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

FAULTS = ("drop", "drop_after", "500", "502", "503", "503_after", "delay", "truncate", "garble",
          "html", "duplicate")


class FaultProxy:
    def __init__(self, upstream_url: str, *, delay: float = 1.0, seed: int = 0) -> None:
        parts = urlsplit(upstream_url)
        self.upstream = (parts.hostname, parts.port)
        self.delay = delay
        self.random = random.Random(seed)
        self.plan: Callable[[str, str], str] = lambda method, path: "ok"
        self.log: list[tuple[str, str, str]] = []  # (method, path, fault)
        self._lock = threading.Lock()
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy._handle(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FaultProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- plans ---------------------------------------------------------------------------------

    def always(self, fault: str) -> None:
        self.plan = lambda method, path: fault

    def random_faults(self, probability: float, faults: tuple[str, ...] = FAULTS) -> None:
        def plan(method: str, path: str) -> str:
            with self._lock:
                if self.random.random() < probability:
                    return self.random.choice(faults)
            return "ok"
        self.plan = plan

    def sequence(self, faults: list[str]) -> None:
        """Faults for the next requests in order, then ok."""
        queue = list(faults)

        def plan(method: str, path: str) -> str:
            with self._lock:
                return queue.pop(0) if queue else "ok"
        self.plan = plan

    # -- handling ------------------------------------------------------------------------------

    def _handle(self, client: socket.socket) -> None:
        request = _read_request(client)
        if request is None:
            return
        method, path, headers, body = request
        fault = self.plan(method, path)
        with self._lock:
            self.log.append((method, path, fault))
        try:
            self._answer(client, fault, method, path, headers, body)
        except OSError:
            pass  # the client gave up (e.g. its read timeout) — that is the point of some faults
        finally:
            client.close()

    def _answer(self, client: socket.socket, fault: str, method: str, path: str,
                headers: dict[str, str], body: bytes) -> None:
        if fault == "drop":
            return
        if fault in ("500", "502", "503"):
            client.sendall(_response(int(fault), _error("internal", "injected failure")))
            return
        if fault == "426":
            client.sendall(_response(426, _error("protocol_mismatch", "please update")))
            return
        if fault == "html":
            client.sendall(_response(200, b"<html><body>Gateway says hello</body></html>",
                                     "text/html"))
            return
        status, content_type, answer = self._forward(method, path, headers, body)
        if fault == "duplicate":
            status, content_type, answer = self._forward(method, path, headers, body)
        if fault == "drop_after":
            return
        if fault == "503_after":
            client.sendall(_response(503, _error("internal", "injected after forwarding")))
            return
        if fault == "delay":
            time.sleep(self.delay)
        if fault == "truncate":
            whole = _response(status, answer, content_type)
            client.sendall(whole[:len(whole) - max(1, len(answer) // 2)])
            return
        if fault == "wrong_shape":
            answer = _wrong_shape(answer)
        if fault == "garble":
            cut = self.random.randrange(len(answer) + 1)
            answer = answer[:cut] + b"\x00\xff garbage" + answer[cut:]
        client.sendall(_response(status, answer, content_type))

    def _forward(self, method: str, path: str, headers: dict[str, str], body: bytes
                 ) -> tuple[int, str, bytes]:
        connection = http.client.HTTPConnection(*self.upstream, timeout=60)
        try:
            forwarded = {k: v for k, v in headers.items()
                         if k.lower() not in ("connection", "keep-alive", "host")}
            connection.request(method, path, body=body or None, headers=forwarded)
            response = connection.getresponse()
            return (response.status, response.getheader("Content-Type", "application/json"),
                    response.read())
        finally:
            connection.close()


def _read_request(client: socket.socket) -> tuple[str, str, dict[str, str], bytes] | None:
    client.settimeout(30)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip()] = value.strip()
    length = int(next((v for k, v in headers.items() if k.lower() == "content-length"), "0"))
    while len(body) < length:
        chunk = client.recv(65536)
        if not chunk:
            return None
        body += chunk
    return method, path, headers, body


def _wrong_shape(answer: bytes) -> bytes:
    data = json.loads(answer)
    if data.get("changes"):
        data["changes"][-1]["record"]["created_at"] = 12345
    elif data.get("results"):
        data["results"].pop()
    else:
        data = {"changes": "none", "cursor": 7}
    return json.dumps(data).encode()


def _error(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message}}).encode()


def _response(status: int, body: bytes, content_type: str = "application/json") -> bytes:
    reason = http.client.responses.get(status, "Status")
    head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    return head.encode("latin-1") + body
