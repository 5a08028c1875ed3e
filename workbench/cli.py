"""The headless command line: `workbench …` for scripting, admins and tests.

Every command takes --data-dir and --json; with --json it prints exactly one JSON document.
Exit codes: 0 done, 1 unexpected failure, 2 bad input (the message names the field),
3 record not found, 4 sync could not complete (see `workbench sync --help`).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbench import __version__
from workbench.domain import registration as registration_rules
from workbench.domain.accounts import Twin
from workbench.domain.matching import Match
from workbench.domain.values import InvalidValue, parse_datetime
from workbench.store import duplicates, records
from workbench.store.csv_import import ImportFailed, import_accounts
from workbench.store.db import Store, StoreError, open_store, restore_backup
from workbench.store.export import export_all

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_NOT_FOUND, EXIT_SYNC = 0, 1, 2, 3, 4


class CommandError(Exception):
    def __init__(self, message: str, code: int = EXIT_INVALID) -> None:
        super().__init__(message)
        self.code = code
        self.details: dict[str, Any] = {}  # more for --json (e.g. the likely twin)


# --- output ------------------------------------------------------------------------------------

def money(cents: int | None, currency: str | None = "USD") -> str:
    if cents is None:
        return ""
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(currency or "USD", "")
    text = f"{symbol}{cents / 100:,.2f}"
    return text if symbol else f"{text} {currency}"


def short(record_id: str | None) -> str:
    return (record_id or "")[:8]


def table_text(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[str(c) if c is not None else "" for c in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)


def public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "deleted"}


_UNDECODED = re.compile("[\ud800-\udfff]")  # bytes of a file name or argument that were not UTF-8


def printable(text: str, *, in_json: bool = False) -> str:
    """Text safe to print on any terminal: bytes that were not UTF-8 (a file name, an argument)
    are shown as \\xNN instead of crashing the print (escaped once more inside JSON strings)."""
    slash = "\\\\" if in_json else "\\"

    def shown(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"{slash}x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"{slash}u{code:04x}"
    return _UNDECODED.sub(shown, text)


class Output:
    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def emit(self, document: Any, text: str | Callable[[], str]) -> None:
        if self.as_json:
            print(printable(json.dumps(document, ensure_ascii=False, indent=2, default=str),
                            in_json=True))
        else:
            print(printable(text() if callable(text) else text))


# --- accounts and contacts ---------------------------------------------------------------------

def _parse_sets(pairs: list[str]) -> dict[str, str]:
    changes = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise CommandError(f"--set: expected FIELD=VALUE, got {pair!r}")
        changes[name.strip()] = value
    return changes


def accounts_add(store: Store, args: argparse.Namespace, out: Output) -> None:
    values = {k: getattr(args, k) for k in ("name", "domain", "industry", "country", "region")}
    with store.transaction() as conn:
        twin = None if args.allow_duplicate else duplicates.likely_twin(
            conn, args.name, args.domain or "")
        if twin:
            raise _twin_error(twin)
        account = records.create(conn, "accounts", values)
    out.emit(public(account), f"created account {account['id']}  {account['name']}")


def _twin_error(twin: Twin) -> CommandError:
    """exit 2: this company is probably an account already (seed 003, edge case 4)."""
    account = twin.account
    error = CommandError(f"--name: probably already in the workbench as account "
                         f"{short(account.id)} '{account.name}' ({twin.why()}); use it "
                         f"(workbench accounts show {short(account.id)}), or add "
                         "--allow-duplicate to create another account")
    error.details = {"field": "name", "duplicate_of": {
        "id": account.id, "name": account.name, "domain": account.domain,
        "score": round(twin.score, 1), "reasons": list(twin.reasons)}}
    return error


def accounts_edit(store: Store, args: argparse.Namespace, out: Output) -> None:
    with store.transaction() as conn:
        record_id = records.resolve_id(conn, "accounts", args.id)
        account = records.update(conn, "accounts", record_id, _parse_sets(args.set))
    out.emit(public(account), f"updated account {account['id']}  {account['name']}")


def accounts_list(store: Store, args: argparse.Namespace, out: Output) -> None:
    with store.reading() as conn:
        rows = records.list_records(conn, "accounts", order_by="name")
    out.emit([public(r) for r in rows], lambda: table_text(
        ["ID", "NAME", "DOMAIN", "INDUSTRY", "COUNTRY"],
        [[short(r["id"]), r["name"], r["domain"], r["industry"], r["country"]] for r in rows]))


def accounts_show(store: Store, args: argparse.Namespace, out: Output) -> None:
    with store.reading() as conn:
        account = records.get(conn, "accounts", records.resolve_id(conn, "accounts", args.id))
        related = {name: records.list_records(conn, name, where={"account_id": account["id"]})
                   for name in ("contacts", "registrations", "cases")}
    document = {**public(account), **{k: [public(r) for r in v] for k, v in related.items()}}

    def text() -> str:
        lines = [f"{account['name']}  ({account['id']})"]
        lines += [f"  {k}: {account[k]}" for k in ("domain", "industry", "country", "region", "notes")
                  if account.get(k)]
        lines += [f"  contacts: {len(related['contacts'])}, registrations: "
                  f"{len(related['registrations'])}, cases: {len(related['cases'])}"]
        return "\n".join(lines)
    out.emit(document, text)


def accounts_import(store: Store, args: argparse.Namespace, out: Output) -> None:
    with store.transaction() as conn:
        report = import_accounts(conn, Path(args.file), skip_invalid=args.skip_invalid,
                                 dry_run=args.dry_run, update_existing=args.update_existing)
        if args.dry_run:
            conn.rollback()
    out.emit(report.to_json(), report.text)


def contacts_add(store: Store, args: argparse.Namespace, out: Output) -> None:
    with store.transaction() as conn:
        account_id = records.resolve_id(conn, "accounts", args.account)
        contact = records.create(conn, "contacts", {"account_id": account_id, "name": args.name,
                                                    "email": args.email, "role": args.role})
    out.emit(public(contact), f"created contact {contact['id']}  {contact['name']}")


def contacts_list(store: Store, args: argparse.Namespace, out: Output) -> None:
    with store.reading() as conn:
        where = {"account_id": records.resolve_id(conn, "accounts", args.account)} if args.account else {}
        rows = records.list_records(conn, "contacts", where=where, order_by="name")
    out.emit([public(r) for r in rows], lambda: table_text(
        ["ID", "NAME", "EMAIL", "ROLE", "ACCOUNT"],
        [[short(r["id"]), r["name"], r["email"], r["role"], short(r["account_id"])] for r in rows]))


# --- registrations -----------------------------------------------------------------------------

def _match_json(match: Match) -> dict[str, Any]:
    return {"id": match.candidate.id, "kind": match.candidate.kind, "name": match.candidate.name,
            "domain": match.candidate.domain, "score": round(match.score, 1),
            "reasons": list(match.reasons)}


def _matches_text(matches: list[Match]) -> str:
    if not matches:
        return "no duplicates found"
    lines = [f"{len(matches)} possible duplicate(s):"]
    for m in matches:
        lines.append(f"  {m.candidate.kind} {short(m.candidate.id)}  {m.candidate.name} "
                     f"({m.candidate.domain or 'no domain'})  {m.score:.0f}%: {'; '.join(m.reasons)}")
    return "\n".join(lines)


def registrations_draft(store: Store, args: argparse.Namespace, out: Output) -> None:
    values: dict[str, Any] = {"deal_value_cents": args.value, "expected_close_date": args.close_date,
                              "product": args.product, "notes": args.notes}
    created_account = None
    with store.transaction() as conn:
        if args.account:
            account = records.get(conn, "accounts", records.resolve_id(conn, "accounts", args.account))
        else:
            if not args.name:
                raise CommandError("--name: give the customer's company name (or --account ID)")
            account = _account_for(conn, args.name, args.domain or "")
            if account is None:
                account = created_account = records.create(
                    conn, "accounts", {"name": args.name, "domain": args.domain})
        values.update(account_id=account["id"], customer_name=account["name"],
                      customer_domain=account["domain"])
        if args.contact:
            values["contact_id"] = records.resolve_id(conn, "contacts", args.contact)
        registration = records.create(conn, "registrations", values)
        matches = duplicates.check(duplicates.build_index(conn), registration["customer_name"],
                                   registration["customer_domain"] or "",
                                   exclude_ids=frozenset({registration["id"], account["id"]}))
    document = {**public(registration), "created_account_id": created_account and created_account["id"],
                "possible_duplicates": [_match_json(m) for m in matches]}

    def text() -> str:
        lines = [f"drafted registration {registration['id']}  {registration['customer_name']} "
                 f"{money(registration['deal_value_cents'], registration['currency'])}"]
        if created_account:
            lines.append(f"created account {created_account['id']}  {created_account['name']}")
        if matches:
            lines.append("warning: " + _matches_text(matches))
        lines.append(f"submit it with: workbench registrations submit {short(registration['id'])}")
        return "\n".join(lines)
    out.emit(document, text)


def _account_for(conn: Any, name: str, domain: str) -> dict[str, Any] | None:
    """The existing account a registration by name/domain belongs to: an exact match only."""
    index = duplicates.DuplicateIndex(
        [c for c in duplicates.load_candidates(conn) if c.kind == "account"])
    for match in index.find(name, domain, limit=1):
        if match.score >= 100:
            return records.get(conn, "accounts", match.candidate.id)
    return None


def registrations_check(store: Store, args: argparse.Namespace, out: Output) -> None:
    with store.reading() as conn:
        if args.id:
            registration = records.get(conn, "registrations",
                                       records.resolve_id(conn, "registrations", args.id))
            name, domain = registration["customer_name"], registration["customer_domain"] or ""
            exclude = frozenset({registration["id"], registration["account_id"] or ""})
        elif args.name:
            name, domain, exclude = args.name, args.domain or "", frozenset()
        else:
            raise CommandError("give a registration ID or --name (and --domain)")
        matches = duplicates.check(duplicates.build_index(conn), name, domain, exclude_ids=exclude)
    out.emit({"name": name, "domain": domain, "duplicate": bool(matches),
              "matches": [_match_json(m) for m in matches]}, lambda: _matches_text(matches))


def _registration_action(action: str) -> Callable[[Store, argparse.Namespace, Output], None]:
    def run(store: Store, args: argparse.Namespace, out: Output) -> None:
        changes = {"request_note": args.note} if getattr(args, "note", None) else {}
        with store.transaction() as conn:
            record_id = records.resolve_id(conn, "registrations", args.id)
            registration = records.perform_action(conn, "registrations", record_id, action, changes)
        out.emit(public(registration), f"{registration['id']}: {action} queued "
                                       f"(status now {registration['status']}; the vendor decides "
                                       "on the next sync)")
    return run


def _protection(registration: dict[str, Any]) -> dict[str, Any] | None:
    if not registration.get("approved_at"):
        return None
    state = registration_rules.protection(parse_datetime(registration["approved_at"]),
                                          datetime.now(UTC))
    return {"days_left": state.days_left, "expires_at": registration.get("protection_expires_at"),
            "warning": state.warning, "lapsed": state.lapsed}


def registrations_list(store: Store, args: argparse.Namespace, out: Output) -> None:
    with store.reading() as conn:
        where = {"status": args.status} if args.status else {}
        rows = records.list_records(conn, "registrations", where=where,
                                    order_by="expected_close_date")
    document = [{**public(r), "protection": _protection(r)} for r in rows]

    def days_left(r: dict[str, Any]) -> str:
        state = _protection(r)
        return "" if not state or r["status"] != "approved" else \
            f"{state['days_left']}d" + (" !" if state["warning"] else "")
    out.emit(document, lambda: table_text(
        ["ID", "CUSTOMER", "VALUE", "CLOSE", "STATUS", "PROTECTED", "NUMBER"],
        [[short(r["id"]), r["customer_name"], money(r["deal_value_cents"], r["currency"]),
          r["expected_close_date"], r["status"], days_left(r), r["registration_number"]]
         for r in rows]))


def registrations_show(store: Store, args: argparse.Namespace, out: Output) -> None:
    with store.reading() as conn:
        r = records.get(conn, "registrations", records.resolve_id(conn, "registrations", args.id))
    document = {**public(r), "protection": _protection(r)}

    def text() -> str:
        lines = [f"{r['customer_name']}  ({r['id']})", f"  status: {r['status']}"]
        for key in ("registration_number", "customer_domain", "product", "expected_close_date",
                    "review_reason", "decision_reason", "approved_at", "protection_expires_at",
                    "notes"):
            if r.get(key):
                lines.append(f"  {key.replace('_', ' ')}: {r[key]}")
        lines.insert(2, f"  value: {money(r['deal_value_cents'], r['currency'])}")
        state = document["protection"]
        if state and r["status"] == "approved":
            lines.append(f"  protection: {state['days_left']} days left"
                         + (" — renew now" if state["warning"] else ""))
        return "\n".join(lines)
    out.emit(document, text)


# --- cases ------------------------------------------------------------------------------------

def cases_open(store: Store, args: argparse.Namespace, out: Output) -> None:
    with store.transaction() as conn:
        account = records.get(conn, "accounts", records.resolve_id(conn, "accounts", args.account))
        case = records.create(conn, "cases", {
            "account_id": account["id"], "customer_domain": account["domain"],
            "subject": args.subject, "severity": args.severity, "description": args.description})
    out.emit(public(case), f"opened case {case['id']}  {case['subject']} ({case['severity']})")


def cases_list(store: Store, args: argparse.Namespace, out: Output) -> None:
    with store.reading() as conn:
        rows = records.list_records(conn, "cases", order_by="created_at")
    out.emit([public(r) for r in rows], lambda: table_text(
        ["ID", "NUMBER", "SUBJECT", "SEVERITY", "STATUS", "OPENED"],
        [[short(r["id"]), r["case_number"], r["subject"], r["severity"], r["status"],
          r["created_at"][:10]] for r in rows]))


def cases_show(store: Store, args: argparse.Namespace, out: Output) -> None:
    with store.reading() as conn:
        case = records.get(conn, "cases", records.resolve_id(conn, "cases", args.id))
        comments = records.list_records(conn, "case_comments", where={"case_id": case["id"]})
    document = {**public(case), "comments": [public(c) for c in comments]}

    def text() -> str:
        lines = [f"{case['subject']}  ({case['id']})",
                 f"  status: {case['status']}, severity: {case['severity']}"]
        if case.get("description"):
            lines.append(f"  {case['description']}")
        lines += [f"  [{c['created_at'][:16]}] {c['author'] or 'me'}: {c['body']}" for c in comments]
        return "\n".join(lines)
    out.emit(document, text)


def cases_comment(store: Store, args: argparse.Namespace, out: Output) -> None:
    with store.transaction() as conn:
        case_id = records.resolve_id(conn, "cases", args.id)
        author = records.get_state(conn, "user_email")
        comment = records.create(conn, "case_comments",
                                 {"case_id": case_id, "body": args.text, "author": author})
    out.emit(public(comment), f"commented on case {case_id}")


def export_command(store: Store, args: argparse.Namespace, out: Output) -> None:
    folder = Path(args.dir)
    with store.reading() as conn:
        counts = export_all(conn, folder)
    out.emit({"folder": str(folder.resolve()), "counts": counts},
             lambda: f"exported to {folder}: " + ", ".join(f"{k} {v}" for k, v in counts.items() if v))


# --- parser ------------------------------------------------------------------------------------

def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", default=argparse.SUPPRESS, metavar="DIR",
                        help="folder of the local store (default: WORKBENCH_DATA_DIR or the "
                             "user data folder)")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="print one JSON document")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(prog="workbench", parents=[common],
                                     description="Partner Workbench: deal registrations, accounts, "
                                                 "leads and cases — offline.")
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    parser.add_argument("--demo", action="store_true", help="open the workbench with a demo vendor")
    parser.add_argument("--restore-backup", nargs="?", const="", metavar="FILE",
                        help="replace a damaged store by its latest intact backup (or FILE); the "
                             "damaged file is kept beside it")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation offscreen and offline (fresh store in a "
                             "temporary folder, registration, scorecard PDF, window), then exit")
    groups = parser.add_subparsers(dest="group", metavar="COMMAND")

    def group(name: str, help_text: str) -> argparse._SubParsersAction:
        return groups.add_parser(name, help=help_text, parents=[common]).add_subparsers(
            dest="command", metavar="ACTION", required=True)

    def command(sub: argparse._SubParsersAction, name: str, handler: Callable[..., None],
                help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, parents=[common])
        p.set_defaults(handler=handler)
        return p

    accounts = group("accounts", "customer accounts")
    p = command(accounts, "add", accounts_add, "add an account")
    p.add_argument("--name", required=True)
    for option in ("domain", "industry", "country", "region"):
        p.add_argument(f"--{option}")
    p.add_argument("--allow-duplicate", action="store_true",
                   help="create it even if an account for this company seems to exist")
    p = command(accounts, "edit", accounts_edit, "change fields of an account")
    p.add_argument("id")
    p.add_argument("--set", action="append", required=True, metavar="FIELD=VALUE")
    command(accounts, "list", accounts_list, "list accounts")
    command(accounts, "show", accounts_show, "show an account").add_argument("id")
    p = command(accounts, "import", accounts_import, "import accounts from a CRM export (CSV)")
    p.add_argument("file")
    p.add_argument("--skip-invalid", action="store_true", help="import the good rows, report the bad")
    p.add_argument("--dry-run", action="store_true",
                   help="check the file and show what would be created or updated; write nothing")
    p.add_argument("--update-existing", action="store_true",
                   help="update accounts the file already has (same CRM record id, else same "
                        "company) with its non-empty values; without it they are skipped")

    contacts = group("contacts", "customer contacts")
    p = command(contacts, "add", contacts_add, "add a contact to an account")
    p.add_argument("--account", required=True, metavar="ID")
    p.add_argument("--name", required=True)
    p.add_argument("--email")
    p.add_argument("--role")
    command(contacts, "list", contacts_list, "list contacts").add_argument("--account", metavar="ID")

    regs = group("registrations", "deal registrations")
    p = command(regs, "draft", registrations_draft, "draft a deal registration (saved offline)")
    p.add_argument("--account", metavar="ID")
    p.add_argument("--name", help="customer company name (instead of --account)")
    p.add_argument("--domain", help="customer web domain")
    p.add_argument("--value", required=True, help="deal value, e.g. 40000 or $40,000")
    p.add_argument("--close-date", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--product", required=True)
    p.add_argument("--notes")
    p.add_argument("--contact", metavar="ID")
    p = command(regs, "check", registrations_check, "duplicate check against local data")
    p.add_argument("id", nargs="?")
    p.add_argument("--name")
    p.add_argument("--domain")
    for action, text in (("submit", "queue a draft for the vendor"),
                         ("withdraw", "withdraw a registration")):
        command(regs, action, _registration_action(action), text).add_argument("id")
    p = command(regs, "renew", _registration_action("renew"), "ask to renew protection")
    p.add_argument("id")
    p.add_argument("--note", help="what changed in the deal")
    p = command(regs, "dispute", _registration_action("dispute"), "dispute a rejection")
    p.add_argument("id")
    p.add_argument("--note", required=True, help="why the decision should change")
    command(regs, "list", registrations_list, "list registrations").add_argument(
        "--status", choices=list(registration_rules.RegistrationStatus))
    command(regs, "show", registrations_show, "show a registration").add_argument("id")

    cases = group("cases", "support cases")
    p = command(cases, "open", cases_open, "open a support case for a customer")
    p.add_argument("--account", required=True, metavar="ID")
    p.add_argument("--subject", required=True)
    p.add_argument("--severity", choices=["low", "normal", "high", "urgent"], default="normal")
    p.add_argument("--description")
    command(cases, "list", cases_list, "list cases")
    command(cases, "show", cases_show, "show a case with its comments").add_argument("id")
    p = command(cases, "comment", cases_comment, "add a comment to a case")
    p.add_argument("id")
    p.add_argument("text")

    p = groups.add_parser("export", help="export every record and the edit history (JSON, CSV)",
                          parents=[common])
    p.add_argument("dir")
    p.set_defaults(handler=export_command)
    _register_extensions(groups, common)
    return parser


def _register_extensions(groups: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Commands of other layers (sync, scorecard, UI) register themselves here when present."""
    for module_name in ("workbench.sync.commands", "workbench.reports.commands"):
        try:
            module = __import__(module_name, fromlist=["register"])
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        module.register(groups, common)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    as_json = getattr(args, "json", False)
    try:
        _refuse_undecodable(args)
    except CommandError as error:
        return _fail(error, as_json)
    handler = getattr(args, "handler", None)
    if handler is None:
        if args.restore_backup is not None:
            return _restore_backup(args, Output(as_json))
        if args.self_test:
            from workbench.selftest import run as self_test  # loads Qt only when asked
            return self_test()
        if args.demo or args.group is None:
            return _launch_ui(args)
        parser.print_help()
        return EXIT_INVALID
    out = Output(as_json)
    try:
        store = open_store(getattr(args, "data_dir", None))
        try:
            handler(store, args, out)
        finally:
            store.close()
        return EXIT_OK
    except (InvalidValue, CommandError, ImportFailed, registration_rules.IllegalTransition,
            records.NotFound, StoreError) as error:
        return _fail(error, as_json)


