"""Why a sync stopped, in words a rep understands.

Every message here is safe to show and to log: none ever contains the access token.
"""

from __future__ import annotations

from typing import Any


class SyncError(RuntimeError):
    """A sync could not complete. `reason`: a short machine-readable code for --json, the UI.

    `summary`: what the sync did before it stopped (set by the engine); `changes`: the same as
    the service layer's Changes (set by services.syncing), so the window redraws what moved.
    """

    reason = "failed"
    summary: Any = None
    changes: Any = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotSignedIn(SyncError):
    reason = "not_signed_in"


class AccessRevoked(SyncError):
    """401 from the server: the token is unknown, expired or revoked."""
    reason = "unauthorized"


class Forbidden(SyncError):
    reason = "forbidden"


class UpdateRequired(SyncError):
    """426 from the server: this workbench speaks an old protocol version."""
    reason = "update_required"


class Unreachable(SyncError):
    """No answer at all: DNS, refused connection, timeouts after the retries."""
    reason = "unreachable"


class ServerFailed(SyncError):
    """The server answered with an error we cannot act on (5xx after retries, unexpected 4xx)."""
    reason = "server_error"

    def __init__(self, message: str, status: int | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.field = field


class BadAnswer(SyncError):
    """The server's answer is not valid protocol (garbled, truncated, wrong shape)."""
    reason = "bad_answer"


class Cancelled(SyncError):
    reason = "cancelled"


class SyncBusy(SyncError):
    """Another sync of the same data folder is running (the window and the CLI at once)."""
    reason = "busy"


class WrongPartner(SyncError):
    reason = "wrong_partner"


class BatchInFlight(SyncError):
    """Changes sent as one user await the server's answer; another user cannot take them over
    (the server keeps answers per user, so a resend under another user could apply them twice)."""
    reason = "batch_in_flight"


class LocalStoreFailed(SyncError):
    """This computer's store could not be written (disk full, damaged, read-only). Pages and
    batches recorded before it stay; the next sync continues from there."""
    reason = "local_store"

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        if reason:
            self.reason = reason
