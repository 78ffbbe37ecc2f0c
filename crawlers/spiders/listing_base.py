"""Shared code of the feed and html_listing spiders: listing pages, entries and detail pages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import scrapy
from parsel import Selector
from scrapy.http import Response

from crawlers.encoding import decode_document
from crawlers.items import ListingItem
from crawlers.listing import ListingFormat
from crawlers.selectors import CompiledSelector
from crawlers.sources import LISTING_FIELDS
from crawlers.spiders.base import BaseSpider


@dataclass(slots=True)
class Entry:
    """One entry found on a listing page, before it becomes an item."""

    fields: dict[str, str | None]
    fragment: bytes
    link: str | None = None
    entry_id: str | None = None
    watermark: str | None = None
    extra: dict[str, str | None] = field(default_factory=dict)


class ListingSpider(BaseSpider):
    """Base class of the spiders whose source is a listing: an RSS/Atom feed or an HTML page.

    1. Inherit from ``ListingSpider``; set ``name``, ``source_format`` ("feed" or "html-listing")
       and ``selector_type`` ("xml" or "html").
    2. Write ``entries(page, response)`` yielding an ``Entry`` per item of a listing page, and
       optionally ``next_page(page, response)`` and ``empty_note(page)``.
    3. Write ``detail_fields()`` returning the selectors read on an entry's linked page (if any).

    The base class asks for each listing page with the ETag/Last-Modified of the previous crawl
    (a 304 means nothing changed, and nothing more is fetched), decodes it whatever encoding it
    declares, skips entries published before ``since``, follows detail links when configured,
    and reports "0 items from source X: selectors may be outdated" when pages match no entry.
    """

    source_format: ListingFormat
    selector_type = "html"
    max_pages = 20

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.source.buyer is None:  # sources.py requires it; a hand-built config might not
            raise ValueError(f"source {self.source.name!r}: a {self.name} source needs a buyer")
        self.buyer = self.source.buyer
        self.pages_read = 0
        self.entries_found = 0
        self.entries_with_title = 0

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Ask for the first listing page (conditionally, if it was seen before)."""
        yield self.listing_request(self.source.url or "", 1)

    def listing_request(self, url: str, page: int) -> scrapy.Request:
        """Return the request of one listing page, with the validators of the previous crawl."""
        headers = {}
        known = self.validators.get(url, {})
        if known.get("etag"):
            headers["If-None-Match"] = known["etag"]
        if known.get("last_modified"):
            headers["If-Modified-Since"] = known["last_modified"]
        meta = {"page": page, "listing_url": url, "handle_httpstatus_list": [304]}
        return self.request(url, self.parse_listing, headers=headers, meta=meta)

    def parse_listing(self, response: Response) -> Iterator[Any]:
        """Yield the entries of a listing page (or nothing for a 304), then the next page."""
        asked = response.meta.get("listing_url", response.url)  # validators are kept by the URL asked for
        if response.status == 304:
            self.count("listing_not_modified")
            self.new_validators[asked] = self.validators.get(asked, {})
            return
        self.remember_validators(response, asked)
        page = self.selector(response)
        self.pages_read += 1
        for entry in self.entries(page, response):
            self.entries_found += 1
            self.entries_with_title += bool(entry.fields.get("title"))
            yield from self.follow(entry)
        next_url = self.next_page(page, response)
        number = response.meta.get("page", 1)
        if next_url and number < self.max_pages:
            yield self.listing_request(next_url, number + 1)
        elif next_url:
            self.note(f"{self.source.name}: stopped after max_pages={self.max_pages} listing pages")
        if self.pages_read == 1 and self.entries_found == 0:
            empty = self.empty_note(page)
            if empty:
                self.note(empty)

    def follow(self, entry: Entry) -> Iterator[Any]:
        """Yield the entry's item, or the request of its detail page; skip it if older than since."""
        if (
            self.since is not None
            and entry.watermark is not None
            and entry.watermark < self.since.isoformat()
        ):
            self.count("entries_older_than_since")
            return
        if entry.link and self.detail_fields():
            yield self.request(
                entry.link, self.parse_detail, watermark=entry.watermark, meta={"entry": entry}
            )
            return
        yield self.listing_item(entry, entry.link or self.source.url or "", entry.fragment)

    def parse_detail(self, response: Response) -> Iterator[Any]:
        """Read the configured fields on a detail page; its bytes are the stored payload."""
        entry: Entry = response.meta["entry"]
        page = Selector(text=decode_document(response.body, response.url).text, type="html")
        found = {name: selector.text(page) for name, selector in self.detail_fields().items()}
        fields = {**entry.fields, **{name: value for name, value in found.items() if value}}
        yield self.listing_item(
            Entry(fields, response.body, entry.link, entry.entry_id, entry.watermark),
            response.url,
            response.body,
        )

    def listing_item(self, entry: Entry, url: str, data: bytes) -> ListingItem:
        """Return the item of one entry, counted in the crawl stats."""
        self.count("notices_fetched")
        return ListingItem(
            source=self.source.name,
            url=url,
            data=data,
            source_format=self.source_format,
            buyer=self.buyer,
            fields={name: value for name, value in entry.fields.items() if name in LISTING_FIELDS},
            entry_id=entry.entry_id,
            notice_type=self.source.notice_type,
            watermark=entry.watermark,
        )

    def selector(self, response: Response) -> Selector:
        """Decode a listing page (noting a wrong declared encoding) and return its selector."""
        charset = _charset(response.headers.get(b"Content-Type"))
        decoded = decode_document(response.body, response.url, charset)
        if decoded.note:
            self.count("encoding_recovered")
            self.note(decoded.note)
        return Selector(text=decoded.text, type=self.selector_type, base_url=response.url)

    def remember_validators(self, response: Response, url: str | None = None) -> None:
        """Keep the page's ETag and Last-Modified under the URL asked for (before any redirect)."""
        etag = response.headers.get(b"ETag")
        modified = response.headers.get(b"Last-Modified")
        found = {
            key: value.decode("latin-1")
            for key, value in (("etag", etag), ("last_modified", modified))
            if value
        }
        if found:
            self.new_validators[url or response.url] = found

    def run_notes(self) -> list[str]:
        """Add a warning when entries were found but none had a title (a field selector broke)."""
        notes = super().run_notes()
        if self.entries_found and not self.entries_with_title:
            notes.append(
                f"{self.entries_found} items from source {self.source.name} but none with a title: "
                "the title selector may be outdated"
            )
        return notes

    def entries(self, page: Selector, response: Response) -> Iterator[Entry]:
        """Yield the entries of one listing page (implemented by each spider)."""
        raise NotImplementedError

    def next_page(self, page: Selector, response: Response) -> str | None:
        """Return the URL of the next listing page, or None (default: a single page)."""
        return None

    def empty_note(self, page: Selector) -> str | None:
        """Return the message for a first page without any entry, or None if that is normal."""
        return None

    def detail_fields(self) -> Mapping[str, CompiledSelector]:
        """Return the selectors read on an entry's linked page (default: none, no detail pages)."""
        return {}


def _charset(content_type: bytes | None) -> str | None:
    if not content_type:
        return None
    for part in content_type.decode("latin-1").split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip("\"' ")
    return None
