"""workbench leads list [--all] | accept ID | reject ID --reason TEXT | contacted ID."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from workbench.cli.args import action, actions
from workbench.cli.output import Output, partner_column, public, short, table_text, with_partner
from workbench.domain.leads import lead_sla, sla_of
from workbench.domain.values import parse_datetime

if TYPE_CHECKING:
    from workbench.store.db import Store


def register(name: str, parser: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    commands = actions(parser)
    action(commands, "list", list_leads, "list leads with the SLA countdown", common).add_argument(
        "--all", action="store_true", help="include leads the vendor took back")
    action(commands, "accept", accept, "accept a lead", common).add_argument("id")
    p = action(commands, "reject", reject, "reject a lead", common)
    p.add_argument("id")
    p.add_argument("--reason", required=True, help="why the lead is not for you")
    action(commands, "contacted", contacted, "log the first contact (now)",
           common).add_argument("id")


def sla(lead: dict[str, Any], now: datetime, hours: int | None = None) -> dict[str, Any] | None:
    """The lead against the program's first-contact SLA (`hours`: the synced setting)."""
    if not lead.get("assigned_at"):
        return None
    first = parse_datetime(lead["first_contact_at"]) if lead.get("first_contact_at") else None
    state = lead_sla(parse_datetime(lead["assigned_at"]), first, now, sla_of(hours))
    return {"due_at": state.due_at.isoformat(), "sla_hours": int(sla_of(hours).total_seconds()
                                                                    // 3600),
            "remaining_seconds": int(state.remaining.total_seconds()),
            "met": state.met, "breached": state.breached}


def sla_text(state: dict[str, Any] | None, lead: dict[str, Any]) -> str:
    if state is None:
        return ""
    if state["met"]:
        return "met"
    if state["breached"]:
        return "breached"
    if lead.get("working_status") == "rejected":
        return "-"
    left = timedelta(seconds=state["remaining_seconds"])
    hours, rest = divmod(int(left.total_seconds()), 3600)
    return f"{hours}h {rest // 60:02d}m left"


def list_leads(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.store import records
    now = datetime.now(UTC)
    with store.reading() as conn:
        rows = records.list_records(conn, "leads", order_by="assigned_at")
        owners = records.partner_names(conn)
        hours = records.lead_sla_hours(conn)
    if not args.all:
        rows = [r for r in rows if r["assignment_status"] != "recycled"]
    labelled, shown = with_partner(rows, owners)
    document = [{**d, "sla": sla(r, now, hours)} for d, r in zip(labelled, rows, strict=True)]
    out.emit(document, lambda: table_text(*partner_column(
        ["ID", "COMPANY", "CONTACT", "STATUS", "ASSIGNED", f"FIRST CONTACT ({hours}H)"],
        [[short(d["id"]), d["company_name"], d["contact_name"], d["working_status"],
          (d["assigned_at"] or "")[:16], sla_text(d["sla"], d)] for d in document],
        document, shown)) if document else "no leads")


def _report(store: Store, out: Output, lead: dict[str, Any], what: str) -> None:
    from workbench.store import records
    with store.reading() as conn:
        hours = records.lead_sla_hours(conn)
    state = sla(lead, datetime.now(UTC), hours)
    out.emit({**public(lead), "sla": state},
             f"lead {short(lead['id'])} {lead['company_name']}: {what} "
             f"(sent on the next sync){'; SLA ' + sla_text(state, lead) if state else ''}")


def accept(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services import leads
    _report(store, out, leads.accept_lead(store, args.id).result, "accepted")


def reject(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services import leads
    _report(store, out, leads.reject_lead(store, args.id, args.reason).result, "rejected")


def contacted(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.services import leads
    _report(store, out, leads.log_first_contact(store, args.id).result, "contacted")
