"""Vendor administration: the service layer behind `workbench-server admin` and the tests.

Plain functions taking a SQLAlchemy engine. Every change goes through `write_tx`, so vendor edits
are versioned, sequenced and reach partners on their next pull exactly like pushed ones. Errors are
`AdminError`s naming the field at fault.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from workbench.domain import matching, mdf
from workbench.domain.attribution import AttributionError, check_attributions
from workbench.domain.leads import should_recycle
from workbench.domain.model import ENTITIES, UnknownEntity
from workbench.domain.model import entity as entity_of
from workbench.domain.records import with_defaults
from workbench.domain.registration import IllegalTransition, lapsed_status, next_status
from workbench.domain.rules_of_engagement import decide_channel_conflict
from workbench.domain.values import (
    InvalidValue,
    coerce,
    coerce_fields,
    missing_required,
    new_id,
    parse_datetime,
    utc_now,
)
from workbench.server import matchkeys
from workbench.server import registrations as review
from workbench.server.access import hash_token, new_token
from workbench.server.records import CASE_NUMBERS, WriteTx, fetch, to_wire, write_tx
from workbench.server.schema import RECORD_TABLES, direct_opportunities, users


class AdminError(ValueError):
    """A vendor command cannot be carried out; the message says why, `field` what is at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


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
    return to_wire(entity, tx.insert(entity_name, new_id(), record, partner_id))


def _update(tx: WriteTx, entity_name: str, row: dict[str, Any], changes: dict[str, Any]
            ) -> dict[str, Any]:
    changes = {k: v for k, v in changes.items() if row.get(k) != v}
    if not changes:
        return to_wire(ENTITIES[entity_name], row)
    return to_wire(ENTITIES[entity_name], tx.update(entity_name, row, changes))


def _moment(text: str | None) -> datetime | None:
    return parse_datetime(text) if text else None


def _day_start(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(), tzinfo=UTC)


# -- generic record edits (also used by convergence tests) --------------------------------------

def update_record(engine: sa.Engine, entity_name: str, record_id: str, *,
                  now: datetime | None = None, **fields: Any) -> dict[str, Any]:
    """A vendor edit of any field (vendor- or partner-owned) of any record."""
    values = _values(_entity(entity_name).name, fields)
    with write_tx(engine, now) as tx:
        return _update(tx, entity_name, _locked_row(tx, entity_name, record_id), values)


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
        tx.insert("partners", partner_id, values, partner_id)
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
        tx.insert("partner_users", user_id, values, partner_id)
    return NewUser(user_id, partner_id, values["email"], token)


def list_users(engine: sa.Engine, partner_id: str | None = None) -> list[dict[str, Any]]:
    query = sa.select(users.c.id, users.c.partner_id, users.c.email, users.c.name, users.c.role,
                      users.c.created_at, users.c.revoked_at).order_by(users.c.email)
    if partner_id:
        query = query.where(users.c.partner_id == partner_id)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


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
    return found


# -- the vendor's direct pipeline ---------------------------------------------------------------

_DIRECT_COLUMNS = ("id", "name", "customer_name", "customer_domain", "stage", "opened_on",
                   "owner", "status")


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


def expire_registrations(engine: sa.Engine, *, now: datetime | None = None) -> list[str]:
    """Lapse approved registrations whose 90-day protection has ended; returns their ids."""
    moment = now or utc_now()
    table = RECORD_TABLES["registrations"]
    with engine.connect() as conn:
        candidates = conn.execute(sa.select(table.c.id, table.c.approved_at).where(
            table.c.status == "approved", table.c.deleted == sa.false())).all()
    due = [r.id for r in candidates
           if lapsed_status("approved", _moment(r.approved_at), moment) == "expired"]
    expired = []
    for registration_id in due:  # one short transaction each: never holds many scopes
        with write_tx(engine, moment) as tx:
            row = _locked_row(tx, "registrations", registration_id)
            if lapsed_status(row["status"], _moment(row["approved_at"]), moment) != "expired":
                continue  # renewed or closed meanwhile
            until = row["protection_expires_at"][:10]
            _update(tx, "registrations", row, {
                "status": next_status(row["status"], "expire"),
                "decision_reason": f"the 90-day protection ended on {until}; renew to ask for "
                                   f"a new window"})
            expired.append(registration_id)
    return expired


_OUTCOMES = ("partner", "direct", "co_sell", "reject")


