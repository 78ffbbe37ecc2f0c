"""Shared data and helpers of the web tests (no tests here): a seeded database, an app, parsing, login.

The database is built once per test session (fictional Norrbotten notices and companies, tags with
word evidence, matches, consortia, deliveries, one user) and copied for tests that change it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import lxml.html
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from anbudsradar.benchmarks.web_bench import structured_tags
from anbudsradar.ingest import ingest_paths
from anbudsradar.samples.eforms_builder import build_notice
from anbudsradar.samples.norrbotten import write_samples
from anbudsradar.samples.synthetic import synthetic_notices
from anbudsradar.web.app import create_app
from anbudsradar.web.auth import create_user
from anbudsradar.web.settings import WebSettings
from models.company import Company, Municipality, NetworkLink
from models.db import database
from models.delivery import DigestDelivery
from models.flags import refresh_flags
from models.matching import ConsortiumEvent, ConsortiumSuggestion, MatchResult
from models.notice import Notice
from models.tag import NoticeTag

TODAY = date(2026, 11, 29)
USERNAME = "samordnare"
PASSWORD = "rätt-lösenord-123"
SECRET = "test-secret-key-0123456789abcdef"
SYNTHETIC = 40


@dataclass(frozen=True, slots=True)
class Ids:
    """Primary keys of the rows tests refer to."""

    lulea_cleaning: int  # reserved, two lots, word evidence in the description
    pitea_cafe: int  # employment requirement (BT-775 opp)
    lulea_print: int  # direct award in printing, not reserved: a missed chance for Luleå
    lulea_buyer: int
    glansande: int  # the cleaning ASF
    tryckeriet: int  # the printing ASF in Luleå
    suggestion: int  # a proposed consortium for the Luleå cleaning tender


def _pk(session: object, title_start: str) -> int:
    return session.scalar(select(Notice.id).where(Notice.title.startswith(title_start)))  # type: ignore[attr-defined]


def build_database(folder: Path) -> str:
    """Create and fill the test database in `folder`; return its URL."""
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'web.db'}"
    write_samples(folder / "samples", TODAY)
    extra = folder / "samples" / "synthetic"
    extra.mkdir()
    for sample in synthetic_notices(SYNTHETIC, seed=7, today=TODAY):
        (extra / f"{sample.key}.xml").write_bytes(build_notice(sample))
    ingest_paths([str(folder / "samples")], url)
    with database(url) as sessions, sessions() as session:
        structured_tags(session)
        cleaning = _pk(session, "Lokalvård i Luleå")
        notice = session.get(Notice, cleaning)
        assert notice is not None and notice.description is not None
        phrase = "reserverad enligt 4 kap. 18 § LOU"
        start = notice.description.index(phrase)
        word = notice.title.index("Lokalvård") if notice.title else 0
        session.add_all(
            [
                NoticeTag(
                    notice_pk=cleaning,
                    lot_id=None,
                    kind="social",
                    code="reserved_sheltered",
                    score=0.9,
                    source="rules",
                    model_version="test",
                    evidence=[
                        {
                            "source": "rules",
                            "field": "description",
                            "text": phrase,
                            "start": start,
                            "end": start + len(phrase),
                            "rule": "reserved-4-18",
                        }
                    ],
                ),
                NoticeTag(
                    notice_pk=cleaning,
                    lot_id=None,
                    kind="branch",
                    code="cleaning",
                    score=0.8,
                    source="rules",
                    model_version="test",
                    evidence=[
                        {
                            "source": "rules",
                            "field": "title",
                            "text": "Lokalvård",
                            "start": word,
                            "end": word + len("Lokalvård"),
                        }
                    ],
                ),
            ]
        )
        session.add_all(
            [
                Municipality(
                    code="2580",
                    name="Luleå",
                    county_code="25",
                    nuts3="SE332",
                    latitude=65.584,
                    longitude=22.154,
                ),
                Municipality(
                    code="2581",
                    name="Piteå",
                    county_code="25",
                    nuts3="SE332",
                    latitude=65.317,
                    longitude=21.480,
                ),
                Municipality(
                    code="2582",
                    name="Boden",
                    county_code="25",
                    nuts3="SE332",
                    latitude=65.825,
                    longitude=21.689,
                ),
            ]
        )
        session.flush()
        companies = [
            Company(
                org_number="7696123459",
                name="Städkooperativet Glänsande",
                legal_form="ekonomisk förening",
                contact_emails=["kontakt@glansande.example"],
                branches=["cleaning", "property_care"],
                keywords=["städning"],
                area_municipalities=["2580", "2582"],
                area_counties=[],
                employees=12,
                integration_share=0.6,
                networks=["Coompanion Norrbotten"],
                fictional=True,
            ),
            Company(
                org_number="7696234561",
                name="Grönt & Snö i Boden",
                contact_emails=["info@grontsno.example"],
                branches=["grounds", "snow_streets"],
                keywords=[],
                area_municipalities=[],
                area_counties=["25"],
                employees=6,
                integration_share=0.5,
                networks=[],
                fictional=True,
            ),
            Company(
                org_number="7696345672",
                name="Tryckeriet Hela Människan",
                contact_emails=["tryck@hela.example"],
                branches=["printing", "packaging_mailing"],
                keywords=[],
                area_municipalities=["2580"],
                area_counties=[],
                employees=8,
                integration_share=0.4,
                networks=[],
                fictional=True,
            ),
            Company(
                org_number="7696456784",
                name="Vilande Café AB",
                contact_emails=["cafe@vilande.example"],
                branches=["catering"],
                keywords=[],
                area_municipalities=["2581"],
                area_counties=[],
                employees=3,
                integration_share=0.5,
                networks=[],
                active=False,
                fictional=True,
            ),
        ]
        session.add_all(companies)
        session.flush()
        glansande, gront, tryck, _cafe = companies
        session.add_all(
            [
                NetworkLink(
                    company_a=glansande.id,
                    company_b=gront.id,
                    kind="joint_bid",
                    weight=2.0,
                    note="Lämnade anbud ihop 2025",
                ),
                NetworkLink(company_a=glansande.id, company_b=tryck.id, kind="network", weight=1.0),
            ]
        )
        session.add_all(
            [
                MatchResult(
                    company_pk=glansande.id,
                    notice_pk=cleaning,
                    lot_id=None,
                    score=0.92,
                    branch_fit=1.0,
                    area_fit=1.0,
                    size_fit=0.8,
                    time_fit=1.0,
                    reserved_eligible=True,
                    reasons=[
                        "Lokalvård i Luleå, inom ert område",
                        "Reserverat kontrakt: ni uppfyller 30 %-kravet",
                    ],
                    notice_content_hash=notice.content_hash,
                ),
            ]
        )
        suggestion = ConsortiumSuggestion(
            notice_pk=cleaning,
            lot_id=None,
            member_pks=[glansande.id, gront.id],
            coverage={"cleaning": [glansande.id], "grounds": [gront.id]},
            score=0.85,
            reasons=["Täcker lokalvård och utemiljö", "Har lämnat gemensamt anbud tidigare"],
            solver="greedy",
        )
        dismissed = ConsortiumSuggestion(
            notice_pk=_pk(session, "Drift av café"),
            lot_id=None,
            member_pks=[glansande.id, tryck.id],
            coverage={"catering": []},
            score=0.4,
            reasons=["<b>Ingen</b> täcker café"],
            solver="greedy",
            status="dismissed",
            changed_by="ansvarig",
            changed_at=datetime(2026, 11, 20, tzinfo=UTC),
        )
        session.add_all([suggestion, dismissed])
        session.flush()
        session.add(
            ConsortiumEvent(
                suggestion_pk=dismissed.id, action="dismissed", actor="ansvarig", note="För litet"
            )
        )
        session.add_all(
            [
                DigestDelivery(
                    company_pk=glansande.id,
                    week="2026-W48",
                    status="sent",
                    backend="outbox",
                    message_id="<a@example>",
                    subject="Anbudsradar vecka 48: 2 nya upphandlingar",
                    recipients=["kontakt@glansande.example"],
                    counts={"new": 2},
                    attempts=1,
                    sent_at=datetime(2026, 11, 23, 6, 0, tzinfo=UTC),
                ),
                DigestDelivery(
                    company_pk=tryck.id,
                    week="2026-W48",
                    status="failed",
                    backend="smtp",
                    message_id="<b@example>",
                    subject="Anbudsradar vecka 48",
                    recipients=["tryck@hela.example"],
                    counts={"new": 1},
                    attempts=4,
                    error="550 5.1.1 mailbox unavailable",
                ),
            ]
        )
        create_user(session, USERNAME, PASSWORD, "Samordnaren Sara")
        refresh_flags(session)  # as tagging does after storing tags
        session.commit()
    return url


def template_url(factory: pytest.TempPathFactory) -> str:
    """The session's seeded database (built by the first test that asks for it)."""
    folder = factory.getbasetemp() / "web-template"
    if not (folder / "web.db").exists():
        build_database(folder)
    return f"sqlite:///{folder / 'web.db'}"


