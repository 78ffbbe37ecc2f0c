"""Swedish and English formatting of dates, deadlines, amounts and days left (Jinja filters)."""

from __future__ import annotations

import re
import textwrap
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from matcher.areas import COUNTY_NAME_BY_CODE, COUNTY_NAME_BY_NUTS3
from notifier.texts import texts

NBSP = "\u00a0"  # keeps "1 200 000 kr" and "8 december" on one line
NUTS_LABELS = COUNTY_NAME_BY_NUTS3  # Swedish NUTS-3 regions (counties, län)
# Sweden and its NUTS-1 and NUTS-2 regions (riksområden), which notices give as the place too.
SWEDISH_NUTS_REGIONS = {
    "SE": "Sverige",
    "SE1": "Östra Sverige",
    "SE11": "Stockholm",
    "SE12": "Östra Mellansverige",
    "SE2": "Södra Sverige",
    "SE21": "Småland med öarna",
    "SE22": "Sydsverige",
    "SE23": "Västsverige",
    "SE3": "Norra Sverige",
    "SE31": "Norra Mellansverige",
    "SE32": "Mellersta Norrland",
    "SE33": "Övre Norrland",
}
_LOT_PREFIX = re.compile(r"^LOT-0*(?=\d)", re.IGNORECASE)


COUNTY_NAMES = COUNTY_NAME_BY_CODE  # Swedish county (län) codes


def reserved_under_lou(country: str | None) -> bool:
    """Tell whether a reservation rests on LOU 4 kap. 18 § (a Swedish or unplaced buyer).

    Elsewhere it rests on Article 20 of Directive 2014/24/EU as that country's law implements it.
    """
    return country in (None, "SE")


def region_name(code: str) -> str | None:
    """Name a NUTS code ('SE332' -> 'Norrbottens län', 'SE' -> 'Sverige'); None when unknown."""
    return NUTS_LABELS.get(code) or SWEDISH_NUTS_REGIONS.get(code)


def lot_label(lot_id: str | None, title: str | None, language: str, numbered: bool = False) -> str:
    """Return a lot's title, else 'Delområde 1' / 'Lot 1' from its id ('LOT-0001' or '1').

    `numbered` adds the number to a title that other lots of the notice share: 'Städ (delområde 2)'.
    """
    number = _LOT_PREFIX.sub("", lot_id or "").strip()
    name = f"{texts(language)['lot']} {number}".strip()
    if title and title.strip():
        return f"{title.strip()} ({name[:1].lower()}{name[1:]})" if numbered and number else title.strip()
    return name


def parse_deadline(value: str | None, zone: ZoneInfo) -> datetime | None:
    """Read a stored deadline (ISO date or date-time, with or without offset) as an aware date-time.

    A date alone means the end of that day; a time without offset is local time in `zone`.
    """
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(value[:10]), time(23, 59))
        except ValueError:
            return None
    if len(value) == 10:
        parsed = datetime.combine(parsed.date(), time(23, 59))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def days_left(deadline: datetime | None, now: datetime, zone: ZoneInfo) -> int | None:
    """Whole calendar days from `now` to the deadline, in `zone` (0 = closes today)."""
    if deadline is None:
        return None
    return (deadline.astimezone(zone).date() - now.astimezone(zone).date()).days


def format_date(value: date | datetime | None, language: str) -> str:
    """'8 december 2026' / '8 December 2026'."""
    if value is None:
        return ""
    month = texts(language)["months"][value.month - 1]
    return f"{value.day}{NBSP}{month} {value.year}"


def format_deadline(value: datetime | None, zone: ZoneInfo, language: str) -> str:
    """'8 december 2026 kl. 23.59' / '8 December 2026, 23:59', in the digest's time zone."""
    if value is None:
        return texts(language)["no_deadline"]
    local = value.astimezone(zone)
    if language == "en":
        return f"{format_date(local, language)}, {local:%H:%M}"
    return f"{format_date(local, language)} kl.{NBSP}{local:%H.%M}"


def format_days_left(days: int | None, language: str) -> str:
    """'3 dagar kvar', 'sista dagen i dag' / '3 days left', 'closes today'."""
    words = texts(language)["days_left"]
    if days is None:
        return ""
    if days < 0:
        return str(words["closed"])
    if days == 0:
        return str(words["today"])
    if days == 1:
        return str(words["one"])
    return str(words["many"]).format(n=days)


def format_amount(amount: float | None, currency: str | None, language: str) -> str:
    """'1 200 000 kr' (Swedish) / '1,200,000 SEK' (English); other currencies by their code."""
    if amount is None:
        return texts(language)["no_value"]
    whole = round(amount) if abs(amount - round(amount)) < 0.005 else None
    code = (currency or "SEK").upper()
    if language == "en":
        number = f"{whole:,}" if whole is not None else f"{amount:,.2f}"
        return f"{number}{NBSP}{code}"
    number = f"{whole:,}" if whole is not None else f"{amount:,.2f}"
    number = number.replace(",", NBSP).replace(".", ",")
    return f"{number}{NBSP}{'kr' if code == 'SEK' else code}"


def format_score(score: float, language: str) -> str:
    """'82 %' (Swedish typography) / '82%'."""
    percent = round(score * 100)
    return f"{percent}%" if language == "en" else f"{percent}{NBSP}%"


def format_org_number(org_number: str) -> str:
    """'5560001234' -> '556000-1234'."""
    return f"{org_number[:6]}-{org_number[6:]}" if len(org_number) == 10 else org_number


def plural(count: int, forms: tuple[str, str]) -> str:
    """'1 ny upphandling' / '5 nya upphandlingar'."""
    return f"{count} {forms[0] if count == 1 else forms[1]}"


def wrap(text: str, width: int = 72, indent: str = "", first: str | None = None) -> str:
    """Wrap plain text for the text part: `first` prefixes the first line, `indent` the others."""
    return textwrap.fill(
        re.sub(r"[ \t\r\n]+", " ", text).strip(),
        width=width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
