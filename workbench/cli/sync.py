"""workbench login | logout | sync | status.

Exit codes of `sync` (and `login`): 0 the sync completed (rejected edits and new conflicts are
listed in the summary; they do not make it fail); 4 the sync could not complete — the message
says why (not signed in, access revoked, update required, server unreachable, a malformed
answer, another sync running). Local data and the outbox are consistent either way; run it again.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING, Any

from workbench.cli.errors import EXIT_SYNC, CommandError
from workbench.cli.output import Output, short
from workbench.domain.model import ENTITIES
from workbench.sync.errors import SyncError
from workbench.sync.protocol import MAX_OPS_PER_PUSH, MAX_PULL_LIMIT

if TYPE_CHECKING:
    from workbench.store.db import Store


def register(name: str, parser: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    if name == "login":
        parser.add_argument("--server", required=True, metavar="URL",
                            help="e.g. https://partners.example.com")
        parser.add_argument("--email", help="your user (default: the token's user)")
        parser.add_argument("--token-stdin", action="store_true",
                            help="read the access token from the first line of standard input")
        _timeout_option(parser)
        parser.set_defaults(handler=login)
    elif name == "logout":
        parser.set_defaults(handler=logout)
    elif name == "sync":
        parser.description = ("Push pending edits, then pull the vendor's changes. Exit codes: 0 "
                              "done (rejections and conflicts are listed); 4 the sync could not "
                              "complete (the message says why; run it again).")
        parser.add_argument("--token-stdin", action="store_true",
                            help="use the access token on standard input (when there is no "
                                 "keyring)")
        _timeout_option(parser)
        # Tuning knobs for tests and support (smaller batches and pages: shorter transactions).
        parser.add_argument("--batch-size", type=int, default=MAX_OPS_PER_PUSH,
                            help=argparse.SUPPRESS)
        parser.add_argument("--page-size", type=int, default=MAX_PULL_LIMIT, help=argparse.SUPPRESS)
        parser.set_defaults(handler=sync)
    else:
        parser.set_defaults(handler=status)


def _label(entity_name: str) -> str:
    """"deal registration" for "registrations": the record type as the rep names it."""
    spec = ENTITIES.get(entity_name)
    return (spec.label or entity_name).lower() if spec else entity_name


def _timeout_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                        help="how long to wait for each answer of the server (default 30)")


def _sync_failed(error: SyncError, summary: dict[str, Any] | None = None) -> CommandError:
    """Exit code 4 with the reason code and the partial summary for --json."""
    return CommandError(error.message, EXIT_SYNC,
                        {"reason": error.reason, **({"summary": summary} if summary else {})})


def _read_token(args: argparse.Namespace) -> str:
    if getattr(args, "token_stdin", False):
        token = sys.stdin.readline().strip()
    else:
        token = getpass.getpass("Access token (input hidden): ").strip()
    if not token:
        raise CommandError("no access token given", EXIT_SYNC)
    return token


def login(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services import syncing  # HTTP and the keyring: only the commands that talk
    token = _read_token(args)
    try:
        result = syncing.sign_in(store, args.server, token, email=args.email,
                                 read_timeout=args.timeout).result
    except SyncError as error:
        raise _sync_failed(error) from None
    except ValueError as error:  # BadServerUrl, or plain http to a remote host
        raise CommandError(str(error)) from None
    me = result.me

    def text() -> str:
        lines = [f"signed in to {result.server_url} as {me.email} "
                 f"({me.partner_name or me.partner_id})"]
        lines.append("the access token is stored in the system keyring" if result.token_in_keyring
                     else f"warning: {result.warning}")
        return "\n".join(lines)
    out.emit(result.to_json(), text)


def logout(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services import syncing
    result = syncing.sign_out(store).result
    out.emit(result, f"signed out{' of ' + result['server'] if result['server'] else ''}; your "
                     "data and unsent edits stay in this data folder")


def sync(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services import syncing
    token = _read_token(args) if args.token_stdin else None
    try:
        summary = syncing.sync(store, token=token, read_timeout=args.timeout,
                               batch_size=args.batch_size, page_size=args.page_size).result
    except SyncError as error:
        raise _sync_failed(error, error.summary.to_json() if error.summary else None) from None

    def text() -> str:
        merged = f", {summary.merged} merged with changes made meanwhile" if summary.merged else ""
        lines = [f"sync done in {summary.duration:.1f} s: sent {summary.pushed} change(s) "
                 f"({summary.applied} applied, {len(summary.rejected)} rejected{merged}), "
                 f"received {summary.pulled} record(s)"]
        for rejection in summary.rejected:
            lines.append(f"  rejected: {_label(rejection.entity)} {short(rejection.record_id)} "
                         f"{rejection.kind}: {rejection.reason}")
        if summary.uploaded:
            lines.append(f"  sent {summary.uploaded} attached file(s)")
        for problem in summary.upload_problems:
            lines.append(f"  file refused: {problem}")
        if summary.cached:
            lines.append(f"  {summary.cached} content library document(s) kept for offline use")
        if summary.conflicts:
            lines.append(f"  {summary.conflicts} new conflict(s): see `workbench conflicts list`")
        elif summary.open_conflicts:
            lines.append(f"  {summary.open_conflicts} conflict(s) still open: see "
                         "`workbench conflicts list`")
        return "\n".join(lines)
    out.emit(summary.to_json(), text)


def status(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.sync.status import sync_status
    with store.reading() as conn:
        state = sync_status(conn)

    def text() -> str:
        who = f"{state['user']} on {state['server']}" if state["server"] else "nobody"
        lines = [f"signed in: {who}" + ("" if state["signed_in"] or not state["server"]
                                         else " (signed out)"),
                 f"waiting to be sent: {state['pending']} edit(s)"]
        last = state["last_sync"]
        if last:
            lines.append(f"last sync: {last['at']} {last['outcome']}"
                         + (f" — {last['message']}" if last.get("message") else ""))
        else:
            lines.append("last sync: never")
        if state["rejected_total"]:
            lines.append(f"rejected edits: {state['rejected_total']}")
            for r in state["rejected"][:20]:
                what = r["action"] or r["kind"]
                lines.append(f"  {_label(r['entity'])} {short(r['record_id'])} {what}: "
                             f"{r['reason']}")
        if state["conflicts"]:
            lines.append(f"open conflicts: {len(state['conflicts'])} (workbench conflicts list)")
        return "\n".join(lines)
    out.emit(state, text)
