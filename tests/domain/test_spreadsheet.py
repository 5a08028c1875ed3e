"""CSV cells are data, never formulas (OWASP CSV injection; issue 13 item 1)."""

import csv
import io

import pytest

from workbench.domain.spreadsheet import safe_cell, write_csv


@pytest.mark.parametrize("hostile", [
    "=cmd|' /C calc'!A0", "@SUM(A1:A2)", "+1+2", "-2+3", '=HYPERLINK("http://x","y")',
    "\t=1", "\r=1",
])
def test_formula_cells_are_prefixed_with_a_quote(hostile):
    assert safe_cell(hostile) == "'" + hostile


@pytest.mark.parametrize("plain", ["Acme Corp", "acme.com", "", "a=b", "O'Brien", "42 units"])
def test_plain_text_is_unchanged(plain):
    assert safe_cell(plain) == plain


def test_numbers_stay_numbers_and_none_is_empty():
    assert safe_cell(-400) == "-400"
    assert safe_cell(12.5) == "12.5"
    assert safe_cell(None) == ""
    assert safe_cell(True) == "true"


def test_write_csv_neutralises_every_cell_and_reads_back():
    buffer = io.StringIO()
    count = write_csv(buffer, ["company", "note"], [["=1+1", "ok"], ["Acme", "@x"]])
    assert count == 2
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert rows == [["company", "note"], ["'=1+1", "ok"], ["Acme", "'@x"]]
