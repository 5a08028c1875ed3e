"""What a unit of work changed, so each screen can decide for itself whether to redraw."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from workbench.domain.model import ENTITIES

T = TypeVar("T")


@dataclass(frozen=True)
class Changes:
    """Records and local state a unit of work touched.

    `records` names single records ((entity, id)) — a local edit; `entities` whole record types
    whose rows may have changed without a list of ids — a pulled sync page. `outbox`: the queue
    of edits to send; `conflicts`: stored conflicts; `account`: who is signed in, the last sync.
    """

    records: frozenset[tuple[str, str]] = frozenset()
    entities: frozenset[str] = frozenset()
    outbox: bool = False
    conflicts: bool = False
    account: bool = False

    @classmethod
    def edited(cls, *records: tuple[str, str]) -> Changes:
        """Local edits of these records (each queued in the outbox); none: nothing changed."""
        return cls(records=frozenset(records), outbox=bool(records))

    @classmethod
    def after_sync(cls, pushed: int, pulled: int) -> Changes:
        """A sync: the queue, conflicts and account state move; records if anything travelled
        (pushed records come back with the server's version and vendor fields)."""
        travelled = frozenset(ENTITIES) if pushed or pulled else frozenset()
        return cls(entities=travelled, outbox=True, conflicts=True, account=True)

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.records | other.records, self.entities | other.entities,
                       self.outbox or other.outbox, self.conflicts or other.conflicts,
                       self.account or other.account)

    def __bool__(self) -> bool:
        return bool(self.records or self.entities or self.outbox or self.conflicts
                    or self.account)

    def touches(self, entity_names: Iterable[str]) -> bool:
        """Whether any record of these types may have changed."""
        names = set(entity_names)
        return bool(names & self.entities) or any(e in names for e, _ in self.records)

    def ids(self, entity_name: str) -> set[str] | None:
        """Ids of `entity_name` records touched; None when any of them may have changed."""
        if entity_name in self.entities:
            return None
        return {record_id for e, record_id in self.records if e == entity_name}


@dataclass(frozen=True)
class Done(Generic[T]):
    """A service's answer: its result and what it changed."""

    result: T
    changes: Changes
