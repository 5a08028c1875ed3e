"""Attribution rules — seed 003: one "sourced" partner and any number of influencers per
opportunity (DESIGN §4: roles sourced, influenced, fulfillment, referral)."""

import pytest

from workbench.domain.attribution import AttributionError, check_attributions


def test_seed_003_one_sourced_and_several_influencers_is_valid():
    check_attributions([("p-a", "sourced"), ("p-b", "influenced"), ("p-c", "influenced"),
                        ("p-d", "referral")])


def test_no_attributions_and_no_source_are_valid():
    check_attributions([])
    check_attributions([("p-b", "influenced")])


def test_a_partner_may_source_and_fulfil_the_same_deal():
    check_attributions([("p-a", "sourced"), ("p-a", "fulfillment")])


def test_seed_003_two_sourced_partners_are_refused():
    with pytest.raises(AttributionError, match="one sourced partner, but 2 are marked sourced: "
                                               "p-a, p-b"):
        check_attributions([("p-a", "sourced"), ("p-b", "sourced"), ("p-c", "influenced")])


def test_unknown_role_is_refused_with_the_known_roles():
    with pytest.raises(AttributionError) as caught:
        check_attributions([("p-a", "sourced"), ("p-b", "co-sold")])
    assert str(caught.value) == ("attribution 2 (partner p-b) has unknown role 'co-sold'; "
                                 "known roles: sourced, influenced, fulfillment, referral")
    assert isinstance(caught.value, ValueError)


def test_same_partner_same_role_twice_is_refused():
    with pytest.raises(AttributionError, match="partner p-b is attributed as influenced twice"):
        check_attributions([("p-b", "influenced"), ("p-b", "influenced")])
    with pytest.raises(AttributionError, match="sourced twice"):
        check_attributions([("p-a", "sourced"), ("p-a", "sourced")])


def test_source_cannot_also_be_an_influencer():
    with pytest.raises(AttributionError, match="p-a is both sourced and influenced"):
        check_attributions([("p-a", "sourced"), ("p-a", "influenced")])


def test_malformed_entries_are_refused():
    with pytest.raises(AttributionError, match="attribution 1 has no partner id"):
        check_attributions([("", "sourced")])
    with pytest.raises(AttributionError, match="must be a \\(partner id, role\\) pair"):
        check_attributions([("p-a",)])


def test_accepts_any_iterable_once():
    check_attributions((pair for pair in [("p-a", "sourced"), ("p-b", "influenced")]))
