"""Error paths of a crawl: each is one source of one crawl, and each has its own test.

429 with Retry-After, 500 then success, a Retry-After too long to wait for, a package cut short
(in its gzip stream, or in the HTTP body) and one that stays cut, a malformed notice among good
ones, a feed in the wrong encoding, a listing whose selectors no longer match, and robots.txt.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from crawlers.localsite import LocalSite, Reply, serving, ted_result, ted_search_route
from crawlers.run import CrawlReport
from models import CrawlRun, IngestFailure, Notice
from tests.conftest import REAL_DATA
from tests.crawl_helpers import (
    FOREIGN_EFORMS,
    HTML,
    ROBOTS,
    RSS,
    SWEDISH_LEGACY,
    XML,
    crawl,
    detail_page,
    listing_source,
    municipal_listing,
    real,
    rows,
    rss_feed,
    session_for,
    tar_gz,
    truncated,
)

TODAY = date.today()
pytestmark = pytest.mark.skipif(not REAL_DATA.exists(), reason="needs ../shared/data/real")
PACKAGE = (
    {f"20260105_001/{Path(p).name}": real(p) for p in (*SWEDISH_LEGACY, *FOREIGN_EFORMS)}
    if REAL_DATA.exists()
    else {}
)


@dataclass
class Crawl:
    """One crawl of every error source against one local site."""

    site: LocalSite
    database_url: str
    report: CrawlReport


def _ted(site: LocalSite, name: str, replies: dict[str, Reply | list[Reply]]) -> str:
    """A TED search source whose notices (named for the reader) answer with the given replies."""
    results = []
    for number, reply in enumerate(replies.values(), start=1):
        url_path = f"/{name}/notice/{number}-2026/xml"
        site.add(url_path, reply)
        results.append(
            ted_result(f"{number}-2026", (TODAY - timedelta(days=1)).isoformat(), site.url(url_path))
        )
    site.add(f"/{name}/search", ted_search_route(results))
    return f"  {name}:\n    kind: ted_search_api\n    url: {site.url(f'/{name}/search')}\n"


def _package(site: LocalSite, name: str, replies: list[Reply]) -> str:
    """A daily-package source for one explicit issue, served with the given replies in turn."""
    site.add(f"/{name}/packages/202600001", replies)
    return (
        f"  {name}:\n    kind: ted_daily_packages\n    url: {site.base_url}/{name}/packages/{{issue}}\n"
        "    issues: ['202600001']\n    filter: {countries: [SE]}\n"
    )


def _serve(site: LocalSite) -> str:
    site.add("/robots.txt", ROBOTS)
    good = real(FOREIGN_EFORMS[0])
    sources = _ted(
        site,
        "ted_retries",
        {
            "429": [Reply(429, b"slow down", {"Retry-After": "1"}), Reply(body=good, headers=XML)],
            "500": [Reply(500, b"oops"), Reply(body=real(FOREIGN_EFORMS[1]), headers=XML)],
            "malformed": Reply(body=truncated(real(FOREIGN_EFORMS[2]), 0.6), headers=XML),
            "good": Reply(body=real("eforms/ITA_00650276-2023.xml"), headers=XML),
        },
    )
    sources += _ted(site, "ted_too_long", {"busy": Reply(503, b"maintenance", {"Retry-After": "3600"})})
    package = tar_gz(PACKAGE)
    sources += _package(site, "gzip_cut", [Reply(body=truncated(package, 0.5)), Reply(body=package)])
    sources += _package(
        site, "body_cut", [Reply(body=package, cut_at=len(package) // 2), Reply(body=package)]
    )
    sources += _package(site, "gzip_stays_cut", [Reply(body=truncated(package, 0.6))])
    latin1 = rss_feed(
        [
            {
                "title": "Städning av äldreboenden i Piteå",
                "link": "https://annonsdatabas.example/a/9",
                "guid": "a-9",
            }
        ],
        encoding="latin-1",
        declared="UTF-8",
    )
    site.add("/latin1.rss", Reply(body=latin1, headers=RSS))
    sources += (
        f"  feed_latin1:\n    kind: feed\n    url: {site.url('/latin1.rss')}\n"
        "    buyer: {name: Piteå kommun, org_number: 212000-2742, municipality_code: '2581'}\n"
    )
    redesigned = (
        "<html><body><main><div class='cards'><article class='card'><h2><a href='/upphandling/1'>"
        "Vinterväghållning</a></h2><p>Sista anbudsdag 2030-01-10</p></article></div></main></body></html>"
    ).encode()
    site.add("/redesigned", Reply(body=redesigned, headers=HTML))
    sources += listing_source("listing_outdated", site, "/redesigned")
    private = municipal_listing(
        [
            {
                "href": "/privat/1",
                "title": "Intern förfrågan",
                "reference": "KS 1",
                "published": "",
                "deadline": "",
            },
            {
                "href": "/publik/2",
                "title": "Publik förfrågan",
                "reference": "KS 2",
                "published": "",
                "deadline": "",
            },
        ]
    )
    site.add("/robots-listing", Reply(body=private, headers=HTML))
    site.add("/privat/1", Reply(body=detail_page("Intern förfrågan", "Får inte hämtas."), headers=HTML))
    site.add(
        "/publik/2", Reply(body=detail_page("Publik förfrågan", "Direktupphandling av städ."), headers=HTML)
    )
    sources += listing_source("listing_robots", site, "/robots-listing")
    return sources


@pytest.fixture(scope="module")
def errors(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    tmp = tmp_path_factory.mktemp("errors")
    database_url = f"sqlite:///{tmp / 'errors.db'}"
    with serving() as site:
        report = crawl(tmp, _serve(site), database_url)
        yield Crawl(site, database_url, report)


def test_429_is_retried_after_the_wait_retry_after_asks_for(errors: Crawl) -> None:
    first, second = errors.site.requests_to("/ted_retries/notice/1-2026/xml")
    assert second.at - first.at >= 1.0
    assert rows(errors.database_url, Notice, Notice.notice_id == "00657565-2023")


def test_500_then_success_is_stored(errors: Crawl) -> None:
    assert len(errors.site.requests_to("/ted_retries/notice/2-2026/xml")) == 2
    assert rows(errors.database_url, Notice, Notice.notice_id == "00544961-2023")
    assert errors.report.result("ted_retries").retries == 2  # the 429 and the 500


def test_one_malformed_notice_is_recorded_and_the_others_are_stored(errors: Crawl) -> None:
    result = errors.report.result("ted_retries")
    assert (result.new, result.failed, result.status) == (3, 1, "warning")
    url = errors.site.url("/ted_retries/notice/3-2026/xml")
    with session_for(errors.database_url) as session:
        failure = session.scalars(select(IngestFailure).where(IngestFailure.source_path == url)).one()
        assert "not well-formed XML" in failure.reason
        assert failure.raw_payload is not None
        assert failure.raw_payload.data() == truncated(real(FOREIGN_EFORMS[2]), 0.6)  # the bytes are kept


def test_a_retry_after_beyond_the_limit_is_given_up_and_the_crawl_goes_on(errors: Crawl) -> None:
    assert len(errors.site.requests_to("/ted_too_long/notice/1-2026/xml")) == 1
    result = errors.report.result("ted_too_long")
    assert result.failed == 1 and result.status == "warning"
    assert "given up" in (result.message or "")
    [run] = rows(errors.database_url, CrawlRun, CrawlRun.source == "ted_too_long")
    assert run.high_water_mark is None  # held back: the next crawl asks for that notice again


@pytest.mark.parametrize("source", ["gzip_cut", "body_cut"])
def test_a_package_cut_short_is_fetched_again(errors: Crawl, source: str) -> None:
    assert len(errors.site.requests_to(f"/{source}/packages/202600001")) == 2
    result = errors.report.result(source)
    assert (result.status, result.new + result.unchanged, result.failed) == ("ok", 2, 0)
    assert result.filtered == len(FOREIGN_EFORMS)


def test_a_package_that_stays_cut_gives_what_it_has_and_one_failure(errors: Crawl) -> None:
    assert len(errors.site.requests_to("/gzip_stays_cut/packages/202600001")) == 4  # RETRY_TIMES = 3
    result = errors.report.result("gzip_stays_cut")
    assert result.failed == 1 and result.status != "ok"
    url = errors.site.url("/gzip_stays_cut/packages/202600001")
    [failure] = rows(errors.database_url, IngestFailure, IngestFailure.source_path == url)
    assert "archive unreadable after" in failure.reason


def test_a_feed_in_the_wrong_encoding_is_read_and_noted(errors: Crawl) -> None:
    [notice] = rows(errors.database_url, Notice, Notice.notice_id == "a-9")
    assert notice.title == "Städning av äldreboenden i Piteå"
    result = errors.report.result("feed_latin1")
    assert "not valid UTF-8" in (result.message or "") and "Windows-1252" in (result.message or "")


def test_selectors_that_no_longer_match_are_reported_not_silent(errors: Crawl) -> None:
    result = errors.report.result("listing_outdated")
    assert result.status == "warning"
    assert "0 items from source listing_outdated: selectors may be outdated" in (result.message or "")
    assert not errors.report.ok  # so `anbudsradar crawl` exits with status 1


def test_robots_txt_is_obeyed(errors: Crawl) -> None:
    assert errors.site.requests_to("/privat/1") == []
    assert len(errors.site.requests_to("/publik/2")) == 1
    result = errors.report.result("listing_robots")
    assert result.new == 1
    assert "robots.txt" in (result.message or "")
