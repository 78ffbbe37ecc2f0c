"""Spiders with real Scrapy objects, offline: they start without the network, and each callback
turns a response in the real service's shape into the right items and requests."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import date
from typing import Any

import pytest
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Response, TextResponse, XmlResponse
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from scrapy.statscollectors import MemoryStatsCollector

from crawlers.exceptions import SpiderArgumentError
from crawlers.items import FetchFailure, ListingItem, NoticeItem, ProgressMark
from crawlers.middlewares import retry_after_seconds
from crawlers.sources import SOURCE_KINDS, parse_sources
from crawlers.spiders.base import BaseSpider
from crawlers.spiders.ted_daily_packages import read_calendar
from crawlers.spiders.ted_search_api import build_query
from tests.crawl_helpers import municipal_listing, rss_feed, tar_gz, truncated

BUYER = "    buyer: {name: Bodens kommun, org_number: 212000-2692, municipality_code: '2582'}\n"
# kind -> the YAML of a minimal source of that kind (every URL on a host that does not exist).
MINIMAL_SOURCES = {
    "ted_search_api": "    kind: ted_search_api\n    url: http://127.0.0.1:9/search\n    cpv: ['9091']\n",
    "ted_daily_packages": "    kind: ted_daily_packages\n    url: http://127.0.0.1:9/p/{issue}\n"
    "    calendar_url: http://127.0.0.1:9/c/{year}\n    filter: {countries: [SE]}\n",
    "ocds_api": "    kind: ocds_api\n    url: http://127.0.0.1:9/ocds?limit=100\n",
    "feed": "    kind: feed\n    url: http://127.0.0.1:9/rss\n" + BUYER,
    "html_listing": "    kind: html_listing\n    url: http://127.0.0.1:9/lista\n"
    + BUYER
    + "    selectors:\n      item: table.upphandlingar tbody tr\n      link: td.rubrik a::attr(href)\n"
    "      fields: {title: td.rubrik a::text, published: td.publicerad::text,\n"
    "               reference: td.diarienr::text}\n",
}


def project_settings() -> Settings:
    settings = Settings()
    settings.setmodule("crawlers.settings", priority="project")
    return settings


def make_spider(kind: str, since: str | None = None, **arguments: Any) -> BaseSpider:
    """A spider of the project's spider loader, on a real Crawler with stats, never started."""
    spidercls = SpiderLoader.from_settings(project_settings()).load(kind)
    source = parse_sources(f"sources:\n  test_{kind}:\n{MINIMAL_SOURCES[kind]}")[f"test_{kind}"]
    crawler = Crawler(spidercls, project_settings())
    crawler.stats = MemoryStatsCollector(crawler)
    return spidercls.from_crawler(crawler, source=source, since=since, **arguments)


def start_requests(spider: BaseSpider) -> list[Any]:
    async def collect() -> list[Any]:
        return [request async for request in spider.start()]

    return asyncio.run(collect())


def response_to(request: Request, body: bytes, cls: type[Response] = TextResponse, **kwargs: Any) -> Response:
    return cls(url=request.url, body=body, request=request, **kwargs)


def test_every_registered_spider_is_a_source_kind() -> None:
    assert sorted(SpiderLoader.from_settings(project_settings()).list()) == sorted(SOURCE_KINDS)


@pytest.mark.parametrize("kind", SOURCE_KINDS)
def test_every_spider_starts_offline(kind: str) -> None:
    spider = make_spider(kind, since="2026-01-05")
    requests = start_requests(spider)
    assert requests, f"{kind} yields no first request"
    for request in requests:
        assert isinstance(request, Request)
        assert request.url.startswith("http://127.0.0.1:9/")
        assert request.errback == spider.on_error  # a failed fetch is recorded, never lost


def test_a_spider_refuses_a_source_of_another_kind() -> None:
    with pytest.raises(SpiderArgumentError, match="crawl it with the feed spider"):
        spidercls = SpiderLoader.from_settings(project_settings()).load("html_listing")
        spidercls(source=parse_sources(f"sources:\n  f:\n{MINIMAL_SOURCES['feed']}")["f"])


def test_a_bad_since_is_refused_in_the_constructor() -> None:
    with pytest.raises(SpiderArgumentError, match="not a date"):
        make_spider("feed", since="last week")


