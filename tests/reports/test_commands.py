"""`workbench scorecard [--period 2026Q3] [--json] [--pdf FILE]` on a real store."""

import json
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from pypdf import PdfReader

from workbench.cli import main
from workbench.domain import scorecard as sc
from workbench.reports.scorecard import load_scorecard


def run(data_dir, capsys, *argv):
    code = main(["--data-dir", str(data_dir), "scorecard", *argv])
    return code, capsys.readouterr()


def test_json_is_the_scorecard_the_reports_layer_computes(sample_store, data_dir, capsys):
    code, out = run(data_dir, capsys, "--period", "2026Q2", "--json")
    assert code == 0
    document = json.loads(out.out)
    assert document == load_scorecard(sample_store, "2026Q2").to_json()
    assert document["partner"]["name"] == "Müller GmbH"
    assert document["metrics"]["open_pipeline"]["value"] == 7_500_000  # money in cents


def shown(metric: dict) -> str:
    """How the PDF prints a metric of the JSON document, worked out from the JSON alone."""
    value, unit = metric["value"], metric["unit"]
    if value is None:
        return "—"
    if unit == "cents":
        return f"${Decimal(value / 100).quantize(Decimal(1), ROUND_HALF_UP):,}"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "hours":
        return f"{value:.1f} h"
    if unit == "days":
        return f"{value} days" if isinstance(value, int) else f"{value:.1f} days"
    return f"{value:,}" if isinstance(value, int) else f"{value:.1f}"


def test_the_pdf_figures_match_the_json(sample_store, data_dir, tmp_path, capsys):
    target = tmp_path / "qbr.pdf"
    code, out = run(data_dir, capsys, "--period", "2026Q2", "--json", "--pdf", str(target))
    assert code == 0
    document = json.loads(out.out)
    assert document["pdf"] == str(target.resolve())
    first_page = [line.strip() for line in PdfReader(target).pages[0].extract_text().splitlines()]
    for key, metric in document["metrics"].items():
        row = next(i for i, line in enumerate(first_page)  # the label (maybe wrapped), its window
                   if line and metric["label"].startswith(line)
                   and metric["window"] in first_page[i + 1:i + 3])
        assert shown(metric) in first_page[row + 1:row + 4], key


def test_text_output_without_json(sample_store, data_dir, tmp_path, capsys):
    code, out = run(data_dir, capsys, "--period", "2026Q3", "--pdf", str(tmp_path / "s.pdf"))
    assert code == 0
    assert out.out.startswith("Müller GmbH — scorecard Q3 2026 (1 Jul 2026 – 30 Sep 2026)")
    assert "Close rate (12 months)" in out.out and "→" in out.out
    assert out.out.rstrip().endswith(f"wrote {(tmp_path / 's.pdf').resolve()}")


def test_the_default_period_is_the_current_quarter(store, data_dir, capsys):
    code, out = run(data_dir, capsys, "--json")
    assert code == 0
    assert json.loads(out.out)["period"]["label"] == sc.quarter_of(datetime.now(UTC)).label


def test_a_bad_period_exits_2_naming_the_option(store, data_dir, capsys):
    code, out = run(data_dir, capsys, "--period", "Q3-2026", "--json")
    assert code == 2
    error = json.loads(out.out)["error"]
    assert error["field"] == "--period"
    assert error["message"] == "--period: expected a quarter such as 2026Q3, got 'Q3-2026'"
    code, out = run(data_dir, capsys, "--period", "2999Q1")
    assert code == 2 and out.err.startswith("error: --period: 2999Q1 has not begun yet")


def test_a_pdf_path_that_cannot_be_written_exits_2_and_writes_nothing(store, data_dir, tmp_path,
                                                                      capsys):
    folder = tmp_path / "out"
    folder.mkdir()
    code, out = run(data_dir, capsys, "--json", "--pdf", str(folder / "missing" / "s.pdf"))
    assert code == 2
    assert json.loads(out.out)["error"]["field"] == "--pdf"
    code, out = run(data_dir, capsys, "--json", "--pdf", str(folder))
    assert code == 2 and "is a folder" in json.loads(out.out)["error"]["message"]
    assert list(folder.iterdir()) == []
