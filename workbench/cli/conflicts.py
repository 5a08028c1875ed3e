"""workbench conflicts list [--all] | show ID | resolve ID (--keep mine|theirs | --set FIELD=VALUE)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from workbench.cli.args import action, actions
from workbench.cli.errors import CommandError
from workbench.cli.output import Output, short, table_text
from workbench.domain.merge import RESOLUTIONS

if TYPE_CHECKING:
    from workbench.store.db import Store


def register(name: str, parser: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    commands = actions(parser)
    action(commands, "list", list_conflicts, "list open conflicts", common).add_argument(
        "--all", action="store_true", help="include resolved conflicts")
    action(commands, "show", show, "show base, mine and theirs", common).add_argument("id")
    p = action(commands, "resolve", resolve, "decide a conflict", common)
    p.add_argument("id")
    choice = p.add_mutually_exclusive_group(required=True)
    choice.add_argument("--keep", choices=list(RESOLUTIONS))
    choice.add_argument("--set", metavar="FIELD=VALUE", help="a new value for the field")


def _value(value: Any) -> str:
    return "(empty)" if value is None or value == "" else str(value)


def list_conflicts(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.sync import conflicts as conflict_store
    with store.reading() as conn:
        rows = conflict_store.list_conflicts(conn, include_resolved=args.all)
    out.emit(rows, lambda: table_text(
        ["ID", "RECORD", "FIELD", "MINE", "THEIRS", "STATE"],
        [[short(r["id"]), f"{r['entity_label']} {r['record_title'] or short(r['record_id'])}",
          r["field_label"], _value(r["mine_value"])[:30], _value(r["theirs_value"])[:30],
          "open" if r["open"] else r["resolution"]] for r in rows]) if rows else "no conflicts")


def show(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.sync import conflicts as conflict_store
    with store.reading() as conn:
        row = conflict_store.get_conflict(conn, args.id)

    def text() -> str:
        return "\n".join([
            f"conflict {row['id']} on {row['entity_label']} "
            f"{row['record_title'] or ''} ({row['record_id']})",
            f"  field:  {row['field_label']} ({row['field']})",
            f"  base:   {_value(row['base_value'])}",
            f"  mine:   {_value(row['mine_value'])}",
            f"  theirs: {_value(row['theirs_value'])} (server version {row['theirs_version']})",
            f"  state:  {'open' if row['open'] else 'resolved: ' + row['resolution']}",
            f"resolve with: workbench conflicts resolve {short(row['id'])} --keep mine|theirs "
            f"(or --set {row['field']}=VALUE)"])
    out.emit(row, text)


def resolve(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services import conflicts
    field = value = None
    if args.set:
        field, sep, value = args.set.partition("=")
        if not sep:
            raise CommandError(f"--set: expected FIELD=VALUE, got {args.set!r}")
    row = conflicts.resolve_conflict(store, args.id, keep=args.keep, field=field,
                                     value=value).result
    out.emit(row, f"resolved conflict {short(row['id'])}: {row['field_label']} = "
                  f"{_value(row['value'])}"
                  + (" (will be sent on the next sync)" if row["op_id"] else ""))
