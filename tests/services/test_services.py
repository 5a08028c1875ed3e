"""Each desktop use case once, at the service level, on a real SQLite store (issue 12 item 8).

What the command line and the window do for a write is one of these calls; tests/services/
test_parity.py shows both front ends store the same records for the same input.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from workbench.domain.errors import IllegalTransition, InvalidValue
from workbench.domain.values import format_datetime, parse_datetime
from workbench.services import accounts, cases, conflicts, leads, registrations
from workbench.services.changes import Changes
from workbench.services.registrations import Deal
from workbench.store import records
from workbench.store.schema import outbox
from workbench.ui.sample_data import fill_sample

FUTURE = (date.today() + timedelta(days=90)).isoformat()


def _get(store, entity, record_id):
    with store.reading() as conn:
        return records.get(conn, entity, record_id)


def _queued(store):
    with store.reading() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(outbox)).scalar_one()


def test_add_and_edit_an_account_say_what_they_touched(store):
    added = accounts.add_account(store, {"name": "Globex", "domain": "https://www.Globex.com/"})
    assert added.result["domain"] == "globex.com"
    assert added.changes == Changes.edited(("accounts", added.result["id"]))
    edited = accounts.edit_account(store, added.result["id"][:8], {"industry": "Energy"})
    assert edited.result["industry"] == "Energy" and edited.changes.ids("accounts") == {
        added.result["id"]}
    contact = accounts.add_contact(store, added.result["id"], {"name": "Lena Ek"})
    assert contact.changes.touches(["contacts"]) and not contact.changes.touches(["accounts"])


def test_register_deal_links_the_exact_account_and_keeps_the_typed_domain(store):
    """Issue 12: the command line dropped the --domain the rep typed for the account's."""
    account = accounts.add_account(store, {"name": "ACME Corp.", "domain": "acme.com"}).result
    done = registrations.register_deal(store, Deal(
        customer_name="acme corporation", customer_domain="emea.acme.com", deal_value="$40,000",
        expected_close_date=FUTURE, product="Suite"))
    registration = done.result.registration
    assert registration["account_id"] == account["id"] and done.result.created_account is None
    assert registration["customer_name"] == "ACME Corp."  # the account's name
    assert registration["customer_domain"] == "emea.acme.com"  # what the rep typed
    assert registration["deal_value_cents"] == 4_000_000 and registration["status"] == "draft"
    assert done.changes.ids("registrations") == {registration["id"]}


def test_register_deal_creates_the_account_and_can_submit_at_once(store):
    done = registrations.register_deal(store, Deal(
        customer_name="Initech", customer_domain="initech.com", deal_value=900_000,
        expected_close_date=FUTURE, product="Suite"), submit=True, check=True)
    created = done.result.created_account
    assert created and created["domain"] == "initech.com"
    assert done.result.registration["status"] == "submitted"
    assert done.changes.ids("accounts") == {created["id"]}
    assert done.result.possible_duplicates == []  # its own account is not a duplicate


def test_a_bad_deal_leaves_nothing_behind_and_names_the_field(store):
    with pytest.raises(InvalidValue) as error:
        registrations.register_deal(store, Deal(customer_name="Hooli", deal_value="forty",
                                                expected_close_date=FUTURE, product="Suite"))
    assert error.value.field == "deal_value_cents" and str(error.value).startswith("Deal value:")
    with store.reading() as conn:
        assert records.list_records(conn, "accounts") == []  # the account was not kept either
    assert _queued(store) == 0


def test_registration_actions_follow_the_state_machine(store):
    draft = registrations.register_deal(store, Deal(
        customer_name="Umbrella", deal_value="9000", expected_close_date=FUTURE,
        product="Suite")).result.registration
    submitted = registrations.registration_action(store, draft["id"], "submit")
    assert submitted.result["status"] == "submitted"
    with pytest.raises(IllegalTransition, match="allowed now: withdraw"):
        registrations.registration_action(store, draft["id"], "dispute", "please")
    assert registrations.registration_action(store, draft["id"], "withdraw").result[
        "status"] == "withdrawn"


def test_lead_moves_keep_the_first_contact_time(store):
    sample = fill_sample(store)
    lead_id = sample["lead_new"]
    accepted = leads.accept_lead(store, lead_id).result
    assert accepted["working_status"] == "accepted"
    # a contact between the assignment and now (issue 13: one that cannot be gamed)
    called = parse_datetime(accepted["assigned_at"]) + timedelta(minutes=30)
    first = leads.log_first_contact(store, lead_id, when=format_datetime(called),
                                    note="called the CIO").result
    assert first["first_contact_at"] == format_datetime(called)
    again = leads.log_first_contact(store, lead_id, note="sent the deck").result
    assert again["first_contact_at"] == first["first_contact_at"]  # the first one stays
    assert again["notes"] == "called the CIO\nsent the deck"


def test_a_rejection_needs_its_reason(store):
    sample = fill_sample(store)
    with pytest.raises(InvalidValue) as error:
        leads.reject_lead(store, sample["lead_new"], "   ")
    assert error.value.field == "rejection_reason"
    assert str(error.value).startswith("Rejection reason: say why")
    done = leads.reject_lead(store, sample["lead_new"], "outside our territory")
    assert done.result["working_status"] == "rejected"


def test_cases_open_comment_escalate(store):
    sample = fill_sample(store)
    account = _get(store, "accounts", sample["account"])
    case = cases.open_case(store, account["id"], "Licence key rejected", severity="high").result
    assert case["customer_domain"] == account["domain"] and case["status"] == "new"
    comment = cases.comment_case(store, case["id"], "Customer sent logs")
    assert comment.result["author"] == "sam.rep@brightline.example"
    escalated = cases.request_escalation(store, case["id"], "customer is down")
    assert escalated.result["escalation_requested"] is True
    assert len(escalated.changes.ids("case_comments")) == 1


def test_conflicts_are_resolved_one_or_several_at_a_time(store):
    sample = fill_sample(store)
    with pytest.raises(InvalidValue, match="this conflict is about notes"):
        conflicts.resolve_conflict(store, sample["conflict"], field="industry", value="x")
    done = conflicts.resolve_conflict(store, sample["conflict"], field="notes",
                                      value="Renewal in Q4; Lena agrees")
    assert done.result["resolution"] == "edited" and done.changes.conflicts
    assert done.changes.outbox  # the decision syncs like any edit
    account = _get(store, "accounts", done.result["record_id"])
    assert account["notes"] == "Renewal in Q4; Lena agrees"


def test_import_accounts_reports_what_it_created(store, tmp_path):
    path = tmp_path / "crm.csv"
    path.write_text("Company name,Company Domain Name\nMüller GmbH,mueller.de\n", encoding="utf-8")
    dry = accounts.import_accounts(store, path, dry_run=True)
    assert dry.result.valid_rows == 1 and not dry.changes
    done = accounts.import_accounts(store, path)
    assert done.changes.ids("accounts") == set(done.result.created) and len(done.result.created) == 1
