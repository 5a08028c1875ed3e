"""Cases: every case, the partners' and the vendor queue's; answer, change status, route."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from workbench.domain.model import CASE_SEVERITIES, CASE_STATUSES
from workbench.domain.values import utc_now
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


@router.get("/console/cases")
def case_list(request: Request, session: SignedIn) -> Response:
    params = {k: request.query_params.get(k, "") for k in ("status", "queue", "severity", "q")}
    if "status" not in request.query_params:
        params["status"] = "open"
    with db.reading(request.app.state.engine) as conn:
        page = queries.case_list(conn, utc_now(), status=params["status"] or None,
                                 queue=params["queue"] or None,
                                 severity=params["severity"] or None, text=params["q"],
                                 page=page_number(request.query_params.get("page")))
    return render(request, "cases.html", page=page, params=params, statuses=CASE_STATUSES,
                  severities=CASE_SEVERITIES, done=request.query_params.get("done"))


def _case_page(request: Request, case_id: str, *, errors: dict | None = None,
               values: dict | None = None, status: int = 200) -> Response:
    with db.reading(request.app.state.engine) as conn:
        case = queries.case_detail(conn, case_id) or queries.queued_case(conn, case_id)
        partners = queries.partner_choices(conn)
    if case is None:
        return render(request, "not_found.html", status_code=404, what="case")
    return render(request, "case.html", status_code=status, case=case, partners=partners,
                  statuses=CASE_STATUSES, errors=errors or {}, values=values or {},
                  now=utc_now(), done=request.query_params.get("done"))


@router.get("/console/cases/{case_id}")
def case(request: Request, case_id: str, session: SignedIn
         ) -> Response:
    return _case_page(request, case_id)


@router.post("/console/cases/{case_id}/comment")
async def comment(request: Request, case_id: str, session: SignedIn
                  ) -> Response:
    form = await form_of(request, session)
    body = (form.get("body") or "").strip()
    if not body:
        return _case_page(request, case_id, errors={"body": "Answer: write what the partner "
                                                            "should read"}, status=422)
    status = form.get("status") or ""
    if status and status not in CASE_STATUSES:
        return _case_page(request, case_id, errors={"status": "Status: choose one of the list"},
                          values=form, status=422)
    engine = request.app.state.engine
    author = f"{session.staff.display_name} (vendor support)"

    def answer() -> None:
        admin.add_case_comment(engine, case_id, body, author=author)
        if status:
            admin.set_case_status(engine, case_id, status)

    try:
        await act(session, answer)
    except admin.AdminError as error:
        return _case_page(request, case_id, errors={"body": str(error).replace("body:",
                                                                               "Answer:")},
                          values=form, status=422)
    sent = quote("answer sent; the partner sees it at the next sync")
    return see_other(f"/console/cases/{case_id}?done={sent}")


@router.post("/console/cases/{case_id}/status")
async def set_status(request: Request, case_id: str,
                     session: SignedIn) -> Response:
    form = await form_of(request, session)
    status = form.get("status") or ""
    if status not in CASE_STATUSES:
        return _case_page(request, case_id, errors={"status": "Status: choose one of the list"},
                          status=422)
    engine = request.app.state.engine
    with db.reading(engine) as conn:
        queued = queries.queued_case(conn, case_id)
    try:
        if queued:
            await act(session, admin.set_queued_case_status, engine, case_id, status)
        else:
            await act(session, admin.set_case_status, engine, case_id, status)
    except admin.AdminError as error:
        return _case_page(request, case_id, errors={"status": str(error)}, status=422)
    return see_other(f"/console/cases/{case_id}?done={quote('status changed')}")


@router.post("/console/cases/{case_id}/route")
async def route(request: Request, case_id: str, session: SignedIn
                ) -> Response:
    form = await form_of(request, session)
    if not form.get("partner"):
        return _case_page(request, case_id, errors={"partner": "Partner: choose who takes the "
                                                               "case"}, status=422)
    try:
        routed = await act(session, admin.route_queued_case, request.app.state.engine, case_id,
                           form["partner"])
    except admin.AdminError as error:
        return _case_page(request, case_id, errors={"partner": str(error)}, status=422)
    return see_other(f"/console/cases/{routed['id']}?done={quote('case routed to the partner')}")


@router.post("/console/cases")
async def open_case(request: Request, session: SignedIn
                    ) -> Response:
    form = await form_of(request, session)
    try:
        case = await act(session, admin.open_case, request.app.state.engine,
                         form.get("domain", ""), form.get("subject", ""),
                         description=form.get("description") or None,
                         severity=form.get("severity") or "normal")
    except admin.AdminError as error:
        with db.reading(request.app.state.engine) as conn:
            page = queries.case_list(conn, utc_now(), status="open")
        field = {"customer_domain": "domain"}.get(error.field or "", error.field or "subject")
        message = str(error).replace("customer_domain:", "Customer domain:").replace(
            "subject:", "Subject:").replace("severity:", "Severity:")
        return render(request, "cases.html", status_code=422, page=page,
                      params={"status": "open", "queue": "", "severity": "", "q": ""},
                      statuses=CASE_STATUSES, severities=CASE_SEVERITIES,
                      errors={field: message}, values=form)
    where = "the vendor queue" if case["queue"] == "vendor" else "the partner of the latest win"
    return see_other(f"/console/cases/{case['id']}?done={quote('case opened for ' + where)}")
