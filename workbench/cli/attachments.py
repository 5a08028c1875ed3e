"""workbench attachments get ID --out FILE — save an attached file (checked by its SHA-256)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from workbench.cli.args import action, actions
from workbench.cli.output import Output

if TYPE_CHECKING:
    from workbench.store.db import Store


def register(name: str, parser: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    commands = actions(parser)
    p = action(commands, "get", get, "save an attachment's file (from this computer, or from "
               "the vendor server when it is not here)", common)
    p.add_argument("id")
    p.add_argument("--out", required=True, metavar="FILE", help="where to save it")


def get(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services import mdf

    saved = mdf.save_attachment(store, args.id, args.out)
    out.emit(saved, f"saved {saved['filename']} to {saved['saved_to']} "
                    f"(sha256 {saved['sha256']})")
