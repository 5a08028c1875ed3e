"""One formatting module for the window, the command line and the PDF (domain/formatting.py)."""

from datetime import UTC, date, datetime

import pytest

from workbench.domain import formatting as fmt
from workbench.domain.model import OPPORTUNITY_STAGES


@pytest.fixture
def german():
    fmt.set_locale("de_DE")
    yield
    fmt.set_locale("en_US")


def test_money_in_its_three_lengths():
    assert fmt.money(4_000_000) == "$40,000" and fmt.money(4_000_050) == "$40,000.50"
    assert fmt.money(None) == ""
    assert fmt.money_rounded(7_500_050) == "$75,001" and fmt.money_rounded(None) == "—"
    assert fmt.money_short(150_000_000) == "$1.5M" and fmt.money_short(2_000_000) == "$20K"
    assert fmt.money_short(85_000) == "$850"
    assert fmt.money_brief(4_000_000) == "$40K" and fmt.money_brief(3_765_433) == "$37,654.33"


def test_figures_follow_the_reps_locale(german):
    assert fmt.money(4_000_000, "EUR") == "40.000\xa0€"
    assert fmt.day("2026-12-01") == "1 Dez. 2026"


def test_days_and_timestamps():
    assert fmt.day("2026-11-22") == "22 Nov 2026"
    assert fmt.day("2026-11-22T23:58:23.000000Z") == "22 Nov 2026"
    assert fmt.day(date(2026, 12, 1)) == "1 Dec 2026" and fmt.day(None) == ""
    assert fmt.timestamp(datetime(2026, 8, 14, 18, 3, tzinfo=UTC)) == "14 Aug 2026, 18:03 UTC"


def test_stage_names_come_from_the_model_for_every_front_end():
    """Issue 12: the window said stage 3 is "Proposal", the PDF "Solution": one list now."""
    assert fmt.stage(3) == f"3 · {OPPORTUNITY_STAGES[3]}" == "3 · Solution"
    assert fmt.stage(5) == "5 · Negotiation" and fmt.stage(2, "won") == "Closed won"
    from workbench.domain.scorecard import STAGE_NAMES
    from workbench.ui import format as window_format
    assert STAGE_NAMES == OPPORTUNITY_STAGES == window_format.STAGES
