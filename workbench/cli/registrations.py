"""workbench registrations draft | check | submit | withdraw | renew | dispute | progress | amend |
list | show."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from workbench.cli.args import Handler, action, actions
from workbench.cli.errors import CommandError
from workbench.cli.output import Output, money, partner_column, public, short, table_text, with_partner
from workbench.domain import registration as rules
from workbench.domain.values import parse_datetime

if TYPE_CHECKING:
    from workbench.domain.matching import Match
    from workbench.store.db import Store


def register(name: str, parser: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    commands = actions(parser)
    p = action(commands, "draft", draft, "draft a deal registration (saved offline)", common)
    p.add_argument("--account", metavar="ID")
    p.add_argument("--name", help="customer company name (instead of --account)")
    p.add_argument("--domain", help="customer web domain")
    p.add_argument("--value", required=True, help="deal value, e.g. 40000 or $40,000")
    p.add_argument("--close-date", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--product", required=True)
    p.add_argument("--notes")
    p.add_argument("--contact", metavar="ID")
    p = action(commands, "check", check, "duplicate check against local data", common)
    p.add_argument("id", nargs="?")
    p.add_argument("--name")
    p.add_argument("--domain")
    action(commands, "submit", perform("submit"), "queue a draft for the vendor",
           common).add_argument("id")
    action(commands, "withdraw", perform("withdraw"), "withdraw a registration",
           common).add_argument("id")
    p = action(commands, "renew", perform("renew"), "ask to renew protection", common)
    p.add_argument("id")
    p.add_argument("--note", help="what changed in the deal")
    p = action(commands, "dispute", perform("dispute"), "dispute a rejection", common)
    p.add_argument("id")
    p.add_argument("--note", required=True, help="why the decision should change")
    p = action(commands, "progress", progress, "record how an approved deal is progressing",
               common)
    p.add_argument("id")
    p.add_argument("--next-step", metavar="TEXT", help="what happens next")
    p.add_argument("--activity", metavar="TEXT", help="the last activity (dated today unless "
                                                      "--activity-date)")
    p.add_argument("--activity-date", metavar="YYYY-MM-DD")
    p.add_argument("--notes", metavar="TEXT", help="progress notes")
    p = action(commands, "amend", amend, "ask the vendor to change an approved deal's value or "
                                         "close date", common)
    p.add_argument("id")
    p.add_argument("--value", help="new deal value, e.g. 52000 or $52,000")
    p.add_argument("--close-date", metavar="YYYY-MM-DD", help="new expected close date")
    p.add_argument("--note", required=True, help="what changed in the deal")
    action(commands, "list", list_registrations, "list registrations", common).add_argument(
        "--status", choices=list(rules.RegistrationStatus))
    action(commands, "show", show, "show a registration", common).add_argument("id")


def match_json(match: Match) -> dict[str, Any]:
    return {"id": match.candidate.id, "kind": match.candidate.kind, "name": match.candidate.name,
            "domain": match.candidate.domain, "score": round(match.score, 1),
            "reasons": list(match.reasons)}


def matches_text(matches: list[Match]) -> str:
    if not matches:
        return "no duplicates found"
    lines = [f"{len(matches)} possible duplicate(s):"]
    for m in matches:
        lines.append(f"  {m.candidate.kind} {short(m.candidate.id)}  {m.candidate.name} "
                     f"({m.candidate.domain or 'no domain'})  {m.score:.0f}%: {'; '.join(m.reasons)}")
    return "\n".join(lines)


def draft(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services import registrations
    from workbench.services.registrations import Deal
    if not args.account and not args.name:
        raise CommandError("--name: give the customer's company name (or --account ID)")
    done = registrations.register_deal(store, Deal(
        account_id=args.account, customer_name=args.name or "", customer_domain=args.domain or "",
        deal_value=args.value, expected_close_date=args.close_date, product=args.product,
        notes=args.notes, contact_id=args.contact), check=True).result
    registration, created, matches = (done.registration, done.created_account,
                                      done.possible_duplicates)
    document = {**public(registration), "created_account_id": created and created["id"],
                "possible_duplicates": [match_json(m) for m in matches]}

    def text() -> str:
        lines = [f"drafted registration {registration['id']}  {registration['customer_name']} "
                 f"{money(registration['deal_value_cents'], registration['currency'])}"]
        if created:
            lines.append(f"created account {created['id']}  {created['name']}")
        if matches:
            lines.append("warning: " + matches_text(matches))
        lines.append(f"submit it with: workbench registrations submit {short(registration['id'])}")
        return "\n".join(lines)
    out.emit(document, text)


def check(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services import registrations
    if not args.id and not args.name:
        raise CommandError("give a registration ID or --name (and --domain)")
    name, domain, matches = registrations.duplicate_check(
        store, registration_id=args.id, name=args.name or "", domain=args.domain or "")
    out.emit({"name": name, "domain": domain, "duplicate": bool(matches),
              "matches": [match_json(m) for m in matches]}, lambda: matches_text(matches))


def perform(action_name: str) -> Handler:
    def run(store: Store, args: argparse.Namespace, out: Output) -> None:
        from workbench.services import registrations
        registration = registrations.registration_action(
            store, args.id, action_name, getattr(args, "note", None)).result
        out.emit(public(registration), f"{registration['id']}: {action_name} queued "
                                       f"(status now {registration['status']}; the vendor "
                                       "decides on the next sync)")
    return run


def progress(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services.deals import Progress, record_progress

    if all(v is None for v in (args.next_step, args.activity, args.activity_date, args.notes)):
        raise CommandError("give --next-step, --activity or --notes (what to record)")
    registration = record_progress(store, args.id, Progress(
        next_step=args.next_step, last_activity=args.activity,
        last_activity_on=args.activity_date, progress_notes=args.notes)).result
    out.emit({**public(registration), "progress": progress_of(registration)},
             lambda: "\n".join([f"{registration['id']}: progress saved (sent at the next sync)",
                                 *progress_lines(registration)]))


def progress_of(registration: dict[str, Any]) -> dict[str, Any]:
    return {name: registration.get(name) for name in rules.PROGRESS_FIELDS}


def progress_lines(registration: dict[str, Any]) -> list[str]:
    lines = []
    if registration.get("next_step"):
        lines.append(f"  next step: {registration['next_step']}")
    if registration.get("last_activity") or registration.get("last_activity_on"):
        lines.append(f"  last activity: {registration.get('last_activity_on') or ''} "
                     f"{registration.get('last_activity') or ''}".rstrip())
    if registration.get("progress_notes"):
        lines.append(f"  progress notes: {registration['progress_notes']}")
    return lines


def amend(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services.deals import request_amendment

    if args.value is None and args.close_date is None:
        raise CommandError("give --value, --close-date or both (what should change)")
    amendment = request_amendment(store, args.id, deal_value=args.value,
                                  expected_close_date=args.close_date, note=args.note).result
    out.emit(public(amendment), lambda: f"amendment {amendment['id']} requested "
                                        f"({amendment_text(amendment)}); pending until the "
                                        "channel manager decides (next sync)")


def amendment_text(amendment: dict[str, Any]) -> str:
    parts = []
    if amendment.get("deal_value_cents") is not None:
        parts.append(f"value {money(amendment['deal_value_cents'])}")
    if amendment.get("expected_close_date"):
        parts.append(f"close date {amendment['expected_close_date']}")
    return ", ".join(parts)


def protection(registration: dict[str, Any], default_days: int = rules.PROTECTION_DAYS
               ) -> dict[str, Any] | None:
    """Where an approved registration stands in the window granted at its approval
    (`default_days`: the program's synced protection setting, for a record without expiry)."""
    if not registration.get("approved_at"):
        return None
    days = rules.granted_days(registration, default_days)
    state = rules.protection(parse_datetime(registration["approved_at"]), datetime.now(UTC), days)
    return {"days_left": state.days_left, "expires_at": registration.get("protection_expires_at"),
            "warning": state.warning, "lapsed": state.lapsed, "window_days": days,
            "renewal_opens_day": rules.warning_day(days)}


def list_registrations(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.store import records
    with store.reading() as conn:
        where = {"status": args.status} if args.status else {}
        rows = records.list_records(conn, "registrations", where=where,
                                    order_by="expected_close_date")
        owners = records.partner_names(conn)
        window = records.protection_days(conn)
    labelled, shown = with_partner(rows, owners)
    document = [{**d, "protection": protection(r, window)} for d, r in zip(labelled, rows, strict=True)]

    def days_left(r: dict[str, Any]) -> str:
        state = protection(r, window)
        return "" if not state or r["status"] != "approved" else \
            f"{state['days_left']}d" + (" !" if state["warning"] else "")
    out.emit(document, lambda: table_text(*partner_column(
        ["ID", "CUSTOMER", "VALUE", "CLOSE", "STATUS", "PROTECTED", "NUMBER"],
        [[short(r["id"]), r["customer_name"], money(r["deal_value_cents"], r["currency"]),
          r["expected_close_date"], r["status"], days_left(r), r["registration_number"]]
         for r in rows], document, shown)))


def show(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services.deals import amendments_of
    from workbench.store import records
    with store.reading() as conn:
        r = records.get(conn, "registrations", records.resolve_id(conn, "registrations", args.id))
        [labelled], _ = with_partner([r], records.partner_names(conn))
        window = records.protection_days(conn)
    amendments = amendments_of(store, r["id"])
    document = {**labelled, "protection": protection(r, window), "progress": progress_of(r),
                "amendments": [public(a) for a in amendments]}

    def text() -> str:
        lines = [f"{r['customer_name']}  ({r['id']})", f"  status: {r['status']}"]
        if document["partner"]:
            lines.insert(1, f"  partner: {document['partner']} (sub-partner; read-only here)")
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
        lines.extend(progress_lines(r))
        for a in amendments:
            answer = f": {a['decision_reason']}" if a.get("decision_reason") else ""
            lines.append(f"  amendment {a['status']} ({amendment_text(a)}){answer}")
        return "\n".join(lines)
    out.emit(document, text)
