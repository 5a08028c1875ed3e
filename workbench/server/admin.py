"""Vendor administration: the service layer behind `workbench-server admin` and the tests.

Plain functions taking a SQLAlchemy engine. Every change goes through `write_tx`, so vendor edits
are versioned, sequenced and reach partners on their next pull exactly like pushed ones. Errors are
`AdminError`s naming the field at fault.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa

from workbench.domain import commissions as commission_rules
from workbench.domain import matching, mdf, scorecard
from workbench.domain.attribution import AttributionError, check_attributions
from workbench.domain.deal_progress import decide_amendment as decide_amendment_rule
from workbench.domain.formatting import money
from workbench.domain.leads import (
    AssignmentRule,
    LeadFacts,
    PartnerFacts,
    rank_partners,
    should_recycle,
)
from workbench.domain.model import ENTITIES, TIERS, UnknownEntity
from workbench.domain.model import entity as entity_of
from workbench.domain.program import (
    HYGIENE_GRACE,
    OFFBOARD_SUGGESTED,
    RE_ENGAGEMENT,
    WATCHED_STATUSES,
    hygiene_close_due,
    inactivity,
)
from workbench.domain.records import with_defaults
from workbench.domain.registration import IllegalTransition, next_status
from workbench.domain.rules_of_engagement import decide_channel_conflict
from workbench.domain.values import (
    InvalidValue,
    coerce,
    coerce_fields,
    format_datetime,
    missing_required,
    new_id,
    parse_datetime,
    utc_now,
)
from workbench.server import audit, matchkeys, program_settings
from workbench.server import registrations as review
from workbench.server.access import hash_token, new_token
from workbench.server.records import CASE_NUMBERS, WriteTx, fetch, to_wire, write_tx
from workbench.server.schema import (
    RECORD_TABLES,
    content_documents,
    direct_opportunities,
    lead_rules,
    partner_flags,
    users,
    vendor_cases,
    vendor_leads,
)


class AdminError(ValueError):
    """A vendor command cannot be carried out; the message says why, `field` what is at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


F = TypeVar("F", bound=Callable[..., Any])


def operation(name: str) -> Callable[[F], F]:
    """A vendor operation: the record changes it makes are audited under `name`."""
    def mark(function: F) -> F:
        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            with audit.action(name):
                return function(*args, **kwargs)
        return run  # type: ignore[return-value]
    return mark


# -- helpers ------------------------------------------------------------------------------------

def _values(entity_name: str, values: dict[str, Any]) -> dict[str, Any]:
    """Coerce the given (non-None) values of `entity_name`; errors name the field."""
    try:
        return coerce_fields(ENTITIES[entity_name],
                             {k: v for k, v in values.items() if v is not None})
    except InvalidValue as error:
        # The admin command line takes each field as an option of the same name (--tier).
        raise AdminError(f"{error.field}: {error.problem}", error.field) from None


def _entity(name: str):
    try:
        return entity_of(name)
    except UnknownEntity as error:
        raise AdminError(str(error), "entity") from None


def _locked_row(tx: WriteTx, entity_name: str, record_id: str, *, live: bool = True
                ) -> dict[str, Any]:
    """The record, read again after taking its scope's lock (read-modify-write is safe)."""
    label = _entity(entity_name).label or entity_name
    row = fetch(tx.conn, entity_name, record_id)
    if row is None:
        raise AdminError(f"no {label.lower()} with id {record_id}", "id")
    tx.lock(row["scope"])
    row = fetch(tx.conn, entity_name, record_id)
    if row is None:  # a record is never removed, only marked deleted; still, say so plainly
        raise AdminError(f"no {label.lower()} with id {record_id}", "id")
    if live and row["deleted"]:
        raise AdminError(f"{label.lower()} {record_id} has been deleted", "id")
    return row


def _partner(conn: sa.Connection, partner_id: str) -> dict[str, Any]:
    row = fetch(conn, "partners", partner_id) if partner_id else None
    if row is None or row["deleted"]:
        raise AdminError(f"no partner with id {partner_id}", "partner")
    return row


def _insert(tx: WriteTx, entity_name: str, partner_id: str | None, values: dict[str, Any]
            ) -> dict[str, Any]:
    entity = ENTITIES[entity_name]
    record = with_defaults(entity_name, values)
    missing = missing_required(entity, record)
    if missing:
        raise AdminError(f"{missing[0]}: is required", missing[0])
    created = to_wire(entity, tx.insert(entity_name, new_id(), record, partner_id))
    _audit(tx, entity_name, created, {}, {k: v for k, v in record.items() if v is not None},
           "created")
    return created


def _update(tx: WriteTx, entity_name: str, row: dict[str, Any], changes: dict[str, Any]
            ) -> dict[str, Any]:
    changes = {k: v for k, v in changes.items() if row.get(k) != v}
    if not changes:
        return to_wire(ENTITIES[entity_name], row)
    updated = to_wire(ENTITIES[entity_name], tx.update(entity_name, row, changes))
    _audit(tx, entity_name, updated, {k: row.get(k) for k in changes}, changes, "changed")
    return updated


_NAMING_FIELDS = ("registration_number", "case_number", "customer_name", "company_name", "name",
                  "subject", "email", "metric")


def _audit(tx: WriteTx, entity_name: str, record: dict[str, Any], before: dict[str, Any],
           after: dict[str, Any], verb: str) -> None:
    """The change in the audit log, in the same transaction (see workbench.server.audit)."""
    label = (ENTITIES[entity_name].label or entity_name).lower()
    named = " ".join(str(record[f]) for f in _NAMING_FIELDS[:3] if record.get(f)) or \
        next((str(record[f]) for f in _NAMING_FIELDS[3:] if record.get(f)), record["id"][:8])
    if verb == "created":
        summary = f"{label} {named} created"
    else:
        shown = ", ".join(f"{k} {_brief(before.get(k))} → {_brief(v)}"
                          for k, v in list(after.items())[:5])
        more = f" and {len(after) - 5} more" if len(after) > 5 else ""
        summary = f"{label} {named}: {shown}{more}"
    audit.record(tx.conn, tx.now, summary, entity=entity_name,
                 record_id=record["id"], partner_id=record.get("partner_id"), before=before,
                 after=after)


def _brief(value: Any) -> str:
    text = "—" if value is None or value == "" else str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _moment(text: str | None) -> datetime | None:
    return parse_datetime(text) if text else None


def _day_start(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(), tzinfo=UTC)


# -- generic record edits (also used by convergence tests) --------------------------------------

@operation("edit record")
def update_record(engine: sa.Engine, entity_name: str, record_id: str, *,
                  now: datetime | None = None, **fields: Any) -> dict[str, Any]:
    """A vendor edit of any field (vendor- or partner-owned) of any record."""
    values = _values(_entity(entity_name).name, fields)
    with write_tx(engine, now) as tx:
        return _update(tx, entity_name, _locked_row(tx, entity_name, record_id), values)


@operation("delete record")
def delete_record(engine: sa.Engine, entity_name: str, record_id: str, *,
                  now: datetime | None = None) -> dict[str, Any]:
    """Soft-delete: partners receive a tombstone on their next pull."""
    with write_tx(engine, now) as tx:
        row = _locked_row(tx, entity_name, record_id, live=False)
        return _update(tx, entity_name, row, {"deleted": True})


def get_record(engine: sa.Engine, entity_name: str, record_id: str) -> dict[str, Any]:
    with engine.connect() as conn:
        row = fetch(conn, _entity(entity_name).name, record_id)
    if row is None:
        raise AdminError(f"no {entity_name} record with id {record_id}", "id")
    return to_wire(ENTITIES[entity_name], row)


# -- partners and users -------------------------------------------------------------------------

@operation("create partner")
def create_partner(engine: sa.Engine, name: str, *, motions: list[str] | tuple[str, ...] = (),
                   tier: str | None = None, region: str | None = None,
                   parent_id: str | None = None, segment: str | None = None,
                   territory: str | None = None, channel_manager: str | None = None,
                   program_status: str = "active", sub_partner_visibility: bool = False,
                   joined_on: str | None = None, now: datetime | None = None) -> str:
    """A new partner (its own scope); returns its id."""
    values = _values("partners", {
        "name": name, "motions": list(motions), "tier": tier, "region": region,
        "parent_partner_id": parent_id, "segment": segment, "territory": territory,
        "channel_manager": channel_manager, "program_status": program_status,
        "sub_partner_visibility": sub_partner_visibility,
        "joined_on": joined_on or (now or utc_now()).date().isoformat()})
    partner_id = new_id()
    with write_tx(engine, now) as tx:
        if parent_id:
            _partner(tx.conn, values["parent_partner_id"])
        row = tx.insert("partners", partner_id, values, partner_id)
        _audit(tx, "partners", row, {}, {k: v for k, v in values.items() if v not in (None, [])},
               "created")
    return partner_id


def list_partners(engine: sa.Engine) -> list[dict[str, Any]]:
    table = RECORD_TABLES["partners"]
    with engine.connect() as conn:
        rows = conn.execute(sa.select(table).where(table.c.deleted == sa.false())
                            .order_by(table.c.name)).mappings().all()
    return [to_wire(ENTITIES["partners"], dict(r)) for r in rows]


@dataclass(frozen=True)
class NewUser:
    id: str
    partner_id: str
    email: str
    token: str  # shown once; only its SHA-256 is stored


