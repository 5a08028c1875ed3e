"""Registration lifecycle and protection window — seed 003 §1 and §5, seed 001, DESIGN §4."""

from datetime import UTC, datetime, timedelta

import pytest

from workbench.domain import model
from workbench.domain.registration import (
    PARTNER_ACTIONS, PROTECTION_DAYS, VENDOR_ACTIONS, WARNING_DAY, IllegalTransition, Protection,
    RegistrationStatus, actor_of, allowed_actions, can_renew, lapsed_status, next_status,
    protection, protection_expires_at, review_reason_for)

APPROVED_AT = datetime(2026, 1, 1, 9, 30, tzinfo=UTC)


def day(n: float) -> datetime:
    return APPROVED_AT + timedelta(days=n)


def test_statuses_are_the_model_statuses():
    assert tuple(RegistrationStatus) == model.REGISTRATION_STATUSES
    assert RegistrationStatus.PENDING_REVIEW == "pending_review"


@pytest.mark.parametrize("current, action, expected", [
    ("draft", "submit", "submitted"),
    ("submitted", "approve", "approved"),  # seed 003: clean registration auto-approved
    ("submitted", "send_to_review", "pending_review"),  # seed 003: conflict → manual review
    ("submitted", "reject", "rejected"),
    ("pending_review", "approve", "approved"),
    ("pending_review", "reject", "rejected"),
    ("approved", "mark_won", "won"),
    ("approved", "mark_lost", "lost"),
    ("approved", "expire", "expired"),
    ("approved", "renew", "pending_review"),
    ("expired", "renew", "pending_review"),  # seed 003: option to submit renewal
    ("rejected", "dispute", "pending_review"),  # DESIGN §4: dispute a rejection
    ("draft", "withdraw", "withdrawn"),
    ("submitted", "withdraw", "withdrawn"),
    ("pending_review", "withdraw", "withdrawn"),
    ("approved", "withdraw", "withdrawn"),
])
def test_design_4_lifecycle_moves(current, action, expected):
    assert next_status(current, action) == expected
    assert isinstance(next_status(current, action), RegistrationStatus)


def test_illegal_action_says_what_is_allowed_instead():
    with pytest.raises(IllegalTransition) as caught:
        next_status("draft", "renew")
    assert str(caught.value) == "cannot renew a registration that is draft; allowed now: submit, withdraw"
    assert caught.value.allowed == ("submit", "withdraw")
    assert isinstance(caught.value, ValueError)


def test_illegal_action_on_a_final_status_says_it_is_final():
    with pytest.raises(IllegalTransition, match="cannot withdraw a registration that is won; "
                                                 "allowed now: nothing \\(won is final\\)"):
        next_status("won", "withdraw")


def test_illegal_message_reads_as_english_for_multi_word_states_and_actions():
    with pytest.raises(IllegalTransition, match="cannot mark as won a registration that is "
                                                 "pending review; allowed now: approve, reject"):
        next_status("pending_review", "mark_won")


def test_illegal_message_lists_only_what_the_actors_own_side_may_do():
    with pytest.raises(IllegalTransition, match="cannot dispute a registration that is submitted; "
                                                 "allowed now: withdraw$"):
        next_status("submitted", "dispute")  # a partner is not told to "approve"
    with pytest.raises(IllegalTransition, match="cannot approve a registration that is draft; "
                                                 "allowed now: nothing until the partner acts"):
        next_status("draft", "approve")
    with pytest.raises(IllegalTransition, match="cannot submit a registration that is rejected; "
                                                 "allowed now: dispute"):
        next_status("rejected", "submit")


@pytest.mark.parametrize("status", ["won", "lost", "withdrawn"])
def test_final_states_allow_nothing(status):
    assert allowed_actions(status) == ()
    for action in PARTNER_ACTIONS + VENDOR_ACTIONS:
        with pytest.raises(IllegalTransition):
            next_status(status, action)


def test_rejection_is_final_unless_disputed():
    assert allowed_actions("rejected") == ("dispute",)


def test_unknown_action_and_status_are_clear_errors():
    with pytest.raises(IllegalTransition, match="unknown registration action 'launch'"):
        next_status("draft", "launch")
    with pytest.raises(IllegalTransition, match="unknown registration status 'open'"):
        next_status("open", "submit")


