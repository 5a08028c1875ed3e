"""Distributors and their sub-partners (seed 001: distributors manage a tier of resellers;
DESIGN §3 isolation: a distributor sees its sub-partners' records where the vendor allows it).

One rule, used by the desk before anything is queued and mirrored by the server on push: a
record belonging to another partner — a sub-partner whose records the distributor may see — is
read-only at the distributor's desk. The sub-partner works its own records.

And one roll-up: per sub-partner, what a distributor reviews — registrations, open pipeline and
won revenue — from the same rows the scorecard reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from workbench.domain.errors import IllegalTransition
from workbench.domain.model import entity

Row = Mapping[str, Any]


class SubPartnerRecord(IllegalTransition):
    """An edit or action on a sub-partner's record at the distributor's desk."""


def is_sub_partner_record(record: Row, own_partner_id: str | None) -> bool:
    """True for a record of another partner than the desk's own (a sub-partner's)."""
    owner = record.get("partner_id")
    return bool(own_partner_id and owner and owner != own_partner_id)


def partner_label(record: Row, own_partner_id: str | None, names: Mapping[str, str]
                  ) -> str | None:
    """The sub-partner a record belongs to, by name, for the "Partner" column and label; None
    for the desk's own records."""
    if not is_sub_partner_record(record, own_partner_id):
        return None
    return names.get(str(record.get("partner_id"))) or "a sub-partner"


def check_own_record(entity_name: str, record: Row, own_partner_id: str | None,
                     owner_name: str | None = None, *, action: str = "edit") -> None:
    """Refuse to edit (or act on) a sub-partner's record, naming the sub-partner."""
    if not is_sub_partner_record(record, own_partner_id):
        return
    spec = entity(entity_name)
    what = (spec.label or entity_name).lower()
    whose = f"{owner_name}, a sub-partner" if owner_name else "a sub-partner"
    verb = _DONE.get(action, "changed")
    raise SubPartnerRecord(
        f"This {what} belongs to {whose}: it is read-only in your workbench and cannot be "
        f"{verb} here. {owner_name or 'The sub-partner'} works its own records.",
        action=action)


_DONE = {"edit": "edited", "delete": "deleted", "withdraw": "withdrawn", "submit": "submitted",
         "renew": "renewed", "dispute": "disputed", "accept": "accepted", "reject": "rejected"}


# ---------------------------------------------------------------------------------------------
# Roll-up by sub-partner

SUBMITTED = ("submitted", "pending_review", "approved", "rejected", "won", "lost", "expired",
             "withdrawn")


@dataclass(frozen=True)
class PartnerRollup:
    partner_id: str | None  # None: the desk's own before its first sync
    name: str
    own: bool  # the distributor itself
    registrations_90d: int  # submitted in the last 90 days
    registrations_open: int  # submitted or approved, not yet decided or closed
    approved_90d: int
    pipeline_cents: int  # open opportunities' amounts
    pipeline_deals: int
    won_12m_cents: int  # won deals closed in the last 12 months
    won_12m_deals: int


def rollup_by_partner(partners: Iterable[Row], registrations: Iterable[Row],
                      opportunities: Iterable[Row], own_partner_id: str | None,
                      today: date) -> list[PartnerRollup]:
    """The distributor first, then each sub-partner by name. Rows without a partner count as
    the distributor's own (created here before the first sync)."""
    names = {str(p["id"]): str(p.get("name") or "") for p in partners if p.get("id")}
    own = own_partner_id or ""
    keys: dict[str, dict[str, int]] = {}

    def bucket(row: Row) -> dict[str, int]:
        key = str(row.get("partner_id") or own)
        return keys.setdefault(key, dict.fromkeys(
            ("reg90", "open", "approved90", "pipe", "pipe_n", "won", "won_n"), 0))

    since_90 = (today - timedelta(days=90)).isoformat()
    since_year = (today - timedelta(days=365)).isoformat()
    for reg in registrations:
        b = bucket(reg)
        status = reg.get("status") or "draft"
        submitted = str(reg.get("submitted_at") or "")[:10]
        if status in SUBMITTED and submitted and since_90 <= submitted <= today.isoformat():
            b["reg90"] += 1
            if reg.get("approved_at"):
                b["approved90"] += 1
        if status in ("submitted", "pending_review", "approved"):
            b["open"] += 1
    for opp in opportunities:
        b = bucket(opp)
        amount = int(opp.get("amount_cents") or 0)
        outcome = opp.get("outcome") or "open"
        if outcome == "open":
            b["pipe"] += amount
            b["pipe_n"] += 1
        elif outcome == "won" and since_year <= str(opp.get("closed_on") or "") <= \
                today.isoformat():
            b["won"] += amount
            b["won_n"] += 1
    for partner_id in names:
        if partner_id == own or partner_id in keys:
            continue
        keys[partner_id] = dict.fromkeys(("reg90", "open", "approved90", "pipe", "pipe_n",
                                          "won", "won_n"), 0)
    keys.setdefault(own, dict.fromkeys(("reg90", "open", "approved90", "pipe", "pipe_n", "won",
                                        "won_n"), 0))
    rows = [PartnerRollup(partner_id=key or None, name=names.get(key) or ("Your partner" if key == own
                                                                  else "Sub-partner"),
                          own=key == own, registrations_90d=b["reg90"],
                          registrations_open=b["open"], approved_90d=b["approved90"],
                          pipeline_cents=b["pipe"], pipeline_deals=b["pipe_n"],
                          won_12m_cents=b["won"], won_12m_deals=b["won_n"])
            for key, b in keys.items()]
    rows.sort(key=lambda r: (not r.own, r.name.casefold()))
    return rows
