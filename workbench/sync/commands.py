"""Sync commands of the `workbench` command line (registered by workbench/cli.py).

    workbench login --server URL [--email E] [--token-stdin]
    workbench logout
    workbench sync [--json] [--token-stdin] [--timeout SECONDS]
    workbench status
    workbench conflicts list [--all] | show ID | resolve ID (--keep mine|theirs | --set FIELD=VALUE)
    workbench leads list | accept ID | reject ID --reason TEXT | contacted ID
    workbench opportunities list | show ID

Exit codes of `sync` (and `login`): 0 the sync completed (rejected edits and new conflicts are
listed in the summary; they do not make it fail); 4 the sync could not complete — the message
says why (not signed in, access revoked, update required, server unreachable, a malformed
answer, another sync running). Local data and the outbox are consistent either way; run it again.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from workbench.cli import EXIT_SYNC, CommandError, Output, money, public, short, table_text
from workbench.domain.leads import lead_sla
from workbench.domain.values import InvalidValue, now_text, parse_datetime
from workbench.store import records
from workbench.store.db import Store
from workbench.sync import account, conflicts as conflict_api
from workbench.sync.engine import sync as run_sync
from workbench.sync.errors import SyncError
from workbench.sync.protocol import MAX_OPS_PER_PUSH, MAX_PULL_LIMIT
from workbench.sync.status import sync_status


class SyncCommandError(CommandError):
    """Exit code 4 with the reason code and the partial summary for --json."""

    def __init__(self, error: SyncError, summary: dict[str, Any] | None = None) -> None:
        super().__init__(error.message, EXIT_SYNC)
        self.details = {"reason": error.reason, **({"summary": summary} if summary else {})}


def _read_token(args: argparse.Namespace) -> str:
    if getattr(args, "token_stdin", False):
        token = sys.stdin.readline().strip()
    else:
        token = getpass.getpass("Access token (input hidden): ").strip()
    if not token:
        raise CommandError("no access token given", EXIT_SYNC)
    return token


# --- sign-in, sync, status ---------------------------------------------------------------------

def login_command(store: Store, args: argparse.Namespace, out: Output) -> None:
    token = _read_token(args)
    try:
        result = account.login(store, args.server, token, email=args.email,
                               read_timeout=args.timeout)
    except SyncError as error:
        raise SyncCommandError(error) from None
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


def logout_command(store: Store, args: argparse.Namespace, out: Output) -> None:
    result = account.logout(store)
    out.emit(result, f"signed out{' of ' + result['server'] if result['server'] else ''}; your "
                     "data and unsent edits stay in this data folder")


def sync_command(store: Store, args: argparse.Namespace, out: Output) -> None:
    token = _read_token(args) if args.token_stdin else None
    client = None
    try:
        client = account.client_for(store, token=token, read_timeout=args.timeout)
        summary = run_sync(store, client, batch_size=args.batch_size, page_size=args.page_size)
    except SyncError as error:
        partial = getattr(error, "summary", None)
        raise SyncCommandError(error, partial.to_json() if partial else None) from None
    finally:
        if client is not None:
            client.close()

    def text() -> str:
        merged = f", {summary.merged} merged with changes made meanwhile" if summary.merged else ""
        lines = [f"sync done in {summary.duration:.1f} s: sent {summary.pushed} change(s) "
                 f"({summary.applied} applied, {len(summary.rejected)} rejected{merged}), "
                 f"received {summary.pulled} record(s)"]
        for rejection in summary.rejected:
            lines.append(f"  rejected: {rejection.entity} {short(rejection.record_id)} "
                         f"{rejection.kind}: {rejection.reason}")
        if summary.conflicts:
            lines.append(f"  {summary.conflicts} new conflict(s): see `workbench conflicts list`")
        elif summary.open_conflicts:
            lines.append(f"  {summary.open_conflicts} conflict(s) still open: see "
                         "`workbench conflicts list`")
        return "\n".join(lines)
    out.emit(summary.to_json(), text)


def status_command(store: Store, args: argparse.Namespace, out: Output) -> None:
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
                lines.append(f"  {r['entity']} {short(r['record_id'])} {what}: {r['reason']}")
        if state["conflicts"]:
            lines.append(f"open conflicts: {len(state['conflicts'])} (workbench conflicts list)")
        return "\n".join(lines)
    out.emit(state, text)


# --- conflicts ---------------------------------------------------------------------------------

def _value(value: Any) -> str:
    return "(empty)" if value is None or value == "" else str(value)


def conflicts_list(store: Store, args: argparse.Namespace, out: Output) -> None:
    with store.reading() as conn:
        rows = conflict_api.list_conflicts(conn, include_resolved=args.all)
    out.emit(rows, lambda: table_text(
        ["ID", "RECORD", "FIELD", "MINE", "THEIRS", "STATE"],
        [[short(r["id"]), f"{r['entity_label']} {r['record_title'] or short(r['record_id'])}",
          r["field"], _value(r["mine_value"])[:30], _value(r["theirs_value"])[:30],
          "open" if r["open"] else r["resolution"]] for r in rows]) if rows else "no conflicts")


def conflicts_show(store: Store, args: argparse.Namespace, out: Output) -> None:
    with store.reading() as conn:
        row = conflict_api.get_conflict(conn, args.id)

    def text() -> str:
        return "\n".join([
            f"conflict {row['id']} on {row['entity_label']} "
            f"{row['record_title'] or ''} ({row['record_id']})",
            f"  field:  {row['field_label']} ({row['field']})",
            f"  base:   {_value(row['base_value'])}",
            f"  mine:   {_value(row['mine_value'])}",
            f"  theirs: {_value(row['theirs_value'])} (server version {row['theirs_version']})",
            f"  state:  {'open' if row['open'] else 'resolved: ' + row['resolution']}",
            f"resolve with: workbench conflicts resolve {short(row['id'])} --keep mine|theirs "
            f"(or --set {row['field']}=VALUE)"])
    out.emit(row, text)


def conflicts_resolve(store: Store, args: argparse.Namespace, out: Output) -> None:
    value, set_value = None, False
    if args.set:
        name, sep, value = args.set.partition("=")
        if not sep:
            raise CommandError(f"--set: expected FIELD=VALUE, got {args.set!r}")
        set_value = True
    with store.transaction() as conn:
        if set_value:
            field = conflict_api.get_conflict(conn, args.id)["field"]
            if name.strip() != field:
                raise InvalidValue(name.strip(), f"this conflict is about {field}; "
                                                 f"use --set {field}=VALUE")
        row = conflict_api.resolve(conn, args.id, keep=args.keep, value=value,
                                   set_value=set_value)
    out.emit(row, f"resolved conflict {short(row['id'])}: {row['field']} = {_value(row['value'])}"
                  + (" (will be sent on the next sync)" if row["op_id"] else ""))


# --- leads -------------------------------------------------------------------------------------

def _sla(lead: dict[str, Any], now: datetime) -> dict[str, Any] | None:
    if not lead.get("assigned_at"):
        return None
    first = parse_datetime(lead["first_contact_at"]) if lead.get("first_contact_at") else None
    state = lead_sla(parse_datetime(lead["assigned_at"]), first, now)
    return {"due_at": state.due_at.isoformat(),
            "remaining_seconds": int(state.remaining.total_seconds()),
            "met": state.met, "breached": state.breached}


def _sla_text(sla: dict[str, Any] | None, lead: dict[str, Any]) -> str:
    if sla is None:
        return ""
    if sla["met"]:
        return "met"
    if sla["breached"]:
        return "breached"
    if lead.get("working_status") == "rejected":
        return "-"
    left = timedelta(seconds=sla["remaining_seconds"])
    hours, rest = divmod(int(left.total_seconds()), 3600)
    return f"{hours}h {rest // 60:02d}m left"


def leads_list(store: Store, args: argparse.Namespace, out: Output) -> None:
    now = datetime.now(UTC)
    with store.reading() as conn:
        rows = records.list_records(conn, "leads", order_by="assigned_at")
    if not args.all:
        rows = [r for r in rows if r["assignment_status"] != "recycled"]
    document = [{**public(r), "sla": _sla(r, now)} for r in rows]
    out.emit(document, lambda: table_text(
        ["ID", "COMPANY", "CONTACT", "STATUS", "ASSIGNED", "FIRST CONTACT (48H)"],
        [[short(d["id"]), d["company_name"], d["contact_name"], d["working_status"],
          (d["assigned_at"] or "")[:16], _sla_text(d["sla"], d)] for d in document])
        if document else "no leads")


def _lead_action(target: str):
    def run(store: Store, args: argparse.Namespace, out: Output) -> None:
        with store.transaction() as conn:
            lead_id = records.resolve_id(conn, "leads", args.id)
            lead = records.get(conn, "leads", lead_id)
            changes: dict[str, Any] = {"working_status": target}
            if target == "rejected":
                changes["rejection_reason"] = args.reason
            if target == "contacted" and not lead.get("first_contact_at"):
                changes["first_contact_at"] = now_text()
            lead = records.update(conn, "leads", lead_id, changes)
        sla = _sla(lead, datetime.now(UTC))
        out.emit({**public(lead), "sla": sla},
                 f"lead {short(lead['id'])} {lead['company_name']}: {target} "
                 f"(sent on the next sync){'; SLA ' + _sla_text(sla, lead) if sla else ''}")
    return run


# --- opportunities -----------------------------------------------------------------------------

def _attributions(conn: Any, opportunity_id: str) -> list[dict[str, Any]]:
    rows = records.list_records(conn, "attributions", where={"opportunity_id": opportunity_id})
    return [{"role": r["role"], "split_percent": r["split_percent"], "partner_id": r["partner_id"]}
            for r in rows]


def opportunities_list(store: Store, args: argparse.Namespace, out: Output) -> None:
    with store.reading() as conn:
        rows = records.list_records(conn, "opportunities", order_by="expected_close_date")
        document = [{**public(r), "attribution": _attributions(conn, r["id"])} for r in rows]
    out.emit(document, lambda: table_text(
        ["ID", "NAME", "CUSTOMER", "STAGE", "AMOUNT", "CLOSE", "OUTCOME", "YOUR ROLE"],
        [[short(d["id"]), d["name"], d["customer_name"], d["stage"],
          money(d["amount_cents"], d["currency"]), d["expected_close_date"], d["outcome"],
          ", ".join(a["role"] for a in d["attribution"])] for d in document])
        if document else "no opportunities")


def opportunities_show(store: Store, args: argparse.Namespace, out: Output) -> None:
    with store.reading() as conn:
        opp = records.get(conn, "opportunities", records.resolve_id(conn, "opportunities", args.id))
        attribution = _attributions(conn, opp["id"])
    document = {**public(opp), "attribution": attribution}

    def text() -> str:
        lines = [f"{opp['name']}  ({opp['id']})",
                 f"  customer: {opp['customer_name'] or ''} "
                 f"{opp['customer_domain'] or ''}".rstrip(),
                 f"  stage: {opp['stage']}, outcome: {opp['outcome']}",
                 f"  amount: {money(opp['amount_cents'], opp['currency'])}"]
        for key in ("opened_on", "expected_close_date", "closed_on", "registration_id"):
            if opp.get(key):
                lines.append(f"  {key.replace('_', ' ')}: {opp[key]}")
        for a in attribution:
            split = f" ({a['split_percent']}%)" if a["split_percent"] is not None else ""
            lines.append(f"  attribution: {a['role']}{split}")
        return "\n".join(lines)
    out.emit(document, text)


# --- registration --------------------------------------------------------------------------------

def register(groups: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    def command(sub: argparse._SubParsersAction, name: str, handler, help_text: str,
                **kwargs: Any) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, parents=[common], **kwargs)
        p.set_defaults(handler=handler)
        return p

    def group(name: str, help_text: str) -> argparse._SubParsersAction:
        return groups.add_parser(name, help=help_text, parents=[common]).add_subparsers(
            dest="command", metavar="ACTION", required=True)

    def timeout_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                       help="how long to wait for each answer of the server (default 30)")

    p = command(groups, "login", login_command, "sign in to the vendor server")
    p.add_argument("--server", required=True, metavar="URL", help="e.g. https://partners.example.com")
    p.add_argument("--email", help="your user (default: the token's user)")
    p.add_argument("--token-stdin", action="store_true",
                   help="read the access token from the first line of standard input")
    timeout_option(p)
    command(groups, "logout", logout_command, "forget the access token on this computer")
    p = command(groups, "sync", sync_command, "send your edits and receive the vendor's changes",
                description="Push pending edits, then pull the vendor's changes. Exit codes: 0 "
                            "done (rejections and conflicts are listed); 4 the sync could not "
                            "complete (the message says why; run it again).")
    p.add_argument("--token-stdin", action="store_true",
                   help="use the access token on standard input (when there is no keyring)")
    timeout_option(p)
    # Tuning knobs for tests and support (smaller batches and pages: more, shorter transactions).
    p.add_argument("--batch-size", type=int, default=MAX_OPS_PER_PUSH, help=argparse.SUPPRESS)
    p.add_argument("--page-size", type=int, default=MAX_PULL_LIMIT, help=argparse.SUPPRESS)
    command(groups, "status", status_command,
            "unsent edits, rejected edits with reasons, open conflicts, last sync")

    conflicts = group("conflicts", "fields changed both here and by the vendor or a colleague")
    command(conflicts, "list", conflicts_list, "list open conflicts").add_argument(
        "--all", action="store_true", help="include resolved conflicts")
    command(conflicts, "show", conflicts_show, "show base, mine and theirs").add_argument("id")
    p = command(conflicts, "resolve", conflicts_resolve, "decide a conflict")
    p.add_argument("id")
    choice = p.add_mutually_exclusive_group(required=True)
    choice.add_argument("--keep", choices=list(conflict_api.RESOLUTIONS))
    choice.add_argument("--set", metavar="FIELD=VALUE", help="a new value for the field")

    leads = group("leads", "leads the vendor assigned to you (48-hour first-contact SLA)")
    command(leads, "list", leads_list, "list leads with the SLA countdown").add_argument(
        "--all", action="store_true", help="include leads the vendor took back")
    command(leads, "accept", _lead_action("accepted"), "accept a lead").add_argument("id")
    p = command(leads, "reject", _lead_action("rejected"), "reject a lead")
    p.add_argument("id")
    p.add_argument("--reason", required=True, help="why the lead is not for you")
    command(leads, "contacted", _lead_action("contacted"),
            "log the first contact (now)").add_argument("id")

    opportunities = group("opportunities", "opportunities (read-only; the vendor updates them)")
    command(opportunities, "list", opportunities_list, "list opportunities")
    command(opportunities, "show", opportunities_show,
            "show an opportunity with your attribution").add_argument("id")
