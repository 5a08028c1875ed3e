"""Market development funds: request an activity's budget, claim it with proof, follow it to paid.

A request is saved offline and sent for the vendor's pre-approval at the next sync. A claim
copies the proof files into the data folder at once (content-addressed, so it works offline) and
records an attachment per file; the bytes go to the vendor server at the next sync, resumably
(sync/files.py). The rules — the lifecycle, a claim at most the approved budget, the size limit,
the campaign's ROI (seed 003) — are in domain/mdf.py and domain/attachments.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from workbench.domain import attachments as file_rules
from workbench.domain import mdf
from workbench.domain.errors import InvalidValue
from workbench.domain.model import MDF_REQUESTS
from workbench.domain.values import coerce
from workbench.services.changes import Changes, Done
from workbench.store import records
from workbench.store.db import Store
from workbench.store.files import LocalFiles


@dataclass(frozen=True)
class MdfRequest:
    """What the rep enters: the activity, its budget ("5000", "$5,000", "5k"), its dates and
    the pipeline it is expected to bring."""

    activity: str = ""
    budget: str | int | None = None
    start_date: str | date | None = None
    end_date: str | date | None = None
    expected_pipeline: str | int | None = None
    description: str | None = None


def request_mdf(store: Store, request: MdfRequest, *, submit: bool = True
                ) -> Done[dict[str, Any]]:
    """Save the request and (by default) queue it for pre-approval; one transaction."""
    values = {"activity_name": (request.activity or "").strip() or None,
              "requested_cents": request.budget, "start_date": request.start_date,
              "end_date": request.end_date, "planned_date": request.start_date,
              "expected_pipeline_cents": request.expected_pipeline,
              "description": (request.description or "").strip() or None}
    with store.transaction() as conn:
        record = records.create(conn, "mdf_requests", values)
        if submit:
            record = records.perform_action(conn, "mdf_requests", record["id"], "submit")
    return Done(record, Changes.edited(("mdf_requests", record["id"])))


def submit_mdf(store: Store, mdf_id: str) -> Done[dict[str, Any]]:
    """Send a draft (or an improved rejected) request for pre-approval."""
    with store.transaction() as conn:
        record_id = records.resolve_id(conn, "mdf_requests", mdf_id)
        record = records.perform_action(conn, "mdf_requests", record_id, "submit")
    return Done(record, Changes.edited(("mdf_requests", record_id)))


@dataclass(frozen=True)
class Claim:
    request: dict[str, Any]
    attachments: list[dict[str, Any]]


def claim_mdf(store: Store, mdf_id: str, amount: str | int | None,
              proofs: Sequence[Path | str]) -> Done[Claim]:
    """Claim an approved request with its proof of performance.

    Everything is checked before anything is kept: the status, the amount against the approved
    budget, each file (it exists, it is within the size limit — checked before a byte is
    copied). The files are then copied in and the claim and its attachments recorded in one
    transaction.
    """
    paths = [Path(p) for p in proofs]
    if not paths:
        raise InvalidValue("proof", "attach at least one file as proof of performance "
                                    "(invoices, photos, attendee lists)", "Proof file")
    files = LocalFiles(store.data_dir)
    with store.reading() as conn:
        record_id = records.resolve_id(conn, "mdf_requests", mdf_id)
        current = records.get(conn, "mdf_requests", record_id)
    claim_cents = _money(amount)
    mdf.check_action({**current, "claim_cents": claim_cents}, "claim")
    for path in paths:
        files.check_source(path)
    copied = [(path, *files.add(path)) for path in paths]
    with store.transaction() as conn:
        added = [records.create(conn, "attachments", {
            "mdf_request_id": record_id, "filename": file_rules.safe_filename(path.name),
            "media_type": file_rules.media_type(path.name), "size_bytes": size, "sha256": sha})
            for path, sha, size in copied]
        evidence = ", ".join(a["filename"] for a in added)
        record = records.perform_action(conn, "mdf_requests", record_id, "claim",
                                        {"claim_cents": claim_cents,
                                         "claim_evidence": evidence[:2000]})
    touched = [("mdf_requests", record_id), *(("attachments", a["id"]) for a in added)]
    return Done(Claim(record, added), Changes.edited(*touched))


def _money(amount: str | int | None) -> int:
    value = coerce(MDF_REQUESTS.field("claim_cents"), amount) if amount not in (None, "") \
        else None
    if not value:
        raise MDF_REQUESTS.invalid("claim_cents", "enter the amount you claim")
    return int(value)


# -- reading --------------------------------------------------------------------------------------

def list_mdf(store: Store) -> list[dict[str, Any]]:
    """Every request, newest first, with its figures (spent, pipeline, revenue, ROI)."""
    with store.reading() as conn:
        rows = records.list_records(conn, "mdf_requests", order_by="created_at")
        regs = records.list_records(conn, "registrations")
        opps = records.list_records(conn, "opportunities")
        counts: dict[str, int] = {}
        for a in records.list_records(conn, "attachments"):
            counts[a["mdf_request_id"]] = counts.get(a["mdf_request_id"], 0) + 1
    return [_with_figures(r, regs, opps, counts.get(r["id"], 0)) for r in reversed(rows)]


def show_mdf(store: Store, mdf_id: str) -> dict[str, Any]:
    """One request with its attachments (id, file name, size, SHA-256, whether it is on the
    vendor server yet) and its campaign's figures."""
    files = LocalFiles(store.data_dir)
    with store.reading() as conn:
        record_id = records.resolve_id(conn, "mdf_requests", mdf_id)
        record = records.get(conn, "mdf_requests", record_id)
        regs = records.list_records(conn, "registrations", where={"mdf_request_id": record_id})
        opps = [o for o in records.list_records(conn, "opportunities")
                if o.get("registration_id") in {r["id"] for r in regs}]
        attached = records.list_records(conn, "attachments", where={"mdf_request_id": record_id})
    shown = _with_figures(record, regs, opps, len(attached))
    shown["attachments"] = [_attachment(a, files) for a in attached]
    shown["registrations"] = [{"id": r["id"], "customer_name": r["customer_name"],
                               "status": r.get("status"),
                               "deal_value_cents": r.get("deal_value_cents")} for r in regs]
    shown["next_actions"] = list(mdf.allowed_actions(record.get("status") or "draft",
                                                     "partner"))
    return shown


