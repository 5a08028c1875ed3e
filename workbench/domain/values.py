"""Checking and normalising field values.

One function, `coerce`, turns what a person typed (CLI, CSV, a dialog) or what arrived over the
wire into the canonical stored value, or raises `InvalidValue` naming the field (by the label the
rep sees) and the problem. What a field accepts is declared with it in `model.py`: its kind
(text, domain, email, money …), choices, length and bounds.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from workbench.domain.errors import InvalidValue
from workbench.domain.matching import normalise_domain
from workbench.domain.model import Entity, Field, Kind

__all__ = ["InvalidValue", "coerce", "coerce_fields", "missing_required", "parse_money_cents"]

# Money is integer cents: never negative, and nothing a channel deal could be.
MONEY_MAXIMUM = 10**15

_MONEY = re.compile(r"^\s*[$€£]?\s*(-?[\d,]*\.?\d*)\s*([kKmM]?)\s*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TRUE = {"1", "true", "yes", "y", "on"}
_FALSE = {"0", "false", "no", "n", "off", ""}


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_datetime(moment: datetime) -> str:
    """The one wire/storage form of a timestamp: UTC, microseconds, 'Z'. Sorts as text."""
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def now_text() -> str:
    return format_datetime(utc_now())


def parse_datetime(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_date(text: str) -> date:
    return date.fromisoformat(text)


def new_id() -> str:
    return str(uuid.uuid4())


def parse_money_cents(raw: str) -> int:
    """'$40,000' → 4000000, '12.5k' → 1250000. Raises ValueError on anything else."""
    match = _MONEY.match(raw)
    if not match or not match.group(1) or match.group(1) in {"-", ".", ","}:
        raise ValueError(raw)
    number = Decimal(match.group(1).replace(",", ""))
    number *= {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()]
    cents = number * 100
    if cents != cents.to_integral_value():
        raise ValueError(raw)
    return int(cents)


def coerce(spec: Field, value: Any) -> Any:
    """Canonical value for `spec`, or InvalidValue. None and '' mean 'no value'."""
    if value is None or (isinstance(value, str) and value.strip() == "" and spec.kind is not Kind.BOOL):
        if spec.required:
            raise spec.invalid("is required")
        return None
    handler = _COERCERS[spec.kind]
    try:
        result = handler(spec, value)
    except InvalidValue:
        raise
    except (ValueError, TypeError, InvalidOperation, json.JSONDecodeError, RecursionError):
        raise spec.invalid(f"{_EXPECTED[spec.kind]}, got {_shown(value)}") from None
    if spec.choices and spec.kind is not Kind.JSON and result is not None and result not in spec.choices:
        raise spec.invalid(f"must be one of {', '.join(spec.choices)}; got {value!r}")
    return result


def _shown(value: Any) -> str:
    """A value for an error message: its repr, cut short (a 5,000-digit number stays readable)."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}… ({len(text)} characters)"


