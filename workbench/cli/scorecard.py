"""workbench scorecard [--period 2026Q3] [--pdf FILE]: computed offline from the local store."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.cli.output import Output
from workbench.domain.errors import InvalidValue

if TYPE_CHECKING:
    from workbench.store.db import Store


def register(name: str, parser: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    parser.description = ("The partner scorecard for a quarter, computed offline from the local "
                          "store; optionally written as the QBR PDF.")
    parser.add_argument("--period", metavar="YYYYQN",
                        help="the quarter, e.g. 2026Q3 (default: the current quarter)")
    parser.add_argument("--pdf", metavar="FILE", help="also write the scorecard PDF to FILE")
    parser.add_argument("--by-partner", action="store_true",
                        help="a distributor's roll-up: registrations, pipeline and won revenue "
                             "per sub-partner")
    parser.set_defaults(handler=scorecard_command)


def scorecard_command(store: Store, args: argparse.Namespace, out: Output) -> None:
    from workbench.reports.scorecard import load_scorecard
    from workbench.reports.texts import scorecard_text
    if args.by_partner:
        if args.pdf or args.period:
            raise InvalidValue("--by-partner", "shows the roll-up as of now; leave out --period "
                                               "and --pdf")
        rollup_command(store, out)
        return
    try:
        card = load_scorecard(store, args.period)
    except InvalidValue as error:
        if error.field != "period":
            raise
        raise InvalidValue("--period", error.problem) from None
    document = card.to_json()
    written = _write_pdf(card, Path(args.pdf)) if args.pdf else None
    if written:
        document["pdf"] = str(written)

    def text() -> str:
        report = scorecard_text(card)
        return f"{report}\n\nwrote {written}" if written else report
    out.emit(document, text)


def _write_pdf(card: Any, path: Path) -> Path:
    if path.is_dir():
        raise InvalidValue("--pdf", f"{path} is a folder; give a file name such as scorecard.pdf")
    if not path.parent.is_dir():
        raise InvalidValue("--pdf", f"the folder {path.parent} does not exist")
    from workbench.reports.pdf import render_scorecard_pdf  # reportlab: only when a PDF is asked
    try:
        return render_scorecard_pdf(card, path).resolve()
    except OSError as error:
        raise InvalidValue("--pdf", f"cannot write {path}: {error.strerror or error}") from None


def rollup_command(store: Store, out: Output) -> None:
    from workbench.cli.output import money, table_text
    from workbench.reports.rollup import load_rollup, rollup_json

    rows = load_rollup(store)
    document = rollup_json(rows)

    def text() -> str:
        table = table_text(
            ["PARTNER", "REGISTRATIONS 90D", "APPROVED 90D", "OPEN", "PIPELINE", "DEALS",
             "WON 12M", "WON DEALS"],
            [[f"{r.name} (you)" if r.own else r.name, r.registrations_90d, r.approved_90d,
              r.registrations_open, money(r.pipeline_cents), r.pipeline_deals,
              money(r.won_12m_cents), r.won_12m_deals] for r in rows])
        if not document["sub_partners"]:
            table += ("\n\nno sub-partners' records on this computer (the vendor shows a "
                      "distributor its sub-partners' records when it allows it)")
        return table
    out.emit(document, text)
