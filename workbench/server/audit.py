"""The vendor's audit log: every vendor action — who, when, what changed, before → after.

Vendor operations (`workbench.server.admin`) record their changes in the transaction that makes
them, so an action and its audit entry are stored together or not at all. Who acts is set by the
front end around the call (`acting_as("jane@vendor.example")`; the CLI names the OS user, the
jobs name themselves); the operation names itself (`admin.operation`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TextIO

import sqlalchemy as sa

from workbench.domain.spreadsheet import write_rows
from workbench.server.schema import audit_log

_actor: ContextVar[str] = ContextVar("workbench_vendor_actor", default="system")
_action: ContextVar[str] = ContextVar("workbench_vendor_action", default="vendor edit")

# Fields whose values never go into the log (secrets are not stored in clear anywhere).
_SECRET_KEYS = ("password", "token", "secret", "token_hash", "password_hash", "totp")


@contextmanager
def acting_as(actor: str) -> Iterator[None]:
    """Attribute the vendor actions inside the block to `actor` (a staff email, "cli:…")."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


@contextmanager
def action(name: str) -> Iterator[None]:
    """Name the action the changes inside the block belong to ("approve registration")."""
    token = _action.set(name)
    try:
        yield
    finally:
        _action.reset(token)


def current_actor() -> str:
    return _actor.get()


def current_action() -> str:
    return _action.get()


def _clean(values: dict[str, Any] | None) -> str | None:
    if not values:
        return None
    shown = {k: ("(hidden)" if any(s in k for s in _SECRET_KEYS) else v)
             for k, v in values.items()}
    return json.dumps(shown, default=str, sort_keys=True, ensure_ascii=False)


def record(conn: sa.Connection, at: str, summary: str, *, entity: str | None = None,
           record_id: str | None = None, partner_id: str | None = None,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           action_name: str | None = None) -> None:
    """One audit entry, written on `conn` (inside the action's own transaction)."""
    conn.execute(sa.insert(audit_log).values(
        at=at, actor=current_actor()[:340], action=(action_name or current_action())[:100],
        entity=entity, record_id=record_id, partner_id=partner_id, summary=summary,
        before_json=_clean(before), after_json=_clean(after)))


# -- reading ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    entity: str | None = None
    partner_id: str | None = None
    text: str | None = None  # searched in the summary and the record id
    since: str | None = None  # "YYYY-MM-DD", inclusive
    until: str | None = None  # "YYYY-MM-DD", inclusive

    def where(self) -> list[sa.ColumnElement[bool]]:
        clauses: list[sa.ColumnElement[bool]] = []
        if self.actor:
            clauses.append(audit_log.c.actor == self.actor)
        if self.action:
            clauses.append(audit_log.c.action == self.action)
        if self.entity:
            clauses.append(audit_log.c.entity == self.entity)
        if self.partner_id:
            clauses.append(audit_log.c.partner_id == self.partner_id)
        if self.text:
            pattern = f"%{self.text.strip().lower()}%"
            clauses.append(sa.or_(sa.func.lower(audit_log.c.summary).like(pattern),
                                  audit_log.c.record_id.like(pattern)))
        if self.since:
            clauses.append(audit_log.c.at >= self.since)
        if self.until:
            clauses.append(audit_log.c.at < self.until + "T99")  # the whole day
        return clauses


def entries(conn: sa.Connection, where: AuditFilter, *, offset: int = 0,
            limit: int | None = 50) -> tuple[list[dict[str, Any]], int]:
    """Newest first: (the page of entries, how many match in all)."""
    clauses = where.where()
    total = conn.execute(sa.select(sa.func.count()).select_from(audit_log)
                         .where(*clauses)).scalar_one()
    query = sa.select(audit_log).where(*clauses).order_by(audit_log.c.id.desc()).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    rows = [dict(r) for r in conn.execute(query).mappings()]
    for row in rows:
        row["before"] = json.loads(row["before_json"]) if row["before_json"] else {}
        row["after"] = json.loads(row["after_json"]) if row["after_json"] else {}
    return rows, total


def distinct_values(conn: sa.Connection, column: str) -> list[str]:
    col = audit_log.c[column]
    return [v for v in conn.execute(sa.select(col).distinct().order_by(col)).scalars() if v]


CSV_HEADER: Sequence[str] = ("at", "actor", "action", "entity", "record_id", "partner_id",
                             "summary", "before", "after")


def export_csv(conn: sa.Connection, where: AuditFilter, handle: TextIO) -> int:
    """Every matching entry as CSV (cells made safe for spreadsheets); returns the count."""
    rows, _ = entries(conn, where, limit=None)
    return write_rows(handle, CSV_HEADER, (
        (r["at"], r["actor"], r["action"], r["entity"], r["record_id"], r["partner_id"],
         r["summary"], r["before_json"] or "", r["after_json"] or "") for r in rows))
