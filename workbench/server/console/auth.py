"""Signing vendor staff in and out, the session every console page needs, CSRF on every form.

The session cookie (HttpOnly, SameSite=Lax, Secure unless the console is on loopback) holds a
random token whose SHA-256 is stored server-side (`workbench.server.staff`), so signing out
ends it everywhere. A partner's bearer token is not a session: it never opens a page.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from workbench.server import audit, db
from workbench.server import staff as staff_accounts
from workbench.server.console.web import SECURITY_HEADERS, render

COOKIE = "wb_console"
SIGN_IN_COOKIE = "wb_console_sign_in"  # double-submit token of the sign-in form
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}

router = APIRouter()
T = TypeVar("T")


@dataclass(frozen=True)
class ConsoleSession:
    staff: staff_accounts.Staff
    token: str

    @property
    def csrf(self) -> str:
        return staff_accounts.csrf_token(self.token)

    @property
    def is_admin(self) -> bool:
        return self.staff.role == "admin"


class NotSignedIn(Exception):
    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


class Refused(Exception):
    """A signed-in request the console will not carry out (CSRF missing, role)."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def signed_in(request: Request) -> ConsoleSession:
    """The FastAPI dependency of every console page and action."""
    token = request.cookies.get(COOKIE)
    with db.reading(request.app.state.engine) as conn:
        member = staff_accounts.session_staff(conn, token)
    if member is None or token is None:
        raise NotSignedIn(request.url.path)
    session = ConsoleSession(member, token)
    request.state.console = session
    return session


# The parameter every console page and action takes: refused unless signed in.
SignedIn = Annotated[ConsoleSession, Depends(signed_in)]


async def form_of(request: Request, session: ConsoleSession) -> dict[str, str]:
    """The posted form, refused unless it carries the session's CSRF token."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    if not staff_accounts.csrf_matches(session.token, values.pop("csrf", None)):
        raise Refused("This form has expired or did not come from the console. Reload the page "
                      "and try again.")
    return values


def require_admin(session: ConsoleSession) -> None:
    if not session.is_admin:
        raise Refused("Only a console administrator can do this.")


async def act(session: ConsoleSession, function: Callable[..., T], *args: Any, **kwargs: Any
              ) -> T:
    """Run a vendor operation off the event loop, audited as the signed-in staff member."""
    def call() -> T:
        with audit.acting_as(session.staff.email):
            return function(*args, **kwargs)
    return await run_in_threadpool(call)


def _secure(request: Request) -> bool:
    return (request.url.hostname or "") not in LOOPBACK


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers=SECURITY_HEADERS)


def _safe_next(raw: str | None) -> str:
    # only a console path of this server: never an open redirect
    if raw and raw.startswith("/console/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return "/console/"


# -- routes -------------------------------------------------------------------------------------

def _sign_in_page(request: Request, *, error: str | None = None, field: str | None = None,
                  email: str = "", needs_code: bool = False, status: int = 200) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "sign_in.html", status_code=status, csrf=token, error=error,
                      field=field, email=email, needs_code=needs_code,
                      next=_safe_next(request.query_params.get("next")))
    response.set_cookie(SIGN_IN_COOKIE, token, httponly=True, samesite="lax",
                        secure=_secure(request), path="/console/")
    return response


@router.get("/console/sign-in")
def sign_in_form(request: Request) -> Response:
    return _sign_in_page(request)


@router.post("/console/sign-in")
async def sign_in(request: Request) -> Response:
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    expected = request.cookies.get(SIGN_IN_COOKIE)
    if not expected or not secrets.compare_digest(expected, values.get("csrf", "")):
        return _sign_in_page(request, error="The sign-in form expired; please sign in again.",
                             status=403)
    email = values.get("email", "").strip()
    try:
        signed = await run_in_threadpool(
            staff_accounts.sign_in, request.app.state.engine, email,
            values.get("password", ""), values.get("code"))
    except staff_accounts.StaffError as error:
        return _sign_in_page(request, error=str(error), field=error.field, email=email,
                             needs_code=error.needs_code, status=401)
    response = see_other(_safe_next(values.get("next")))
    response.set_cookie(COOKIE, signed.session_token, httponly=True, samesite="lax",
                        secure=_secure(request), path="/console/",
                        max_age=int(staff_accounts.SESSION_LIFETIME.total_seconds()))
    response.delete_cookie(SIGN_IN_COOKIE, path="/console/")
    return response


@router.post("/console/sign-out")
async def sign_out(request: Request) -> Response:
    session = signed_in(request)
    await form_of(request, session)
    await run_in_threadpool(staff_accounts.sign_out, request.app.state.engine, session.token)
    response = see_other("/console/sign-in")
    response.delete_cookie(COOKIE, path="/console/")
    return response


def not_signed_in(request: Request, error: NotSignedIn) -> Response:
    if request.method == "GET":
        return see_other(f"/console/sign-in?next={quote(error.path)}")
    return Response("Sign in to the console first.", status_code=401,
                    headers=SECURITY_HEADERS, media_type="text/plain")


def refused(request: Request, error: Refused) -> Response:
    return render(request, "refused.html", status_code=error.status, message=error.message)
