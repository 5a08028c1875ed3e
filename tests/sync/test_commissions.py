"""Commissions and payouts through the real server (issue 14, item 3): recorded at close by the
partner's tier (seed 001: "partner tier at deal close", "the commission rate applicable, and the
commission payment status"), seen by the rep offline as earned, coming and paid, and disputed
with a reason that reaches the channel manager's queue (seed 004: "dispute a commission
payout")."""

from __future__ import annotations

import pytest

from tests.sync.helpers import assert_converged


@pytest.fixture
def ann(partner, replicas):
    return replicas(partner.token_a, "ann")


def _won_deal(vendor_server, ann, name: str, value: str) -> dict:
    _, draft = ann.cli("registrations", "draft", "--name", name, "--value", value,
                       "--close-date", "2099-06-30", "--product", "Suite")
    ann.cli("registrations", "submit", draft["id"][:8])
    ann.sync()
    deal = next(d for d in ann.cli("opportunities", "list")[1]
                if d["registration_id"] == draft["id"])
    vendor_server.admin.close_opportunity(deal["id"], "won", closed_on="2026-11-20")
    return deal


def test_a_won_deal_earns_its_tier_rate_and_the_rep_sees_it_offline(vendor_server, partner,
                                                                     ann):
    _won_deal(vendor_server, ann, "Initech", "$120,000")
    ann.sync()
    _, listed = ann.cli("commissions", "list")  # from the local store: no server needed
    [line] = listed["commissions"]
    # Acme Resellers is gold: 10% of $120,000 (program setting commission_rate_gold)
    assert (line["tier"], line["rate_percent"], line["amount_cents"]) == ("gold", "10", 1_200_000)
    assert line["status"] == "earned" and line["earned_on"] == "2026-11-20"
    assert line["deal"] == "Initech — Suite" and line["period"] == "2026Q4"  # the scorecard's label
    assert listed["totals"]["USD"] == {"earned_cents": 1_200_000, "coming_cents": 0,
                                       "paid_cents": 0, "total_cents": 1_200_000}


def test_earned_coming_paid_totals_follow_the_vendor(vendor_server, partner, ann):
    first = _won_deal(vendor_server, ann, "Initech", "$100,000")
    second = _won_deal(vendor_server, ann, "Globex", "$50,000")
    third = _won_deal(vendor_server, ann, "Umbrella", "$20,000")
    by_deal = {c["opportunity_id"]: c for c in vendor_server.admin.list_commissions()}
    vendor_server.admin.move_commission(by_deal[second["id"]]["id"], "approve")
    vendor_server.admin.move_commission(by_deal[third["id"]]["id"], "approve")
    vendor_server.admin.move_commission(by_deal[third["id"]]["id"], "pay", on="2026-11-28")
    with pytest.raises(vendor_server.admin.AdminError, match="cannot pay a commission that is "
                                                             "earned"):
        vendor_server.admin.move_commission(by_deal[first["id"]]["id"], "pay")
    ann.sync()
    _, listed = ann.cli("commissions", "list")
    assert listed["totals"]["USD"] == {"earned_cents": 1_000_000, "coming_cents": 500_000,
                                       "paid_cents": 200_000, "total_cents": 1_700_000}
    paid = next(c for c in listed["commissions"] if c["opportunity_id"] == third["id"])
    assert paid["paid_on"] == "2026-11-28" and paid["shown_status"] == "paid"
    assert_converged(vendor_server.engine, partner.id, ann)


def test_a_commission_recorded_by_hand_uses_the_rate_given(vendor_server, ann):
    deal = _won_deal(vendor_server, ann, "Initech", "$100,000")
    with pytest.raises(vendor_server.admin.AdminError, match="already has its commission"):
        vendor_server.admin.add_commission(deal["id"])
    [auto] = vendor_server.admin.list_commissions()
    vendor_server.admin.delete_record("commissions", auto["id"])
    line = vendor_server.admin.add_commission(deal["id"], rate_percent="7.5")
    assert line["amount_cents"] == 750_000 and line["rate_percent"] == "7.5"


