"""Tables of the vendor server, built from the domain model.

Every entity of `workbench.domain.model` gets one table with its declared fields plus record
metadata and the two sync columns: `scope` (the owning partner's id, or "global" for vendor-wide
records) and `seq` (the scope's sequence number of the record's latest write). Pull pages are read
by (scope, seq). The server-only tables (users, applied ops, scope counters, the vendor's direct
pipeline) are never synced to partners.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from workbench.domain.model import ENTITIES, Entity, Kind

GLOBAL_SCOPE = "global"

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
    Kind.DATE: sa.String(10), Kind.DATETIME: sa.String(32),
    Kind.JSON: sa.JSON(none_as_null=True),  # no value is SQL NULL, not the JSON text 'null'
    Kind.REF: sa.String(36),
}

# Columns the server filters on (matching, routing, lapsing, look-ups by reference).
_INDEXED = {"status", "opportunity_id", "registration_id", "case_id", "assignment_status",
            "parent_partner_id", "mdf_request_id", "sha256"}


def _column_type(kind: Kind) -> sa.types.TypeEngine:
    column_type = _COLUMN_TYPES[kind]
    return column_type() if isinstance(column_type, type) else column_type


def _entity_table(entity: Entity) -> sa.Table:
    name = entity.name
    return sa.Table(
        name, metadata,
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("partner_id", sa.String(36), nullable=True, index=True),
        *(sa.Column(f.name, _column_type(f.kind), nullable=True, index=f.name in _INDEXED)
          for f in entity.fields),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("scope", sa.String(36), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Index(f"ix_{name}_scope_seq", "scope", "seq"),
    )


RECORD_TABLES: dict[str, sa.Table] = {name: _entity_table(e) for name, e in ENTITIES.items()}

# The console's review queue (waiting registrations, oldest first) and each partner's last
# registration, read without touching the rows (100k registrations: scanning them costs 50 ms+).
_registrations = RECORD_TABLES["registrations"]
sa.Index("ix_registrations_review_queue", _registrations.c.status, _registrations.c.deleted,
         _registrations.c.submitted_at, _registrations.c.id, _registrations.c.review_reason)
sa.Index("ix_registrations_partner_submitted", _registrations.c.partner_id,
         _registrations.c.submitted_at)

# One row per scope; taken FOR UPDATE by every write so a scope's changes commit in seq order.
# Rows named "~…" are server-internal locks/counters (registration review, registration numbers).
scope_counters = sa.Table(
    "scope_counters", metadata,
    sa.Column("scope", sa.String(64), primary_key=True),
    sa.Column("seq", sa.BigInteger, nullable=False),
)

# Who may call the API. Only the SHA-256 of a token is stored.
users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("partner_id", sa.String(36), nullable=False, index=True),
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=True),
    sa.Column("role", sa.String(40), nullable=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("revoked_at", sa.String(32), nullable=True),
)

# The answer given to each pushed op, so a replay answers the same and changes nothing.
applied_ops = sa.Table(
    "applied_ops", metadata,
    sa.Column("user_id", sa.String(36), primary_key=True),
    sa.Column("op_id", sa.String(100), primary_key=True),
    sa.Column("result_json", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    # A push looks up its ~500 op ids at once; with only the primary key PostgreSQL scans all
    # of the user's past ops for that.
    sa.Index("ix_applied_ops_op_id", "op_id"),
)

# The vendor's own pipeline, checked for channel conflicts; never synced to partners.
direct_opportunities = sa.Table(
    "direct_opportunities", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("customer_name", sa.Text, nullable=True),
    sa.Column("customer_domain", sa.Text, nullable=True),
    sa.Column("stage", sa.Integer, nullable=False, server_default="0"),
    sa.Column("opened_on", sa.String(10), nullable=True),
    sa.Column("owner", sa.Text, nullable=True),
    sa.Column("status", sa.String(10), nullable=False, server_default="open", index=True),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),
)

# Blocking keys of every registration and direct opportunity (domain.matching.blocking_keys):
# the conflict check on submit reads only the candidates sharing a key with the new
# registration, instead of building the matcher over every active registration.
match_keys = sa.Table(
    "match_keys", metadata,
    # "<source>|<blocking key>": looked up by key alone, so SQLite and PostgreSQL both take the
    # primary key's index (with `source` first, SQLite preferred scanning every key of a source).
    sa.Column("key", sa.String(320), primary_key=True),
    sa.Column("record_id", sa.String(36), primary_key=True),
    sa.Column("source", sa.String(20), nullable=False),  # registration | direct
    sa.Index("ix_match_keys_record", "record_id", "source"),
)


# -- the vendor's own tables: console staff, audit, settings, program jobs ----------------------
# Server-only, never synced. Secrets are stored only as hashes (argon2 for passwords, SHA-256
# for session tokens).

staff = sa.Table(
    "staff", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=True),
    sa.Column("role", sa.String(40), nullable=False),  # channel_manager | admin
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("totp_secret", sa.String(64), nullable=True),  # second factor, when enabled
    sa.Column("failed_sign_ins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", sa.String(32), nullable=True),
    sa.Column("last_sign_in_at", sa.String(32), nullable=True),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("disabled_at", sa.String(32), nullable=True),
)

# A signed-in browser. The cookie holds a random token; only its SHA-256 is stored here.
staff_sessions = sa.Table(
    "staff_sessions", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("staff_id", sa.String(36), nullable=False, index=True),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("last_seen_at", sa.String(32), nullable=False),
    sa.Column("expires_at", sa.String(32), nullable=False),
    sa.Column("ended_at", sa.String(32), nullable=True),
)

# Every vendor action: who, when, what changed (before → after as JSON objects).
audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(32), nullable=False, index=True),
    sa.Column("actor", sa.String(340), nullable=False, index=True),
    sa.Column("action", sa.String(100), nullable=False, index=True),
    sa.Column("entity", sa.String(60), nullable=True),
    sa.Column("record_id", sa.String(64), nullable=True, index=True),
    sa.Column("partner_id", sa.String(36), nullable=True, index=True),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("before_json", sa.Text, nullable=True),
    sa.Column("after_json", sa.Text, nullable=True),
)

program_settings = sa.Table(
    "program_settings", metadata,
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),  # JSON
    sa.Column("updated_at", sa.String(32), nullable=False),
    sa.Column("updated_by", sa.String(340), nullable=False),
)

# Inactive partners (seed 001: no registration in 90 days → re-engagement; 180 → offboarding).
partner_flags = sa.Table(
    "partner_flags", metadata,
    sa.Column("partner_id", sa.String(36), primary_key=True),
    sa.Column("flag", sa.String(40), nullable=False),  # re_engagement | offboard_suggested
    sa.Column("inactive_since", sa.String(32), nullable=False),
    sa.Column("days_inactive", sa.Integer, nullable=False),
    sa.Column("flagged_at", sa.String(32), nullable=False),
)

# The vendor's lead desk: each lead the vendor hands out, its routing facts and who has had it.
# The partner sees only its own `leads` record; `tried_partner_ids` never leaves the server.
vendor_leads = sa.Table(
    "vendor_leads", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("company_name", sa.Text, nullable=False),
    sa.Column("company_domain", sa.Text, nullable=True),
    sa.Column("contact_name", sa.Text, nullable=True),
    sa.Column("contact_email", sa.Text, nullable=True),
    sa.Column("source", sa.Text, nullable=True),
    sa.Column("region", sa.String(100), nullable=True),
    sa.Column("industry", sa.String(100), nullable=True),
    sa.Column("status", sa.String(20), nullable=False, index=True),  # assigned | waiting
    sa.Column("partner_id", sa.String(36), nullable=True),
    sa.Column("lead_id", sa.String(36), nullable=True, index=True),  # the partner's record
    sa.Column("tried_partner_ids", sa.JSON(none_as_null=True), nullable=True),
    sa.Column("assigned_by", sa.Text, nullable=True),  # the rule or the person
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),
)

lead_rules = sa.Table(
    "lead_rules", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("region", sa.String(100), nullable=True),
    sa.Column("industry", sa.String(100), nullable=True),
    sa.Column("min_tier", sa.String(20), nullable=True),
    sa.Column("partner_ids", sa.JSON(none_as_null=True), nullable=True),
    sa.Column("created_at", sa.String(32), nullable=False),
)

# Customer cases for a domain no partner has won: the vendor's own queue, until routed.
vendor_cases = sa.Table(
    "vendor_cases", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("case_number", sa.String(40), nullable=False),
    sa.Column("customer_domain", sa.Text, nullable=True),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("severity", sa.String(20), nullable=False),
    sa.Column("status", sa.String(30), nullable=False, index=True),
    sa.Column("routed_case_id", sa.String(36), nullable=True),  # the partner case it became
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),
)

# The program jobs: when each last ran and what it did; `lease_until` lets one worker run a job
# on SQLite (PostgreSQL uses an advisory lock).
job_runs = sa.Table(
    "job_runs", metadata,
    sa.Column("job", sa.String(60), primary_key=True),
    sa.Column("started_at", sa.String(32), nullable=True),
    sa.Column("finished_at", sa.String(32), nullable=True),
    sa.Column("status", sa.String(20), nullable=True),  # ok | failed | running
    sa.Column("result", sa.Text, nullable=True),
    sa.Column("lease_until", sa.String(32), nullable=True),
    sa.Column("runs", sa.Integer, nullable=False, server_default="0"),
)

# The content library as published (one row per document): each partner's `content_items` copies
# are made from it for the tiers that see it, also for partners that reach the tier later.
content_documents = sa.Table(
    "content_documents", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("tier", sa.String(20), nullable=True),  # lowest tier that sees it; none: every
    sa.Column("filename", sa.Text, nullable=False),
    sa.Column("media_type", sa.Text, nullable=True),
    sa.Column("size_bytes", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("published_at", sa.String(32), nullable=False),
)