def _attachment(row: dict[str, Any], files: LocalFiles) -> dict[str, Any]:
    return {"id": row["id"], "filename": row["filename"], "media_type": row.get("media_type"),
            "size_bytes": row["size_bytes"], "sha256": row["sha256"],
            "uploaded": bool(row.get("uploaded_at")), "uploaded_at": row.get("uploaded_at"),
            "on_this_computer": files.exists(row["sha256"])}


def _with_figures(record: dict[str, Any], regs: list[dict[str, Any]],
                  opps: list[dict[str, Any]], attachments: int) -> dict[str, Any]:
    result = mdf.campaign_result(record, regs, opps)
    return {**record, "attachment_count": attachments, "spent_cents": result.cost_cents,
            "pipeline_cents": result.pipeline_cents, "revenue_cents": result.revenue_cents,
            "roi_percent": None if result.roi_percent is None else str(result.roi_percent)}


def link_registration(store: Store, registration_id: str, mdf_id: str | None
                      ) -> Done[dict[str, Any]]:
    """Say which MDF activity a deal came from (its pipeline and revenue count for the ROI)."""
    with store.transaction() as conn:
        reg_id = records.resolve_id(conn, "registrations", registration_id)
        target = records.resolve_id(conn, "mdf_requests", mdf_id) if mdf_id else None
        reg = records.update(conn, "registrations", reg_id, {"mdf_request_id": target})
    return Done(reg, Changes.edited(("registrations", reg_id)))


# -- attachments ------------------------------------------------------------------------------------

def attachment(store: Store, attachment_id: str) -> dict[str, Any]:
    with store.reading() as conn:
        row = records.get(conn, "attachments",
                          records.resolve_id(conn, "attachments", attachment_id))
    return _attachment(row, LocalFiles(store.data_dir))


def save_attachment(store: Store, attachment_id: str, target: Path | str) -> dict[str, Any]:
    """Copy an attachment's file to `target` — from this computer when it is here, else from
    the vendor server (signed in). The file is checked against its SHA-256 either way."""
    info = attachment(store, attachment_id)
    files = LocalFiles(store.data_dir)
    if not files.exists(info["sha256"]):
        from workbench.sync import account
        from workbench.sync import files as transfer
        client = account.client_for(store)
        try:
            transfer.download(store, client, info["sha256"])
        finally:
            client.close()
    actual, _ = file_rules.sha256_file(files.path(info["sha256"]))
    if actual != info["sha256"]:
        raise InvalidValue("sha256", f"the copy on this computer is damaged (its SHA-256 is "
                                     f"{actual}); it was not saved", "SHA-256")
    files.copy_out(info["sha256"], Path(target))
    return {**info, "saved_to": str(Path(target))}
