"""`workbench-server`: run the vendor server, or administer the partner program.

    workbench-server serve [--db URL] [--host 127.0.0.1] [--port 8765] [--workers N]
                           [--jobs-every SECONDS]
    workbench-server admin [--db URL] COMMAND … [--json]

`serve` answers the sync API and the vendor console (/console/) and runs the program jobs.

The database is --db, else $WORKBENCH_SERVER_DB, else a SQLite file in the server's data folder.
Exit codes: 0 done, 1 the command was refused (the message names the field), 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from workbench.domain.values import parse_datetime
from workbench.server import admin, audit, db, jobs, staff
from workbench.server.app import ENV_AUTO_APPROVE, ENV_DB_URL, ENV_JOBS_EVERY

Handler = Callable[[sa.Engine, argparse.Namespace], Any]
_HANDLERS: dict[str, Handler] = {}


def _db_url(args: argparse.Namespace) -> str:
    return getattr(args, "db", None) or os.environ.get(ENV_DB_URL) or db.default_db_url()


def _shown(url: str) -> str:
    return sa.make_url(url).render_as_string(hide_password=True)


# -- serve --------------------------------------------------------------------------------------

def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from workbench.server.app import create_app

    url = _db_url(args)
    engine = db.make_engine(url)
    db.upgrade(engine)  # once, before any worker starts
    engine.dispose()
    every = args.jobs_every or None
    print(f"vendor server on http://{args.host}:{args.port} (database {_shown(url)}, "
          f"{args.workers} worker{'s' if args.workers > 1 else ''}); console at /console/, "
          f"API docs at /docs; program jobs "
          f"{f'every {every:g} s' if every else 'off'}", file=sys.stderr)
    if args.workers > 1:
        os.environ[ENV_DB_URL] = url
        os.environ[ENV_AUTO_APPROVE] = "0" if args.no_auto_approve else "1"
        os.environ[ENV_JOBS_EVERY] = str(every or 0)
        # A worker must answer the supervisor's health check; on a busy machine importing the
        # app can take longer than uvicorn's 5 s default, and the worker would be killed.
        uvicorn.run("workbench.server.app:app_from_env", factory=True, host=args.host,
                    port=args.port, workers=args.workers, log_level=args.log_level,
                    timeout_worker_healthcheck=60)
    else:
        app = create_app(url, auto_approve=not args.no_auto_approve, migrate=False,
                         jobs_every=every)
        uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    return 0


# -- admin --------------------------------------------------------------------------------------

def command(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        _HANDLERS[name] = handler
        return handler
    return register


def _now(args: argparse.Namespace) -> datetime | None:
    return parse_datetime(args.now) if getattr(args, "now", None) else None


@command("migrate")
def _migrate(engine, args):
    return "schema is up to date"


@command("create-partner")
def _create_partner(engine, args):
    return {"id": admin.create_partner(
        engine, args.name, motions=args.motion or (), tier=args.tier, region=args.region,
        parent_id=args.parent, segment=args.segment, territory=args.territory,
        channel_manager=args.channel_manager, program_status=args.program_status,
        sub_partner_visibility=args.sub_partner_visibility)}


@command("list-partners")
def _list_partners(engine, args):
    return admin.list_partners(engine)


@command("create-user")
def _create_user(engine, args):
    user = admin.create_user(engine, args.partner, args.email, name=args.name, role=args.role)
    return {"id": user.id, "partner_id": user.partner_id, "email": user.email,
            "token": user.token}


@command("list-users")
def _list_users(engine, args):
    return admin.list_users(engine, args.partner)


@command("revoke-user")
def _revoke_user(engine, args):
    return {"revoked": admin.revoke_user(engine, args.id, email=args.email)}


@command("load-opportunities")
def _load(engine, args):
    return {"loaded": admin.load_opportunities(engine, args.file)}


@command("list-registrations")
def _list_registrations(engine, args):
    return admin.list_registrations(engine, args.status, args.partner)


@command("approve")
def _approve(engine, args):
    return admin.approve(engine, args.id, reason=args.reason)


@command("reject")
def _reject(engine, args):
    return admin.reject(engine, args.id, args.reason)


@command("expire-registrations")
def _expire(engine, args):
    return {"expired": admin.expire_registrations(engine, now=_now(args))}


@command("resolve-conflict")
def _resolve(engine, args):
    return admin.resolve_conflict(engine, args.id, args.outcome, share_percent=args.share)


@command("assign-lead")
def _assign_lead(engine, args):
    return admin.assign_lead(engine, args.partner, args.company, company_domain=args.domain,
                             contact_name=args.contact, contact_email=args.contact_email,
                             source=args.source)


@command("recycle-leads")
def _recycle(engine, args):
    return {"recycled": admin.recycle_leads(engine, now=_now(args))}


@command("set-stage")
def _set_stage(engine, args):
    return admin.set_stage(engine, args.id, args.stage)


@command("close-opportunity")
def _close(engine, args):
    return admin.close_opportunity(engine, args.id, args.outcome, amount_cents=args.amount,
                                   closed_on=args.closed_on)


@command("attribute")
def _attribute(engine, args):
    return admin.attribute(engine, args.id, args.partner, args.role, split_percent=args.split)


@command("open-case")
def _open_case(engine, args):
    return admin.open_case(engine, args.customer_domain, args.subject,
                           description=args.description, severity=args.severity)


@command("set-case-status")
def _case_status(engine, args):
    return admin.set_case_status(engine, args.id, args.status)


@command("add-case-comment")
def _case_comment(engine, args):
    return admin.add_case_comment(engine, args.id, args.body, author=args.author)


@command("record-certification")
def _certification(engine, args):
    return admin.record_certification(
        engine, args.partner, args.name, user_email=args.email, level=args.level,
        kind=args.kind, status=args.status, completed_at=args.completed_at,
        expires_on=args.expires_on)


@command("record-nps")
def _nps(engine, args):
    return admin.record_nps(engine, args.partner, args.score, surveyed_on=args.surveyed_on)


@command("record-activity")
def _activity(engine, args):
    return admin.record_activity(engine, args.partner, args.kind, user_email=args.email,
                                 occurred_at=args.at, detail=args.detail)


@command("decide-mdf")
def _decide_mdf(engine, args):
    return admin.decide_mdf(engine, args.id, args.decision, approved_cents=args.amount,
                            reason=args.reason)


@command("add-commission")
def _add_commission(engine, args):
    return admin.add_commission(engine, args.id, rate_percent=args.rate)


@command("approve-commission")
def _approve_commission(engine, args):
    return admin.move_commission(engine, args.id, "approve", on=args.on)


@command("pay-commission")
def _pay_commission(engine, args):
    return admin.move_commission(engine, args.id, "pay", on=args.on)


@command("list-commissions")
def _list_commissions(engine, args):
    return admin.list_commissions(engine, status=args.status, disputed=args.disputed)


@command("resolve-dispute")
def _resolve_dispute(engine, args):
    return admin.resolve_dispute(engine, args.id, args.answer, amount_cents=args.amount)


@command("list-amendments")
def _list_amendments(engine, args):
    return admin.list_amendments(engine, status=args.status or None)


@command("decide-amendment")
def _decide_amendment(engine, args):
    return admin.decide_amendment(engine, args.id, args.decision, reason=args.reason)


@command("pay-mdf")
def _pay_mdf(engine, args):
    return admin.pay_mdf(engine, args.id, paid_on=args.paid_on)


@command("publish-content")
def _publish_content(engine, args):
    return admin.publish_content(engine, args.file, args.title, tier=args.tier,
                                 description=args.description)


@command("publish-averages")
def _averages(engine, args):
    return admin.publish_averages(engine, args.period, now=_now(args))


@command("update-record")
def _update_record(engine, args):
    fields = {}
    for pair in args.assignments:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise admin.AdminError(f"expected FIELD=VALUE, got {pair!r}", "fields")
        fields[name.strip()] = value
    return admin.update_record(engine, args.entity, args.id, **fields)


@command("delete-record")
def _delete_record(engine, args):
    return admin.delete_record(engine, args.entity, args.id)


@command("show")
def _show(engine, args):
    return admin.get_record(engine, args.entity, args.id)


@command("list-cases")
def _list_cases(engine, args):
    return admin.list_cases(engine, args.status)


@command("create-staff")
def _create_staff(engine, args):
    password = _read_password(args.password_stdin)
    try:
        staff_id = staff.create_staff(engine, args.email, password, role=args.role,
                                      name=args.name)
    except staff.StaffError as error:
        raise admin.AdminError(str(error), error.field) from None
    return {"id": staff_id, "email": args.email.strip(), "role": args.role}


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass("Password for the console account: ")
    if getpass.getpass("Same password again: ") != first:
        raise admin.AdminError("password: the two entries differ", "password")
    return first


@command("run-jobs")
def _run_jobs(engine, args):
    return jobs.run_all(engine, now=_now(args))


def _admin(args: argparse.Namespace) -> int:
    engine = db.make_engine(_db_url(args))
    try:
        db.upgrade(engine)
        with audit.acting_as(f"cli:{_os_user()}"):
            result = _HANDLERS[args.command](engine, args)
    except admin.AdminError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    _print(result, as_json=getattr(args, "json", False))
    return 0


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _print(result: Any, *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, indent=2, default=str))
    elif isinstance(result, list):
        for item in result:
            print(_one_line(item) if isinstance(item, dict) else item)
        if not result:
            print("(none)", file=sys.stderr)
    elif isinstance(result, dict):
        for key, value in result.items():
            shown = json.dumps(value, default=str) if isinstance(value, dict | list) else value
            print(f"{key}: {shown}")
    else:
        print(result)


_SUMMARY_KEYS = ("id", "registration_number", "status", "name", "email", "customer_name",
                 "customer_domain", "partner_name", "tier", "role", "revoked_at")


def _one_line(item: dict[str, Any]) -> str:
    return "  ".join(str(item[k]) for k in _SUMMARY_KEYS if item.get(k) not in (None, ""))


# -- argument parsing ---------------------------------------------------------------------------

def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench-server", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="mode", required=True)

    serve = commands.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--db", help="database URL (sqlite:///… or postgresql+psycopg://…)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--workers", type=int, default=1, help="worker processes (PostgreSQL)")
    serve.add_argument("--no-auto-approve", action="store_true",
                       help="hold clean registrations for a channel manager too")
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--jobs-every", type=float, default=jobs.DEFAULT_EVERY, metavar="SECONDS",
                       help="run the program jobs (lapse, recycle leads, inactive partners, "
                            f"hygiene, averages) every SECONDS; 0 turns them off "
                            f"(default {jobs.DEFAULT_EVERY})")

    # --db and --json are accepted before or after the command name.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, help="database URL")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="print the result as JSON")
    admin_parser = commands.add_parser("admin", parents=[common], help="administer the program")
    sub = admin_parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _admin_commands(lambda name, **kw: sub.add_parser(name, parents=[common], **kw))
    return parser


def _admin_commands(add: Callable[..., argparse.ArgumentParser]) -> None:
    add("migrate", help="upgrade the database schema")
    p = add("create-partner", help="add a partner; prints its id")
    p.add_argument("--name", required=True)
    p.add_argument("--motion", action="append", help="reseller, referral, … (repeatable)")
    p.add_argument("--tier")
    p.add_argument("--region")
    p.add_argument("--parent", help="distributor's partner id (this is a sub-partner)")
    p.add_argument("--segment")
    p.add_argument("--territory")
    p.add_argument("--channel-manager")
    p.add_argument("--program-status", default="active")
    p.add_argument("--sub-partner-visibility", action="store_true",
                   help="this distributor's users see its sub-partners' records")
    add("list-partners")
    p = add("create-user", help="add a user; prints the API token once")
    p.add_argument("--partner", required=True)
    p.add_argument("--email", required=True)
    p.add_argument("--name")
    p.add_argument("--role", default="seller")
    p = add("list-users")
    p.add_argument("--partner")
    p = add("revoke-user", help="revoke a user's token (effective on the next request)")
    p.add_argument("id", nargs="?")
    p.add_argument("--email")
    p = add("load-opportunities", help="load the direct pipeline from CSV")
    p.add_argument("file")
    p = add("list-registrations")
    p.add_argument("--status")
    p.add_argument("--partner")
    p = add("approve")
    p.add_argument("id")
    p.add_argument("--reason")
    p = add("reject")
    p.add_argument("id")
    p.add_argument("--reason", required=True)
    for name in ("expire-registrations", "lapse"):
        p = add(name, help="lapse registrations whose 90-day protection has ended")
        p.add_argument("--now", help="ISO timestamp to use as the current time")
        p.set_defaults(command="expire-registrations")
    p = add("resolve-conflict", help="suggest (or with --outcome apply) a conflict resolution")
    p.add_argument("id")
    p.add_argument("--outcome", choices=("partner", "direct", "co-sell", "reject"))
    p.add_argument("--share", help="the partner's share of a co-sell split, e.g. 50")
    p = add("assign-lead")
    p.add_argument("--partner", required=True)
    p.add_argument("--company", required=True)
    p.add_argument("--domain")
    p.add_argument("--contact")
    p.add_argument("--contact-email")
    p.add_argument("--source", default="vendor")
    p = add("recycle-leads", help="take back leads not contacted within 48 hours")
    p.add_argument("--now", help="ISO timestamp to use as the current time")
    p = add("set-stage")
    p.add_argument("id")
    p.add_argument("stage")
    p = add("close-opportunity")
    p.add_argument("id")
    p.add_argument("outcome", choices=("won", "lost"))
    p.add_argument("--amount", help="final amount, e.g. 40000 or $40,000")
    p.add_argument("--closed-on")
    p = add("attribute")
    p.add_argument("id")
    p.add_argument("--partner", required=True)
    p.add_argument("--role", required=True)
    p.add_argument("--split")
    p = add("open-case", help="open a case, routed to the partner of the latest won deal")
    p.add_argument("--customer-domain", required=True)
    p.add_argument("--subject", required=True)
    p.add_argument("--description")
    p.add_argument("--severity", default="normal")
    p = add("set-case-status")
    p.add_argument("id")
    p.add_argument("status")
    p = add("add-case-comment")
    p.add_argument("id")
    p.add_argument("--body", required=True)
    p.add_argument("--author", default="vendor support")
    p = add("record-certification")
    p.add_argument("--partner", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--email")
    p.add_argument("--level")
    p.add_argument("--kind", default="certification")
    p.add_argument("--status", default="completed")
    p.add_argument("--completed-at", help="ISO timestamp (default now, when completed)")
    p.add_argument("--expires-on")
    p = add("record-nps", help="the partner's customer NPS, -100 to 100 (tier rubric)")
    p.add_argument("partner", help="partner id")
    p.add_argument("score", help="Net Promoter Score, a whole number from -100 to 100")
    p.add_argument("--surveyed-on", help="survey date YYYY-MM-DD (default today)")
    p = add("record-activity")
    p.add_argument("--partner", required=True)
    p.add_argument("--kind", required=True)
    p.add_argument("--email")
    p.add_argument("--detail")
    p.add_argument("--at", help="ISO timestamp (default now)")
    p = add("decide-mdf")
    p.add_argument("id")
    p.add_argument("decision", choices=("approve", "reject"))
    p.add_argument("--amount")
    p.add_argument("--reason")
    p = add("add-commission", help="record the commission on a won partner deal (rate by tier)")
    p.add_argument("id", metavar="OPP_ID")
    p.add_argument("--rate", help="percent of the closed amount (default: the tier's rate)")
    for name in ("approve-commission", "pay-commission"):
        p = add(name)
        p.add_argument("id")
        p.add_argument("--on", metavar="YYYY-MM-DD", help="the day (default today)")
    p = add("list-commissions")
    p.add_argument("--status")
    p.add_argument("--disputed", action="store_true", help="only open disputes (the queue)")
    p = add("resolve-dispute", help="answer a partner's commission dispute")
    p.add_argument("id")
    p.add_argument("--answer", required=True)
    p.add_argument("--amount", help="corrected commission amount")
    p = add("list-amendments")
    p.add_argument("--status", default="pending")
    p = add("decide-amendment", help="approve or reject a deal amendment request")
    p.add_argument("id")
    p.add_argument("decision", choices=("approve", "reject"))
    p.add_argument("--reason")
    p = add("pay-mdf", help="mark a claimed MDF request paid")
    p.add_argument("id")
    p.add_argument("--paid-on", help="ISO date (default today)")
    p = add("publish-content", help="publish a document to the partners' content library")
    p.add_argument("file")
    p.add_argument("--title", required=True)
    p.add_argument("--tier", help="lowest tier that sees it (bronze, silver, gold, platinum); "
                                  "default every partner")
    p.add_argument("--description")
    p = add("publish-averages", help="publish program averages (aggregates only)")
    p.add_argument("--period")
    p.add_argument("--now", help="ISO timestamp to use as the current time")
    p = add("update-record", help="vendor edit: FIELD=VALUE …")
    p.add_argument("entity")
    p.add_argument("id")
    p.add_argument("assignments", nargs="+", metavar="FIELD=VALUE")
    p = add("delete-record")
    p.add_argument("entity")
    p.add_argument("id")
    p = add("show")
    p.add_argument("entity")
    p.add_argument("id")
    p = add("list-cases", help="every case: the partners' and the vendor queue's")
    p.add_argument("--status")
    p = add("create-staff", help="a vendor console account (prompts for the password)")
    p.add_argument("--email", required=True)
    p.add_argument("--role", choices=staff.ROLES, default="channel_manager")
    p.add_argument("--name")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of standard input")
    p = add("run-jobs", help="run every program job once (each is idempotent)")
    p.add_argument("--now", help="ISO timestamp to use as the current time")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.mode == "serve":
        return _serve(args)
    return _admin(args)


if __name__ == "__main__":
    sys.exit(main())
