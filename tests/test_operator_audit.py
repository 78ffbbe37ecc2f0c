"""What the operator who crawls Norrbotten every week saw go wrong, one test per defect.

Every crawl runs `anbudsradar crawl --fast` in a child process against a real HTTP server on
127.0.0.1 (crawlers.localsite) into a SQLite file; the jobs run real subprocesses.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from anbudsradar import jobs
from crawlers.localsite import Hit, LocalSite, Reply, serving
from crawlers.run import CrawlReport
from models import IngestFailure
from models.db import database
from tests.conftest import REPO_ROOT
from tests.crawl_helpers import (
    HTML,
    ROBOTS,
    RSS,
    crawl,
    detail_page,
    listing_source,
    municipal_listing,
    rows,
    rss_feed,
)
from tests.net import free_port
from tests.test_notify_support import add_company, add_match, add_notice, fake_services

TODAY = date.today()
BUYER = "    buyer: {name: Piteå kommun, org_number: 212000-2742, municipality_code: '2581', city: Piteå}\n"


def _feed_source(name: str, url: str) -> str:
    return f"  {name}:\n    kind: feed\n    url: {url}\n" + BUYER


def _rss_date(day: date) -> str:
    return f"{day:%a, %d %b %Y} 10:00:00 +0100"




def _good_feed() -> bytes:
    return rss_feed(
        [
            {
                "title": "Städning av förskolor i Piteå",
                "link": "https://annonsdatabas.example/a/1",
                "guid": "good-1",
                "pubDate": _rss_date(TODAY - timedelta(days=1)),
            }
        ]
    )


def _serve_failures(site: LocalSite) -> str:
    site.add("/robots.txt", ROBOTS)
    site.add("/good.rss", Reply(body=_good_feed(), headers=RSS))
    sources = _feed_source("good", site.url("/good.rss"))
    # a redirect to itself, and an endless chain of redirects to new URLs
    site.add("/loop.rss", Reply(302, b"", {"Location": "/loop.rss"}))
    sources += _feed_source("looping", site.url("/loop.rss"))

    def chain(hit: Hit) -> Reply:
        hop = int((hit.query.get("hop") or ["0"])[0])
        return Reply(302, b"", {"Location": f"/chain.rss?hop={hop + 1}"})

    site.add("/chain.rss", chain)
    sources += _feed_source("chain", site.url("/chain.rss"))
    # one entry whose link no URL parser accepts, between two good ones
    malformed = rss_feed(
        [
            {
                "title": f"Annons {number}",
                "link": link,
                "guid": f"m-{number}",
                "pubDate": _rss_date(TODAY - timedelta(days=4 - number)),
            }
            for number, link in enumerate(
                ("https://annonsdatabas.example/m/1", "http://[trasig/", "https://annonsdatabas.example/m/3"),
                start=1,
            )
        ]
    )
    site.add("/malformed.rss", Reply(body=malformed, headers=RSS))
    sources += _feed_source("malformed", site.url("/malformed.rss"))
    # a source that is down, and a TED search that answers a maintenance page
    sources += _feed_source("down", f"http://127.0.0.1:{free_port()}/annonser.rss")
    site.add("/ted/search", Reply(body=b"<html><body>Underhall</body></html>", headers=HTML))
    sources += f"  ted_maintenance:\n    kind: ted_search_api\n    url: {site.url('/ted/search')}\n"
    return sources


@dataclass
class Crawl:
    site: LocalSite
    database_url: str
    report: CrawlReport


@pytest.fixture(scope="module")
def failures(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    tmp = tmp_path_factory.mktemp("operator")
    database_url = f"sqlite:///{tmp / 'crawl.db'}"
    with serving() as site:
        yield Crawl(site, database_url, crawl(tmp, _serve_failures(site), database_url))


def test_a_redirect_loop_fails_its_source_and_says_so(failures: Crawl) -> None:
    # Before: a redirect back to itself was dropped as a duplicate (status "ok", nothing said) and
    # an endless chain was reported as "robots.txt forbids them".
    for name in ("looping", "chain"):
        result = failures.report.result(name)
        assert result.status == "failed", result
        assert "redirect" in (result.message or ""), result.message
        assert "robots.txt" not in (result.message or "")
        assert result.high_water_mark is None


def test_a_malformed_entry_fails_its_source_and_keeps_the_mark(failures: Crawl) -> None:
    # Before: the exception ended the page silently: the entries after it were lost, status "ok",
    # and the high-water mark moved past them.
    result = failures.report.result("malformed")
    assert result.status == "failed", result
    assert result.failed == 1 and result.new == 1
    assert "ValueError" in (result.message or "") and "Invalid IPv6 URL" in (result.message or "")
    assert result.high_water_mark is None
    [failure] = rows(failures.database_url, IngestFailure, IngestFailure.reason.contains("Invalid IPv6"))
    assert failure.source_path.endswith("/malformed.rss")


def test_a_fetch_given_up_is_reported_with_why(failures: Crawl) -> None:
    # Before: "1 fetch(es) given up, asked for again next time: URL" and no reason.
    down = failures.report.result("down")
    assert down.status == "failed"
    assert "refused" in (down.message or ""), down.message
    ted = failures.report.result("ted_maintenance")
    assert ted.status == "failed"
    assert "not a TED search answer" in (ted.message or ""), ted.message


def test_the_other_sources_go_on(failures: Crawl) -> None:
    good = failures.report.result("good")
    assert good.status == "ok" and good.new == 1
    assert not failures.report.ok


def test_the_crawl_command_exits_1_and_names_the_source_and_the_problem(tmp_path: Path) -> None:
    with serving() as site:
        sources = _serve_failures(site)
        sources_file = tmp_path / "sources.yaml"
        sources_file.write_text("sources:\n" + sources, encoding="utf-8")
        env = {**os.environ, "ANBUDSRADAR_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
        command = [sys.executable, "-m", "anbudsradar", "crawl", "--fast", "good", "looping"]
        done = subprocess.run(
            [*command, "--sources-file", str(sources_file)],
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO_ROOT,
            timeout=120,
            check=False,
        )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "looping: 1 fetch(es) given up" in done.stdout and "redirect loop" in done.stdout, done.stdout


def test_a_listing_behind_a_redirect_is_asked_for_conditionally(tmp_path: Path) -> None:
    # Before: the ETag was kept under the URL redirected to, looked up under the configured one,
    # so the listing and every detail page were downloaded again on every crawl.
    listing = municipal_listing(
        [
            {
                "href": "/upphandling/1",
                "title": "Direktupphandling av fönsterputs",
                "reference": "KS 2026/7",
                "published": (TODAY - timedelta(days=2)).isoformat(),
                "deadline": (TODAY + timedelta(days=20)).isoformat(),
            }
        ]
    )

    def upphandlingar(hit: Hit) -> Reply:
        if hit.headers.get("If-None-Match") == '"v1"':
            return Reply(304, b"", {"ETag": '"v1"'})
        return Reply(body=listing, headers={**HTML, "ETag": '"v1"'})

    database_url = f"sqlite:///{tmp_path / 'redirect.db'}"
    with serving() as site:
        site.add("/robots.txt", ROBOTS)
        site.add("/upphandling", Reply(301, b"", {"Location": "/naringsliv/upphandling/"}))
        site.add("/naringsliv/upphandling/", upphandlingar)
        detail = detail_page("Fönsterputs", "Putsning av fönster.")
        site.add("/upphandling/1", Reply(body=detail, headers=HTML))
        source = listing_source("boden", site, "/upphandling")
        first = crawl(tmp_path, source, database_url)
        second = crawl(tmp_path, source, database_url)
        asked = site.requests_to("/upphandling")
        details = site.requests_to("/upphandling/1")
    assert first.result("boden").new == 1
    assert asked[-1].headers.get("If-None-Match") == '"v1"'
    assert len(details) == 1
    assert second.result("boden").status == "ok" and second.result("boden").unchanged == 0


def test_a_dropped_connection_is_retried_after_a_backoff(tmp_path: Path) -> None:
    # Before: network errors (timeouts, refused or dropped connections) were retried at once, so
    # a server restarting for a few seconds was given up.
    feed = _good_feed()
    database_url = f"sqlite:///{tmp_path / 'backoff.db'}"
    with serving() as site:
        site.add("/robots.txt", ROBOTS)
        site.add("/flaky.rss", [Reply(body=feed, headers=RSS, cut_at=0), Reply(body=feed, headers=RSS)])
        report = crawl(
            tmp_path, _feed_source("flaky", site.url("/flaky.rss")), database_url, RETRY_BACKOFF_BASE=1
        )
        first, second = site.requests_to("/flaky.rss")
    assert report.result("flaky").status == "ok" and report.result("flaky").new == 1
    assert second.at - first.at >= 0.9


def test_a_failing_tagging_step_does_not_stop_matching(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[str] = []

    def tag_database(database_url: str) -> None:
        raise RuntimeError("the classifier file is unreadable")

    fake_services(
        monkeypatch,
        {
            "anbudsradar_audit_tagging": ("tag_database", tag_database),
            "anbudsradar_audit_matching": ("match_database", calls.append),
        },
    )
    monkeypatch.setenv("ANBUDSRADAR_DATABASE_URL", "sqlite:///audit.db")
    jobs.reset_stop()
    with caplog.at_level(logging.INFO, logger="anbudsradar.jobs"):
        jobs.tag_and_match_job()
    assert calls == ["sqlite:///audit.db"]
    assert "anbudsradar_audit_tagging.tag_database failed" in caplog.text
    assert "the classifier file is unreadable" in caplog.text


def test_a_digest_waits_for_the_crawl_that_is_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # After a machine was off over Monday, the missed crawl and digest start together; the digest
    # used to go out at once, with last week's matches, before the crawl had stored anything.
    url = f"sqlite:///{tmp_path / 'digest.db'}"
    with database(url) as factory, factory() as session:
        company = add_company(session, 1, "Städkooperativet Glänsande")
        add_match(session, company, add_notice(session, "n1", "Städning", "2099-01-01"), 0.9, ["Städning"])
        session.commit()
    monkeypatch.setenv("ANBUDSRADAR_DATABASE_URL", url)
    monkeypatch.setenv("ANBUDSRADAR_DATA_DIR", str(tmp_path))
    started, finished = tmp_path / "crawl-started", tmp_path / "crawl-finished"
    script = (
        f"import pathlib, time; pathlib.Path({str(started)!r}).touch(); time.sleep(1.5); "
        f"pathlib.Path({str(finished)!r}).touch()"
    )
    monkeypatch.setattr(jobs, "CRAWL_COMMAND", (sys.executable, "-c", script))
    monkeypatch.setattr(jobs, "TAG_AND_MATCH_SERVICES", ())
    jobs.reset_stop()
    crawling = threading.Thread(target=jobs.crawl_job)
    crawling.start()
    try:
        deadline = time.monotonic() + 30
        while not started.exists():
            assert time.monotonic() < deadline, "the crawl command did not start"
            time.sleep(0.02)
        jobs.digest_job()
        assert finished.exists(), "the digest round ran while the crawl was still running"
        assert len(list((tmp_path / "outbox").iterdir())) == 1
    finally:
        crawling.join(timeout=30)
