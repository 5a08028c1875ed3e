"""The field-level three-way merge rule, the one both the workbench and the server apply.

An edit carries, per field, the value it started from (`base`, the old value at the record's
version the rep edited) and the value wanted (`mine`). Against the value the other side holds
now (`theirs`):

- theirs == mine: both sides agree; nothing to decide;
- theirs == base: only this edit changed the field; it applies (re-queued on the newer version
  when the client learns of it through a conflict answer);
- otherwise both sides changed the field differently: a conflict, shown to the rep and never
  silently overwritten (DESIGN §3). Edits of different fields never conflict.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

# How the rep decides a stored conflict: keep my value, or take the server's.
RESOLUTIONS = ("mine", "theirs")


class FieldMerge(StrEnum):
    AGREE = "agree"  # both sides hold the wanted value already
    MINE = "mine"  # only this edit changed the field: it applies
    CONFLICT = "conflict"  # changed on both sides, differently


def merge_field(base: Any, mine: Any, theirs: Any) -> FieldMerge:
    if theirs == mine:
        return FieldMerge.AGREE
    if theirs == base:
        return FieldMerge.MINE
    return FieldMerge.CONFLICT


def conflicting_fields(current: Mapping[str, Any], edits: Mapping[str, tuple[Any, Any]]
                       ) -> dict[str, Any]:
    """Fields of `edits` (name -> (base, mine)) that conflict with `current`, with its values."""
    return {name: current[name] for name, (base, mine) in edits.items()
            if merge_field(base, mine, current[name]) is FieldMerge.CONFLICT}
