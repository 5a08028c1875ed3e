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

from workbench.cli.main import main

__all__ = ["main"]
