"""The start page: registrations waiting for a decision, the conflict panel, the decisions."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from workbench.domain.program import decision_clock
from workbench.domain.values import parse_datetime, utc_now
from workbench.server import admin, db
from workbench.server.console import queries
from workbench.server.console.auth import (
    SignedIn,
    act,
    form_of,
    see_other,
)
from workbench.server.console.web import page_number, render

router = APIRouter()


@router.get("/console/")
def review_queue(request: Request, session: SignedIn) -> Response:
    params = {k: request.query_params.get(k, "") for k in ("status", "partner", "q")}
    with db.reading(request.app.state.engine) as conn:
        page, counts = queries.review_queue(
            conn, utc_now(), status=params["status"] or None,
            partner_id=params["partner"] or None, text=params["q"],
            page=page_number(request.query_params.get("page")))
        partners = queries.partner_choices(conn)
    return render(request, "queue.html", page=page, counts=counts, params=params,
                  partners=partners, done=request.query_params.get("done"))


@router.get("/console/registrations/{registration_id}")
def registration(request: Request, registration_id: str,
                 session: SignedIn) -> Response:
    return _registration_page(request, registration_id)


def _registration_page(request: Request, registration_id: str, *, errors: dict | None = None,
                       values: dict | None = None, status: int = 200) -> Response:
    engine = request.app.state.engine
    with db.reading(engine) as conn:
        record = queries.registration(conn, registration_id)
    if record is None:
        return render(request, "not_found.html", status_code=404, what="registration")
    details = admin.conflict_details(engine, registration_id) \
        if record["status"] in queries.WAITING else None
    with db.reading(engine) as conn:
        share = admin.program_settings.value(conn, "co_sell_partner_share")
        sla_hours = int(admin.program_settings.value(conn, "decision_sla_hours"))
    clock = decision_clock(parse_datetime(record["submitted_at"]), utc_now(),
                           timedelta(hours=sla_hours)) \
        if record["status"] in queries.WAITING and record["submitted_at"] else None
    amendments = admin.list_amendments(engine, status=None, registration_id=registration_id)
    return render(request, "registration.html", status_code=status, record=record,
                  details=details, errors=errors or {}, values=values or {}, share=share,
                  clock=clock, sla_hours=sla_hours, amendments=amendments)


@router.post("/console/registrations/{registration_id}/approve")
async def approve(request: Request, registration_id: str,
                  session: SignedIn) -> Response:
    form = await form_of(request, session)
    engine = request.app.state.engine
    try:
        record = await act(session, admin.approve, engine, registration_id,
                           reason=form.get("reason") or None)
    except admin.AdminError as error:
        return _registration_page(request, registration_id, errors={"approve": str(error)},
                                  status=422)
    return see_other(_back(form, f"approved {record['customer_name']} "
                                 f"({record['registration_number']})"))


@router.post("/console/registrations/{registration_id}/reject")
async def reject(request: Request, registration_id: str,
                 session: SignedIn) -> Response:
    form = await form_of(request, session)
    reason = (form.get("reason") or "").strip()
    if not reason:
        return _registration_page(request, registration_id, errors={
            "reason": "Reason: say why the registration is rejected; the partner sees it"},
            values=form, status=422)
    if len(reason) > 2000:
        return _registration_page(request, registration_id, errors={
            "reason": "Reason: at most 2,000 characters"}, values=form, status=422)
    try:
        record = await act(session, admin.reject, request.app.state.engine, registration_id,
                           reason)
    except admin.AdminError as error:
        return _registration_page(request, registration_id, errors={"reason": str(error)},
                                  values=form, status=422)
    return see_other(_back(form, f"rejected {record['customer_name']}"))


@router.post("/console/registrations/{registration_id}/resolve")
async def resolve(request: Request, registration_id: str,
                  session: SignedIn) -> Response:
    form = await form_of(request, session)
    outcome = form.get("outcome") or ""
    if outcome not in ("partner", "direct", "co_sell", "reject"):
        return _registration_page(request, registration_id, errors={
            "outcome": "Outcome: choose who gets the deal"}, values=form, status=422)
    try:
        result = await act(session, admin.resolve_conflict, request.app.state.engine,
                           registration_id, outcome,
                           share_percent=form.get("share") if outcome == "co_sell" else None)
    except admin.AdminError as error:
        field = "share" if error.field == "share_percent" else "outcome"
        return _registration_page(request, registration_id, errors={field: str(error)},
                                  values=form, status=422)
    record = result["registration"]
    shown = {"partner": "partner wins", "direct": "direct wins (partner influenced)",
             "co_sell": "co-sell", "reject": "rejected"}[outcome]
    return see_other(_back(form, f"resolved {record['customer_name']}: {shown}"))


def _back(form: dict[str, str], message: str) -> str:
    from urllib.parse import quote
    return f"/console/?done={quote(message)}"
