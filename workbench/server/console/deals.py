"""Deal amendments and commissions: the channel manager approves or rejects the reps' requests
to change an approved deal's value or close date; records commissions on won deals, approves and
pays them, and answers the reps' disputes (the queue on top of the page)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from workbench.domain.commissions import shown_status
from workbench.domain.model import COMMISSION_STATUSES
from workbench.server import admin
from workbench.server.console.auth import SignedIn, act, form_of, see_other
from workbench.server.console.web import render

router = APIRouter()


def _amendments(request: Request, *, errors: dict | None = None, status: int = 200) -> Response:
    engine = request.app.state.engine
    shown = request.query_params.get("status", "pending")
    rows = admin.list_amendments(engine, status=shown or None)
    return render(request, "amendments.html", status_code=status, rows=rows, shown=shown,
                  errors=errors or {}, done=request.query_params.get("done"))


@router.get("/console/amendments")
def amendment_list(request: Request, session: SignedIn) -> Response:
    return _amendments(request)


@router.post("/console/amendments/{amendment_id}/{decision}")
async def decide(request: Request, amendment_id: str, decision: str,
                 session: SignedIn) -> Response:
    form = await form_of(request, session)
    if decision not in ("approve", "reject"):
        return render(request, "not_found.html", status_code=404, what="page")
    try:
        await act(session, admin.decide_amendment, request.app.state.engine, amendment_id,
                  decision, reason=form.get("reason") or None)
    except admin.AdminError as error:
        message = str(error).replace("reason:", "Reason:")
        return _amendments(request, errors={amendment_id: message}, status=422)
    told = ("amendment approved: the registration has the new terms"
            if decision == "approve" else "amendment rejected; the partner sees why")
    return see_other(f"/console/amendments?done={quote(told)}")


def _commissions(request: Request, *, errors: dict | None = None, values: dict | None = None,
                 status: int = 200) -> Response:
    engine = request.app.state.engine
    shown = request.query_params.get("status", "")
    rows = admin.list_commissions(engine, status=shown or None)
    disputes = admin.list_commissions(engine, disputed=True)
    return render(request, "commissions.html", status_code=status, rows=rows,
                  disputes=disputes, shown=shown, statuses=COMMISSION_STATUSES,
                  shown_status=shown_status, errors=errors or {}, values=values or {},
                  done=request.query_params.get("done"))


@router.get("/console/commissions")
def commission_list(request: Request, session: SignedIn) -> Response:
    return _commissions(request)


@router.post("/console/commissions")
async def add(request: Request, session: SignedIn) -> Response:
    form = await form_of(request, session)
    deal = (form.get("opportunity") or "").strip()
    if not deal:
        return _commissions(request, errors={"opportunity": "Opportunity: give the id of the "
                                                            "won deal"}, values=form, status=422)
    try:
        await act(session, admin.add_commission, request.app.state.engine, deal,
                  rate_percent=(form.get("rate") or "").strip() or None)
    except admin.AdminError as error:
        message = str(error).replace("opportunity:", "Opportunity:").replace("rate:", "Rate:")
        if "no opportunity" in message:
            message = f"Opportunity: {message}"
        return _commissions(request, errors={"opportunity": message}, values=form, status=422)
    return see_other(f"/console/commissions?done={quote('commission recorded as earned')}")


@router.post("/console/commissions/{commission_id}/{move}")
async def move(request: Request, commission_id: str, move: str,
               session: SignedIn) -> Response:
    form = await form_of(request, session)
    engine = request.app.state.engine
    try:
        if move in ("approve", "pay"):
            await act(session, admin.move_commission, engine, commission_id, move)
            told = "commission approved" if move == "approve" else "commission marked paid"
        elif move == "resolve":
            await act(session, admin.resolve_dispute, engine, commission_id,
                      form.get("answer", ""), amount_cents=(form.get("amount") or "").strip()
                      or None)
            told = "dispute answered; the partner sees it at the next sync"
        else:
            return render(request, "not_found.html", status_code=404, what="page")
    except admin.AdminError as error:
        message = (str(error).replace("answer:", "Answer:").replace("amount_cents:", "Amount:")
                   .replace("amount:", "Amount:"))
        return _commissions(request, errors={commission_id: message}, values=form, status=422)
    return see_other(f"/console/commissions?done={quote(told)}")
