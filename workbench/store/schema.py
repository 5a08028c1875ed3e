"""Tables of the local store, built from the domain model.

Each entity gets one table with its declared fields plus record metadata. References between
records (contacts.account_id …) are checked by the store when the rep edits, not by SQLite foreign
keys: pulled pages may deliver a contact before its account, and a sync must never fail on that.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from workbench.domain.model import ENTITIES, Entity, Kind

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

_COLUMN_TYPES: dict[Kind, Any] = {
    Kind.TEXT: sa.Text, Kind.DOMAIN: sa.Text, Kind.EMAIL: sa.Text, Kind.INT: sa.Integer,
    Kind.MONEY: sa.BigInteger, Kind.BOOL: sa.Boolean,
    Kind.DATE: sa.String(10), Kind.DATETIME: sa.String(32), Kind.JSON: sa.JSON,
    Kind.REF: sa.String(36),
}

# Columns worth an index: what lists filter and sort on, and reference look-ups.
_INDEXED = {"name", "customer_name", "status", "account_id", "case_id", "opportunity_id",
            "working_status", "expected_close_date", "crm_record_id", "mdf_request_id",
            "sha256"}


def _column_type(kind: Kind) -> sa.types.TypeEngine:
    column_type = _COLUMN_TYPES[kind]
    return column_type() if isinstance(column_type, type) else column_type


def _entity_table(entity: Entity) -> sa.Table:
    columns = [
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("partner_id", sa.String(36), nullable=True),
        *(sa.Column(f.name, _column_type(f.kind), nullable=True, index=f.name in _INDEXED)
          for f in entity.fields),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
        # version 0: created here and not yet accepted by the server
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("deleted", sa.Boolean, nullable=False, server_default=sa.false()),
    ]
    return sa.Table(entity.name, metadata, *columns)


RECORD_TABLES: dict[str, sa.Table] = {name: _entity_table(e) for name, e in ENTITIES.items()}

# Local edits waiting to be pushed, and the history of those already pushed.
outbox = sa.Table(
    "outbox", metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("op_id", sa.String(36), nullable=False, unique=True),
    sa.Column("entity", sa.String(40), nullable=False),
    sa.Column("record_id", sa.String(36), nullable=False, index=True),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("action", sa.String(20), nullable=True),
    sa.Column("fields", sa.JSON, nullable=False),
    sa.Column("base_version", sa.Integer, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    # pending → applied | rejected | conflict (superseded by a merge) ; only pending is pushed
    sa.Column("state", sa.String(10), nullable=False, server_default="pending", index=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("reason_field", sa.String(60), nullable=True),
    sa.Column("finished_at", sa.String(32), nullable=True),
)

# A field changed both here and on the server: shown to the rep until resolved.
conflicts = sa.Table(
    "conflicts", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("entity", sa.String(40), nullable=False),
    sa.Column("record_id", sa.String(36), nullable=False, index=True),
    sa.Column("field", sa.String(60), nullable=False),
    sa.Column("base_value", sa.JSON, nullable=True),
    sa.Column("mine_value", sa.JSON, nullable=True),
    sa.Column("theirs_value", sa.JSON, nullable=True),
    sa.Column("theirs_version", sa.Integer, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("resolved_at", sa.String(32), nullable=True, index=True),
    sa.Column("resolution", sa.String(10), nullable=True),  # mine | theirs | edited
)

# Small key/value facts about this store: pull cursor, server URL, signed-in user, last sync.
sync_state = sa.Table(
    "sync_state", metadata,
    sa.Column("key", sa.String(60), primary_key=True),
    sa.Column("value", sa.JSON, nullable=True),
)

# One row per sync attempt, for the Sync view and support ("when did it last work?").
sync_log = sa.Table(
    "sync_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("started_at", sa.String(32), nullable=False),
    sa.Column("finished_at", sa.String(32), nullable=True),
    sa.Column("outcome", sa.String(20), nullable=True),  # ok | failed | cancelled
    sa.Column("pushed", sa.Integer, nullable=False, server_default="0"),
    sa.Column("pulled", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rejected", sa.Integer, nullable=False, server_default="0"),
    sa.Column("conflicts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("message", sa.Text, nullable=True),
)
