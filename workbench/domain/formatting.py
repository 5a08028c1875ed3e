"""How figures read for people: money, dates, stages, statuses — one place for the command line,
the window and the PDF, built on Babel so that "$40,000", "40.000 €" and "22 Nov 2026" follow
the rep's locale.

Stored values stay in wire form (integer cents, ISO dates); these functions only make text.
The locale is `WORKBENCH_LOCALE` (e.g. "de_DE"), else the system's (LC_ALL, LC_NUMERIC, LANG),
else en_US; `set_locale` changes it for the process (tests pin en_US).

Money comes in three lengths, each for its place:

- `money`: an amount as entered or decided — "$40,000", "$40,000.50" (cents only when there are);
- `money_rounded`: a total or average in whole units, rounded half up — "$1,234,568";
- `money_short`: chart axes and bar labels — "$850", "$45K", "$1.2M".
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError, default_locale
from babel.dates import format_date
from babel.numbers import NumberPattern, format_compact_currency, parse_pattern

from workbench.domain.model import stage_name

DEFAULT_CURRENCY = "USD"
FALLBACK_LOCALE = "en_US"
NO_VALUE = "—"  # a figure that cannot be computed (no deals yet, no average published)
DAY_PATTERN = "d MMM y"  # "22 Nov 2026": day first, month as a word, never ambiguous

_locale: Locale | None = None


def _system_locale() -> Locale:
    for name in (os.environ.get("WORKBENCH_LOCALE"), default_locale("LC_NUMERIC")):
        if not name or name in ("C", "POSIX"):
            continue
        name = name.replace("_POSIX", "")  # Babel names the C locale en_US_POSIX
        try:
            return Locale.parse(name)
        except (ValueError, UnknownLocaleError):
            continue
    return Locale.parse(FALLBACK_LOCALE)


def current_locale() -> Locale:
    global _locale
    if _locale is None:
        _locale = _system_locale()
    return _locale


def set_locale(name: str | None) -> Locale:
    """Use `name` ("en_US", "de_DE") for everything formatted from now on; None: the system's."""
    global _locale
    _locale = Locale.parse(name) if name else _system_locale()
    _whole_pattern.cache_clear()
    return _locale


# --- money ----------------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _whole_pattern(locale: Locale) -> NumberPattern:
    """The locale's currency pattern without decimals ("¤#,##0")."""
    pattern = locale.currency_formats["standard"].pattern.split(";")[0]
    return parse_pattern(pattern.replace(".00", "").replace(".##", ""))


def _amount(cents: int | Decimal) -> Decimal:
    return Decimal(cents) / 100


def money(cents: int | None, currency: str | None = DEFAULT_CURRENCY) -> str:
    """"$40,000" or "$40,000.50": the amount as the rep entered or the vendor decided it."""
    if cents is None:
        return ""
    code = (currency or DEFAULT_CURRENCY).upper()
    locale = current_locale()
    if cents % 100 == 0:
        return _whole_pattern(locale).apply(_amount(cents), locale, currency=code,
                                            currency_digits=False)
    pattern = locale.currency_formats["standard"]
    return pattern.apply(_amount(cents), locale, currency=code)


def money_rounded(cents: int | Decimal | None, currency: str | None = DEFAULT_CURRENCY) -> str:
    """Whole units, rounded half up: "$1,234,568" (totals, averages); "—" for no figure."""
    if cents is None:
        return NO_VALUE
    whole = _amount(cents).quantize(Decimal(1), ROUND_HALF_UP)
    locale = current_locale()
    return _whole_pattern(locale).apply(whole, locale, currency=(currency or DEFAULT_CURRENCY),
                                        currency_digits=False)


def money_short(cents: int | float, currency: str | None = DEFAULT_CURRENCY) -> str:
    """Compact amounts for charts: "$850", "$45K", "$1.2M"."""
    return format_compact_currency(Decimal(str(cents)) / 100, currency or DEFAULT_CURRENCY,
                                   locale=current_locale(), fraction_digits=1)


def money_brief(cents: int, currency: str | None = DEFAULT_CURRENCY) -> str:
    """Round thousands short ("$40K"), anything else exact ("$37,654.33"): amounts in advice."""
    if cents and cents % 100_000 == 0:
        return money_short(cents, currency)
    return money(cents, currency)


# --- dates ----------------------------------------------------------------------------------

def day(value: date | datetime | str | None) -> str:
    """"22 Nov 2026" for a date, an ISO date or the date part of a timestamp; "" for none."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            moment = date.fromisoformat(value[:10])
        except ValueError:
            return value  # not a date: show it as it is rather than hide it
    elif isinstance(value, datetime):
        moment = value.astimezone(UTC).date() if value.tzinfo else value.date()
    else:
        moment = value
    return format_date(moment, DAY_PATTERN, locale=current_locale())


def timestamp(moment: datetime) -> str:
    """"14 Aug 2026, 18:03 UTC"."""
    moment = moment.astimezone(UTC)
    return f"{day(moment)}, {moment:%H:%M} UTC"


# --- words ----------------------------------------------------------------------------------

def status_label(value: str | None) -> str:
    """'pending_review' → 'Pending review'."""
    return (value or "").replace("_", " ").capitalize()


def stage(value: int | None, outcome: str | None = "open") -> str:
    """An opportunity's stage as the window, the command line and the PDF name it:
    "4 · Proposal"; "Closed won" / "Closed lost" once the outcome is known."""
    if outcome in ("won", "lost"):
        return "Closed " + outcome
    if value is None:
        return ""
    name = stage_name(value)
    return f"{value} · {name}" if name != str(value) else name