# Arguments that name files: any bytes the operating system allows are fine there.
_PATH_ARGUMENTS = frozenset({"data_dir", "file", "dir", "pdf"})
_POSITIONAL = frozenset({"id", "text", "file", "dir"})


def _refuse_undecodable(args: argparse.Namespace) -> None:
    """Text typed in a terminal that is not set to UTF-8 arrives as bytes Python cannot store;
    say which argument instead of failing deep inside the database."""
    for name, value in vars(args).items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if name in _PATH_ARGUMENTS or not isinstance(item, str):
                continue
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                option = name.upper() if name in _POSITIONAL else f"--{name.replace('_', '-')}"
                raise CommandError(f"{option}: '{printable(item)}' is not UTF-8 text (the "
                                   "terminal sent another encoding); set the terminal to UTF-8 "
                                   "and type it again") from None


def _fail(error: Exception, as_json: bool) -> int:
    code = getattr(error, "code", None) if isinstance(error, CommandError) else None
    if code is None:
        code = EXIT_NOT_FOUND if isinstance(error, records.NotFound) else \
            EXIT_FAILED if isinstance(error, StoreError) else EXIT_INVALID
    body: dict[str, Any] = {"message": str(error)}
    if isinstance(error, InvalidValue):
        body["field"] = error.field
    if isinstance(error, ImportFailed):
        body["problems"] = error.problems
    body.update(getattr(error, "details", None) or {})  # e.g. a sync's reason and partial summary
    if as_json:
        print(printable(json.dumps({"error": body}, ensure_ascii=False, indent=2), in_json=True))
    else:
        print(printable(f"error: {error}"), file=sys.stderr)
        for problem in getattr(error, "problems", [])[5:]:
            print(printable(f"  {problem}"), file=sys.stderr)
    return code


