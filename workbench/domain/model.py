"""The records of the partner program and who owns each field.

This is the one place where entities, their fields and the owner of every field are declared
(DESIGN §2). The local store builds its tables from it, the sync code checks outgoing edits
against it, and the vendor server enforces it on every push.

Values travel and are stored in their wire form: text, integers (money in cents), booleans,
ISO dates ("2026-11-22"), ISO UTC timestamps ("2026-11-22T17:58:23.000000Z") and JSON lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from workbench.domain.errors import InvalidValue


class Owner(StrEnum):
    PARTNER = "partner"  # the rep may edit offline
    VENDOR = "vendor"  # read-only in the workbench; changed only by the vendor server


class Kind(StrEnum):
    TEXT = "text"
    DOMAIN = "domain"  # a web domain, stored normalised ("https://www.Acme.com/" → "acme.com")
    EMAIL = "email"  # an email address
    INT = "int"
    MONEY = "money"  # integer cents
    BOOL = "bool"
    DATE = "date"
    DATETIME = "datetime"
    JSON = "json"  # a JSON list of strings
    REF = "ref"  # the UUID of another record

    @property
    def is_text(self) -> bool:
        """Stored and sent as text whatever it means (text, domain, email)."""
        return self in (Kind.TEXT, Kind.DOMAIN, Kind.EMAIL)


# Name endings that say how a value is stored, not what it is: "deal_value_cents" is the deal
# value to the rep, "account_id" the account, "approved_at" when it was approved.
_STORAGE_SUFFIXES = ("_cents", "_id", "_at", "_on")


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    owner: Owner
    required: bool = False
    choices: tuple[str, ...] = ()
    ref: str | None = None  # entity name for Kind.REF
    max_length: int = 2000
    label: str = ""  # what the rep sees; default: the name without its storage suffix
    minimum: int | None = None  # bounds of INT and MONEY values (money: cents)
    maximum: int | None = None

    @property
    def title(self) -> str:
        """The name the rep sees on screen and in every message about this field."""
        if self.label:
            return self.label
        name = self.name
        for suffix in _STORAGE_SUFFIXES:
            if name.endswith(suffix) and name != suffix:
                name = name.removesuffix(suffix)
                break
        return name.replace("_", " ").capitalize()

    def invalid(self, problem: str) -> InvalidValue:
        """The error for a bad value of this field, worded with the label the rep sees."""
        return InvalidValue(self.name, problem, self.title)


@dataclass(frozen=True)
class Entity:
    name: str  # plural, also the table name
    fields: tuple[Field, ...]
    created_by: Owner  # who may create records of this kind
    scope: str = "partner"  # "partner": belongs to one partner; "global": vendor-wide
    label: str = ""
    _by_name: dict[str, Field] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name.update({f.name: f for f in self.fields})

    def field(self, name: str) -> Field:
        try:
            return self._by_name[name]
        except KeyError:
            known = ", ".join(f.name for f in self.fields)
            raise UnknownField(f"{self.name} has no field '{name}' (known fields: {known})") from None

    def has_field(self, name: str) -> bool:
        return name in self._by_name

    def title_of(self, name: str) -> str:
        """The label of a field, or the name itself for something that is not a field."""
        spec = self._by_name.get(name)
        return spec.title if spec else name

    def invalid(self, name: str, problem: str) -> InvalidValue:
        """InvalidValue for one of this entity's fields, worded with its label."""
        return InvalidValue(name, problem, self.title_of(name))

    def partner_fields(self) -> list[str]:
        return [f.name for f in self.fields if f.owner is Owner.PARTNER]

    def vendor_fields(self) -> list[str]:
        return [f.name for f in self.fields if f.owner is Owner.VENDOR]


class UnknownField(KeyError):
    def __str__(self) -> str:  # KeyError quotes its message; we want it plain
        return str(self.args[0])


# Record metadata every entity carries (not part of the field list, never edited directly).
META_FIELDS = ("id", "created_at", "updated_at", "version", "deleted")

