"""Twins instead of updates (issue 13, class 10; seed 003, edge case 4: duplicate detection on
account creation): re-importing a CRM export updates or skips, `accounts add` refuses a likely
twin unless asked."""

import csv

import pytest
import sqlalchemy as sa

from tests.cli.test_cli import run
from workbench.store import duplicates
from workbench.store.db import open_store
from workbench.store.schema import outbox

SALESFORCE = [  # a Salesforce data export (API field names as headers)
    ["Id", "Name", "Website", "BillingCountry", "BillingState", "Industry", "OwnerId"],
    ["0015g00000AbCdEAAV", "Globex Corporation", "https://www.globex.example", "US", "CA", "Energy", "005x"],
    ["0015g00000AbCdFAAV", "Initech", "initech.example", "US", "TX", "Software", "005x"],
    ["0015g00000AbCdGAAV", "Hooli Inc", "hooli.example", "US", "CA", "", "005x"],
    ["0015g00000AbCdHAAV", "Vandelay Industries", "vandelay.example", "US", "NY", "Latex", "005x"],
]


@pytest.fixture
def cli(data_dir, capsys):
    def call(*argv, expect=0):
        code, document = run(data_dir, *argv, capsys=capsys)
        assert code == expect, document
        return document
    return call


def write(tmp_path, rows, name="export.csv"):
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows)
    return str(path)


def accounts(cli):
    return {a["name"]: a for a in cli("accounts", "list")}


def queued(data_dir):
    store = open_store(data_dir)
    with store.reading() as conn:
        rows = [dict(r) for r in conn.execute(sa.select(outbox).order_by(outbox.c.seq)).mappings()]
    store.close()
    return rows


def test_importing_the_same_salesforce_export_twice_leaves_one_account_per_company(cli, tmp_path,
                                                                                   data_dir):
    path = write(tmp_path, SALESFORCE)
    first = cli("accounts", "import", path)
    assert first["created"] == 4 and first["columns"]["Id"] == "crm_record_id"
    assert accounts(cli)["Initech"]["crm_record_id"] == "0015g00000AbCdFAAV"
    edits = len(queued(data_dir))

    second = cli("accounts", "import", path)
    assert second["created"] == 0 and second["unchanged"] == 4
    assert {row["reasons"][0] for row in second["existing"]} == {
        f"same CRM record id {r[0]}" for r in SALESFORCE[1:]}
    assert len(accounts(cli)) == 4
    assert len(queued(data_dir)) == edits  # nothing to send either


def test_the_weekly_export_updates_with_update_existing_and_dry_run_shows_which(cli, tmp_path,
                                                                                data_dir):
    cli("accounts", "import", write(tmp_path, SALESFORCE))
    cli("accounts", "edit", accounts(cli)["Hooli Inc"]["id"], "--set", "notes=met at the summit")
    weekly = [row[:] for row in SALESFORCE]
    weekly[2][1:4] = ["Initech Systems", "initech.example", "DE"]  # renamed, moved
    weekly[3][5] = ""  # an empty cell never clears what the workbench holds
    weekly.append(["0015g00000AbCdIAAV", "Pied Piper", "piedpiper.example", "US", "CA", "Software", "005x"])
    path = write(tmp_path, weekly, "weekly.csv")
    before = accounts(cli)

    skipped = cli("accounts", "import", path)
    assert (skipped["created"], skipped["skipped_existing"], skipped["unchanged"]) == (1, 1, 3)
    [initech] = [r for r in skipped["existing"] if r["action"] == "skip"]
    assert initech["line"] == 3 and set(initech["changes"]) == {"name", "country"}
    assert "Initech" in accounts(cli) and "Initech Systems" not in accounts(cli)

    edits = len(queued(data_dir))
    dry = cli("accounts", "import", path, "--update-existing", "--dry-run")
    assert dry["updated"] == 1 and dry["dry_run"]
    assert [r["changes"] for r in dry["existing"] if r["action"] == "update"] == [
        {"name": {"old": "Initech", "new": "Initech Systems"}, "country": {"old": "US", "new": "DE"}}]
    assert len(queued(data_dir)) == edits and "Initech" in accounts(cli)  # nothing written

    done = cli("accounts", "import", path, "--update-existing")
    assert (done["created"], done["updated"], done["unchanged"]) == (0, 1, 4)
    after = accounts(cli)
    assert len(after) == 5 and after["Initech Systems"]["id"] == before["Initech"]["id"]
    assert after["Initech Systems"]["country"] == "DE" and after["Initech Systems"]["region"] == "TX"
    assert after["Hooli Inc"]["notes"] == "met at the summit"
    [update] = queued(data_dir)[edits:]
    assert update["kind"] == "update" and set(update["fields"]) == {"name", "country"}


