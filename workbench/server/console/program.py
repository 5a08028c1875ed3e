"""Program settings, the scheduled jobs, the audit log (with CSV export), the staff member's
own account (second factor) and the console accounts."""

from __future__ import annotations

import io
from datetime import date

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from workbench.domain.values import utc_now
from workbench.server import audit, db, jobs, program_settings
from workbench.server import staff as staff_accounts
from workbench.server.console import queries
from workbench.server.console.auth import (
    ConsoleSession,
    SignedIn,
    act,
    form_of,
    require_admin,
    see_other,
)
from workbench.server.console.web import SECURITY_HEADERS, Page, page_number, render

router = APIRouter()


def _defaults(request: Request) -> dict:
    return {"auto_approve": bool(getattr(request.app.state, "auto_approve", True))}


def _settings_page(request: Request, session: ConsoleSession, *, errors: dict | None = None,
                   values: dict | None = None, status: int = 200) -> Response:
    engine = request.app.state.engine
    with db.reading(engine) as conn:
        current = program_settings.current(conn, _defaults(request))
        changes, _ = audit.entries(conn, audit.AuditFilter(action="change program setting"),
                                   limit=10)
        runs = jobs.last_runs(conn)
    return render(request, "settings.html", status_code=status,
                  settings=program_settings.SETTINGS, current=current, values=values or {},
                  errors=errors or {}, changes=changes, runs=runs, jobs=jobs.JOBS,
                  staff_list=staff_accounts.list_staff(engine), roles=staff_accounts.ROLE_LABELS,
                  every=getattr(request.app.state, "jobs_every", None),
                  done=request.query_params.get("done"))


@router.get("/console/settings")
def settings(request: Request, session: SignedIn) -> Response:
    return _settings_page(request, session)


@router.post("/console/settings")
async def change_settings(request: Request, session: SignedIn
                          ) -> Response:
    form = await form_of(request, session)
    require_admin(session)
    # A number the form did not send keeps its value; an unticked box is sent as nothing: off.
    raw = {key: form.get(key, "off") if setting.kind is bool else form[key]
           for key, setting in program_settings.SETTINGS.items()
           if setting.kind is bool or key in form}
    try:
        changed = await act(session, program_settings.change, request.app.state.engine, raw,
                            defaults=_defaults(request))
    except program_settings.SettingError as error:
        return _settings_page(request, session, errors={error.field: str(error)}, values=form,
                              status=422)
    message = f"{len(changed)} setting(s) changed" if changed else "nothing changed"
    return see_other(f"/console/settings?done={message.replace(' ', '+')}")


@router.post("/console/jobs/run")
async def run_jobs(request: Request, session: SignedIn) -> Response:
    await form_of(request, session)
    require_admin(session)
    await act(session, jobs.run_all, request.app.state.engine)
    return see_other("/console/settings?done=jobs+ran")


@router.post("/console/staff")
async def create_staff(request: Request, session: SignedIn
                       ) -> Response:
    form = await form_of(request, session)
    require_admin(session)
    try:
        await act(session, staff_accounts.create_staff, request.app.state.engine,
                  form.get("email", ""), form.get("password", ""),
                  role=form.get("role") or "channel_manager", name=form.get("name"))
    except staff_accounts.StaffError as error:
        return _settings_page(request, session, errors={f"staff_{error.field}": str(error)},
                              values={k: v for k, v in form.items() if k != "password"},
                              status=422)
    return see_other("/console/settings?done=console+account+created")


# -- audit log ----------------------------------------------------------------------------------

def _filter(request: Request) -> tuple[audit.AuditFilter, dict[str, str], dict[str, str]]:
    params = {k: request.query_params.get(k, "").strip()
              for k in ("actor", "action", "entity", "partner", "q", "since", "until")}
    errors = {}
    for key in ("since", "until"):
        if params[key]:
            try:
                date.fromisoformat(params[key])
            except ValueError:
                errors[key] = f"{'From' if key == 'since' else 'To'}: expected a date such as " \
                              f"2026-12-01, got {params[key]!r}"
                params[key] = ""
    where = audit.AuditFilter(actor=params["actor"] or None, action=params["action"] or None,
                              entity=params["entity"] or None,
                              partner_id=params["partner"] or None, text=params["q"] or None,
                              since=params["since"] or None, until=params["until"] or None)
    return where, params, errors


@router.get("/console/audit")
def audit_log(request: Request, session: SignedIn) -> Response:
    where, params, errors = _filter(request)
    number = page_number(request.query_params.get("page"))
    with db.reading(request.app.state.engine) as conn:
        rows, total = audit.entries(conn, where, offset=(number - 1) * 50, limit=50)
        actors = audit.distinct_values(conn, "actor")
        actions = audit.distinct_values(conn, "action")
        entities = audit.distinct_values(conn, "entity")
        partners = queries.partner_choices(conn)
    return render(request, "audit.html", status_code=422 if errors else 200,
                  page=Page(rows, total, number), params=params, actors=actors, actions=actions,
                  entities=entities, partners=partners, errors=errors)


@router.get("/console/audit.csv")
async def audit_csv(request: Request, session: SignedIn
                    ) -> Response:
    where, _, _ = _filter(request)

    def export() -> str:
        buffer = io.StringIO()
        with db.reading(request.app.state.engine) as conn:
            audit.export_csv(conn, where, buffer)
        return buffer.getvalue()

    text = await run_in_threadpool(export)
    stamp = utc_now().strftime("%Y-%m-%d")
    return Response(text, media_type="text/csv; charset=utf-8", headers={
        **SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="audit-{stamp}.csv"'})


# -- the staff member's own account -------------------------------------------------------------

@router.get("/console/account")
def account(request: Request, session: SignedIn) -> Response:
    secret = staff_accounts.new_totp_secret()
    return render(request, "account.html", secret=secret,
                  uri=staff_accounts.totp_uri(secret, session.staff.email), errors={},
                  done=request.query_params.get("done"))


@router.post("/console/account/totp")
async def enable_totp(request: Request, session: SignedIn
                      ) -> Response:
    form = await form_of(request, session)
    secret = form.get("secret", "")
    try:
        await act(session, staff_accounts.enable_totp, request.app.state.engine,
                  session.staff.id, secret, form.get("code", ""))
    except staff_accounts.StaffError as error:
        return render(request, "account.html", status_code=422, secret=secret,
                      uri=staff_accounts.totp_uri(secret, session.staff.email)
                      if error.field != "secret" else "", errors={error.field: str(error)})
    return see_other("/console/account?done=two-factor+sign-in+is+on")


@router.post("/console/account/totp/off")
async def disable_totp(request: Request, session: SignedIn
                       ) -> Response:
    await form_of(request, session)
    await act(session, staff_accounts.disable_totp, request.app.state.engine, session.staff.id)
    return see_other("/console/account?done=two-factor+sign-in+is+off")