@operation("create partner user")
def create_user(engine: sa.Engine, partner_id: str, email: str, *, name: str | None = None,
                role: str = "seller", now: datetime | None = None) -> NewUser:
    """A user of a partner with a fresh API token (returned once, stored only as a hash)."""
    values = _values("partner_users", {"email": email, "name": name, "role": role})
    user_id, token = new_id(), new_token()
    with write_tx(engine, now) as tx:
        _partner(tx.conn, partner_id)
        taken = tx.conn.execute(sa.select(users.c.id).where(
            sa.func.lower(users.c.email) == values["email"].lower())).first()
        if taken:
            raise AdminError(f"email: {values['email']} already has a user", "email")
        tx.conn.execute(sa.insert(users).values(
            id=user_id, partner_id=partner_id, email=values["email"], name=values.get("name"),
            role=values.get("role"), token_hash=hash_token(token), created_at=tx.now))
        row = tx.insert("partner_users", user_id, values, partner_id)
        _audit(tx, "partner_users", row, {}, values, "created")
    return NewUser(user_id, partner_id, values["email"], token)


def list_users(engine: sa.Engine, partner_id: str | None = None) -> list[dict[str, Any]]:
    query = sa.select(users.c.id, users.c.partner_id, users.c.email, users.c.name, users.c.role,
                      users.c.created_at, users.c.revoked_at).order_by(users.c.email)
    if partner_id:
        query = query.where(users.c.partner_id == partner_id)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


@operation("revoke partner user")
def revoke_user(engine: sa.Engine, user_id: str | None = None, *, email: str | None = None,
                now: datetime | None = None) -> str:
    """Revoke a user's token; their next request is refused. Returns the user id."""
    if not user_id and not email:
        raise AdminError("give the user id or --email", "user")
    where = users.c.id == user_id if user_id else \
        sa.func.lower(users.c.email) == (email or "").lower()
    with write_tx(engine, now) as tx:
        found = tx.conn.execute(sa.select(users.c.id).where(where)).scalar()
        if found is None:
            raise AdminError(f"no user {user_id or email}", "user")
        tx.conn.execute(sa.update(users).where(users.c.id == found)
                        .values(revoked_at=sa.func.coalesce(users.c.revoked_at, tx.now)))
        who = tx.conn.execute(sa.select(users.c.email, users.c.partner_id)
                              .where(users.c.id == found)).one()
        audit.record(tx.conn, tx.now, f"partner user {who.email} revoked: their token no longer "
                                      f"works", entity="partner_users", record_id=found,
                     partner_id=who.partner_id, after={"revoked_at": tx.now})
    return found


# -- the vendor's direct pipeline ---------------------------------------------------------------

_DIRECT_COLUMNS = ("id", "name", "customer_name", "customer_domain", "stage", "opened_on",
                   "owner", "status")


@operation("load direct pipeline")
def load_opportunities(engine: sa.Engine, path: str | Path, *, now: datetime | None = None
                       ) -> int:
    """Load (insert or replace by id) the direct pipeline from CSV; all rows or none.

    Columns: name (required), id, customer_name, customer_domain, stage (0-5), opened_on
    (YYYY-MM-DD), owner, status (open, won, lost; default open). Bad rows are reported by line.
    """
    rows, problems = _read_direct_csv(Path(path))
    if problems:
        raise AdminError(f"{path}: nothing loaded; fix these rows:\n" + "\n".join(problems),
                         "file")
    with write_tx(engine, now) as tx:
        for row in rows:
            tx.conn.execute(sa.delete(direct_opportunities)
                            .where(direct_opportunities.c.id == row["id"]))
            tx.conn.execute(sa.insert(direct_opportunities)
                            .values(**row, created_at=tx.now, updated_at=tx.now))
        matchkeys.refresh(tx.conn, matchkeys.DIRECT, [row["id"] for row in rows])
        audit.record(tx.conn, tx.now, f"direct pipeline loaded from {Path(path).name}: "
                                      f"{len(rows)} opportunities", entity="direct_opportunities",
                     after={"rows": len(rows)})
    return len(rows)


def _read_direct_csv(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip().lower() for h in reader.fieldnames or []]
            if "name" not in header:
                columns = ", ".join(_DIRECT_COLUMNS)
                return [], [f"line 1: the header needs a 'name' column (columns: {columns})"]
            reader.fieldnames = header
            rows, problems = [], []
            for raw in reader:
                try:
                    rows.append(_direct_row(raw))
                except ValueError as error:
                    problems.append(f"line {reader.line_num}: {error}")
            return rows, problems
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise AdminError(f"cannot read {path}: {error}", "file") from None


def _direct_row(raw: dict[str, Any]) -> dict[str, Any]:
    value = {k: (v or "").strip() for k, v in raw.items() if k in _DIRECT_COLUMNS}
    if not value.get("name"):
        raise ValueError("name: is required")
    stage = value.get("stage") or "0"
    if not stage.isdigit() or not 0 <= int(stage) <= 5:
        raise ValueError(f"stage: expected a whole number 0-5, got {stage!r}")
    opened = value.get("opened_on") or None
    if opened:
        try:
            opened = date.fromisoformat(opened).isoformat()
        except ValueError:
            raise ValueError(f"opened_on: expected a date YYYY-MM-DD, got {opened!r}") from None
    status = (value.get("status") or "open").lower()
    if status not in ("open", "won", "lost"):
        raise ValueError(f"status: must be open, won or lost; got {status!r}")
    try:
        record_id = coerce(ENTITIES["opportunities"].field("registration_id"),
                           value.get("id")) or new_id()
    except InvalidValue:
        raise ValueError(f"id: expected a UUID, got {value.get('id')!r}") from None
    return {"id": record_id, "name": value["name"],
            "customer_name": value.get("customer_name") or value["name"],
            "customer_domain": value.get("customer_domain") or None, "stage": int(stage),
            "opened_on": opened, "owner": value.get("owner") or None, "status": status}


# -- registrations ------------------------------------------------------------------------------

def list_registrations(engine: sa.Engine, status: str | None = None,
                       partner_id: str | None = None) -> list[dict[str, Any]]:
    table, partners = RECORD_TABLES["registrations"], RECORD_TABLES["partners"]
    query = (sa.select(table, partners.c.name.label("partner_name"))
             .join(partners, partners.c.id == table.c.partner_id, isouter=True)
             .where(table.c.deleted == sa.false()).order_by(table.c.created_at))
    if status:
        query = query.where(table.c.status == status)
    if partner_id:
        query = query.where(table.c.partner_id == partner_id)
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [{**to_wire(ENTITIES["registrations"], dict(r)), "partner_name": r["partner_name"]}
            for r in rows]


@operation("approve registration")
def approve(engine: sa.Engine, registration_id: str, *, reason: str | None = None,
            now: datetime | None = None) -> dict[str, Any]:
    """Approve a submitted or reviewed registration: number, 90-day window, opportunity."""
    with write_tx(engine, now) as tx:
        row = _locked_row(tx, "registrations", registration_id)
        try:
            changes = review.approval(tx, row, reason or "approved by the channel manager")
        except IllegalTransition as error:
            raise AdminError(str(error), "status") from None
        return _update(tx, "registrations", row, changes)


@operation("reject registration")
def reject(engine: sa.Engine, registration_id: str, reason: str, *,
           now: datetime | None = None) -> dict[str, Any]:
    if not (reason or "").strip():
        raise AdminError("reason: say why the registration is rejected; the partner sees it",
                         "reason")
    with write_tx(engine, now) as tx:
        row = _locked_row(tx, "registrations", registration_id)
        try:
            changes = review.rejection(row, tx.now, reason.strip())
        except IllegalTransition as error:
            raise AdminError(str(error), "status") from None
        return _update(tx, "registrations", row, changes)


@operation("lapse registrations")
def expire_registrations(engine: sa.Engine, *, now: datetime | None = None) -> list[str]:
    """Lapse approved registrations whose protection window has ended; returns their ids.

    The window is the one granted at approval (`protection_expires_at`), so a change of the
    program's protection days never shortens a window already given.
    """
    moment = now or utc_now()
    table = RECORD_TABLES["registrations"]
    with engine.connect() as conn:
        due = conn.execute(sa.select(table.c.id).where(
            table.c.status == "approved", table.c.deleted == sa.false(),
            table.c.protection_expires_at <= format_datetime(moment))).scalars().all()
    expired = []
    for registration_id in due:  # one short transaction each: never holds many scopes
        with write_tx(engine, moment) as tx:
            row = _locked_row(tx, "registrations", registration_id)
            if row["status"] != "approved" or not _protection_ended(row, moment):
                continue  # renewed or closed meanwhile
            until = row["protection_expires_at"][:10]
            _update(tx, "registrations", row, {
                "status": next_status(row["status"], "expire"),
                "decision_reason": f"the protection window ended on {until}; renew to ask for "
                                   f"a new window"})
            expired.append(registration_id)
    return expired


def _protection_ended(row: dict[str, Any], moment: datetime) -> bool:
    ends = _moment(row["protection_expires_at"])
    return ends is not None and ends <= moment


_OUTCOMES = ("partner", "direct", "co_sell", "reject")


@operation("resolve conflict")
def resolve_conflict(engine: sa.Engine, registration_id: str, outcome: str | None = None, *,
                     share_percent: int | str | None = None, now: datetime | None = None
                     ) -> dict[str, Any]:
    """Suggest (and with `outcome`, apply) the resolution of a registration held for review.

    Against the vendor's direct pipeline the rules of engagement decide (seed 003, edge case 3).
    Against another partner's registration only, the first submitted keeps protection.
    Credit follows the outcome: partner → sourced (100%); co-sell → sourced at the partner's
    share of a split (`share_percent`, default the program's co-sell setting); direct → the
    partner is recorded as influencing the vendor's direct deal.
    The answer: {"suggestion": {...}, "applied": bool, "registration": record}.
    """
    if outcome is not None:
        outcome = outcome.replace("-", "_")
        if outcome not in _OUTCOMES:
            raise AdminError(f"outcome: must be one of {', '.join(_OUTCOMES)}", "outcome")
    with write_tx(engine, now) as tx:
        row = _locked_row(tx, "registrations", registration_id)
        if row["status"] != "pending_review":
            raise AdminError(f"registration is {row['status']}, not pending review", "status")
        suggestion = _suggest(tx.conn, row, tx.moment)
        if outcome is None:
            return {"suggestion": suggestion, "applied": False,
                    "registration": to_wire(ENTITIES["registrations"], row)}
        share = _co_sell_share(tx.conn, share_percent) if outcome == "co_sell" else None
        changes = _resolution(tx, row, outcome, suggestion, share)
        record = _update(tx, "registrations", row, changes)
        if outcome == "co_sell":
            _split_credit(tx, row, share)  # type: ignore[arg-type]
        elif outcome == "direct":
            _credit_influence(tx, row, suggestion)
        return {"suggestion": suggestion, "applied": True, "registration": record}