P, V = Owner.PARTNER, Owner.VENDOR
T, N, M, B, D, DT, J, R = (Kind.TEXT, Kind.INT, Kind.MONEY, Kind.BOOL, Kind.DATE, Kind.DATETIME,
                           Kind.JSON, Kind.REF)  # N: a whole number
DOM, EM = Kind.DOMAIN, Kind.EMAIL

MOTIONS = ("reseller", "referral", "co-sell", "services", "technology", "affiliate", "marketplace")
TIERS = ("bronze", "silver", "gold", "platinum")
PROGRAM_STATUSES = ("prospect", "onboarding", "active", "at_risk", "suspended", "offboarded")
PARTNER_USER_ROLES = ("seller", "marketer", "engineer", "executive_sponsor", "admin")
REGISTRATION_STATUSES = ("draft", "submitted", "pending_review", "approved", "rejected", "won",
                         "lost", "expired", "withdrawn")
REVIEW_REASONS = ("conflict", "renewal", "dispute", "manual")
LEAD_WORKING_STATUSES = ("new", "accepted", "contacted", "rejected")
LEAD_ASSIGNMENT_STATUSES = ("assigned", "recycled")
CASE_SEVERITIES = ("low", "normal", "high", "urgent")
CASE_STATUSES = ("new", "open", "waiting_on_partner", "waiting_on_customer", "escalated",
                 "resolved", "closed")
OPPORTUNITY_OUTCOMES = ("open", "won", "lost")
ATTRIBUTION_ROLES = ("sourced", "influenced", "fulfillment", "referral")
CERTIFICATION_LEVELS = ("basic", "advanced", "expert")
LEARNING_KINDS = ("training", "certification")
LEARNING_STATUSES = ("in_progress", "completed", "expired")
MDF_STATUSES = ("draft", "submitted", "approved", "rejected", "claimed", "paid")
COMMISSION_STATUSES = ("earned", "approved", "paid")
AMENDMENT_STATUSES = ("pending", "approved", "rejected")
ACTIVITY_KINDS = ("login", "download", "registration", "training", "closed_won", "content_share",
                  "event")
# Opportunity stages as the vendor's CRM numbers them: the stage field holds the index (0-5);
# the outcome, not the stage, says whether a deal was won or lost.
OPPORTUNITY_STAGES = ("Prospecting", "Qualification", "Discovery", "Solution", "Proposal",
                      "Negotiation")

ENTITIES: dict[str, Entity] = {}


def _entity(name: str, created_by: Owner, *fields: Field, scope: str = "partner",
            label: str = "") -> Entity:
    entity = Entity(name=name, fields=fields, created_by=created_by, scope=scope, label=label)
    ENTITIES[name] = entity
    return entity


PARTNERS = _entity(
    "partners", V,
    Field("name", T, V, required=True, max_length=200),
    Field("motions", J, V, choices=MOTIONS),
    Field("tier", T, V, choices=TIERS),
    Field("segment", T, V, max_length=100),
    Field("region", T, V, max_length=100),
    Field("territory", T, V, max_length=200),
    Field("parent_partner_id", R, V, ref="partners"),
    Field("program_status", T, V, choices=PROGRAM_STATUSES),
    Field("channel_manager", T, V, max_length=200),
    Field("joined_on", D, V),
    Field("sub_partner_visibility", B, V),
    # Customer satisfaction on partner-sourced deals (seed 003 tier rubric): the vendor's latest
    # Net Promoter Score survey of the partner's customers, -100 to 100, and when it was taken.
    Field("nps", N, V, minimum=-100, maximum=100, label="NPS"),
    Field("nps_surveyed_on", D, V, label="NPS survey date"),
    label="Partner",
)

PARTNER_USERS = _entity(
    "partner_users", V,
    Field("email", EM, V, required=True, max_length=320),
    Field("name", T, V, max_length=200),
    Field("role", T, V, choices=PARTNER_USER_ROLES),
    Field("certification_status", T, V, max_length=100),
    Field("enablement_percent", N, V, minimum=0, maximum=100, label="Enablement"),
    label="Partner user",
)

