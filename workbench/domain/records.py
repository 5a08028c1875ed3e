"""Record-level rules shared by the workbench and the server: defaults and cross-field checks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from workbench.domain import attachments, mdf
from workbench.domain.commissions import check_dispute_edit
from workbench.domain.deal_progress import check_amendment_values
from workbench.domain.leads import check_lead_edit
from workbench.domain.model import REGISTRATION_AMENDMENTS, REGISTRATIONS
from workbench.domain.registration import check_progress_edit
from workbench.domain.values import utc_now

# Values a new record starts with when the creator gave none.
DEFAULTS: dict[str, dict[str, Any]] = {
    "registrations": {"status": "draft", "currency": "USD"},
    "cases": {"status": "new", "severity": "normal", "escalation_requested": False},
    "mdf_requests": {"status": mdf.INITIAL_STATUS},
    "leads": {"working_status": "new", "assignment_status": "assigned"},
    "opportunities": {"stage": 0, "outcome": "open", "currency": "USD"},
    "registration_amendments": {"status": "pending"},
    "commissions": {"status": "earned", "currency": "USD"},
}


def with_defaults(entity_name: str, values: dict[str, Any]) -> dict[str, Any]:
    merged = dict(DEFAULTS.get(entity_name, {}))
    merged.update({k: v for k, v in values.items() if v is not None})
    return merged


def check_record(entity_name: str, record: dict[str, Any], today: date | None = None) -> None:
    """Cross-field rules a single field's type cannot express. Raises InvalidValue."""
    checker = _CHECKS.get(entity_name)
    if checker:
        checker(record, today or date.today())


def _check_registration(record: dict[str, Any], today: date) -> None:
    # The deal value's bounds are declared on the field (model.py); these rules span fields.
    currency = record.get("currency")
    if currency and (len(currency) != 3 or not currency.isalpha()):
        raise REGISTRATIONS.invalid("currency", f"expected a 3-letter ISO code such as USD, "
                                                f"got {currency!r}")
    if not (record.get("customer_domain") or record.get("account_id") or record.get("customer_name")):
        raise REGISTRATIONS.invalid("customer_name", "a registration needs the customer")


def check_submittable(record: dict[str, Any], today: date) -> None:
    """A registration may be sent to the vendor only with a close date still ahead."""
    close = record.get("expected_close_date")
    if close and date.fromisoformat(close) < today:
        raise REGISTRATIONS.invalid("expected_close_date", f"{close} is in the past; set the date "
                                                           "the deal is now expected to close")


def _check_mdf(record: dict[str, Any], _today: date) -> None:
    mdf.check_request(record)


def _check_attachment(record: dict[str, Any], _today: date) -> None:
    attachments.check_attachment(record)


_CHECKS = {"registrations": _check_registration, "mdf_requests": _check_mdf,
           "attachments": _check_attachment,
           "registration_amendments": check_amendment_values}


# Who the customer is decides the conflict check; once the vendor has seen the registration, the
# customer cannot change (else an approved registration could be re-pointed at another company).
REGISTRATION_IDENTITY_FIELDS = ("account_id", "customer_name", "customer_domain")


# The deal terms the vendor approved (seed 003: protection is granted for this deal). After
# approval they change only through an amendment the vendor approves, never by a partner edit —
# else an approved registration's value could be raised to 10^15 or its close date moved.
REGISTRATION_DEAL_TERMS = {"deal_value_cents": "deal value",
                           "expected_close_date": "expected close date"}
APPROVED_STATUSES = ("approved", "won", "lost", "expired")


def check_partner_edit(entity_name: str, current: dict[str, Any], changes: Mapping[str, Any],
                       now: datetime | None = None) -> None:
    """Partner edits the record's state forbids, as InvalidValue naming the field.
    `now`: the time of the edit (default: this computer's clock)."""
    if entity_name == "leads":
        check_lead_edit(current, changes, now)
    if entity_name == "commissions":
        check_dispute_edit(current, changes)
    if entity_name == "registration_amendments" and current.get("status") not in (None,
                                                                                 "pending"):
        raise REGISTRATION_AMENDMENTS.invalid(next(iter(changes), "note"),
                                              f"the amendment was {current['status']}; ask for "
                                              "a new one instead")
    if entity_name == "attachments":
        attachments.check_attachment_edit(changes)
    if entity_name == "mdf_requests":
        mdf.check_edit(current, changes)
    if entity_name != "registrations":
        return
    check_progress_edit(current, changes, now or utc_now())
    if current.get("status") in (None, "draft"):
        return
    for name in changes:
        if name in REGISTRATION_IDENTITY_FIELDS:
            raise REGISTRATIONS.invalid(name, f"cannot change once the registration is "
                                              f"{str(current['status']).replace('_', ' ')}; "
                                              "withdraw it and register the right customer")
        if name in REGISTRATION_DEAL_TERMS and current.get("status") in APPROVED_STATUSES:
            raise REGISTRATIONS.invalid(name, f"the {REGISTRATION_DEAL_TERMS[name]} was approved "
                                              "by the vendor and cannot be edited; changing it "
                                              "needs an amendment that the vendor approves")


def check_partner_delete(entity_name: str, current: dict[str, Any]) -> None:
    """Only a draft registration may be deleted; a submitted one is withdrawn instead."""
    if entity_name == "registrations" and current.get("status") not in (None, "draft"):
        raise REGISTRATIONS.invalid("status", f"only a draft registration can be deleted; this "
                                              f"one is {str(current['status']).replace('_', ' ')} "
                                              "(withdraw it instead)")
