"""Importing customer accounts from the CSV exports of common CRMs.

Headers are matched by meaning ("Company name", "Account Name", "Website", "Billing Country" …).
Bad rows are reported by line number and reason; the import is all-or-nothing unless the caller
asks to skip invalid rows.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from workbench.domain.model import ACCOUNTS
from workbench.domain.values import InvalidValue, coerce_fields
from workbench.store import records

# Normalised header (lower-case, letters and digits only) -> account field.
HEADER_SYNONYMS: dict[str, str] = {}
for _field, _names in {
    "name": ["name", "company", "company name", "account name", "account", "organization",
             "organisation", "organization name", "customer", "customer name", "business name"],
    "domain": ["domain", "company domain name", "website", "web site", "company website", "url",
               "website url", "email domain"],
    "industry": ["industry", "sector", "vertical"],
    "country": ["country", "country/region", "billing country", "country region",
                "shipping country", "hq country"],
    "region": ["region", "state/region", "billing state/province", "state", "territory"],
    "notes": ["notes", "description", "comments"],
}.items():
    for _name in _names:
        HEADER_SYNONYMS[re.sub(r"[^a-z0-9]", "", _name)] = _field


class ImportFailed(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:5]) + (f" (and {len(problems) - 5} more)"
                                                      if len(problems) > 5 else ""))
        self.problems = problems


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)  # new account ids
    valid_rows: int = 0
    skipped: list[str] = field(default_factory=list)  # "line 7: name: is required"
    columns: dict[str, str] = field(default_factory=dict)  # CSV header -> field
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"created": len(self.created), "ids": self.created, "valid_rows": self.valid_rows,
                "skipped": self.skipped,
                "columns": self.columns, "ignored_columns": self.ignored_columns,
                "dry_run": self.dry_run}


def map_headers(headers: list[str]) -> tuple[dict[str, str], list[str]]:
    mapping: dict[str, str] = {}
    ignored = []
    for header in headers:
        target = HEADER_SYNONYMS.get(re.sub(r"[^a-z0-9]", "", header.lower()))
        if target and target not in mapping.values():
            mapping[header] = target
        else:
            ignored.append(header)
    return mapping, ignored


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):  # Excel on Windows still writes cp1252
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample else csv.excel
    except csv.Error:
        dialect = csv.excel
    return list(csv.DictReader(io.StringIO(text, newline=""), dialect=dialect))


def import_accounts(conn: sa.Connection, path: Path, *, skip_invalid: bool = False,
                    dry_run: bool = False) -> ImportReport:
    """Create accounts from a CSV file. Raises ImportFailed (nothing written) on bad rows."""
    if not path.exists():
        raise InvalidValue("FILE", f"{path} does not exist", "File")
    rows = read_csv(path)
    if not rows:
        raise InvalidValue("FILE", f"{path} has no data rows", "File")
    report = ImportReport(dry_run=dry_run)
    report.columns, report.ignored_columns = map_headers(list(rows[0].keys()))
    if "name" not in report.columns.values():
        raise InvalidValue("FILE", "no column with the company name (expected a header such as "
                                   "'Company name' or 'Account Name')", "File")
    problems: list[str] = []
    valid: list[dict[str, Any]] = []
    header_of = {target: header for header, target in report.columns.items()}
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        values = {target: (row.get(header) or "").strip() for header, target in
                  report.columns.items()}
        try:
            valid.append(coerce_fields(ACCOUNTS, values))
            if not valid[-1].get("name"):
                valid.pop()
                raise ACCOUNTS.invalid("name", "is required")
        except InvalidValue as error:
            # Named by the file's own column, the one the rep sees in their spreadsheet.
            problems.append(f"line {line}: {header_of.get(error.field, error.label)}: "
                            f"{error.problem}")
    if problems and not skip_invalid:
        raise ImportFailed(problems)
    report.skipped = problems
    report.valid_rows = len(valid)
    if not dry_run:
        report.created = [records.create(conn, "accounts", values)["id"] for values in valid]
    return report
