"""CSV import: every file a rep may pick gets an answer, never a traceback; problems name the
physical line (issue 13, class 6)."""

import codecs
import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli.test_cli import run
from workbench.store.csv_import import read_csv


@pytest.fixture
def cli(data_dir, capsys):
    def call(*argv, expect=0):
        code, document = run(data_dir, *argv, capsys=capsys)
        assert code == expect, document
        return document
    return call


def names(cli):
    return sorted(a["name"] for a in cli("accounts", "list"))


def write(tmp_path, content: bytes, name="crm.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def test_a_file_neither_utf8_nor_cp1252_is_refused_with_a_sentence(cli, tmp_path):
    # 0x81 and 0x8d are invalid UTF-8 here and unassigned in Windows-1252
    path = write(tmp_path, b"Name,Website\nGlobex,globex.com\nAcme\x81\x8d,acme.com\n")
    error = cli("accounts", "import", path, expect=2)["error"]
    assert error["field"] == "FILE"
    assert "neither UTF-8 nor Windows-1252" in error["message"] and "line 3" in error["message"]
    assert "CSV UTF-8" in error["message"]  # says how to fix it
    assert names(cli) == []


def test_windows_1252_still_imports(cli, tmp_path):
    path = write(tmp_path, "Name,Website\nMüller Café,mueller.de\n".encode("cp1252"))
    assert cli("accounts", "import", path)["encoding"] == "cp1252"
    assert names(cli) == ["Müller Café"]


@pytest.mark.parametrize("encoding, bom", [("utf-16-le", codecs.BOM_UTF16_LE),
                                           ("utf-16-be", codecs.BOM_UTF16_BE),
                                           ("utf-8", codecs.BOM_UTF8)])
def test_unicode_files_with_a_byte_order_mark_import(cli, tmp_path, encoding, bom):
    """Excel's 'Unicode Text' is UTF-16 LE with a BOM, tab separated."""
    text = "Company name\tWebsite\tCountry\nMüller GmbH\tmueller.de\tDeutschland\n株式会社テスト\ttest.jp\tJP\n"
    path = write(tmp_path, bom + text.encode(encoding))
    report = cli("accounts", "import", path)
    assert report["created"] == 2 and report["columns"]["Website"] == "domain"
    assert names(cli) == ["Müller GmbH", "株式会社テスト"]


def test_a_row_with_more_values_than_the_header_is_reported_by_line(cli, tmp_path):
    path = write(tmp_path, b"Name,Website\nAcme, Inc.,acme.com\nGlobex,globex.com\n"
                           b"Hooli,hooli.com,,\n")  # trailing empty values are harmless
    error = cli("accounts", "import", path, expect=2)["error"]
    assert error["problems"] == [("line 2: 3 values but the header has 2 columns (is a value "
                                  "containing ',' missing its quotes?)")]
    assert names(cli) == []
    done = cli("accounts", "import", path, "--skip-invalid")
    assert done["created"] == 2 and done["skipped"][0].startswith("line 2:")
    assert names(cli) == ["Globex", "Hooli"]


def test_problems_name_the_physical_line_when_values_hold_newlines(cli, tmp_path):
    content = ('Name,Website,Notes\n'
               '"Globex",globex.com,"met at the fair\nsecond line\nthird line"\n'  # lines 2-4
               'Hooli,hooli,"two\r\nlines"\n'  # lines 5-6: bad domain
               ',nameless.example,\n')  # line 7: no name
    error = cli("accounts", "import", write(tmp_path, content.encode()), expect=2)["error"]
    assert [p.split(":")[0] for p in error["problems"]] == ["line 5", "line 7"]
    # named by the file's own columns, as the rep sees them in the spreadsheet
    assert "Website: is not a web domain" in error["problems"][0]
    assert "Name: is required" in error["problems"][1]


def test_a_quote_never_closed_is_named_instead_of_swallowing_the_file(cli, tmp_path):
    path = write(tmp_path, b'Name,Website\nGlobex,globex.com\n"Acme,acme.com\nHooli,hooli.com\n')
    error = cli("accounts", "import", path, expect=2)["error"]
    assert "line 3" in error["message"] and "never closed" in error["message"]
    assert names(cli) == []


def test_duplicate_headers_are_reported(cli, tmp_path):
    path = write(tmp_path, b"Name,Website,Name\nAcme,acme.com,Acme Holdings\n")
    error = cli("accounts", "import", path, expect=2)["error"]
    assert "'Name' appears more than once" in error["message"] and "line 1" in error["message"]
    assert names(cli) == []
    # a repeated column the import does not use is only mentioned
    path = write(tmp_path, b"Name,Stage,Stage\nAcme,lead,customer\n", "other.csv")
    report = cli("accounts", "import", path)
    assert report["created"] == 1 and report["duplicate_columns"] == ["Stage"]


def test_several_columns_for_one_field_use_the_first_with_a_value(cli, tmp_path):
    path = write(tmp_path, b"Name,Company Domain Name,Website URL\nAcme,,https://www.acme.example/\n"
                           b"Globex,globex.example,https://globex.other/\n")
    cli("accounts", "import", path)
    domains = {a["name"]: a["domain"] for a in cli("accounts", "list")}
    assert domains == {"Acme": "acme.example", "Globex": "globex.example"}


@pytest.mark.parametrize("content, expected", [
    (b"PK\x03\x04\x14\x00\x06\x00", "Excel or LibreOffice workbook"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Excel workbook"),
    ("Name,Website\nAcme,acme.com\n".encode("utf-16-le"), "NUL"),  # UTF-16 without a BOM
    (b"", "no data rows"),
    (b"Name,Website\n", "no data rows"),
])
def test_files_that_are_not_csv_text_get_a_sentence(cli, tmp_path, content, expected):
    error = cli("accounts", "import", write(tmp_path, content), expect=2)["error"]
    assert expected in error["message"]


def test_a_folder_or_a_missing_file_is_named(cli, tmp_path):
    assert "is a folder" in cli("accounts", "import", str(tmp_path), expect=2)["error"]["message"]
    missing = cli("accounts", "import", str(tmp_path / "nope.csv"), expect=2)["error"]["message"]
    assert "does not exist" in missing


def test_excels_separator_hint_and_semicolons(cli, tmp_path):
    path = write(tmp_path, b"sep=;\nName;Website\nAcme, Inc.;acme.com\n;\n")
    assert cli("accounts", "import", path)["created"] == 1
    assert names(cli) == ["Acme, Inc."]


def test_an_exported_file_imports_back_with_the_same_names(cli, tmp_path, capsys):
    """The quote the export puts before a formula-like name is taken off again on import."""
    wanted = ["-Minus GmbH", "=Equals AG", "@Home Ltd", "Plain Co"]
    for name in wanted:
        cli("accounts", "add", f"--name={name}")
    cli("export", str(tmp_path / "out"))
    other = tmp_path / "other"
    code, _ = run(other, "accounts", "import", str(tmp_path / "out" / "accounts.csv"),
                  capsys=capsys)
    assert code == 0
    _, listed = run(other, "accounts", "list", capsys=capsys)
    assert sorted(a["name"] for a in listed) == wanted


# --- the reader, property-tested ---------------------------------------------------------------

CELL = st.text(alphabet=st.sampled_from(list("ab Z9é€-=@'\",;\t\n\r")), max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=1, max_size=6),
       delimiter=st.sampled_from([",", ";", "\t"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
       # Python's writer quotes CR or LF only if the line terminator holds them
       style=st.sampled_from([("\r\n", csv.QUOTE_MINIMAL), ("\n", csv.QUOTE_ALL),
                              ("\r\n", csv.QUOTE_ALL)]))
def test_reader_gives_back_every_cell_and_the_line_each_row_starts_on(tmp_path, rows, delimiter,
                                                                      encoding, style):
    terminator, quoting = style
    header = ["Name", "Website", "Notes"]
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator=terminator).writerow(header)
    expected, line = [], 2
    for row in rows:
        chunk = io.StringIO(newline="")
        csv.writer(chunk, delimiter=delimiter, lineterminator=terminator,
                   quoting=quoting).writerow(row)
        out.write(chunk.getvalue())
        if any(cell.strip() for cell in row):
            expected.append((line, [cell.strip() for cell in row]))
        line += len(io.StringIO(chunk.getvalue(), newline="").readlines())
    path = tmp_path / "prop.csv"
    path.write_bytes(out.getvalue().encode(encoding))
    table = read_csv(path)
    assert table.header == header and table.delimiter == delimiter
    assert table.rows == expected
