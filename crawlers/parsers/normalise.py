"""Small normalisers shared by the format parsers: text, dates, languages, countries."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

_SPACE_RE = re.compile(r"\s+")
_DATE_RE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})")
_OFFSET_RE = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")
_TIME_RE = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2}))?")

# ISO 639-2/B and /T (as eForms and TED use, upper case) -> ISO 639-1.
_LANG3_TO_2 = {
    "BUL": "bg", "CES": "cs", "CZE": "cs", "DAN": "da", "DEU": "de", "GER": "de", "ELL": "el",
    "GRE": "el", "ENG": "en", "SPA": "es", "EST": "et", "FIN": "fi", "FRA": "fr", "FRE": "fr",
    "GLE": "ga", "HRV": "hr", "HUN": "hu", "ITA": "it", "LIT": "lt", "LAV": "lv", "MLT": "mt",
    "NLD": "nl", "DUT": "nl", "POL": "pl", "POR": "pt", "RON": "ro", "RUM": "ro", "SLK": "sk",
    "SLO": "sk", "SLV": "sl", "SWE": "sv", "NOR": "no", "NOB": "nb", "NNO": "nn", "ISL": "is",
    "ICE": "is",
}
# ISO 3166-1 alpha-3 -> alpha-2 for the countries that publish on TED and the UK/NO/CH/IS.
_COUNTRY3_TO_2 = {
    "AUT": "AT", "BEL": "BE", "BGR": "BG", "HRV": "HR", "CYP": "CY", "CZE": "CZ", "DNK": "DK",
    "EST": "EE", "FIN": "FI", "FRA": "FR", "DEU": "DE", "GRC": "GR", "HUN": "HU", "IRL": "IE",
    "ITA": "IT", "LVA": "LV", "LTU": "LT", "LUX": "LU", "MLT": "MT", "NLD": "NL", "POL": "PL",
    "PRT": "PT", "ROU": "RO", "SVK": "SK", "SVN": "SI", "ESP": "ES", "SWE": "SE", "NOR": "NO",
    "ISL": "IS", "LIE": "LI", "CHE": "CH", "GBR": "GB", "MKD": "MK", "MEX": "MX", "USA": "US",
}


def clean_text(value: str | None) -> str | None:
    """Collapse white space; return None for empty text."""
    if value is None:
        return None
    text = _SPACE_RE.sub(" ", value).strip()
    return text or None


def language_code(value: str | None) -> str | None:
    """Return the ISO 639-1 code for an ISO 639-1/-2 code in any case ("SWE" -> "sv")."""
    if not value:
        return None
    code = value.strip()
    if len(code) == 2 and code.isalpha():
        return code.lower()
    return _LANG3_TO_2.get(code.upper())


def country_code(value: str | None) -> str | None:
    """Return the ISO 3166-1 alpha-2 code for an alpha-2 or alpha-3 code ("SWE" -> "SE")."""
    if not value:
        return None
    code = value.strip().upper()
    if code == "UK":  # TED legacy writes UK for the United Kingdom
        return "GB"
    if len(code) == 2 and code.isalpha():
        return code
    return _COUNTRY3_TO_2.get(code)


def iso_date(value: str | None) -> str | None:
    """Return YYYY-MM-DD from "2023-05-02Z", "2023-05-02+02:00", "20170413" or a datetime."""
    if not value:
        return None
    match = _DATE_RE.match(value.strip())
    return "-".join(match.groups()) if match else None


def iso_datetime(date_value: str | None, time_value: str | None = None) -> str | None:
    """Combine a date and an optional time (each possibly with a UTC offset) into ISO 8601."""
    date = iso_date(date_value)
    if date is None:
        return None
    offset = None
    for part in (time_value, date_value):
        found = _OFFSET_RE.search(part.strip()) if part else None
        if found:
            offset = found.group(1)
            break
    time_match = _TIME_RE.match(time_value.strip()) if time_value else None
    if time_match is None:
        return date
    hours, minutes, seconds = time_match.groups()
    if offset and offset != "Z" and ":" not in offset:
        offset = f"{offset[:3]}:{offset[3:]}"
    return f"{date}T{hours}:{minutes}:{seconds or '00'}{offset or ''}"


def earliest(values: Iterable[str | None]) -> str | None:
    """Return the earliest ISO 8601 date or datetime among the values, comparing instants in time."""
    present = [v for v in values if v]
    return min(present, key=_instant) if present else None


def _instant(value: str) -> tuple[datetime, str]:
    """Sort key of an ISO date/datetime: UTC time for offset-aware values, as written otherwise."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return datetime.max, value
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment, value


def parse_amount(value: str | None) -> float | None:
    """Return a float for a decimal amount as published ("1 500 000,50" or "1500000.50")."""
    if value is None:
        return None
    text = value.strip().replace("\u00a0", "").replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None
