"""Build a notice record from a feed entry's or listing item's fields (pure, no Scrapy).

Swedish advertisement databases and municipal pages publish text, not eForms: a title, some
description, a deadline written as "31 maj 2024 kl. 12.00", a value such as "ca 1,5 MSEK". These
functions turn such text into the normalised record; the buyer comes from the configuration.
Wording for direct awards (direktupphandling, efterannonsering, tilldelning utan föregående
annonsering) makes the notice a "direct-award".
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Literal

from lxml import html as lxml_html

from crawlers.exceptions import ListingFieldError
from crawlers.parsers.normalise import clean_text
from crawlers.parsers.record import Buyer, Money, NoticeRecord, NoticeType, RecordValidationError, unique
from crawlers.sources import BuyerConfig

ListingFormat = Literal["feed", "html-listing"]

MONTHS = {
    "jan": 1, "januari": 1, "feb": 2, "februari": 2, "mar": 3, "mars": 3, "apr": 4, "april": 4,
    "maj": 5, "jun": 6, "juni": 6, "jul": 7, "juli": 7, "aug": 8, "augusti": 8, "sep": 9,
    "sept": 9, "september": 9, "okt": 10, "oktober": 10, "nov": 11, "november": 11, "dec": 12,
    "december": 12, "may": 5, "oct": 10,
}  # fmt: skip
_DIRECT_AWARD_RE = re.compile(
    r"direktupphandl|efterannons|utan föregående annonsering|direktupphandling|direct award",
    re.IGNORECASE,
)
_TYPE_WORDS: tuple[tuple[re.Pattern[str], NoticeType], ...] = (
    (re.compile(r"förhandsannons|förhandsinformation|planerad upphandling", re.IGNORECASE), "planning"),
    (re.compile(r"tilldelning|tilldelningsbeslut|avtal tecknat", re.IGNORECASE), "award"),
)
_ISO_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(?:kl\.?\s*)?(\d{1,2})[:.](\d{2}))?")
_DAY_FIRST_RE = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})(?:\s+(?:kl\.?\s*)?(\d{1,2})[:.](\d{2}))?")
_WORDS_RE = re.compile(
    r"\b(\d{1,2})\s+([a-zåäö]+)\.?\s+(\d{4})(?:[^\d]{0,8}?(\d{1,2})[:.](\d{2}))?", re.IGNORECASE
)
_CPV_RE = re.compile(r"(?<!\d)(\d{8})(?:-\d)?(?!\d)")
_AMOUNT_RE = re.compile(r"(\d{1,3}(?:[ \u00a0.]\d{3})+(?!\d)|\d+)(?:[,.](\d{1,2})(?!\d))?")
_MILLION_RE = re.compile(r"\b(msek|mkr|miljon|miljoner|milj\.?|mnkr)\b", re.IGNORECASE)
_THOUSAND_RE = re.compile(r"\b(tkr|tsek|tusen)\b", re.IGNORECASE)
_EURO_RE = re.compile(r"€|\beur\b|\beuro", re.IGNORECASE)


def build_listing_record(
    fields: Mapping[str, str | None],
    *,
    url: str,
    source_format: ListingFormat,
    buyer: BuyerConfig,
    entry_id: str | None = None,
    notice_type: str | None = None,
) -> NoticeRecord:
    """Return the validated record of one entry; raise ListingFieldError when it has no title."""
    title = text_of(fields.get("title"))
    if title is None:
        raise ListingFieldError(url, "no title found: the title selector matches nothing in this entry")
    description = text_of(fields.get("description"))
    reference = text_of(fields.get("reference"))
    kind = notice_type or classify(title, description, text_of(fields.get("type")))
    cpv = extract_cpv(" ".join(filter(None, [fields.get("cpv"), description])))
    notice_id = f"{buyer.org_number}:{reference}" if reference else (entry_id or url)
    record = NoticeRecord(
        source_format=source_format,
        source_path=url,
        notice_id=notice_id[:300],
        notice_type=kind,  # type: ignore[arg-type]  # checked by validate()
        language="sv",
        title=title,
        description=description,
        url=url,
        buyer=Buyer(
            name=buyer.name, identifier=buyer.org_number, country="SE", nuts=buyer.nuts, city=buyer.city
        ),
        cpv_main=cpv[0] if cpv else None,
        cpv=cpv,
        nuts=[buyer.nuts] if buyer.nuts else [],
        estimated_value=parse_value(fields.get("value")),
        published=parse_date(fields.get("published")),
        deadline=parse_datetime(fields.get("deadline")),
        procedure_id=notice_id[:300],
        form_type=text_of(fields.get("type")),
    )
    try:
        return record.validate()
    except RecordValidationError as exc:
        raise ListingFieldError(url, str(exc)) from None


def text_of(value: str | None) -> str | None:
    """Return plain text: markup (an HTML fragment or escaped feed HTML) reduced to its words."""
    if value is None:
        return None
    if "<" in value and ">" in value:
        with contextlib.suppress(ValueError, TypeError):  # lxml refuses some fragments: keep the text
            value = lxml_html.fragment_fromstring(value, create_parent="div").text_content()
    return clean_text(value)


def classify(title: str, description: str | None, type_text: str | None) -> NoticeType:
    """Name the notice from its wording: direct awards first, then award, planning, else a call."""
    words = " ".join(filter(None, [type_text, title, description]))
    if _DIRECT_AWARD_RE.search(words):
        return "direct-award"
    for pattern, kind in _TYPE_WORDS:
        if pattern.search(" ".join(filter(None, [type_text, title]))):
            return kind
    return "contract-notice"


def parse_datetime(value: str | None) -> str | None:
    """Return ISO 8601 (date, or date and time as written, local Swedish time) from published text."""
    text = clean_text(value)
    if text is None:
        return None
    with contextlib.suppress(ValueError):
        exact = datetime.fromisoformat(text)  # ISO 8601 as written, offset kept
        return exact.isoformat() if len(text) > 10 else exact.date().isoformat()
    rfc = _rfc822(text)
    if rfc is not None:
        return rfc.isoformat()
    for pattern, order in ((_ISO_RE, "ymd"), (_DAY_FIRST_RE, "dmy"), (_WORDS_RE, "dMy")):
        match = pattern.search(text)
        if match is None:
            continue
        parts = match.groups()
        if order == "ymd":
            year, month, day = int(parts[0]), int(parts[1]), int(parts[2])
        elif order == "dmy":
            day, month, year = int(parts[0]), int(parts[1]), int(parts[2])
        else:
            month_number = MONTHS.get(parts[1].lower())
            if month_number is None:
                continue
            day, month, year = int(parts[0]), month_number, int(parts[2])
        try:
            moment = datetime(year, month, day)  # local time, as published
            if parts[3] is not None:
                moment = moment.replace(hour=int(parts[3]), minute=int(parts[4]))
        except ValueError:
            return None
        return moment.isoformat() if parts[3] is not None else moment.date().isoformat()
    return None


def parse_date(value: str | None) -> str | None:
    """Return YYYY-MM-DD from published date text (see parse_datetime)."""
    moment = parse_datetime(value)
    return moment[:10] if moment else None


def parse_value(value: str | None) -> Money | None:
    """Return the amount of "1 500 000 kr", "ca 1,5 MSEK", "250 tkr" or "EUR 40 000", or None."""
    text = clean_text(value)
    if text is None:
        return None
    match = _AMOUNT_RE.search(text)
    if match is None:
        return None
    whole = re.sub(r"[ \u00a0.]", "", match.group(1))
    amount = float(f"{whole}.{match.group(2)}" if match.group(2) else whole)
    if _MILLION_RE.search(text):
        amount *= 1_000_000
    elif _THOUSAND_RE.search(text):
        amount *= 1_000
    return Money(amount, "EUR" if _EURO_RE.search(text) else "SEK")


def extract_cpv(text: str | None) -> list[str]:
    """Return the distinct 8-digit CPV codes written in a text ("90911200-8" -> "90911200")."""
    return unique(_CPV_RE.findall(text or ""))


def fallback_entry_id(listing_url: str, title: str | None) -> str:
    """Return a stable id for an item with neither a reference nor a link (listing URL + title)."""
    digest = hashlib.sha256((title or "").encode()).hexdigest()[:16]
    return f"{listing_url}#{digest}"


def watermark_of(*values: str | None) -> str | None:
    """Return the latest date (YYYY-MM-DD) among published/updated texts, for the high-water mark."""
    dates = [date for date in (parse_date(value) for value in values) if date]
    return max(dates) if dates else None


def _rfc822(text: str) -> datetime | None:
    """Parse an RSS pubDate ("Fri, 31 May 2024 10:00:00 +0200"); None for other text."""
    if not re.match(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{2}:\d{2}", text):
        return None
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