ACCOUNTS = _entity(
    "accounts", P,
    Field("name", T, P, required=True, max_length=200),
    Field("domain", DOM, P, max_length=253),
    Field("industry", T, P, max_length=100),
    Field("country", T, P, max_length=100),
    Field("region", T, P, max_length=100),
    Field("notes", T, P, max_length=10000),
    # The account's id in the partner's CRM (Salesforce Id, HubSpot Record ID), kept from an
    # import so that importing the next export updates the account instead of adding a twin.
    Field("crm_record_id", T, P, max_length=100, label="CRM record"),
    label="Account",
)

CONTACTS = _entity(
    "contacts", P,
    Field("account_id", R, P, required=True, ref="accounts"),
    Field("name", T, P, required=True, max_length=200),
    Field("email", EM, P, max_length=320),
    Field("phone", T, P, max_length=50),
    Field("role", T, P, max_length=100),
    label="Contact",
)

REGISTRATIONS = _entity(
    "registrations", P,
    # what the rep drafts
    Field("account_id", R, P, ref="accounts"),
    Field("customer_name", T, P, required=True, max_length=200, label="Customer"),
    Field("customer_domain", DOM, P, max_length=253, label="Domain"),
    Field("contact_id", R, P, ref="contacts"),
    Field("product", T, P, required=True, max_length=200),
    Field("deal_value_cents", M, P, required=True, minimum=1, label="Deal value"),
    Field("currency", T, P, max_length=3),
    Field("expected_close_date", D, P, required=True),
    Field("notes", T, P, max_length=10000),
    Field("request_note", T, P, max_length=2000, label="Renewal/dispute note"),
    # the MDF activity (campaign) the deal came from: its pipeline and revenue make the ROI
    Field("mdf_request_id", R, P, ref="mdf_requests", label="MDF activity"),
    # what the vendor decides
    Field("status", T, V, choices=REGISTRATION_STATUSES),
    Field("registration_number", T, V, max_length=40),
    Field("review_reason", T, V, choices=REVIEW_REASONS),
    Field("decision_reason", T, V, max_length=2000),
    Field("submitted_at", DT, V),
    Field("approved_at", DT, V),
    Field("decided_at", DT, V),
    Field("protection_expires_at", DT, V),
    # how an approved deal is progressing (domain/deal_progress.py: approved ones only)
    Field("next_step", T, P, max_length=500),
    Field("last_activity", T, P, max_length=2000),
    Field("last_activity_on", D, P, label="Last activity date"),
    Field("progress_notes", T, P, max_length=10000),
    label="Deal registration",
)

# A change of an approved registration's deal value or close date, asked by the rep and decided
# by the channel manager (seed 003: renewal "with updated deal information").
REGISTRATION_AMENDMENTS = _entity(
    "registration_amendments", P,
    Field("registration_id", R, P, required=True, ref="registrations", label="Registration"),
    Field("deal_value_cents", M, P, minimum=1, label="New deal value"),
    Field("expected_close_date", D, P, label="New close date"),
    Field("note", T, P, required=True, max_length=2000),
    Field("status", T, V, choices=AMENDMENT_STATUSES),
    Field("decision_reason", T, V, max_length=2000),
    Field("decided_at", DT, V),
    label="Amendment",
)

OPPORTUNITIES = _entity(
    "opportunities", V,
    Field("name", T, V, required=True, max_length=200),
    Field("customer_name", T, V, max_length=200, label="Customer"),
    Field("customer_domain", DOM, V, max_length=253, label="Domain"),
    Field("registration_id", R, V, ref="registrations"),
    Field("stage", N, V, minimum=0, maximum=len(OPPORTUNITY_STAGES) - 1),
    Field("amount_cents", M, V),
    Field("currency", T, V, max_length=3),
    Field("opened_on", D, V),
    Field("expected_close_date", D, V),
    Field("closed_on", D, V),
    Field("outcome", T, V, choices=OPPORTUNITY_OUTCOMES),
    label="Opportunity",
)