def _co_sell_share(conn: sa.Connection, raw: int | str | None) -> int:
    if raw is None or str(raw).strip() == "":
        return int(program_settings.value(conn, "co_sell_partner_share"))
    text = str(raw).strip().rstrip("%").strip()
    if not text.isdigit() or not 1 <= int(text) <= 99:
        raise AdminError("share_percent: the partner's share of a co-sell split is a whole "
                         f"percentage from 1 to 99, got {raw!r}", "share_percent")
    return int(text)


def conflict_details(engine: sa.Engine, registration_id: str, *,
                     now: datetime | None = None) -> dict[str, Any]:
    """For the vendor's eyes only: what the registration matched and why, and the suggestion.

    {"registration": record, "matches": [{"kind", "reasons", "score", …the other record}],
    "suggestion": {...} or None when the registration is not pending review}.
    """
    moment = now or utc_now()
    with engine.connect() as conn:
        row = fetch(conn, "registrations", registration_id)
        if row is None or row["deleted"]:
            raise AdminError(f"no deal registration with id {registration_id}", "id")
        found = matching.find_duplicates(row["customer_name"] or "",
                                         row["customer_domain"] or "",
                                         review._candidates(conn, row, moment))
        matches = [_match_detail(conn, m) for m in found]
        suggestion = _suggest(conn, row, moment) if row["status"] == "pending_review" else None
    return {"registration": to_wire(ENTITIES["registrations"], row), "matches": matches,
            "suggestion": suggestion}


def _match_detail(conn: sa.Connection, match: matching.Match) -> dict[str, Any]:
    base = {"kind": match.candidate.kind, "reasons": list(match.reasons),
            "score": round(match.score, 1), "id": match.candidate.id}
    if match.candidate.kind == "direct_opportunity":
        direct = conn.execute(sa.select(direct_opportunities).where(
            direct_opportunities.c.id == match.candidate.id)).mappings().one()
        return {**base, "name": direct["name"], "customer_name": direct["customer_name"],
                "customer_domain": direct["customer_domain"], "stage": direct["stage"],
                "opened_on": direct["opened_on"], "owner": direct["owner"]}
    other = fetch(conn, "registrations", match.candidate.id) or {}
    partner = fetch(conn, "partners", other.get("partner_id") or "") or {}
    return {**base, "partner_id": other.get("partner_id"), "partner_name": partner.get("name"),
            "customer_name": other.get("customer_name"),
            "customer_domain": other.get("customer_domain"), "status": other.get("status"),
            "registration_number": other.get("registration_number"),
            "submitted_at": other.get("submitted_at"),
            "deal_value_cents": other.get("deal_value_cents")}


def _suggest(conn: sa.Connection, row: dict[str, Any], now: datetime) -> dict[str, Any]:
    candidates = review._candidates(conn, row, now)
    matches = matching.find_duplicates(row["customer_name"] or "", row["customer_domain"] or "",
                                       candidates)
    registered_at = _moment(row["submitted_at"]) or now
    direct_ids = [m.candidate.id for m in matches if m.candidate.kind == "direct_opportunity"]
    if direct_ids:
        direct = conn.execute(sa.select(direct_opportunities).where(
            direct_opportunities.c.id.in_(direct_ids))).mappings().all()
        first = min(direct, key=lambda d: d["opened_on"] or "9999")
        opened = _day_start(first["opened_on"]) if first["opened_on"] else registered_at
        # The pipeline keeps the current stage only; it stands in for the stage at registration.
        decision = decide_channel_conflict(registered_at, opened, int(first["stage"] or 0))
        return {"outcome": decision.outcome, "partner_credit": decision.partner_credit,
                "needs_mediation": decision.needs_mediation, "rationale": decision.rationale,
                "against": f"direct opportunity {first['name']} (owner {first['owner'] or '-'})",
                "direct_opportunity_id": first["id"]}
    others = [m.candidate for m in matches]
    if not others:
        return {"outcome": "partner", "partner_credit": "sourced", "needs_mediation": False,
                "rationale": "nothing conflicts any more", "against": None,
                "direct_opportunity_id": None}
    table = RECORD_TABLES["registrations"]
    earlier = conn.execute(sa.select(sa.func.count()).where(
        table.c.id.in_([c.id for c in others]),
        table.c.submitted_at < (row["submitted_at"] or "9999"))).scalar()
    against = ", ".join(f"registration {c.id} of partner {c.owner}" for c in others)
    if earlier:
        return {"outcome": "reject", "partner_credit": None, "needs_mediation": False,
                "rationale": "another partner registered this customer first and holds "
                             "protection", "against": against, "direct_opportunity_id": None}
    return {"outcome": "partner", "partner_credit": "sourced", "needs_mediation": True,
            "rationale": "this registration came first; the later ones should yield",
            "against": against, "direct_opportunity_id": None}


def _resolution(tx: WriteTx, row: dict[str, Any], outcome: str, suggestion: dict[str, Any],
                share: int | None) -> dict[str, Any]:
    """The registration's changes for a resolution; reasons never name another partner."""
    if outcome in ("co_sell", "direct") and not suggestion.get("direct_opportunity_id"):
        raise AdminError(f"outcome: {outcome.replace('_', '-')} shares or gives the deal to the "
                         "vendor's direct team, but this registration matches no direct "
                         "opportunity; choose partner or reject", "outcome")
    try:
        if outcome == "partner":
            return review.approval(tx, row, "approved after review of a possible conflict")
        if outcome == "co_sell":
            return review.approval(tx, row, f"approved as co-sell with the vendor's direct "
                                            f"team; your share of the credit is {share}%")
        if outcome == "direct":
            return review.rejection(row, tx.now, "the vendor's direct team was engaged on this "
                                                  "deal first; you are credited with influence")
        return review.rejection(row, tx.now, "an earlier registration for this customer holds "
                                              "protection")
    except IllegalTransition as error:
        raise AdminError(str(error), "status") from None


def _split_credit(tx: WriteTx, row: dict[str, Any], share: int) -> None:
    """Co-sell: the partner's sourced credit on the deal is its share of a split."""
    opportunities, attributions = RECORD_TABLES["opportunities"], RECORD_TABLES["attributions"]
    opportunity_id = tx.conn.execute(sa.select(opportunities.c.id).where(
        opportunities.c.registration_id == row["id"])).scalar_one()
    credit = tx.conn.execute(sa.select(attributions).where(
        attributions.c.opportunity_id == opportunity_id,
        attributions.c.partner_id == row["partner_id"], attributions.c.role == "sourced",
        attributions.c.deleted == sa.false())).mappings().first()
    if credit is None:
        _insert(tx, "attributions", row["partner_id"], {
            "opportunity_id": opportunity_id, "role": "sourced", "split_percent": share})
    else:
        _update(tx, "attributions", dict(credit), {"split_percent": share})


def _credit_influence(tx: WriteTx, row: dict[str, Any], suggestion: dict[str, Any]) -> None:
    """Direct wins: the partner's record of the vendor's deal, with influenced credit.

    The partner's scope gets an opportunity standing for the direct deal (the customer and value
    from its own registration, the direct deal's stage and opening date, never its owner).
    """
    direct = tx.conn.execute(sa.select(direct_opportunities).where(
        direct_opportunities.c.id == suggestion["direct_opportunity_id"])).mappings().one()
    opportunity = _insert(tx, "opportunities", row["partner_id"], {
        "name": f"{row['customer_name']} — {row['product']} (vendor direct)",
        "customer_name": row["customer_name"], "customer_domain": row.get("customer_domain"),
        "registration_id": row["id"], "amount_cents": row.get("deal_value_cents"),
        "currency": row.get("currency"), "stage": int(direct["stage"] or 0),
        "opened_on": direct["opened_on"] or tx.moment.date().isoformat(),
        "expected_close_date": row.get("expected_close_date"), "outcome": "open"})
    _insert(tx, "attributions", row["partner_id"], {
        "opportunity_id": opportunity["id"], "role": "influenced"})


# -- leads --------------------------------------------------------------------------------------
# The vendor's lead desk (vendor_leads) knows each lead's routing facts and every partner who had
# it; the partner's `leads` record is the partner's view. A recycled lead stays recycled in the
# first partner's scope and reaches the next partner as a new record of its own.

_LEAD_FIELDS = ("company_name", "company_domain", "contact_name", "contact_email", "source")


