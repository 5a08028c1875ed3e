"""Working the leads the vendor assigned: accept, reject with a reason, log the first contact.

Which moves are allowed, that a rejection needs its reason and that a recycled lead can no
longer be worked are domain rules (domain/leads.py); the store checks them on every edit.
"""

from __future__ import annotations

from typing import Any

from workbench.domain.leads import first_contact_changes
from workbench.domain.values import now_text
from workbench.services.changes import Changes, Done
from workbench.store import records
from workbench.store.db import Store


def _update(store: Store, lead_id: str, changes: dict[str, Any]) -> Done[dict[str, Any]]:
    with store.transaction() as conn:
        record_id = records.resolve_id(conn, "leads", lead_id)
        lead = records.update(conn, "leads", record_id, changes)
    return Done(lead, Changes.edited(("leads", lead["id"])))


def accept_lead(store: Store, lead_id: str) -> Done[dict[str, Any]]:
    return _update(store, lead_id, {"working_status": "accepted"})


def reject_lead(store: Store, lead_id: str, reason: str | None) -> Done[dict[str, Any]]:
    return _update(store, lead_id, {"working_status": "rejected", "rejection_reason": reason})


def log_first_contact(store: Store, lead_id: str, *, when: str | None = None,
                      note: str | None = None) -> Done[dict[str, Any]]:
    """The rep contacted the customer (`when`: now by default); a first contact already
    logged keeps its time (the SLA is measured on it); `note` is added to the lead's notes."""
    with store.transaction() as conn:
        record_id = records.resolve_id(conn, "leads", lead_id)
        lead = records.get(conn, "leads", record_id)
        changes = first_contact_changes(lead, when or now_text())
        if note and note.strip():
            changes["notes"] = "\n".join(filter(None, [lead.get("notes"), note.strip()]))
        lead = records.update(conn, "leads", record_id, changes)
    return Done(lead, Changes.edited(("leads", lead["id"])))
