"""The crawl service: run the spiders of the chosen sources with Scrapy and report per source.

`crawl()` runs in this process with Scrapy's CrawlerProcess, which can start a reactor only once
per process: it is what `anbudsradar crawl` calls. Library callers that may crawl more than once
(the demo, benchmarks, tests) use `crawl_in_subprocess()`, which runs the same command.
"""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from sqlalchemy import select

from crawlers.config import load_crawl_settings
from crawlers.exceptions import CrawlError
from crawlers.sources import SourceConfig, TedPackageOptions, load_sources, select_sources
from crawlers.spiders.base import BaseSpider
from crawlers.state import load_states
from models.crawl_state import CrawlRun
from models.db import database

# `--fast`: no AutoThrottle or delays, many requests at once. Only for servers you run yourself
# (tests, the demo, benchmarks): refused for any other host.
FAST_SETTINGS: dict[str, Any] = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
    "RETRY_BACKOFF_BASE": 0.1,
}


@dataclass(slots=True)
class SourceResult:
    """One source's crawl, as recorded in crawl_run."""

    source: str
    kind: str
    status: str
    since: str | None = None
    requests: int = 0
    retries: int = 0
    items: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    filtered: int = 0
    duration_s: float = 0.0
    high_water_mark: str | None = None
    message: str | None = None


@dataclass(slots=True)
class CrawlReport:
    """The results of one `anbudsradar crawl`, per source, and the time it took in all."""

    database_url: str
    results: list[SourceResult] = field(default_factory=list)
    duration_s: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether every source crawled without failures or warnings."""
        return all(result.status == "ok" for result in self.results)

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data (`anbudsradar crawl --json`)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CrawlReport:
        """Rebuild a report from `to_dict()` output."""
        results = [SourceResult(**result) for result in data.get("results", [])]
        return cls(data["database_url"], results, data.get("duration_s", 0.0))

    def result(self, source: str) -> SourceResult:
        """Return the result of one source (KeyError if it was not crawled)."""
        for result in self.results:
            if result.source == source:
                return result
        raise KeyError(source)


def crawl(
    names: Iterable[str],
    *,
    database_url: str,
    sources_file: Path | None = None,
    since: date | None = None,
    fast: bool = False,
    overrides: Mapping[str, Any] | None = None,
    log_level: str = "WARNING",
) -> CrawlReport:
    """Crawl the named sources (all enabled, verified ones if none) and store what they publish."""
    started = time.monotonic()
    if since is not None and since > date.today():
        raise CrawlError(f"--since {since} is in the future: nothing has been published yet")
    crawl_settings = load_crawl_settings()
    sources = load_sources(sources_file or crawl_settings.sources_file)
    selected = select_sources(sources, names)
    if not selected:
        raise CrawlError(
            "no source to crawl: every source is disabled or an unverified example; name one "
            f"(configured: {', '.join(sorted(sources)) or 'none'})"
        )
    settings = scrapy_settings(
        database_url, fast=fast, overrides={"LOG_LEVEL": log_level, **(overrides or {})}
    )
    _check_hosts(selected, settings, fast=fast, contact=crawl_settings.contact)
    with database(database_url) as sessions, sessions() as session:  # migrates before the crawl
        states = load_states(session)
    process = CrawlerProcess(settings)
    crawlers: list[tuple[SourceConfig, Crawler]] = []
    for source in selected:
        spidercls: type[BaseSpider] = process.spider_loader.load(source.kind)  # type: ignore[assignment]
        state = states.get(source.name)
        start = since or resume_date(state.high_water_mark if state else None, spidercls)
        validators = state.validators if state is not None and since is None else {}
        spidercls(source=source, since=start, validators=validators)  # fail early, before any crawl
        crawler = process.create_crawler(spidercls)
        crawlers.append((source, crawler))
        process.crawl(crawler, source=source, since=start, validators=validators)
    process.start()
    run_ids = {source.name: _stat(crawler, "anbudsradar/crawl_run_id") for source, crawler in crawlers}
    results = _results(database_url, selected, run_ids)
    return CrawlReport(database_url, results, round(time.monotonic() - started, 3))


def scrapy_settings(
    database_url: str, *, fast: bool = False, overrides: Mapping[str, Any] | None = None
) -> Settings:
    """Return the project's Scrapy settings with the database, --fast and -s overrides applied."""
    settings = Settings()
    settings.setmodule("crawlers.settings", priority="project")
    settings.set("DATABASE_URL", database_url, priority="cmdline")
    if fast:
        settings.setdict(FAST_SETTINGS, priority="cmdline")
    for name, value in (overrides or {}).items():
        _check_override(settings, name, value)
    settings.setdict(dict(overrides or {}), priority="cmdline")
    return settings


