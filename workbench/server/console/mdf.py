"""MDF: requests waiting for pre-approval, claims waiting for payment; approve, reject, pay, and
the proof files — always downloaded, never shown as a page."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from workbench.domain import mdf as rules
from workbench.domain.model import MDF_STATUSES
from workbench.domain.values import parse_money_cents
from workbench.server import admin, attachments, db
from workbench.server.console.auth import SignedIn, act, form_of, see_other
from workbench.server.console.web import render
from workbench.server.schema import RECORD_TABLES, content_documents

router = APIRouter()
_WAITING = ("submitted", "claimed")


def _requests(conn: sa.Connection, status: str | None) -> list[dict[str, Any]]:
    table, partners = RECORD_TABLES["mdf_requests"], RECORD_TABLES["partners"]
    query = (sa.select(table, partners.c.name.label("partner_name"))
             .join(partners, partners.c.id == table.c.partner_id, isouter=True)
             .where(table.c.deleted == sa.false()))
    if status == "waiting":
        query = query.where(table.c.status.in_(_WAITING))
    elif status:
        query = query.where(table.c.status == status)
    rows = conn.execute(query.order_by(table.c.updated_at.desc()).limit(200)).mappings()
    return [dict(r) for r in rows]


def _detail(conn: sa.Connection, mdf_id: str) -> dict[str, Any] | None:
    table = RECORD_TABLES["mdf_requests"]
    row = conn.execute(sa.select(table).where(table.c.id == mdf_id)).mappings().first()
    if row is None:
        return None
    record = dict(row)
    partner = conn.execute(sa.select(RECORD_TABLES["partners"].c.name).where(
        RECORD_TABLES["partners"].c.id == record["partner_id"])).scalar()
    files = RECORD_TABLES["attachments"]
    record["attachments"] = [dict(r) for r in conn.execute(sa.select(files).where(
        files.c.mdf_request_id == mdf_id, files.c.deleted == sa.false())
        .order_by(files.c.created_at)).mappings()]
    regs, opps = RECORD_TABLES["registrations"], RECORD_TABLES["opportunities"]
    linked = [dict(r) for r in conn.execute(sa.select(regs).where(
        regs.c.mdf_request_id == mdf_id, regs.c.deleted == sa.false())).mappings()]
    deals = [dict(r) for r in conn.execute(sa.select(opps).where(
        opps.c.registration_id.in_([r["id"] for r in linked]))).mappings()] if linked else []
    record["result"] = rules.campaign_result(record, linked, deals)
    record["partner_name"] = partner
    record["actions"] = rules.allowed_actions(record.get("status") or "draft", "vendor")
    return record


@router.get("/console/mdf")
def mdf_list(request: Request, session: SignedIn) -> Response:
    status = request.query_params.get("status", "waiting")
    with db.reading(request.app.state.engine) as conn:
        rows = _requests(conn, status if status in (*MDF_STATUSES, "waiting") else None)
    return render(request, "mdf.html", rows=rows, status=status, statuses=MDF_STATUSES,
                  done=request.query_params.get("done"))


def _page(request: Request, mdf_id: str, *, errors: dict | None = None,
          values: dict | None = None, status: int = 200) -> Response:
    with db.reading(request.app.state.engine) as conn:
        record = _detail(conn, mdf_id)
    if record is None:
        return render(request, "not_found.html", status_code=404, what="MDF request")
    return render(request, "mdf_request.html", status_code=status, r=record,
                  errors=errors or {}, values=values or {}, done=request.query_params.get("done"))


@router.get("/console/mdf/{mdf_id}")
def mdf_request(request: Request, mdf_id: str, session: SignedIn) -> Response:
    return _page(request, mdf_id)


@router.post("/console/mdf/{mdf_id}/decide")
async def decide(request: Request, mdf_id: str, session: SignedIn) -> Response:
    form = await form_of(request, session)
    decision = form.get("decision") or ""
    amount = (form.get("amount") or "").strip()
    cents = None
    if decision == "approve" and amount:
        try:
            cents = parse_money_cents(amount)
        except ValueError:
            return _page(request, mdf_id, errors={"amount": f"Approved amount: {amount!r} is not "
                                                            "an amount such as 4000 or $4,000"},
                         values=form, status=422)
    try:
        await act(session, admin.decide_mdf, request.app.state.engine, mdf_id, decision,
                  approved_cents=cents, reason=form.get("reason") or None)
    except admin.AdminError as error:
        field = "reason" if error.field == "reason" else "amount"
        message = str(error).replace("reason:", "Reason:").replace("approved_cents:",
                                                                   "Approved amount:")
        return _page(request, mdf_id, errors={field: message}, values=form, status=422)
    done = "pre-approved" if decision == "approve" else "rejected"
    return see_other(f"/console/mdf/{mdf_id}?done={quote(done + '; the partner sees it at the next sync')}")


@router.post("/console/mdf/{mdf_id}/pay")
async def pay(request: Request, mdf_id: str, session: SignedIn) -> Response:
    form = await form_of(request, session)
    try:
        await act(session, admin.pay_mdf, request.app.state.engine, mdf_id,
                  paid_on=form.get("paid_on") or None)
    except admin.AdminError as error:
        return _page(request, mdf_id, errors={"paid_on": str(error).replace(
            "paid_on:", "Paid on:")}, values=form, status=422)
    return see_other(f"/console/mdf/{mdf_id}?done={quote('marked paid')}")


@router.get("/console/files/{entity}/{record_id}")
def download(request: Request, entity: str, record_id: str, session: SignedIn) -> Response:
    """An attachment or content file, as a download (never rendered: nosniff, attachment)."""
    tables = {**{name: RECORD_TABLES[name] for name in attachments.FILE_ENTITIES},
              "content_documents": content_documents}
    if entity not in tables:
        return render(request, "not_found.html", status_code=404, what="file")
    engine = request.app.state.engine
    table = tables[entity]
    with db.reading(engine) as conn:
        row = conn.execute(sa.select(table).where(table.c.id == record_id)).mappings().first()
    files: attachments.FileStore = request.app.state.files
    if row is None or not row["sha256"] or not files.exists(row["sha256"]):
        return render(request, "not_found.html", status_code=404, what="file")
    return FileResponse(files.get(row["sha256"]), media_type="application/octet-stream",
                        headers=attachments.download_headers(row["filename"]))
