"""Who is calling: bearer tokens, users, and the scopes a user may see."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from workbench.server.schema import GLOBAL_SCOPE, RECORD_TABLES, users

partners = RECORD_TABLES["partners"]


@dataclass(frozen=True)
class User:
    id: str
    partner_id: str
    email: str
    name: str | None
    role: str | None
    sub_partner_visibility: bool = False  # the vendor lets this distributor see sub-partners


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# Built once: every request runs it.
_BY_TOKEN_HASH = (sa.select(users, partners.c.sub_partner_visibility)
                  .join(partners, partners.c.id == users.c.partner_id, isouter=True)
                  .where(users.c.token_hash == sa.bindparam("digest")))


def authenticate(conn: sa.Connection, token: str) -> User | None:
    """The active user holding `token`, or None (unknown or revoked: the caller says 401)."""
    digest = hash_token(token)
    row = conn.execute(_BY_TOKEN_HASH, {"digest": digest}).mappings().first()
    if row is None or not hmac.compare_digest(row["token_hash"], digest) or row["revoked_at"]:
        return None
    return User(id=row["id"], partner_id=row["partner_id"], email=row["email"],
                name=row["name"], role=row["role"],
                sub_partner_visibility=bool(row["sub_partner_visibility"]))


@dataclass(frozen=True)
class Visibility:
    """The scopes a partner's users read: its own, "global", and allowed sub-partners'."""
    partner_id: str
    sub_partners: tuple[str, ...]

    @property
    def scopes(self) -> tuple[str, ...]:
        return (self.partner_id, GLOBAL_SCOPE, *self.sub_partners)


def visibility(conn: sa.Connection, user: User) -> Visibility:
    children: tuple[str, ...] = ()
    if user.sub_partner_visibility:  # one query only for distributors the vendor enabled
        children = tuple(sorted(conn.execute(
            sa.select(partners.c.id).where(partners.c.parent_partner_id == user.partner_id,
                                           partners.c.deleted == sa.false())).scalars()))
    return Visibility(user.partner_id, children)
