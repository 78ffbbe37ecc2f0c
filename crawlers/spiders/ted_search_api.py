"""TED Search API v3: search notices with an expert query, then download each notice's XML."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import JsonRequest, Response

from crawlers.parsers.normalise import iso_date
from crawlers.sources import TedSearchOptions
from crawlers.spiders.base import BaseSpider

# The fields asked for: enough to find the XML and the publication date (the high-water mark).
SEARCH_FIELDS = ("publication-number", "publication-date", "notice-type", "links")


class TedSearchApiSpider(BaseSpider):
    """Search TED for notices published since the high-water mark and fetch each one's XML.

    Source
      TED, the EU's Tenders Electronic Daily: every notice above the EU thresholds, in eForms XML
      since 2023 (TED XML before). Anonymous access.
    Caveats
      The search answers pages of at most 250 notices; ITERATION mode pages through all results
      with the token each answer carries (PAGE_NUMBER mode stops at 15 000). A notice's XML is
      downloaded from the link the answer gives (links.xml.MUL), else from TED_NOTICE_XML_URL.
      Re-crawls ask again for the day of the high-water mark, so nothing published late on that
      day is missed; storage recognises what it already has.
    Source options (sources.yaml)
      buyer_countries (default [SWE]), cpv, nuts, notice_types, expert_query, page_size, url.
    Spider arguments
      since (default: 30 days ago, then the high-water mark).
    API documentation
      https://docs.ted.europa.eu/api/latest/search.html and https://docs.ted.europa.eu/reuse/search-api.html
    """

    name = "ted_search_api"
    default_lookback_days = 30

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Ask for the first page of results."""
        yield self.search_request(None)

    def search_request(self, token: str | None) -> JsonRequest:
        """Return the POST of one result page (the first without a token)."""
        options: TedSearchOptions = self.source.options  # type: ignore[assignment]
        body: dict[str, Any] = {
            "query": build_query(options, self.since),
            "fields": list(SEARCH_FIELDS),
            "limit": options.page_size,
            "scope": "ALL",
            "paginationMode": "ITERATION",
        }
        if token:
            body["iterationNextToken"] = token
        url = self.source.url or self.settings["TED_SEARCH_API_URL"]
        return JsonRequest(
            url, data=body, callback=self.parse_search, errback=self.on_error, meta={"watermark": None}
        )

    def parse_search(self, response: Response) -> Iterator[scrapy.Request | Any]:
        """Request each notice's XML and the next page of results."""
        try:
            answer = json.loads(response.body)
            notices = answer["notices"]
        except (ValueError, KeyError, TypeError):
            yield self.failure_item(
                response.url, "not a TED search answer (kept with its bytes)", data=response.body
            )
            return
        template = self.settings["TED_NOTICE_XML_URL"]
        for notice in notices:
            number = notice.get("publication-number")
            url = xml_link(notice.get("links"))
            if url is None and number:
                url = template.format(publication_number=number)
            if url is None:
                self.count("search_results_without_link")
                continue
            watermark = iso_date(_first(notice.get("publication-date")))
            yield self.request(url, self.parse_notice, watermark=watermark)
        token = answer.get("iterationNextToken")
        if token and notices:
            yield self.search_request(token)

    def parse_notice(self, response: Response) -> Iterator[Any]:
        """Hand one notice's XML to the pipelines."""
        yield self.notice_item(response.url, response.body, response.meta.get("watermark"))


def build_query(options: TedSearchOptions, since: Any) -> str:
    """Return the expert query: the configured filters and publication-date >= since."""
    if options.expert_query:
        parts = [f"({options.expert_query})"]
    else:
        parts = [f"buyer-country IN ({' '.join(options.buyer_countries)})"]
        if options.cpv:
            parts.append(f"classification-cpv IN ({' '.join(code.ljust(8, '0') for code in options.cpv)})")
        if options.nuts:
            parts.append(f"place-of-performance IN ({' '.join(options.nuts)})")
        if options.notice_types:
            parts.append(f"notice-type IN ({' '.join(options.notice_types)})")
    if since is not None:
        parts.append(f"publication-date>={since:%Y%m%d}")
    return " AND ".join(parts) + " SORT BY publication-number ASC"


def xml_link(links: Any) -> str | None:
    """Return the notice's XML URL from the answer's links ({"xml": {"MUL": url}})."""
    xml = links.get("xml") if isinstance(links, dict) else None
    if not isinstance(xml, dict) or not xml:
        return None
    url = xml.get("MUL") or next(iter(xml.values()))
    return url if isinstance(url, str) else None


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, str) else None
