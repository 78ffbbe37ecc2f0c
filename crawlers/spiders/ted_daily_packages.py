"""TED daily packages: every notice of one OJ S issue in one .tar.gz, filtered while reading."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime
from typing import Any

import scrapy
from scrapy.http import Response

from crawlers.archive import TruncatedArchiveError, iter_tar_members
from crawlers.encoding import decode_document
from crawlers.items import ProgressMark
from crawlers.sources import TedPackageOptions
from crawlers.spiders.base import BaseSpider


class TedDailyPackagesSpider(BaseSpider):
    """Fetch the daily packages of the days since the high-water mark and yield their notices.

    Source
      TED's daily packages: one .tar.gz per issue of the Official Journal S series, with every
      notice of that day as XML (eForms, or TED XML before 2024). The fast path to back-fill a
      year: one request per day instead of one per notice.
    Caveats
      Issues are numbered, not dated: the release calendar (one CSV per year, columns "OJS" and
      "Publication date") says which issue appeared on which day. Members are read one by one;
      with a ``filter`` in the source, a member whose bytes cannot match the countries or NUTS
      codes is skipped before parsing, and the pipelines drop the rest that do not match.
      A package that is still cut short after the retries gives what it could read, and one
      failure for the rest.
    Source options (sources.yaml)
      filter (countries, nuts), issues (explicit YYYYNNNNN list instead of the calendar),
      url (package URL template with {issue}), calendar_url (with {year}).
    Spider arguments
      since (default: 7 days ago, then the day after the high-water mark), until (default today).
    Documentation
      https://ted.europa.eu/en/help/data-reuse (package URLs: https://ted.europa.eu/packages/daily/YYYYNNNNN).
    """

    name = "ted_daily_packages"
    default_lookback_days = 7
    refetch_watermark_day = False  # a day's package is complete once stored

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Request the listed issues, or the calendar of each year from since to until."""
        options: TedPackageOptions = self.source.options  # type: ignore[assignment]
        if options.issues:
            for issue in options.issues:
                yield self.package_request(issue, None)
            return
        if self.since is not None and self.since > self.until:  # up to date: the last package is stored
            return
        first_year = (self.since or self.until).year
        template = options.calendar_url or self.settings["TED_RELEASE_CALENDAR_URL"]
        for year in range(first_year, self.until.year + 1):
            yield self.request(template.format(year=year), self.parse_calendar)

    def package_request(self, issue: str, published: date | None) -> scrapy.Request:
        """Return the request of one issue's package (today's may not be out yet: 404 is no error)."""
        template = self.source.url or self.settings["TED_DAILY_PACKAGE_URL"]
        watermark = published.isoformat() if published else None
        meta = (
            {"handle_httpstatus_list": [404]} if published is not None and published >= date.today() else {}
        )
        return self.request(template.format(issue=issue), self.parse_package, watermark=watermark, meta=meta)

    def parse_calendar(self, response: Response) -> Iterator[Any]:
        """Request the package of every issue published between since and until."""
        text = decode_document(response.body, response.url).text
        issues = list(read_calendar(text))
        if not issues:
            yield self.failure_item(response.url, "no issues in the release calendar (is it the CSV?)")
            return
        for issue, published in issues:
            if (self.since is None or published >= self.since) and published <= self.until:
                yield self.package_request(issue, published)

    def parse_package(self, response: Response) -> Iterator[Any]:
        """Yield one item per notice in the package, skipping those the filter rules out."""
        watermark = response.meta.get("watermark")
        if response.status == 404:  # today's package, not published yet: the next crawl asks again
            self.count("packages_not_yet_published")
            return
        notice_filter = self.source.filter
        try:
            for member in iter_tar_members(response.body):
                url = f"{response.url}#{member.name}"
                if member.error is not None:
                    yield self.failure_item(url, member.error, watermark)
                elif not member.name.lower().endswith(".xml"):
                    continue
                elif notice_filter is not None and not notice_filter.may_match(member.data or b""):
                    self.count("filtered_before_parsing")
                else:
                    yield self.notice_item(url, member.data or b"", watermark)
        except TruncatedArchiveError as exc:
            yield self.failure_item(response.url, exc.reason, watermark)
            return
        if watermark is not None:  # the whole day is read, even if nothing in it is kept
            yield ProgressMark(self.source.name, watermark)


def read_calendar(text: str) -> Iterator[tuple[str, date]]:
    """Yield (issue YYYYNNNNN, publication date) from a TED release calendar CSV."""
    sample = text[:2048]
    dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    rows = csv.DictReader(io.StringIO(text), dialect=dialect)
    for row in rows:
        cells = {(key or "").strip().lower(): (value or "").strip() for key, value in row.items()}
        number = next((v for k, v in cells.items() if k.startswith("oj")), "")
        published = _calendar_date(next((v for k, v in cells.items() if "date" in k), ""))
        if number.isdigit() and published is not None:
            yield f"{published.year}{int(number):05d}", published


def _calendar_date(value: str) -> date | None:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, pattern).date()  # a calendar day, no time zone
        except ValueError:
            continue
    return None
