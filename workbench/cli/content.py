"""workbench content list | open ID — the vendor's content library, cached for offline use."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from workbench.cli.args import action, actions
from workbench.cli.output import Output, public, short, table_text
from workbench.domain.attachments import human_size

if TYPE_CHECKING:
    from workbench.store.db import Store


def register(name: str, parser: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    commands = actions(parser)
    action(commands, "list", list_content, "documents the vendor published for your tier",
           common)
    p = action(commands, "open", open_content, "open a document: print where it is (or copy it "
               "with --out); the vendor counts it as a download", common)
    p.add_argument("id")
    p.add_argument("--out", metavar="FILE", help="copy the document here")


def list_content(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services import content

    rows = content.list_content(store)
    out.emit([public(r) for r in rows], lambda: table_text(
        ["ID", "TITLE", "FILE", "SIZE", "FOR", "HERE"],
        [[short(r["id"]), r["title"], r["filename"], human_size(r["size_bytes"] or 0),
          (r.get("tier") or "every tier"), "yes" if r["cached"] else "at next sync"]
         for r in rows]))


def open_content(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services import content

    opened = content.open_content(store, args.id, args.out).result
    out.emit(public(opened), f"{opened['title']}: {opened['opened']}")