def _check_characters(spec: Field, text: str) -> None:
    """Text every store and database can hold: no NUL, no lone surrogate (invalid Unicode)."""
    if "\x00" in text:
        raise spec.invalid("contains a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise spec.invalid("contains characters that are not valid text (a lone "
                           "surrogate)") from None


def _text(spec: Field, value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError
    _check_characters(spec, value)
    text = value.strip()
    if spec.choices:
        text = text.lower().replace(" ", "_") if "_" in "".join(spec.choices) else text.lower()
    if len(text) > spec.max_length:
        raise spec.invalid(f"is {len(text)} characters long; at most {spec.max_length}")
    return text


def _email(spec: Field, value: Any) -> str:
    text = _text(spec, value)
    if text and not _EMAIL.match(text):
        raise spec.invalid(f"is not an email address: {text!r}")
    return text


def _domain(spec: Field, value: Any) -> str:
    """Web domains are stored normalised ("https://www.Acme.com/" → "acme.com")."""
    text = _text(spec, value)
    if not text:
        return text
    domain = normalise_domain(text)
    if not domain or "." not in domain:
        raise spec.invalid(f"is not a web domain: {text!r}")
    return domain


# Whole-number fields are stored as 32-bit integers (SQLite and PostgreSQL alike).
INT_RANGE = (-(2**31), 2**31 - 1)


def _whole_number(value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        if len(text) > 30:  # no field holds a number that long; int() would be slow on huge ones
            raise ValueError(value)
        return int(text)
    if isinstance(value, int):
        return value
    raise TypeError


def _int(spec: Field, value: Any) -> int:
    number = _whole_number(value)
    low, high = spec.minimum, spec.maximum
    if (low is not None and number < low) or (high is not None and number > high):
        if low is not None and high is not None:
            raise spec.invalid(f"must be between {low} and {high}; got {number}")
        raise spec.invalid(f"must be at least {low}; got {number}" if low is not None
                           else f"must be at most {high}; got {number}")
    if spec.kind is Kind.INT and not INT_RANGE[0] <= number <= INT_RANGE[1]:
        raise spec.invalid(f"must be between {INT_RANGE[0]} and {INT_RANGE[1]}")
    return number


def _money(spec: Field, value: Any) -> int:
    cents = parse_money_cents(value) if isinstance(value, str) else _whole_number(value)
    low = spec.minimum if spec.minimum is not None else 0
    if cents < low:
        raise spec.invalid("must be above zero" if low == 1 else "must not be negative"
                           if low == 0 else f"must be at least {low / 100:,.2f}")
    if cents > (spec.maximum if spec.maximum is not None else MONEY_MAXIMUM):
        raise spec.invalid("is implausibly large")
    return cents


def _bool(spec: Field, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise TypeError


def _date(spec: Field, value: Any) -> str:
    if isinstance(value, datetime):
        raise TypeError
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):  # a number, list or boolean is not a date
        raise TypeError
    return date.fromisoformat(value.strip()).isoformat()


def _datetime(spec: Field, value: Any) -> str:
    try:
        if isinstance(value, datetime):
            return format_datetime(value if value.tzinfo else value.replace(tzinfo=UTC))
        if not isinstance(value, str):
            raise TypeError
        return format_datetime(parse_datetime(value.strip()))
    except OverflowError:  # e.g. 9999-12-31T23:59:59-05:00 is in the year 10000 in UTC
        raise spec.invalid(f"{_shown(value)} is outside the years 0001-9999 in UTC") from None


def _json(spec: Field, value: Any) -> list[str]:
    if isinstance(value, str):
        text = value.strip()
        items = json.loads(text) if text.startswith("[") else [p.strip() for p in text.split(",")]
    else:
        items = value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise TypeError
    for item in items:
        _check_characters(spec, item)
    items = [i.strip().lower() for i in items if i.strip()]
    unknown = [i for i in items if spec.choices and i not in spec.choices]
    if unknown:
        raise spec.invalid(f"unknown value(s) {', '.join(unknown)}; "
                           f"choose from {', '.join(spec.choices)}")
    return list(dict.fromkeys(items))


def _ref(spec: Field, value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError
    return str(uuid.UUID(value.strip()))


_COERCERS = {Kind.TEXT: _text, Kind.DOMAIN: _domain, Kind.EMAIL: _email, Kind.INT: _int,
             Kind.MONEY: _money, Kind.BOOL: _bool, Kind.DATE: _date, Kind.DATETIME: _datetime,
             Kind.JSON: _json, Kind.REF: _ref}
_EXPECTED = {Kind.TEXT: "expected text", Kind.DOMAIN: "expected a web domain such as acme.com",
             Kind.EMAIL: "expected an email address", Kind.INT: "expected a whole number",
             Kind.MONEY: "expected an amount such as 40000 or $40,000.50",
             Kind.BOOL: "expected yes or no", Kind.DATE: "expected a date YYYY-MM-DD",
             Kind.DATETIME: "expected an ISO timestamp", Kind.JSON: "expected a list",
             Kind.REF: "expected a record id (UUID)"}


def coerce_fields(entity: Entity, values: dict[str, Any]) -> dict[str, Any]:
    """Coerce several fields of one entity; unknown field names are an InvalidValue too."""
    result = {}
    for name, value in values.items():
        if not entity.has_field(name):
            known = ", ".join(f.name for f in entity.fields)
            raise InvalidValue(name, f"{(entity.label or entity.name).lower()} records have no "
                                     f"such field (known fields: {known})")
        result[name] = coerce(entity.field(name), value)
    return result


def missing_required(entity: Entity, record: dict[str, Any]) -> list[str]:
    return [f.name for f in entity.fields if f.required and record.get(f.name) in (None, "")]
