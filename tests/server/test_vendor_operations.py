"""Vendor operations behind the console and the admin CLI: conflict credit, the case queue,
program averages (issue 11; issue 13 item 5) and the audit trail of every vendor action."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.server.support import create_registration, latest, pull_all
from workbench.server import audit
from workbench.server.admin import AdminError
from workbench.server.schema import audit_log


@pytest.fixture
def alpha(vendor_server):
    partner = vendor_server.create_partner("Alpha Partners")
    with vendor_server.client(vendor_server.create_user(partner, "rep@alpha.example")) as client:
        yield partner, client


def _direct(vendor_server, tmp_path, domain: str, stage: int, days_ago: int) -> None:
    opened = (datetime.now(UTC) - timedelta(days=days_ago)).date().isoformat()
    pipeline = tmp_path / "pipeline.csv"
    pipeline.write_text("name,customer_name,customer_domain,stage,opened_on,owner\n"
                        f"Direct deal,{domain},{domain},{stage},{opened},dana@vendor.example\n")
    vendor_server.admin.load_opportunities(pipeline)


def _credit(changes, partner_id):
    return [c["record"] for c in changes
            if c["entity"] == "attributions" and c["record"]["partner_id"] == partner_id]


def test_co_sell_records_a_split_not_100_percent_sourced(alpha, vendor_server, tmp_path):
    """Seed 003 edge case 3: within 7 days → mediate, default co-sell with split credit."""
    _partner, client = alpha
    _direct(vendor_server, tmp_path, "hooli.com", stage=1, days_ago=2)
    record = create_registration(client, customer_name="Hooli", customer_domain="hooli.com"
                                 )["record"]
    assert record["status"] == "pending_review"
    resolved = vendor_server.admin.resolve_conflict(record["id"], "co-sell")
    assert resolved["registration"]["status"] == "approved"
    changes, _ = pull_all(client)
    [credit] = [c for c in latest(changes).values() if c["entity"] == "attributions"]
    assert credit["record"]["role"] == "sourced" and credit["record"]["split_percent"] == 50
    assert "50%" in latest(changes)[("registrations", record["id"])]["record"]["decision_reason"]
    assert "dana" not in json.dumps(changes)


def test_co_sell_share_can_be_chosen_and_bad_shares_are_refused(alpha, vendor_server, tmp_path):
    partner, client = alpha
    _direct(vendor_server, tmp_path, "hooli.com", stage=1, days_ago=2)
    record = create_registration(client, customer_name="Hooli", customer_domain="hooli.com"
                                 )["record"]
    with pytest.raises(AdminError, match="share") as error:
        vendor_server.admin.resolve_conflict(record["id"], "co-sell", share_percent="150")
    assert error.value.field == "share_percent"
    assert vendor_server.admin.get_record("registrations", record["id"])["status"] == \
        "pending_review"  # nothing half-written
    vendor_server.admin.resolve_conflict(record["id"], "co-sell", share_percent="30%")
    [credit] = _credit(pull_all(client)[0], partner)
    assert credit["split_percent"] == 30


def test_direct_wins_records_the_partner_as_influenced(alpha, vendor_server, tmp_path):
    """Seed 003 edge case 3: direct at stage 2+ before registration → direct wins, the partner
    gets influenced credit — recorded, not only said."""
    partner, client = alpha
    _direct(vendor_server, tmp_path, "initech.com", stage=3, days_ago=30)
    record = create_registration(client, customer_name="Initech", customer_domain="initech.com"
                                 )["record"]
    vendor_server.admin.resolve_conflict(record["id"], "direct")
    changes, _ = pull_all(client)
    newest = latest(changes)
    assert newest[("registrations", record["id"])]["record"]["status"] == "rejected"
    [credit] = _credit(changes, partner)
    assert credit["role"] == "influenced"
    deal = newest[("opportunities", credit["opportunity_id"])]["record"]
    assert deal["stage"] == 3 and deal["amount_cents"] == 4_000_000
    assert deal["registration_id"] == record["id"]
    assert "dana" not in json.dumps(changes)


def test_co_sell_and_direct_need_a_direct_opportunity(vendor_server):
    a, b = vendor_server.create_partner("Alpha"), vendor_server.create_partner("Bravo")
    with vendor_server.client(vendor_server.create_user(a, "a@alpha.example")) as first, \
            vendor_server.client(vendor_server.create_user(b, "b@bravo.example")) as second:
        create_registration(first, customer_name="Globex", customer_domain="globex.com")
        late = create_registration(second, customer_name="Globex", customer_domain="globex.com")
    with pytest.raises(AdminError, match="matches no direct opportunity"):
        vendor_server.admin.resolve_conflict(late["record"]["id"], "co-sell")
    details = vendor_server.admin.conflict_details(late["record"]["id"])
    [match] = details["matches"]
    assert match["partner_name"] == "Alpha" and "same domain" in " ".join(match["reasons"])
    assert details["suggestion"]["outcome"] == "reject"


def test_a_case_for_an_unknown_customer_waits_in_the_vendor_queue(alpha, vendor_server):
    partner, client = alpha
    queued = vendor_server.admin.open_case("https://www.nobody.example/", "Cannot log in",
                                           severity="high")
    assert queued["queue"] == "vendor" and queued["case_number"].startswith("CS-")
    listed = vendor_server.admin.list_cases()
    assert [c["queue"] for c in listed] == ["vendor"]
    routed = vendor_server.admin.route_queued_case(queued["id"], partner)
    assert routed["partner_id"] == partner and routed["case_number"] == queued["case_number"]
    pulled = [c["record"] for c in pull_all(client)[0] if c["entity"] == "cases"]
    assert pulled[0]["subject"] == "Cannot log in" and pulled[0]["severity"] == "high"
    assert [c["queue"] for c in vendor_server.admin.list_cases()] == ["partner"]
    with pytest.raises(AdminError, match="already routed"):
        vendor_server.admin.route_queued_case(queued["id"], partner)


def _partner_with_won_deal(vendor_server, name: str, amount: str, closed_on: str) -> str:
    partner = vendor_server.create_partner(name)
    with vendor_server.client(vendor_server.create_user(
            partner, f"rep@{name.lower()}.example")) as client:
        create_registration(client, customer_name=f"{name} Customer",
                            customer_domain=f"{name.lower()}-customer.com")
        deal = next(c for c in pull_all(client)[0] if c["entity"] == "opportunities")
    vendor_server.admin.close_opportunity(deal["record"]["id"], "won", amount_cents=amount,
                                          closed_on=closed_on)
    return partner


def test_averages_are_withheld_below_three_partners_and_use_the_scorecard_label(vendor_server):
    """Issue 13 item 5: one partner's won deal must not be published as the average."""
    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    _partner_with_won_deal(vendor_server, "Alpha", "$40,000", "2026-11-20")
    alone = vendor_server.admin.publish_averages(now=now)
    assert alone["avg_deal_size_cents"] is None and alone["close_rate_percent"] is None
    with vendor_server.engine.connect() as conn:
        published = conn.execute(sa.text("SELECT metric, period, value FROM program_averages "
                                         "WHERE value IS NOT NULL")).all()
    assert all(row.metric == "registrations_per_partner" or row.value is None
               for row in published)
    _partner_with_won_deal(vendor_server, "Bravo", "$60,000", "2026-11-21")
    _partner_with_won_deal(vendor_server, "Charlie", "$80,000", "2026-11-22")
    three = vendor_server.admin.publish_averages(now=now)
    assert three["avg_deal_size_cents"] == "6000000"  # ($40k + $60k + $80k) / 3
    assert three["close_rate_percent"] == "100.0"
    with vendor_server.engine.connect() as conn:
        periods = set(conn.execute(sa.text("SELECT period FROM program_averages")).scalars())
    assert periods == {"2026Q4"}  # the scorecard's label, not 2026-Q4


def test_every_vendor_action_is_audited_with_who_and_before_after(alpha, vendor_server):
    partner, _client = alpha
    server = vendor_server
    with audit.acting_as("jane@vendor.example"):
        server.admin.update_record("partners", partner, tier="gold")
    with server.engine.connect() as conn:
        entry = conn.execute(sa.select(audit_log).where(
            audit_log.c.entity == "partners", audit_log.c.action == "edit record")
        ).mappings().one()
    assert entry["actor"] == "jane@vendor.example" and entry["partner_id"] == partner
    assert json.loads(entry["before_json"]) == {"tier": None}
    assert json.loads(entry["after_json"]) == {"tier": "gold"}
    assert entry["summary"] == "partner Alpha Partners: tier — → gold"
