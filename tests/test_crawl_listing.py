"""Pure helpers of the crawlers: Swedish listing text to records, encodings, archives, filters."""

from __future__ import annotations

import gzip

import pytest

from crawlers.archive import is_truncated_gzip
from crawlers.encoding import decode_document
from crawlers.exceptions import ListingFieldError
from crawlers.listing import (
    build_listing_record,
    classify,
    extract_cpv,
    parse_date,
    parse_datetime,
    parse_value,
)
from crawlers.parsers.record import Buyer, Lot, Money, NoticeRecord
from crawlers.sources import BuyerConfig, NoticeFilter

LULEA = BuyerConfig("Luleå kommun", "212000-2726", "2580", "SE332", "Luleå")

# published text -> ISO date/datetime (local time as written)
DATES = {
    "2026-01-31": "2026-01-31",
    "2026-01-31 12:00": "2026-01-31T12:00:00",
    "2026-01-31T12:00:00+01:00": "2026-01-31T12:00:00+01:00",
    "31 januari 2026": "2026-01-31",
    "Sista anbudsdag: 31 jan 2026 kl. 23.59": "2026-01-31T23:59:00",
    "den 3 mars 2026": "2026-03-03",
    "31.01.2026": "2026-01-31",
    "31/1/2026 kl 10:00": "2026-01-31T10:00:00",
    "Sat, 31 Jan 2026 10:00:00 +0100": "2026-01-31T10:00:00+01:00",
    "20260131": "2026-01-31",
    "snarast": None,
    "30 februari 2026": None,
    "": None,
}
# value text -> amount in SEK (or EUR)
VALUES = {
    "1 500 000 kr": Money(1_500_000, "SEK"),
    "ca 1,5 MSEK": Money(1_500_000, "SEK"),
    "Uppskattat värde: 250 tkr": Money(250_000, "SEK"),
    "2.500.000 SEK exkl. moms": Money(2_500_000, "SEK"),
    "3 miljoner kronor": Money(3_000_000, "SEK"),
    "EUR 40 000": Money(40_000, "EUR"),
    "enligt avtal": None,
}
# wording -> notice type (direct awards first: LOU 19 kap., efterannonsering)
WORDING = {
    "Direktupphandling av tryckeritjänster": "direct-award",
    "Efterannonsering: avtal om hyra av lokal": "direct-award",
    "Tilldelning utan föregående annonsering av städtjänster": "direct-award",
    "Tilldelningsbeslut: lokalvård": "award",
    "Förhandsannons: måltidsservice": "planning",
    "Lokalvård i förskolor": "contract-notice",
}


@pytest.mark.parametrize(("text", "expected"), DATES.items(), ids=DATES.keys())
def test_swedish_dates(text: str, expected: str | None) -> None:
    assert parse_datetime(text) == expected
    assert parse_date(text) == (expected[:10] if expected else None)


@pytest.mark.parametrize(("text", "expected"), VALUES.items(), ids=VALUES.keys())
def test_values(text: str, expected: Money | None) -> None:
    assert parse_value(text) == expected


@pytest.mark.parametrize(("title", "kind"), WORDING.items(), ids=WORDING.keys())
def test_wording_names_the_notice_type(title: str, kind: str) -> None:
    assert classify(title, None, None) == kind


def test_direct_award_wording_in_the_description_counts_too() -> None:
    assert classify("Tryck av broschyrer", "Kommunen avser att direktupphandla.", None) == "direct-award"


def test_cpv_codes_are_found_in_text() -> None:
    assert extract_cpv("CPV: 90911200-8, 90919200 och 90911200; telefon 0920-453000") == [
        "90911200",
        "90919200",
    ]


def test_a_listing_record_from_fields() -> None:
    record = build_listing_record(
        {
            "title": "Snöröjning <b>Centrum</b>",
            "description": "<p>Snöröjning av gator.</p><p>CPV 90620000-9</p>",
            "deadline": "31 januari 2030 kl. 12.00",
            "published": "2026-01-05",
            "reference": "KS 2026/12",
            "value": "ca 1,4 MSEK",
            "type": "Direktupphandling",
        },
        url="https://www.lulea.se/upphandling/12",
        source_format="html-listing",
        buyer=LULEA,
    )
    assert record == NoticeRecord(
        source_format="html-listing",
        source_path="https://www.lulea.se/upphandling/12",
        notice_id="212000-2726:KS 2026/12",
        notice_type="direct-award",
        language="sv",
        title="Snöröjning Centrum",
        description="Snöröjning av gator.CPV 90620000-9",
        url="https://www.lulea.se/upphandling/12",
        buyer=Buyer("Luleå kommun", "212000-2726", "SE", "SE332", "Luleå"),
        cpv_main="90620000",
        cpv=["90620000"],
        nuts=["SE332"],
        estimated_value=Money(1_400_000, "SEK"),
        published="2026-01-05",
        deadline="2030-01-31T12:00:00",
        procedure_id="212000-2726:KS 2026/12",
        form_type="Direktupphandling",
    )