def resolve_conflict(engine: sa.Engine, registration_id: str, outcome: str | None = None, *,
                     now: datetime | None = None) -> dict[str, Any]:
    """Suggest (and with `outcome`, apply) the resolution of a registration held for review.

    Against the vendor's direct pipeline the rules of engagement decide (seed 003, edge case 3).
    Against another partner's registration only, the first submitted keeps protection.
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
        record = _update(tx, "registrations", row, _resolution(tx, row, outcome, suggestion))
        return {"suggestion": suggestion, "applied": True, "registration": record}


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
                "against": f"direct opportunity {first['name']} (owner {first['owner'] or '-'})"}
    others = [m.candidate for m in matches]
    if not others:
        return {"outcome": "partner", "partner_credit": "sourced", "needs_mediation": False,
                "rationale": "nothing conflicts any more", "against": None}
    table = RECORD_TABLES["registrations"]
    earlier = conn.execute(sa.select(sa.func.count()).where(
        table.c.id.in_([c.id for c in others]),
        table.c.submitted_at < (row["submitted_at"] or "9999"))).scalar()
    against = ", ".join(f"registration {c.id} of partner {c.owner}" for c in others)
    if earlier:
        return {"outcome": "reject", "partner_credit": None, "needs_mediation": False,
                "rationale": "another partner registered this customer first and holds "
                             "protection", "against": against}
    return {"outcome": "partner", "partner_credit": "sourced", "needs_mediation": True,
            "rationale": "this registration came first; the later ones should yield",
            "against": against}


def _resolution(tx: WriteTx, row: dict[str, Any], outcome: str, suggestion: dict[str, Any]
                ) -> dict[str, Any]:
    """The registration's changes for a resolution; reasons never name another partner."""
    try:
        if outcome == "partner":
            return review.approval(tx, row, "approved after review of a possible conflict")
        if outcome == "co_sell":
            return review.approval(tx, row, "approved as co-sell with the vendor's direct "
                                            "team; credit is split")
        if outcome == "direct":
            return review.rejection(row, tx.now, "the vendor's direct team was engaged on this "
                                                  "deal first; you are credited with influence")
        return review.rejection(row, tx.now, "an earlier registration for this customer holds "
                                              "protection")
    except IllegalTransition as error:
        raise AdminError(str(error), "status") from None


# -- leads --------------------------------------------------------------------------------------

def assign_lead(engine: sa.Engine, partner_id: str, company_name: str, *,
                company_domain: str | None = None, contact_name: str | None = None,
                contact_email: str | None = None, source: str | None = "vendor",
                now: datetime | None = None) -> dict[str, Any]:
    values = _values("leads", {"company_name": company_name, "company_domain": company_domain,
                               "contact_name": contact_name, "contact_email": contact_email,
                               "source": source})
    with write_tx(engine, now) as tx:
        _partner(tx.conn, partner_id)
        values.update(assigned_at=tx.now, assignment_status="assigned", working_status="new")
        tx.lock(partner_id)
        return _insert(tx, "leads", partner_id, values)


def recycle_leads(engine: sa.Engine, *, now: datetime | None = None) -> list[str]:
    """Take back leads nobody contacted within 48 hours (domain.leads); returns their ids."""
    moment = now or utc_now()
    table = RECORD_TABLES["leads"]
    with engine.connect() as conn:
        ids = conn.execute(sa.select(table.c.id).where(
            table.c.assignment_status == "assigned", table.c.deleted == sa.false())).scalars().all()
    recycled = []
    for lead_id in ids:
        with write_tx(engine, moment) as tx:
            row = _locked_row(tx, "leads", lead_id)
            if row["assignment_status"] != "assigned" or not row["assigned_at"]:
                continue
            if should_recycle(parse_datetime(row["assigned_at"]), _moment(row["first_contact_at"]),
                              row["working_status"] or "new", moment):
                _update(tx, "leads", row, {"assignment_status": "recycled"})
                recycled.append(lead_id)
    return recycled


# -- opportunities and attribution --------------------------------------------------------------

def set_stage(engine: sa.Engine, opportunity_id: str, stage: int | str, *,
              now: datetime | None = None) -> dict[str, Any]:
    values = _values("opportunities", {"stage": stage})  # bounds: the stage field (model.py)
    with write_tx(engine, now) as tx:
        row = _locked_row(tx, "opportunities", opportunity_id)
        if row["outcome"] != "open":
            raise AdminError(f"the opportunity is already {row['outcome']}", "outcome")
        return _update(tx, "opportunities", row, values)


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

def open_case(engine: sa.Engine, customer_domain: str, subject: str, *,
              description: str | None = None, severity: str = "normal",
              now: datetime | None = None) -> dict[str, Any]:
    """A case for a customer, routed to the partner of the latest won deal with that customer."""
    domain = matching.normalise_domain(customer_domain or "")
    if not domain:
        raise AdminError("customer_domain: is required", "customer_domain")
    values = _values("cases", {"customer_domain": domain, "subject": subject,
                               "description": description, "severity": severity})
    partner_id = _partner_of_latest_win(engine, domain)
    with write_tx(engine, now) as tx:
        tx.lock(partner_id)
        tx.lock(CASE_NUMBERS)
        values.update(status="new",
                      case_number=f"CS-{tx.moment.year}-{tx.next_seq(CASE_NUMBERS):06d}")
        return _insert(tx, "cases", partner_id, values)


def _partner_of_latest_win(engine: sa.Engine, domain: str) -> str:
    table = RECORD_TABLES["opportunities"]
    with engine.connect() as conn:
        won = conn.execute(sa.select(table.c.partner_id, table.c.customer_domain,
                                     table.c.closed_on, table.c.updated_at)
                           .where(table.c.outcome == "won", table.c.deleted == sa.false())).all()
    mine = [w for w in won if matching.normalise_domain(w.customer_domain or "") == domain]
    if not mine:
        raise AdminError(f"customer_domain: no partner has won a deal with {domain}; "
                         f"the case cannot be routed", "customer_domain")
    return max(mine, key=lambda w: (w.closed_on or "", w.updated_at)).partner_id


