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
