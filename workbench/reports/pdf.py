"""The QBR scorecard as a PDF (reportlab platypus + reportlab.graphics).

Page 1: cover band (partner, period, figures as of, data as of the last sync), headline tiles and
the KPI table with the seed 003 benchmark bands. Page 2: charts — pipeline by stage, closed-won
revenue by month, the registration funnel, the engagement trend. Then tier progress with what
would close the gap, top accounts and how the figures are computed. "Page N of M" on every page.

DejaVu Sans is embedded (workbench/resources/fonts) so "Müller GmbH" and "Société Générale"
render everywhere, with CJK fallback fonts per run of text (reports/fonts.py) for 株式会社テスト.
`invariant=True` makes the output byte-identical for the same scorecard.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    LongTable,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from workbench import __version__
from workbench.domain import scorecard as sc
from workbench.domain.scorecard import Scorecard
from workbench.reports import texts as text
from workbench.reports.fonts import FONT, FONT_BOLD, draw_string, register_fonts
from workbench.reports.fonts import markup as _escape
from workbench.reports.fonts import shortened as _shortened

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 16 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
BAND_HEIGHT = 132
COVER_GAP = 20  # between the cover band and the first flowable

NAVY = colors.HexColor("#1F3A5F")
TEAL = colors.HexColor("#2A9D8F")
TEAL_LIGHT = colors.HexColor("#9ED8D0")
INK = colors.HexColor("#1E2430")
MUTED = colors.HexColor("#5F6B7A")
RULE = colors.HexColor("#D5DBE3")
ZEBRA = colors.HexColor("#F4F6F9")
SERIES = [colors.HexColor(c) for c in ("#2A9D8F", "#1F3A5F", "#E9A23B", "#7A8BA6")]

# rating -> (background, text) of its chip
RATING_COLOURS = {
    "low": ("#F8D7DA", "#842029"), "disengaged": ("#F8D7DA", "#842029"),
    "below typical": ("#FCE9C8", "#7A4B00"),
    "typical": ("#E3ECF5", "#1F3A5F"), "moderate": ("#E3ECF5", "#1F3A5F"),
    "above typical": ("#D6F0E4", "#17603F"), "strong": ("#D6F0E4", "#17603F"),
    "high": ("#B9E5CF", "#0F5132"), "top": ("#B9E5CF", "#0F5132"),
}
TIER_COLOURS = {"bronze": "#B08D57", "silver": "#9AA5B1", "gold": "#D4A72C", "platinum": "#5B7DB1"}


def render_scorecard_pdf(scorecard: Scorecard, path: Path, *, invariant: bool = False) -> Path:
    """Write the scorecard PDF to `path` (replaced only once complete) and return the path."""
    path = Path(path)
    register_fonts()
    # A new file beside the target (created with the user's usual permissions), renamed over it.
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
    try:
        document = _document(scorecard, str(temporary), invariant)
        document.build(_story(scorecard), canvasmaker=_canvas_maker(scorecard))
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


# ---------------------------------------------------------------------------------------------
# Fonts, styles, document

def _style(name: str, size: float, *, bold: bool = False, colour: Any = INK,
           leading: float | None = None, **extra: Any) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=FONT_BOLD if bold else FONT, fontSize=size,
                          leading=leading or size * 1.3, textColor=colour, **extra)


BODY = _style("body", 8.5)
SMALL = _style("small", 7.5, colour=MUTED)
CELL = _style("cell", 7.5, leading=9.2)
CELL_BOLD = _style("cell-bold", 7.5, bold=True, leading=9.2)
CELL_RIGHT = _style("cell-right", 7.5, leading=9.2, alignment=TA_RIGHT)
CELL_RIGHT_BOLD = _style("cell-right-bold", 7.5, bold=True, leading=9.2, alignment=TA_RIGHT)
HEAD = _style("head", 7, bold=True, colour=colors.white, leading=8.5)
HEAD_RIGHT = _style("head-right", 7, bold=True, colour=colors.white, leading=8.5,
                    alignment=TA_RIGHT)
H1 = _style("h1", 13, bold=True, colour=NAVY, spaceBefore=4, spaceAfter=6)
H2 = _style("h2", 9.5, bold=True, colour=NAVY, spaceAfter=3)


def _table_style(commands: list[tuple[Any, ...]]) -> TableStyle:
    """A table style whose default font is ours (reportlab's default would pull in Helvetica)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), *commands])


def _drawing(width: float, height: float) -> Drawing:
    return Drawing(width, height, initialFontName=FONT, initialFontSize=8)


def _document(card: Scorecard, filename: str, invariant: bool) -> BaseDocTemplate:
    title = f"Partner scorecard — {card.partner_name} — {card.period.label}"
    document = BaseDocTemplate(
        filename, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN + 8, title=title, author=card.partner_name,
        subject=f"Quarterly business review scorecard, {text.period_text(card)}",
        creator=f"Partner Workbench {__version__}",
        keywords=["scorecard", "QBR", card.period.label],
        invariant=1 if invariant else 0, initialFontName=FONT, lang="en")
    body_height = PAGE_HEIGHT - 2 * MARGIN - 8
    first = Frame(MARGIN, MARGIN + 8, CONTENT_WIDTH,
                  PAGE_HEIGHT - BAND_HEIGHT - COVER_GAP - MARGIN - 8, id="first",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    later = Frame(MARGIN, MARGIN + 8, CONTENT_WIDTH, body_height, id="later",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    document.addPageTemplates([
        PageTemplate("cover", [first], onPage=lambda c, d: _cover_band(c, card),
                     autoNextPageTemplate="body"),
        PageTemplate("body", [later], onPage=lambda c, d: _running_header(c, card)),
    ])
    return document


def _canvas_maker(card: Scorecard) -> type[pdfcanvas.Canvas]:
    suffix = f" · Partner scorecard {card.period.title}"
    footer = _shortened(card.partner_name, FONT, 7, CONTENT_WIDTH - 120 -
                        pdfmetrics.stringWidth(suffix, FONT, 7)) + suffix

    class NumberedCanvas(pdfcanvas.Canvas):
        """Holds pages back until the end so each footer can say "Page N of M"."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for number, state in enumerate(self._pages, 1):
                self.__dict__.update(state)
                self._footer(number, len(self._pages))
                super().showPage()
            super().save()

        def _footer(self, number: int, total: int) -> None:
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN, MARGIN, PAGE_WIDTH - MARGIN, MARGIN)
            self.setFont(FONT, 7)
            self.setFillColor(MUTED)
            draw_string(self, MARGIN, MARGIN - 10, footer, FONT, 7)
            self.drawRightString(PAGE_WIDTH - MARGIN, MARGIN - 10, f"Page {number} of {total}")

    return NumberedCanvas


def _cover_band(canvas: pdfcanvas.Canvas, card: Scorecard) -> None:
    """Navy band: what this is, the partner (up to two lines), the period, when the data is from."""
    top = PAGE_HEIGHT
    canvas.saveState()
    canvas.setFillColor(NAVY)
    canvas.rect(0, top - BAND_HEIGHT, PAGE_WIDTH, BAND_HEIGHT, stroke=0, fill=1)
    canvas.setFillColor(TEAL)
    canvas.rect(0, top - BAND_HEIGHT, PAGE_WIDTH, 4, stroke=0, fill=1)
    canvas.setFillColor(TEAL_LIGHT)
    canvas.setFont(FONT_BOLD, 8)
    canvas.drawString(MARGIN, top - 30, "PARTNER SCORECARD  ·  QUARTERLY BUSINESS REVIEW")
    name = _cover_name(card.partner_name, CONTENT_WIDTH - 130)
    _, height = name.wrap(CONTENT_WIDTH - 130, 80)
    name.drawOn(canvas, MARGIN, top - 40 - height)
    y = top - 40 - height - 18
    canvas.setFillColor(colors.white)
    canvas.setFont(FONT, 11.5)
    canvas.drawString(MARGIN, y, text.period_text(card))
    canvas.setFillColor(TEAL_LIGHT)
    canvas.setFont(FONT, 8)
    canvas.drawString(MARGIN, y - 19, f"Figures as of {text.timestamp_text(card.as_of)}   ·   "
                                      f"Data as of last sync: {text.data_as_of_text(card)}")
    if card.recorded_tier:
        _tier_badge(canvas, card.recorded_tier, PAGE_WIDTH - MARGIN, top - 38)
    canvas.restoreState()


def _cover_name(name: str, width: float) -> Paragraph:
    """The partner's name on one line (24 down to 18 pt), else on two (18 down to 14 pt);
    cut short with "…" if even that does not fit. The band has room for no more."""
    for size, most_lines in [*((size, 1) for size in range(24, 17, -1)),
                             *((size, 2) for size in range(18, 13, -1))]:
        paragraph = _name_paragraph(name, size)
        paragraph.wrap(width, 200)
        if len(paragraph.blPara.lines) <= most_lines:
            return paragraph
    return _name_paragraph(_shortened(name, FONT_BOLD, 14, 1.6 * width), 14)


def _name_paragraph(name: str, size: int) -> Paragraph:
    return Paragraph(_escape(name), _style(f"cover-name-{size}", size, bold=True,
                                           colour=colors.white, leading=size * 1.15))


def _tier_badge(canvas: pdfcanvas.Canvas, tier: str, right: float, top: float) -> None:
    label = tier.upper()
    width = pdfmetrics.stringWidth(label, FONT_BOLD, 10) + 24
    canvas.setFillColor(colors.HexColor(TIER_COLOURS.get(tier, "#7A8BA6")))
    canvas.roundRect(right - width, top - 22, width, 22, 11, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    canvas.setFont(FONT_BOLD, 10)
    canvas.drawCentredString(right - width / 2, top - 15, label)
    canvas.setFont(FONT, 6.5)
    canvas.setFillColor(TEAL_LIGHT)
    canvas.drawRightString(right, top - 33, "current tier (vendor record)")


def _running_header(canvas: pdfcanvas.Canvas, card: Scorecard) -> None:
    canvas.saveState()
    canvas.setFillColor(NAVY)
    canvas.rect(0, PAGE_HEIGHT - 6, PAGE_WIDTH, 6, stroke=0, fill=1)
    canvas.restoreState()


# ---------------------------------------------------------------------------------------------
# Story


def _story(card: Scorecard) -> list[Flowable]:
    return [
        _headline_tiles(card), Spacer(1, 14),
        Paragraph("Key performance indicators", H1), _kpi_table(card),
        Spacer(1, 4),
        Paragraph("Benchmarks: low / typical / high bands from seed 003 §3 (engagement score: "
                  "seed 003 §4 scale). Program: the program average the vendor published. "
                  "“—”: not enough data.", SMALL),
        PageBreak(),
        Paragraph("Pipeline and performance", H1), _charts(card),
        PageBreak(),
        Paragraph("Tier progress", H1), *_tier_section(card), Spacer(1, 16),
        *_top_accounts(card), Spacer(1, 16),
        CondPageBreak(150), *_definitions(card),
    ]


def _headline_tiles(card: Scorecard) -> Table:
    revenue = card.measure("closed_revenue_12m")
    pipeline = card.measure("open_pipeline")
    close = card.measure("close_rate_12m")
    tier = card.tier.score
    tiles = [
        ("Closed-won revenue", text.value_text(revenue),
         f"last 12 months · {text.basis_text(revenue)}"),
        ("Open pipeline", text.value_text(pipeline), text.basis_text(pipeline)),
        ("Close rate", text.value_text(close), _versus_program(close)),
        ("Tier qualification", f"{tier.total} pts", _tier_line(card)),
    ]
    label = _style("tile-label", 7, bold=True, colour=MUTED)
    sub = _style("tile-sub", 7, colour=MUTED, leading=8.6)
    width = (CONTENT_WIDTH - 3 * 8) / 4
    size = min(_fitting_size(v, width - 14, 17) for _, v, _ in tiles)
    figure = _style("tile-figure", size, bold=True, colour=NAVY, leading=21)
    cells = [[Paragraph(t.upper(), label), Paragraph(_escape(v), figure),
              Paragraph(_escape(s), sub)] for t, v, s in tiles]
    table = Table([[_stack(c, width) for c in cells]], colWidths=[width + 8] * 3 + [width])
    table.setStyle(_table_style([("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                               ("RIGHTPADDING", (-1, 0), (-1, -1), 0),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _fitting_size(value: str, width: float, largest: float) -> float:
    """The largest bold font size (in half points, down to 10) at which `value` fits `width`."""
    size = largest
    while size > 10 and pdfmetrics.stringWidth(value, FONT_BOLD, size) > width:
        size -= 0.5
    return size


def _stack(paragraphs: list[Paragraph], width: float) -> Table:
    tile = Table([[p] for p in paragraphs], colWidths=[width], rowHeights=[12, 24, 20])
    tile.setStyle(_table_style([
        ("BACKGROUND", (0, 0), (-1, -1), ZEBRA), ("LINEABOVE", (0, 0), (-1, 0), 2.5, TEAL),
        ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, 0), 7), ("TOPPADDING", (0, 1), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
        ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return tile


def _versus_program(measure: sc.Measure) -> str:
    if measure.program is None or measure.value is None:
        return text.basis_text(measure) or "no program average published"
    gap = measure.value - measure.program.value
    direction = "above" if gap > 0 else "below" if gap < 0 else "level with"
    amount = f"{abs(gap)} pts " if gap else ""
    return (f"{text.basis_text(measure)} · {amount}{direction} program "
            f"({text.program_text(measure)})")


def _tier_line(card: Scorecard) -> str:
    score = card.tier.score
    if score.next_tier is None:
        return f"{score.tier.title()} — top tier"
    return f"{score.tier.title()} · {score.points_to_next} pts to {score.next_tier.title()}"


KPI_COLUMNS = (("Metric", 150, CELL_BOLD, HEAD), ("Value", 60, CELL_RIGHT_BOLD, HEAD_RIGHT),
               ("Basis", 64, CELL, HEAD), ("Program", 48, CELL_RIGHT, HEAD_RIGHT),
               ("Low", 34, CELL, HEAD), ("Typical", 44, CELL, HEAD), ("High", 34, CELL, HEAD),
               ("Rating", 0, CELL, HEAD))  # the rest, about 70 pt: "above typical" on one line


def _kpi_table(card: Scorecard) -> Table:
    fixed = sum(width for _, width, _, _ in KPI_COLUMNS)
    widths = [width or CONTENT_WIDTH - fixed for _, width, _, _ in KPI_COLUMNS]
    header = [Paragraph(name, head) for name, _, _, head in KPI_COLUMNS]
    rows, styles = [header], _column_styles()
    for index, row in enumerate(text.kpi_rows(card), 1):
        metric = (f"{_escape(row.label)}<br/><font name='{FONT}' size='6.5' color='#5F6B7A'>"
                  f"{_escape(row.window)}</font>")
        values = (row.value, row.basis, row.program, row.low, row.typical, row.high, row.rating)
        rows.append([Paragraph(metric, CELL_BOLD)] +
                    [_cell(v, style, width)
                     for v, (_, _, style, _), width in zip(values, KPI_COLUMNS[1:], widths[1:], strict=True)])
        styles += _rating_chip(index, row.rating)
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(_table_style([
        ("BACKGROUND", (0, 0), (-1, 0), NAVY),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA]),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.6), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 5), ("RIGHTPADDING", (0, 0), (-1, -1), 5),
        *styles]))
    return table


def _cell(value: str, style: ParagraphStyle, width: float) -> str | Paragraph:
    """Plain text when it fits on one line (far cheaper to lay out), else a wrapping Paragraph.
    The column's font, colour and alignment for plain text come from `_column_styles`."""
    if pdfmetrics.stringWidth(value, style.fontName, style.fontSize) <= width - 10:
        return value
    return Paragraph(_escape(value), style)


def _column_styles() -> list[tuple[Any, ...]]:
    """Table commands giving plain-text cells the look of each KPI column's paragraph style."""
    commands: list[tuple[Any, ...]] = []
    for column, (_, _, style, _) in enumerate(KPI_COLUMNS):
        cells = ((column, 1), (column, -1))
        commands += [("FONTNAME", *cells, style.fontName), ("FONTSIZE", *cells, style.fontSize),
                     ("TEXTCOLOR", *cells, style.textColor),
                     ("ALIGN", *cells, "RIGHT" if style.alignment == TA_RIGHT else "LEFT")]
    return commands


def _rating_chip(row: int, rating: str) -> list[tuple[Any, ...]]:
    """The rating cell of `row` in its colours, bold."""
    if rating not in RATING_COLOURS:
        return []
    background, ink = RATING_COLOURS[rating]
    return [("BACKGROUND", (-1, row), (-1, row), colors.HexColor(background)),
            ("TEXTCOLOR", (-1, row), (-1, row), colors.HexColor(ink)),
            ("FONTNAME", (-1, row), (-1, row), FONT_BOLD)]


# ---------------------------------------------------------------------------------------------
# Charts

CHART_WIDTH = (CONTENT_WIDTH - 18) / 2
CHART_HEIGHT = 258


def _charts(card: Scorecard) -> Table:
    cells = [
        [_chart_title("Open pipeline by stage", "amount and number of open deals"),
         _chart_title("Closed-won revenue by month", "last 12 months; the latest month so far")],
        [_pipeline_chart(card.pipeline), _revenue_chart(card.revenue_by_month)],
        [_chart_title("Registration funnel", "registrations submitted in the last 12 months"),
         _chart_title("Engagement score by month",
                      "seed 003 §4 formula and bands; the latest month so far")],
        [_funnel_chart(card.funnel), _engagement_chart(card.engagement_by_month)],
        [_chart_title("Revenue credit: partner-sourced and partner-influenced",
                      "won deals of the last 12 months, at this partner's credited split"), ""],
        [_revenue_mix(card.measure("sourced_revenue_12m"),
                      card.measure("influenced_revenue_12m")), ""],
    ]
    table = Table(cells, colWidths=[CHART_WIDTH + 18, CHART_WIDTH])
    table.setStyle(_table_style([("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 0),
                               ("BOTTOMPADDING", (0, 1), (-1, 1), 20),
                               ("BOTTOMPADDING", (0, 3), (-1, 3), 20),
                               ("SPAN", (0, 4), (1, 4)), ("SPAN", (0, 5), (1, 5)),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _revenue_mix(sourced: sc.Measure, influenced: sc.Measure) -> Drawing:
    """One bar split into the sourced and the influenced credit, each labelled with its share."""
    drawing = _frame(_drawing(CONTENT_WIDTH, 58))
    total = int((sourced.value or 0) + (influenced.value or 0))
    if not total:
        return _empty(drawing, "No partner-credited revenue in the last 12 months")
    left, bar_width, y, height = 12, CONTENT_WIDTH - 24, 26, 18
    x = left
    for index, measure in enumerate((sourced, influenced)):
        share = sc.percent(int(measure.value or 0), total)
        width = bar_width * (measure.value or 0) / total
        if width:
            drawing.add(Rect(x, y, width, height, fillColor=SERIES[index], strokeColor=None))
        legend_x = left + index * bar_width / 2
        drawing.add(Rect(legend_x, 8, 7, 7, fillColor=SERIES[index], strokeColor=None))
        name = "Partner-sourced" if index == 0 else "Partner-influenced"
        drawing.add(String(legend_x + 11, 8.5, f"{name}: {text.value_text(measure)} ({share}%)"
                           f" · {text.basis_text(measure)}", fontName=FONT, fontSize=7.5,
                           fillColor=INK))
        x += width
    return drawing


def _chart_title(title: str, subtitle: str) -> Paragraph:
    return Paragraph(f"<b>{title}</b><br/><font color='#5F6B7A' size='7'>{subtitle}</font>",
                     _style("chart-title", 9.5, colour=NAVY, leading=11, spaceAfter=4))


def _frame(drawing: Drawing) -> Drawing:
    drawing.add(Rect(0, 0, drawing.width, drawing.height, fillColor=None, strokeColor=RULE,
                     strokeWidth=0.6), name="frame")
    return drawing


def _empty(drawing: Drawing, message: str) -> Drawing:
    drawing.add(String(drawing.width / 2, drawing.height / 2, message, fontName=FONT,
                       fontSize=8.5, fillColor=MUTED, textAnchor="middle"))
    return drawing


def _style_axis_labels(axis: Any, size: float = 6.5) -> None:
    axis.labels.fontName = FONT
    axis.labels.fontSize = size
    axis.labels.fillColor = MUTED
    axis.strokeColor = RULE


def _pipeline_chart(stages: Sequence[sc.StageTotal]) -> Drawing:
    drawing = _frame(_drawing(CHART_WIDTH, CHART_HEIGHT))
    if not any(s.deals for s in stages):
        return _empty(drawing, "No open opportunities")
    ordered = list(reversed(stages))  # the chart draws bottom-up; the first stage goes on top
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 66, 24, CHART_WIDTH - 66 - 74, CHART_HEIGHT - 36
    chart.data = [[s.amount_cents / 100 for s in ordered]]
    chart.categoryAxis.categoryNames = [s.name for s in ordered]
    chart.bars[0].fillColor = TEAL
    chart.bars[0].strokeColor = None
    chart.barWidth = 10
    chart.groupSpacing = 12
    _money_axis(chart.valueAxis, max(s.amount_cents for s in ordered))
    _style_axis_labels(chart.categoryAxis, 7)
    chart.categoryAxis.labels.fillColor = INK
    chart.categoryAxis.tickLeft = 0
    chart.barLabelFormat = "values"
    chart.barLabelArray = [[_pipeline_label(s) for s in ordered]]
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 6.5
    chart.barLabels.fillColor = INK
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def _pipeline_label(stage: sc.StageTotal) -> str:
    if not stage.deals:
        return ""
    plural = "s" if stage.deals != 1 else ""
    return f"{text.money_short(stage.amount_cents)} · {stage.deals} deal{plural}"


def _money_axis(axis: Any, largest_cents: int) -> None:
    _style_axis_labels(axis)
    axis.valueMin = 0
    axis.valueMax = _nice_ceiling(largest_cents / 100)
    axis.valueStep = axis.valueMax / 4
    axis.labelTextFormat = lambda dollars: text.money_short(dollars * 100)
    axis.visibleGrid = 1
    axis.gridStrokeColor = colors.HexColor("#E8ECF1")
    axis.gridStrokeWidth = 0.5


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 4, 5, 8 × 10^n that is ≥ value: an axis top with tidy quarters."""
    if value <= 0:
        return 4
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 4, 5, 8, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _revenue_chart(months: Sequence[sc.MonthValue]) -> Drawing:
    drawing = _frame(_drawing(CHART_WIDTH, CHART_HEIGHT))
    if not any(m.value for m in months):
        return _empty(drawing, "No deals won in the last 12 months")
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 38, 30, CHART_WIDTH - 46, CHART_HEIGHT - 44
    chart.data = [[m.value / 100 for m in months]]
    chart.categoryAxis.categoryNames = [_month_label(m.month, i) for i, m in enumerate(months)]
    chart.bars[0].fillColor = NAVY
    chart.bars[0].strokeColor = None
    chart.groupSpacing = 3
    _money_axis(chart.valueAxis, max(int(m.value) for m in months))
    _month_axis(chart.categoryAxis)
    drawing.add(chart)
    return drawing


def _month_label(month: str, index: int) -> str:
    """"Sep" — with the year under every January ("Jan\\n2026"), and under the first month
    unless a January follows within two months (the two years would collide)."""
    year, number = month.split("-")
    name = ("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec").split()[int(number) - 1]
    first_with_year = index == 0 and int(number) <= 10
    return f"{name}\n{year}" if first_with_year or number == "01" else name


def _funnel_chart(funnel: sc.Funnel) -> Drawing:
    """Centred bars, widest at the top: submitted → approved → won, with the share kept."""
    drawing = _frame(_drawing(CHART_WIDTH, CHART_HEIGHT))
    if not funnel.submitted:
        return _empty(drawing, "No registrations submitted in the last 12 months")
    steps = (("Submitted", funnel.submitted), ("Approved", funnel.approved), ("Won", funnel.won))
    label_width, bar_area = 58, CHART_WIDTH - 58 - 14
    row_height, top = (CHART_HEIGHT - 40) / 3, CHART_HEIGHT - 20
    for index, (name, count) in enumerate(steps):
        y = top - (index + 1) * row_height + 8
        width = max(bar_area * count / funnel.submitted, 2)
        x = label_width + (bar_area - width) / 2
        bar_height = min(28.0, row_height - 26)
        y += (row_height - 26 - bar_height) / 2
        drawing.add(Rect(x, y, width, bar_height, fillColor=SERIES[index], strokeColor=None))
        drawing.add(String(8, y + bar_height / 2 - 3, name, fontName=FONT_BOLD,
                           fontSize=7.5, fillColor=INK))
        share = "" if index == 0 else f"  ({sc.percent(count, funnel.submitted)}%)"
        _funnel_value(drawing, f"{count:,}{share}", x, width, y + bar_height / 2 - 3,
                      inside=width > 90)
    return drawing


def _funnel_value(drawing: Drawing, label: str, x: float, width: float, y: float, *,
                  inside: bool) -> None:
    if inside:
        drawing.add(String(x + width / 2, y, label, fontName=FONT_BOLD, fontSize=8,
                           fillColor=colors.white, textAnchor="middle"))
    else:
        drawing.add(String(x + width + 5, y, label, fontName=FONT_BOLD, fontSize=8,
                           fillColor=INK))


# Seed 003 §4 engagement scale, shaded behind the trend: (from, to, name, colour)
ENGAGEMENT_ZONES = ((0, 10, "disengaged", "#FBEDEE"), (10, 25, "moderate", "#F3F5F8"),
                    (25, 50, "strong", "#EAF6F0"), (50, None, "top", "#DDF1E7"))


def _engagement_chart(months: Sequence[sc.MonthValue]) -> Drawing:
    drawing = _frame(_drawing(CHART_WIDTH, CHART_HEIGHT))
    if not any(m.value for m in months):
        return _empty(drawing, "No portal activity in the last 12 months")
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 32, 30, CHART_WIDTH - 44, CHART_HEIGHT - 44
    chart.data = [[float(m.value) for m in months]]
    chart.categoryAxis.categoryNames = [_month_label(m.month, i) for i, m in enumerate(months)]
    top = _nice_ceiling(max(60.0, max(float(m.value) for m in months) * 1.1))
    _style_axis_labels(chart.valueAxis)
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, top
    chart.valueAxis.valueStep = top / 4
    chart.valueAxis.labelTextFormat = "%d"
    _month_axis(chart.categoryAxis)
    chart.lines[0].strokeColor = TEAL
    chart.lines[0].strokeWidth = 1.6
    chart.lines[0].symbol = makeMarker("FilledCircle", size=3.2, fillColor=TEAL,
                                       strokeColor=colors.white)
    chart.joinedLines = 1
    _engagement_zones(drawing, chart, top)
    drawing.add(chart)
    return drawing


def _engagement_zones(drawing: Drawing, chart: HorizontalLineChart, top: float) -> None:
    """Shade the seed's bands behind the line; name those tall enough to carry a label."""
    for start, end, name, colour in ENGAGEMENT_ZONES:
        low = chart.y + chart.height * start / top
        high = chart.y + chart.height * (end if end is not None else top) / top
        drawing.add(Rect(chart.x, low, chart.width, high - low, strokeColor=None,
                         fillColor=colors.HexColor(colour)))
        if high - low >= 10:
            limit = f">{start}" if end is None else f"{start}-{end}" if start else f"<{end}"
            drawing.add(String(chart.x + chart.width - 3, high - 8, f"{name} {limit}",
                               fontName=FONT, fontSize=6, fillColor=MUTED, textAnchor="end"))


def _month_axis(axis: Any) -> None:
    _style_axis_labels(axis, 6)
    axis.labels.boxAnchor = "n"
    axis.labels.dy = -2
    axis.tickDown = 0


# ---------------------------------------------------------------------------------------------
# Tier, accounts, definitions

CRITERION_NAMES = {"sourced_revenue": "Partner-sourced revenue (12 months)",
                   "registrations": "Deal registrations this quarter",
                   "certification": "Training / certification",
                   "satisfaction": "Customer satisfaction (NPS)",
                   "engagement": "Engagement score (90 days)"}
CRITERION_MAX = {"sourced_revenue": 30, "registrations": 15, "certification": 15,
                 "satisfaction": 20, "engagement": 20}


def _tier_section(card: Scorecard) -> list[Flowable]:
    score = card.tier.score
    gap = (f"<b>To reach {score.next_tier.title()}</b> ({score.points_to_next} more points): "
           f"{_escape(sc.steps_text(card.tier.steps))}." if score.next_tier else
           f"<b>{score.tier.title()}</b> ({score.total} points) is the top tier.")
    box = Table([[Paragraph(gap, _style("gap", 9, colour=INK, leading=12.5))]],
                colWidths=[CONTENT_WIDTH])
    box.setStyle(_table_style([("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#E9F6F4")),
                             ("LINEBEFORE", (0, 0), (0, -1), 3, TEAL),
                             ("LEFTPADDING", (0, 0), (-1, -1), 10),
                             ("TOPPADDING", (0, 0), (-1, -1), 7),
                             ("BOTTOMPADDING", (0, 0), (-1, -1), 8)]))
    return [KeepTogether([_tier_bar(score.total, score.tier), Spacer(1, 10), box,
                          Spacer(1, 10), _criteria_table(card)])]


def _tier_bar(points: int, tier: str) -> Drawing:
    drawing = _drawing(CONTENT_WIDTH, 62)
    left, width, y, height = 0, CONTENT_WIDTH, 22, 16
    zones = (("Bronze", 0, 30), ("Silver", 30, 55), ("Gold", 55, 80), ("Platinum", 80, 100))
    for name, start, end in zones:
        x = left + width * start / 100
        zone_width = width * (end - start) / 100
        active = name.lower() == tier
        drawing.add(Rect(x, y, zone_width - 1.5, height, strokeColor=None,
                         fillColor=colors.HexColor(TIER_COLOURS[name.lower()]),
                         fillOpacity=1 if active else 0.35))
        drawing.add(String(x + 4, y + 4.5, f"{name} {start}+" if start else f"{name} <30",
                           fontName=FONT_BOLD, fontSize=7,
                           fillColor=colors.white if active else INK))
    marker = left + width * min(points, 100) / 100
    drawing.add(Line(marker, y - 4, marker, y + height + 4, strokeColor=INK, strokeWidth=1.6))
    anchor = "end" if points > 88 else "start" if points < 8 else "middle"
    drawing.add(String(marker, y + height + 10, f"{points} points", fontName=FONT_BOLD,
                       fontSize=8.5, fillColor=INK, textAnchor=anchor))
    for tick in (0, 30, 55, 80, 100):
        drawing.add(String(left + width * tick / 100, y - 12, str(tick), fontName=FONT,
                           fontSize=6.5, fillColor=MUTED,
                           textAnchor="start" if tick == 0 else "end" if tick == 100 else "middle"))
    return drawing


def _criteria_table(card: Scorecard) -> Table:
    inputs, points = card.tier.inputs, card.tier.score.points
    shown = {
        "sourced_revenue": text.money(inputs.annual_sourced_revenue_cents),
        "registrations": f"{inputs.registrations_per_quarter:,} submitted",
        "certification": {"none": "none", "basic": "basic", "advanced": "advanced",
                          "all": "all certifications"}[inputs.certification_level],
        "satisfaction": "not measured in the workbench" if inputs.nps is None
        else f"{inputs.nps:g}",
        "engagement": f"{inputs.engagement_90d:g}",
    }
    rows = [[Paragraph(h, HEAD if i < 2 else HEAD_RIGHT)
             for i, h in enumerate(("Criterion (seed 003 §4 rubric)", "This partner", "Points",
                                    "Max"))]]
    for criterion, name in CRITERION_NAMES.items():
        rows.append([Paragraph(name, CELL_BOLD), Paragraph(_escape(shown[criterion]), CELL),
                     Paragraph(str(points[criterion]), CELL_RIGHT_BOLD),
                     Paragraph(str(CRITERION_MAX[criterion]), CELL_RIGHT)])
    rows.append([Paragraph("Total", CELL_BOLD), Paragraph(card.tier.score.tier.title(), CELL_BOLD),
                 Paragraph(str(card.tier.score.total), CELL_RIGHT_BOLD),
                 Paragraph("100", CELL_RIGHT)])
    table = Table(rows, colWidths=[CONTENT_WIDTH * 0.42, CONTENT_WIDTH * 0.34,
                                   CONTENT_WIDTH * 0.12, CONTENT_WIDTH * 0.12])
    table.setStyle(_list_style(total_row=True))
    return table


def _list_style(*, total_row: bool = False) -> TableStyle:
    commands: list[tuple[Any, ...]] = [
        ("BACKGROUND", (0, 0), (-1, 0), NAVY),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA]),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 5), ("RIGHTPADDING", (0, 0), (-1, -1), 5)]
    if total_row:
        commands += [("LINEABOVE", (0, -1), (-1, -1), 0.8, NAVY),
                     ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#E3ECF5"))]
    return _table_style(commands)


def _top_accounts(card: Scorecard) -> list[Flowable]:
    heading = Paragraph("Top accounts by closed-won revenue (last 12 months)", H1)
    if not card.top_accounts:
        return [heading, Paragraph("No deals won in the last 12 months.", BODY)]
    rows = [[Paragraph(h, HEAD if i < 2 else HEAD_RIGHT) for i, h in enumerate(
        ("#", "Account", "Won deals", "Closed-won revenue", "Open pipeline"))]]
    for rank, account in enumerate(card.top_accounts, 1):
        rows.append([Paragraph(str(rank), CELL), Paragraph(_escape(account.name), CELL_BOLD),
                     Paragraph(f"{account.won_deals:,}", CELL_RIGHT),
                     Paragraph(text.money(account.revenue_cents), CELL_RIGHT_BOLD),
                     Paragraph(text.money(account.open_pipeline_cents)
                               if account.open_pipeline_cents else "—", CELL_RIGHT)])
    widths = [22, CONTENT_WIDTH - 22 - 70 - 110 - 100, 70, 110, 100]
    table = LongTable(rows, colWidths=widths, repeatRows=1)
    table.setStyle(_list_style())
    return [heading, table]


def _definitions(card: Scorecard) -> list[Flowable]:
    first, last = sc.last_12_months(card.as_of)
    lines = [
        f"All figures are computed on this workbench from the data synced from the vendor, as of "
        f"{text.timestamp_text(card.as_of)}. “Last 12 months” is {text.day_text(first)} – "
        f"{text.day_text(last)}; “last 90 days” and “last 30 days” end at the same moment.",
        "Registrations count once submitted to the vendor; the approval rate is approved ÷ "
        "decided (approved or rejected). Approval time is from submission to approval (median).",
        "Close rate is won ÷ (won + lost) of the deals closed in the window; average deal size "
        "and sales cycle (opened → closed) are over the won deals. Pipeline is the deals open at "
        "that moment, at their current stage (stage history is not kept).",
        "Sourced and influenced revenue are the won deals on which this partner holds a sourced, "
        "or an influenced / fulfillment / referral attribution, at its credited split.",
        "Registration-to-close conversion is the share of registrations submitted in the last "
        "12 months whose deal has been won. Time to first deal runs from the partner's join date "
        "to its first won deal.",
        f"Lead SLA: first contact within {card.lead_sla_hours} hours of assignment, the "
        f"program's setting (leads still inside their {card.lead_sla_hours} hours are not "
        "counted yet). Engagement score (seed 003 §4): logins ×1, downloads ×0.5, "
        "registrations ×5, deals won ×10, trainings and certifications achieved ×3.",
        "Tier qualification uses the seed 003 §4 rubric; customer satisfaction scores from the "
        "vendor's latest NPS survey of this partner's customers (0 points until one is "
        "recorded).",
    ]
    return [Paragraph("How these figures are computed", H2),
            *[Paragraph(f"•&nbsp;&nbsp;{_escape(line)}", _style("note", 7.2, colour=MUTED,
                                                               leading=9.4, spaceAfter=2.5,
                                                               leftIndent=8, firstLineIndent=-8))
              for line in lines]]
