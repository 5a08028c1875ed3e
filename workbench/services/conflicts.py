"""Deciding stored conflicts: keep mine, take theirs, or set a new value (sync/conflicts.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workbench.domain.errors import InvalidValue
from workbench.services.changes import Changes, Done
from workbench.store.db import Store
from workbench.sync import conflicts as conflict_store

# One decision: (conflict id, "mine" | "theirs" | "edit", the edited value)
Decision = tuple[str, str, Any]


def _resolve(conn: Any, conflict_id: str, choice: str, value: Any = None,
             field: str | None = None) -> dict[str, Any]:
    if choice != "edit":
        return conflict_store.resolve(conn, conflict_id, keep=choice)
    if field is not None:
        conflict = conflict_store.get_conflict(conn, conflict_id)
        if field.strip() != conflict["field"]:
            raise InvalidValue(field.strip(), f"this conflict is about {conflict['field']}; "
                                              f"use --set {conflict['field']}=VALUE", "--set")
    return conflict_store.resolve(conn, conflict_id, set_value=True, value=value)


def _changes(rows: Sequence[dict[str, Any]]) -> Changes:
    return Changes(records=frozenset((r["entity"], r["record_id"]) for r in rows),
                   outbox=any(r.get("op_id") for r in rows), conflicts=True)


def resolve_conflict(store: Store, conflict_id: str, *, keep: str | None = None,
                     field: str | None = None, value: Any = None) -> Done[dict[str, Any]]:
    """One conflict: `keep` "mine" or "theirs", or a new `value` for `field` (which must be the
    conflict's own field). A decision other than "theirs" syncs like any edit."""
    if keep is None and field is None:
        raise InvalidValue("resolution", "choose --keep mine, --keep theirs or --set FIELD=VALUE",
                           "Resolution")
    with store.transaction() as conn:
        row = _resolve(conn, conflict_id, keep or "edit", value, field)
    return Done(row, _changes([row]))


def resolve_conflicts(store: Store, decisions: Sequence[Decision]) -> Done[list[dict[str, Any]]]:
    """Several conflicts of one record, decided together in one transaction (all or none)."""
    with store.transaction() as conn:
        rows = [_resolve(conn, conflict_id, choice, value)
                for conflict_id, choice, value in decisions]
    return Done(rows, _changes(rows))
