"""The command line end to end on a real SQLite file (issue 2 'done means')."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.cli import main


def run(data_dir, *argv, capsys):
    code = main(["--data-dir", str(data_dir), *argv, "--json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out.strip() else None


@pytest.fixture
def cli(data_dir, capsys):
    def call(*argv, expect=0):
        code, document = run(data_dir, *argv, capsys=capsys)
        assert code == expect, document
        return document
    return call


def test_version_prints_the_package_version(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("workbench 0.")


def test_accounts_add_edit_list_show(cli):
    account = cli("accounts", "add", "--name", "Société Générale", "--domain", "https://www.SocGen.com/",
                  "--country", "FR")
    assert account["domain"] == "socgen.com"  # stored normalised
    edited = cli("accounts", "edit", account["id"][:8], "--set", "industry=Banking", "--set", "region=EMEA")
    assert (edited["industry"], edited["region"]) == ("Banking", "EMEA")
    assert [a["name"] for a in cli("accounts", "list")] == ["Société Générale"]
    shown = cli("accounts", "show", account["id"])
    assert shown["contacts"] == [] and shown["industry"] == "Banking"


def test_bad_input_names_the_field_and_exits_non_zero(cli):
    error = cli("accounts", "add", "--name", "  ", expect=2)["error"]
    assert error["field"] == "name" and "required" in error["message"]
    account = cli("accounts", "add", "--name", "Globex")
    error = cli("accounts", "edit", account["id"], "--set", "colour=blue", expect=2)["error"]
    assert error["field"] == "colour" and "no such field" in error["message"]
    error = cli("registrations", "draft", "--account", account["id"], "--value", "forty",
                "--close-date", "2027-01-31", "--product", "Suite", expect=2)["error"]
    assert error["field"] == "deal_value_cents"
    error = cli("registrations", "draft", "--account", account["id"], "--value", "1000",
                "--close-date", "31/01/2027", "--product", "Suite", expect=2)["error"]
    assert error["field"] == "expected_close_date" and "YYYY-MM-DD" in error["message"]
    assert cli("accounts", "show", "deadbeef", expect=3)["error"]["message"].startswith("no account")
    assert len(cli("registrations", "list")) == 0  # nothing half-written


def test_draft_by_name_links_or_creates_the_account_and_warns_about_duplicates(cli):
    """seed 003 / DESIGN §4: 'ACME Corp.', 'acme corporation' and https://www.Acme.com/ are one company."""
    first = cli("registrations", "draft", "--name", "ACME Corp.", "--domain", "https://www.Acme.com/",
                "--value", "$40,000", "--close-date", "2027-03-31", "--product", "Suite")
    assert first["created_account_id"] and first["deal_value_cents"] == 4_000_000
    assert first["status"] == "draft" and first["possible_duplicates"] == []

    second = cli("registrations", "draft", "--name", "acme corporation", "--value", "12.5k",
                 "--close-date", "2027-04-30", "--product", "Add-on")
    assert second["account_id"] == first["account_id"]  # linked, not a second account
    [match] = second["possible_duplicates"]
    assert match["id"] == first["id"] and match["reasons"]
    assert len(cli("accounts", "list")) == 1


def test_duplicate_check_explains_true_matches_and_ignores_false_ones(cli):
    cli("accounts", "add", "--name", "Acme Logistics GmbH", "--domain", "acmelogistics.de")
    hit = cli("registrations", "check", "--name", "ACME LOGISTICS", "--domain", "www.acmelogistics.de.")
    assert hit["duplicate"] and any("acmelogistics.de" in r for r in hit["matches"][0]["reasons"])
    miss = cli("registrations", "check", "--name", "Acme Robotics", "--domain", "acmerobotics.com")
    assert not miss["duplicate"] and miss["matches"] == []


def test_submit_queues_the_request_and_illegal_transitions_are_refused(cli):
    draft = cli("registrations", "draft", "--name", "Initech", "--domain", "initech.com", "--value", "9000",
                "--close-date", "2099-12-31", "--product", "Suite")
    submitted = cli("registrations", "submit", draft["id"][:8])
    assert submitted["status"] == "submitted"
    error = cli("registrations", "submit", draft["id"], expect=2)["error"]
    assert "submit" in error["message"] and "submitted" in error["message"]
    error = cli("registrations", "dispute", draft["id"], "--note", "x", expect=2)["error"]
    assert "dispute" in error["message"]
    assert [r["status"] for r in cli("registrations", "list", "--status", "submitted")] == ["submitted"]


def test_a_registration_with_a_past_close_date_cannot_be_submitted(cli):
    draft = cli("registrations", "draft", "--name", "Hooli", "--value", "9000",
                "--close-date", "2020-01-31", "--product", "Suite")
    error = cli("registrations", "submit", draft["id"], expect=2)["error"]
    assert error["field"] == "expected_close_date" and "past" in error["message"]
    assert cli("registrations", "show", draft["id"])["status"] == "draft"


