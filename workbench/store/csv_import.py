"""Importing customer accounts from the CSV exports of common CRMs.

Headers are matched by meaning ("Company name", "Account Name", "Website", "Billing Country" …).
Bad rows are reported by line number and reason; the import is all-or-nothing unless the caller
asks to skip invalid rows.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from workbench.domain.model import ACCOUNTS
from workbench.domain.spreadsheet import restore_cell
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
    duplicate_columns: list[str] = field(default_factory=list)  # headers seen more than once
    encoding: str = ""
    dry_run: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"created": len(self.created), "ids": self.created, "valid_rows": self.valid_rows,
                "skipped": self.skipped,
                "columns": self.columns, "ignored_columns": self.ignored_columns,
                "duplicate_columns": self.duplicate_columns, "encoding": self.encoding,
                "dry_run": self.dry_run}


def _header_key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


@dataclass
class ColumnMap:
    """Which columns feed which account field. Several columns may feed one field (HubSpot's
    "Company Domain Name" and "Website URL"): the first non-empty one in file order wins."""
    sources: dict[str, list[int]]  # field -> column positions
    columns: dict[str, str]  # header -> field
    ignored: list[str]
    duplicates: list[str]  # headers that appear more than once, as written


def map_headers(headers: list[str]) -> ColumnMap:
    sources: dict[str, list[int]] = {}
    columns: dict[str, str] = {}
    ignored: list[str] = []
    seen: dict[str, str] = {}
    duplicates: list[str] = []
    for position, header in enumerate(headers):
        key = _header_key(header)
        if key and key in seen:
            duplicates.append(header)
        seen.setdefault(key, header)
        target = HEADER_SYNONYMS.get(key)
        if target:
            sources.setdefault(target, []).append(position)
            columns.setdefault(header, target)
        elif header:
            ignored.append(header)
    return ColumnMap(sources, columns, ignored, duplicates)


# How a file announces its encoding; UTF-32 first, its BOM begins like UTF-16's.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
# Files people pick by mistake: spreadsheets in their own format.
_WORKBOOKS = ((b"PK\x03\x04", "an Excel or LibreOffice workbook (.xlsx/.ods)"),
              (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls)"))
SAVE_AS_CSV = "in Excel choose File > Save As > 'CSV UTF-8 (Comma delimited)'"
DELIMITERS = ",;\t"


@dataclass
class CsvTable:
    """A CSV file read for import: its header and its rows, each with the line it starts on."""
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (physical line, cells); quoted newlines count as lines
    delimiter: str
    encoding: str
    header_line: int = 1


def decode(raw: bytes, name: str) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was in; InvalidValue("FILE") if not text."""
    for magic, what in _WORKBOOKS:
        if raw.startswith(magic):
            raise InvalidValue("FILE", f"{name} is {what}, not a CSV file; {SAVE_AS_CSV}")
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            label = encoding.replace("-sig", "").upper()
            try:
                return raw.decode(encoding), encoding.replace("-sig", "")
            except UnicodeDecodeError:
                raise InvalidValue("FILE", f"{name} starts like {label} text but is not valid "
                                           f"{label}; {SAVE_AS_CSV}") from None
    try:
        text, encoding = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        try:  # Excel on Windows still writes cp1252
            text, encoding = raw.decode("cp1252"), "cp1252"
        except UnicodeDecodeError as error:
            line = raw[:error.start].count(b"\n") + 1
            raise InvalidValue("FILE", f"{name} is neither UTF-8 nor Windows-1252 text (line "
                                       f"{line} holds the byte 0x{raw[error.start]:02x}, which "
                                       f"neither uses); {SAVE_AS_CSV}") from None
    if "\x00" in text:
        raise InvalidValue("FILE", f"{name} contains NUL bytes: it is not a text file, or it is "
                                   f"UTF-16 text without a byte-order mark; {SAVE_AS_CSV}")
    return text, encoding


