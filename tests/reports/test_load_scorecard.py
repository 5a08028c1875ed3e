"""Loading the scorecard from a real local store (one read transaction, no network)."""

import sqlite3
from datetime import timedelta

import pytest

from tests.domain import scorecard_sample as sample
from workbench.domain import scorecard as sc
from workbench.domain.values import InvalidValue, format_datetime
from workbench.reports import texts as report
from workbench.reports.scorecard import load_scorecard
from workbench.store import records


def test_the_store_gives_the_hand_computed_figures(sample_store):
    card = load_scorecard(sample_store, "2026Q3", now=sample.NOW)
    for key, expected in sample.EXPECTED.items():
        measure = card.measure(key)
        if isinstance(expected, tuple) and isinstance(expected[0], str):  # (rate, part, whole)
            assert (str(measure.value), measure.part, measure.whole) == expected, key
        elif isinstance(expected, tuple):  # (amount, count)
            assert (measure.value, measure.count) == expected, key
        else:
            assert str(measure.value) == str(expected), key


def test_the_store_and_the_domain_compute_the_same_scorecard(sample_store):
    """Other partners' and deleted records stay out; the local draft is not counted."""
    from_store = load_scorecard(sample_store, "2026Q3", now=sample.NOW).to_json()
    data = sc.ScorecardData(partner_name=sample.PARTNER_NAME, partner_id=sample.PARTNER_ID,
                            partner=sample.PARTNER, program_averages=sample.PROGRAM_AVERAGES,
                            last_sync_at=sample.NOW - timedelta(hours=3), **sample.ROWS)
    assert from_store == sc.compute_scorecard(data, sc.Period(2026, 3), sample.NOW).to_json()


def test_partner_name_tier_and_data_as_of_come_from_the_store(sample_store):
    card = load_scorecard(sample_store, "2026Q3", now=sample.NOW)
    assert card.partner_name == "Müller GmbH"  # the partners record wins over sign-in details
    assert card.recorded_tier == "silver"
    assert card.data_as_of == sample.NOW - timedelta(hours=3)
    assert report.data_as_of_text(card) == "15 Aug 2026, 09:00 UTC"


def test_a_store_never_synced_says_so_and_names_the_partner_from_sign_in(store):
    with store.transaction() as conn:
        records.set_state(conn, "partner_name", "Société Générale Partenaires")
        records.set_state(conn, "partner_tier", "gold")
    card = load_scorecard(store, now=sample.NOW)
    assert card.data_as_of is None and report.data_as_of_text(card) == "never synced"
    assert (card.partner_name, card.recorded_tier) == ("Société Générale Partenaires", "gold")
    assert card.period == sc.Period(2026, 3)  # the current quarter
    assert card.measure("close_rate_12m").value is None


def test_the_plain_last_sync_at_key_is_read_too(store):
    with store.transaction() as conn:
        records.set_state(conn, "last_sync_at", format_datetime(sample.NOW))
    assert load_scorecard(store, now=sample.NOW).data_as_of == sample.NOW


def test_a_bad_period_names_the_period_and_reads_nothing(store):
    with pytest.raises(InvalidValue) as error:
        load_scorecard(store, "Q3/2026", now=sample.NOW)
    assert error.value.field == "period" and "2026Q3" in error.value.problem


def test_loading_writes_nothing(sample_store):
    def dump() -> str:
        with sqlite3.connect(sample_store.path) as raw:
            return "\n".join(raw.iterdump())
    before = dump()
    load_scorecard(sample_store, "2026Q3", now=sample.NOW)
    assert dump() == before


def test_text_formats_are_the_ones_a_person_reads(sample_store):
    assert report.money(22_500_000) == "$225,000" and report.money(7_500_050) == "$75,001"
    assert report.money_short(150_000_000) == "$1.5M" and report.money_short(2_000_000) == "$20K"
    text = report.scorecard_text(load_scorecard(sample_store, "2026Q3", now=sample.NOW))
    assert text.splitlines()[0] == "Müller GmbH — scorecard Q3 2026 (1 Jul 2026 – 30 Sep 2026)"
    assert "Close rate (12 months)" in text and "75.0%  3 of 4; program 62.5%" in text
    assert text.rstrip().endswith("→ Platinum")
