"""Which account a company already is (seed 003, edge case 4: duplicate detection on account
creation; issue 13, class 10)."""

import pytest

from workbench.domain.accounts import AccountMatcher, ExistingAccount, normalise_crm_record_id


@pytest.mark.parametrize("given, stored", [
    ("001A0000006Vm9r", "001A0000006Vm9rIAC"),  # Salesforce's documented 15 → 18 example
    ("001A0000006Vm9rIAC", "001A0000006Vm9rIAC"),
    ("001A0000006Vm9riac", "001A0000006Vm9rIAC"),  # the suffix is case-insensitive
    (" 0015g00000XyZabAAB ", "0015g00000XyZabAAB"),
    ("12345678901", "12345678901"),  # HubSpot record ids are numbers
    ("3f1c9b1e-8a7d-4d6e-9c0b-2f5e1d7a9b10", "3f1c9b1e-8a7d-4d6e-9c0b-2f5e1d7a9b10"),
    ("ABCDEFGHIJKLMNO", "ABCDEFGHIJKLMNO"),  # no digit: not a Salesforce id
    (None, ""), ("  ", ""),
])
def test_crm_record_ids_are_compared_in_one_form(given, stored):
    assert normalise_crm_record_id(given) == stored


ACME = ExistingAccount("a1", "Acme Corporation", "acme.example", "001A0000006Vm9rIAC")
GLOBEX = ExistingAccount("g1", "Globex", "globex.example")


def test_the_crm_record_id_names_the_account_even_after_a_rename():
    twin = AccountMatcher([ACME, GLOBEX]).twin("Acme Industries Worldwide", "acme-new.example",
                                               "001A0000006Vm9r")
    assert twin.account == ACME and twin.reasons == ("same CRM record id 001A0000006Vm9rIAC",)


def test_without_an_id_the_duplicate_matcher_decides():
    twin = AccountMatcher([ACME, GLOBEX]).twin("ACME Corp.", "https://www.acme.example/")
    assert twin.account == ACME and twin.score == 100 and not twin.ambiguous
    assert "same domain acme.example" in twin.reasons
    assert AccountMatcher([ACME, GLOBEX]).twin("Acme Robotics", "acmerobotics.example") is None


def test_an_account_with_another_crm_id_is_another_record():
    matcher = AccountMatcher([ACME])
    assert matcher.twin("Acme Corporation", "acme.example", "001A0000009Zz9zIAC") is None
    assert matcher.twin("Acme Corporation", "acme.example").account == ACME  # no id: same


def test_a_tie_is_ambiguous_and_names_every_candidate():
    twins = AccountMatcher([ExistingAccount("x1", "Acme Corp"), ExistingAccount("x2", "ACME Inc.")])
    twin = twins.twin("Acme")
    assert twin.ambiguous and {twin.account.id, *(a.id for a in twin.also)} == {"x1", "x2"}
    # one matching on domain and name beats one matching on name only
    clear = AccountMatcher([ExistingAccount("x1", "Acme", "acme.example"),
                            ExistingAccount("x2", "Acme", "other.example")])
    assert clear.twin("Acme", "acme.example").account.id == "x1"
    assert not clear.twin("Acme", "acme.example").ambiguous


def test_an_updated_account_is_matched_by_its_new_values_only():
    matcher = AccountMatcher([ACME])
    matcher.add(ExistingAccount("a1", "Vandelay Industries", "vandelay.example", "V-1"))
    assert matcher.twin("Acme Corporation", "acme.example") is None
    assert matcher.twin("x", "", "001A0000006Vm9rIAC") is None
    assert matcher.twin("x", "", "V-1").account.id == "a1"
    assert matcher.twin("Vandelay", "", exclude_ids=frozenset({"a1"})) is None