def test_ted_search_posts_the_expert_query_and_follows_the_iteration_token() -> None:
    spider = make_spider("ted_search_api", since="2026-01-05")
    [search] = start_requests(spider)
    body = json.loads(search.body)
    assert search.method == "POST"
    assert body["query"] == (
        "buyer-country IN (SWE) AND classification-cpv IN (90910000) AND publication-date>=20260105 "
        "SORT BY publication-number ASC"
    )
    assert body["paginationMode"] == "ITERATION" and "iterationNextToken" not in body
    answer = {
        "notices": [
            {
                "publication-number": "12345-2026",
                "publication-date": "2026-01-07+01:00",
                "links": {"xml": {"MUL": "https://ted.europa.eu/en/notice/12345-2026/xml"}},
            },
            {"publication-number": "12346-2026", "publication-date": ["2026-01-08+01:00"], "links": {}},
        ],
        "totalNoticeCount": 3,
        "iterationNextToken": "abc",
    }
    out = list(spider.parse_search(response_to(search, json.dumps(answer).encode())))
    assert [(r.url, r.meta["watermark"]) for r in out[:2]] == [
        ("https://ted.europa.eu/en/notice/12345-2026/xml", "2026-01-07"),
        ("https://ted.europa.eu/en/notice/12346-2026/xml", "2026-01-08"),  # from TED_NOTICE_XML_URL
    ]
    assert json.loads(out[2].body)["iterationNextToken"] == "abc"


def test_ted_search_stops_when_the_answer_has_no_token() -> None:
    spider = make_spider("ted_search_api")
    [search] = start_requests(spider)
    answer = {"notices": [], "totalNoticeCount": 0, "iterationNextToken": None}
    assert list(spider.parse_search(response_to(search, json.dumps(answer).encode()))) == []


def test_ted_search_records_an_answer_that_is_not_json() -> None:
    spider = make_spider("ted_search_api")
    [search] = start_requests(spider)
    [failure] = spider.parse_search(response_to(search, b"<html>Service unavailable</html>"))
    assert isinstance(failure, FetchFailure) and "not a TED search answer" in failure.reason


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"nuts": ("SE332",)}, "buyer-country IN (SWE) AND place-of-performance IN (SE332)"),
        (
            {"notice_types": ("veat", "can-social")},
            "buyer-country IN (SWE) AND notice-type IN (veat can-social)",
        ),
        ({"expert_query": "buyer-name=Luleå"}, "(buyer-name=Luleå)"),
    ],
)
def test_ted_query_from_the_source_options(options: dict[str, Any], expected: str) -> None:
    from crawlers.sources import TedSearchOptions  # noqa: PLC0415

    assert build_query(TedSearchOptions(**options), None) == f"{expected} SORT BY publication-number ASC"


def test_daily_packages_read_the_calendar_and_ask_for_the_days_since() -> None:
    spider = make_spider("ted_daily_packages", since="2026-01-06", until="2026-01-08")
    [calendar] = start_requests(spider)
    assert calendar.url == "http://127.0.0.1:9/c/2026"
    csv = b"OJS,Publication date\n3,05/01/2026\n4,06/01/2026\n5,07/01/2026\n6,08/01/2026\n7,09/01/2026\n"
    requests = list(spider.parse_calendar(response_to(calendar, csv)))
    assert [(r.url, r.meta["watermark"]) for r in requests] == [
        ("http://127.0.0.1:9/p/202600004", "2026-01-06"),
        ("http://127.0.0.1:9/p/202600005", "2026-01-07"),
        ("http://127.0.0.1:9/p/202600006", "2026-01-08"),
    ]


def test_calendar_rows_become_issue_numbers() -> None:
    text = "OJS;Publication date\n1;02/01/2026\n250;31/12/2026\nnot a row;x\n"
    assert list(read_calendar(text)) == [("202600001", date(2026, 1, 2)), ("202600250", date(2026, 12, 31))]


SWEDISH = b'<TED_EXPORT><ISO_COUNTRY VALUE="SE"/><x>Lule\xc3\xa5</x></TED_EXPORT>'
FINNISH = b"<ContractNotice><cbc:IdentificationCode>FIN</cbc:IdentificationCode></ContractNotice>"


