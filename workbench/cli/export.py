"""workbench export DIR: every record type and the edit history, as JSON and CSV."""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.cli.output import Output
from workbench.store.db import Store
from workbench.store.export import export_all


def register(name: str, parser: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    parser.add_argument("dir")
    parser.set_defaults(handler=export_command)


def export_command(store: Store, args: argparse.Namespace, out: Output) -> None:
    folder = Path(args.dir)
    with store.reading() as conn:
        counts = export_all(conn, folder)
    out.emit({"folder": str(folder.resolve()), "counts": counts},
             lambda: f"exported to {folder}: " + ", ".join(f"{k} {v}" for k, v in counts.items() if v))
