"""Commissions: what the partner earned on closed deals, what is coming and what was paid —
read offline; the rep may dispute a line with a reason (domain/commissions.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from workbench.domain import commissions as rules
from workbench.services import commissions
from workbench.store.schema import RECORD_TABLES
from workbench.ui import format as fmt
from workbench.ui.context import Context
from workbench.ui.tablemodel import Column, TableSpec, Where
from workbench.ui.views.base import ListPage, equals
from workbench.ui.widgets import Card, RecordForm, banner, button, set_tone

_TONES = {"earned": "info", "coming": "pending", "paid": "ok"}


def _tone(row: dict[str, Any]) -> str:
    return "warning" if rules.dispute_open(row) else _TONES.get(_bucket(row), "")


def _bucket(row: dict[str, Any]) -> str:
    return {"approved": "coming"}.get(str(row.get("status")), str(row.get("status") or ""))


def _paid_day(row: dict[str, Any]) -> str:
    for key in ("paid_on", "approved_on", "earned_on"):
        if row.get(key):
            return fmt.day(row[key])
    return ""


def _spec(deal_name: Callable[[dict[str, Any]], str]) -> TableSpec:
    return TableSpec(
        entity="commissions",
        columns=(
            Column("deal", "Deal", stretch=True, samples=("Globex Corporation — Suite",),
                   display=deal_name),
            Column("closed_amount_cents", "Closed", sort="closed_amount_cents", right=True,
                   samples=("$1,250,000",),
                   display=lambda r: fmt.money(r.get("closed_amount_cents"), r.get("currency"))),
            Column("rate_percent", "Rate", sort="rate", right=True, samples=("12.5%",),
                   display=lambda r: f"{r['rate_percent']}%" if r.get("rate_percent") else ""),
            Column("amount_cents", "Commission", sort="amount_cents", right=True,
                   samples=("$125,000",),
                   display=lambda r: fmt.money(r.get("amount_cents"), r.get("currency"))),
            Column("status", "Status", sort="status", pill=True,
                   samples=("Earned, disputed", "Coming", "Paid"),
                   display=lambda r: fmt.label(rules.shown_status(r)), tone=_tone),
            Column("day", "Date", sort="day", samples=("30 Sep 2027",), display=_paid_day),
        ),
        search=("period", "status", "dispute_reason"),
        default_sort="day",
        descending=True,
        fetch=("currency", "opportunity_id", "earned_on", "approved_on", "paid_on",
               "dispute_reason", "disputed_at", "dispute_resolved_at", "tier"),
        sort_sql={"day": lambda t: sa.func.coalesce(t.c.paid_on, t.c.approved_on,
                                                    t.c.earned_on),
                  "rate": lambda t: sa.cast(t.c.rate_percent, sa.Float)},
    )


FILTERS: list[tuple[str, Where | None]] = [
    ("All commissions", None),
    ("Earned (awaiting approval)", equals("status", "earned")),
    ("Coming (approved, not paid)", equals("status", "approved")),
    ("Paid", equals("status", "paid")),
    ("Disputed", lambda t: [t.c.disputed_at.is_not(None), sa.or_(
        t.c.dispute_resolved_at.is_(None), t.c.dispute_resolved_at < t.c.disputed_at)]),
]


class CommissionsPage(ListPage):
    title = "Commissions"
    hint = ("What your closed deals earned: earned, coming (approved, not yet paid) and paid. "
            "Set by the vendor; dispute a line if it is wrong.")
    search_placeholder = "Search period, status or dispute  (Ctrl+F)"
    shows = frozenset({"commissions", "opportunities"})

    def __init__(self, ctx: Context) -> None:
        self._deals: dict[str, str] = {}
        self.spec = _spec(lambda r: self._deals.get(r.get("opportunity_id") or "", "—"))
        super().__init__(ctx)
        cards = QWidget()
        row = QHBoxLayout(cards)
        row.setContentsMargins(0, 0, 0, 0)
        self.cards = {key: Card(caption) for key, caption in (
            ("earned", "Earned · awaiting approval"), ("coming", "Coming · approved, not paid"),
            ("paid", "Paid"), ("total", "Total"))}
        for card in self.cards.values():
            row.addWidget(card)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(1, cards)

    def filters(self) -> list[QWidget]:
        return [self.status_filter(FILTERS, "Filter commissions")]

    def build_detail(self, layout: QVBoxLayout) -> None:
        self.add_detail_heading(layout)
        layout.addWidget(banner("Amounts, rates and payment dates are set by the vendor.",
                                "info"))
        self.form = RecordForm("commissions", [
            "amount_cents", "closed_amount_cents", "rate_percent", "tier", "period", "earned_on",
            "approved_on", "paid_on", "dispute_reason", "dispute_resolution"], {
            "amount_cents": lambda r: fmt.money(r.get("amount_cents"), r.get("currency")),
            "closed_amount_cents": lambda r: fmt.money(r.get("closed_amount_cents"),
                                                       r.get("currency")),
            "rate_percent": lambda r: f"{r['rate_percent']}%" if r.get("rate_percent") else "",
            "tier": lambda r: fmt.label(r.get("tier")) if r.get("tier") else "",
            "earned_on": lambda r: fmt.day(r.get("earned_on")),
            "approved_on": lambda r: fmt.day(r.get("approved_on")),
            "paid_on": lambda r: fmt.day(r.get("paid_on")),
        }, titles={"amount_cents": "Commission", "tier": "Tier", "dispute_reason": "Your dispute",
                   "dispute_resolution": "Vendor's answer"})
        layout.addWidget(self.form)
        self.notice = banner()
        layout.addWidget(self.notice)
        self.dispute_button = button("Dispute…", "Dispute this commission", self._dispute)
        self.bind(self.dispute_button, "Alt+D")
        layout.addWidget(self.dispute_button)
        layout.addStretch(1)
        self.row: dict[str, Any] | None = None

    def reload(self) -> None:
        self._deals = self.ctx.read_now(_deal_names)
        found = commissions.list_commissions(self.ctx.store)
        currency = found.totals.currencies[0]
        for key, bucket in (("earned", found.totals.earned), ("coming", found.totals.coming),
                            ("paid", found.totals.paid)):
            self.cards[key].set(fmt.money(bucket.get(currency, 0), currency),
                                _TONES[key] if bucket.get(currency) else "")
        self.cards["total"].set(fmt.money(found.totals.total(currency), currency), "",
                                f"{found.totals.disputed} disputed" if found.totals.disputed
                                else "")
        super().reload()

    def show_detail(self, record_id: str | None) -> None:
        self.row = commissions.get_commission(self.ctx.store, record_id) if record_id else None
        row = self.row or {}
        self.detail.setEnabled(self.row is not None)
        self.heading.setText(row.get("deal") or ("Commission" if row else
                                                 "No commission selected"))
        self.pill.show_status(fmt.label(rules.shown_status(row)) if row else "", _tone(row))
        self.form.show_record(row)
        text, tone = "", "info"
        if rules.dispute_open(row):
            text, tone = "Disputed: the channel manager answers after the next sync.", "warning"
        elif row.get("dispute_resolution"):
            text, tone = f"Dispute answered: {row['dispute_resolution']}", "ok"
        self.notice.setText(text)
        set_tone(self.notice, tone)
        self.notice.setVisible(bool(text))
        self.dispute_button.setEnabled(self.row is not None and not rules.dispute_open(row))

    def _dispute(self) -> None:
        if self.current_id is None:
            return
        record_id = self.current_id
        self.ask("Dispute commission", "What is wrong with this commission? (for the channel "
                                       "manager)",
                 lambda reason: self.write(
                     lambda: commissions.dispute_commission(self.ctx.store, record_id, reason),
                     "Dispute saved — the channel manager sees it after the next sync"),
                 ok_text="Dispute")


def _deal_names(conn: sa.Connection) -> dict[str, str]:
    table = RECORD_TABLES["opportunities"]
    return {row.id: row.name for row in conn.execute(sa.select(table.c.id, table.c.name))}
