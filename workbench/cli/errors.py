"""Exit codes of `workbench` and how an error maps to one.

0 done, 1 unexpected failure (e.g. the data folder is unusable), 2 bad input — the message names
the field and the problem, nothing is written, 3 record not found, 4 sync could not complete.
"""

from __future__ import annotations

import sys
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_NOT_FOUND, EXIT_SYNC = 0, 1, 2, 3, 4


class CommandError(Exception):
    """Bad use of a command; `details` go into the --json error document."""

    def __init__(self, message: str, code: int = EXIT_INVALID,
                 details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.details = details or {}


# (module, class, exit code): errors a person can act on. Checked only against modules already
# loaded (an error cannot be an instance of a class that was never imported), so reporting an
# error imports nothing.
_USER_ERRORS = (
    ("workbench.store.records", "NotFound", EXIT_NOT_FOUND),
    ("workbench.store.db", "StoreError", EXIT_FAILED),
    ("workbench.domain.errors", "InvalidValue", EXIT_INVALID),
    ("workbench.domain.errors", "IllegalTransition", EXIT_INVALID),
    ("workbench.store.csv_import", "ImportFailed", EXIT_INVALID),
    ("workbench.sync.errors", "SyncError", EXIT_SYNC),
)


def exit_code_of(error: BaseException) -> int | None:
    """The exit code for an error a person can act on; None for a bug (let it raise)."""
    if isinstance(error, CommandError):
        return error.code
    for module_name, class_name, code in _USER_ERRORS:
        cls = getattr(sys.modules.get(module_name), class_name, None)
        if cls is not None and isinstance(error, cls):
            return code
    return None
