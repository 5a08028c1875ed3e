"""Fixtures for the vendor console: a running server with a channel manager who can sign in."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import httpx
import pytest

from workbench.server import staff

EMAIL, PASSWORD = "dana@vendor.example", "a long console password"
ADMIN_EMAIL = "root@vendor.example"


@dataclass
class Console:
    server: object  # tests.server_fixtures.VendorServer
    email: str = EMAIL
    password: str = PASSWORD
    clients: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url  # type: ignore[attr-defined]

    def browser_client(self) -> httpx.Client:
        """A cookie-keeping client like a browser (closed when the test ends)."""
        client = httpx.Client(base_url=self.url, timeout=30, follow_redirects=False)
        self.clients.append(client)
        return client

    def signed_in(self, email: str | None = None, password: str | None = None
                  ) -> tuple[httpx.Client, str]:
        """An HTTP client holding a console session, and the session's CSRF token."""
        client = self.browser_client()
        answer = sign_in(client, email or self.email, password or self.password)
        assert answer.status_code == 303, answer.text
        page = client.get("/console/")
        return client, csrf_of(page.text)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def sign_in(client: httpx.Client, email: str, password: str, code: str | None = None
            ) -> httpx.Response:
    token = csrf_of(client.get("/console/sign-in").text)
    form = {"csrf": token, "email": email, "password": password}
    if code is not None:
        form["code"] = code
    return client.post("/console/sign-in", data=form)


@pytest.fixture
def console(vendor_server_factory):
    server = vendor_server_factory(auto_approve=False)
    staff.create_staff(server.engine, EMAIL, PASSWORD, role="channel_manager",
                       name="Dana Brooks")
    staff.create_staff(server.engine, ADMIN_EMAIL, PASSWORD, role="admin", name="Root Admin")
    made = Console(server)
    yield made
    for client in made.clients:
        client.close()
