"""The vendor server inside another process: for `workbench --demo` and the test fixtures.

Runs uvicorn in a background thread on 127.0.0.1 with an ephemeral port.
"""

from __future__ import annotations

import functools
import inspect
import threading
import time
from typing import Any

import sqlalchemy as sa
import uvicorn

from workbench.server import admin as admin_module


class BoundAdmin:
    """workbench.server.admin with the engine already given: `vendor.approve(registration_id)`."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def __getattr__(self, name: str) -> Any:
        value = getattr(admin_module, name)
        if inspect.isfunction(value) and value.__module__ == admin_module.__name__ \
                and not name.startswith("_"):
            return functools.partial(value, self.engine)
        return value


class EmbeddedServer:
    """A uvicorn server for `app` in a daemon thread on an ephemeral loopback port."""

    def __init__(self, app: Any) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                                lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="vendor-server", daemon=True)
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 15.0) -> str:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the vendor server did not start")
            time.sleep(0.01)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        return self.url

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