def test_a_dispute_reaches_the_console_queue_and_its_answer_comes_back(vendor_server, ann):
    _won_deal(vendor_server, ann, "Initech", "$120,000")
    ann.sync()
    [line] = ann.cli("commissions", "list")[1]["commissions"]
    code, error = ann.cli("commissions", "dispute", line["id"][:8], expect=2)
    assert error["error"]["message"].startswith("Dispute reason: enter a reason")
    assert not [op for op in ann.outbox_rows() if op["entity"] == "commissions"]
    _, disputed = ann.cli("commissions", "dispute", line["id"][:8], "--reason",
                          "The deal was $140,000 after the upsell")
    assert disputed["dispute_open"] and disputed["shown_status"] == "earned, disputed"
    ann.sync()
    [queued] = vendor_server.admin.list_commissions(disputed=True)
    assert queued["dispute_reason"] == "The deal was $140,000 after the upsell"
    assert queued["deal"] == "Initech — Suite" and queued["partner_name"] == "Acme Resellers"
    vendor_server.admin.resolve_dispute(queued["id"], "Corrected to the invoiced amount",
                                        amount_cents=1_400_000)
    assert vendor_server.admin.list_commissions(disputed=True) == []
    ann.sync()
    _, shown = ann.cli("commissions", "show", line["id"][:8])
    assert shown["amount_cents"] == 1_400_000 and not shown["dispute_open"]
    assert shown["dispute_resolution"] == "Corrected to the invoiced amount"


def test_the_server_refuses_a_dispute_without_a_reason(vendor_server, partner, ann):
    """A client that skipped the local check still cannot file an empty dispute."""
    from tests.server.support import push
    from workbench.sync.protocol import Operation

    _won_deal(vendor_server, ann, "Initech", "$120,000")
    [line] = vendor_server.admin.list_commissions()
    with vendor_server.client(partner.token_a) as http:
        [result] = push(http, Operation(
            op_id="00000000-0000-4000-8000-000000000001", entity="commissions",
            record_id=line["id"], kind="update",
            fields={"disputed_at": {"old": None, "new": "2026-11-30T10:00:00.000000Z"}},
            base_version=line["version"]).to_wire())
    assert result["status"] == "rejected" and "Dispute reason: enter a reason" in result["reason"]


def test_admin_cli_add_commission_pay_and_the_dispute_queue(vendor_server, ann):
    import json
    import subprocess
    import sys

    def admin_cli(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "workbench.server.cli", "admin", "--db",
                               vendor_server.db_url, *argv], capture_output=True, text=True,
                              timeout=120)

    from workbench.server import program_settings
    program_settings.change(vendor_server.engine, {"commission_at_close": False})
    deal = _won_deal(vendor_server, ann, "Initech", "$120,000")
    assert vendor_server.admin.list_commissions() == []  # nothing automatic when switched off
    made = admin_cli("add-commission", deal["id"], "--json")
    assert made.returncode == 0, made.stderr
    line = json.loads(made.stdout)
    assert (line["rate_percent"], line["amount_cents"], line["status"]) == ("10", 1_200_000,
                                                                           "earned")
    again = admin_cli("add-commission", deal["id"])
    assert again.returncode != 0 and "already has its commission" in again.stderr
    early = admin_cli("pay-commission", line["id"])
    assert early.returncode != 0 and "cannot pay a commission that is earned" in early.stderr
    assert admin_cli("approve-commission", line["id"]).returncode == 0
    paid = json.loads(admin_cli("pay-commission", line["id"], "--on", "2026-12-15",
                                "--json").stdout)
    assert paid["status"] == "paid" and paid["paid_on"] == "2026-12-15"
    ann.sync()
    ann.cli("commissions", "dispute", line["id"][:8], "--reason", "Missing the upsell")
    ann.sync()
    queue = json.loads(admin_cli("list-commissions", "--disputed", "--json").stdout)
    assert [q["dispute_reason"] for q in queue] == ["Missing the upsell"]