def test_daily_package_members_are_items_and_foreign_ones_are_skipped_unparsed() -> None:
    spider = make_spider("ted_daily_packages")
    request = Request("http://127.0.0.1:9/p/202600004", meta={"watermark": "2026-01-06"})
    members = {"20260106_004/a.xml": SWEDISH, "20260106_004/b.xml": FINNISH, "20260106_004/readme.txt": b"x"}
    package = tar_gz(members)
    *items, done = spider.parse_package(response_to(request, package, Response))
    assert [(i.url, i.data, i.watermark) for i in items] == [
        ("http://127.0.0.1:9/p/202600004#20260106_004/a.xml", SWEDISH, "2026-01-06")
    ]
    assert spider.crawler.stats.get_value("anbudsradar/filtered_before_parsing") == 1
    assert done == ProgressMark("test_ted_daily_packages", "2026-01-06")  # the day is done


def test_a_package_without_a_matching_notice_still_counts_its_day_as_done() -> None:
    spider = make_spider("ted_daily_packages")
    request = Request("http://127.0.0.1:9/p/202600004", meta={"watermark": "2026-01-06"})
    package = tar_gz({"20260106_004/b.xml": FINNISH})
    assert list(spider.parse_package(response_to(request, package, Response))) == [
        ProgressMark("test_ted_daily_packages", "2026-01-06")
    ]


def test_a_package_cut_short_yields_its_first_members_and_one_failure() -> None:
    spider = make_spider("ted_daily_packages")
    request = Request("http://127.0.0.1:9/p/202600004", meta={"watermark": "2026-01-06"})
    package = tar_gz({f"d/{n}.xml": SWEDISH + bytes(range(256)) * 40 for n in range(20)})
    items = list(spider.parse_package(response_to(request, truncated(package), Response)))
    assert isinstance(items[-1], FetchFailure) and "archive unreadable after" in items[-1].reason
    assert items[-1].watermark == "2026-01-06"  # the high-water mark stays before that day
    assert 0 < len(items) - 1 < 20 and all(isinstance(i, NoticeItem) for i in items[:-1])


def test_ocds_pages_give_one_item_per_release_and_follow_links_next() -> None:
    spider = make_spider("ocds_api", since="2026-01-05")
    [first] = start_requests(spider)
    assert first.url == "http://127.0.0.1:9/ocds?limit=100&updatedFrom=2026-01-05T00:00:00"
    page = {
        "uri": "x",
        "version": "1.1",
        "publishedDate": "2026-01-06T00:00:00Z",
        "publisher": {"name": "UK"},
        "releases": [
            {"ocid": "ocds-1", "id": "r1", "date": "2026-01-06T10:00:00Z", "tag": ["tender"]},
            {"ocid": "ocds-2", "id": "r2", "date": "2026-01-07T10:00:00Z", "tag": ["award"]},
        ],
        "links": {"next": "/ocds?cursor=2"},
    }
    out = list(spider.parse_page(response_to(first, json.dumps(page).encode())))
    releases = [json.loads(item.data) for item in out[:2]]
    assert [r["releases"][0]["id"] for r in releases] == ["r1", "r2"]
    assert releases[0]["publisher"] == {"name": "UK"}  # each release stays a valid package
    assert [item.watermark for item in out[:2]] == ["2026-01-06", "2026-01-07"]
    assert out[2].url == "http://127.0.0.1:9/ocds?cursor=2"


def test_an_ocds_page_that_is_not_a_package_is_kept_as_one_failure() -> None:
    spider = make_spider("ocds_api")
    [first] = start_requests(spider)
    [item] = spider.parse_page(response_to(first, b"<html>maintenance</html>"))
    assert isinstance(item, FetchFailure) and item.data == b"<html>maintenance</html>"
    assert item.watermark is None  # the high-water mark stays where it was


