"""workbench accounts add | edit | list | show | import."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.cli.args import action, actions
from workbench.cli.errors import CommandError
from workbench.cli.output import (
    Output,
    parse_sets,
    partner_column,
    public,
    short,
    table_text,
    with_partner,
)

if TYPE_CHECKING:
    from workbench.store.db import Store


def register(name: str, parser: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    commands = actions(parser)
    p = action(commands, "add", add, "add an account", common)
    p.add_argument("--name", required=True)
    for option in ("domain", "industry", "country", "region"):
        p.add_argument(f"--{option}")
    p.add_argument("--allow-duplicate", action="store_true",
                   help="create it even if an account for this company seems to exist")
    p = action(commands, "edit", edit, "change fields of an account", common)
    p.add_argument("id")
    p.add_argument("--set", action="append", required=True, metavar="FIELD=VALUE")
    action(commands, "list", list_accounts, "list accounts", common)
    p = action(commands, "show", show, "show an account", common)
    p.add_argument("id")
    p = action(commands, "import", import_file, "import accounts from a CRM export (CSV)", common)
    p.add_argument("file")
    p.add_argument("--skip-invalid", action="store_true", help="import the good rows, report the bad")
    p.add_argument("--dry-run", action="store_true",
                   help="check the file and show what would be created or updated; write nothing")
    p.add_argument("--update-existing", action="store_true",
                   help="update accounts the file already has (same CRM record id, else same "
                        "company) with its non-empty values; without it they are skipped")


def add(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services import accounts
    values = {k: getattr(args, k) for k in ("name", "domain", "industry", "country", "region")}
    try:
        account = accounts.add_account(store, values, allow_duplicate=args.allow_duplicate).result
    except accounts.LikelyDuplicate as twin:
        existing = short(twin.twin.account.id)
        raise CommandError(f"{twin}; use it (workbench accounts show {existing}), or add "
                           "--allow-duplicate to create another account",
                           details={"field": "name", **twin.details}) from None
    out.emit(public(account), f"created account {account['id']}  {account['name']}")


def edit(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services import accounts
    account = accounts.edit_account(store, args.id, parse_sets(args.set)).result
    out.emit(public(account), f"updated account {account['id']}  {account['name']}")


def list_accounts(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.store import records
    with store.reading() as conn:
        rows = records.list_records(conn, "accounts", order_by="name")
        document, shown = with_partner(rows, records.partner_names(conn))
    out.emit(document, lambda: table_text(*partner_column(
        ["ID", "NAME", "DOMAIN", "INDUSTRY", "COUNTRY"],
        [[short(r["id"]), r["name"], r["domain"], r["industry"], r["country"]] for r in rows],
        document, shown)))


def show(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.store import records
    with store.reading() as conn:
        account = records.get(conn, "accounts", records.resolve_id(conn, "accounts", args.id))
        related = {name: records.list_records(conn, name, where={"account_id": account["id"]})
                   for name in ("contacts", "registrations", "cases")}
    document = {**public(account), **{k: [public(r) for r in v] for k, v in related.items()}}

    def text() -> str:
        lines = [f"{account['name']}  ({account['id']})"]
        lines += [f"  {k}: {account[k]}" for k in ("domain", "industry", "country", "region", "notes")
                  if account.get(k)]
        lines += [f"  contacts: {len(related['contacts'])}, registrations: "
                  f"{len(related['registrations'])}, cases: {len(related['cases'])}"]
        return "\n".join(lines)
    out.emit(document, text)


def import_file(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services import accounts
    report = accounts.import_accounts(store, Path(args.file), skip_invalid=args.skip_invalid,
                                      dry_run=args.dry_run,
                                      update_existing=args.update_existing).result
    out.emit(report.to_json(), report.text)
