"""Vendor staff: console accounts, sign-in with lockout and optional TOTP, server-side sessions.

Separate from partner users: a partner's API token never opens the console, and a staff session
never calls the sync API. Stored in clear: nothing secret — passwords as argon2 hashes, session
tokens as SHA-256 digests (the browser's cookie holds the token itself). The CSRF token of a
session is derived from its token, so it is never stored either.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pyotp
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from workbench.domain.values import format_datetime, new_id, parse_datetime, utc_now
from workbench.server import audit
from workbench.server.schema import staff, staff_sessions

log = logging.getLogger(__name__)
ROLES = ("channel_manager", "admin")
ROLE_LABELS = {"channel_manager": "Channel manager", "admin": "Administrator"}
MIN_PASSWORD = 12
MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()


@functools.cache
def _nobody() -> str:
    """Checked against when the email is unknown, so both answers take as long (hashed on
    first use: an argon2 hash at import would slow every worker's start)."""
    return _hasher.hash("no such staff member - constant work")


class StaffError(ValueError):
    """Bad input or a refused sign-in; `field` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None, *, needs_code: bool = False
                 ) -> None:
        super().__init__(message)
        self.field = field
        self.needs_code = needs_code


@dataclass(frozen=True)
class Staff:
    id: str
    email: str
    name: str | None
    role: str
    totp_enabled: bool

    @property
    def display_name(self) -> str:
        return self.name or self.email


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def csrf_token(session_token: str) -> str:
    """The session's CSRF token: unguessable without the (HttpOnly) session cookie."""
    return hashlib.sha256(f"csrf|{session_token}".encode()).hexdigest()


def csrf_matches(session_token: str, presented: str | None) -> bool:
    return bool(presented) and hmac.compare_digest(csrf_token(session_token), presented or "")


def check_email(email: str | None) -> str:
    text = (email or "").strip()
    if not text:
        raise StaffError("Email: is required", "email")
    if len(text) > 320 or not _EMAIL.match(text):
        raise StaffError(f"Email: {text!r} is not an email address", "email")
    return text


def check_password(password: str | None) -> str:
    if not password or len(password) < MIN_PASSWORD:
        raise StaffError(f"Password: use at least {MIN_PASSWORD} characters", "password")
    if len(password) > 1000:
        raise StaffError("Password: at most 1,000 characters", "password")
    return password


def create_staff(engine: sa.Engine, email: str, password: str, *, role: str = "channel_manager",
                 name: str | None = None, now: datetime | None = None) -> str:
    """A console account; returns its id. The password is stored only as an argon2 hash."""
    address = check_email(email)
    check_password(password)
    if role not in ROLES:
        raise StaffError(f"Role: must be one of {', '.join(ROLES)}", "role")
    stamp = format_datetime(now or utc_now())
    staff_id = new_id()
    with engine.begin() as conn:
        taken = conn.execute(sa.select(staff.c.id).where(
            sa.func.lower(staff.c.email) == address.lower())).first()
        if taken:
            raise StaffError(f"Email: {address} already has a console account", "email")
        conn.execute(sa.insert(staff).values(
            id=staff_id, email=address, name=(name or "").strip() or None, role=role,
            password_hash=_hasher.hash(password), created_at=stamp, failed_sign_ins=0))
        audit.record(conn, stamp, f"console account {address} created ({ROLE_LABELS[role]})",
                     entity="staff", record_id=staff_id, after={"email": address, "role": role},
                     action_name="create staff account")
    return staff_id


def list_staff(engine: sa.Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(staff.c.id, staff.c.email, staff.c.name, staff.c.role,
                                      staff.c.totp_secret.is_not(None).label("totp_enabled"),
                                      staff.c.last_sign_in_at, staff.c.locked_until,
                                      staff.c.disabled_at, staff.c.created_at)
                            .order_by(staff.c.email)).mappings()
        return [dict(r) for r in rows]


@dataclass(frozen=True)
class SignedIn:
    staff: Staff
    session_token: str  # goes into the cookie; never stored


def sign_in(engine: sa.Engine, email: str, password: str, code: str | None = None, *,
            now: datetime | None = None) -> SignedIn:
    """A new session, or StaffError: wrong email/password (one message for both), locked
    after five failures in a row (for 15 minutes), or a second-factor code needed/wrong."""
    moment = now or utc_now()
    stamp = format_datetime(moment)
    address = (email or "").strip()
    with engine.begin() as conn:  # a refusal is raised after commit: failures must count
        row = conn.execute(sa.select(staff).where(
            sa.func.lower(staff.c.email) == address.lower())).mappings().first()
        refusal = _refusal(conn, row, password, code, moment, stamp)
        if refusal is None and row is not None:
            token = secrets.token_urlsafe(32)
            conn.execute(sa.update(staff).where(staff.c.id == row["id"]).values(
                failed_sign_ins=0, locked_until=None, last_sign_in_at=stamp))
            conn.execute(sa.insert(staff_sessions).values(
                token_hash=_hash_token(token), staff_id=row["id"], created_at=stamp,
                last_seen_at=stamp, expires_at=format_datetime(moment + SESSION_LIFETIME)))
            if _hasher.check_needs_rehash(row["password_hash"]):
                conn.execute(sa.update(staff).where(staff.c.id == row["id"])
                             .values(password_hash=_hasher.hash(password)))
    if refusal is not None or row is None:
        who = row["email"] if row is not None else "an unknown email"
        log.warning("console sign-in refused for %s: %s", who, refusal)
        raise refusal or StaffError("Email or password is wrong", "password")
    log.info("console sign-in: %s", row["email"])
    return SignedIn(_staff(row), token)


def _refusal(conn: sa.Connection, row: Any, password: str, code: str | None,
             moment: datetime, stamp: str) -> StaffError | None:
    """Why this sign-in is refused (a failure is counted on `conn`), or None."""
    if row is None or row["disabled_at"]:
        _verify(_nobody(), password or "")
        return StaffError("Email or password is wrong", "password")
    if row["locked_until"] and parse_datetime(row["locked_until"]) > moment:
        until = parse_datetime(row["locked_until"]).strftime("%H:%M UTC")
        return StaffError(f"This account is locked after {MAX_FAILED_SIGN_INS} failed sign-ins; "
                          f"try again after {until}", "email")
    if not _verify(row["password_hash"], password or ""):
        _failed(conn, row, moment, stamp)
        return StaffError("Email or password is wrong", "password")
    if row["totp_secret"]:
        typed = (code or "").strip().replace(" ", "")
        if not typed:
            return StaffError("Code: enter the 6-digit code from your authenticator app", "code",
                              needs_code=True)
        if not pyotp.TOTP(row["totp_secret"]).verify(typed, for_time=moment, valid_window=1):
            _failed(conn, row, moment, stamp)
            return StaffError("Code: that code is not valid; check your device's clock", "code",
                              needs_code=True)
    return None


def _verify(digest: str, password: str) -> bool:
    try:
        return _hasher.verify(digest, password)
    except (VerificationError, InvalidHashError):
        return False


def _failed(conn: sa.Connection, row: Any, moment: datetime, stamp: str) -> None:
    failures = (row["failed_sign_ins"] or 0) + 1
    values: dict[str, Any] = {"failed_sign_ins": failures}
    if failures >= MAX_FAILED_SIGN_INS:
        values = {"failed_sign_ins": 0, "locked_until": format_datetime(moment + LOCKOUT)}
        with audit.acting_as(row["email"]):
            audit.record(conn, stamp, f"console account {row['email']} locked for 15 minutes "
                                      f"after {MAX_FAILED_SIGN_INS} failed sign-ins",
                         entity="staff", record_id=row["id"], action_name="lock staff account")
    conn.execute(sa.update(staff).where(staff.c.id == row["id"]).values(**values))


def _staff(row: Any) -> Staff:
    return Staff(id=row["id"], email=row["email"], name=row["name"], role=row["role"],
                 totp_enabled=bool(row["totp_secret"]))


def session_staff(conn: sa.Connection, token: str | None, *, now: datetime | None = None
                  ) -> Staff | None:
    """The staff member a session cookie belongs to, or None (unknown, ended, expired)."""
    if not token:
        return None
    stamp = format_datetime(now or utc_now())
    row = conn.execute(sa.select(staff, staff_sessions.c.expires_at, staff_sessions.c.ended_at)
                       .join(staff, staff.c.id == staff_sessions.c.staff_id)
                       .where(staff_sessions.c.token_hash == _hash_token(token))).mappings().first()
    if row is None or row["ended_at"] or row["expires_at"] <= stamp or row["disabled_at"]:
        return None
    return _staff(row)


def sign_out(engine: sa.Engine, token: str | None, *, now: datetime | None = None) -> None:
    if not token:
        return
    with engine.begin() as conn:
        conn.execute(sa.update(staff_sessions).where(
            staff_sessions.c.token_hash == _hash_token(token),
            staff_sessions.c.ended_at.is_(None)).values(ended_at=format_datetime(now or utc_now())))


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name="Partner Workbench")


