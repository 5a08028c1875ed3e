"""workbench opportunities list | show ID (read-only: the vendor updates them)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from workbench.cli.args import action, actions
from workbench.cli.output import (
    Output,
    money,
    partner_column,
    public,
    short,
    stage,
    table_text,
    with_partner,
)

if TYPE_CHECKING:
    import sqlalchemy as sa

    from workbench.store.db import Store


def register(name: str, parser: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    commands = actions(parser)
    action(commands, "list", list_opportunities, "list opportunities", common)
    action(commands, "show", show, "show an opportunity with your attribution",
           common).add_argument("id")


def _attributions(conn: sa.Connection, opportunity_id: str) -> list[dict[str, Any]]:
    from workbench.store import records
    rows = records.list_records(conn, "attributions", where={"opportunity_id": opportunity_id})
    return [{"role": r["role"], "split_percent": r["split_percent"], "partner_id": r["partner_id"]}
            for r in rows]


def list_opportunities(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.store import records
    with store.reading() as conn:
        rows = records.list_records(conn, "opportunities", order_by="expected_close_date")
        labelled, shown = with_partner(rows, records.partner_names(conn))
        document = [{**d, "attribution": _attributions(conn, d["id"])} for d in labelled]
    out.emit(document, lambda: table_text(*partner_column(
        ["ID", "NAME", "CUSTOMER", "STAGE", "AMOUNT", "CLOSE", "OUTCOME", "YOUR ROLE"],
        [[short(d["id"]), d["name"], d["customer_name"], stage(d["stage"], d["outcome"]),
          money(d["amount_cents"], d["currency"]), d["expected_close_date"], d["outcome"],
          ", ".join(a["role"] for a in d["attribution"])] for d in document], document, shown))
        if document else "no opportunities")


def show(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.store import records
    with store.reading() as conn:
        opp = records.get(conn, "opportunities", records.resolve_id(conn, "opportunities", args.id))
        attribution = _attributions(conn, opp["id"])
    document = {**public(opp), "attribution": attribution}

    def text() -> str:
        lines = [f"{opp['name']}  ({opp['id']})",
                 f"  customer: {opp['customer_name'] or ''} "
                 f"{opp['customer_domain'] or ''}".rstrip(),
                 f"  stage: {stage(opp['stage'], opp['outcome'])}, outcome: {opp['outcome']}",
                 f"  amount: {money(opp['amount_cents'], opp['currency'])}"]
        for key in ("opened_on", "expected_close_date", "closed_on", "registration_id"):
            if opp.get(key):
                lines.append(f"  {key.replace('_', ' ')}: {opp[key]}")
        for a in attribution:
            split = f" ({a['split_percent']}%)" if a["split_percent"] is not None else ""
            lines.append(f"  attribution: {a['role']}{split}")
        return "\n".join(lines)
    out.emit(document, text)
