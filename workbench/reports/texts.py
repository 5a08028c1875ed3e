"""The scorecard in words: each measure's value, basis, program average and rating as the
window, the command line, the QBR PDF and the vendor console print them. No store, no Qt: the
vendor server renders the same PDF from the same Scorecard.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.domain import formatting
from workbench.domain import scorecard as sc
from workbench.domain.scorecard import Measure, Scorecard

NEVER_SYNCED = "never synced"


# Money and dates read the same here, in the window and on the command line: one module.
money = formatting.money_rounded  # totals and averages in whole units: "$1,234,567"
money_short = formatting.money_short  # axis and bar labels: "$850", "$45K", "$1.2M"
timestamp_text = formatting.timestamp  # "14 Aug 2026, 18:03 UTC"
day_text = formatting.day  # "14 Aug 2026"


def value_text(measure: Measure) -> str:
    """The headline figure of a measure: "$45,000", "23.5%", "62.5 days", "12"."""
    value = measure.value
    if value is None:
        return "—"
    if measure.unit == "cents":
        return money(value)
    if measure.unit == "percent":
        return f"{value}%"
    if measure.unit == "days":
        return f"{value} days" if value != 1 else "1 day"
    if measure.unit == "hours":
        return f"{value} h"
    return f"{value:,}" if isinstance(value, int) else str(value)


def basis_text(measure: Measure) -> str:
    """What a figure is over: "7 of 20", "12 deals", or the note when there is no figure."""
    if measure.key == "tier_points":
        return measure.note.title()
    if measure.part is not None and measure.whole:
        return f"{measure.part} of {measure.whole}"
    if measure.count is not None and measure.value is not None:
        if measure.key.startswith("approval_time"):
            return f"{measure.count:,} approved"
        return f"{measure.count:,} deal{'s' if measure.count != 1 else ''}"
    return measure.note


def program_text(measure: Measure) -> str:
    """The program average in the measure's own unit: "28.0%", "$38,000", "4.5"."""
    if measure.program is None:
        return ""
    average = Measure(measure.key, measure.label, measure.window, measure.unit,
                      measure.program.value)
    if measure.unit == "count":
        return str(measure.program.value)
    return value_text(average)


def rating_text(measure: Measure) -> str:
    return measure.rating or ""


def data_as_of_text(card: Scorecard) -> str:
    return timestamp_text(card.data_as_of) if card.data_as_of else NEVER_SYNCED


def period_text(card: Scorecard) -> str:
    period = card.period
    return f"{period.title} ({day_text(period.first_day)} – {day_text(period.last_day)})"


@dataclass(frozen=True)
class KpiRow:
    label: str
    window: str
    value: str
    basis: str
    program: str
    low: str
    typical: str
    high: str
    rating: str


def kpi_rows(card: Scorecard) -> list[KpiRow]:
    """The KPI table, one row per measure, as the PDF and the command line print it."""
    rows = []
    for m in card.measures:
        bench = m.benchmark
        rows.append(KpiRow(label=m.label, window=m.window, value=value_text(m), basis=basis_text(m),
                           program=program_text(m), low=bench.low if bench else "",
                           typical=bench.typical if bench else "",
                           high=bench.high if bench else "", rating=rating_text(m)))
    return rows


def scorecard_text(card: Scorecard) -> str:
    """The plain-text scorecard of `workbench scorecard`."""
    lines = [f"{card.partner_name} — scorecard {period_text(card)}",
             f"figures as of {timestamp_text(card.as_of)}; data as of last sync: "
             f"{data_as_of_text(card)}", ""]
    rows = kpi_rows(card)
    labels = [f"{r.label} ({r.window})" for r in rows]
    width = max(len(label) for label in labels)
    value_width = max(len(r.value) for r in rows)
    for label, r in zip(labels, rows, strict=True):
        extra = [r.basis] if r.basis else []
        if r.program:
            extra.append(f"program {r.program}")
        if r.rating:
            extra.append(f"{r.rating} (low {r.low} · typical {r.typical} · high {r.high})")
        lines.append(f"{label.ljust(width)}  {r.value.rjust(value_width)}  {'; '.join(extra)}"
                     .rstrip())
    lines += ["", f"Tier: {card.tier.score.tier.title()} ({card.tier.score.total} points)",
              sc.tier_gap_sentence(card.tier)]
    return "\n".join(lines)
