"""Downloader middleware: every retry decision of the crawl, in one place."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.dupefilters import RFPDupeFilter
from scrapy.http import Request, Response
from scrapy.utils.response import response_status_message

from crawlers.archive import is_truncated_gzip

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class PoliteRetryMiddleware(RetryMiddleware):
    """Retry 429/5xx answers, network errors and truncated bodies, at most RETRY_TIMES times.

    It replaces Scrapy's RetryMiddleware (disabled in crawlers.settings) and adds:

    1. ``Retry-After`` (seconds or an HTTP date) is obeyed: the retry waits that long, and the
       host's download slot is held as long, so the other requests to it wait too. Without the
       header a 429/5xx waits RETRY_BACKOFF_BASE × 2^(attempt − 1) seconds.
    2. A Retry-After longer than RETRY_AFTER_MAX is not waited for: the request is given up at
       once, so one overloaded host cannot stall a whole crawl for hours.
    3. A gzip body that stops before its end although the HTTP length matched (a package cut on
       the server) is retried like a dropped connection. When the retries run out, the response
       goes on with the flag "truncated", so the spider stores what it can read and records the
       rest as failed. (A body shorter than its Content-Length raises ResponseDataLossError,
       because DOWNLOAD_FAIL_ON_DATALOSS is on, and is retried as an exception.)
    4. A network error (timeout, refused or dropped connection) waits as a 5xx without
       Retry-After does before its retry, so that a server that is restarting is given time.

    Giving up is logged once per request and counted in the stats as ``retry/max_reached``.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler.settings)
        self.crawler = crawler
        self.backoff_base = crawler.settings.getfloat("RETRY_BACKOFF_BASE")
        self.retry_after_max = crawler.settings.getfloat("RETRY_AFTER_MAX")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Build the middleware from the crawler's settings."""
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        """Retry a retryable status after the wait it asks for, or a truncated gzip body."""
        if request.meta.get("dont_retry", False):
            return response
        if response.status in self.retry_http_codes:
            return await self._retry_status(request, response)
        if 200 <= response.status < 300 and is_truncated_gzip(response.body):
            retry = self._retry_request(request, "truncated gzip body")
            return retry or response.replace(flags=[*response.flags, "truncated"])
        return response

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:
        """Retry a network error (timeout, dropped connection) after the backoff wait."""
        if request.meta.get("dont_retry", False) or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self._retry_request(request, exception)
        if retry is not None:
            await self._wait_holding_slot(request, self._backoff(request))
        return retry

    def _retry_request(self, request: Request, reason: str | Exception) -> Request | None:
        """Return the request's next attempt, or None when its retries are used up (logged, counted)."""
        return get_retry_request(
            request,
            spider=self.crawler.spider,  # type: ignore[arg-type]
            reason=reason,
            max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
        )

    def _backoff(self, request: Request) -> float:
        """Return the wait before the next attempt without Retry-After: the base, doubled each attempt."""
        return self.backoff_base * 2 ** request.meta.get("retry_times", 0)

    async def _retry_status(self, request: Request, response: Response) -> Request | Response:
        wait = retry_after_seconds(response)
        if wait is None:
            wait = self._backoff(request)
        elif wait > self.retry_after_max:
            self.crawler.stats.inc_value("retry/max_reached")  # type: ignore[union-attr]
            logger.error(
                "Gave up %s: the server asks to retry after %.0f s (more than RETRY_AFTER_MAX=%.0f s)",
                request,
                wait,
                self.retry_after_max,
            )
            return response
        retry = self._retry_request(request, response_status_message(response.status))
        if retry is None:
            return response
        await self._wait_holding_slot(request, wait)
        return retry

    async def _wait_holding_slot(self, request: Request, seconds: float) -> None:
        """Sleep, with the host's download slot delayed as long (other requests wait too); counted.

        No wait (zero seconds) does nothing.
        """
        if seconds <= 0:
            return
        self.crawler.stats.inc_value("retry/waited_seconds", seconds)  # type: ignore[union-attr]
        downloader = self.crawler.engine.downloader  # type: ignore[union-attr]
        slot = downloader.slots.get(downloader.get_slot_key(request))
        previous = slot.delay if slot is not None else None
        if slot is not None and slot.delay < seconds:
            slot.delay = seconds
        try:
            await asyncio.sleep(seconds)
        finally:
            if slot is not None and previous is not None and slot.delay == seconds:
                slot.delay = previous


def retry_after_seconds(response: Response) -> float | None:
    """Return the wait a Retry-After header asks for (delay-seconds or an HTTP date), or None."""
    value = response.headers.get(b"Retry-After")
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


class RedirectAwareDupeFilter(RFPDupeFilter):
    """Scrapy's duplicate filter, except that a redirect hop is never dropped as a duplicate.

    Scrapy's filter dropped a redirect back to a URL already asked for without a word, so a
    redirect loop looked like a source with nothing new. Let through, a loop reaches
    REDIRECT_MAX_TIMES and is given up and recorded like any failed fetch.
    """

    def request_seen(self, request: Request) -> bool:
        """Return whether the request is a duplicate (a redirect hop never is)."""
        if request.meta.get("redirect_times"):
            return False
        return super().request_seen(request)
