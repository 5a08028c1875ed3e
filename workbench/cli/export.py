"""workbench export DIR: every record type and the edit history, as JSON and CSV."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.cli.output import Output

if TYPE_CHECKING:
    from workbench.store.db import Store


def register(name: str, parser: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    parser.add_argument("dir")
    parser.set_defaults(handler=export_command)


def export_command(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.store.export import export_all
    folder = Path(args.dir)
    with store.reading() as conn:
        counts = export_all(conn, folder)
    out.emit({"folder": str(folder.resolve()), "counts": counts},
             lambda: f"exported to {folder}: " + ", ".join(f"{k} {v}" for k, v in counts.items() if v))
