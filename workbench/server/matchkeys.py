"""Keeping the conflict check's pre-filter (the match_keys table) in step with the records."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from workbench.domain.matching import blocking_keys, word_keys
from workbench.server.schema import RECORD_TABLES, direct_opportunities, match_keys

REGISTRATION, DIRECT = "registration", "direct"
# Fields whose change changes a registration's keys.
KEYED_FIELDS = frozenset({"customer_name", "customer_domain"})
RAREST_WORDS = 2
COUNT_CAP = 1000
SECOND_WORD_LIMIT = 200


def refresh(conn: sa.Connection, source: str, record_ids: Iterable[str]) -> None:
    """Recompute the keys of these records from what is stored now."""
    ids = list(dict.fromkeys(record_ids))
    if not ids:
        return
    table = RECORD_TABLES["registrations"] if source == REGISTRATION else direct_opportunities
    rows = conn.execute(sa.select(table.c.id, table.c.customer_name, table.c.customer_domain,
                                  *([table.c.name] if source == DIRECT else []))
                        .where(table.c.id.in_(ids))).mappings().all()
    conn.execute(sa.delete(match_keys).where(match_keys.c.source == source,
                                             match_keys.c.record_id.in_(ids)))
    keyed = [{"source": source, "record_id": row["id"], "key": _stored(source, key)}
             for row in rows
             for key in blocking_keys(row["customer_name"] or row.get("name") or "",
                                      row["customer_domain"] or "")]
    if keyed:
        conn.execute(sa.insert(match_keys), keyed)


def candidate_ids(conn: sa.Connection, source: str, name: str, domain: str) -> list[str]:
    """The ids of `source` records that could match this customer.

    Those sharing an exact key (domain, name), or a key of the name's rarest word — a fuzzy
    match needs every word matched, so the rarest suffices — and of the second rarest while it
    is rare too, so a typo in one word does not hide the match. Common words ("systems") would
    read thousands of rows. Missed: a typo in the first letters of the rarest word of a name
    whose other words are all common.
    """
    every_key = {_stored(source, key) for key in blocking_keys(name, domain)}
    groups = [frozenset(_stored(source, key) for key in group) for group in word_keys(name)]
    wanted = every_key - set().union(*groups)
    counted = sorted((_capped_count(conn, source, group), sorted(group)) for group in groups)
    for rank, (count, group) in enumerate(counted):
        # The rarest word always; a second only while it is rare too, so that a typo in the
        # rarest word is still caught without reading every "systems" in the program.
        if rank == 0 or (rank < RAREST_WORDS and count < SECOND_WORD_LIMIT):
            wanted.update(group)
    # Fetched as a list: as a subquery SQLite chose to scan the registrations instead.
    found = conn.execute(sa.select(match_keys.c.record_id)
                         .where(match_keys.c.key.in_(sorted(wanted)))).scalars()
    return list(dict.fromkeys(found))


def _capped_count(conn: sa.Connection, source: str, keys: frozenset[str]) -> int:
    """How many records share these keys, counting no further than COUNT_CAP (stays cheap)."""
    sharing = sa.select(match_keys.c.record_id).where(
        match_keys.c.key.in_(sorted(keys))).limit(COUNT_CAP)
    return conn.execute(sa.select(sa.func.count()).select_from(sharing.subquery())).scalar_one()


def _stored(source: str, key: str) -> str:
    return f"{source}|{key}"[:320]
