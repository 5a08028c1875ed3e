"""workbench mdf request | list | show | submit | claim — market development funds."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from workbench.cli.args import action, actions
from workbench.cli.output import Output, money, public, short, table_text
from workbench.domain.attachments import human_size

if TYPE_CHECKING:
    from workbench.store.db import Store


def register(name: str, parser: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    commands = actions(parser)
    p = action(commands, "request", request, "request funds for a marketing activity (saved "
               "here, sent for the vendor's pre-approval at the next sync)", common)
    p.add_argument("--activity", required=True, help="what the activity is")
    p.add_argument("--budget", required=True, help="amount requested, e.g. 5000 or $5,000")
    p.add_argument("--start", required=True, metavar="DATE", help="first day (YYYY-MM-DD)")
    p.add_argument("--end", required=True, metavar="DATE", help="last day (YYYY-MM-DD)")
    p.add_argument("--expected-pipeline", metavar="VALUE",
                   help="pipeline the activity should bring")
    p.add_argument("--description")
    p.add_argument("--draft", action="store_true", help="save without sending it")
    action(commands, "list", list_requests, "list MDF requests with spend and ROI", common)
    action(commands, "show", show, "show a request, its proof files and its campaign's "
           "figures", common).add_argument("id")
    action(commands, "submit", submit, "send a draft or rejected request for pre-approval",
           common).add_argument("id")
    p = action(commands, "link", link, "say which registration came from this activity (its "
               "pipeline and revenue count for the ROI)", common)
    p.add_argument("id")
    p.add_argument("--registration", required=True, metavar="ID")
    p = action(commands, "claim", claim, "claim an approved request with proof of performance",
               common)
    p.add_argument("id")
    p.add_argument("--amount", required=True, help="amount spent, at most the approved budget")
    p.add_argument("--proof", required=True, action="append", metavar="FILE",
                   help="an invoice, photo or attendee list (repeat for several; 25 MB each)")


def request(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services import mdf

    record = mdf.request_mdf(store, mdf.MdfRequest(
        activity=args.activity, budget=args.budget, start_date=args.start, end_date=args.end,
        expected_pipeline=args.expected_pipeline, description=args.description),
        submit=not args.draft).result
    sent = "saved as a draft" if args.draft else "sent for pre-approval at the next sync"
    out.emit(public(record), f"MDF request {short(record['id'])}  {record['activity_name']} "
                             f"({money(record['requested_cents'])}) {sent}")


def list_requests(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services import mdf

    rows = mdf.list_mdf(store)
    out.emit([public(r) for r in rows], lambda: table_text(
        ["ID", "ACTIVITY", "STATUS", "REQUESTED", "APPROVED", "CLAIMED", "FILES", "ROI"],
        [[short(r["id"]), r["activity_name"], r["status"], money(r["requested_cents"]),
          money(r.get("approved_cents")), money(r.get("claim_cents")), r["attachment_count"],
          _roi(r)] for r in rows]))


def _roi(record: dict[str, Any]) -> str:
    return f"{record['roi_percent']}%" if record.get("roi_percent") is not None else "—"


def _amount(cents: int | None) -> str:
    return money(cents) if cents is not None else "—"


def show(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services import mdf

    record = mdf.show_mdf(store, args.id)
    money = _amount  # noqa: N806 — "—" where there is no amount yet

    def text() -> str:
        lines = [f"{record['activity_name']}  ({record['id']})",
                 f"  status: {record['status']}   dates: {record.get('start_date') or '?'} to "
                 f"{record.get('end_date') or '?'}",
                 f"  requested {money(record['requested_cents'])}, approved "
                 f"{money(record.get('approved_cents'))}, claimed "
                 f"{money(record.get('claim_cents'))}"
                 + (f", paid on {record['paid_on']}" if record.get("paid_on") else ""),
                 f"  expected pipeline {money(record.get('expected_pipeline_cents'))}; "
                 f"pipeline {money(record['pipeline_cents'])}, revenue "
                 f"{money(record['revenue_cents'])}, ROI {_roi(record)}"]
        if record.get("decision_reason"):
            lines.append(f"  vendor: {record['decision_reason']}")
        for a in record["attachments"]:
            where = "on the server" if a["uploaded"] else "not sent yet"
            lines.append(f"  file {short(a['id'])}  {a['filename']}  "
                         f"{human_size(a['size_bytes'])}  sha256 {a['sha256'][:12]}…  ({where})")
        if record["next_actions"]:
            lines.append(f"  next: {', '.join(record['next_actions'])}")
        return "\n".join(lines)
    out.emit(public(record), text)


def submit(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services import mdf

    record = mdf.submit_mdf(store, args.id).result
    out.emit(public(record), f"MDF request {short(record['id'])} sent for pre-approval at the "
                             "next sync")


def link(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services import mdf

    registration = mdf.link_registration(store, args.registration, args.id).result
    out.emit(public(registration), f"{registration['customer_name']} now counts for MDF "
                                   f"activity {short(registration['mdf_request_id'])}")


def claim(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services import mdf

    done = mdf.claim_mdf(store, args.id, args.amount, args.proof).result
    document = {**public(done.request), "attachments": [public(a) for a in done.attachments]}
    out.emit(document, f"claimed {money(done.request['claim_cents'])} with "
                       f"{len(done.attachments)} proof file(s); they are sent at the next sync")
