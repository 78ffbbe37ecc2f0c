"""HTML listings: a municipality's or an advertisement database's list of tenders, by selectors."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from parsel import Selector
from scrapy.http import Response

from crawlers.listing import fallback_entry_id, watermark_of
from crawlers.selectors import CompiledSelector
from crawlers.sources import ListingOptions
from crawlers.spiders.listing_base import Entry, ListingSpider


class HtmlListingSpider(ListingSpider):
    """Read a configured HTML listing: one notice per item, fields by CSS or XPath selectors.

    Source
      Pages where Swedish buyers list their procurements and direct-award requests
      (direktupphandling): a municipality's own page, or an advertisement database's public
      list. The buyer and the selectors come from sources.yaml; no code per site.
    Caveats
      Sites change. When the item selector matches nothing on the first page the run says
      "0 items from source X: selectors may be outdated" (and ends with exit status 1) instead
      of succeeding silently. Items without a ``published`` field are fetched on every crawl
      (storage keeps them once); a listing page that answers 304 Not Modified costs nothing.
    Source options (sources.yaml)
      url, buyer, notice_type, selectors (item, fields, link, detail_fields, next_page), max_pages.
    Spider arguments
      since (default: everything on the listing, then the high-water mark).
    Documentation
      docs/sources.md (how a coordinator adds a municipality).
    """

    name = "html_listing"
    source_format = "html-listing"
    selector_type = "html"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options: ListingOptions = self.source.options  # type: ignore[assignment]
        self.max_pages = self.options.max_pages

    def entries(self, page: Selector, response: Response) -> Iterator[Entry]:
        """Yield each item matched by the item selector, with its fields and detail link."""
        for node in self.options.item.select(page):
            fields = {name: selector.text(node) for name, selector in self.options.fields.items()}
            href = self.options.link.first(node) if self.options.link else None
            link = response.urljoin(href) if href else None
            yield Entry(
                fields=fields,
                fragment=node.get().encode(),
                link=link,
                entry_id=link or fallback_entry_id(response.url, fields.get("title")),
                watermark=watermark_of(fields.get("published")),
            )

    def next_page(self, page: Selector, response: Response) -> str | None:
        """Return the next listing page from the next_page selector, if configured."""
        href = self.options.next_page.first(page) if self.options.next_page else None
        return response.urljoin(href) if href else None

    def empty_note(self, page: Selector) -> str | None:
        """Say that the item selector matched nothing: the site has most likely changed."""
        return (
            f"0 items from source {self.source.name}: selectors may be outdated "
            f"(item selector {self.options.item.source!r} matched nothing on {self.source.url})"
        )

    def detail_fields(self) -> Mapping[str, CompiledSelector]:
        """Return the fields read on each item's detail page."""
        return self.options.detail_fields
