"""workbench contacts add | list."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from workbench.cli.args import action, actions
from workbench.cli.output import Output, public, short, table_text

if TYPE_CHECKING:
    from workbench.store.db import Store


def register(name: str, parser: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    commands = actions(parser)
    p = action(commands, "add", add, "add a contact to an account", common)
    p.add_argument("--account", required=True, metavar="ID")
    p.add_argument("--name", required=True)
    p.add_argument("--email")
    p.add_argument("--role")
    p = action(commands, "list", list_contacts, "list contacts", common)
    p.add_argument("--account", metavar="ID")


def add(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services import accounts
    contact = accounts.add_contact(store, args.account, {"name": args.name, "email": args.email,
                                                         "role": args.role}).result
    out.emit(public(contact), f"created contact {contact['id']}  {contact['name']}")


def list_contacts(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.store import records
    with store.reading() as conn:
        where = {"account_id": records.resolve_id(conn, "accounts", args.account)} \
            if args.account else {}
        rows = records.list_records(conn, "contacts", where=where, order_by="name")
    out.emit([public(r) for r in rows], lambda: table_text(
        ["ID", "NAME", "EMAIL", "ROLE", "ACCOUNT"],
        [[short(r["id"]), r["name"], r["email"], r["role"], short(r["account_id"])] for r in rows]))
