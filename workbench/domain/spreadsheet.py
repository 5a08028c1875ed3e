"""Cells for CSV files that people open in Excel, LibreOffice or Google Sheets.

A cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula by
spreadsheet programs, so text that came from an import or from the vendor (`=HYPERLINK(…)`,
`=cmd|' /C calc'!A0`, `@SUM(…)`) would run when the rep opens an export. OWASP's rule ("CSV
Injection"): prefix such a cell with a single quote, which the spreadsheet shows as text.

Decision on numbers: a cell that is a plain number (`-5`, `-12.50`, `+3`, `-1e6`) stays as it is.
It cannot call anything, and a rep expects a negative amount to stay a number they can sum;
`-5+A1`, `- 5` or `-cmd` are not plain numbers and get the quote.

Every cell is also enclosed in double quotes (`write_rows`), so a value holding the separator of
another locale (`x;=HYPERLINK(…)` opened where `;` separates columns) stays one cell.

Only files are changed: stored data and JSON exports keep the values exactly as they are.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import IO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")


def safe_cell(value: object) -> str:
    """The text to write for `value`: None → "", anything else as str, quoted if a formula."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def safe_row(values: Iterable[object]) -> list[str]:
    return [safe_cell(value) for value in values]


def write_rows(stream: IO[str], header: Iterable[object], rows: Iterable[Iterable[object]]) -> int:
    """Write a header and rows to `stream` (opened with newline=""), every cell made safe;
    returns the number of rows. The desktop's export and the console's CSV files use this."""
    writer = csv.writer(stream, quoting=csv.QUOTE_ALL)
    writer.writerow(safe_row(header))
    count = 0
    for row in rows:
        writer.writerow(safe_row(row))
        count += 1
    return count


def restore_cell(text: str) -> str:
    """A cell read back from a CSV: the quote `safe_cell` (or another tool) put before a formula
    start is removed, so exporting and importing again gives the same text."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text