def test_feed_entries_become_listing_items_and_old_ones_are_skipped() -> None:
    spider = make_spider("feed", since="2026-01-06")
    [request] = start_requests(spider)
    feed = rss_feed(
        [
            {"title": "Städning", "link": "/a/1", "guid": "g1", "pubDate": "Wed, 07 Jan 2026 09:00:00 +0100"},
            {"title": "Gammal", "link": "/a/2", "guid": "g2", "pubDate": "Fri, 02 Jan 2026 09:00:00 +0100"},
        ]
    )
    [item] = spider.parse_listing(response_to(request, feed, XmlResponse))
    assert isinstance(item, ListingItem)
    assert (item.url, item.entry_id, item.watermark, item.fields["title"]) == (
        "http://127.0.0.1:9/a/1",
        "g1",
        "2026-01-07",
        "Städning",
    )
    assert item.data.startswith(b"<item ") and b"<guid>g1</guid>" in item.data  # the raw entry
    assert item.source_format == "feed"
    assert spider.crawler.stats.get_value("anbudsradar/entries_older_than_since") == 1


def test_atom_entries_are_read_too() -> None:
    spider = make_spider("feed")
    [request] = start_requests(spider)
    atom = (
        b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>'
        b'<entry><title>Tilldelning: IT-st\xc3\xb6d</title><link rel="alternate" href="https://e.example/1"/>'
        b"<id>urn:uuid:1</id><updated>2026-01-07T10:00:00Z</updated><summary>Avtal tecknat.</summary>"
        b"</entry></feed>"
    )
    [item] = spider.parse_listing(response_to(request, atom, XmlResponse))
    assert (item.url, item.entry_id, item.fields["description"]) == (
        "https://e.example/1",
        "urn:uuid:1",
        "Avtal tecknat.",
    )


def test_a_feed_answering_304_yields_nothing_and_keeps_its_validators() -> None:
    spider = make_spider("feed", validators={"http://127.0.0.1:9/rss": {"etag": '"v1"'}})
    [request] = start_requests(spider)
    assert request.headers[b"If-None-Match"] == b'"v1"'
    assert list(spider.parse_listing(response_to(request, b"", status=304))) == []
    assert spider.new_validators == {"http://127.0.0.1:9/rss": {"etag": '"v1"'}}


def test_html_listing_items_carry_the_configured_fields() -> None:
    spider = make_spider("html_listing")
    [request] = start_requests(spider)
    page = municipal_listing(
        [
            {
                "href": "/u/1",
                "title": "Snöröjning",
                "reference": "KS 1",
                "published": "2026-01-07",
                "deadline": "",
            }
        ]
    )
    [item] = spider.parse_listing(response_to(request, page, HtmlResponse))
    assert item.fields == {"title": "Snöröjning", "published": "2026-01-07", "reference": "KS 1"}
    assert (item.url, item.watermark) == ("http://127.0.0.1:9/u/1", "2026-01-07")
    assert item.buyer.org_number == "212000-2692"
    assert spider.run_notes() == []


def test_a_listing_whose_selectors_match_nothing_says_so() -> None:
    spider = make_spider("html_listing")
    [request] = start_requests(spider)
    page = "<html><body><div class='nya-kort'><a href='/u/1'>Snöröjning</a></div></body></html>".encode()
    assert list(spider.parse_listing(response_to(request, page, HtmlResponse))) == []
    [note] = spider.run_notes()
    assert note.startswith("0 items from source test_html_listing: selectors may be outdated")


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("120", 120.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0), ("soon", None), (None, None)],
)
def test_retry_after_header(header: str | None, seconds: float | None) -> None:
    headers = {"Retry-After": header} if header else {}
    assert retry_after_seconds(Response("http://127.0.0.1:9/x", status=429, headers=headers)) == seconds


@pytest.mark.parametrize(
    ("url", "watermark"), [("ftp://x/y", None), ("/relative", None), ("http://127.0.0.1:9/x", "7 jan")]
)
def test_items_are_validated_on_creation(url: str, watermark: str | None) -> None:
    with pytest.raises(ValueError, match="not"):
        NoticeItem("source", url, b"<x/>", watermark)


def test_spiders_and_middlewares_never_import_the_database_layer() -> None:
    code = (
        "import sys\n"
        "import crawlers.middlewares\n"
        + "".join(f"import crawlers.spiders.{kind}\n" for kind in SOURCE_KINDS)
        + "print(sorted(m for m in sys.modules if m.split('.')[0] in ('models', 'sqlalchemy')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_daily_packages_that_are_up_to_date_ask_for_nothing() -> None:
    spider = make_spider("ted_daily_packages", since="2026-01-09", until="2026-01-08")
    assert start_requests(spider) == []
