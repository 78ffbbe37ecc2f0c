"""The demo's crawl: serve the bundled samples on 127.0.0.1 and crawl them like real sources."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from crawlers.demo_site import build_demo_site
from crawlers.run import CrawlReport, crawl_in_subprocess

LOOKBACK_DAYS = 30  # the oldest sample notice is 20 days old


@dataclass(slots=True)
class DemoCrawl:
    """The demo's two crawls: the first stores everything, the re-crawl finds nothing new."""

    sources_file: Path
    first: CrawlReport
    again: CrawlReport | None


def crawl_demo_sources(
    samples_folder: Path, database_url: str, today: date | None = None, *, again: bool = True
) -> DemoCrawl:
    """Serve the samples as the five source kinds on 127.0.0.1 and crawl them into the database.

    The crawl runs `anbudsradar crawl --fast` in a child process (Scrapy starts its reactor once
    per process); with `again`, a second crawl shows that a re-crawl fetches only what is new.
    """
    today = today or date.today()
    site, sources = build_demo_site(samples_folder, today)
    sources_file = samples_folder.parent / "demo-sources.yaml"
    site.start()
    try:
        sources_file.write_text(sources, encoding="utf-8")
        since = today - timedelta(days=LOOKBACK_DAYS)
        first = crawl_in_subprocess(
            [], database_url=database_url, sources_file=sources_file, since=since, fast=True
        )
        second = None
        if again:
            second = crawl_in_subprocess([], database_url=database_url, sources_file=sources_file, fast=True)
    finally:
        site.stop()
    return DemoCrawl(sources_file, first, second)
