"""Field declarations decide what a value may be: kinds, bounds, labels (domain/model.py)."""

import pytest

from workbench.domain.errors import InvalidValue
from workbench.domain.model import ACCOUNTS, ENTITIES, LEADS, OPPORTUNITIES, REGISTRATIONS, Kind
from workbench.domain.records import check_partner_edit
from workbench.domain.values import coerce, coerce_fields


def test_domains_and_emails_are_kinds_declared_on_the_field_not_guessed_from_names():
    assert ACCOUNTS.field("domain").kind is Kind.DOMAIN
    assert LEADS.field("contact_email").kind is Kind.EMAIL
    assert coerce(ACCOUNTS.field("domain"), "https://www.Acme.com/") == "acme.com"
    # A text field whose name happens to end in "domain" is no longer treated as one.
    named_like_a_domain = [f for e in ENTITIES.values() for f in e.fields
                           if f.name.endswith("domain")]
    assert all(f.kind is Kind.DOMAIN for f in named_like_a_domain)


def test_bounds_are_declared_on_the_field():
    stage = OPPORTUNITIES.field("stage")
    assert coerce(stage, "5") == 5
    with pytest.raises(InvalidValue, match="^Stage: must be between 0 and 5; got 6$"):
        coerce(stage, 6)
    with pytest.raises(InvalidValue, match="^Deal value: must be above zero$"):
        coerce(REGISTRATIONS.field("deal_value_cents"), "0")
    with pytest.raises(InvalidValue, match="^Credit split: must be between 0 and 100"):
        coerce(ENTITIES["attributions"].field("split_percent"), 120)


@pytest.mark.parametrize("entity, values, field, message", [
    (ACCOUNTS, {"name": "  "}, "name", "Name: is required"),
    (ACCOUNTS, {"domain": "not a domain"}, "domain", "Domain: is not a web domain: 'not a domain'"),
    (REGISTRATIONS, {"deal_value_cents": "forty"}, "deal_value_cents",
     "Deal value: expected an amount such as 40000 or $40,000.50, got 'forty'"),
    (REGISTRATIONS, {"expected_close_date": "31/01/2027"}, "expected_close_date",
     "Expected close date: expected a date YYYY-MM-DD, got '31/01/2027'"),
    (ENTITIES["contacts"], {"email": "bob at acme"}, "email",
     "Email: is not an email address: 'bob at acme'"),
])
def test_messages_use_the_label_the_rep_sees_and_keep_the_machine_name(entity, values, field,
                                                                       message):
    """Issue 10 item 4: never "name: is required" or "domain: is not a web domain"."""
    with pytest.raises(InvalidValue) as error:
        coerce_fields(entity, values)
    assert error.value.field == field and str(error.value) == message


def test_a_recycled_lead_is_refused_in_the_reps_words():
    with pytest.raises(InvalidValue) as error:
        check_partner_edit("leads", {"assignment_status": "recycled", "working_status": "new"},
                           {"working_status": "accepted"})
    assert error.value.field == "assignment_status"
    assert str(error.value).startswith("Assignment: the vendor took this lead back")


def test_every_field_has_a_label_without_storage_suffixes():
    for spec in ENTITIES.values():
        for field in spec.fields:
            assert not field.title.lower().endswith((" cents", " id", " at", " on")), field.name
