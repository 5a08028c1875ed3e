"""The leads desk: create a lead and route it by rule or by hand, every lead's SLA clock,
the leads waiting for a partner, and the assignment rules."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from workbench.domain.model import TIERS
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
VIEWS = ("open", "breached", "recycled", "all")
_FIELD_NAMES = {"company_name": "company", "company_domain": "domain",
                "contact_email": "contact_email", "contact_name": "contact"}


def _desk(request: Request, *, errors: dict | None = None, values: dict | None = None,
          rule_errors: dict | None = None, rule_values: dict | None = None,
          status: int = 200) -> Response:
    params = {k: request.query_params.get(k, "") for k in ("view", "partner", "q")}
    view = params["view"] if params["view"] in VIEWS else "open"
    engine = request.app.state.engine
    with db.reading(engine) as conn:
        page, counts = queries.lead_desk(conn, utc_now(), view=view,
                                         partner_id=params["partner"] or None,
                                         text=params["q"],
                                         page=page_number(request.query_params.get("page")))
        waiting = queries.waiting_leads(conn)
        partners = queries.partner_choices(conn)
    rules = admin.list_lead_rules(engine)
    names = {p["id"]: p["name"] for p in partners}
    return render(request, "leads.html", status_code=status, page=page, counts=counts,
                  params={**params, "view": view}, views=VIEWS, waiting=waiting,
                  partners=partners, rules=rules, names=names, tiers=TIERS,
                  errors=errors or {}, values=values or {}, rule_errors=rule_errors or {},
                  rule_values=rule_values or {}, done=request.query_params.get("done"))


@router.get("/console/leads")
def lead_desk(request: Request, session: SignedIn) -> Response:
    return _desk(request)


@router.post("/console/leads")
async def create_lead(request: Request, session: SignedIn
                      ) -> Response:
    form = await form_of(request, session)
    partner_id = form.get("partner") or None
    try:
        made = await act(session, admin.create_lead, request.app.state.engine,
                         form.get("company", ""), company_domain=form.get("domain"),
                         contact_name=form.get("contact"), contact_email=form.get("contact_email"),
                         source=form.get("source") or "vendor", region=form.get("region"),
                         industry=form.get("industry"), partner_id=partner_id)
    except admin.AdminError as error:
        field = _FIELD_NAMES.get(error.field or "", error.field or "company")
        return _desk(request, errors={field: _readable(str(error))}, values=form, status=422)
    if made["lead"] is None:
        message = f"{made['company_name']} waits on the desk: no partner is eligible"
    else:
        with db.reading(request.app.state.engine) as conn:
            name = next((p["name"] for p in queries.partner_choices(conn)
                         if p["id"] == made["partner_id"]), "a partner")
        message = f"{made['company_name']} assigned to {name} ({made['assigned_by']})"
    return see_other(f"/console/leads?done={quote(message)}")


def _readable(message: str) -> str:
    for raw, shown in (("company_name:", "Company:"), ("company_domain:", "Domain:"),
                       ("contact_email:", "Contact email:"), ("contact_name:", "Contact:")):
        message = message.replace(raw, shown)
    return message


@router.post("/console/leads/{desk_id}/assign")
async def assign(request: Request, desk_id: str, session: SignedIn
                 ) -> Response:
    form = await form_of(request, session)
    try:
        lead = await act(session, admin.assign_waiting_lead, request.app.state.engine, desk_id,
                         form.get("partner") or None)
    except admin.AdminError as error:
        return _desk(request, errors={f"assign-{desk_id}": str(error)}, status=422)
    return see_other(f"/console/leads?done={quote(lead['company_name'] + ' assigned')}")


@router.post("/console/leads/rules")
async def add_rule(request: Request, session: SignedIn) -> Response:
    form = await request.form()
    await form_of(request, session)
    chosen = [v for v in form.getlist("partners") if isinstance(v, str) and v]
    try:
        await act(session, admin.add_lead_rule, request.app.state.engine, form.get("name", ""),
                  region=form.get("region"), industry=form.get("industry"),
                  min_tier=form.get("min_tier") or None, partner_ids=chosen)
    except admin.AdminError as error:
        field = {"partner": "partners"}.get(error.field or "", error.field or "name")
        return _desk(request, rule_errors={field: str(error).replace("min_tier:", "Minimum tier:")
                                           .replace("name:", "Name:")},
                     rule_values=dict(form), status=422)
    return see_other("/console/leads?done=" + quote("assignment rule added"))


@router.post("/console/leads/rules/{rule_id}/delete")
async def delete_rule(request: Request, rule_id: str,
                      session: SignedIn) -> Response:
    await form_of(request, session)
    try:
        await act(session, admin.delete_lead_rule, request.app.state.engine, rule_id)
    except admin.AdminError as error:
        return _desk(request, rule_errors={"name": str(error)}, status=404)
    return see_other("/console/leads?done=" + quote("assignment rule deleted"))