def _restore_backup(args: argparse.Namespace, out: Output) -> int:
    try:
        done = restore_backup(getattr(args, "data_dir", None),
                              Path(args.restore_backup) if args.restore_backup else None)
    except StoreError as error:
        return _fail(error, out.as_json)
    restored = (f"restored the backup {done.backup.name}; the next sync brings what the vendor "
                "has since" if done.backup else "no intact backup: the workbench starts with an "
                "empty store; sign in and sync to get your data back from the vendor")
    out.emit({"moved_aside": [str(p) for p in done.moved_aside],
              "backup": str(done.backup) if done.backup else None},
             "\n".join([f"kept the damaged file as {p.name}" for p in done.moved_aside[:1]]
                       + [restored]))
    return EXIT_OK


def _launch_ui(args: argparse.Namespace) -> int:
    try:
        from workbench.ui.app import run  # Qt loads only for the window
    except ModuleNotFoundError as error:
        if error.name != "workbench.ui.app":
            raise
        print("The desktop window is not part of this build yet; see `workbench --help` for the "
              "command line.", file=sys.stderr)
        return EXIT_FAILED
    return run(data_dir=getattr(args, "data_dir", None), demo=args.demo)


if __name__ == "__main__":
    # `python -m workbench.cli`: run the imported module's main, not this __main__ copy, so the
    # exception classes other layers import from workbench.cli are the ones caught here.
    from workbench.cli import main as installed_main

    sys.exit(installed_main())
