"""What spiders yield: fetched notice bytes, feed/listing entries, and fetches given up.

Items are validated on creation, so a spider bug shows where it happens and not in storage.
The pipelines turn each of them into a `ParsedItem` (a parse outcome) and store it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

from crawlers.listing import ListingFormat
from crawlers.parsers.dispatch import ParseOutcome
from crawlers.sources import LISTING_FIELDS, BuyerConfig

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _check(url: str, watermark: str | None) -> None:
    parsed = urlparse(url.split("#", 1)[0])
    if parsed.scheme not in ("http", "https", "file") or not (parsed.netloc or parsed.scheme == "file"):
        raise ValueError(f"item URL {url!r} is not an absolute http(s) URL")
    if watermark is not None and not _DATE_RE.match(watermark):
        raise ValueError(f"{url}: watermark {watermark!r} is not a date (YYYY-MM-DD)")


@dataclass(slots=True)
class NoticeItem:
    """One notice document as fetched (eForms or TED XML, an OCDS release): parsed by a pipeline.

    `url` is where the bytes came from (a package member is "package-url#member"); `watermark`
    is the notice's publication or update date, from which the source's high-water mark is kept.
    """

    source: str
    url: str
    data: bytes
    watermark: str | None = None

    def __post_init__(self) -> None:
        _check(self.url, self.watermark)
        if not isinstance(self.data, bytes):
            raise TypeError(f"{self.url}: item data must be bytes, got {type(self.data).__name__}")


@dataclass(slots=True)
class ListingItem:
    """One feed entry or HTML listing item: its configured fields as text and its raw fragment."""

    source: str
    url: str
    data: bytes
    source_format: ListingFormat
    buyer: BuyerConfig
    fields: dict[str, str | None] = field(default_factory=dict)
    entry_id: str | None = None
    notice_type: str | None = None
    watermark: str | None = None

    def __post_init__(self) -> None:
        _check(self.url, self.watermark)
        unknown = set(self.fields) - set(LISTING_FIELDS)
        if unknown:
            raise ValueError(f"{self.url}: unknown listing fields {sorted(unknown)}")


@dataclass(slots=True)
class FetchFailure:
    """A notice or page that could not be fetched (after retries); stored as a failed input."""

    source: str
    url: str
    reason: str
    watermark: str | None = None
    data: bytes = b""

    def __post_init__(self) -> None:
        _check(self.url, self.watermark)


@dataclass(slots=True)
class ProgressMark:
    """Everything published on `watermark` was fetched, even if nothing of it is kept (a package)."""

    source: str
    watermark: str

    def __post_init__(self) -> None:
        _check("http://progress.invalid/", self.watermark)


@dataclass(slots=True)
class ParsedItem:
    """A parse outcome on its way to storage, with the source and the date it counts for."""

    source: str
    outcome: ParseOutcome
    watermark: str | None = None
    fetch_failed: bool = False  # the notice itself was not fetched (so it must be asked for again)
    filtered: bool = False  # outside the source's filter: counted, not stored
