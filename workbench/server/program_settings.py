"""The partner program's settings, changed by channel managers in the console.

Each setting has a type, a default and bounds; a change is checked whole before anything is
written, stored with who made it, and recorded in the audit log.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from workbench.domain.commissions import DEFAULT_RATES
from workbench.domain.deal_progress import STALE_DEAL_DAYS
from workbench.domain.leads import FIRST_CONTACT_SLA
from workbench.domain.model import TIERS
from workbench.domain.program import DECISION_SLA
from workbench.domain.registration import PROTECTION_DAYS
from workbench.domain.values import format_datetime, utc_now
from workbench.server import audit
from workbench.server.records import WriteTx, write_tx
from workbench.server.schema import GLOBAL_SCOPE, RECORD_TABLES, program_settings


@dataclass(frozen=True)
class Setting:
    key: str
    label: str
    kind: type  # int or bool
    default: Any
    help: str
    low: int = 0
    high: int = 0
    unit: str = ""


SETTINGS: dict[str, Setting] = {s.key: s for s in (
    Setting("protection_days", "Protection window", int, PROTECTION_DAYS,
            "Days of protection an approval grants (seed 003: typically 60-90). Applies to "
            "registrations approved from now on; approved ones keep their window. Partners' desks "
            "show renewal 15 days before the end.",
            30, 365, "days"),
    Setting("decision_sla_hours", "Decision SLA", int, DECISION_SLA // timedelta(hours=1),
            "Hours within which a submitted registration gets a decision (seed 001: 48).",
            1, 240, "hours"),
    Setting("lead_sla_hours", "Lead first-contact SLA", int,
            FIRST_CONTACT_SLA // timedelta(hours=1),
            "Hours a partner has to log first contact before the lead is recycled and "
            "re-assigned (seed 001: 48). Partners' desks count down the new SLA after their "
            "next sync.", 1, 240, "hours"),
    Setting("auto_approve", "Approve clean registrations automatically", bool, True,
            "A registration that matches no other partner's deal and no direct opportunity is "
            "approved on submit; conflicts always wait for a channel manager."),
    Setting("co_sell_partner_share", "Partner's share on co-sell", int, 50,
            "Credit split recorded for the partner when a conflict is resolved as co-sell.",
            1, 99, "%"),
    Setting("stale_deal_days", "Stale deal after", int, STALE_DEAL_DAYS,
            "An approved registration with no activity recorded for this many days shows as "
            "stale on the partner's dashboard.", 1, 365, "days"),
    Setting("commission_at_close", "Record commissions at close", bool, True,
            "When a partner's deal closes won, its commission is recorded as earned at the "
            "rate of the partner's tier (seed 001: rate by tier at deal close)."),
    *(Setting(f"commission_rate_{tier}", f"Commission rate, {tier.capitalize()}", int,
              DEFAULT_RATES[tier], f"Percent of the closed amount a {tier.capitalize()} partner "
              "earns on a won deal.", 0, 50, "%") for tier in TIERS),
)}


# The settings a partner's desk applies itself; synced to every partner as program_terms records
# (vendor-owned, global scope), so the desk counts down the same SLA and protection window.
DESK_TERMS = ("lead_sla_hours", "protection_days")


class SettingError(ValueError):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{SETTINGS[key].label if key in SETTINGS else key}: {message}")
        self.field = key


def current(conn: sa.Connection, defaults: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every setting's value: the stored one, else `defaults`, else the built-in default."""
    values = {key: s.default for key, s in SETTINGS.items()}
    values.update(defaults or {})
    for row in conn.execute(sa.select(program_settings.c.key, program_settings.c.value)):
        if row.key in SETTINGS:
            values[row.key] = json.loads(row.value)
    return values


def value(conn: sa.Connection, key: str, default: Any = None) -> Any:
    stored = conn.execute(sa.select(program_settings.c.value)
                          .where(program_settings.c.key == key)).scalar()
    if stored is not None:
        return json.loads(stored)
    return SETTINGS[key].default if default is None else default


def commission_rates(conn: sa.Connection) -> dict[str, int]:
    """The program's commission rate (percent) of each tier."""
    values = current(conn)
    return {tier: values[f"commission_rate_{tier}"] for tier in TIERS}


