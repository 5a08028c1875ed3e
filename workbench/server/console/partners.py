"""Partners: the list with tier, motions, region, status and inactivity flags; per partner the
seed 001 dashboard (domain.scorecard, as the rep's workbench computes it), the QBR PDF, users."""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from workbench.domain.model import (
    CERTIFICATION_LEVELS,
    LEARNING_KINDS,
    LEARNING_STATUSES,
    PARTNER_USER_ROLES,
    PROGRAM_STATUSES,
    TIERS,
)
from workbench.domain.values import utc_now
from workbench.server import admin, db
from workbench.server.console import queries
from workbench.server.console.auth import (
    SignedIn,
    act,
    form_of,
    see_other,
)
from workbench.server.console.web import SECURITY_HEADERS, page_number, render

router = APIRouter()


@router.get("/console/partners")
def partner_list(request: Request, session: SignedIn) -> Response:
    params = {k: request.query_params.get(k, "") for k in ("q", "flag", "tier")}
    with db.reading(request.app.state.engine) as conn:
        page = queries.partner_list(conn, text=params["q"], flag=params["flag"] or None,
                                    tier=params["tier"] or None,
                                    page=page_number(request.query_params.get("page")))
    return render(request, "partners.html", page=page, params=params, tiers=TIERS,
                  now=utc_now())


def _dashboard(request: Request, partner_id: str, *, errors: dict | None = None,
               values: dict | None = None, new_token: dict | None = None,
               status: int = 200) -> Response:
    import workbench.reports.texts as texts  # the measures in the words the PDF uses

    with db.reading(request.app.state.engine) as conn:
        board = queries.partner_dashboard(conn, partner_id, utc_now())
    if board is None:
        return render(request, "not_found.html", status_code=404, what="partner")
    return render(request, "partner.html", status_code=status, board=board, texts=texts,
                  roles=PARTNER_USER_ROLES, statuses=PROGRAM_STATUSES, errors=errors or {},
                  learning_kinds=LEARNING_KINDS, learning_statuses=LEARNING_STATUSES,
                  levels=CERTIFICATION_LEVELS,
                  values=values or {}, new_token=new_token,
                  done=request.query_params.get("done"))


@router.get("/console/partners/{partner_id}")
def dashboard(request: Request, partner_id: str, session: SignedIn
              ) -> Response:
    return _dashboard(request, partner_id)


@router.get("/console/partners/{partner_id}/qbr.pdf")
async def qbr_pdf(request: Request, partner_id: str,
                  session: SignedIn) -> Response:
    """The same QBR PDF the rep exports, from the server's copy of the partner's data."""
    from workbench.reports.pdf import render_scorecard_pdf

    def build() -> tuple[bytes, str] | None:
        with db.reading(request.app.state.engine) as conn:
            board = queries.partner_dashboard(conn, partner_id, utc_now())
        if board is None:
            return None
        with tempfile.TemporaryDirectory() as folder:
            path = render_scorecard_pdf(board["card"], Path(folder) / "qbr.pdf")
            return path.read_bytes(), f"QBR {board['card'].period.label} {board['partner']['name']}"

    built = await run_in_threadpool(build)
    if built is None:
        return render(request, "not_found.html", status_code=404, what="partner")
    content, title = built
    safe = "".join(c if c.isalnum() or c in " -_" else "_" for c in title).strip()
    return Response(content, media_type="application/pdf", headers={
        **SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{safe}.pdf"'})


@router.post("/console/partners/{partner_id}/users")
async def create_user(request: Request, partner_id: str,
                      session: SignedIn) -> Response:
    form = await form_of(request, session)
    try:
        user = await act(session, admin.create_user, request.app.state.engine, partner_id,
                         form.get("email", ""), name=form.get("name") or None,
                         role=form.get("role") or "seller")
    except admin.AdminError as error:
        message = str(error).replace("email:", "Email:").replace("role:", "Role:")
        return _dashboard(request, partner_id, errors={error.field or "email": message},
                          values=form, status=422)
    # The token is shown once, on this answer only; only its hash is stored.
    return _dashboard(request, partner_id, new_token={"email": user.email, "token": user.token})


@router.post("/console/partners/{partner_id}/users/{user_id}/revoke")
async def revoke_user(request: Request, partner_id: str, user_id: str,
                      session: SignedIn) -> Response:
    await form_of(request, session)
    try:
        await act(session, admin.revoke_user, request.app.state.engine, user_id)
    except admin.AdminError as error:
        return _dashboard(request, partner_id, errors={"revoke": str(error)}, status=422)
    return see_other(f"/console/partners/{partner_id}?done={quote('access revoked')}")


@router.post("/console/partners/{partner_id}/status")
async def set_status(request: Request, partner_id: str,
                     session: SignedIn) -> Response:
    form = await form_of(request, session)
    if form.get("status") not in PROGRAM_STATUSES:
        return _dashboard(request, partner_id, errors={"status": "Program status: choose one "
                                                                 "of the list"}, status=422)
    try:
        await act(session, admin.set_partner_status, request.app.state.engine, partner_id,
                  form["status"])
    except admin.AdminError as error:
        return _dashboard(request, partner_id, errors={"status": str(error)}, status=422)
    return see_other(f"/console/partners/{partner_id}?done={quote('program status changed')}")


# Field names of the record-certification form, as the rep's workbench labels them.
_LEARNING_LABELS = {"name": "Name", "user_email": "Person", "kind": "Kind", "level": "Level",
                    "status": "Status", "expires_on": "Expires on", "completed_at": "Completed"}


@router.post("/console/partners/{partner_id}/certifications")
async def record_certification(request: Request, partner_id: str,
                               session: SignedIn) -> Response:
    """A certification or training for one of the partner's people; syncs to the partner."""
    form = await form_of(request, session)
    values = {k: (form.get(k) or "").strip() or None
              for k in ("name", "user_email", "kind", "level", "status", "expires_on")}
    if not values["name"]:
        return _dashboard(request, partner_id, errors={"learning": "Name: say which "
                                                                   "certification or training"},
                          values=form, status=422)
    try:
        await act(session, admin.record_certification, request.app.state.engine, partner_id,
                  values["name"], user_email=values["user_email"], level=values["level"],
                  kind=values["kind"] or "certification", status=values["status"] or "completed",
                  expires_on=values["expires_on"])
    except admin.AdminError as error:
        message = str(error)
        field = error.field or ""
        if field in _LEARNING_LABELS and message.startswith(f"{field}:"):
            message = _LEARNING_LABELS[field] + message[len(field):]
        return _dashboard(request, partner_id, errors={"learning": message}, values=form,
                          status=422)
    done = quote(f"{values['kind'] or 'certification'} recorded; the partner sees it at the "
                 "next sync")
    return see_other(f"/console/partners/{partner_id}?done={done}")


@router.post("/console/partners/{partner_id}/nps")
async def record_nps(request: Request, partner_id: str, session: SignedIn) -> Response:
    """The customer NPS survey result (seed 003 tier rubric: customer satisfaction)."""
    form = await form_of(request, session)
    score = (form.get("nps") or "").strip()
    if not score:
        return _dashboard(request, partner_id, errors={"nps": "NPS: enter the survey's score, "
                                                              "-100 to 100"},
                          values=form, status=422)
    try:
        await act(session, admin.record_nps, request.app.state.engine, partner_id, score,
                  surveyed_on=(form.get("surveyed_on") or "").strip() or None)
    except admin.AdminError as error:
        return _dashboard(request, partner_id, errors={"nps": str(error)}, values=form,
                          status=422)
    return see_other(f"/console/partners/{partner_id}?done={quote('NPS recorded')}")
