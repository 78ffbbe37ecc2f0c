"""Errors of the crawling layer; parse errors of notice bytes live in crawlers.parsers.exceptions."""

from __future__ import annotations

from crawlers.parsers.exceptions import ParseError


class CrawlError(Exception):
    """Base error of the crawlers: the message names the source, file or URL and what to do."""


class SourceConfigError(CrawlError):
    """Raised by crawlers.sources when sources.yaml is unreadable or a source is mis-configured."""


class UnknownSourceError(CrawlError):
    """Raised by the crawl service when a source name on the command line is not configured."""


class SpiderArgumentError(CrawlError):
    """Raised by a spider's constructor for a wrong argument (bad date, source of another kind)."""


class ScratchFolderError(CrawlError):
    """Raised by crawlers.scratch for a --folder to be emptied that holds files a run did not make."""


class ListingFieldError(ParseError):
    """Raised by crawlers.listing when a feed or listing entry lacks what a notice needs (a title)."""
