"""Importing customer accounts from the CSV exports of common CRMs.

Headers are matched by meaning ("Company name", "Account Name", "Website", "Billing Country" …).
Bad rows are reported by line number and reason; the import is all-or-nothing unless the caller
asks to skip invalid rows. A row that is an account already — same CRM record id, else the same
company by domain and name (domain/accounts.py) — is skipped, or updated on request, never
imported twice: re-importing the weekly CRM export leaves one account per company.
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

from workbench.domain.accounts import ExistingAccount, Twin, normalise_crm_record_id
from workbench.domain.model import ACCOUNTS
from workbench.domain.spreadsheet import restore_cell
from workbench.domain.values import InvalidValue, coerce_fields
from workbench.store import duplicates, records

# Normalised header (lower-case, letters and digits only) -> (account field, rank). When several
# columns mean one field, the lower rank wins (an explicit "CRM record id" over a bare "Id").
HEADER_SYNONYMS: dict[str, tuple[str, int]] = {}
for _field, _names in {
    "name": ["name", "company", "company name", "account name", "account", "organization",
             "organisation", "organization name", "customer", "customer name", "business name"],
    "domain": ["domain", "company domain name", "website", "web site", "company website", "url",
               "website url", "email domain"],
    "industry": ["industry", "sector", "vertical"],
    "country": ["country", "country/region", "billing country", "country region",
                "shipping country", "hq country"],
    "region": ["region", "state/region", "billing state/province", "billing state", "state",
               "shipping state", "territory"],
    "notes": ["notes", "description", "comments"],
    # Salesforce data exports say "Id", its reports "Account ID"; HubSpot says "Record ID".
    "crm_record_id": ["crm record id", "crm id", "record id", "account id", "company id", "id",
                      "salesforce id", "hubspot id"],
}.items():
    for _rank, _name in enumerate(_names):
        HEADER_SYNONYMS[re.sub(r"[^a-z0-9]", "", _name)] = (_field, _rank)


class ImportFailed(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:5]) + (f" (and {len(problems) - 5} more)"
                                                      if len(problems) > 5 else ""))
        self.problems = problems


@dataclass
class ExistingRow:
    """A row of the file that is an account already: updated, unchanged, skipped or ambiguous."""
    line: int
    name: str
    account_id: str
    account_name: str
    reasons: list[str]
    action: str  # update | unchanged | skip | ambiguous | repeat (an earlier line is it)
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)  # field -> {old, new}
    also: list[str] = field(default_factory=list)  # ambiguous: the other accounts' ids
    same_file_line: int | None = None  # repeat: the earlier line of this file that is it

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "name": self.name, "account_id": self.account_id,
                "account_name": self.account_name, "reasons": self.reasons,
                "action": self.action, "changes": self.changes, "also": self.also,
                "same_file_line": self.same_file_line}

    def text(self, dry_run: bool) -> str:
        which = (f"line {self.same_file_line} of this file" if self.same_file_line
                 else f"account {self.account_id[:8]} '{self.account_name}'")
        head = f"line {self.line}: '{self.name}' is {which} ({'; '.join(self.reasons)})"
        fields = ", ".join(self.changes)
        if self.action == "ambiguous":
            others = ", ".join(i[:8] for i in self.also)
            return (f"line {self.line}: '{self.name}' matches several accounts equally "
                    f"({self.account_id[:8]}, {others}; {'; '.join(self.reasons)}): skipped — "
                    "merge them, or give the row its CRM record id")
        if self.action == "repeat":
            return f"{head}: skipped, the file has this company twice"
        if self.action == "update":
            return f"{head}: {'would update' if dry_run else 'updated'} {fields}"
        if self.action == "unchanged":
            return f"{head}: unchanged"
        return f"{head}: skipped; --update-existing would update {fields}"


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)  # new account ids
    valid_rows: int = 0
    new_rows: int = 0  # rows that are (or, in a dry run, would be) new accounts
    existing: list[ExistingRow] = field(default_factory=list)  # rows that are accounts already
    similar: list[str] = field(default_factory=list)  # new, with their own CRM id, yet look alike
    skipped: list[str] = field(default_factory=list)  # "line 7: name: is required"
    columns: dict[str, str] = field(default_factory=dict)  # CSV header -> field
    ignored_columns: list[str] = field(default_factory=list)
    duplicate_columns: list[str] = field(default_factory=list)  # headers seen more than once
    encoding: str = ""
    dry_run: bool = False
    update_existing: bool = False

    def count(self, action: str) -> int:
        return sum(1 for row in self.existing if row.action == action)

    def to_json(self) -> dict[str, Any]:
        return {"created": len(self.created), "ids": self.created, "valid_rows": self.valid_rows,
                "new": self.new_rows, "updated": self.count("update"),
                "unchanged": self.count("unchanged"), "skipped_existing": self.count("skip"),
                "ambiguous": self.count("ambiguous"), "repeated": self.count("repeat"),
                "existing": [row.to_json() for row in self.existing], "similar": self.similar,
                "skipped": self.skipped,
                "columns": self.columns, "ignored_columns": self.ignored_columns,
                "duplicate_columns": self.duplicate_columns, "encoding": self.encoding,
                "dry_run": self.dry_run, "update_existing": self.update_existing}

    def text(self, limit: int = 20) -> str:
        """What a rep reads after `workbench accounts import`: counts, then the rows in question."""
        parts = [f"{'would import' if self.dry_run else 'imported'} {self.new_rows} new account(s)"]
        if self.existing:
            counts = [f"{self.count(a)} {label}" for a, label in (
                ("update", "would be updated" if self.dry_run else "updated"),
                ("unchanged", "unchanged"),
                ("skip", "skipped (--update-existing updates them)"),
                ("ambiguous", "ambiguous"), ("repeat", "repeated in the file"))
                if self.count(a)]
            parts.append(f"{len(self.existing)} already in the workbench: {', '.join(counts)}")
        lines = ["; ".join(parts), "columns: " + ", ".join(f"{h} → {f}"
                                                          for h, f in self.columns.items())]
        shown = [row.text(self.dry_run) for row in self.existing if row.action != "unchanged"]
        lines += [f"  {text}" for text in shown[:limit]]
        if len(shown) > limit:
            lines.append(f"  … and {len(shown) - limit} more (--json lists every row)")
        lines += [f"  note: {text}" for text in self.similar[:limit]]
        lines += [f"skipped {p}" for p in self.skipped]
        lines += [f"note: the column '{h}' appears more than once; not imported"
                  for h in self.duplicate_columns]
        return "\n".join(lines)


def _header_key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


@dataclass
class ColumnMap:
    """Which columns feed which account field. Several columns may feed one field (HubSpot's
    "Company Domain Name" and "Website URL"): the first non-empty one wins, by synonym rank,
    then file order."""
    sources: dict[str, list[int]]  # field -> column positions, in the order they are tried
    columns: dict[str, str]  # header -> field
    ignored: list[str]
    duplicates: list[str]  # headers that appear more than once, as written


def map_headers(headers: list[str]) -> ColumnMap:
    ranked: dict[str, list[tuple[int, int]]] = {}  # field -> (rank, position)
    columns: dict[str, str] = {}
    ignored: list[str] = []
    seen: dict[str, str] = {}
    duplicates: list[str] = []
    for position, header in enumerate(headers):
        key = _header_key(header)
        if key and key in seen:
            duplicates.append(header)
        seen.setdefault(key, header)
        target, rank = HEADER_SYNONYMS.get(key, (None, 0))
        if target:
            ranked.setdefault(target, []).append((rank, position))
            columns.setdefault(header, target)
        elif header:
            ignored.append(header)
    sources = {target: [position for _, position in sorted(found)]
               for target, found in ranked.items()}
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
                    dry_run: bool = False, update_existing: bool = False) -> ImportReport:
    """Create accounts from a CSV file; a row that is an account already (domain/accounts.py)
    updates it with --update-existing, else is skipped. Raises ImportFailed (nothing written)
    on bad rows."""
    table = read_csv(_existing(path))
    if not table.rows:
        raise InvalidValue("FILE", f"{path} has no data rows")
    mapping = map_headers(table.header)
    report = ImportReport(dry_run=dry_run, update_existing=update_existing,
                          columns=mapping.columns, ignored_columns=mapping.ignored,
                          duplicate_columns=mapping.duplicates, encoding=table.encoding)
    if "name" not in mapping.sources:
        raise InvalidValue("FILE", "no column with the company name (expected a header such as "
                                   "'Company name' or 'Account Name')")
    ambiguous = [h for h in mapping.duplicates if h in mapping.columns]
    if ambiguous:
        raise ImportFailed([f"line {table.header_line}: the column '{h}' appears more than once; "
                            "rename or delete the extra one so it is clear which to import"
                            for h in ambiguous])
    valid, problems = _valid_rows(table, mapping)
    if problems and not skip_invalid:
        raise ImportFailed(problems)
    report.skipped = problems
    report.valid_rows = len(valid)
    _Importer(conn, report).run(valid)
    report.existing.sort(key=lambda row: row.line)  # the report reads in the file's order
    return report


def _valid_rows(table: CsvTable, mapping: ColumnMap
                ) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
    problems: list[str] = []
    valid: list[tuple[int, dict[str, Any]]] = []
    width = len(table.header)
    header_of = {target: header for header, target in mapping.columns.items()}
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
                raise ACCOUNTS.invalid("name", "is required")
        except InvalidValue as error:
            # Named by the file's own column, the one the rep sees in their spreadsheet.
            problems.append(f"line {line}: {header_of.get(error.field, error.label)}: "
                            f"{error.problem}")
            continue
        account["crm_record_id"] = normalise_crm_record_id(account.get("crm_record_id")) or None
        valid.append((line, account))
    return valid, problems


class _Importer:
    """Creates, updates or skips each valid row, matching it against the accounts so far —
    those of the store and those this file created (so the file cannot make twins either)."""

    def __init__(self, conn: sa.Connection, report: ImportReport) -> None:
        self.conn = conn
        self.report = report
        self.accounts = duplicates.live_accounts(conn)  # id -> record, kept current below
        self.matcher = duplicates.account_matcher(conn, self.accounts)
        self.claimed: dict[str, int] = {}  # account id -> the line of this file that is it

    def run(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        # Rows carrying a CRM record id first: the id says which company a row is, so those
        # rows settle the accounts before rows known only by name and domain attach to them.
        # Otherwise a row before its company's CRM row would match another account this time
        # and that CRM row's account the next time, and importing the same file twice would
        # not be a no-op.
        ordered = sorted(rows, key=lambda row: not row[1].get("crm_record_id"))
        for line, values in ordered:
            name, domain, crm_id = values["name"], values.get("domain") or "", \
                values.get("crm_record_id")
            twin = self.matcher.twin(name, domain, crm_id)
            if twin is not None and twin.account.id in self.claimed and crm_id \
                    and not twin.by_record_id:
                # Its own CRM record that only looks like an account an earlier row of this
                # file already is: look past the accounts this file has claimed.
                twin = self.matcher.twin(name, domain, crm_id,
                                         exclude_ids=frozenset(self.claimed))
            if twin is None:
                self._note_similar(line, values)
                self._create(line, values)
            elif twin.account.id in self.claimed:
                self._repeated(line, values, twin)
            else:
                self._existing(line, values, twin)

    def _note_similar(self, line: int, values: dict[str, Any]) -> None:
        """A row with its own CRM id is a new account even if it looks like another one — the
        CRM holds two records — but the rep should hear about it."""
        if not values.get("crm_record_id"):
            return
        lookalike = self.matcher.twin(values["name"], values.get("domain") or "")
        if lookalike is not None:
            where = self.claimed.get(lookalike.account.id)
            which = (f"line {where} of this file" if where
                     else f"account {lookalike.account.id[:8]} '{lookalike.account.name}'")
            self.report.similar.append(
                f"line {line}: '{values['name']}' is a new account (its own CRM record id) but "
                f"looks like {which} ({lookalike.why()}); two records in the CRM?")

    def _create(self, line: int, values: dict[str, Any]) -> None:
        self.report.new_rows += 1
        if self.report.dry_run:
            account_id = f"line:{line}"
            self.accounts[account_id] = {**values, "id": account_id}
        else:
            created = records.create(self.conn, "accounts", values)
            account_id = created["id"]
            self.accounts[account_id] = created
            self.report.created.append(account_id)
        self.claimed[account_id] = line
        self._index(account_id, values)

    def _existing(self, line: int, values: dict[str, Any], twin: Twin) -> None:
        current = self.accounts[twin.account.id]
        # Non-empty cells update; the name only when the record id says which account it is —
        # a name that matched after normalising ("ACME Corp." ~ "Acme Corporation") is the
        # same name, not a rename.
        # Once a row's CRM id is linked to the account, it is that record: its name is the CRM's.
        by_id = twin.by_record_id or bool(values.get("crm_record_id")
                                          and not current.get("crm_record_id"))
        changes = {name: {"old": current.get(name), "new": new} for name, new in values.items()
                   if new not in (None, "") and current.get(name) != new
                   and (by_id or name != "name")
                   and not (name == "crm_record_id" and new == current["id"])}
        if twin.ambiguous:
            action = "ambiguous"
        elif not changes:
            action = "unchanged"
        else:
            action = "update" if self.report.update_existing else "skip"
        self.report.existing.append(ExistingRow(
            line=line, name=values["name"], account_id=twin.account.id,
            account_name=twin.account.name, reasons=list(twin.reasons), action=action,
            changes=changes, also=[a.id for a in twin.also]))
        if action == "ambiguous":
            return
        self.claimed[twin.account.id] = line
        if action != "update":
            return
        new_values = {name: change["new"] for name, change in changes.items()}
        if not self.report.dry_run:
            records.update(self.conn, "accounts", twin.account.id, new_values)
        current.update(new_values)
        self._index(twin.account.id, current)

    def _repeated(self, line: int, values: dict[str, Any], twin: Twin) -> None:
        """The file has this company twice: the first row counts, this one changes nothing."""
        self.report.existing.append(ExistingRow(
            line=line, name=values["name"], account_id=twin.account.id,
            account_name=twin.account.name, reasons=list(twin.reasons), action="repeat",
            same_file_line=self.claimed[twin.account.id]))

    def _index(self, account_id: str, values: dict[str, Any]) -> None:
        self.matcher.add(ExistingAccount(account_id, values["name"], values.get("domain") or "",
                                         values.get("crm_record_id") or ""))


def _existing(path: Path) -> Path:
    if not path.is_file():
        raise InvalidValue("FILE", f"{path} does not exist" if not path.exists()
                           else f"{path} is a folder, not a CSV file")
    return path


def _shown(delimiter: str) -> str:
    return {"\t": "tab", ",": ","}.get(delimiter, delimiter)
