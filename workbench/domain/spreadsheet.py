"""Cells for spreadsheets: CSV text that Excel and LibreOffice open as data, never as formulas.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula (or a DDE command such as ``=cmd|' /C calc'!A0``) by spreadsheet programs. OWASP's advice
for CSV injection: prefix such a cell with a single quote, which the spreadsheet shows as text.
Every CSV the project writes goes through `safe_cell` (the desktop export, the console's
exports); JSON exports and stored data keep the value as it is.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """The cell's text, prefixed with ' when a spreadsheet would read it as a formula.

    Numbers are written as numbers (a negative amount stays -400); None is an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(handle: TextIO, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a header and rows as CSV with every cell made safe; returns the number of rows."""
    writer = csv.writer(handle)
    writer.writerow([safe_cell(name) for name in header])
    count = 0
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
        count += 1
    return count
