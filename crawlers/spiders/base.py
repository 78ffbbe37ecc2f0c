"""The base of every spider: one configured source, where to start from, items and failures."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawlers.config import load_crawl_settings
from crawlers.exceptions import SpiderArgumentError
from crawlers.items import FetchFailure, NoticeItem
from crawlers.sources import SourceConfig, load_sources

Callback = Callable[..., Any]


class BaseSpider(scrapy.Spider):
    """Base class of all spiders: crawl one source of sources.yaml from a date onwards.

    1. Inherit from ``BaseSpider`` (or ``ListingSpider`` for feeds and HTML listings).
    2. Set ``name`` to the source kind it crawls; the file is named the same.
    3. Set ``default_lookback_days`` to how far back a first crawl goes (None: everything), and
       ``refetch_watermark_day = False`` if the day of the high-water mark is complete once stored.
    4. Write ``async def start()`` yielding ``self.request(...)``s, and callbacks that yield
       ``self.notice_item(...)`` or more requests. Never parse notices here: the pipelines do.

    .. code-block:: python

        class ExampleApiSpider(BaseSpider):
            name = "example_api"
            default_lookback_days = 7

            async def start(self):
                yield self.request(f"{self.source.url}?from={self.since}", self.parse_page)

            def parse_page(self, response):
                for url in response.json()["notices"]:
                    yield self.request(url, self.parse_notice)

    Spider arguments
      source
        the source's name in the sources file (or a SourceConfig object).
      since
        fetch what was published or changed on or after this date (YYYY-MM-DD); the crawl
        service passes the source's high-water mark, or ``--since``.
      until
        the last publication date to fetch (default today); used by date-range spiders.
      validators
        ETag / Last-Modified per URL from the previous crawl, for conditional requests.
    """

    default_lookback_days: int | None = None
    refetch_watermark_day = True

    def __init__(
        self,
        source: SourceConfig | str,
        since: str | date | None = None,
        until: str | date | None = None,
        validators: dict[str, dict[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if isinstance(source, str):
            source = _configured(source)
        if source.kind != self.name:
            raise SpiderArgumentError(
                f"source {source.name!r} is of kind {source.kind}; crawl it with the {source.kind} spider"
            )
        self.source = source
        self.until = _date_argument("until", until) or date.today()
        lookback = self.default_lookback_days
        default_since = self.until - timedelta(days=lookback) if lookback is not None else None
        self.since = _date_argument("since", since) or default_since  # after `until`: nothing to do
        self.validators = dict(validators or {})
        self.new_validators: dict[str, dict[str, str]] = {}
        self.notes: list[str] = []
        self.forbidden: list[str] = []

    def request(
        self, url: str, callback: Callback, *, watermark: str | None = None, **kwargs: Any
    ) -> scrapy.Request:
        """Return a GET (or other) request whose failure becomes a recorded FetchFailure."""
        meta = {"watermark": watermark, **kwargs.pop("meta", {})}
        return scrapy.Request(url, callback=callback, errback=self.on_error, meta=meta, **kwargs)

    def notice_item(self, url: str, data: bytes, watermark: str | None = None) -> NoticeItem:
        """Return the item of one fetched notice document, counted in the crawl stats."""
        self.count("notices_fetched")
        return NoticeItem(self.source.name, url, data, watermark)

    def failure_item(
        self, url: str, reason: str, watermark: str | None = None, data: bytes = b""
    ) -> FetchFailure:
        """Return the record of a fetch given up (with any bytes received), stored and counted."""
        self.count("fetch_failed")
        self.logger.warning("source %s: %s: %s", self.source.name, url, reason)
        return FetchFailure(self.source.name, url, reason, watermark, data)

    def on_error(self, failure: Failure) -> Iterator[FetchFailure]:
        """Errback of every request: record the URL and why it failed; the crawl goes on."""
        request = failure.request  # type: ignore[attr-defined]
        url = request.meta.get("redirect_urls", [request.url])[0]  # the URL asked for, before redirects
        if failure.check(HttpError):
            response = failure.value.response
            reason = f"HTTP {response.status} after {request.meta.get('retry_times', 0) + 1} attempt(s)"
        elif failure.check(IgnoreRequest) and _forbidden_by_robots(failure):  # not a failure, not retried
            self.count("forbidden_by_robots")
            self.forbidden.append(request.url)
            return
        elif failure.check(IgnoreRequest) and request.meta.get("redirect_times"):
            hops = request.meta["redirect_times"]
            reason = f"gave up after {hops} redirects (a redirect loop?), last {request.url}"
        else:
            reason = f"{type(failure.value).__name__}: {failure.getErrorMessage()}"
        yield self.failure_item(url, reason, request.meta.get("watermark"))

    def count(self, key: str, value: int = 1) -> None:
        """Add to an ``anbudsradar/<key>`` crawl statistic."""
        self.crawler.stats.inc_value(f"anbudsradar/{key}", value)  # type: ignore[union-attr]

    def note(self, message: str) -> None:
        """Keep a message about the whole run (stored with the crawl run and printed at the end)."""
        self.logger.warning(message)
        self.notes.append(message)

    def run_notes(self) -> list[str]:
        """Return what the run should report beyond its counts (e.g. "selectors may be outdated")."""
        notes = list(self.notes)
        if self.forbidden:
            notes.append(
                f"{len(self.forbidden)} URL(s) not fetched because robots.txt forbids them "
                f"(first: {self.forbidden[0]})"
            )
        return notes


def _forbidden_by_robots(failure: Failure) -> bool:
    """Whether an IgnoreRequest comes from robots.txt (not a redirect limit or another middleware)."""
    return "robots.txt" in failure.getErrorMessage()


def _configured(name: str) -> SourceConfig:
    settings = load_crawl_settings()
    sources = load_sources(settings.sources_file)
    if name not in sources:
        known = ", ".join(sorted(sources))
        raise SpiderArgumentError(f"source {name!r} is not in {settings.sources_file} (configured: {known})")
    return sources[name]


def _date_argument(name: str, value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SpiderArgumentError(f"spider argument {name}={value!r} is not a date (YYYY-MM-DD)") from None
