"""The headless command line: `workbench …` for scripting, admins and tests.

    main.py     entry: which command, its module, exit codes (imports nothing heavy)
    errors.py   exit codes and CommandError
    output.py   text tables (by display width), JSON, money and dates for the terminal
    accounts.py, contacts.py, registrations.py, cases.py, leads.py, opportunities.py,
    conflicts.py, sync.py (login, logout, sync, status), scorecard.py, export.py
                one module per command group: its arguments and its handlers

A command imports what it needs when it runs, so `workbench --version` and `--help` start in a
blink. Every write is a call into `workbench.services`.
"""

import os
import sys
from collections.abc import Sequence

from workbench.cli.main import main as run

__all__ = ["main"]

# Exit status of a command whose reader stopped reading (`workbench … | head`), as the shell
# reports a program ended by SIGPIPE: 128 + 13.
EXIT_READER_GONE = 141


def main(argv: Sequence[str] | None = None) -> int:
    """The `workbench` entry point: `run`, quietly ending when the output's reader has gone."""
    try:
        code = run(argv)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # Python would print a traceback at exit while flushing to the closed pipe; point stdout
        # at nothing so nothing more is written, and end as `cat` or `grep` would.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_READER_GONE