def test_cases_open_comment_show(cli):
    account = cli("accounts", "add", "--name", "Umbrella", "--domain", "umbrella.example")
    case = cli("cases", "open", "--account", account["id"], "--subject", "Licence key rejected",
               "--severity", "high", "--description", "Key from order 1234 fails")
    assert (case["status"], case["severity"], case["customer_domain"]) == ("new", "high", "umbrella.example")
    cli("cases", "comment", case["id"], "Customer sent logs")
    shown = cli("cases", "show", case["id"])
    assert [c["body"] for c in shown["comments"]] == ["Customer sent logs"]


HUBSPOT = ("Company name,Company Domain Name,Industry,Country/Region,Lifecycle Stage\n"
           "Müller GmbH,mueller.de,Manufacturing,Germany,customer\n"
           "Initech,https://www.initech.com,Software,United States,lead\n")
SALESFORCE_WITH_BAD_ROWS = ("Account Name;Website;Billing Country\n"
                            "Globex;globex.com;US\n"
                            ";nameless.com;US\n"
                            "Hooli;hooli.com;US\n"
                            + "Vandelay;" + "x" * 300 + ".com;US\n")


def test_csv_import_recognises_crm_headers(cli, tmp_path):
    path = tmp_path / "hubspot.csv"
    path.write_text(HUBSPOT, encoding="utf-8")
    report = cli("accounts", "import", str(path))
    assert report["created"] == 2
    assert report["columns"] == {"Company name": "name", "Company Domain Name": "domain",
                                 "Industry": "industry", "Country/Region": "country"}
    assert report["ignored_columns"] == ["Lifecycle Stage"]
    by_name = {a["name"]: a for a in cli("accounts", "list")}
    assert by_name["Initech"]["domain"] == "initech.com" and by_name["Müller GmbH"]["country"] == "Germany"


def test_csv_import_is_all_or_nothing_and_reports_lines(cli, tmp_path):
    path = tmp_path / "salesforce.csv"
    path.write_text(SALESFORCE_WITH_BAD_ROWS, encoding="utf-8")
    error = cli("accounts", "import", str(path), expect=2)["error"]
    # each problem names the line and the file's own column (as the rep sees it in the sheet)
    assert any(p.startswith("line 3: Account Name: is required") for p in error["problems"])
    assert any(p.startswith("line 5: Website") for p in error["problems"])
    assert cli("accounts", "list") == []  # nothing imported

    dry = cli("accounts", "import", str(path), "--skip-invalid", "--dry-run")
    assert dry["valid_rows"] == 2 and dry["created"] == 0 and cli("accounts", "list") == []
    done = cli("accounts", "import", str(path), "--skip-invalid")
    assert done["created"] == 2 and len(done["skipped"]) == 2
    assert sorted(a["name"] for a in cli("accounts", "list")) == ["Globex", "Hooli"]


def test_export_writes_every_record_and_the_edit_history(cli, tmp_path):
    account = cli("accounts", "add", "--name", "Globex", "--domain", "globex.com")
    for i in range(3):
        cli("contacts", "add", "--account", account["id"], "--name", f"Person {i}")
    cli("accounts", "edit", account["id"], "--set", "industry=Energy")
    result = cli("export", str(tmp_path / "out"))
    assert result["counts"]["accounts"] == 1 and result["counts"]["contacts"] == 3
    assert result["counts"]["edit_history"] == 5  # 1 + 3 creates, 1 edit
    contacts = json.loads((tmp_path / "out" / "contacts.json").read_text(encoding="utf-8"))
    assert sorted(c["name"] for c in contacts) == ["Person 0", "Person 1", "Person 2"]
    csv_lines = (tmp_path / "out" / "edit_history.csv").read_text(encoding="utf-8-sig").splitlines()
    assert csv_lines[0].startswith('"seq","op_id","entity"') and len(csv_lines) == 6


def test_work_survives_a_process_restart(data_dir, tmp_path):
    """Each command is its own process: what one wrote, the next one reads."""
    env = {**os.environ, "WORKBENCH_DATA_DIR": str(data_dir)}

    def workbench(*argv):
        done = subprocess.run([sys.executable, "-m", "workbench.cli", *argv, "--json"], env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr + done.stdout
        return json.loads(done.stdout)

    account = workbench("accounts", "add", "--name", "Vandelay Industries", "--domain", "vandelay.com")
    draft = workbench("registrations", "draft", "--account", account["id"], "--value", "25000",
                      "--close-date", "2099-06-30", "--product", "Latex")
    assert workbench("registrations", "check", draft["id"])["duplicate"] is False
    assert [r["id"] for r in workbench("registrations", "list")] == [draft["id"]]
    exported = workbench("export", str(tmp_path / "export"))
    assert exported["counts"]["registrations"] == 1
    assert Path(exported["folder"], "registrations.csv").exists()
