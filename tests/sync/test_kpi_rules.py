"""KPIs that cannot be gamed (issue 13, class 4): one rule in workbench/domain, refused by the
rep's store offline at edit time and by the server on push, with the same message.

- Lead first contact (seed 001: first contact within 48 hours of assignment counts as SLA met):
  it must fall between the assignment and now (± domain.leads.CLOCK_SKEW) and, once logged,
  stays as logged; a lead is marked contacted only with its first contact time.
- Approved registration (seed 003, "submit renewal with updated deal information"): the deal
  value and expected close date the vendor approved change only through an amendment the vendor
  approves, never by a partner edit.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.server.support import new_id, op, push_one, registration
from workbench.domain.leads import CLOCK_SKEW
from workbench.domain.model import REGISTRATIONS
from workbench.domain.values import InvalidValue, format_datetime
from workbench.store import records

NOW = datetime.now(UTC)
ASSIGNED = NOW - timedelta(days=1)


def _stamp(moment: datetime) -> str:
    return format_datetime(moment)


@pytest.fixture
def lead_setup(vendor_server, partner, replicas):
    lead = vendor_server.admin.assign_lead(partner.id, "Hooli", now=ASSIGNED)
    rep = replicas(partner.token_a)
    rep.sync()
    with vendor_server.client(partner.token_b) as server:
        yield lead["id"], rep, server


def _refused_both_ways(rep, server, entity: str, record_id: str, changes: dict,
                       version: int, old: dict | None = None) -> str:
    """The store refuses the edit offline; the server refuses the same edit pushed by another
    client; both say the same. Returns the message."""
    with pytest.raises(InvalidValue) as offline, rep.store.transaction() as conn:
        records.update(conn, entity, record_id, changes)
    answer = push_one(server, op(entity, record_id, "update", changes, base_version=version,
                                 old=old))
    assert answer["status"] == "rejected", answer
    assert answer["field"] == offline.value.field
    assert answer["reason"] == str(offline.value)
    return answer["reason"]


@pytest.mark.parametrize("when,words", [
    (ASSIGNED - timedelta(days=3 * 365), "before the lead was assigned"),
    (ASSIGNED - CLOCK_SKEW - timedelta(minutes=1), "before the lead was assigned"),
    (NOW + timedelta(days=2), "in the future"),
    (NOW + timedelta(days=3650), "in the future"),
])
def test_a_first_contact_outside_assignment_to_now_is_refused(lead_setup, when, words):
    lead_id, rep, server = lead_setup
    reason = _refused_both_ways(rep, server, "leads", lead_id,
                                {"working_status": "contacted", "first_contact_at": _stamp(when)},
                                version=1, old={"working_status": "new"})
    assert reason.startswith("First contact: ") and words in reason  # the label the rep sees
    assert rep.get("leads", lead_id)["first_contact_at"] is None
    assert server.get(f"/api/v1/records/leads/{lead_id}").json()["version"] == 1


def test_a_first_contact_within_the_window_is_taken_and_then_stays(lead_setup):
    lead_id, rep, server = lead_setup
    contacted = _stamp(ASSIGNED + timedelta(hours=3))
    with rep.store.transaction() as conn:
        records.update(conn, "leads", lead_id, {"working_status": "contacted",
                                                "first_contact_at": contacted})
    assert rep.sync().rejected == []
    record = server.get(f"/api/v1/records/leads/{lead_id}").json()
    assert record["first_contact_at"] == contacted and record["working_status"] == "contacted"
    # Moved into the SLA, moved later, or cleared while the lead stays contacted: refused.
    for changed in (_stamp(ASSIGNED + timedelta(minutes=1)), _stamp(NOW), None):
        reason = _refused_both_ways(rep, server, "leads", lead_id,
                                    {"first_contact_at": changed}, version=2,
                                    old={"first_contact_at": contacted})
        assert "cannot be changed or cleared" in reason


def test_a_lead_is_marked_contacted_only_with_its_contact_time(lead_setup):
    lead_id, rep, server = lead_setup
    reason = _refused_both_ways(rep, server, "leads", lead_id, {"working_status": "contacted"},
                                version=1, old={"working_status": "new"})
    assert reason == "First contact: say when the lead was first contacted"


def test_a_contact_a_few_minutes_ahead_of_the_server_clock_is_taken(vendor_server, partner):
    """A laptop clock running a little fast does not make a just-logged contact 'future'."""
    lead = vendor_server.admin.assign_lead(partner.id, "Skewed Inc", now=ASSIGNED)
    with vendor_server.client(partner.token_a) as server:
        ahead = _stamp(datetime.now(UTC) + CLOCK_SKEW / 2)
        answer = push_one(server, op("leads", lead["id"], "update",
                                     {"working_status": "contacted", "first_contact_at": ahead},
                                     base_version=1, old={"working_status": "new"}))
    assert answer["status"] == "applied" and answer["record"]["first_contact_at"] == ahead


@pytest.fixture
def approved(vendor_server, partner, replicas):
    rep = replicas(partner.token_a)
    with rep.store.transaction() as conn:
        draft = records.create(conn, "registrations", {
            "customer_name": "Globex", "customer_domain": "globex.com", "product": "Suite",
            "deal_value_cents": 4_000_000, "expected_close_date": "2099-03-31"})
        records.perform_action(conn, "registrations", draft["id"], "submit")
    rep.sync()
    record = rep.get("registrations", draft["id"])
    assert record["status"] == "approved"  # auto-approval: no conflict
    with vendor_server.client(partner.token_b) as server:
        yield draft["id"], record, rep, server


@pytest.mark.parametrize("field,value", [("deal_value_cents", 10**15),
                                         ("deal_value_cents", 100),
                                         ("expected_close_date", "2020-01-01"),
                                         ("expected_close_date", "2099-12-31")])
def test_an_approved_registrations_deal_terms_need_an_amendment(approved, field, value):
    record_id, record, rep, server = approved
    reason = _refused_both_ways(rep, server, "registrations", record_id, {field: value},
                                version=record["version"], old={field: record[field]})
    assert reason.startswith(f"{REGISTRATIONS.title_of(field)}: ")
    assert "amendment that the vendor approves" in reason
    now = server.get(f"/api/v1/records/registrations/{record_id}").json()
    assert now[field] == record[field] and now["version"] == record["version"]


def test_an_approved_registration_still_takes_notes_and_a_renewal_cannot_smuggle_terms(approved):
    record_id, record, _rep, server = approved
    noted = push_one(server, op("registrations", record_id, "update", {"notes": "Call on Monday"},
                                base_version=record["version"]))
    assert noted["status"] == "applied"
    renewal = push_one(server, op("registrations", record_id, "action",
                                  {"deal_value_cents": 9_000_000}, base_version=noted["version"],
                                  action="renew", old={"deal_value_cents": 4_000_000}))
    assert renewal["status"] == "rejected" and renewal["field"] == "deal_value_cents"


def test_a_draft_registrations_terms_stay_editable(vendor_server, partner):
    with vendor_server.client(partner.token_a) as server:
        record_id = new_id()
        push_one(server, op("registrations", record_id, "create", registration()))
        edit = push_one(server, op("registrations", record_id, "update",
                                   {"deal_value_cents": 5_000_000,
                                    "expected_close_date": "2099-06-30"}, base_version=1,
                                   old={"deal_value_cents": 4_000_000,
                                        "expected_close_date": "2099-03-31"}))
    assert edit["status"] == "applied" and edit["record"]["deal_value_cents"] == 5_000_000
