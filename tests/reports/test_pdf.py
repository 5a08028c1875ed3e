"""The QBR scorecard PDF: its numbers are the computed ones, it renders, names keep accents."""

import re
import shutil
import subprocess
from dataclasses import replace

import pytest
from pypdf import PdfReader

from tests.domain import scorecard_sample as sample
from workbench.domain import scorecard as sc
from workbench.reports import fonts
from workbench.reports import texts as report
from workbench.reports.pdf import render_scorecard_pdf
from workbench.reports.scorecard import load_scorecard


@pytest.fixture
def card(sample_store):
    return load_scorecard(sample_store, "2026Q3", now=sample.NOW)


@pytest.fixture
def pdf(card, tmp_path):
    return render_scorecard_pdf(card, tmp_path / "scorecard.pdf", invariant=True)


def pages_text(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


def test_every_kpi_in_the_pdf_is_the_computed_figure(card, pdf):
    first = lines(pages_text(pdf)[0])
    table = " ".join(first[first.index("Key performance indicators"):])
    for row in report.kpi_rows(card):
        assert row.value in first, row.label
        for cell in (row.basis, row.program, row.low, row.typical, row.high, row.rating):
            assert " ".join(cell.split()) in table, (row.label, cell)


def test_the_pdf_shows_the_hand_computed_figures(pdf):
    first = lines(pages_text(pdf)[0])
    for figure in ("4", "66.7%", "14.0 h", "$95,000", "75.0%", "$75,000", "41.7 days", "$225,000",
                   "$165,000", "$30,000", "40.0%", "75 days", "60.0%", "33.5", "50.5", "58",
                   "3.25", "62.5%", "$50,000", "45.5 days"):
        assert figure in first, figure
    # the KPI table pairs each figure with its metric
    assert first[first.index("Close rate") + 1:first.index("Close rate") + 5] == [
        "12 months", "75.0%", "3 of 4", "62.5%"]
    assert first[first.index("Registration-to-close conversion") + 1:][:7] == [
        "12 months", "40.0%", "2 of 5", "<10%", "15-25%", ">30%", "high"]
    tiles = " ".join(first[:first.index("Key performance indicators")])
    assert "$225,000" in tiles and "58 pts" in tiles and "Gold · 22 pts to Platinum" in tiles
    assert "3 of 4 · 12.5 pts above program (62.5%)" in tiles


def test_the_charts_carry_the_pipeline_funnel_and_revenue_mix(pdf):
    charts = lines(pages_text(pdf)[1])
    assert "$20K · 1 deal" in charts and "$75K · 1 deal" in charts  # stages 1 and 3
    assert charts[charts.index("Submitted") + 1:charts.index("Submitted") + 5] == [
        "5", "Approved", "3  (60.0%)", "Won"]
    assert "Partner-sourced: $165,000 (84.6%) · 2 deals" in charts
    assert "Partner-influenced: $30,000 (15.4%) · 1 deal" in charts


def test_tier_progress_and_top_accounts(card, pdf):
    text = pages_text(pdf)[2]
    flat = " ".join(lines(text))
    assert "To reach Platinum (22 more points): " + sc.steps_text(card.tier.steps) in flat
    rows = lines(text)
    first = rows.index("Müller Logistik AG")
    assert rows[first - 1:first + 4] == ["1", "Müller Logistik AG", "1", "$120,000", "$75,000"]
    second = rows.index("Société Générale")
    assert rows[second - 1:second + 4] == ["2", "Société Générale", "2", "$105,000", "—"]


def test_cover_names_partner_period_and_when_the_data_is_from(pdf):
    first = lines(pages_text(pdf)[0])
    assert first[1:3] == ["Müller GmbH", "Q3 2026 (1 Jul 2026 – 30 Sep 2026)"]
    assert ("Figures as of 15 Aug 2026, 12:00 UTC   ·   Data as of last sync: "
            "15 Aug 2026, 09:00 UTC") in first
    assert "SILVER" in first


def test_every_page_says_page_n_of_m(pdf):
    texts = pages_text(pdf)
    assert len(texts) == 3
    for number, text in enumerate(texts, 1):
        assert f"Page {number} of 3" in text
        assert "Müller GmbH · Partner scorecard Q3 2026" in text


def test_metadata_has_title_author_and_the_period(pdf):
    meta = PdfReader(pdf).metadata
    assert meta.title == "Partner scorecard — Müller GmbH — 2026Q3"
    assert meta.author == "Müller GmbH"
    assert meta.subject == "Quarterly business review scorecard, Q3 2026 (1 Jul 2026 – 30 Sep 2026)"


def embedded_fonts(path) -> set[str]:
    names = set()
    for page in PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert "/FontFile2" in font["/FontDescriptor"]  # the TrueType program is embedded
            names.add(re.sub(r"^/[A-Z]{6}\+", "", font["/BaseFont"]))
    return names


def test_only_the_embedded_dejavu_fonts_are_used(pdf):
    assert embedded_fonts(pdf) == {"DejaVuSans", "DejaVuSans-Bold"}  # no fallback needed here


CJK_ACCOUNTS = ("株式会社テスト", "北京科技有限公司", "삼성전자 주식회사", "Café ☕ Ünïcode 🚀 Ltd")


def test_names_in_any_script_print_and_extract_as_text(card, tmp_path):
    """Issue: the QBR PDF printed 株式会社テスト as □□□□□□□. Each run of text DejaVu lacks is set
    in an embedded CJK subset; an emoji no font has keeps the rest of its line intact."""
    accounts = tuple(replace(card.top_accounts[index % len(card.top_accounts)], name=name)
                     for index, name in enumerate(CJK_ACCOUNTS))
    cjk = sc.Scorecard(**{**card.__dict__, "partner_name": "株式会社テスト・パートナーズ",
                          "top_accounts": accounts})
    path = render_scorecard_pdf(cjk, tmp_path / "cjk.pdf")
    texts = pages_text(path)
    assert "株式会社テスト・パートナーズ" in lines(texts[0])[:3]  # the cover
    footer = " ".join(texts[1].split())  # pypdf breaks the line where the font changes
    assert "株式会社テスト・パートナーズ · Partner scorecard Q3 2026" in footer
    rows = lines(texts[2])
    for name in CJK_ACCOUNTS[:3]:
        assert name in rows, name
    # the rocket has no glyph in any bundled font: a box, and the rest of the row stays whole
    assert any(row.startswith("Café ☕ Ünïcode ") and row.endswith(" Ltd") for row in rows)
    assert {"DroidSansFallback", "NanumSquareR"} <= embedded_fonts(path)
    done, pngs = pdftoppm(path, tmp_path)
    assert done.returncode == 0 and done.stderr == ""


def test_a_run_goes_to_the_first_font_with_its_glyphs():
    assert list(fonts.runs("ACME 株式会社 삼성 GmbH")) == [
        ("DejaVuSans", "ACME "), ("WorkbenchHan", "株式会社"), ("DejaVuSans", " "),
        ("WorkbenchHangul", "삼성"), ("DejaVuSans", " GmbH")]
    assert fonts.markup("R&D 株式") == 'R&amp;D <font name="WorkbenchHan">株式</font>'
    assert list(fonts.runs("🚀 Ltd")) == [("DejaVuSans", "🚀 Ltd")]  # no font has it: stays put


def test_invariant_output_is_byte_identical(card, pdf, tmp_path):
    again = render_scorecard_pdf(card, tmp_path / "again.pdf", invariant=True)
    assert again.read_bytes() == pdf.read_bytes()


def pdftoppm(pdf, tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing: install poppler-utils (scripts/test.sh does)")
    done = subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")],
                          capture_output=True, text=True, timeout=60)
    return done, sorted(tmp_path.glob("page-*.png"))


def test_pdftoppm_renders_every_page_without_errors(pdf, tmp_path):
    done, pngs = pdftoppm(pdf, tmp_path)
    assert done.returncode == 0 and done.stderr == ""
    assert len(pngs) == 3 and all(p.stat().st_size > 5_000 for p in pngs)


def test_a_partner_without_data_gets_a_clean_pdf_that_says_never_synced(store, tmp_path):
    card = load_scorecard(store, "2026Q3", now=sample.NOW)
    path = render_scorecard_pdf(card, tmp_path / "empty.pdf")
    texts = pages_text(path)
    assert "Data as of last sync: never synced" in texts[0]
    assert "No open opportunities" in texts[1]
    assert "No registrations submitted in the last 12 months" in texts[1]
    assert "No deals won in the last 12 months." in texts[2]
    done, pngs = pdftoppm(path, tmp_path)
    assert done.returncode == 0 and done.stderr == "" and len(pngs) == len(texts)


def test_a_long_accented_partner_name_wraps_on_the_cover(card, tmp_path):
    name = "Société Générale Européenne de Solutions Numériques et Services Cloud Åland Øst"
    long_named = sc.Scorecard(**{**card.__dict__, "partner_name": name})
    path = render_scorecard_pdf(long_named, tmp_path / "long.pdf")
    cover = " ".join(lines(pages_text(path)[0])[:4])
    assert name in cover
    assert PdfReader(path).metadata.author == name


def test_rendering_replaces_the_file_only_when_complete(card, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "scorecard.pdf"
    target.write_bytes(b"old")
    render_scorecard_pdf(card, target)
    assert target.read_bytes().startswith(b"%PDF")
    assert [p.name for p in folder.iterdir()] == ["scorecard.pdf"]  # no temporary left over


def test_the_definitions_name_the_programs_lead_sla_and_how_nps_scores(card, tmp_path):
    """The footnote said '48 hours' whatever the program's SLA and that NPS 'is not recorded in
    the workbench' beside a satisfaction criterion scored from it."""
    path = render_scorecard_pdf(replace(card, lead_sla_hours=24), tmp_path / "sla.pdf")
    text = " ".join(" ".join(lines(page)) for page in pages_text(path))
    assert "first contact within 24 hours of assignment" in text
    assert "within 48 hours" not in text and "not recorded in the workbench" not in text
    assert "latest NPS survey" in text
