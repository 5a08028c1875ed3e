"""The console's doors: every console page and vendor action refuses anonymous callers and
partner tokens, every form post needs its CSRF token, five failed sign-ins lock the account,
and no password, token or session id is stored in clear or logged (issue 11)."""

from __future__ import annotations

import logging
import re

import httpx
import pytest
import sqlalchemy as sa
from starlette.routing import Mount

from tests.console.conftest import ADMIN_EMAIL, EMAIL, PASSWORD, csrf_of, sign_in
from tests.server.support import create_registration
from workbench.server.schema import metadata, staff, staff_sessions

# Routes anyone may call: the sign-in form, the partner API's health check and API docs.
PUBLIC = {("GET", "/console/sign-in"), ("POST", "/console/sign-in"),
          ("GET", "/api/v1/health"), ("GET", "/openapi.json"), ("GET", "/docs"),
          ("GET", "/docs/oauth2-redirect"), ("GET", "/redoc")}
# Partner API routes: bearer-token callers, checked by tests/server; never console pages.
PARTNER_API = "/api/v1/"


def _flattened(routes, prefix: str = ""):
    """Every route, looking inside included routers (FastAPI keeps them as one entry)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _flattened(inner.routes, prefix + route.include_context.prefix)
        elif not isinstance(route, Mount):  # the static folder: CSS and JS (checked below)
            yield prefix, route


def _console_routes(app) -> list[tuple[str, str]]:
    routes = []
    for prefix, route in _flattened(app.routes):
        for method in sorted(getattr(route, "methods", None) or ()):
            path = prefix + route.path
            if method == "HEAD" or (method, path) in PUBLIC:
                continue
            routes.append((method, path))
    assert routes, "no routes found: has FastAPI changed how it keeps them?"
    return routes


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "00000000-0000-4000-8000-000000000000", path)


@pytest.fixture
def app(tmp_path):
    """An app like the one serving `console` (the routes do not depend on the database)."""
    from workbench.server.app import create_app

    made = create_app(f"sqlite:///{tmp_path / 'routes.db'}")
    yield made
    made.state.engine.dispose()


def test_every_route_is_public_partner_api_or_console(app):
    routes = _console_routes(app)
    assert len(routes) > 25
    for method, path in routes:
        assert path.startswith(("/console/", PARTNER_API)), \
            f"{method} {path} is neither a console page nor the partner API: guard it"


def test_anonymous_and_partner_tokens_are_refused_everywhere(console, app):
    partner = console.server.create_partner("Acme Resellers")
    token = console.server.create_user(partner, "rep@acme.example")
    checked = 0
    with httpx.Client(base_url=console.url, timeout=30, follow_redirects=False) as anonymous, \
            httpx.Client(base_url=console.url, timeout=30, follow_redirects=False,
                         headers=console.server.headers(token)) as rep:
        for method, path in _console_routes(app):
            if path.startswith(PARTNER_API):
                continue
            for client in (anonymous, rep):
                answer = client.request(method, _concrete(path), data={"csrf": "x"})
                if method == "GET":
                    assert answer.status_code == 303, (method, path, answer.status_code)
                    assert answer.headers["location"].startswith("/console/sign-in")
                else:
                    assert answer.status_code == 401, (method, path, answer.status_code)
                assert "Review queue" not in answer.text
                checked += 1
    assert checked >= 2 * 25  # every page and action of the console, twice


def test_static_files_are_only_the_style_sheet_and_script(console):
    with console.browser_client() as client:
        assert client.get("/console/static/console.css").status_code == 200
        assert client.get("/console/static/../templates/base.html").status_code == 404


def test_a_post_without_its_csrf_token_is_refused_and_changes_nothing(console):
    partner = console.server.create_partner("Acme Resellers")
    with console.server.client(console.server.create_user(partner, "rep@acme.example")) as rep:
        record = create_registration(rep)["record"]
    client, csrf = console.signed_in()
    altered = csrf[:-1] + ("1" if csrf[-1] == "0" else "0")  # one digit off
    for form in ({}, {"csrf": "0" * 64}, {"csrf": altered}):
        answer = client.post(f"/console/registrations/{record['id']}/approve", data=form)
        assert answer.status_code == 403 and "expired" in answer.text
    assert console.server.admin.get_record("registrations", record["id"])["status"] == \
        "submitted"
    # another session's token does not fit this session
    _other, other_csrf = console.signed_in(ADMIN_EMAIL)
    assert other_csrf != csrf
    answer = client.post(f"/console/registrations/{record['id']}/approve",
                         data={"csrf": other_csrf})
    assert answer.status_code == 403
    answer = client.post(f"/console/registrations/{record['id']}/approve",
                         data={"csrf": csrf})
    assert answer.status_code == 303
    assert console.server.admin.get_record("registrations", record["id"])["status"] == \
        "approved"


def test_the_sign_in_form_needs_its_own_token(console):
    with console.browser_client() as client:
        answer = client.post("/console/sign-in", data={"email": EMAIL, "password": PASSWORD})
        assert answer.status_code == 403 and "expired" in answer.text
        assert not any(h.startswith("wb_console=") for h in answer.headers.get_list("set-cookie"))


def test_five_failed_sign_ins_lock_the_account(console):
    with console.browser_client() as client:
        for _ in range(5):
            answer = sign_in(client, EMAIL, "wrong password!")
            assert answer.status_code == 401
            assert "Email or password is wrong" in answer.text
        locked = sign_in(client, EMAIL, PASSWORD)  # the right password, too late
        assert locked.status_code == 401 and "locked" in locked.text
        assert 'id="error-email"' in locked.text
    # an unknown email gets the same answer as a wrong password, and locks nothing
    with console.browser_client() as client:
        answer = sign_in(client, "nobody@vendor.example", PASSWORD)
        assert answer.status_code == 401 and "Email or password is wrong" in answer.text
        assert sign_in(client, ADMIN_EMAIL, PASSWORD).status_code == 303


def test_session_cookie_flags_and_sign_out_ends_the_session(console):
    with console.browser_client() as client:
        answer = sign_in(client, EMAIL, PASSWORD)
        cookie = next(h for h in answer.headers.get_list("set-cookie")
                      if h.startswith("wb_console="))
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert "Secure" not in cookie  # loopback: plain http works on the operator's machine
        session_token = cookie.split(";")[0].split("=", 1)[1]
        page = client.get("/console/")
        assert page.status_code == 200 and "Review queue" in page.text
        assert page.headers["content-security-policy"].startswith("default-src 'self'")
        assert client.post("/console/sign-out", data={"csrf": csrf_of(page.text)}
                           ).status_code == 303
    with console.browser_client() as stale:
        stale.cookies.set("wb_console", session_token)
        assert stale.get("/console/").status_code == 303  # ended server-side


def test_no_password_token_or_session_id_in_the_database_or_the_log(console, caplog):
    caplog.set_level(logging.DEBUG)
    partner = console.server.create_partner("Acme Resellers")
    client, csrf = console.signed_in()
    session_token = client.cookies.get("wb_console")
    made = client.post(f"/console/partners/{partner}/users",
                       data={"csrf": csrf, "email": "new@acme.example", "role": "seller"})
    token = re.search(r'<code class="token">([^<]+)</code>', made.text).group(1)
    with console.server.engine.connect() as conn:
        dump = []
        for table in metadata.sorted_tables:
            for row in conn.execute(sa.select(table)):
                dump.append(" ".join(str(v) for v in row))
        text = "\n".join(dump)
        hashes = conn.execute(sa.select(staff.c.password_hash)).scalars().all()
        sessions = conn.execute(sa.select(staff_sessions.c.token_hash)).scalars().all()
    # everything the server process logged (the test's own HTTP client logs its traffic)
    logged = "\n".join(r.getMessage() for r in caplog.records
                       if not r.name.startswith(("httpx", "httpcore")))
    assert logged  # the server did log (sign-in, requests), so the check means something
    for secret in (PASSWORD, token, session_token, csrf):
        assert secret not in text
        assert secret not in logged
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert sessions and all(len(h) == 64 for h in sessions)


def test_second_factor_is_asked_for_and_a_wrong_code_counts_as_a_failure(console):
    import pyotp

    from workbench.server import staff as staff_accounts

    secret = staff_accounts.new_totp_secret()
    with console.server.engine.connect() as conn:
        staff_id = conn.execute(sa.select(staff.c.id).where(staff.c.email == EMAIL)).scalar()
    staff_accounts.enable_totp(console.server.engine, staff_id, secret, pyotp.TOTP(secret).now())
    client = console.browser_client()
    asked = sign_in(client, EMAIL, PASSWORD)
    assert asked.status_code == 401 and 'id="code"' in asked.text  # the code field appears
    assert "Code: enter the 6-digit code" in asked.text
    wrong = sign_in(client, EMAIL, PASSWORD, code="000000")
    assert wrong.status_code == 401 and "not valid" in wrong.text
    with console.server.engine.connect() as conn:
        assert conn.execute(sa.select(staff.c.failed_sign_ins).where(
            staff.c.id == staff_id)).scalar() == 1
    assert sign_in(client, EMAIL, PASSWORD, code=pyotp.TOTP(secret).now()).status_code == 303
