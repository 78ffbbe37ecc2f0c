"""Item pipelines: parse what spiders fetched, keep what the source's filter wants, store it.

The only part of the crawlers that talks to models/ is StorePipeline (through models.store and
crawlers.state).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from typing import TYPE_CHECKING, Any

from scrapy import signals
from sqlalchemy.orm import Session

from crawlers.items import FetchFailure, ListingItem, NoticeItem, ParsedItem, ProgressMark
from crawlers.listing import build_listing_record
from crawlers.parsers.dispatch import ParseOutcome, parse_one
from crawlers.parsers.exceptions import ParseError
from crawlers.state import RunLog, record_run
from models.base import utcnow
from models.db import make_engine, migrate
from models.store import IngestSummary, NoticeStore

if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from crawlers.spiders.base import BaseSpider

logger = logging.getLogger(__name__)
_MIGRATION_LOCK = threading.Lock()  # several sources crawl in one process; migrate once at a time
_END = object()


class ParsePipeline:
    """Turn fetched bytes, listing entries and fetch failures into parse outcomes."""

    def process_item(self, item: Any) -> ParsedItem | ProgressMark:
        """Parse one item with crawlers.parsers (or crawlers.listing); errors become outcomes."""
        if isinstance(item, ProgressMark):
            return item
        if isinstance(item, NoticeItem):
            return ParsedItem(item.source, parse_one(item.data, item.url), item.watermark)
        if isinstance(item, ListingItem):
            try:
                record = build_listing_record(
                    item.fields,
                    url=item.url,
                    source_format=item.source_format,
                    buyer=item.buyer,
                    entry_id=item.entry_id,
                    notice_type=item.notice_type,
                )
            except ParseError as exc:
                return ParsedItem(item.source, ParseOutcome(item.url, item.data, error=exc), item.watermark)
            outcome = ParseOutcome(item.url, item.data, item.source_format, [record])
            return ParsedItem(item.source, outcome, item.watermark)
        if isinstance(item, FetchFailure):
            outcome = ParseOutcome(item.url, item.data or None, error=ParseError(item.url, item.reason))
            return ParsedItem(item.source, outcome, item.watermark, fetch_failed=True)
        raise TypeError(f"unexpected item {type(item).__name__} (spiders yield crawlers.items only)")


class FilterPipeline:
    """Mark notices outside the source's filter (buyer countries, NUTS); failures always pass.

    Marked, not dropped: the storage pipeline counts them and their date, so that a day without a
    single matching notice still moves the high-water mark on.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Build the pipeline for a crawler."""
        return cls(crawler)

    def process_item(self, item: ParsedItem | ProgressMark) -> ParsedItem | ProgressMark:
        """Keep the records that match; mark the item filtered when none does."""
        spider: BaseSpider = self.crawler.spider  # type: ignore[assignment]
        notice_filter = spider.source.filter
        if isinstance(item, ProgressMark) or notice_filter is None or item.outcome.error is not None:
            return item
        kept = [record for record in item.outcome.records if notice_filter.matches(record)]
        if not kept:
            self.crawler.stats.inc_value("anbudsradar/filtered")  # type: ignore[union-attr]
            item.filtered = True
        item.outcome.records = kept
        return item


class StorePipeline:
    """Store outcomes in one ingest run per source and record the crawl run with its statistics.

    Storing runs in a writer thread fed through a bounded queue: the database work (SQLite or
    PostgreSQL) does not block the downloads, and a slow database slows the crawl down instead
    of filling the memory. When the spider closes, the crawl_run row and the source's state
    (high-water mark, validators) are written by crawlers.state.record_run.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.database_url: str = crawler.settings["DATABASE_URL"]
        self.batch_size = crawler.settings.getint("STORE_BATCH_SIZE")
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=max(2 * self.batch_size, 10))
        self.log: RunLog | None = None
        self.summary: IngestSummary | None = None
        self.error: str | None = None
        self.crawl_run_id: int | None = None
        self.ended = False  # the end marker has been taken from the queue
        self.closed = threading.Event()
        self.thread = threading.Thread(target=self._write, name="anbudsradar-store", daemon=True)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.spider_error, signal=signals.spider_error)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Build the pipeline for a crawler."""
        return cls(crawler)

    def open_spider(self) -> None:
        """Start the writer thread for this source."""
        spider: BaseSpider = self.crawler.spider  # type: ignore[assignment]
        self.log = RunLog(
            source=spider.source.name,
            kind=spider.name,
            started_at=utcnow(),
            since=spider.since,
            refetch_watermark_day=spider.refetch_watermark_day,
        )
        self.thread.start()

    def process_item(self, item: ParsedItem | ProgressMark) -> ParsedItem | ProgressMark:
        """Queue the outcome for storage and note the date it counts for."""
        assert self.log is not None
        if isinstance(item, ProgressMark):
            self.log.done_marks.append(item.watermark)
            return item
        self.log.items += 1
        if item.filtered:
            if item.watermark is not None:
                self.log.done_marks.append(item.watermark)
            return item
        if item.fetch_failed:
            self.log.failed_marks.append(item.watermark)
            error = item.outcome.error
            reason = f" ({error.reason})" if error is not None else ""
            self.log.failed_urls.append(f"{item.outcome.source_path}{reason}")
        elif item.watermark is not None:
            self.log.done_marks.append(item.watermark)
        if self.error is None:
            self.queue.put(item.outcome)
        return item

    def spider_error(self, failure: Failure, response: Response) -> None:
        """Record an error raised while a spider read a page, as a page given up (its bytes kept).

        What the page still held after the error is lost for this run, so the run fails and the
        high-water mark stays where it was: the next crawl reads the page again.
        """
        if self.log is None:
            return
        reason = f"{failure.type.__name__} while reading the page: {failure.getErrorMessage()}"
        outcome = ParseOutcome(response.url, response.body or None, error=ParseError(response.url, reason))
        self.process_item(ParsedItem(self.log.source, outcome, None, fetch_failed=True))

    def close_spider(self) -> None:
        """Tell the writer thread that no more outcomes will come."""
        self.queue.put(_END)

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        """Hand the run's statistics to the writer thread and wait until the run is recorded."""
        if self.log is None:
            return
        stats = self.crawler.stats
        assert stats is not None
        base: BaseSpider = spider  # type: ignore[assignment]
        self.log.finished_at = utcnow()
        self.log.finish_reason = reason
        self.log.requests = stats.get_value("downloader/request_count", 0)
        self.log.responses = stats.get_value("downloader/response_count", 0)
        self.log.retries = stats.get_value("retry/count", 0)
        self.log.filtered = stats.get_value("anbudsradar/filtered", 0) + stats.get_value(
            "anbudsradar/filtered_before_parsing", 0
        )
        self.log.notes = base.run_notes()
        self.log.validators = base.new_validators
        self.closed.set()
        await asyncio.to_thread(self.thread.join)
        stats.set_value("anbudsradar/crawl_run_id", self.crawl_run_id)

    def _outcomes(self) -> Iterator[ParseOutcome]:
        while (outcome := self.queue.get()) is not _END:
            yield outcome
        self.ended = True

    def _write(self) -> None:
        """Writer thread: ingest every outcome, then record the crawl run."""
        assert self.log is not None
        engine = make_engine(self.database_url)  # SQLite waits for the lock: see models.db
        try:
            with _MIGRATION_LOCK:
                migrate(engine)
            with Session(engine, expire_on_commit=False) as session:
                store = NoticeStore(session, batch_size=self.batch_size)
                try:
                    self.summary = store.ingest(self._outcomes(), source=f"crawl {self.log.source}"[:200])
                except Exception as exc:
                    session.rollback()
                    self.error = f"storing failed: {type(exc).__name__}: {exc}"
                    logger.exception("%s: storing failed", self.log.source)
                    self._drain()
                self.closed.wait()
                run = record_run(session, self.log, self.summary, self.error)
                self.crawl_run_id = run.id
        except Exception:
            logger.exception("%s: the crawl run could not be recorded", self.log.source)
            self._drain()
        finally:
            engine.dispose()

    def _drain(self) -> None:
        """Empty the queue until the end marker, so that the crawl never blocks on a dead writer."""
        while not self.ended and self.queue.get() is not _END:
            pass
        self.ended = True
