"""The free-text searches find text anywhere, in any case of Swedish letters, and take every character
literally: the tender list (an FTS5 trigram table on SQLite, ILIKE on PostgreSQL), companies and buyers.

Each test stores a few notices and compares what every query of its table finds with what it should.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from anbudsradar.web.queries.buyers import list_buyers
from anbudsradar.web.queries.companies import list_companies
from anbudsradar.web.queries.filters import TenderFilter
from anbudsradar.web.queries.tenders import list_tenders
from crawlers.parsers.dispatch import ParseOutcome
from crawlers.parsers.record import Buyer, NoticeRecord
from models import Company, Notice
from models.db import database
from models.store import NoticeStore
from tests.test_web_support import html, make_app, template_url

TODAY = date(2026, 11, 29)
Texts = dict[str, tuple[str, str]]  # notice key -> (title, description)

# Every query must find exactly its keys. Swedish å, ä and ö in any case; they are letters of their
# own, so "alvsbyn" does not find Älvsbyn (as in LIKE and ILIKE).
CASE_NOTICES: Texts = {
    "alvsbyn": ("Snöröjning i Älvsbyn", "Plogning och sandning av kommunala vägar."),
    "schools": ("STÄDNING AV SKOLOR", "Daglig städning och fönsterputs i Luleå."),
    "laundry": ("Tvätt av arbetskläder", "Tvätt och mangling för PITEÅ KOMMUN."),
}
CASE_QUERIES: dict[str, set[str]] = {
    "älvsbyn": {"alvsbyn"},
    "ÄLVSBYN": {"alvsbyn"},
    "Älvsbyn": {"alvsbyn"},
    "städning": {"schools"},
    "STÄDNING": {"schools"},
    "Städning av skolor": {"schools"},
    "SNÖRÖJNING": {"alvsbyn"},
    "LULEÅ": {"schools"},
    "piteå kommun": {"laundry"},
    "TVÄTT": {"laundry"},
    "alvsbyn": set(),
    "stadning": set(),
}
# Part of a word: the query "städ" finds "Lokalvårdsstädning".
COMPOUND_NOTICES: Texts = {
    "cleaning": ("Lokalvårdsstädning av förskolor", "Entrémattor och fönsterputs ingår."),
    "winter": ("VINTERVÄGHÅLLNING", "Snöröjning, halkbekämpning och sandupptagning."),
    "cafe": ("Drift av personalcafé", "Servering i kommunhusets matsal."),
}
COMPOUND_QUERIES: dict[str, set[str]] = {
    "städ": {"cleaning"},
    "STÄD": {"cleaning"},
    "VÅRDSSTÄD": {"cleaning"},
    "ÖRSKOL": {"cleaning"},
    "ENTRÉ": {"cleaning"},
    "väghållning": {"winter"},
    "RÖJNING": {"winter"},
    "HALKBEKÄMP": {"winter"},
    "CAFÉ": {"cafe"},
    "husets": {"cafe"},
}
# One or two characters: too short for a trigram index, found by a scan in any case.
SHORT_NOTICES: Texts = {
    "umea": ("Umeå", "Hamn."),
    "orebro": ("ÖREBRO", "Län."),
    "it": ("IT-stöd", "Datorer."),
    "build": ("Bygg", "Väg."),
}
SHORT_QUERIES: dict[str, set[str]] = {
    "å": {"umea"},
    "Å": {"umea"},
    "EÅ": {"umea"},
    "ö": {"orebro", "it"},
    "ÖR": {"orebro"},
    "öR": {"orebro"},
    "it": {"it"},
    "Ä": {"orebro", "build"},
    "G": {"build"},
    "x": set(),
}
# Quotes and what would be FTS5 query syntax (phrases, prefixes, columns, operators, NEAR, ^, -),
# and GLOB's * ? [ ]: plain text, no error.
SYNTAX_NOTICES: Texts = {
    "syntax": ('Flytt "etapp 2" (NEAR: AND/OR) -kontor* ^Öst', "Bärhjälp 'lördag'."),
    "brackets": ("Fråga [del 1]?", "Svar."),
    "plain": ("Flytt av kontor etapp 2", "Bärhjälp and near."),
}
SYNTAX_QUERIES: dict[str, set[str]] = {
    '"ETAPP 2"': {"syntax"},
    'etapp 2"': {"syntax"},
    '"': {"syntax"},
    '""': set(),
    '"Ö': set(),
    "(NEAR:": {"syntax"},
    "near: and/or": {"syntax"},
    "NEAR(kontor etapp)": set(),
    "AND": {"syntax", "plain"},
    "NOT": set(),
    "title:flytt": set(),
    "-KONTOR*": {"syntax"},
    "kontor*": {"syntax"},
    "*": {"syntax"},
    "^ÖST": {"syntax"},
    "'LÖRDAG'": {"syntax"},
    "[DEL 1]?": {"brackets"},
    "[": {"brackets"},
    "?": {"brackets"},
    "]?": {"brackets"},
    "Å[": set(),
}
# LIKE's % and _ (and its escape character) are text too.
WILDCARD_NOTICES: Texts = {
    "percent": ("Rabatt 50 % på ÅTERBRUK", "Kontorsmöbler."),
    "percent_decoy": ("Rabatt 500 på återbruk", "Kontorsmöbler."),
    "underscore": ("Avtal ÖST_2026", "Ramavtal."),
    "underscore_decoy": ("Avtal ÖSTX2026", "Ramavtal."),
    "backslash": ("Mapp C:\\Återbruk", "Filserver."),
}
WILDCARD_QUERIES: dict[str, set[str]] = {
    "50 % PÅ": {"percent"},
    "0 %": {"percent"},
    "%": {"percent"},
    "50%": set(),
    "öst_": {"underscore"},
    "ÖST_2026": {"underscore"},
    "_": {"underscore"},
    "T_": {"underscore"},
    "5_0": set(),
    "c:\\åter": {"backslash"},
    "\\Å": {"backslash"},
    "\\": {"backslash"},
    "\\%": set(),
}
TABLES = {
    "swedish case": (CASE_NOTICES, CASE_QUERIES),
    "compounds": (COMPOUND_NOTICES, COMPOUND_QUERIES),
    "short": (SHORT_NOTICES, SHORT_QUERIES),
    "syntax": (SYNTAX_NOTICES, SYNTAX_QUERIES),
    "wildcards": (WILDCARD_NOTICES, WILDCARD_QUERIES),
}


def record(key: str, title: str, description: str) -> NoticeRecord:
    """A minimal contract notice keyed `key`."""
    return NoticeRecord(
        source_format="eforms",
        source_path=f"{key}.xml",
        notice_id=key,
        notice_type="contract-notice",
        language="sv",
        title=title,
        description=description,
        buyer=Buyer(name="Luleå kommun", identifier="2120002726", country="SE", city="Luleå"),
        procedure_id=key,
        published="2026-11-02",
        deadline="2026-12-01T12:00:00+01:00",
    )


def store(session: Session, texts: Texts) -> None:
    """Store one notice per entry through the normal ingest."""
    outcomes = [
        ParseOutcome(f"{key}.xml", b"<test/>", "eforms", [record(key, title, description)])
        for key, (title, description) in texts.items()
    ]
    NoticeStore(session).ingest(outcomes, source="text search test")


def found(session: Session, q: str) -> set[str]:
    """Return the keys of the notices that the tender list shows for the free text `q`."""
    page = list_tenders(session, TenderFilter(q=q), TODAY, page_size=1000)
    assert page.total == len(page.rows)
    keys: dict[int, str] = dict(session.execute(select(Notice.id, Notice.notice_id)).all())
    return {keys[row.id] for row in page.rows}


def finds(session: Session, queries: dict[str, set[str]]) -> dict[str, set[str]]:
    """Return what each query finds."""
    return {q: found(session, q) for q in queries}


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    with database(database_url) as sessions, sessions() as db_session:
        yield db_session


@pytest.mark.parametrize("table", list(TABLES))
def test_each_query_finds_its_notices(session: Session, table: str) -> None:
    notices, queries = TABLES[table]
    store(session, notices)
    assert finds(session, queries) == queries


def test_the_filter_combines_with_the_others_and_counts(session: Session) -> None:
    store(session, {**CASE_NOTICES, **COMPOUND_NOTICES})
    flt = TenderFilter(q="STÄD", sort="title", order="asc")
    page = list_tenders(session, flt, TODAY, page_size=1)
    assert page.total == 2 and page.pages == 2
    assert [row.title for row in page.rows] == ["Lokalvårdsstädning av förskolor"]
    closed = TenderFilter(q="STÄD", status="closed")
    assert list_tenders(session, closed, TODAY, page_size=10).total == 0


def add_company(session: Session, name: str, org_number: str, keywords: list[str]) -> None:
    session.add(
        Company(
            org_number=org_number,
            name=name,
            contact_emails=[],
            branches=[],
            keywords=keywords,
            area_municipalities=[],
            area_counties=[],
            networks=[],
        )
    )
    session.commit()


def test_company_search_by_name_and_keyword_in_any_case(session: Session) -> None:
    add_company(session, "Städkooperativet Glänsande", "7696230001", ["fönsterputs", "snöröjning"])
    add_company(session, "Tryckeriet Hela Människan", "5560360793", ["tryck", "Återbruk"])
    names = {
        q: [company.name for company in list_companies(session, q)]
        for q in ("STÄDKOOP", "glänsande", "SNÖRÖJ", "återbruk", "ÅTERBRUK", "MÄNNISKAN", "ä", "100%")
    }
    assert names == {
        "STÄDKOOP": ["Städkooperativet Glänsande"],
        "glänsande": ["Städkooperativet Glänsande"],
        "SNÖRÖJ": ["Städkooperativet Glänsande"],
        "återbruk": ["Tryckeriet Hela Människan"],
        "ÅTERBRUK": ["Tryckeriet Hela Människan"],
        "MÄNNISKAN": ["Tryckeriet Hela Människan"],
        "ä": ["Städkooperativet Glänsande", "Tryckeriet Hela Människan"],
        "100%": [],
    }
    assert [company.name for company in list_companies(session, "769623-0001")] == [
        "Städkooperativet Glänsande"
    ]


def test_buyer_search_in_any_case(session: Session) -> None:
    store(session, CASE_NOTICES)
    other = replace(
        record("other-buyer", "Skötsel av parker", "Gräs."),
        buyer=Buyer(name="Älvsbyns kommun", identifier="2120002684", country="SE"),
    )
    NoticeStore(session).ingest(
        [ParseOutcome("b.xml", b"<b/>", "eforms", [other])], source="text search test"
    )
    names = {q: [b.name for b in list_buyers(session, q)] for q in ("ÄLVSBYNS", "älvsbyns", "LULEÅ", "Ö")}
    assert names == {
        "ÄLVSBYNS": ["Älvsbyns kommun"],
        "älvsbyns": ["Älvsbyns kommun"],
        "LULEÅ": ["Luleå kommun"],
        "Ö": [],
    }


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with TestClient(make_app(template_url(tmp_path_factory))) as test_client:
        yield test_client


def listed_ids(response: Response) -> Any:
    return html(response).xpath("//table[@id='tender-table']/tbody/tr/@data-id")


# What each view of the tender list shows, read so that two answers to different queries compare.
VIEWS: dict[str, Callable[[Response], Any]] = {
    "/notices": listed_ids,
    "/api/tenders": lambda response: response.json()["items"],
    "/notices/export.csv": lambda response: response.text,
    "/notices/export.ocds.json": lambda response: response.json()["releases"],
}


@pytest.mark.parametrize("path", list(VIEWS))
def test_pages_api_and_exports_search_in_any_case(client: TestClient, path: str) -> None:
    lower, upper = (client.get(path, params={"q": q}) for q in ("lokalvård i luleå", "LOKALVÅRD I LULEÅ"))
    assert lower.status_code == upper.status_code == 200
    assert VIEWS[path](upper), "the capitals found nothing"
    assert "Lokalvård i Luleå" in upper.text
    assert VIEWS[path](lower) == VIEWS[path](upper)
