"""The MDF request lifecycle (domain/mdf.py): one state machine for the workbench and the server."""

import pytest

from workbench.domain import mdf
from workbench.domain.errors import IllegalTransition, InvalidValue
from workbench.domain.model import MDF_STATUSES


def test_every_status_has_its_moves_and_paid_is_final():
    assert set(mdf.TRANSITIONS) == set(MDF_STATUSES)
    assert mdf.next_status("draft", "submit") == "submitted"
    assert mdf.next_status("rejected", "submit") == "submitted"  # improve and send again
    assert mdf.next_status("submitted", "approve") == "approved"
    assert mdf.next_status("submitted", "reject") == "rejected"
    assert mdf.next_status("approved", "claim") == "claimed"
    assert mdf.next_status("claimed", "pay") == "paid"
    assert mdf.allowed_actions("paid") == ()


def test_an_illegal_move_says_what_the_actor_may_do_now():
    with pytest.raises(IllegalTransition) as error:
        mdf.next_status("submitted", "claim")
    assert "cannot claim an MDF request that is submitted" in str(error.value)
    assert error.value.allowed == ()  # the partner waits for the vendor's decision
    with pytest.raises(IllegalTransition, match="allowed now: submit"):
        mdf.next_status("draft", "claim")
    with pytest.raises(IllegalTransition, match="unknown MDF action"):
        mdf.next_status("draft", "spend")


def test_a_claim_needs_the_claimed_amount_named_by_its_label():
    with pytest.raises(InvalidValue) as error:
        mdf.check_action({"status": "approved", "claim_cents": None}, "claim")
    assert error.value.field == "claim_cents"
    assert str(error.value).startswith("Claimed amount: ")
    assert mdf.check_action({"status": "approved", "claim_cents": 39_000}, "claim") == "claimed"


def test_a_claim_may_not_exceed_the_approved_budget():
    record = {"status": "approved", "approved_cents": 400_000, "claim_cents": 400_001}
    with pytest.raises(InvalidValue) as error:
        mdf.check_action(record, "claim")
    assert str(error.value) == ("Claimed amount: $4,000.01 is more than the approved budget of "
                                "$4,000")
    assert mdf.check_action({**record, "claim_cents": 400_000}, "claim") == "claimed"


def test_an_activity_ends_on_or_after_its_start():
    with pytest.raises(InvalidValue, match="^End date: 2027-01-01 is before the start date"):
        mdf.check_request({"start_date": "2027-01-02", "end_date": "2027-01-01"})
    mdf.check_request({"start_date": "2027-01-02", "end_date": "2027-01-02"})


def test_campaign_roi_follows_the_seed_003_program_roi_formula():
    # seed 003 §4: ROI = (partner revenue − program costs) / program costs × 100; the seed's
    # example: ($2M revenue − $400K costs) / $400K = 400%. Here: one MDF activity that cost $4,000
    # (claimed and paid) sourced a won deal of $20,000 and an open one of $30,000.
    request = {"id": "m1", "status": "paid", "approved_cents": 400_000, "claim_cents": 400_000}
    regs = [{"id": "r1", "mdf_request_id": "m1", "status": "won", "deal_value_cents": 2_000_000},
            {"id": "r2", "mdf_request_id": "m1", "status": "approved",
             "deal_value_cents": 3_000_000},
            {"id": "r3", "mdf_request_id": "m1", "status": "submitted",
             "deal_value_cents": 500_000},
            {"id": "r4", "mdf_request_id": "other", "status": "approved",
             "deal_value_cents": 9_000_000}]
    opps = [{"registration_id": "r1", "outcome": "won", "amount_cents": 2_000_000},
            {"registration_id": "r2", "outcome": "open", "amount_cents": 3_000_000},
            {"registration_id": "r4", "outcome": "won", "amount_cents": 9_000_000}]
    result = mdf.campaign_result(request, regs, opps)
    assert result.revenue_cents == 2_000_000
    assert result.pipeline_cents == 3_500_000  # the open opportunity + a registration without one
    assert result.cost_cents == 400_000
    assert str(result.roi_percent) == "400.00"  # (20,000 − 4,000) / 4,000 × 100
    assert mdf.campaign_result({"id": "m2", "status": "submitted"}, regs, opps).roi_percent is None


def test_the_request_is_fixed_once_sent_and_the_claim_only_moves_with_the_claim():
    from workbench.domain.records import check_partner_edit
    approved = {"status": "approved", "approved_cents": 400_000}
    with pytest.raises(InvalidValue, match="^Requested amount: cannot change once the request "
                                           "is approved"):
        check_partner_edit("mdf_requests", approved, {"requested_cents": 900_000})
    check_partner_edit("mdf_requests", approved, {"claim_cents": 300_000})  # the claim itself
    with pytest.raises(InvalidValue, match="^Claimed amount: can be set only when claiming"):
        check_partner_edit("mdf_requests", {**approved, "status": "claimed"},
                           {"claim_cents": 900_000})
    check_partner_edit("mdf_requests", {"status": "rejected"}, {"requested_cents": 200_000})
    with pytest.raises(InvalidValue, match="more than the approved budget"):
        mdf.check_request({**approved, "claim_cents": 400_001})
