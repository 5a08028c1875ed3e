"""Signing in and out, and the client for the signed-in user.

The store keeps who is signed in where (sync_state: server_url, user_email, user_id, partner_id,
partner_name) — never the token, which lives in the OS keyring (credentials.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbench.store.db import Store
from workbench.store.records import get_state, set_state
from workbench.sync import credentials, engine, outbox
from workbench.sync.client import Me, SyncClient
from workbench.sync.errors import BatchInFlight, NotSignedIn, SyncError, WrongPartner

STATE_KEYS = ("server_url", "user_email", "user_id", "user_name", "partner_id", "partner_name",
              "partner_tier")


@dataclass(frozen=True)
class SignIn:
    me: Me
    server_url: str
    token_in_keyring: bool
    warning: str | None  # e.g. no keyring: the token is kept for this process only

    def to_json(self) -> dict[str, Any]:
        return {"server": self.server_url, "email": self.me.email, "user_id": self.me.user_id,
                "partner_id": self.me.partner_id, "partner_name": self.me.partner_name,
                "token_stored": "keyring" if self.token_in_keyring else "memory (this process)",
                "warning": self.warning}


def login(store: Store, server_url: str, token: str, *, email: str | None = None,
          **client_options: Any) -> SignIn:
    """Verify `token` with the server (GET /me); remember the user here, the token in the
    keyring."""
    token = token.strip()
    if not token:
        raise NotSignedIn("no access token given")
    server = credentials.normalise_server_url(server_url)
    client = SyncClient(server, token, **client_options)
    try:
        me = client.me()
    finally:
        client.close()
    if email and email.strip().lower() != me.email.lower():
        raise NotSignedIn(f"this token belongs to another user, not {email.strip()}")
    with store.reading() as conn:
        known_partner = get_state(conn, "partner_id")
        known_server = get_state(conn, "server_url")
    if known_partner and (known_partner != me.partner_id or known_server != server):
        raise WrongPartner("this data folder holds another partner's or server's records; sign "
                           "in with a new data folder (--data-dir) instead")
    _finish_previous_users_batch(store, server, me, client_options)
    saved = credentials.save_token(server, me.email, token)
    with store.transaction() as conn:
        for key, value in (("server_url", server), ("user_email", me.email),
                           ("user_id", me.user_id), ("user_name", me.name),
                           ("partner_id", me.partner_id), ("partner_name", me.partner_name),
                           ("partner_tier", me.partner_tier), ("signed_in", True)):
            set_state(conn, key, value)
    return SignIn(me, server, saved.in_keyring, saved.message)


def _finish_previous_users_batch(store: Store, server: str, me: Me,
                                 client_options: dict[str, Any]) -> None:
    """A batch the previous user sent may have been applied; the server remembers its answers
    under that user. Resent under the new user it would be new ops, applied a second time (a
    submit or withdraw twice). So the switch first finishes it as the previous user, or is
    refused, leaving everything as it was."""
    with store.reading() as conn:
        batch = outbox.load_in_flight(conn)
        previous_id, previous = get_state(conn, "user_id"), get_state(conn, "user_email")
    sender = (batch.user_id or previous_id) if batch else None
    if not batch or not sender or sender == me.user_id:
        return
    who = previous or "the previous user"
    refused = (f"{len(batch.ops)} change(s) sent as {who} still await the vendor server's "
               f"answer; sign in as {who} and sync to finish them, then sign in as {me.email}")
    token = credentials.load_token(server, previous) if previous and sender == previous_id \
        else None
    if not token:
        raise BatchInFlight(refused)
    client = SyncClient(server, token, **client_options)
    try:
        engine.finish_in_flight(store, client)
    except SyncError as error:
        raise BatchInFlight(f"{refused} ({error.message})") from None
    finally:
        client.close()


def logout(store: Store) -> dict[str, Any]:
    """Forget the token (keyring and memory). The data and the pending edits stay."""
    with store.transaction() as conn:
        server, email = get_state(conn, "server_url"), get_state(conn, "user_email")
        set_state(conn, "signed_in", False)
    if server and email:
        credentials.delete_token(server, email)
    return {"server": server, "email": email, "signed_out": True}


def signed_in(store: Store) -> tuple[str, str]:
    """(server URL, email) of the user signed in to this data folder, or NotSignedIn."""
    with store.reading() as conn:
        server, email = get_state(conn, "server_url"), get_state(conn, "user_email")
        active = get_state(conn, "signed_in", False)
    if not (server and email and active):
        raise NotSignedIn("not signed in: run `workbench login --server URL` first")
    return server, email


def client_for(store: Store, *, token: str | None = None, **client_options: Any) -> SyncClient:
    """A client for the signed-in user, with the token from the keyring (or `token`)."""
    server, email = signed_in(store)
    token = token or credentials.load_token(server, email)
    if not token:
        raise NotSignedIn(f"no access token for {email} on this computer (signed out, or no "
                          "keyring available): run `workbench login` again, or give the token "
                          "with --token-stdin")
    return SyncClient(server, token, **client_options)
