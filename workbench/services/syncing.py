"""Signing in and out, and one sync — the same calls for the command line and the window."""

from __future__ import annotations

from typing import Any

from workbench.services.changes import Changes, Done
from workbench.store.db import Store
from workbench.sync import account
from workbench.sync.engine import CancelCheck, ProgressCallback, SyncSummary
from workbench.sync.engine import sync as run_sync
from workbench.sync.errors import SyncError
from workbench.sync.protocol import MAX_OPS_PER_PUSH, MAX_PULL_LIMIT

SIGNED_IN_OR_OUT = Changes(account=True)


def sign_in(store: Store, server_url: str, token: str, *, email: str | None = None,
            **client_options: Any) -> Done[account.SignIn]:
    """Check `token` with the server; remember the user here and the token in the keyring."""
    return Done(account.login(store, server_url, token, email=email, **client_options),
                SIGNED_IN_OR_OUT)


def sign_out(store: Store) -> Done[dict[str, Any]]:
    """Forget the token; the data and the unsent edits stay."""
    return Done(account.logout(store), SIGNED_IN_OR_OUT)


def sync(store: Store, *, token: str | None = None, progress: ProgressCallback | None = None,
         cancel: CancelCheck | None = None, batch_size: int = MAX_OPS_PER_PUSH,
         page_size: int = MAX_PULL_LIMIT, **client_options: Any) -> Done[SyncSummary]:
    """Push the outbox, then pull the vendor's changes, as the signed-in user.

    A SyncError leaves local data consistent; it carries `.changes` for what was done before it
    (and `.summary`, the partial summary, when the engine got that far).
    """
    client = None
    try:
        client = account.client_for(store, token=token, **client_options)
        summary = run_sync(store, client, progress=progress, cancel=cancel,
                           batch_size=batch_size, page_size=page_size)
    except SyncError as error:
        partial = error.summary
        error.changes = Changes.after_sync(partial.pushed if partial else 0,
                                           partial.pulled if partial else 0)
        raise
    finally:
        if client is not None:
            client.close()
    return Done(summary, Changes.after_sync(summary.pushed, summary.pulled))