ATTRIBUTIONS = _entity(
    "attributions", V,
    Field("opportunity_id", R, V, required=True, ref="opportunities"),
    Field("role", T, V, required=True, choices=ATTRIBUTION_ROLES),
    Field("split_percent", N, V, minimum=0, maximum=100, label="Credit split"),
    label="Attribution",
)

LEADS = _entity(
    "leads", V,
    Field("company_name", T, V, required=True, max_length=200),
    Field("company_domain", DOM, V, max_length=253, label="Domain"),
    Field("contact_name", T, V, max_length=200, label="Contact"),
    Field("contact_email", EM, V, max_length=320),
    Field("source", T, V, max_length=100),
    Field("assigned_at", DT, V),
    Field("assignment_status", T, V, choices=LEAD_ASSIGNMENT_STATUSES, label="Assignment"),
    Field("working_status", T, P, choices=LEAD_WORKING_STATUSES, label="Status"),
    Field("rejection_reason", T, P, max_length=2000),
    Field("first_contact_at", DT, P),
    Field("notes", T, P, max_length=10000),
    label="Lead",
)

CASES = _entity(
    "cases", P,
    Field("account_id", R, P, ref="accounts"),
    Field("customer_domain", DOM, P, max_length=253),
    Field("subject", T, P, required=True, max_length=300),
    Field("description", T, P, max_length=20000),
    Field("severity", T, P, choices=CASE_SEVERITIES),
    Field("escalation_requested", B, P),
    Field("status", T, V, choices=CASE_STATUSES),
    Field("case_number", T, V, max_length=40),
    label="Support case",
)

CASE_COMMENTS = _entity(
    "case_comments", P,
    Field("case_id", R, P, required=True, ref="cases"),
    Field("body", T, P, required=True, max_length=20000, label="Comment"),
    Field("author", T, P, max_length=320),
    label="Case comment",
)

LEARNING_RECORDS = _entity(
    "learning_records", V,
    Field("user_email", EM, V, max_length=320),
    Field("kind", T, V, required=True, choices=LEARNING_KINDS),
    Field("name", T, V, required=True, max_length=200),
    Field("level", T, V, choices=CERTIFICATION_LEVELS),
    Field("status", T, V, choices=LEARNING_STATUSES),
    Field("completed_at", DT, V),
    Field("expires_on", D, V),
    label="Certification/training",
)

MDF_REQUESTS = _entity(
    "mdf_requests", P,
    Field("activity_name", T, P, required=True, max_length=200),
    Field("description", T, P, max_length=10000),
    Field("requested_cents", M, P, required=True, minimum=1, label="Requested amount"),
    Field("planned_date", D, P),
    Field("claim_cents", M, P, label="Claimed amount"),
    Field("claim_evidence", T, P, max_length=2000),
    Field("start_date", D, P),
    Field("end_date", D, P),
    Field("expected_pipeline_cents", M, P, minimum=0, label="Expected pipeline"),
    Field("status", T, V, choices=MDF_STATUSES),
    Field("approved_cents", M, V, label="Approved amount"),
    Field("decision_reason", T, V, max_length=2000),
    Field("paid_on", D, V),
    label="MDF request",
)

# A file the rep attached (MDF proof of performance: invoices, photos, attendee lists). The
# record carries what identifies the bytes (SHA-256, size); the bytes travel apart, through the
# server's attachment endpoints (DESIGN §3), and `uploaded_at` says when the server had them all.
ATTACHMENTS = _entity(
    "attachments", P,
    Field("mdf_request_id", R, P, required=True, ref="mdf_requests", label="MDF request"),
    Field("filename", T, P, required=True, max_length=255, label="File name"),
    Field("media_type", T, P, max_length=100, label="File type"),
    Field("size_bytes", N, P, required=True, minimum=0, label="Size"),
    Field("sha256", T, P, required=True, max_length=64, label="SHA-256"),
    Field("uploaded_at", DT, V, label="Uploaded"),
    label="Attachment",
)

