"""What every console page shares: templates, formatting for people, forms, pages of rows."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from workbench.domain.values import parse_datetime

HERE = Path(__file__).resolve().parent
LOCALE = "en_GB"  # "1 Dec 2026"; money is shown in the deal's currency (USD by default)
PAGE_SIZE = 50

templates = Environment(loader=FileSystemLoader(HERE / "templates"),
                        autoescape=select_autoescape(["html"]), trim_blocks=True,
                        lstrip_blocks=True)


# -- formatting: one place for what a channel manager reads ----------------------------------

def _moment(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return parse_datetime(str(value))


def day(value: Any) -> str:
    """"1 Dec 2026"."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str) and len(value) == 10:
        value = date.fromisoformat(value)
    elif not isinstance(value, date) or isinstance(value, datetime):
        value = _moment(value)
    return format_date(value, "d MMM y", locale=LOCALE)


def moment(value: Any) -> str:
    """"1 Dec 2026, 09:30" (UTC)."""
    when = _moment(value)
    return "—" if when is None else format_datetime(when, "d MMM y, HH:mm", tzinfo=UTC,
                                                    locale=LOCALE)


def money(cents: Any, currency: str | None = None) -> str:
    """"$40,000" (whole units), "€12,500"."""
    if cents is None or cents == "":
        return "—"
    units = Decimal(int(cents)) / 100
    return format_currency(units, currency or "USD", format="¤#,##0", locale="en_US",
                           currency_digits=False)


def number(value: Any) -> str:
    return "—" if value is None else format_decimal(value, locale="en_US")


def span(delta: timedelta) -> str:
    """"31 h", "2 d 4 h", "25 min"."""
    minutes = int(abs(delta).total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} d {hours % 24} h" if hours % 24 else f"{hours // 24} d"


def label(value: Any) -> str:
    """"pending_review" → "Pending review"."""
    if value is None or value == "":
        return "—"
    text = str(value).replace("_", " ")
    return text[:1].upper() + text[1:]


for _name, _filter in (("day", day), ("moment", moment), ("money", money), ("number", number),
                       ("span", span), ("label", label)):
    templates.filters[_name] = _filter


# -- pages and pagination -----------------------------------------------------------------------

@dataclass(frozen=True)
class Page:
    rows: list[Any]
    total: int
    number: int  # 1-based
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def first_row(self) -> int:
        return 0 if not self.total else (self.number - 1) * self.size + 1

    @property
    def last_row(self) -> int:
        return min(self.total, self.number * self.size)


def page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) < 1_000_000 else 1


def link(path: str, params: dict[str, Any], **changes: Any) -> str:
    merged = {k: v for k, v in {**params, **changes}.items() if v not in (None, "")}
    return f"{path}?{urlencode(merged)}" if merged else path


templates.globals["link"] = link

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def render(request: Request, template: str, status_code: int = 200, **context: Any
           ) -> HTMLResponse:
    """A console page. `request.state.console` holds the signed-in staff member and CSRF."""
    session = getattr(request.state, "console", None)
    html = templates.get_template(template).render(
        request=request, staff=session.staff if session else None,
        csrf=session.csrf if session else context.pop("csrf", ""), path=request.url.path,
        **context)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)
