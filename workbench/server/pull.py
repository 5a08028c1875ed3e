"""Pull: the changes a user may see since their cursor, in bounded pages.

The cursor is base64url(JSON {scope: seq}), the highest sequence number delivered per visible
scope. A page is read up to each scope's counter value as committed when the pull starts: every
write numbered at or below that value has committed already (writes of a scope hold its counter
row until they commit), so nothing numbered below the new cursor can still appear later.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from workbench.domain.model import ENTITIES
from workbench.server.schema import RECORD_TABLES, scope_counters
from workbench.sync.protocol import ProtocolError


def encode_cursor(positions: dict[str, int]) -> str:
    text = json.dumps(positions, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, int]:
    if not cursor:
        return {}
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        positions = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error, RecursionError):
        raise ProtocolError("cursor: not a cursor this server handed out") from None
    if not isinstance(positions, dict) or not all(
            isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v >= 0
            for k, v in positions.items()):
        raise ProtocolError("cursor: not a cursor this server handed out")
    return positions


# Built once: every pull runs it.
_HEADS = sa.select(scope_counters.c.scope, scope_counters.c.seq).where(
    scope_counters.c.scope.in_(sa.bindparam("scopes", expanding=True)))


@dataclass
class Page:
    changes: list[dict[str, Any]]
    cursor: str
    has_more: bool


def pull_page(conn: sa.Connection, scopes: tuple[str, ...], cursor: dict[str, int],
              limit: int) -> Page:
    heads = dict(conn.execute(_HEADS, {"scopes": list(scopes)}).all())
    # Only visible scopes are kept: a scope that becomes visible again starts from zero.
    positions = {s: min(cursor.get(s, 0), heads.get(s, 0)) for s in scopes}
    changes: list[dict[str, Any]] = []
    has_more = False
    for scope in sorted(scopes):
        after, head = positions[scope], heads.get(scope, 0)
        if head <= after:
            continue
        room = limit - len(changes)
        if room == 0:
            has_more = True
            break
        scope_changes, last_seq = _scope_changes(conn, scope, after, head, room)
        changes.extend(scope_changes)
        if len(scope_changes) < room:
            positions[scope] = head  # everything up to head delivered (the rest were gaps)
        else:
            positions[scope] = last_seq
            has_more = has_more or last_seq < head
    return Page(changes, encode_cursor(positions), has_more)


class _Reader:
    """The two queries a page runs for every entity, built once: SQLAlchemy then finds them in
    its compiled cache, and a page pays for running them, not for building them."""

    def __init__(self) -> None:
        scope = sa.bindparam("scope", type_=sa.String)
        after, head, room = (sa.bindparam(n, type_=sa.BigInteger) for n in ("after", "head", "room"))
        # Each branch is limited too, so a page reads at most `room` index entries per table.
        branches = [sa.select(sa.literal(name).label("entity"), table.c.seq)
                    .where(table.c.scope == scope, table.c.seq > after, table.c.seq <= head)
                    .order_by(table.c.seq).limit(room).subquery()
                    for name, table in RECORD_TABLES.items()]
        union = sa.union_all(*(sa.select(b.c.entity, b.c.seq) for b in branches)).subquery()
        first = sa.select(union.c.entity, union.c.seq).order_by(union.c.seq).limit(room).subquery()
        # Per entity on the page, its highest seq (a row per entity, not per change).
        self.found = sa.select(first.c.entity, sa.func.max(first.c.seq).label("seq"),
                               sa.func.count().label("count")).group_by(first.c.entity)
        last = sa.bindparam("last", type_=sa.BigInteger)
        self.rows: dict[str, tuple[sa.Select, tuple[str, ...]]] = {}
        for name, table in RECORD_TABLES.items():
            # The wire record's columns (records.to_wire), then seq for the page's order.
            names = ("id", "partner_id", *(f.name for f in ENTITIES[name].fields),
                     "created_at", "updated_at", "version", "deleted")
            query = sa.select(*(table.c[n] for n in names), table.c.seq).where(
                table.c.scope == scope, table.c.seq > after, table.c.seq <= last)
            self.rows[name] = (query, names)


_reader: _Reader | None = None


def _scope_changes(conn: sa.Connection, scope: str, after: int, head: int, room: int
                   ) -> tuple[list[dict[str, Any]], int]:
    """Up to `room` changes of one scope with after < seq <= head, in seq order."""
    global _reader
    if _reader is None:
        _reader = _Reader()
    found = conn.execute(_reader.found, {"scope": scope, "after": after, "head": head,
                                         "room": room}).all()
    if not found:
        return [], after
    last_seq = max(f.seq for f in found)
    rows: list[tuple[int, dict[str, Any]]] = []
    for name in sorted(f.entity for f in found):
        query, names = _reader.rows[name]
        for *values, seq in conn.execute(query, {"scope": scope, "after": after,
                                                 "last": last_seq}):
            # The record as records.to_wire shapes it, from the row's values in column order.
            record = dict(zip(names, values, strict=True))
            if record["partner_id"] is None:
                del record["partner_id"]
            deleted = record["deleted"] = bool(record["deleted"])
            rows.append((seq, {"entity": name, "id": record["id"], "version": record["version"],
                               "deleted": deleted, "record": record}))
    rows.sort(key=lambda item: item[0])
    return [change for _, change in rows], last_seq
