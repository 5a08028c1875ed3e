"""`workbench --restore-backup [FILE]`: put back the newest intact backup of a damaged store.

The damaged database (and its -wal/-shm files) is moved aside, never deleted; a healthy store is
refused. See README, "When the data folder cannot be used".
"""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.cli.output import Output
from workbench.store.db import restore_backup


def restore(args: argparse.Namespace, out: Output) -> None:
    done = restore_backup(getattr(args, "data_dir", None),
                          Path(args.restore_backup) if args.restore_backup else None)
    restored = (f"restored the backup {done.backup.name}; the next sync brings what the vendor "
                "has since" if done.backup else "no intact backup: the workbench starts with an "
                "empty store; sign in and sync to get your data back from the vendor")
    out.emit({"moved_aside": [str(p) for p in done.moved_aside],
              "backup": str(done.backup) if done.backup else None},
             "\n".join([f"kept the damaged file as {p.name}" for p in done.moved_aside[:1]]
                       + [restored]))