def copy_of(factory: pytest.TempPathFactory, target: Path) -> str:
    """A private copy of the seeded database, for a test that changes it."""
    source = Path(template_url(factory).removeprefix("sqlite:///"))
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, target / "web.db")
    return f"sqlite:///{target / 'web.db'}"


def ids(url: str) -> Ids:
    """Look up the primary keys of the rows the tests refer to."""
    with database(url) as sessions, sessions() as session:

        def company(name: str) -> int:
            return session.scalar(select(Company.id).where(Company.name == name))  # type: ignore[return-value]

        cleaning = _pk(session, "Lokalvård i Luleå")
        return Ids(
            lulea_cleaning=cleaning,
            pitea_cafe=_pk(session, "Drift av café"),
            lulea_print=_pk(session, "Direktupphandling av tryck"),
            lulea_buyer=session.scalar(select(Notice.buyer_id).where(Notice.id == cleaning)),  # type: ignore[arg-type]
            glansande=company("Städkooperativet Glänsande"),
            tryckeriet=company("Tryckeriet Hela Människan"),
            suggestion=session.scalar(
                select(ConsortiumSuggestion.id).where(ConsortiumSuggestion.notice_pk == cleaning)
            ),  # type: ignore[arg-type]
        )


def make_app(url: str, **changes: object) -> FastAPI:
    """The app on `url` with test settings; today is fixed to TODAY."""
    settings = WebSettings(secret_key=SECRET, **changes)  # type: ignore[arg-type]
    app = create_app(url, settings)
    app.state.today = lambda: TODAY
    return app


def html(response: object) -> lxml.html.HtmlElement:
    """Parse a response body as HTML."""
    return lxml.html.fromstring(response.text)  # type: ignore[attr-defined]


def texts(tree: lxml.html.HtmlElement, xpath: str) -> list[str]:
    """The whitespace-normalised text of every element the XPath selects."""
    return [" ".join(element.text_content().split()) for element in tree.xpath(xpath)]


def csrf_of(client: TestClient, path: str) -> str:
    """GET a page and return the CSRF token of its first form."""
    tree = html(client.get(path))
    tokens = tree.xpath("//input[@name='csrf_token']/@value")
    assert tokens, f"no CSRF field on {path}"
    return str(tokens[0])


def log_in(client: TestClient, username: str = USERNAME, password: str = PASSWORD) -> object:
    """Log in through the form (with its CSRF token) and return the response."""
    token = csrf_of(client, "/login")
    return client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "next": "/coordinator/companies",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
