"""Every source kind crawls a local server into the database; a re-crawl fetches only what is new.

The server answers in the shapes of the real services: real notice XML and OCDS releases from
../shared/data/real for the downloads, TED Search API v3 and OCDS answers as their documentation
describes, an advertisement database's RSS feed and a municipality's HTML listing. Each crawl
runs `anbudsradar crawl --fast --json` in a child process, as a user would.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from anbudsradar.cli.crawl_cmd import sources as sources_command
from crawlers.localsite import Hit, LocalSite, Reply, ocds_route, serving, ted_result, ted_search_route
from crawlers.run import CrawlReport
from models import CrawlRun, IngestRun, Notice, NoticeVersion, SourceState
from tests.conftest import REAL_DATA
from tests.crawl_helpers import (
    FOREIGN_EFORMS,
    HTML,
    ROBOTS,
    RSS,
    SWEDISH_LEGACY,
    UK_RELEASES,
    XML,
    crawl,
    detail_page,
    listing_source,
    municipal_listing,
    real,
    release_calendar,
    rows,
    rss_feed,
    session_for,
    tar_gz,
)

TODAY = date.today()
DAY = timedelta(days=1)
TED_FILES = ("eforms/DEU_00657565-2023.xml", "eforms/FIN_00544961-2023.xml", "eforms/ITA_00650276-2023.xml")
pytestmark = pytest.mark.skipif(not REAL_DATA.exists(), reason="needs ../shared/data/real")


@dataclass
class World:
    """The local site, its database and the two crawls (the first, and the re-crawl)."""

    site: LocalSite
    database_url: str
    first: CrawlReport
    second: CrawlReport
    first_hits: int


def _conditional(reply: Reply, validator: str, header: str) -> Any:
    """A route answering 304 when the request carries the validator in `header`."""

    def answer(hit: Hit) -> Reply:
        if hit.headers.get(header) == validator:
            return Reply(304)
        return reply

    return answer


def _uk_releases(days_ago: list[int]) -> list[dict[str, Any]]:
    """Real UK Contracts Finder releases, dated recently so that the updated-since filter keeps them."""
    releases = []
    for path, ago in zip(sorted((REAL_DATA / UK_RELEASES).glob("*.json")), days_ago, strict=False):
        document = json.loads(path.read_bytes())
        release = document["releases"][0] if "releases" in document else document
        releases.append({**release, "date": f"{TODAY - ago * DAY}T10:00:00Z"})
    return releases


def _entry(number: int, published: date, description: str | None = None) -> dict[str, str]:
    """One RSS item of the advertisement database (1: a cleaning tender, 2: a direct award)."""
    title = "Städning av förskolor i Luleå" if number == 1 else "Direktupphandling: tryck av broschyrer"
    item = {
        "title": title,
        "link": f"https://annonsdatabas.example/a/{number}",
        "guid": f"annons-{number}",
        "pubDate": f"{published:%a, %d %b %Y} 09:00:00 +0100",
    }
    return {**item, "description": description} if description else item


def _sources(site: LocalSite) -> str:
    return (
        f"  ted:\n    kind: ted_search_api\n    url: {site.url('/v3/notices/search')}\n    page_size: 2\n"
        f"  daily:\n    kind: ted_daily_packages\n    url: {site.base_url}/packages/daily/{{issue}}\n"
        f"    calendar_url: {site.base_url}/kalender/{{year}}\n    filter: {{countries: [SE]}}\n"
        f"  uk:\n    kind: ocds_api\n    url: {site.url('/api/ocdsReleasePackages')}\n"
        f"  annonser:\n    kind: feed\n    url: {site.url('/rss/norrbotten.xml')}\n"
        "    buyer: {name: Luleå kommun, org_number: '2120002726', municipality_code: '2580'}\n"
        + listing_source("boden", site, "/upphandlingar")
    )


def _serve_first(site: LocalSite) -> None:
    site.add("/robots.txt", ROBOTS)
    results = []
    for number, (path, ago) in enumerate(zip(TED_FILES, (3, 2, 1), strict=True), start=1):
        site.add(f"/en/notice/{number}-2026/xml", Reply(body=real(path), headers=XML))
        results.append(
            ted_result(
                f"{number}-2026", (TODAY - ago * DAY).isoformat(), site.url(f"/en/notice/{number}-2026/xml")
            )
        )
    site.add("/v3/notices/search", ted_search_route(results))
    site.results = results  # type: ignore[attr-defined]  # the re-crawl adds one
    calendar = release_calendar([(1, TODAY - 2 * DAY), (2, TODAY - DAY), (3, TODAY)])
    for year in {(TODAY - 7 * DAY).year, TODAY.year}:
        site.add(f"/kalender/{year}", Reply(body=calendar, headers={"Content-Type": "text/csv"}))
    first, second = TODAY - 2 * DAY, TODAY - DAY
    site.add(
        f"/packages/daily/{first.year}00001",
        Reply(
            body=tar_gz(
                {f"{first:%Y%m%d}_001/{Path(p).name}": real(p) for p in (*SWEDISH_LEGACY, FOREIGN_EFORMS[0])}
            )
        ),
    )
    site.add(
        f"/packages/daily/{second.year}00002",
        Reply(
            body=tar_gz(
                {
                    f"{second:%Y%m%d}_002/{Path(p).name}": real(p)
                    for p in ("ted-legacy/SE_2021S-133-354339.xml", FOREIGN_EFORMS[1])
                }
            )
        ),
    )
    site.add("/api/ocdsReleasePackages", ocds_route(_uk_releases([5, 4, 3, 3, 2, 1]), page_size=2))
    feed = rss_feed(
        [
            _entry(
                1,
                TODAY - 2 * DAY,
                "&lt;p&gt;Lokalvård, CPV 90919200-4. Sista anbudsdag 2030-01-31.&lt;/p&gt;",
            ),
            _entry(2, TODAY - 3 * DAY),
        ]
    )
    site.add(
        "/rss/norrbotten.xml",
        _conditional(Reply(body=feed, headers={**RSS, "ETag": '"v1"'}), '"v1"', "If-None-Match"),
    )
    modified = "Mon, 05 Jan 2026 08:00:00 GMT"
    listing = municipal_listing(
        [
            {
                "href": "/upphandlingar/snorojning",
                "title": "Snöröjning av gång- och cykelvägar",
                "reference": "KS 2026/101",
                "published": f"{TODAY - 3 * DAY}",
                "deadline": "31 januari 2030",
            },
            {
                "href": "/upphandlingar/fonsterputs",
                "title": "Fönsterputs i skolor",
                "reference": "KS 2026/102",
                "published": f"{TODAY - 2 * DAY}",
                "deadline": "2030-02-15 12.00",
            },
        ]
    )
    site.add(
        "/upphandlingar",
        _conditional(
            Reply(body=listing, headers={**HTML, "Last-Modified": modified}), modified, "If-Modified-Since"
        ),
    )
    site.add(
        "/upphandlingar/snorojning",
        Reply(body=detail_page("Snöröjning", "Snöröjning i tre områden.", "ca 1,4 MSEK"), headers=HTML),
    )
    site.add(
        "/upphandlingar/fonsterputs",
        Reply(body=detail_page("Fönsterputs", "Direktupphandling av fönsterputs."), headers=HTML),
    )


def _serve_changes(site: LocalSite) -> None:
    """What is published between the two crawls: a TED notice, a package, a changed feed entry."""
    path = "/en/notice/4-2026/xml"
    site.add(path, Reply(body=real("eforms/POL_00739962-2023.xml"), headers=XML))
    site.results.append(ted_result("4-2026", TODAY.isoformat(), site.url(path)))  # type: ignore[attr-defined]
    site.add(
        f"/packages/daily/{TODAY.year}00003",
        Reply(body=tar_gz({f"{TODAY:%Y%m%d}_003/notice.xml": real("ted-legacy/SE_2021S-161-425211.xml")})),
    )
    feed = rss_feed(
        [
            _entry(1, TODAY, "Ändrad: sista anbudsdag flyttad till 2030-02-28. Lokalvård, CPV 90919200-4."),
            _entry(2, TODAY - 3 * DAY),
        ]
    )
    site.add(
        "/rss/norrbotten.xml",
        _conditional(Reply(body=feed, headers={**RSS, "ETag": '"v2"'}), '"v2"', "If-None-Match"),
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("crawl")
    database_url = f"sqlite:///{tmp / 'crawl.db'}"
    with serving() as site:
        _serve_first(site)
        first = crawl(tmp, _sources(site), database_url)
        first_hits = len(site.hits)
        _serve_changes(site)
        second = crawl(tmp, _sources(site), database_url)
        yield World(site, database_url, first, second, first_hits)


def test_every_source_kind_is_crawled_into_the_database(world: World) -> None:
    results = {result.source: result for result in world.first.results}
    assert {name: (r.status, r.new, r.failed) for name, r in results.items()} == {
        "ted": ("ok", 3, 0),
        "daily": ("ok", 3, 0),
        "uk": ("ok", 6, 0),
        "annonser": ("ok", 2, 0),
        "boden": ("ok", 2, 0),
    }
    assert results["daily"].filtered == 2  # the German and Finnish notices of the packages
    statement = select(Notice.source_format, func.count()).group_by(Notice.source_format)
    formats = dict(
        _scalar_rows(world.database_url, statement)
    )  # after both crawls: one more of the first two
    assert formats == {"eforms": 4, "ted-legacy": 4, "ocds": 6, "feed": 2, "html-listing": 2}


def test_notice_bytes_are_kept_as_fetched(world: World) -> None:
    [version] = rows(world.database_url, NoticeVersion, NoticeVersion.published_id == "00657565-2023")
    with session_for(world.database_url) as session:
        version = session.merge(version)
        assert version.raw_payload is not None
        assert version.raw_payload.data() == real(TED_FILES[0])
        assert version.source_path == world.site.url("/en/notice/1-2026/xml")


def test_listing_items_become_notices_with_the_configured_buyer(world: World) -> None:
    notices = {n.title: n for n in rows(world.database_url, Notice, Notice.source_format == "html-listing")}
    snow = notices["Snöröjning av gång- och cykelvägar"]
    assert snow.notice_id == "212000-2692:KS 2026/101"
    assert snow.deadline == "2030-01-31"
    assert snow.estimated_amount == 1_400_000 and snow.estimated_currency == "SEK"
    assert snow.description == "Snöröjning i tre områden."
    assert snow.nuts == ["SE332"]
    assert snow.notice_type == "contract-notice"
    assert notices["Fönsterputs i skolor"].notice_type == "direct-award"
    assert notices["Fönsterputs i skolor"].deadline == "2030-02-15T12:00:00"
    with session_for(world.database_url) as session:
        buyer = session.merge(snow).buyer
        assert (buyer.name, buyer.identifier, buyer.country, buyer.nuts) == (
            "Bodens kommun",
            "212000-2692",
            "SE",
            "SE332",
        )


def test_feed_entries_become_notices_and_direct_awards_are_named(world: World) -> None:
    notices = {n.notice_id: n for n in rows(world.database_url, Notice, Notice.source_format == "feed")}
    assert notices["annons-2"].notice_type == "direct-award"
    assert notices["annons-1"].cpv_main == "90919200"
    assert notices["annons-1"].url == "https://annonsdatabas.example/a/1"


def test_crawl_statistics_are_stored_per_run(world: World) -> None:
    runs = rows(world.database_url, CrawlRun, CrawlRun.source == "ted")
    assert [run.new for run in runs] == [3, 1]
    first = runs[0]
    assert first.requests >= 5 and first.duration_s > 0 and first.status == "ok"
    ingest = rows(world.database_url, IngestRun, IngestRun.id == first.ingest_run_id)
    assert ingest[0].source == "crawl ted" and ingest[0].new == 3


def test_a_recrawl_asks_only_for_what_is_new(world: World) -> None:
    second = world.site.hits[world.first_hits :]
    paths = [hit.path for hit in second]
    searches = [json.loads(hit.body) for hit in second if hit.path == "/v3/notices/search"]
    assert all(f"publication-date>={TODAY - DAY:%Y%m%d}" in search["query"] for search in searches)
    assert "/en/notice/1-2026/xml" not in paths and "/en/notice/4-2026/xml" in paths
    assert [p for p in paths if p.startswith("/packages/")] == [f"/packages/daily/{TODAY.year}00003"]
    [ocds] = [hit for hit in second if hit.path == "/api/ocdsReleasePackages"]
    assert ocds.query["updatedFrom"] == [f"{TODAY - DAY}T00:00:00"]
    assert not [p for p in paths if p.startswith("/upphandlingar/")]  # the listing answered 304
    results = {result.source: (result.new, result.updated) for result in world.second.results}
    assert results == {"ted": (1, 0), "daily": (1, 0), "uk": (0, 0), "annonser": (0, 1), "boden": (0, 0)}


def test_a_changed_notice_updates_the_stored_one_and_keeps_the_history(world: World) -> None:
    [notice] = rows(world.database_url, Notice, Notice.notice_id == "annons-1")
    assert notice.version_count == 2
    assert notice.description.startswith("Ändrad: sista anbudsdag flyttad")
    versions = rows(world.database_url, NoticeVersion, NoticeVersion.notice_pk == notice.id)
    assert [v.record["description"][:6] for v in versions] == ["Lokalv", "Ändrad"]


def test_each_source_remembers_its_high_water_mark(world: World) -> None:
    states = {state.source: state for state in rows(world.database_url, SourceState)}
    assert states["ted"].high_water_mark == TODAY.isoformat()
    assert states["daily"].high_water_mark == TODAY.isoformat()
    assert states["annonser"].validators == {world.site.url("/rss/norrbotten.xml"): {"etag": '"v2"'}}


def test_sources_command_lists_the_sources_and_their_last_run(world: World, tmp_path: Path) -> None:
    sources_file = tmp_path / "sources.yaml"
    sources_file.write_text("sources:\n" + _sources(world.site), encoding="utf-8")
    result = CliRunner().invoke(
        sources_command,
        ["--sources-file", str(sources_file)],
        env={"ANBUDSRADAR_DATABASE_URL": world.database_url},
    )
    assert result.exit_code == 0, result.output
    lines = {line.split("│")[1].strip(): line for line in result.output.splitlines() if line.count("│") > 5}
    assert set(lines) >= {"ted", "daily", "uk", "annonser", "boden"}
    assert "ok" in lines["ted"] and TODAY.isoformat() in lines["ted"]


def _scalar_rows(database_url: str, statement: Any) -> list[Any]:
    with session_for(database_url) as session:
        return list(session.execute(statement))
