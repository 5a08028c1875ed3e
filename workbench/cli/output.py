"""What the command line prints: one JSON document, or text for a person at a terminal."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from workbench.cli.errors import CommandError

# Babel (money, dates) and wcwidth load only when text is printed: --json needs neither.


def money(cents: int | None, currency: str | None = "USD") -> str:
    from workbench.domain.formatting import money as format_money
    return format_money(cents, currency)


def stage(value: int | None, outcome: str | None = "open") -> str:
    from workbench.domain.formatting import stage as format_stage
    return format_stage(value, outcome)


def short(record_id: str | None) -> str:
    """The first 8 characters of an id: what lists print and what commands accept."""
    return (record_id or "")[:8]


def public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "deleted"}


def width(text: str) -> int:
    """Columns `text` takes in a terminal: east-asian wide characters (株式会社) count two."""
    from wcwidth import wcswidth
    columns = wcswidth(text)
    return columns if columns >= 0 else len(text)  # control characters: count them as one


def _pad(text: str, columns: int) -> str:
    return text + " " * (columns - width(text))


def table_text(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Columns aligned by display width, so CJK names do not push the next column out."""
    cells = [[str(c) if c is not None else "" for c in row] for row in rows]
    widths = [max([width(h), *(width(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    lines = ["  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines)


def parse_sets(pairs: list[str]) -> dict[str, str]:
    """--set FIELD=VALUE … as a dict."""
    changes = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise CommandError(f"--set: expected FIELD=VALUE, got {pair!r}")
        changes[name.strip()] = value
    return changes


_UNDECODED = re.compile("[\ud800-\udfff]")  # bytes of a file name or argument that were not UTF-8


def printable(text: str, *, in_json: bool = False) -> str:
    """Text safe to print on any terminal: bytes that were not UTF-8 (a file name, an argument)
    are shown as \\xNN instead of crashing the print (escaped once more inside JSON strings)."""
    slash = "\\\\" if in_json else "\\"

    def shown(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"{slash}x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"{slash}u{code:04x}"
    return _UNDECODED.sub(shown, text)


class Output:
    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def emit(self, document: Any, text: str | Callable[[], str]) -> None:
        if self.as_json:
            print(printable(json.dumps(document, ensure_ascii=False, indent=2, default=str),
                            in_json=True))
        else:
            print(printable(text() if callable(text) else text))


def with_partner(rows: Sequence[dict[str, Any]], owners: tuple[str | None, dict[str, str]]
                 ) -> tuple[list[dict[str, Any]], bool]:
    """Rows for --json with "partner": the sub-partner's name on a distributor's desk (its
    records are read-only there), None for the desk's own; and whether any row is a
    sub-partner's (then the text table gets a PARTNER column)."""
    from workbench.domain.distributors import partner_label

    own, names = owners
    labelled = [{**public(r), "partner": partner_label(r, own, names)} for r in rows]
    return labelled, any(r["partner"] for r in labelled)


def partner_column(headers: list[str], rows: list[list[Any]], documents: Sequence[dict[str, Any]],
                   shown: bool) -> tuple[list[str], list[list[Any]]]:
    """Insert a PARTNER column after the id when some rows are a sub-partner's."""
    if not shown:
        return headers, rows
    return ([headers[0], "PARTNER", *headers[1:]],
            [[row[0], d["partner"] or "(yours)", *row[1:]] for row, d in zip(rows, documents,
                                                                            strict=True)])