def _check_override(settings: Settings, name: str, value: Any) -> None:
    """Raise CrawlError for a -s value that Scrapy could not read as its setting's kind (yes/no, number).

    Scrapy reads a setting only when a component starts, where a bad value ends the crawl with a
    traceback; the kind is that of the value the setting has now (Scrapy's default or the project's).
    """
    current = settings.get(name)
    if not isinstance(value, str) or current is None:
        return
    probe = Settings({name: value})
    if isinstance(current, bool):
        read, kind = probe.getbool, "yes or no (1/0, true/false)"
    elif isinstance(current, int | float):  # Scrapy reads many whole-number defaults as floats
        read, kind = probe.getfloat, "a number"
    else:
        return
    try:
        read(name)
    except ValueError:
        raise CrawlError(f"-s {name}={value}: expected {kind}, like the current value {current!r}") from None


def resume_date(high_water_mark: str | None, spidercls: type[BaseSpider]) -> date | None:
    """Return the date a crawl starts from after a previous one (None: the spider's default)."""
    if not high_water_mark:
        return None
    mark = date.fromisoformat(high_water_mark[:10])
    return mark if spidercls.refetch_watermark_day else mark + timedelta(days=1)


def crawl_in_subprocess(
    names: Sequence[str],
    *,
    database_url: str,
    sources_file: Path,
    since: date | None = None,
    fast: bool = False,
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 600,
) -> CrawlReport:
    """Run `anbudsradar crawl --json` in a child process and return its report."""
    command = [sys.executable, "-m", "anbudsradar", "crawl", *names, "--json"]
    command += ["--sources-file", str(sources_file)]
    if since is not None:
        command += ["--since", since.isoformat()]
    if fast:
        command.append("--fast")
    for key, value in (overrides or {}).items():
        command += ["-s", f"{key}={value}"]
    child_env = {**os.environ, **(env or {}), "ANBUDSRADAR_DATABASE_URL": database_url}
    done = subprocess.run(
        command, capture_output=True, text=True, env=child_env, timeout=timeout, check=False
    )
    try:
        return CrawlReport.from_dict(json.loads(done.stdout))
    except (ValueError, KeyError, TypeError):
        raise CrawlError(
            f"the crawl in a child process failed (exit status {done.returncode}):\n{done.stderr[-4000:]}"
        ) from None


def _results(
    database_url: str, selected: list[SourceConfig], run_ids: Mapping[str, Any]
) -> list[SourceResult]:
    """Read this crawl's crawl_run rows back; a source without one failed before storing."""
    results = []
    with database(database_url) as sessions, sessions() as session:
        ids = [run_id for run_id in run_ids.values() if run_id is not None]
        rows = {run.id: run for run in session.scalars(select(CrawlRun).where(CrawlRun.id.in_(ids)))}
    for source in selected:
        run = rows.get(run_ids.get(source.name))  # type: ignore[arg-type]
        if run is None:
            message = "no crawl run was recorded (the crawl or the storage failed: see the log above)"
            results.append(SourceResult(source.name, source.kind, "failed", message=message))
            continue
        results.append(
            SourceResult(
                source=run.source,
                kind=run.kind,
                status=run.status,
                since=run.since,
                requests=run.requests,
                retries=run.retries,
                items=run.items,
                new=run.new,
                updated=run.updated,
                unchanged=run.unchanged,
                failed=run.failed,
                filtered=run.filtered,
                duration_s=round(run.duration_s, 3),
                high_water_mark=run.high_water_mark,
                message=run.message,
            )
        )
    return results


def _check_hosts(sources: list[SourceConfig], settings: Settings, *, fast: bool, contact: str | None) -> None:
    """Refuse --fast against other people's servers, and anonymous crawls of public hosts."""
    for source in sources:
        urls = _entry_urls(source, settings)
        public = [url for url in urls if not _is_loopback(url)]
        if public and fast:
            raise CrawlError(
                f"--fast turns politeness off and is only for servers on this machine; "
                f"source {source.name} reaches {urlparse(public[0]).hostname}"
            )
        if public and contact is None:
            raise CrawlError(
                f"source {source.name} crawls {urlparse(public[0]).hostname}: set ANBUDSRADAR_CRAWL_CONTACT "
                "to an e-mail address or URL where its owners can reach you (it goes in the User-Agent)"
            )


def _stat(crawler: Crawler, key: str) -> Any:
    return crawler.stats.get_value(key) if crawler.stats is not None else None


def _entry_urls(source: SourceConfig, settings: Settings) -> list[str]:
    """Return the URLs a source's crawl starts from (the hosts it surely reaches)."""
    if source.kind == "ted_search_api":
        return [source.url or settings["TED_SEARCH_API_URL"]]
    if source.kind == "ted_daily_packages":
        options: TedPackageOptions = source.options  # type: ignore[assignment]
        urls = [source.url or settings["TED_DAILY_PACKAGE_URL"]]
        return (
            urls if options.issues else [*urls, options.calendar_url or settings["TED_RELEASE_CALENDAR_URL"]]
        )
    return [source.url] if source.url else []


def _is_loopback(url: str) -> bool:
    host = urlparse(url.replace("{", "").replace("}", "")).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