@operation("create lead")
def create_lead(engine: sa.Engine, company_name: str, *, company_domain: str | None = None,
                contact_name: str | None = None, contact_email: str | None = None,
                source: str | None = "vendor", region: str | None = None,
                industry: str | None = None, partner_id: str | None = None,
                now: datetime | None = None) -> dict[str, Any]:
    """A new lead, given to `partner_id` (by hand) or to the best partner by the assignment
    rules (domain.leads.rank_partners). Nobody eligible: it waits on the desk.

    Returns the desk's row with `lead` (the partner's record, or None) and `routing`.
    """
    values = _values("leads", {"company_name": company_name, "company_domain": company_domain,
                               "contact_name": contact_name, "contact_email": contact_email,
                               "source": source})
    if "company_name" not in values:
        raise AdminError("company_name: is required", "company_name")
    region, industry = _short("region", region), _short("industry", industry)
    with write_tx(engine, now) as tx:
        if partner_id:
            _partner(tx.conn, partner_id)
        desk_id = new_id()
        desk: dict[str, Any] = {"id": desk_id, **{f: values.get(f) for f in _LEAD_FIELDS}, "region": region,
                "industry": industry, "status": "waiting", "tried_partner_ids": [],
                "created_at": tx.now, "updated_at": tx.now}
        tx.conn.execute(sa.insert(vendor_leads).values(**desk))
        routing = None
        target: str | None
        if partner_id:
            target, assigned_by = partner_id, f"by hand ({audit.current_actor()})"
        else:
            routing = _routing(tx.conn, desk)
            target = routing.best.id if routing.best else None
            assigned_by = f"rule {routing.rule.name}" if routing.rule else "ranking"
        lead = _hand_lead(tx, desk, target, assigned_by) if target else None
        if lead is None:
            audit.record(tx.conn, tx.now, f"lead {desk['company_name']} waits on the desk: no "
                                          f"eligible partner", entity="vendor_leads",
                         record_id=desk_id, after={"region": region, "industry": industry})
    return {**_desk_row(engine, desk_id), "lead": lead, "routing": routing}


def _short(name: str, value: str | None) -> str | None:
    text = (value or "").strip()
    if len(text) > 100:
        raise AdminError(f"{name}: at most 100 characters", name)
    return text or None


def _routing(conn: sa.Connection, desk: dict[str, Any]) -> Any:
    return rank_partners(LeadFacts(region=desk.get("region"), industry=desk.get("industry")),
                         partner_facts(conn), lead_rules_of(conn),
                         exclude=desk.get("tried_partner_ids") or [])


def lead_routing(engine: sa.Engine, *, region: str | None = None, industry: str | None = None,
                 exclude: list[str] | tuple[str, ...] = ()) -> Any:
    """Who would get a lead with these facts, best first (for the console's preview)."""
    with engine.connect() as conn:
        return rank_partners(LeadFacts(region=region or None, industry=industry or None),
                             partner_facts(conn), lead_rules_of(conn), exclude=exclude)


def partner_facts(conn: sa.Connection) -> list[PartnerFacts]:
    partners, leads = RECORD_TABLES["partners"], RECORD_TABLES["leads"]
    last = dict(conn.execute(sa.select(leads.c.partner_id, sa.func.max(leads.c.assigned_at))
                             .group_by(leads.c.partner_id)).all())
    rows = conn.execute(sa.select(partners.c.id, partners.c.name, partners.c.tier,
                                  partners.c.region, partners.c.territory,
                                  partners.c.program_status)
                        .where(partners.c.deleted == sa.false())).all()
    return [PartnerFacts(id=r.id, name=r.name, tier=r.tier, region=r.region,
                         territory=r.territory, program_status=r.program_status,
                         last_lead_at=_moment(last.get(r.id))) for r in rows]


def lead_rules_of(conn: sa.Connection) -> list[AssignmentRule]:
    rows = conn.execute(sa.select(lead_rules).order_by(lead_rules.c.position,
                                                       lead_rules.c.created_at)).mappings()
    return [AssignmentRule(id=r["id"], name=r["name"], region=r["region"],
                           industry=r["industry"], min_tier=r["min_tier"],
                           partner_ids=tuple(r["partner_ids"] or ())) for r in rows]


def _hand_lead(tx: WriteTx, desk: dict[str, Any], partner_id: str, assigned_by: str
               ) -> dict[str, Any]:
    """Give the desk's lead to `partner_id`: a fresh record in that partner's scope."""
    tx.lock(partner_id)
    values = {f: desk.get(f) for f in _LEAD_FIELDS if desk.get(f) is not None}
    values.update(assigned_at=tx.now, assignment_status="assigned", working_status="new")
    lead = _insert(tx, "leads", partner_id, values)
    tried = [*(desk.get("tried_partner_ids") or []), partner_id]
    tx.conn.execute(sa.update(vendor_leads).where(vendor_leads.c.id == desk["id"]).values(
        status="assigned", partner_id=partner_id, lead_id=lead["id"], tried_partner_ids=tried,
        assigned_by=assigned_by, updated_at=tx.now))
    return lead


@operation("assign lead")
def assign_lead(engine: sa.Engine, partner_id: str, company_name: str, *,
                company_domain: str | None = None, contact_name: str | None = None,
                contact_email: str | None = None, source: str | None = "vendor",
                region: str | None = None, industry: str | None = None,
                now: datetime | None = None) -> dict[str, Any]:
    """A new lead for `partner_id`, by hand; returns the partner's lead record."""
    made = create_lead(engine, company_name, company_domain=company_domain,
                       contact_name=contact_name, contact_email=contact_email, source=source,
                       region=region, industry=industry, partner_id=partner_id, now=now)
    return made["lead"]


@operation("assign lead")
def assign_waiting_lead(engine: sa.Engine, desk_id: str, partner_id: str | None = None, *,
                        now: datetime | None = None) -> dict[str, Any]:
    """Give a lead waiting on the desk to `partner_id`, or by the rules when None."""
    with write_tx(engine, now) as tx:
        found = tx.conn.execute(sa.select(vendor_leads).where(
            vendor_leads.c.id == desk_id)).mappings().first()
        if found is None:
            raise AdminError(f"no lead {desk_id} on the desk", "id")
        if found["status"] != "waiting":
            raise AdminError("the lead is already with a partner", "status")
        desk = dict(found)
        if partner_id:
            _partner(tx.conn, partner_id)
            lead = _hand_lead(tx, desk, partner_id, f"by hand ({audit.current_actor()})")
        else:
            routing = _routing(tx.conn, desk)
            if routing.best is None:
                raise AdminError("partner: no eligible partner for this lead; choose one by hand "
                                 "or widen the assignment rules", "partner")
            lead = _hand_lead(tx, desk, routing.best.id,
                              f"rule {routing.rule.name}" if routing.rule else "ranking")
    return lead


def _desk_row(engine: sa.Engine, desk_id: str) -> dict[str, Any]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(vendor_leads).where(
            vendor_leads.c.id == desk_id)).mappings().one())


@operation("recycle leads")
def recycle_leads(engine: sa.Engine, *, now: datetime | None = None) -> list[str]:
    """Take back leads nobody contacted within the first-contact SLA (domain.leads) and give
    each to the next eligible partner who has not had it; returns the recycled lead ids."""
    moment = now or utc_now()
    table = RECORD_TABLES["leads"]
    with engine.connect() as conn:
        ids = conn.execute(sa.select(table.c.id).where(
            table.c.assignment_status == "assigned", table.c.deleted == sa.false())).scalars().all()
        sla = timedelta(hours=int(program_settings.value(conn, "lead_sla_hours")))
    recycled = []
    for lead_id in ids:
        with write_tx(engine, moment) as tx:
            row = _locked_row(tx, "leads", lead_id)
            if row["assignment_status"] != "assigned" or not row["assigned_at"]:
                continue
            if not should_recycle(parse_datetime(row["assigned_at"]),
                                  _moment(row["first_contact_at"]),
                                  row["working_status"] or "new", moment, sla):
                continue
            _update(tx, "leads", row, {"assignment_status": "recycled"})
            desk = _desk_of(tx, row)
            routing = _routing(tx.conn, desk)
            if routing.best is not None:
                _hand_lead(tx, desk, routing.best.id, "re-assigned after the first-contact SLA")
            else:
                tx.conn.execute(sa.update(vendor_leads).where(vendor_leads.c.id == desk["id"])
                                .values(status="waiting", partner_id=None, lead_id=None,
                                        updated_at=tx.now))
            recycled.append(lead_id)
    return recycled


def _desk_of(tx: WriteTx, lead: dict[str, Any]) -> dict[str, Any]:
    """The desk's row for a partner's lead (made now for leads assigned before the desk)."""
    found = tx.conn.execute(sa.select(vendor_leads).where(
        vendor_leads.c.lead_id == lead["id"])).mappings().first()
    if found is not None:
        return dict(found)
    desk = {"id": new_id(), **{f: lead.get(f) for f in _LEAD_FIELDS}, "status": "assigned",
            "partner_id": lead["partner_id"], "lead_id": lead["id"],
            "tried_partner_ids": [lead["partner_id"]], "assigned_by": "before the lead desk",
            "created_at": lead["created_at"], "updated_at": tx.now}
    tx.conn.execute(sa.insert(vendor_leads).values(**desk))
    return desk


@operation("add assignment rule")
def add_lead_rule(engine: sa.Engine, name: str, *, region: str | None = None,
                  industry: str | None = None, min_tier: str | None = None,
                  partner_ids: list[str] | tuple[str, ...] = (),
                  now: datetime | None = None) -> dict[str, Any]:
    """A lead assignment rule, checked after the existing ones (first match decides)."""
    title = (name or "").strip()
    if not title:
        raise AdminError("name: give the rule a name the desk will show", "name")
    if len(title) > 100:
        raise AdminError("name: at most 100 characters", "name")
    if min_tier and min_tier not in TIERS:
        raise AdminError(f"min_tier: must be one of {', '.join(TIERS)}", "min_tier")
    with write_tx(engine, now) as tx:
        for partner_id in partner_ids:
            _partner(tx.conn, partner_id)
        position = (tx.conn.execute(sa.select(sa.func.max(lead_rules.c.position))).scalar()
                    or 0) + 1
        rule_id = new_id()
        rule = {"id": rule_id, "name": title, "position": position,
                "region": _short("region", region), "industry": _short("industry", industry),
                "min_tier": min_tier or None, "partner_ids": list(partner_ids) or None,
                "created_at": tx.now}
        tx.conn.execute(sa.insert(lead_rules).values(**rule))
        audit.record(tx.conn, tx.now, f"assignment rule {title} added", entity="lead_rules",
                     record_id=rule_id, after={k: v for k, v in rule.items()
                                                  if k not in ("id", "created_at") and v})
    return rule


