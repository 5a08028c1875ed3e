"""Deal progress on approved registrations: record next step, last activity and notes, and ask
the channel manager to amend the deal's value or close date (domain/deal_progress.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from workbench.domain.deal_progress import check_amendment
from workbench.domain.model import REGISTRATION_AMENDMENTS
from workbench.domain.values import coerce_fields, utc_now
from workbench.services.changes import Changes, Done
from workbench.store import records
from workbench.store.db import Store


@dataclass(frozen=True)
class Progress:
    """What the rep records; None leaves a field as it is, "" clears it."""
    next_step: str | None = None
    last_activity: str | None = None
    last_activity_on: str | date | None = None  # default: today when an activity is given
    progress_notes: str | None = None


def record_progress(store: Store, registration_id: str, progress: Progress
                    ) -> Done[dict[str, Any]]:
    """Save the progress fields of an approved registration (offline; sent at the next sync)."""
    changes: dict[str, Any] = {}
    for name in ("next_step", "last_activity", "last_activity_on", "progress_notes"):
        value = getattr(progress, name)
        if value is not None:
            changes[name] = value.strip() or None if isinstance(value, str) else value
    if progress.last_activity and progress.last_activity_on is None:
        changes["last_activity_on"] = utc_now().date().isoformat()
    with store.transaction() as conn:
        record_id = records.resolve_id(conn, "registrations", registration_id)
        registration = records.update(conn, "registrations", record_id, changes)
    return Done(registration, Changes.edited(("registrations", record_id)) if changes
                else Changes())


def request_amendment(store: Store, registration_id: str, *, deal_value: str | int | None = None,
                      expected_close_date: str | date | None = None, note: str = ""
                      ) -> Done[dict[str, Any]]:
    """Ask to change an approved deal's value and/or close date; pending until the vendor
    decides (the answer arrives with a sync)."""
    values: dict[str, Any] = {"deal_value_cents": deal_value,
                              "expected_close_date": expected_close_date,
                              "note": (note or "").strip() or None}
    with store.transaction() as conn:
        record_id = records.resolve_id(conn, "registrations", registration_id)
        registration = records.get(conn, "registrations", record_id)
        values["registration_id"] = record_id
        waiting = any(a.get("status") in (None, "pending") for a in records.list_records(
            conn, "registration_amendments", where={"registration_id": record_id}))
        check_amendment(coerce_fields(REGISTRATION_AMENDMENTS, values), registration, utc_now(),
                        one_waiting=waiting)
        amendment = records.create(conn, "registration_amendments", values)
    return Done(amendment, Changes.edited(("registration_amendments", amendment["id"]),
                                          ("registrations", record_id)))


def amendments_of(store: Store, registration_id: str) -> list[dict[str, Any]]:
    """The registration's amendments, newest first."""
    with store.reading() as conn:
        record_id = records.resolve_id(conn, "registrations", registration_id)
        found = records.list_records(conn, "registration_amendments",
                                     where={"registration_id": record_id})
    return sorted(found, key=lambda a: a["created_at"], reverse=True)