def test_actions_are_split_between_partner_and_vendor():
    assert PARTNER_ACTIONS == ("submit", "withdraw", "renew", "dispute")
    assert VENDOR_ACTIONS == ("approve", "reject", "send_to_review", "mark_won", "mark_lost", "expire")
    assert actor_of("renew") == "partner" and actor_of("approve") == "vendor"
    assert allowed_actions("submitted", "partner") == ("withdraw",)
    assert allowed_actions("submitted", "vendor") == ("approve", "send_to_review", "reject")


def test_review_reasons_for_renewal_and_dispute():
    assert review_reason_for("renew") == "renewal"
    assert review_reason_for("dispute") == "dispute"
    assert review_reason_for("submit") is None
    assert review_reason_for("send_to_review") is None  # the vendor supplies conflict/manual
    assert {"renewal", "dispute"} <= set(model.REVIEW_REASONS)


def test_seed_003_protection_window_is_90_days_with_warning_at_75():
    assert (PROTECTION_DAYS, WARNING_DAY) == (90, 75)
    assert protection_expires_at(APPROVED_AT) == datetime(2026, 4, 1, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize("elapsed, expected", [
    (0, Protection(0, 90, day(90), warning=False, lapsed=False)),
    (0.5, Protection(0, 90, day(90), warning=False, lapsed=False)),
    (74.99, Protection(74, 16, day(90), warning=False, lapsed=False)),
    (75, Protection(75, 15, day(90), warning=True, lapsed=False)),  # seed 003: notified at 75 days
    (89.5, Protection(89, 1, day(90), warning=True, lapsed=False)),
    (90, Protection(90, 0, day(90), warning=False, lapsed=True)),  # window is [approval, +90d)
    (120, Protection(120, 0, day(90), warning=False, lapsed=True)),
])
def test_seed_003_protection_state_over_the_window(elapsed, expected):
    assert protection(APPROVED_AT, day(elapsed)) == expected


def test_protection_with_a_clock_behind_approval_counts_as_day_zero():
    assert protection(APPROVED_AT, APPROVED_AT - timedelta(hours=2)).days_left == 90


def test_protection_accepts_other_timezones_and_answers_in_utc():
    from datetime import timezone
    tokyo = timezone(timedelta(hours=9))
    state = protection(APPROVED_AT.astimezone(tokyo), day(10).astimezone(tokyo))
    assert state.days_elapsed == 10 and state.expires_at.tzinfo is UTC


def test_naive_timestamps_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        protection(datetime(2026, 1, 1), day(3))


def test_seed_001_registration_lapses_automatically_after_the_window():
    assert lapsed_status("approved", APPROVED_AT, day(89)) == "approved"
    assert lapsed_status("approved", APPROVED_AT, day(90)) == "expired"
    assert lapsed_status("won", APPROVED_AT, day(200)) == "won"  # closed deals never lapse
    assert lapsed_status("submitted", None, day(200)) == "submitted"


def test_renewal_opens_on_the_warning_day():
    assert not can_renew("approved", APPROVED_AT, day(74))
    assert can_renew("approved", APPROVED_AT, day(75))
    assert can_renew("approved", APPROVED_AT, day(95))  # lapsed but not yet marked expired
    assert can_renew("expired", APPROVED_AT, day(400))
    assert can_renew("expired", None, day(400))
    assert not can_renew("pending_review", APPROVED_AT, day(80))
    assert not can_renew("won", APPROVED_AT, day(80))


def test_renewing_too_early_says_when_renewal_opens():
    with pytest.raises(IllegalTransition) as caught:
        next_status("approved", "renew", approved_at=APPROVED_AT, now=day(60))
    assert str(caught.value) == ("cannot renew yet: renewal opens on day 75 of the 90-day "
                                 "protection window (2026-03-17), 15 days from now")
    assert next_status("approved", "renew", approved_at=APPROVED_AT, now=day(76)) == "pending_review"


def test_an_active_registration_claims_its_customer_until_it_lapses():
    """Issue 12: "active registration" is one rule, used by the local check and the server."""
    from workbench.domain.registration import is_active
    now = datetime(2026, 12, 1, tzinfo=UTC)
    assert is_active("submitted", None, now) and is_active("pending_review", None, now)
    assert is_active("approved", now - timedelta(days=89), now)
    assert not is_active("approved", now - timedelta(days=90), now)  # lapsed at day 90
    assert not is_active("draft", None, now) and is_active("draft", None, now, drafts=True)
    assert not any(is_active(s, None, now, drafts=True)
                   for s in ("rejected", "won", "lost", "expired", "withdrawn"))
