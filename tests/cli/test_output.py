"""What the command line prints for people: aligned tables, stage names, labels in errors."""

from __future__ import annotations

import json

import sqlalchemy as sa
from wcwidth import wcswidth

from workbench.cli import main
from workbench.cli.output import table_text
from workbench.domain.values import new_id, now_text
from workbench.store.schema import RECORD_TABLES


def _columns_start_at_the_same_display_column(text: str, header: str) -> None:
    lines = text.splitlines()
    at = lines[0].index(header)
    for line in lines[1:]:
        cut = next(i for i in range(len(line) + 1) if wcswidth(line[:i]) >= at)
        assert wcswidth(line[:cut]) == at and line[cut - 1] == " " and line[cut] != " ", line


def test_tables_pad_by_display_width_so_cjk_names_keep_columns_aligned():
    """Issue 10 item 11: east-asian wide characters take two columns in a terminal."""
    text = table_text(["NAME", "DOMAIN"], [["株式会社テスト", "test.co.jp"],
                                           ["Müller GmbH", "mueller.de"],
                                           ["삼성전자", "samsung.com"]])
    _columns_start_at_the_same_display_column(text, "DOMAIN")


def test_accounts_list_aligns_cjk_names(data_dir, capsys):
    for name, domain in (("株式会社テスト", "test.co.jp"), ("Globex", "globex.com")):
        assert main(["--data-dir", str(data_dir), "accounts", "add", "--name", name,
                     "--domain", domain]) == 0
    capsys.readouterr()
    assert main(["--data-dir", str(data_dir), "accounts", "list"]) == 0
    _columns_start_at_the_same_display_column(capsys.readouterr().out, "DOMAIN")


def test_opportunities_list_names_the_stage(store, data_dir, capsys):
    now = now_text()
    with store.transaction() as conn:  # vendor records arrive by sync; written as a pull would
        for name, stage, outcome in (("Globex — Suite", 4, "open"), ("Initech — Add-on", 5, "won")):
            conn.execute(sa.insert(RECORD_TABLES["opportunities"]).values(
                id=new_id(), name=name, customer_name=name.split(" — ")[0], stage=stage,
                amount_cents=4_000_000, currency="USD", outcome=outcome, created_at=now,
                updated_at=now, version=1, deleted=False))
    assert main(["--data-dir", str(data_dir), "opportunities", "list"]) == 0
    out = capsys.readouterr().out
    assert "4 · Proposal" in out and "Closed won" in out and "$40,000" in out


def test_an_error_names_the_field_by_its_label_and_json_keeps_the_name(data_dir, capsys):
    assert main(["--data-dir", str(data_dir), "accounts", "add", "--name", "Globex",
                 "--domain", "not a domain"]) == 2
    assert capsys.readouterr().err.strip() == "error: Domain: is not a web domain: 'not a domain'"
    assert main(["--data-dir", str(data_dir), "registrations", "draft", "--name", "Globex",
                 "--value", "0", "--close-date", "2099-01-01", "--product", "Suite",
                 "--json"]) == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert error == {"message": "Deal value: must be above zero", "field": "deal_value_cents"}


def test_a_reader_that_stops_early_gets_no_traceback(data_dir, tmp_path):
    """`workbench accounts list --json | head` printed a BrokenPipeError traceback: the reader
    going away ends the command quietly, with the shell's SIGPIPE status."""
    import subprocess
    import sys
    rows = "\n".join(f"Acme Pipe {n},acme-pipe-{n}.example" for n in range(400))
    (tmp_path / "accounts.csv").write_text("name,domain\n" + rows + "\n", encoding="utf-8")
    assert main(["--data-dir", str(data_dir), "accounts", "import",
                 str(tmp_path / "accounts.csv")]) == 0
    command = [sys.executable, "-m", "workbench.cli", "--data-dir", str(data_dir),
               "accounts", "list", "--json"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.read(10).startswith(b"[")
        process.stdout.close()  # the reader is gone long before 400 accounts are written
        errors = process.stderr.read().decode()
        assert process.wait(timeout=60) == 141
    assert "Traceback" not in errors and "BrokenPipe" not in errors
