"""Sync with the vendor server (docs/sync-protocol.md, DESIGN §3).

    protocol     wire messages shared with the server
    credentials  the access token in the OS keyring
    client       HTTP client (timeouts, retries, TLS, answer validation)
    account      sign in / out, the client for the signed-in user
    outbox       push batches from pending edits; what is in flight
    apply        writing push results and pulled pages locally (the merge rules)
    engine       one sync: push, then pull; progress, cancellation, log
    conflicts    stored conflicts and their resolution
    status       what the Sync view and `workbench status` show
    commands     the command line (login, logout, sync, status, conflicts, leads, opportunities)

The UI calls `engine.sync(store, account.client_for(store), progress=…, cancel=…)` on a worker
thread, the same function the command line uses.
"""
