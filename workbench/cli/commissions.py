"""workbench commissions list | show | dispute — commissions on your closed deals, offline."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from workbench.cli.args import action, actions
from workbench.cli.output import Output, money, public, short, table_text
from workbench.domain.commissions import Totals, dispute_open, shown_status
from workbench.domain.model import COMMISSION_STATUSES

if TYPE_CHECKING:
    from workbench.store.db import Store


def register(name: str, parser: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    commands = actions(parser)
    action(commands, "list", list_commissions, "earned, coming and paid commissions per deal",
           common).add_argument("--status", choices=list(COMMISSION_STATUSES))
    action(commands, "show", show, "one commission line", common).add_argument("id")
    p = action(commands, "dispute", dispute, "dispute a commission line (sent at the next sync)",
               common)
    p.add_argument("id")
    p.add_argument("--reason", help="what is wrong with the line (required)")


def line_json(line: dict[str, Any]) -> dict[str, Any]:
    return {**public(line), "deal": line.get("deal"), "customer": line.get("customer"),
            "shown_status": shown_status(line), "dispute_open": dispute_open(line)}


def totals_json(found: Totals) -> dict[str, Any]:
    return {currency: {"earned_cents": found.earned.get(currency, 0),
                       "coming_cents": found.coming.get(currency, 0),
                       "paid_cents": found.paid.get(currency, 0),
                       "total_cents": found.total(currency)} for currency in found.currencies}


def totals_text(found: Totals) -> str:
    return "\n".join(
        f"earned {money(found.earned.get(c, 0), c)}  coming {money(found.coming.get(c, 0), c)}  "
        f"paid {money(found.paid.get(c, 0), c)}  total {money(found.total(c), c)}"
        for c in found.currencies) + (f"  ({found.disputed} disputed)" if found.disputed else "")


def list_commissions(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services import commissions

    found = commissions.list_commissions(store, args.status)
    document = {"commissions": [line_json(line) for line in found.lines],
                "totals": totals_json(found.totals), "disputed": found.totals.disputed}
    out.emit(document, lambda: (table_text(
        ["ID", "DEAL", "CLOSED", "RATE", "AMOUNT", "STATUS", "EARNED", "APPROVED", "PAID"],
        [[short(line["id"]), line.get("deal") or "", money(line.get("closed_amount_cents"),
                                                           line.get("currency")),
          f"{line['rate_percent']}%" if line.get("rate_percent") else "",
          money(line["amount_cents"], line.get("currency")), shown_status(line),
          line.get("earned_on") or "", line.get("approved_on") or "", line.get("paid_on") or ""]
         for line in found.lines]) if found.lines else "no commissions yet")
        + "\n" + totals_text(found.totals))


def _line_text(line: dict[str, Any]) -> str:
    rows = [f"{line.get('deal') or 'deal'}  ({line['id']})",
            f"  status: {shown_status(line)}",
            f"  amount: {money(line['amount_cents'], line.get('currency'))}"]
    if line.get("rate_percent"):
        rows.append(f"  rate: {line['rate_percent']}% of "
                    f"{money(line.get('closed_amount_cents'), line.get('currency'))}"
                    f" ({line.get('tier') or 'no'} tier)")
    for key in ("earned_on", "approved_on", "paid_on", "dispute_reason", "disputed_at",
                "dispute_resolution", "dispute_resolved_at"):
        if line.get(key):
            rows.append(f"  {key.replace('_', ' ')}: {line[key]}")
    return "\n".join(rows)


def show(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services import commissions

    line = commissions.get_commission(store, args.id)
    out.emit(line_json(line), lambda: _line_text(line))


def dispute(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services import commissions

    done = commissions.dispute_commission(store, args.id, args.reason or "")
    line = commissions.get_commission(store, done.result["id"])
    out.emit(line_json(line), lambda: f"{line['id']}: dispute saved; the channel manager "
                                      "sees it after the next sync")
