"""OCDS release-package APIs that page with links.next and take an updated-since date."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import scrapy
from scrapy.http import Response

from crawlers.parsers.normalise import iso_date
from crawlers.sources import OcdsOptions
from crawlers.spiders.base import BaseSpider

# Package metadata kept around each release, so that every stored release is a valid package.
PACKAGE_KEYS = ("uri", "version", "publishedDate", "publisher", "license", "publicationPolicy", "extensions")


class OcdsApiSpider(BaseSpider):
    """Page through an OCDS release-package API from the high-water mark on, one item per release.

    Source
      Any publisher of OCDS release packages with the pagination pattern (``links.next``) and an
      updated-since parameter: e.g. the UK's Find a Tender service
      (``/api/1.0/ocdsReleasePackages?updatedFrom=``) or Contracts Finder.
    Caveats
      Each release is stored as a package of one release, with the page's package metadata, so a
      broken release fails alone. A page that is not a release package is stored as a failure
      with its bytes, ends the paging and keeps the high-water mark where it was. Paging stops
      at ``max_pages`` (a guard against a ``next`` link that loops).
    Source options (sources.yaml)
      url, since_parameter (default updatedFrom), since_format (strftime, default
      %Y-%m-%dT%H:%M:%S), parameters (extra query parameters, e.g. limit), max_pages, filter.
    Spider arguments
      since (default: 7 days ago, then the high-water mark).
    API documentation
      https://github.com/open-contracting-extensions/ocds_pagination_extension (links.next); e.g.
      https://www.find-tender.service.gov.uk/apidocumentation/1.0/GET-ocdsReleasePackages
    """

    name = "ocds_api"
    default_lookback_days = 7

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Ask for the first page, with the updated-since parameter."""
        options: OcdsOptions = self.source.options  # type: ignore[assignment]
        parameters = dict(options.parameters)
        if self.since is not None:
            parameters[options.since_parameter] = self.since.strftime(options.since_format)
        yield self.page_request(_with_query(self.source.url or "", parameters), 1)

    def page_request(self, url: str, page: int) -> scrapy.Request:
        """Return the request of one page of release packages."""
        return self.request(url, self.parse_page, headers={"Accept": "application/json"}, meta={"page": page})

    def parse_page(self, response: Response) -> Iterator[Any]:
        """Yield each release of the page, then follow links.next."""
        try:
            package = json.loads(response.body)
            releases = package["releases"]
            if not isinstance(releases, list):
                raise TypeError(type(releases).__name__)
        except (ValueError, KeyError, TypeError):
            reason = "not an OCDS release package: the page's releases are lost (kept with its bytes)"
            yield self.failure_item(response.url, reason, data=response.body)
            return
        metadata = {key: package[key] for key in PACKAGE_KEYS if key in package}
        for number, release in enumerate(releases):
            if not isinstance(release, dict):
                yield self.failure_item(f"{response.url}#{number}", "a release that is not a JSON object")
                continue
            single = json.dumps({**metadata, "releases": [release]}, ensure_ascii=False).encode()
            release_id = release.get("id") or number
            watermark = iso_date(release.get("date")) if isinstance(release.get("date"), str) else None
            yield self.notice_item(f"{response.url}#{release_id}", single, watermark)
        links = package.get("links")
        next_url = links.get("next") if isinstance(links, dict) else None
        page = response.meta.get("page", 1)
        options: OcdsOptions = self.source.options  # type: ignore[assignment]
        if next_url and releases and page < options.max_pages:
            yield self.page_request(response.urljoin(next_url), page + 1)
        elif next_url and releases:
            self.note(f"{self.source.name}: stopped after max_pages={options.max_pages} pages")


def _with_query(url: str, parameters: dict[str, str]) -> str:
    """Return the URL with the parameters added to its query string."""
    if not parameters:
        return url
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, urlencode(parameters, safe=":")]))
    return urlunsplit(parts._replace(query=query))
