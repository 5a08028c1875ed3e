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
from workbench.server.records import to_wire
from workbench.server.schema import RECORD_TABLES, scope_counters
from workbench.sync.protocol import Change, ProtocolError


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


def _scope_changes(conn: sa.Connection, scope: str, after: int, head: int, room: int
                   ) -> tuple[list[dict[str, Any]], int]:
    """Up to `room` changes of one scope with after < seq <= head, in seq order."""
    # Each branch is limited too, so a page reads at most `room` index entries per table.
    branches = [sa.select(sa.literal(name).label("entity"), table.c.seq)
                .where(table.c.scope == scope, table.c.seq > after, table.c.seq <= head)
                .order_by(table.c.seq).limit(room).subquery()
                for name, table in RECORD_TABLES.items()]
    found_seqs = sa.union_all(*(sa.select(b.c.entity, b.c.seq) for b in branches)).subquery()
    found = conn.execute(sa.select(found_seqs.c.entity, found_seqs.c.seq)
                         .order_by(found_seqs.c.seq).limit(room)).all()
    if not found:
        return [], after
    last_seq = found[-1].seq
    rows: list[tuple[int, dict[str, Any]]] = []
    for name in sorted({f.entity for f in found}):
        table = RECORD_TABLES[name]
        entity = ENTITIES[name]
        for row in conn.execute(sa.select(table).where(
                table.c.scope == scope, table.c.seq > after, table.c.seq <= last_seq)).mappings():
            record = to_wire(entity, dict(row))
            change = Change(entity=name, id=row["id"], version=row["version"],
                            deleted=bool(row["deleted"]), record=record)
            rows.append((row["seq"], change.to_wire()))
    rows.sort(key=lambda item: item[0])
    return [change for _, change in rows], last_seq