@operation("delete assignment rule")
def delete_lead_rule(engine: sa.Engine, rule_id: str, *, now: datetime | None = None) -> str:
    with write_tx(engine, now) as tx:
        rule = tx.conn.execute(sa.select(lead_rules).where(lead_rules.c.id == rule_id)
                               ).mappings().first()
        if rule is None:
            raise AdminError(f"no assignment rule {rule_id}", "id")
        tx.conn.execute(sa.delete(lead_rules).where(lead_rules.c.id == rule_id))
        audit.record(tx.conn, tx.now, f"assignment rule {rule['name']} deleted",
                     entity="lead_rules", record_id=rule_id, before={"name": rule["name"]})
    return rule_id


def list_lead_rules(engine: sa.Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(lead_rules).order_by(
            lead_rules.c.position, lead_rules.c.created_at)).mappings()]


# -- partner health: inactivity flags and data hygiene -----------------------------------------

@operation("flag inactive partners")
def flag_inactive_partners(engine: sa.Engine, *, now: datetime | None = None) -> dict[str, int]:
    """Seed 001: no registration in 90 days → re-engagement; 180 → offboarding suggested.

    Flags are the vendor's own (never synced); a partner who registers again loses its flag.
    Returns how many partners carry each flag now.
    """
    moment = now or utc_now()
    partners, regs = RECORD_TABLES["partners"], RECORD_TABLES["registrations"]
    with write_tx(engine, moment) as tx:
        last = dict(tx.conn.execute(sa.select(regs.c.partner_id,
                                              sa.func.max(regs.c.submitted_at))
                                    .where(regs.c.submitted_at.is_not(None))
                                    .group_by(regs.c.partner_id)).all())
        watched = tx.conn.execute(sa.select(partners.c.id, partners.c.name, partners.c.joined_on)
                                  .where(partners.c.deleted == sa.false(),
                                         partners.c.program_status.in_(WATCHED_STATUSES))).all()
        known = {r.partner_id: r for r in tx.conn.execute(sa.select(partner_flags))}
        counts = {RE_ENGAGEMENT: 0, OFFBOARD_SUGGESTED: 0}
        for partner in watched:
            state = inactivity(_moment(last.get(partner.id)),
                               _day_start(partner.joined_on) if partner.joined_on else None,
                               moment)
            flag = state.flag if state else None
            before = known.pop(partner.id, None)
            if flag:
                counts[flag] += 1
            if (before.flag if before else None) == flag:
                if flag:
                    tx.conn.execute(sa.update(partner_flags).where(
                        partner_flags.c.partner_id == partner.id).values(
                        days_inactive=state.days))  # type: ignore[union-attr]
                continue
            tx.conn.execute(sa.delete(partner_flags).where(
                partner_flags.c.partner_id == partner.id))
            if flag:
                tx.conn.execute(sa.insert(partner_flags).values(
                    partner_id=partner.id, flag=flag, days_inactive=state.days,  # type: ignore
                    inactive_since=format_datetime(state.since),  # type: ignore[union-attr]
                    flagged_at=tx.now))
            audit.record(tx.conn, tx.now, f"partner {partner.name}: "
                                          f"{_flag_text(before.flag if before else None)} → "
                                          f"{_flag_text(flag)}", entity="partners",
                         record_id=partner.id, partner_id=partner.id,
                         before={"flag": before.flag if before else None}, after={"flag": flag})
        for partner_id in known:  # no longer watched (offboarded, suspended, deleted)
            tx.conn.execute(sa.delete(partner_flags).where(
                partner_flags.c.partner_id == partner_id))
    return counts


def _flag_text(flag: str | None) -> str:
    return {RE_ENGAGEMENT: "re-engagement due", OFFBOARD_SUGGESTED: "offboarding suggested",
            None: "active"}[flag]


@operation("close stale registrations")
def close_stale_registrations(engine: sa.Engine, *, now: datetime | None = None) -> list[str]:
    """Seed 003 edge case 4: registrations expired 30+ days ago with no activity since are
    closed — marked lost, and their open deal closed lost — so they stop inflating pipeline."""
    moment = now or utc_now()
    regs = RECORD_TABLES["registrations"]
    cutoff = format_datetime(moment - HYGIENE_GRACE)
    with engine.connect() as conn:
        due = conn.execute(sa.select(regs.c.id).where(
            regs.c.status == "expired", regs.c.deleted == sa.false(),
            regs.c.protection_expires_at <= cutoff)).scalars().all()
    closed = []
    for registration_id in due:
        with write_tx(engine, moment) as tx:
            row = _locked_row(tx, "registrations", registration_id)
            deal = _open_deal_of(tx, registration_id)
            activity = _moment(deal["updated_at"]) if deal else None
            if not hygiene_close_due(row["status"], _moment(row["protection_expires_at"]),
                                     activity, moment):
                continue
            until = (row["protection_expires_at"] or "")[:10]
            _update(tx, "registrations", row, {
                "status": next_status(row["status"], "mark_lost"), "decided_at": tx.now,
                "decision_reason": f"closed by data hygiene: protection ended on {until} and "
                                   f"nothing happened for 30 days; register again if the deal "
                                   f"is still alive"})
            if deal:
                _update(tx, "opportunities", deal, {
                    "outcome": "lost", "closed_on": tx.moment.date().isoformat()})
            closed.append(registration_id)
    return closed


def _open_deal_of(tx: WriteTx, registration_id: str) -> dict[str, Any] | None:
    table = RECORD_TABLES["opportunities"]
    row = tx.conn.execute(sa.select(table).where(
        table.c.registration_id == registration_id, table.c.outcome == "open",
        table.c.deleted == sa.false())).mappings().first()
    return dict(row) if row else None


@operation("change partner status")
def set_partner_status(engine: sa.Engine, partner_id: str, status: str, *,
                       now: datetime | None = None) -> dict[str, Any]:
    """Offboard, suspend or reactivate a partner (its users see the status on sync)."""
    values = _values("partners", {"program_status": status})
    if "program_status" not in values:
        raise AdminError("program_status: is required", "program_status")
    with write_tx(engine, now) as tx:
        return _update(tx, "partners", _locked_row(tx, "partners", partner_id), values)


# -- opportunities and attribution --------------------------------------------------------------

@operation("set opportunity stage")
def set_stage(engine: sa.Engine, opportunity_id: str, stage: int | str, *,
              now: datetime | None = None) -> dict[str, Any]:
    values = _values("opportunities", {"stage": stage})  # bounds: the stage field (model.py)
    with write_tx(engine, now) as tx:
        row = _locked_row(tx, "opportunities", opportunity_id)
        if row["outcome"] != "open":
            raise AdminError(f"the opportunity is already {row['outcome']}", "outcome")
        return _update(tx, "opportunities", row, values)


@operation("close opportunity")
def close_opportunity(engine: sa.Engine, opportunity_id: str, outcome: str, *,
                      amount_cents: int | str | None = None, closed_on: str | None = None,
                      now: datetime | None = None) -> dict[str, Any]:
    """Won or lost; the linked registration follows (won/lost) and a win counts for scoring."""
    if outcome not in ("won", "lost"):
        raise AdminError("outcome: must be won or lost", "outcome")
    values = _values("opportunities", {"outcome": outcome, "amount_cents": amount_cents,
                                       "closed_on": closed_on})
    with write_tx(engine, now) as tx:
        row = _locked_row(tx, "opportunities", opportunity_id)
        if row["outcome"] != "open":
            raise AdminError(f"the opportunity is already {row['outcome']}", "outcome")
        values.setdefault("closed_on", tx.moment.date().isoformat())
        record = _update(tx, "opportunities", row, values)
        _close_registration(tx, row.get("registration_id"), outcome)
        if outcome == "won":
            _insert(tx, "activity_events", row["partner_id"], {
                "kind": "closed_won", "occurred_at": tx.now, "detail": f"won: {row['name']}"})
            _earn_at_close(tx, {**row, **values})
        return record


def _close_registration(tx: WriteTx, registration_id: str | None, outcome: str) -> None:
    registration = fetch(tx.conn, "registrations", registration_id) if registration_id else None
    if registration is None or registration["deleted"]:
        return
    try:
        status = next_status(registration["status"], f"mark_{outcome}")
    except IllegalTransition:
        return  # e.g. lapsed before the deal closed: the registration keeps its own status
    _update(tx, "registrations", registration, {"status": status, "decided_at": tx.now})


@operation("attribute partner")
def attribute(engine: sa.Engine, opportunity_id: str, partner_id: str, role: str, *,
              split_percent: int | str | None = None, now: datetime | None = None
              ) -> dict[str, Any]:
    """Credit a partner on an opportunity (one sourced partner, any number of others)."""
    values = _values("attributions", {"opportunity_id": opportunity_id, "role": role,
                                      "split_percent": split_percent})
    table = RECORD_TABLES["attributions"]
    with write_tx(engine, now) as tx:
        _locked_row(tx, "opportunities", opportunity_id)
        _partner(tx.conn, partner_id)
        existing = tx.conn.execute(sa.select(table.c.partner_id, table.c.role).where(
            table.c.opportunity_id == opportunity_id, table.c.deleted == sa.false())).all()
        try:
            check_attributions([*((r.partner_id, r.role) for r in existing),
                                (partner_id, values["role"])])
        except AttributionError as error:
            raise AdminError(str(error), "role") from None
        tx.lock(partner_id)
        return _insert(tx, "attributions", partner_id, values)


# -- support cases ------------------------------------------------------------------------------