def read_csv(path: Path) -> CsvTable:
    """Read a CSV export: encoding by BOM, else UTF-8, else Windows-1252; the separator from the
    header line (comma, semicolon or tab; Excel's `sep=;` first line is honoured)."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InvalidValue("FILE", f"cannot read {path}: {error.strerror}") from None
    text, encoding = decode(raw, path.name)
    physical = io.StringIO(text, newline="").readlines()  # lines as an editor shows them
    offset = 0  # lines before the header
    hint = re.fullmatch(r"sep=(.)\r?\n?", physical[0]) if physical else None
    if hint:
        offset, delimiter = 1, hint.group(1)
    else:
        first = physical[0] if physical else ""
        counts = {d: first.count(d) for d in DELIMITERS}
        delimiter = max(DELIMITERS, key=lambda d: counts[d]) if any(counts.values()) else ","
    reader = csv.reader(iter(physical[offset:]), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    start = offset + 1
    try:
        for cells in reader:
            rows.append((start, [cell.strip() for cell in cells]))
            start = offset + reader.line_num + 1
    except csv.Error as error:
        raise InvalidValue("FILE", f"line {start}: {error}") from None
    if rows and len(physical) - rows[-1][0] >= 1 and \
            "".join(physical[rows[-1][0] - 1:]).count('"') % 2:
        raise InvalidValue("FILE", f"line {rows[-1][0]}: a quote (\") opened on this line is "
                                   "never closed, so the rest of the file reads as one value")
    rows = [(line, cells) for line, cells in rows if any(cells)]  # blank lines and ",,,"
    if not rows:
        return CsvTable([], [], delimiter, encoding)
    return CsvTable(rows[0][1], rows[1:], delimiter, encoding, header_line=rows[0][0])


def import_accounts(conn: sa.Connection, path: Path, *, skip_invalid: bool = False,
                    dry_run: bool = False) -> ImportReport:
    """Create accounts from a CSV file. Raises ImportFailed (nothing written) on bad rows."""
    table = read_csv(_existing(path))
    if not table.rows:
        raise InvalidValue("FILE", f"{path} has no data rows")
    mapping = map_headers(table.header)
    report = ImportReport(dry_run=dry_run, columns=mapping.columns,
                          ignored_columns=mapping.ignored, duplicate_columns=mapping.duplicates,
                          encoding=table.encoding)
    if "name" not in mapping.sources:
        raise InvalidValue("FILE", "no column with the company name (expected a header such as "
                                   "'Company name' or 'Account Name')")
    ambiguous = [h for h in mapping.duplicates if h in mapping.columns]
    if ambiguous:
        raise ImportFailed([f"line {table.header_line}: the column '{h}' appears more than once; "
                            "rename or delete the extra one so it is clear which to import"
                            for h in ambiguous])
    problems: list[str] = []
    valid: list[dict[str, Any]] = []
    width = len(table.header)
    for line, cells in table.rows:
        if any(cells[width:]):
            problems.append(f"line {line}: {len(cells)} values but the header has {width} "
                            f"columns (is a value containing '{_shown(table.delimiter)}' missing "
                            "its quotes?)")
            continue
        values = {target: next((cells[i] for i in positions if i < len(cells) and cells[i]), "")
                  for target, positions in mapping.sources.items()}
        try:
            account = coerce_fields(ACCOUNTS, {k: restore_cell(v) for k, v in values.items()})
            if not account.get("name"):
                raise InvalidValue("name", "is required")
        except InvalidValue as error:
            problems.append(f"line {line}: {error}")
            continue
        valid.append(account)
    if problems and not skip_invalid:
        raise ImportFailed(problems)
    report.skipped = problems
    report.valid_rows = len(valid)
    if not dry_run:
        report.created = [records.create(conn, "accounts", values)["id"] for values in valid]
    return report


def _existing(path: Path) -> Path:
    if not path.is_file():
        raise InvalidValue("FILE", f"{path} does not exist" if not path.exists()
                           else f"{path} is a folder, not a CSV file")
    return path


def _shown(delimiter: str) -> str:
    return {"\t": "tab", ",": ","}.get(delimiter, delimiter)
