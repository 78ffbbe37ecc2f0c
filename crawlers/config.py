"""Crawl settings read from the environment in one place, each with its default and the reason."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from crawlers.exceptions import CrawlError

_CONTACT_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$|^https?://\S+$")


@dataclass(frozen=True, slots=True)
class CrawlSettings:
    """Resolved crawl settings for one process."""

    # The sources file. Default ./sources.yaml: the one at the root of the checkout, which
    # `anbudsradar crawl` reads without options.
    sources_file: Path
    # An e-mail address or URL where site owners reach whoever runs the crawler. No default: it
    # must name the operator; crawls of public hosts refuse to start without it (tests and the
    # demo crawl 127.0.0.1 and need none).
    contact: str | None

    def user_agent(self) -> str:
        """Return the identifying User-Agent: product, version and, when set, the contact."""
        contact = f" (+{self.contact})" if self.contact else ""
        return f"Anbudsradar/{_version()}{contact}"


def load_crawl_settings(env: Mapping[str, str] | None = None) -> CrawlSettings:
    """Read ANBUDSRADAR_SOURCES and ANBUDSRADAR_CRAWL_CONTACT, validating the contact."""
    env = os.environ if env is None else env
    contact = env.get("ANBUDSRADAR_CRAWL_CONTACT", "").strip() or None
    if contact is not None and not _CONTACT_RE.match(contact):
        raise CrawlError(
            f"ANBUDSRADAR_CRAWL_CONTACT={contact!r} is neither an e-mail address nor a URL "
            "(expected e.g. upphandling@coompanion.se or https://example.se/kontakt)"
        )
    return CrawlSettings(
        sources_file=Path(env.get("ANBUDSRADAR_SOURCES", "sources.yaml")),
        contact=contact,
    )


def _version() -> str:
    try:
        return version("anbudsradar")
    except PackageNotFoundError:  # running from a checkout that is not installed
        return "0"