@operation("open case")
def open_case(engine: sa.Engine, customer_domain: str, subject: str, *,
              description: str | None = None, severity: str = "normal",
              partner_id: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    """A case for a customer, routed to the partner of the latest won deal with that customer
    (or to `partner_id` when given). No partner has won a deal with the customer: the case
    waits in the vendor's own queue (answer `{"queue": "vendor", …}`) until routed by hand."""
    domain = matching.normalise_domain(customer_domain or "")
    if not domain:
        raise AdminError("customer_domain: is required", "customer_domain")
    values = _values("cases", {"customer_domain": domain, "subject": subject,
                               "description": description, "severity": severity})
    if "subject" not in values:
        raise AdminError("subject: is required", "subject")
    partner_id = partner_id or _partner_of_latest_win(engine, domain)
    with write_tx(engine, now) as tx:
        tx.lock(CASE_NUMBERS)
        number = f"CS-{tx.moment.year}-{tx.next_seq(CASE_NUMBERS):06d}"
        if partner_id is None:
            return _queue_case(tx, number, values)
        _partner(tx.conn, partner_id)
        tx.lock(partner_id)
        values.update(status="new", case_number=number)
        return {**_insert(tx, "cases", partner_id, values), "queue": "partner"}


def _queue_case(tx: WriteTx, number: str, values: dict[str, Any]) -> dict[str, Any]:
    case = {"id": new_id(), "case_number": number, "customer_domain": values["customer_domain"],
            "subject": values["subject"], "description": values.get("description"),
            "severity": values.get("severity") or "normal", "status": "new",
            "created_at": tx.now, "updated_at": tx.now}
    tx.conn.execute(sa.insert(vendor_cases).values(**case))
    audit.record(tx.conn, tx.now, f"case {number} for {case['customer_domain']} opened in the "
                                  f"vendor queue (no partner has won a deal with this customer)",
                 entity="vendor_cases", record_id=case["id"], after={
                     "subject": case["subject"], "severity": case["severity"]})
    return {**case, "queue": "vendor"}


def _partner_of_latest_win(engine: sa.Engine, domain: str) -> str | None:
    table = RECORD_TABLES["opportunities"]
    with engine.connect() as conn:
        won = conn.execute(sa.select(table.c.partner_id, table.c.customer_domain,
                                     table.c.closed_on, table.c.updated_at)
                           .where(table.c.outcome == "won", table.c.deleted == sa.false())).all()
    mine = [w for w in won if matching.normalise_domain(w.customer_domain or "") == domain]
    if not mine:
        return None
    return max(mine, key=lambda w: (w.closed_on or "", w.updated_at)).partner_id


@operation("route case")
def route_queued_case(engine: sa.Engine, queued_id: str, partner_id: str, *,
                      now: datetime | None = None) -> dict[str, Any]:
    """Hand a case from the vendor queue to a partner: it becomes the partner's case."""
    with write_tx(engine, now) as tx:
        queued = tx.conn.execute(sa.select(vendor_cases).where(
            vendor_cases.c.id == queued_id)).mappings().first()
        if queued is None:
            raise AdminError(f"no case {queued_id} in the vendor queue", "id")
        if queued["routed_case_id"]:
            raise AdminError(f"case {queued['case_number']} was already routed to a partner",
                             "id")
        _partner(tx.conn, partner_id)
        tx.lock(partner_id)
        case = _insert(tx, "cases", partner_id, {
            "customer_domain": queued["customer_domain"], "subject": queued["subject"],
            "description": queued["description"], "severity": queued["severity"],
            "status": "new", "case_number": queued["case_number"]})
        tx.conn.execute(sa.update(vendor_cases).where(vendor_cases.c.id == queued_id).values(
            routed_case_id=case["id"], status="routed", updated_at=tx.now))
        return case


@operation("set case status")
def set_queued_case_status(engine: sa.Engine, queued_id: str, status: str, *,
                           now: datetime | None = None) -> dict[str, Any]:
    """Close (or reopen) a case in the vendor queue without routing it."""
    values = _values("cases", {"status": status})
    with write_tx(engine, now) as tx:
        queued = tx.conn.execute(sa.select(vendor_cases).where(
            vendor_cases.c.id == queued_id)).mappings().first()
        if queued is None:
            raise AdminError(f"no case {queued_id} in the vendor queue", "id")
        if queued["routed_case_id"]:
            raise AdminError("the case was routed to a partner; change it there", "id")
        tx.conn.execute(sa.update(vendor_cases).where(vendor_cases.c.id == queued_id)
                        .values(status=values["status"], updated_at=tx.now))
        audit.record(tx.conn, tx.now, f"case {queued['case_number']} in the vendor queue: status "
                                      f"{queued['status']} → {values['status']}",
                     entity="vendor_cases", record_id=queued_id,
                     before={"status": queued["status"]}, after={"status": values["status"]})
        return {**dict(queued), "status": values["status"]}


def list_cases(engine: sa.Engine, status: str | None = None) -> list[dict[str, Any]]:
    """Every case: the partners' (with the partner's name) and the vendor queue's, newest first."""
    cases, partners = RECORD_TABLES["cases"], RECORD_TABLES["partners"]
    query = (sa.select(cases, partners.c.name.label("partner_name"))
             .join(partners, partners.c.id == cases.c.partner_id, isouter=True)
             .where(cases.c.deleted == sa.false()))
    queued = sa.select(vendor_cases).where(vendor_cases.c.routed_case_id.is_(None))
    if status:
        query = query.where(cases.c.status == status)
        queued = queued.where(vendor_cases.c.status == status)
    with engine.connect() as conn:
        found = [{**to_wire(ENTITIES["cases"], dict(r)), "partner_name": r["partner_name"],
                  "queue": "partner"} for r in conn.execute(query).mappings()]
        found += [{**dict(r), "partner_name": None, "queue": "vendor"}
                  for r in conn.execute(queued).mappings()]
    return sorted(found, key=lambda c: c["created_at"], reverse=True)


@operation("set case status")
def set_case_status(engine: sa.Engine, case_id: str, status: str, *,
                    now: datetime | None = None) -> dict[str, Any]:
    values = _values("cases", {"status": status})
    if "status" not in values:
        raise AdminError("status: is required", "status")
    with write_tx(engine, now) as tx:
        return _update(tx, "cases", _locked_row(tx, "cases", case_id), values)


@operation("answer case")
def add_case_comment(engine: sa.Engine, case_id: str, body: str, *,
                     author: str = "vendor support", now: datetime | None = None
                     ) -> dict[str, Any]:
    values = _values("case_comments", {"case_id": case_id, "body": body, "author": author})
    with write_tx(engine, now) as tx:
        case = _locked_row(tx, "cases", case_id)
        return _insert(tx, "case_comments", case["partner_id"], values)


# -- enablement, activity, MDF ------------------------------------------------------------------

@operation("record certification")
def record_certification(engine: sa.Engine, partner_id: str, name: str, *,
                         user_email: str | None = None, level: str | None = None,
                         kind: str = "certification", status: str = "completed",
                         completed_at: str | None = None, expires_on: str | None = None,
                         now: datetime | None = None) -> dict[str, Any]:
    values = _values("learning_records", {
        "name": name, "user_email": user_email, "level": level, "kind": kind, "status": status,
        "completed_at": completed_at, "expires_on": expires_on})
    with write_tx(engine, now) as tx:
        _partner(tx.conn, partner_id)
        if values["status"] == "completed":
            values.setdefault("completed_at", tx.now)
        tx.lock(partner_id)
        return _insert(tx, "learning_records", partner_id, values)


@operation("record NPS")
def record_nps(engine: sa.Engine, partner_id: str, score: int | str, *,
               surveyed_on: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    """The partner's customer NPS (-100 to 100, seed 003 tier rubric's satisfaction criterion),
    surveyed on `surveyed_on` (default: today). Syncs to the partner's workbench."""
    try:
        values = coerce_fields(ENTITIES["partners"], {"nps": score,
                                                      "nps_surveyed_on": surveyed_on})
    except InvalidValue as error:  # "NPS: must be between -100 and 100; got 150"
        raise AdminError(str(error), error.field) from None
    with write_tx(engine, now) as tx:
        if values.get("nps_surveyed_on") is None:
            values["nps_surveyed_on"] = tx.now[:10]
        if values["nps_surveyed_on"] > tx.now[:10]:
            raise AdminError(f"NPS survey date: {values['nps_surveyed_on']} is in the future",
                             "nps_surveyed_on")
        return _update(tx, "partners", _locked_row(tx, "partners", partner_id), values)


@operation("record activity")
def record_activity(engine: sa.Engine, partner_id: str, kind: str, *,
                    user_email: str | None = None, occurred_at: str | None = None,
                    detail: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    """An engagement event (login, download, training, …) for the partner's score."""
    with write_tx(engine, now) as tx:
        values = _values("activity_events", {"kind": kind, "user_email": user_email,
                                             "occurred_at": occurred_at or tx.now,
                                             "detail": detail})
        _partner(tx.conn, partner_id)
        tx.lock(partner_id)
        return _insert(tx, "activity_events", partner_id, values)


@operation("decide MDF request")
def decide_mdf(engine: sa.Engine, mdf_id: str, decision: str, *,
               approved_cents: int | str | None = None, reason: str | None = None,
               now: datetime | None = None) -> dict[str, Any]:
    """Approve (optionally a lower amount) or reject a submitted MDF request."""
    if decision not in ("approve", "reject"):
        raise AdminError("decision: must be approve or reject", "decision")
    values = _values("mdf_requests", {"approved_cents": approved_cents,
                                      "decision_reason": reason})
    with write_tx(engine, now) as tx:
        row = _locked_row(tx, "mdf_requests", mdf_id)
        try:
            values["status"] = mdf.next_status(row["status"], decision)
        except IllegalTransition as error:
            raise AdminError(str(error), "status") from None
        if decision == "approve":
            values.setdefault("approved_cents", row["requested_cents"])
            if values["approved_cents"] > row["requested_cents"]:
                raise AdminError("approved_cents: more than the partner requested "
                                 f"({money(row['requested_cents'])})", "approved_cents")
        elif not values.get("decision_reason"):
            raise AdminError("reason: say why the request is rejected", "reason")
        return _update(tx, "mdf_requests", row, values)


@operation("pay MDF claim")
def pay_mdf(engine: sa.Engine, mdf_id: str, *, paid_on: str | None = None,
            now: datetime | None = None) -> dict[str, Any]:
    """Mark a claimed MDF request paid (the claimed amount, on `paid_on`, default today)."""
    with write_tx(engine, now) as tx:
        row = _locked_row(tx, "mdf_requests", mdf_id)
        try:
            status = mdf.next_status(row["status"], "pay")
        except IllegalTransition as error:
            raise AdminError(str(error), "status") from None
        values = _values("mdf_requests", {"paid_on": paid_on or tx.moment.date().isoformat()})
        return _update(tx, "mdf_requests", row, {**values, "status": status})


# -- content library ----------------------------------------------------------------------------

def tiers_from(tier: str | None) -> tuple[str, ...] | None:
    """The partner tiers that see content published for `tier` and up; None: every partner."""
    if not tier:
        return None
    if tier not in TIERS:
        raise AdminError(f"tier: one of {', '.join(TIERS)} (or none: every partner)", "tier")
    return TIERS[TIERS.index(tier):]


@operation("publish content")
def publish_content(engine: sa.Engine, path: str | Path, title: str, *,
                    tier: str | None = None, description: str | None = None,
                    filename: str | None = None, now: datetime | None = None
                    ) -> dict[str, Any]:
    """Publish a document to the content library: stored once (by SHA-256) in the server's file
    store, listed for every partner whose tier is `tier` or above (seed 000/004: Silver sees
    other assets than Gold). A partner whose tier changes later sees what it saw before."""
    from workbench.domain import attachments as file_rules
    from workbench.server.attachments import file_store

    source = Path(path)
    if not source.is_file():
        raise AdminError(f"file: {source} is not a file", "file")
    name = file_rules.safe_filename(filename or source.name)
    problem = file_rules.too_large(source.stat().st_size, name)
    if problem:
        raise AdminError(f"file: {problem}", "file")
    if not (title or "").strip():
        raise AdminError("title: say what the document is", "title")
    visible = tiers_from(tier)
    sha, size = file_rules.sha256_file(source)
    file_store(engine).put(sha, source)
    values = _values("content_items", {
        "title": title.strip(), "description": (description or "").strip() or None,
        "tier": tier or None, "filename": name, "media_type": file_rules.media_type(name),
        "size_bytes": size, "sha256": sha})
    partners = RECORD_TABLES["partners"]
    with write_tx(engine, now) as tx:
        tx.conn.execute(sa.insert(content_documents).values(
            id=new_id(), **{name: values.get(name) for name in _DOCUMENT_FIELDS
                            if name != "published_at"}, published_at=tx.now))
        query = sa.select(partners.c.id).where(partners.c.deleted == sa.false())
        if visible is not None:
            query = query.where(partners.c.tier.in_(visible))
        partner_ids = sorted(tx.conn.execute(query).scalars())
        for partner_id in partner_ids:
            tx.lock(partner_id)
            _insert(tx, "content_items", partner_id, {**values, "published_at": tx.now})
    return {"title": values["title"], "tier": tier, "filename": name, "sha256": sha,
            "size_bytes": size, "partners": len(partner_ids)}


_DOCUMENT_FIELDS = ("title", "description", "tier", "filename", "media_type", "size_bytes",
                    "sha256", "published_at")


@operation("follow content tiers")
def follow_content_tiers(engine: sa.Engine, *, now: datetime | None = None) -> dict[str, int]:
    """Keep each partner's library in step with its tier: a partner that moved up receives the
    documents of its new tier, one that moved down no longer lists those above it (a program
    job). Returns {"added": n, "withdrawn": n}."""
    items, partners = RECORD_TABLES["content_items"], RECORD_TABLES["partners"]
    added = withdrawn = 0
    with write_tx(engine, now) as tx:
        tiers = dict(tx.conn.execute(sa.select(partners.c.id, partners.c.tier)
                                     .where(partners.c.deleted == sa.false())).all())
        copies: dict[tuple[Any, ...], dict[str, dict[str, Any]]] = {}
        for item in tx.conn.execute(sa.select(items).where(items.c.deleted == sa.false())
                                    ).mappings().all():
            key = (item["sha256"], item["title"], item["tier"])
            copies.setdefault(key, {})[item["partner_id"]] = dict(item)
        for document in tx.conn.execute(sa.select(content_documents)).mappings().all():
            visible = tiers_from(document["tier"])
            wanted = {p for p, t in tiers.items() if visible is None or t in visible}
            held = copies.get((document["sha256"], document["title"], document["tier"]), {})
            for partner_id in sorted(wanted - held.keys()):
                tx.lock(partner_id)
                _insert(tx, "content_items", partner_id,
                        {name: document[name] for name in _DOCUMENT_FIELDS})
                added += 1
            for partner_id in sorted(held.keys() - wanted):
                copy = held[partner_id]  # the tier it was published for no longer applies
                tx.lock(copy["scope"])
                _update(tx, "content_items", copy, {"deleted": True})
                withdrawn += 1
    return {"added": added, "withdrawn": withdrawn}


def content_library(engine: sa.Engine) -> list[dict[str, Any]]:
    """Published documents, newest first, with how many partners list each and how often
    partners opened it."""
    items, events = RECORD_TABLES["content_items"], RECORD_TABLES["activity_events"]
    with engine.connect() as conn:
        documents = [dict(r) for r in conn.execute(sa.select(content_documents).order_by(
            content_documents.c.published_at.desc(), content_documents.c.title)).mappings()]
        listed: dict[tuple[Any, ...], int] = {}
        for row in conn.execute(sa.select(items.c.sha256, items.c.title, items.c.tier)
                                .where(items.c.deleted == sa.false())):
            key = (row.sha256, row.title, row.tier)
            listed[key] = listed.get(key, 0) + 1
        opened: dict[str, int] = {}
        for detail in conn.execute(sa.select(events.c.detail).where(
                events.c.kind == "download", events.c.detail.like("content %"))).scalars():
            sha = detail[len("content "):].split(":", 1)[0]
            opened[sha] = opened.get(sha, 0) + 1
    return [{**d, "partners": listed.get((d["sha256"], d["title"], d["tier"]), 0),
             "opens": opened.get(d["sha256"], 0)} for d in documents]


# -- program averages ---------------------------------------------------------------------------

@operation("publish program averages")
def publish_averages(engine: sa.Engine, period: str | None = None, *,
                     now: datetime | None = None) -> dict[str, str | None]:
    """Publish program-wide figures for the partners' scorecards (vendor-wide scope).

    Computed by `domain.scorecard.program_figures` — the same counting as each partner's own
    scorecard — over every partner's registrations and opportunities, for `period` (a quarter
    such as "2026Q4"; default the current one) as it stands at `now` or stood at its end. A
    figure made of fewer than 3 partners' data is withheld (None; a value published earlier for
    the period is cleared), so no partner can read another's deals in an average. Publishing
    again replaces the period's values. Returns {metric: value or None}.
    """
    moment = now or utc_now()
    try:
        quarter = scorecard.parse_period(period, moment)
    except InvalidValue as error:
        raise AdminError(str(error), error.field) from None
    figures = program_figures(engine, scorecard.reference_moment(quarter, moment))
    metrics = {f.metric: _published(f) for f in figures}
    table = RECORD_TABLES["program_averages"]
    with write_tx(engine, moment) as tx:
        tx.lock("global")
        existing = {r.metric: dict(r._mapping) for r in tx.conn.execute(
            sa.select(table).where(table.c.period == quarter.label,
                                   table.c.deleted == sa.false()))}
        for metric, value in metrics.items():
            if metric in existing:
                _update(tx, "program_averages", existing[metric], {"value": value})
            elif value is not None:
                _insert(tx, "program_averages", None,
                        {"period": quarter.label, "metric": metric, "value": value})
    return metrics


def program_figures(engine: sa.Engine, as_of: datetime) -> tuple[scorecard.ProgramFigure, ...]:
    """Every partner's rows, read once, through the scorecard's program figures."""
    regs, opps = RECORD_TABLES["registrations"], RECORD_TABLES["opportunities"]
    partners = RECORD_TABLES["partners"]
    by_partner: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
    with engine.connect() as conn:
        for row in conn.execute(sa.select(regs.c.id, regs.c.partner_id, regs.c.status,
                                          regs.c.submitted_at, regs.c.approved_at,
                                          regs.c.decided_at)
                                .where(regs.c.deleted == sa.false(),
                                       regs.c.submitted_at.is_not(None))).mappings():
            by_partner.setdefault(row["partner_id"], ([], []))[0].append(dict(row))
        for row in conn.execute(sa.select(opps).where(opps.c.deleted == sa.false(),
                                                      opps.c.outcome != "open")).mappings():
            by_partner.setdefault(row["partner_id"], ([], []))[1].append(dict(row))
        active = conn.execute(sa.select(sa.func.count()).select_from(partners).where(
            partners.c.deleted == sa.false(),
            sa.or_(partners.c.program_status.is_(None),
                   partners.c.program_status.in_(["active", "at_risk", "onboarding"])))).scalar()
    return scorecard.program_figures(by_partner, active or 0, as_of)


def _published(figure: scorecard.ProgramFigure) -> str | None:
    if figure.value is None:
        return None
    places = {"avg_deal_size_cents": "1", "registrations_per_partner": "0.01"}
    return _decimal(figure.value, places.get(figure.metric, "0.1"))


def _decimal(value: Decimal | float | None, places: str = "0.1") -> str | None:
    if value is None:
        return None
    return str(Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP))


# -- deal progress: amendments ------------------------------------------------------------------

def list_amendments(engine: sa.Engine, status: str | None = "pending",
                    partner_id: str | None = None, registration_id: str | None = None
                    ) -> list[dict[str, Any]]:
    """Amendment requests with their registration's number, customer, current terms, partner."""
    amendments = RECORD_TABLES["registration_amendments"]
    regs = RECORD_TABLES["registrations"]
    partners = RECORD_TABLES["partners"]
    query = (sa.select(amendments, regs.c.registration_number, regs.c.customer_name,
                       regs.c.deal_value_cents.label("current_value_cents"),
                       regs.c.expected_close_date.label("current_close_date"),
                       regs.c.currency, partners.c.name.label("partner_name"))
             .join(regs, regs.c.id == amendments.c.registration_id)
             .join(partners, partners.c.id == amendments.c.partner_id, isouter=True)
             .where(amendments.c.deleted == sa.false()).order_by(amendments.c.created_at))
    if status:
        query = query.where(amendments.c.status == status)
    if partner_id:
        query = query.where(amendments.c.partner_id == partner_id)
    if registration_id:
        query = query.where(amendments.c.registration_id == registration_id)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


@operation("decide amendment")
def decide_amendment(engine: sa.Engine, amendment_id: str, decision: str, *,
                     reason: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Approve (the registration takes the new value/close date) or reject (with a reason) a
    rep's amendment request; the rep sees the answer and the new terms on the next pull."""
    with write_tx(engine, now) as tx:
        row = _locked_row(tx, "registration_amendments", amendment_id)
        registration = _locked_row(tx, "registrations", row["registration_id"])
        try:
            status, terms = decide_amendment_rule(row, decision, reason,
                                                  str(registration["status"]))
        except IllegalTransition as error:
            raise AdminError(str(error), "status") from None
        except InvalidValue as error:
            raise AdminError(f"reason: {error.problem}", "reason") from None
        if terms:
            _update(tx, "registrations", registration, terms)
            deal = _open_deal_of(tx, registration["id"])
            if deal:  # the vendor's pipeline follows the approved terms
                _update(tx, "opportunities", deal, {
                    k: v for k, v in (("amount_cents", terms.get("deal_value_cents")),
                                      ("expected_close_date", terms.get("expected_close_date")))
                    if v is not None})
        return _update(tx, "registration_amendments", row, {
            "status": status, "decided_at": tx.now,
            "decision_reason": (reason or "").strip() or None})


# -- commissions and payouts --------------------------------------------------------------------

def _commission_values(tx: WriteTx, deal: dict[str, Any], rate_percent: Any = None
                       ) -> dict[str, Any]:
    partner = _partner(tx.conn, deal["partner_id"])
    if rate_percent is None:
        rate = commission_rules.rate_for(partner.get("tier"),
                                         program_settings.commission_rates(tx.conn))
    else:
        try:
            rate = Decimal(str(rate_percent).strip().rstrip("%"))
        except ArithmeticError:
            raise AdminError(f"rate: not a percentage: {rate_percent!r}", "rate") from None
    try:
        amount = commission_rules.amount_cents(int(deal.get("amount_cents") or 0), rate)
    except InvalidValue as error:
        raise AdminError(f"{error.field}: {error.problem}", error.field) from None
    closed_on = deal.get("closed_on") or tx.moment.date().isoformat()
    closed = date.fromisoformat(closed_on[:10])
    period = scorecard.Period(closed.year, (closed.month - 1) // 3 + 1).label  # as the QBR: 2026Q4
    return {"opportunity_id": deal["id"], "amount_cents": amount,
            "currency": deal.get("currency") or "USD", "period": period,
            "status": "earned", "tier": partner.get("tier"), "rate_percent": _rate_text(rate),
            "closed_amount_cents": deal.get("amount_cents"), "earned_on": closed_on}


def _rate_text(rate: Decimal) -> str:
    return format(rate.normalize(), "f")  # "10", "7.5"


def _commission_of(tx: WriteTx, opportunity_id: str) -> dict[str, Any] | None:
    table = RECORD_TABLES["commissions"]
    row = tx.conn.execute(sa.select(table).where(
        table.c.opportunity_id == opportunity_id, table.c.deleted == sa.false())
    ).mappings().first()
    return dict(row) if row else None


@operation("add commission")
def add_commission(engine: sa.Engine, opportunity_id: str, *, rate_percent: Any = None,
                   now: datetime | None = None) -> dict[str, Any]:
    """Record the commission on a closed-won partner deal: rate by the partner's tier (program
    settings) unless given, amount = rate × closed amount, status earned."""
    with write_tx(engine, now) as tx:
        deal = _locked_row(tx, "opportunities", opportunity_id)
        if deal["outcome"] != "won":
            raise AdminError(f"opportunity: commissions are earned on won deals; this one is "
                             f"{deal['outcome'] or 'open'}", "opportunity")
        if not deal["partner_id"]:
            raise AdminError("opportunity: a direct deal earns no partner commission",
                             "opportunity")
        if _commission_of(tx, opportunity_id):
            raise AdminError("opportunity: this deal already has its commission", "opportunity")
        return _insert(tx, "commissions", deal["partner_id"],
                       _commission_values(tx, deal, rate_percent))


def _earn_at_close(tx: WriteTx, deal: dict[str, Any]) -> None:
    """close_opportunity's automatic commission (program setting commission_at_close)."""
    if not deal.get("partner_id") or not deal.get("amount_cents") \
            or not program_settings.value(tx.conn, "commission_at_close") \
            or _commission_of(tx, deal["id"]):
        return
    _insert(tx, "commissions", deal["partner_id"], _commission_values(tx, deal))


def earn_missing_commissions(engine: sa.Engine, *, now: datetime | None = None) -> list[str]:
    """Record the commission of every won partner deal that has none — deals won before
    commissions were recorded at close, or while that setting was off (a program job; nothing
    while commission_at_close is off). Returns the deals' ids."""
    deals, lines = RECORD_TABLES["opportunities"], RECORD_TABLES["commissions"]
    has_line = sa.select(lines.c.id).where(lines.c.opportunity_id == deals.c.id,
                                           lines.c.deleted == sa.false()).exists()
    earned: list[str] = []
    with write_tx(engine, now) as tx:
        if not program_settings.value(tx.conn, "commission_at_close"):
            return earned
        won = tx.conn.execute(sa.select(deals).where(
            deals.c.outcome == "won", deals.c.partner_id.is_not(None),
            deals.c.amount_cents > 0, deals.c.deleted == sa.false(), ~has_line)
            .order_by(deals.c.partner_id, deals.c.id)).mappings().all()
        for deal in won:  # scopes locked in one order, as every writer does
            tx.lock(deal["partner_id"])
            _insert(tx, "commissions", deal["partner_id"], _commission_values(tx, dict(deal)))
            earned.append(deal["id"])
    return earned


@operation("move commission")
def move_commission(engine: sa.Engine, commission_id: str, action: str, *,
                    on: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    """approve (earned → approved) or pay (approved → paid), stamping the day (`on`, default
    today)."""
    with write_tx(engine, now) as tx:
        row = _locked_row(tx, "commissions", commission_id)
        try:
            status = commission_rules.next_status(row["status"], action)
        except IllegalTransition as error:
            raise AdminError(str(error), "status") from None
        day = _values("commissions", {"paid_on": on}).get("paid_on") or tx.moment.date().isoformat()
        return _update(tx, "commissions", row, {
            "status": status, commission_rules.STATUS_DATES[status]: day})


def list_commissions(engine: sa.Engine, *, status: str | None = None,
                     disputed: bool = False, partner_id: str | None = None
                     ) -> list[dict[str, Any]]:
    """Commission lines with deal and partner names; `disputed`: only open disputes."""
    table = RECORD_TABLES["commissions"]
    deals, partners = RECORD_TABLES["opportunities"], RECORD_TABLES["partners"]
    query = (sa.select(table, deals.c.name.label("deal"),
                       partners.c.name.label("partner_name"))
             .join(deals, deals.c.id == table.c.opportunity_id, isouter=True)
             .join(partners, partners.c.id == table.c.partner_id, isouter=True)
             .where(table.c.deleted == sa.false()).order_by(table.c.created_at))
    if status:
        query = query.where(table.c.status == status)
    if partner_id:
        query = query.where(table.c.partner_id == partner_id)
    if disputed:
        query = query.where(table.c.disputed_at.is_not(None))
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    if disputed:
        rows = [r for r in rows if commission_rules.dispute_open(r)]
    return rows


@operation("resolve commission dispute")
def resolve_dispute(engine: sa.Engine, commission_id: str, answer: str, *,
                    amount_cents: int | str | None = None, now: datetime | None = None
                    ) -> dict[str, Any]:
    """Answer a rep's dispute (optionally correcting the amount); the rep sees it on the next
    pull and the line leaves the queue."""
    if not (answer or "").strip():
        raise AdminError("answer: say how the dispute is resolved; the partner sees it", "answer")
    values = _values("commissions", {"amount_cents": amount_cents})
    with write_tx(engine, now) as tx:
        row = _locked_row(tx, "commissions", commission_id)
        if not commission_rules.dispute_open(row):
            raise AdminError("commission: has no open dispute", "commission")
        if values and row["status"] == "paid":
            raise AdminError("amount: a paid commission cannot change; record the correction "
                             "as a new line", "amount")
        return _update(tx, "commissions", row, {**values, "dispute_resolution": answer.strip(),
                                                "dispute_resolved_at": tx.now})