# A document the vendor publishes to the content library (price lists, decks, co-branded
# assets), visible from `tier` up (seed 000/004: Silver sees other assets than Gold). Published
# into each partner's scope whose tier sees it; the bytes travel like attachments.
CONTENT_ITEMS = _entity(
    "content_items", V,
    Field("title", T, V, required=True, max_length=200),
    Field("description", T, V, max_length=2000),
    Field("tier", T, V, choices=TIERS, label="Lowest tier"),
    Field("filename", T, V, required=True, max_length=255, label="File name"),
    Field("media_type", T, V, max_length=100, label="File type"),
    Field("size_bytes", N, V, required=True, minimum=0, label="Size"),
    Field("sha256", T, V, required=True, max_length=64, label="SHA-256"),
    Field("published_at", DT, V, label="Published"),
    label="Content",
)

COMMISSIONS = _entity(
    "commissions", V,
    Field("opportunity_id", R, V, ref="opportunities"),
    Field("amount_cents", M, V, required=True),
    Field("currency", T, V, max_length=3),
    Field("period", T, V, max_length=10),
    Field("status", T, V, choices=COMMISSION_STATUSES),
    Field("tier", T, V, choices=TIERS, label="Tier at close"),
    Field("rate_percent", T, V, max_length=10, label="Rate"),  # decimal as text, e.g. "7.5"
    Field("closed_amount_cents", M, V, label="Closed amount"),
    Field("earned_on", D, V, label="Earned"),
    Field("approved_on", D, V, label="Approved"),
    Field("paid_on", D, V, label="Paid"),
    # the rep's dispute of a line, and the vendor's answer (seed 004: "dispute a commission
    # payout — how is that ticket routed?")
    Field("dispute_reason", T, P, max_length=2000, label="Dispute reason"),
    Field("disputed_at", DT, P, label="Disputed"),
    Field("dispute_resolution", T, V, max_length=2000, label="Dispute answer"),
    Field("dispute_resolved_at", DT, V, label="Dispute resolved"),
    label="Commission",
)

ACTIVITY_EVENTS = _entity(
    "activity_events", V,
    Field("user_email", EM, V, max_length=320),
    Field("kind", T, V, required=True, choices=ACTIVITY_KINDS),
    Field("occurred_at", DT, V, required=True),
    Field("detail", T, V, max_length=2000),
    label="Activity",
)

PROGRAM_AVERAGES = _entity(
    "program_averages", V,
    Field("period", T, V, required=True, max_length=10),
    Field("metric", T, V, required=True, max_length=100),
    Field("value", T, V, max_length=100),  # decimal as text: exact, no float drift
    scope="global",
    label="Program average",
)


# The program settings a partner's desk applies (the lead first-contact SLA, the protection
# window), as the vendor's channel managers set them: one row per setting, value as text.
PROGRAM_TERMS = _entity(
    "program_terms", V,
    Field("key", T, V, required=True, max_length=100, label="Setting"),
    Field("value", T, V, max_length=100, label="Value"),
    scope="global",
    label="Program setting",
)


def stage_name(stage: int | None) -> str:
    """"Negotiation" for stage 5; "" for no stage, the number itself for one out of range."""
    if stage is None:
        return ""
    return OPPORTUNITY_STAGES[stage] if 0 <= stage < len(OPPORTUNITY_STAGES) else str(stage)


def entity(name: str) -> Entity:
    try:
        return ENTITIES[name]
    except KeyError:
        raise UnknownEntity(f"unknown record type '{name}' (known: {', '.join(ENTITIES)})") from None


class UnknownEntity(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


def owner_of(entity_name: str, field_name: str) -> Owner:
    """Who owns a field: the single answer the store, the sync code and the server all use."""
    return entity(entity_name).field(field_name).owner


def partner_editable(entity_name: str, field_name: str) -> bool:
    return owner_of(entity_name, field_name) is Owner.PARTNER