def enable_totp(engine: sa.Engine, staff_id: str, secret: str, code: str, *,
                now: datetime | None = None) -> None:
    """Turn on the second factor once the person proves their app shows the right code."""
    moment = now or utc_now()
    if not re.fullmatch(r"[A-Z2-7]{16,64}", secret or ""):
        raise StaffError("Secret: start again from the account page", "secret")
    if not pyotp.TOTP(secret).verify((code or "").strip().replace(" ", ""), for_time=moment,
                                     valid_window=1):
        raise StaffError("Code: that code does not match; type the 6 digits your app shows now",
                         "code")
    stamp = format_datetime(moment)
    with engine.begin() as conn:
        conn.execute(sa.update(staff).where(staff.c.id == staff_id).values(totp_secret=secret))
        audit.record(conn, stamp, "two-factor sign-in turned on", entity="staff",
                     record_id=staff_id, action_name="turn on two-factor sign-in")


def disable_totp(engine: sa.Engine, staff_id: str, *, now: datetime | None = None) -> None:
    stamp = format_datetime(now or utc_now())
    with engine.begin() as conn:
        conn.execute(sa.update(staff).where(staff.c.id == staff_id).values(totp_secret=None))
        audit.record(conn, stamp, "two-factor sign-in turned off", entity="staff",
                     record_id=staff_id, action_name="turn off two-factor sign-in")