def test_hubspot_record_ids_and_salesforce_15_character_ids_match_too(cli, tmp_path):
    hubspot = [["Record ID", "Company name", "Company Domain Name", "Country/Region"],
               ["9123456780", "Müller GmbH", "mueller.example", "Germany"]]
    cli("accounts", "import", write(tmp_path, hubspot, "hubspot.csv"))
    renamed = [hubspot[0], ["9123456780", "Müller Maschinenbau GmbH", "mueller-mb.example", "Germany"]]
    again = cli("accounts", "import", write(tmp_path, renamed, "hubspot2.csv"), "--update-existing")
    assert again["updated"] == 1 and list(accounts(cli)) == ["Müller Maschinenbau GmbH"]

    cli("accounts", "import", write(tmp_path, SALESFORCE))
    report = [["Account ID", "Account Name", "Website"]] + [[r[0][:15], r[1], r[2]] for r in SALESFORCE[1:]]
    from_report = cli("accounts", "import", write(tmp_path, report, "report.csv"))
    assert from_report["created"] == 0 and from_report["unchanged"] == 4


def test_without_ids_rows_match_hand_made_accounts_by_domain_and_name(cli, tmp_path):
    made = cli("accounts", "add", "--name", "Acme Corporation", "--domain", "acme.example")
    rows = [["Company", "Website", "Industry"], ["ACME Corp.", "https://www.acme.example/", "Robotics"],
            ["Acme Logistics", "acmelogistics.example", "Freight"]]
    report = cli("accounts", "import", write(tmp_path, rows), "--update-existing")
    assert report["created"] == 1 and report["updated"] == 1
    [row] = report["existing"]
    assert row["account_id"] == made["id"] and "same domain acme.example" in row["reasons"]
    assert row["changes"] == {"industry": {"old": None, "new": "Robotics"}}  # a spelling is no rename
    assert accounts(cli)["Acme Corporation"]["industry"] == "Robotics"


def test_rows_of_one_file_do_not_make_twins_of_each_other(cli, tmp_path):
    rows = [["Name", "Website", "Industry"], ["Globex", "globex.example", ""],
            ["Globex Corp", "https://globex.example/", "Energy"], ["Initech", "", ""]]
    report = cli("accounts", "import", write(tmp_path, rows))
    assert report["created"] == 2
    [row] = report["existing"]
    assert row["line"] == 3 and row["same_file_line"] == 2 and row["action"] == "repeat"
    dry = cli("accounts", "import", write(tmp_path, rows, "again.csv"), "--dry-run")
    assert dry["new"] == 0 and len(accounts(cli)) == 2


def test_an_ambiguous_row_is_skipped_and_names_both_accounts(cli, tmp_path):
    first = cli("accounts", "add", "--name", "Acme Corp")
    second = cli("accounts", "add", "--name", "ACME Inc.", "--allow-duplicate")
    report = cli("accounts", "import", write(tmp_path, [["Name", "Industry"], ["Acme", "Robotics"]]),
                 "--update-existing")
    [row] = report["existing"]
    assert row["action"] == "ambiguous" and report["updated"] == 0
    assert {row["account_id"], *row["also"]} == {first["id"], second["id"]}
    assert all(a["industry"] is None for a in accounts(cli).values())


def test_a_lookalike_with_its_own_crm_id_is_imported_and_mentioned(cli, tmp_path):
    rows = [SALESFORCE[0], SALESFORCE[1],
            ["0015g00000ZzZzZAAV", "Globex", "globex.example", "US", "CA", "Energy", "005x"]]
    report = cli("accounts", "import", write(tmp_path, rows))
    assert report["created"] == 2  # two records in the CRM are two accounts here
    [note] = report["similar"]
    assert note.startswith("line 3: 'Globex' is a new account") and "line 2 of this file" in note


def test_adding_a_likely_twin_by_hand_needs_allow_duplicate(cli, data_dir):
    """The issue's example: "ACME Corp." at https://www.acme.example/ next to Acme Corporation."""
    existing = cli("accounts", "add", "--name", "Acme Corporation", "--domain", "acme.example")
    edits = len(queued(data_dir))
    error = cli("accounts", "add", "--name", "ACME Corp.", "--domain", "https://www.acme.example/",
                expect=2)["error"]
    assert error["field"] == "name" and "--allow-duplicate" in error["message"]
    assert error["duplicate_of"]["id"] == existing["id"]
    assert "same domain acme.example" in error["duplicate_of"]["reasons"]
    assert len(accounts(cli)) == 1 and len(queued(data_dir)) == edits  # nothing written
    # a similar name alone is enough to ask
    assert cli("accounts", "add", "--name", "Acme Corporation Inc", expect=2)["error"]
    twin = cli("accounts", "add", "--name", "ACME Corp.", "--domain", "acme.example",
               "--allow-duplicate")
    assert twin["id"] != existing["id"] and len(accounts(cli)) == 2
    # a different company is no twin
    assert cli("accounts", "add", "--name", "Acme Robotics", "--domain", "acmerobotics.example")


def test_the_window_asks_the_store_for_the_likely_twin(data_dir):
    store = open_store(data_dir)
    try:
        with store.transaction() as conn:
            from workbench.store import records
            acme = records.create(conn, "accounts", {"name": "Acme Corporation", "domain": "acme.example"})
            twin = duplicates.likely_twin(conn, "ACME Corp.", "https://www.acme.example/")
            assert twin.account.id == acme["id"] and twin.score == 100
            assert duplicates.likely_twin(conn, "ACME Corp.", exclude_ids=frozenset({acme["id"]})) is None
            assert duplicates.likely_twin(conn, "Initech", "initech.example") is None
    finally:
        store.close()