def test_the_configured_notice_type_wins_and_the_entry_id_is_used_without_reference() -> None:
    record = build_listing_record(
        {"title": "Fönsterputs"},
        url="https://annons.example/1",
        source_format="feed",
        buyer=LULEA,
        entry_id="guid-1",
        notice_type="direct-award",
    )
    assert (record.notice_id, record.notice_type) == ("guid-1", "direct-award")


def test_an_entry_without_title_is_an_error_naming_the_url() -> None:
    with pytest.raises(ListingFieldError, match=r"^https://annons.example/1: no title found"):
        build_listing_record(
            {"title": "  "}, url="https://annons.example/1", source_format="feed", buyer=LULEA
        )


UTF8_XML = '<?xml version="1.0" encoding="UTF-8"?><t>Städ</t>'
LATIN1_XML = '<?xml version="1.0" encoding="ISO-8859-1"?><t>Städ</t>'
# case -> (bytes, HTTP charset, what the note says; None: no note)
ENCODINGS = {
    "utf-8 as declared": (UTF8_XML.encode(), None, None),
    "latin-1 declared utf-8": (UTF8_XML.encode("latin-1"), None, "Windows-1252"),
    "utf-8 declared latin-1": (LATIN1_XML.encode(), None, "is UTF-8"),
    "latin-1 as declared": (LATIN1_XML.encode("latin-1"), None, None),
    "html meta charset": ('<meta charset="windows-1252"><p>Städ</p>'.encode("cp1252"), None, None),
    "http charset only": ("<p>Städ</p>".encode("latin-1"), "iso-8859-1", None),
}


@pytest.mark.parametrize(("data", "charset", "note"), ENCODINGS.values(), ids=ENCODINGS.keys())
def test_documents_are_decoded_whatever_they_declare(
    data: bytes, charset: str | None, note: str | None
) -> None:
    decoded = decode_document(data, "https://x.example/feed", charset)
    assert "Städ" in decoded.text
    if note is None:
        assert decoded.note is None
    else:
        assert decoded.note is not None and decoded.note.startswith("https://x.example/feed: ")
        assert note in decoded.note


def test_gzip_completeness() -> None:
    whole = gzip.compress(b"<x/>" * 100_000)
    assert not is_truncated_gzip(whole)
    assert is_truncated_gzip(whole[: len(whole) // 2])
    assert not is_truncated_gzip(b"<plain/>")


def _record(country: str, nuts: list[str], lot_nuts: list[str] | None = None) -> NoticeRecord:
    return NoticeRecord(
        "eforms", "x.xml", "1", buyer=Buyer(country=country), nuts=nuts, lots=[Lot(nuts=lot_nuts or [])]
    )


FILTERS = {
    "country matches": (NoticeFilter(("SE",)), _record("SE", []), True),
    "country differs": (NoticeFilter(("SE",)), _record("FI", ["SE332"]), False),
    "nuts prefix": (NoticeFilter(nuts=("SE33",)), _record("SE", ["SE332"]), True),
    "nuts of a lot": (NoticeFilter(nuts=("SE33",)), _record("SE", [], ["SE331"]), True),
    "nuts elsewhere": (NoticeFilter(("SE",), ("SE33",)), _record("SE", ["SE110"]), False),
}


@pytest.mark.parametrize(("rule", "record", "kept"), FILTERS.values(), ids=FILTERS.keys())
def test_filters_on_parsed_records(rule: NoticeFilter, record: NoticeRecord, kept: bool) -> None:
    assert rule.matches(record) is kept


@pytest.mark.parametrize(
    ("data", "may"),
    [
        (b"<cbc:IdentificationCode listName='country'>SWE</cbc:IdentificationCode>", True),
        (b'<ISO_COUNTRY VALUE="SE"/>', True),
        (b"<cbc:IdentificationCode listName='country'>FIN</cbc:IdentificationCode>", False),
    ],
)
def test_byte_prefilter_never_drops_a_matching_notice(data: bytes, may: bool) -> None:
    assert NoticeFilter(("SE",)).may_match(data) is may