def history(conn: sa.Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(sa.select(program_settings)
                                          .order_by(program_settings.c.updated_at.desc()))
            .mappings()]


def parse(raw: dict[str, Any]) -> dict[str, Any]:
    """Typed values from form text; SettingError names the first bad one."""
    parsed: dict[str, Any] = {}
    for key, text in raw.items():
        setting = SETTINGS.get(key)
        if setting is None:
            raise SettingError(key, "is not a program setting")
        if setting.kind is bool:
            if isinstance(text, bool):
                parsed[key] = text
            elif str(text).strip().lower() in ("1", "true", "on", "yes"):
                parsed[key] = True
            elif str(text).strip().lower() in ("0", "false", "off", "no", ""):
                parsed[key] = False
            else:
                raise SettingError(key, f"expected on or off, got {text!r}")
            continue
        cleaned = str(text).strip()
        if not cleaned.lstrip("-").isdigit():
            raise SettingError(key, f"enter a whole number of {setting.unit or 'units'}, "
                                    f"got {cleaned!r}" if cleaned else "is required")
        number = int(cleaned)
        if not setting.low <= number <= setting.high:
            raise SettingError(key, f"must be from {setting.low} to {setting.high} "
                                    f"{setting.unit}".rstrip())
        parsed[key] = number
    return parsed


def change(engine: sa.Engine, raw: dict[str, Any], *, defaults: dict[str, Any] | None = None,
           now: datetime | None = None) -> dict[str, tuple[Any, Any]]:
    """Store the changed settings (all checked first); returns {key: (before, after)}."""
    values = parse(raw)
    stamp = format_datetime(now or utc_now())
    with write_tx(engine, now) as tx:
        conn = tx.conn
        before = current(conn, defaults)
        changed = {k: (before[k], v) for k, v in values.items() if before[k] != v}
        for key, (old, new) in changed.items():
            conn.execute(sa.delete(program_settings).where(program_settings.c.key == key))
            conn.execute(sa.insert(program_settings).values(
                key=key, value=json.dumps(new), updated_at=stamp,
                updated_by=audit.current_actor()))
            audit.record(conn, stamp, f"{SETTINGS[key].label}: {_shown(old)} → {_shown(new)}",
                         entity="program_settings", record_id=key, before={key: old},
                         after={key: new}, action_name="change program setting")
        if changed.keys() & set(DESK_TERMS):
            publish_terms(tx)
    return changed


def publish_terms(tx: WriteTx) -> int:
    """Bring the synced program_terms records in line with the current settings.

    Writes (under the global scope's lock, numbered like every global write) only the rows
    that are missing or differ, so partners pull a change once. Returns how many were written.
    """
    table = RECORD_TABLES["program_terms"]
    tx.lock(GLOBAL_SCOPE)
    values = current(tx.conn)
    existing = {r["key"]: dict(r) for r in tx.conn.execute(
        sa.select(table).where(table.c.deleted == sa.false())).mappings()}
    written = 0
    for key in DESK_TERMS:
        text = str(values[key])
        row = existing.get(key)
        if row is None:
            tx.insert("program_terms", str(uuid.uuid5(_TERMS_NAMESPACE, key)),
                      {"key": key, "value": text}, None)
        elif row["value"] != text:
            tx.update("program_terms", row, {"value": text})
        else:
            continue
        written += 1
    return written


_TERMS_NAMESPACE = uuid.UUID("6f1b3a52-8d4e-4c1a-9a57-0c3e5d2b7f10")


def publish_current(engine: sa.Engine) -> int:
    """The synced program_terms as the settings stand (on server start, after migrations):
    a partner syncing for the first time gets them."""
    table = RECORD_TABLES["program_terms"]
    with engine.connect() as conn:  # most starts: already in line, no lock taken
        values = current(conn)
        stored = {r.key: r.value for r in conn.execute(
            sa.select(table.c.key, table.c.value).where(table.c.deleted == sa.false()))}
    if all(stored.get(key) == str(values[key]) for key in DESK_TERMS):
        return 0
    with write_tx(engine) as tx:
        return publish_terms(tx)


def _shown(value: Any) -> str:
    return ("on" if value else "off") if isinstance(value, bool) else str(value)