def set_case_status(engine: sa.Engine, case_id: str, status: str, *,
                    now: datetime | None = None) -> dict[str, Any]:
    values = _values("cases", {"status": status})
    if "status" not in values:
        raise AdminError("status: is required", "status")
    with write_tx(engine, now) as tx:
        return _update(tx, "cases", _locked_row(tx, "cases", case_id), values)


def add_case_comment(engine: sa.Engine, case_id: str, body: str, *,
                     author: str = "vendor support", now: datetime | None = None
                     ) -> dict[str, Any]:
    values = _values("case_comments", {"case_id": case_id, "body": body, "author": author})
    with write_tx(engine, now) as tx:
        case = _locked_row(tx, "cases", case_id)
        return _insert(tx, "case_comments", case["partner_id"], values)


# -- enablement, activity, MDF ------------------------------------------------------------------

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
        elif not values.get("decision_reason"):
            raise AdminError("reason: say why the request is rejected", "reason")
        return _update(tx, "mdf_requests", row, values)


# -- program averages ---------------------------------------------------------------------------

def publish_averages(engine: sa.Engine, period: str | None = None, *,
                     now: datetime | None = None) -> dict[str, str | None]:
    """Publish program-wide aggregates for scorecards (vendor-wide scope; no partner's data).

    Metrics: close_rate_percent, avg_deal_size_cents, avg_sales_cycle_days (won/lost deals
    closed in the last 365 days), registrations_per_partner (submitted in the last 90 days per
    active partner), registration_approval_rate_percent (of those decided). `period` labels the
    rows (default: the current quarter, e.g. "2026-Q4"); publishing again replaces the values.
    """
    moment = now or utc_now()
    period = period or f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"
    values = _values("program_averages", {"period": period, "metric": "x"})
    with engine.connect() as conn:
        metrics = {**_deal_metrics(conn, moment), **_registration_metrics(conn, moment)}
    table = RECORD_TABLES["program_averages"]
    with write_tx(engine, moment) as tx:
        tx.lock("global")
        existing = {r.metric: dict(r._mapping) for r in tx.conn.execute(
            sa.select(table).where(table.c.period == values["period"],
                                   table.c.deleted == sa.false()))}
        for metric, value in metrics.items():
            if metric in existing:
                _update(tx, "program_averages", existing[metric], {"value": value})
            else:
                _insert(tx, "program_averages", None,
                        {"period": values["period"], "metric": metric, "value": value})
    return metrics


def _decimal(value: Decimal | float | None, places: str = "0.1") -> str | None:
    if value is None:
        return None
    return str(Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP))


def _deal_metrics(conn: sa.Connection, now: datetime) -> dict[str, str | None]:
    table = RECORD_TABLES["opportunities"]
    since = (now - timedelta(days=365)).date().isoformat()
    closed = conn.execute(sa.select(table.c.outcome, table.c.amount_cents, table.c.opened_on,
                                    table.c.closed_on)
                          .where(table.c.outcome.in_(["won", "lost"]),
                                 table.c.closed_on >= since,
                                 table.c.deleted == sa.false())).all()
    won = [c for c in closed if c.outcome == "won"]
    amounts = [c.amount_cents for c in won if c.amount_cents is not None]
    cycles = [(date.fromisoformat(c.closed_on) - date.fromisoformat(c.opened_on)).days
              for c in won if c.opened_on and c.closed_on]
    return {
        "close_rate_percent": _decimal(Decimal(100 * len(won)) / len(closed)) if closed else None,
        "avg_deal_size_cents": _decimal(Decimal(sum(amounts)) / len(amounts), "1")
        if amounts else None,
        "avg_sales_cycle_days": _decimal(Decimal(sum(cycles)) / len(cycles)) if cycles else None,
    }


def _registration_metrics(conn: sa.Connection, now: datetime) -> dict[str, str | None]:
    table, partners = RECORD_TABLES["registrations"], RECORD_TABLES["partners"]
    since = (now - timedelta(days=90)).strftime("%Y-%m-%dT%H:%M:%S")
    submitted = conn.execute(sa.select(table.c.status, table.c.approved_at)
                             .where(table.c.submitted_at >= since,
                                    table.c.deleted == sa.false())).all()
    active = conn.execute(sa.select(sa.func.count()).select_from(partners).where(
        partners.c.deleted == sa.false(),
        sa.or_(partners.c.program_status.is_(None),
               partners.c.program_status.in_(["active", "at_risk", "onboarding"])))).scalar()
    approved = sum(1 for s in submitted if s.approved_at)
    decided = approved + sum(1 for s in submitted if s.status == "rejected" and not s.approved_at)
    return {
        "registrations_per_partner": _decimal(Decimal(len(submitted)) / active, "0.01")
        if active else None,
        "registration_approval_rate_percent": _decimal(Decimal(100 * approved) / decided)
        if decided else None,
    }
