"""workbench cases open | list | show | comment."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from workbench.cli.args import action, actions
from workbench.cli.output import Output, partner_column, public, short, table_text, with_partner
from workbench.domain.model import CASE_SEVERITIES

if TYPE_CHECKING:
    from workbench.store.db import Store


def register(name: str, parser: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    commands = actions(parser)
    p = action(commands, "open", open_case, "open a support case for a customer", common)
    p.add_argument("--account", required=True, metavar="ID")
    p.add_argument("--subject", required=True)
    p.add_argument("--severity", choices=list(CASE_SEVERITIES), default="normal")
    p.add_argument("--description")
    action(commands, "list", list_cases, "list cases", common)
    action(commands, "show", show, "show a case with its comments", common).add_argument("id")
    p = action(commands, "comment", comment, "add a comment to a case", common)
    p.add_argument("id")
    p.add_argument("text")


def open_case(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services import cases
    case = cases.open_case(store, args.account, args.subject, severity=args.severity,
                           description=args.description).result
    out.emit(public(case), f"opened case {case['id']}  {case['subject']} ({case['severity']})")


def list_cases(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.store import records
    with store.reading() as conn:
        rows = records.list_records(conn, "cases", order_by="created_at")
        document, shown = with_partner(rows, records.partner_names(conn))
    out.emit(document, lambda: table_text(*partner_column(
        ["ID", "NUMBER", "SUBJECT", "SEVERITY", "STATUS", "OPENED"],
        [[short(r["id"]), r["case_number"], r["subject"], r["severity"], r["status"],
          r["created_at"][:10]] for r in rows], document, shown)))


def show(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.store import records
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


def comment(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services import cases
    done = cases.comment_case(store, args.id, args.text).result
    out.emit(public(done), f"commented on case {done['case_id']}")
