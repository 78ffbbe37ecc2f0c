"""sources.yaml: the configured sources, validated on load into typed, frozen objects.

A source is configuration, not code: its `kind` names the spider that crawls it (ted_search_api,
ted_daily_packages, ocds_api, feed, html_listing) and the other keys say where and what. Every
problem is reported with the file, the source and the key, and what to write instead.
docs/sources.md documents every key; a test keeps the two in step.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

import yaml

from crawlers.exceptions import SourceConfigError, UnknownSourceError
from crawlers.parsers import yamlsafe
from crawlers.parsers.normalise import country_code
from crawlers.parsers.record import NOTICE_TYPES, NoticeRecord
from crawlers.selectors import CompiledSelector, compile_selector

SOURCE_KINDS = ("ted_search_api", "ted_daily_packages", "ocds_api", "feed", "html_listing")
# Fields a feed entry or listing item can carry; each becomes part of the notice record.
LISTING_FIELDS = ("title", "description", "deadline", "published", "cpv", "reference", "value", "type")
# Swedish county code (first two digits of a municipality code) -> NUTS 2021 level 3.
COUNTY_NUTS = {
    "01": "SE110", "03": "SE121", "04": "SE122", "05": "SE123", "06": "SE211", "07": "SE212",
    "08": "SE213", "09": "SE214", "10": "SE221", "12": "SE224", "13": "SE231", "14": "SE232",
    "17": "SE311", "18": "SE124", "19": "SE125", "20": "SE312", "21": "SE313", "22": "SE321",
    "23": "SE322", "24": "SE331", "25": "SE332",
}  # fmt: skip
COMMON_KEYS = ("kind", "url", "enabled", "verified", "description", "filter")
KIND_KEYS: dict[str, tuple[str, ...]] = {
    "ted_search_api": ("buyer_countries", "cpv", "nuts", "notice_types", "expert_query", "page_size"),
    "ted_daily_packages": ("calendar_url", "issues"),
    "ocds_api": ("since_parameter", "since_format", "parameters", "max_pages"),
    "feed": ("buyer", "notice_type", "fields", "follow_links", "detail_fields"),
    "html_listing": ("buyer", "notice_type", "selectors", "max_pages"),
}
BUYER_KEYS = ("name", "org_number", "municipality_code", "nuts", "city")
FILTER_KEYS = ("countries", "nuts")
SELECTOR_KEYS = ("item", "link", "next_page", "fields", "detail_fields")
_ORG_NUMBER_RE = re.compile(r"^(\d{6})-?(\d{4})$")
_NUTS_RE = re.compile(r"^[A-Z]{2}[A-Z0-9]{0,3}$")
_CPV_PREFIX_RE = re.compile(r"^\d{2,8}$")
_ISSUE_RE = re.compile(r"^\d{4}-?\d{5}$")
# The strftime directives Python documents for every platform (the C89 ones, %f, %z, %G, %u, %V).
STRFTIME_DIRECTIVES = "aAwdbBmyYHIpMSfzZjUWcxXGuV%"
MAX_PAGES = 1_000_000  # `max_pages` guards against a looping `next` link; any bound above is a typo
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class BuyerConfig:
    """The buyer of every notice of a feed or listing (they carry no machine-readable buyer)."""

    name: str
    org_number: str  # NNNNNN-NNNN, as Swedish notices (and TED) write it
    municipality_code: str | None = None
    nuts: str | None = None  # from the municipality code's county unless given
    city: str | None = None


@dataclass(frozen=True, slots=True)
class NoticeFilter:
    """Keep only notices whose buyer country and NUTS codes match (applied after parsing)."""

    countries: tuple[str, ...] = ()  # ISO 3166-1 alpha-2
    nuts: tuple[str, ...] = ()  # prefixes, e.g. SE33

    def matches(self, record: NoticeRecord) -> bool:
        """Whether a parsed record passes the filter."""
        if self.countries and record.buyer.country not in self.countries:
            return False
        if not self.nuts:
            return True
        codes = [*record.nuts, *(lot_code for lot in record.lots for lot_code in lot.nuts)]
        codes += [record.buyer.nuts] if record.buyer.nuts else []
        return any(code.startswith(self.nuts) for code in codes)

    def may_match(self, data: bytes) -> bool:
        """Cheap test on raw XML before parsing: False only when the notice cannot match.

        eForms writes countries as >SWE<, TED legacy XML as VALUE="SE"; NUTS codes appear as
        written. A country without a known alpha-3 code is not pre-filtered.
        """
        if self.countries and all(code in _ALPHA3 for code in self.countries):
            tokens = [token for code in self.countries for token in _ALPHA3[code]]
            if not any(token in data for token in tokens):
                return False
        return not self.nuts or any(prefix.encode() in data for prefix in self.nuts)


@dataclass(frozen=True, slots=True)
class TedSearchOptions:
    """What to ask the TED Search API (the expert query is built from these)."""

    buyer_countries: tuple[str, ...] = ("SWE",)
    cpv: tuple[str, ...] = ()
    nuts: tuple[str, ...] = ()
    notice_types: tuple[str, ...] = ()
    expert_query: str | None = None
    page_size: int = 100


@dataclass(frozen=True, slots=True)
class TedPackageOptions:
    """Where the TED release calendar is, or which OJ S issues to fetch."""

    calendar_url: str | None = None
    issues: tuple[str, ...] = ()  # YYYYNNNNN, instead of the calendar


@dataclass(frozen=True, slots=True)
class OcdsOptions:
    """How an OCDS release-package API takes its updated-since date."""

    since_parameter: str = "updatedFrom"
    since_format: str = "%Y-%m-%dT%H:%M:%S"
    parameters: Mapping[str, str] = field(default_factory=dict)
    max_pages: int = 1000


@dataclass(frozen=True, slots=True)
class FeedOptions:
    """Field selectors that replace the RSS/Atom defaults, and optional detail pages."""

    fields: Mapping[str, CompiledSelector] = field(default_factory=dict)
    follow_links: bool = False
    detail_fields: Mapping[str, CompiledSelector] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ListingOptions:
    """Selectors of an HTML listing: items, their fields, detail links and the next page."""

    item: CompiledSelector
    fields: Mapping[str, CompiledSelector]
    link: CompiledSelector | None = None
    next_page: CompiledSelector | None = None
    detail_fields: Mapping[str, CompiledSelector] = field(default_factory=dict)
    max_pages: int = 20


KindOptions = TedSearchOptions | TedPackageOptions | OcdsOptions | FeedOptions | ListingOptions


@dataclass(frozen=True, slots=True)
class SourceConfig:
    """One configured source: its name, kind (the spider), URL and kind-specific options."""

    name: str
    kind: str
    options: KindOptions
    url: str | None = None
    enabled: bool = True
    verified: bool = True
    description: str | None = None
    filter: NoticeFilter | None = None
    buyer: BuyerConfig | None = None
    notice_type: str | None = None

    @property
    def crawled_by_default(self) -> bool:
        """Whether `anbudsradar crawl` without names crawls this source (enabled and verified)."""
        return self.enabled and self.verified


# Byte tokens of a buyer country in eForms (>SWE<) and TED legacy XML (VALUE="SE" / >SE<).
_ALPHA3 = {
    alpha2: (f">{alpha3}<".encode(), f'"{alpha2}"'.encode(), f">{alpha2}<".encode())
    for alpha2, alpha3 in {"SE": "SWE", "NO": "NOR", "FI": "FIN", "DK": "DNK", "IS": "ISL"}.items()
}


def load_sources(path: Path) -> dict[str, SourceConfig]:
    """Read and validate a sources file; raise SourceConfigError naming the file, source and key."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceConfigError(
            f"{path}: no such sources file (set ANBUDSRADAR_SOURCES or pass --sources-file; "
            "the repository's sources.yaml is a documented starting point)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceConfigError(f"{path}: cannot read the sources file: {exc}") from None
    return parse_sources(text, str(path))


def parse_sources(text: str, origin: str = "sources.yaml") -> dict[str, SourceConfig]:
    """Validate the YAML text of a sources file (see load_sources)."""
    try:
        document = yamlsafe.load(text, origin)  # bounded depth and aliases, no key written twice
    except yaml.YAMLError as exc:
        raise SourceConfigError(f"{origin}: not valid YAML: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("sources"), dict):
        raise SourceConfigError(f"{origin}: expected a mapping with a `sources:` mapping of named sources")
    _no_unknown_keys(document, ("sources",), f"{origin}: top level")
    sources = {}
    for name, body in document["sources"].items():
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,99}", name):
            raise SourceConfigError(
                f"{origin}: source name {name!r}: use lower-case letters, digits, '_' and '-' "
                "(it names the source on the command line and in the crawl log)"
            )
        sources[name] = _source(name, body, origin)
    return sources


def select_sources(sources: Mapping[str, SourceConfig], names: Iterable[str]) -> list[SourceConfig]:
    """Return the named sources, or every source crawled by default when no names are given."""
    wanted = list(names)
    if not wanted:
        return [source for source in sources.values() if source.crawled_by_default]
    unknown = [name for name in wanted if name not in sources]
    if unknown:
        known = ", ".join(sorted(sources)) or "none"
        raise UnknownSourceError(f"unknown source {', '.join(unknown)} (configured: {known})")
    return [sources[name] for name in dict.fromkeys(wanted)]


class _Reader:
    """Reads one mapping of the YAML with messages that say where a bad value is."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict):
            raise SourceConfigError(f"{where}: expected a mapping of keys, got {type(data).__name__}")
        self.data: dict[str, Any] = data
        self.where = where

    def error(self, key: str, problem: str) -> SourceConfigError:
        """Return an error naming this mapping and the key."""
        return SourceConfigError(f"{self.where}: {key}: {problem}")

    def get(self, key: str, kind: type[T], default: T | None = None, *, required: bool = False) -> T | None:
        """Return a value of the given type, the default when absent, or raise."""
        if key not in self.data or self.data[key] is None:
            if required:
                raise self.error(key, "is required")
            return default
        value = self.data[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.error(key, f"expected {kind.__name__}, got {type(value).__name__} {value!r}")
        return value

    def text(self, key: str, *, required: bool = False) -> str | None:
        """Return a non-empty string (numbers written without quotes are accepted as text)."""
        value = self.data.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
            self.data[key] = value
        result = self.get(key, str, required=required)
        if result is not None and not result.strip():
            raise self.error(key, "is empty")
        return result.strip() if result is not None else None

    def strings(self, key: str) -> tuple[str, ...]:
        """Return a list of strings (a single string is a list of one)."""
        value = self.data.get(key)
        if value is None:
            return ()
        if isinstance(value, str | int):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
            raise self.error(key, f"expected a list of strings, got {value!r}")
        return tuple(str(v).strip() for v in value)

    def url(self, key: str, *, required: bool = False) -> str | None:
        """Return an http(s) URL (a template may contain {placeholders})."""
        value = self.text(key, required=required)
        if value is None:
            return None
        try:
            parsed = urlparse(value)
            parsed.port  # noqa: B018 - raises ValueError for a port that is not a number in 0..65535
        except ValueError as exc:  # e.g. "Invalid IPv6 URL", "Port out of range 0-65535"
            raise self.error(key, f"{value!r} is not an http(s) URL ({exc})") from None
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise self.error(key, f"{value!r} is not an http(s) URL")
        return value

    def whole(self, key: str, default: int, low: int, high: int, why: str = "") -> int:
        """Return a whole number in low..high (the default when absent), or raise saying the range."""
        value = self.get(key, int, default)
        assert value is not None  # the default is a number
        if not low <= value <= high:
            raise self.error(key, f"{value} is outside {low}..{high}{why}")
        return value


def _no_unknown_keys(data: Mapping[str, Any], allowed: Iterable[str], where: str) -> None:
    allowed = tuple(allowed)
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (allowed: {', '.join(allowed)})"
            raise SourceConfigError(f"{where}: unknown key {key!r}{hint}")


def _source(name: str, body: object, origin: str) -> SourceConfig:
    where = f"{origin}: source {name!r}"
    reader = _Reader(body, where)
    kind = reader.text("kind", required=True)
    if kind not in SOURCE_KINDS:
        raise reader.error("kind", f"{kind!r} is not a source kind (one of {', '.join(SOURCE_KINDS)})")
    where = f"{where} ({kind})"
    reader.where = where
    _no_unknown_keys(reader.data, COMMON_KEYS + KIND_KEYS[kind], where)
    url = reader.url("url", required=kind in ("ocds_api", "feed", "html_listing"))
    buyer = _buyer(reader) if kind in ("feed", "html_listing") else None
    notice_type = reader.text("notice_type")
    if notice_type is not None and notice_type not in NOTICE_TYPES:
        raise reader.error("notice_type", f"{notice_type!r} is not one of {', '.join(sorted(NOTICE_TYPES))}")
    return SourceConfig(
        name=name,
        kind=kind,
        options=_OPTION_READERS[kind](reader),
        url=url,
        enabled=bool(reader.get("enabled", bool, True)),
        verified=bool(reader.get("verified", bool, True)),
        description=reader.text("description"),
        filter=_filter(reader),
        buyer=buyer,
        notice_type=notice_type,
    )


def _buyer(reader: _Reader) -> BuyerConfig:
    data = reader.get("buyer", dict, required=True)
    buyer = _Reader(data, f"{reader.where}: buyer")
    _no_unknown_keys(buyer.data, BUYER_KEYS, buyer.where)
    org_number = buyer.text("org_number", required=True) or ""
    match = _ORG_NUMBER_RE.match(org_number)
    if match is None:
        raise buyer.error("org_number", f"{org_number!r} is not a Swedish organisation number (NNNNNN-NNNN)")
    code = buyer.text("municipality_code")
    nuts = buyer.text("nuts")
    if code is not None:
        if not re.fullmatch(r"\d{4}", code) or code[:2] not in COUNTY_NUTS:
            raise buyer.error("municipality_code", f"{code!r} is not a Swedish municipality code (e.g. 2580)")
        nuts = nuts or COUNTY_NUTS[code[:2]]
    if nuts is not None and not _NUTS_RE.match(nuts):
        raise buyer.error("nuts", f"{nuts!r} is not a NUTS code (e.g. SE332)")
    return BuyerConfig(
        name=buyer.text("name", required=True) or "",
        org_number=f"{match.group(1)}-{match.group(2)}",
        municipality_code=code,
        nuts=nuts,
        city=buyer.text("city"),
    )


def _filter(reader: _Reader) -> NoticeFilter | None:
    data = reader.get("filter", dict)
    if data is None:
        return None
    rules = _Reader(data, f"{reader.where}: filter")
    _no_unknown_keys(rules.data, FILTER_KEYS, rules.where)
    countries = []
    for value in rules.strings("countries"):
        code = country_code(value)
        if code is None:
            raise rules.error("countries", f"{value!r} is not an ISO country code (SE or SWE)")
        countries.append(code)
    nuts = rules.strings("nuts")
    for code in nuts:
        if not _NUTS_RE.match(code):
            raise rules.error("nuts", f"{code!r} is not a NUTS code or prefix (e.g. SE33)")
    if not countries and not nuts:
        raise rules.error("countries", "a filter needs countries, nuts or both")
    return NoticeFilter(tuple(countries), nuts)


def _ted_search(reader: _Reader) -> TedSearchOptions:
    countries = reader.strings("buyer_countries") or ("SWE",)
    for code in countries:
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise reader.error("buyer_countries", f"{code!r}: TED expects ISO alpha-3 codes (e.g. SWE)")
    cpv = reader.strings("cpv")
    for code in cpv:
        if not _CPV_PREFIX_RE.match(code):
            raise reader.error("cpv", f"{code!r} is not a CPV code or prefix (2 to 8 digits, no check digit)")
    nuts = reader.strings("nuts")
    for code in nuts:
        if not _NUTS_RE.match(code):
            raise reader.error("nuts", f"{code!r} is not a NUTS code (e.g. SE332)")
    types = reader.strings("notice_types")
    for code in types:
        if not re.fullmatch(r"[a-z0-9-]+", code):
            raise reader.error("notice_types", f"{code!r} is not a TED notice-type code (e.g. cn-standard)")
    page_size = reader.whole("page_size", 100, 1, 250, " (the API's maximum is 250)")
    return TedSearchOptions(countries, cpv, nuts, types, reader.text("expert_query"), page_size)


def _ted_packages(reader: _Reader) -> TedPackageOptions:
    issues = reader.strings("issues")
    for issue in issues:
        if not _ISSUE_RE.match(issue):
            raise reader.error("issues", f"{issue!r} is not an OJ S issue (YYYYNNNNN, e.g. 202400123)")
    return TedPackageOptions(reader.url("calendar_url"), tuple(i.replace("-", "") for i in issues))


def _ocds(reader: _Reader) -> OcdsOptions:
    parameters = reader.get("parameters", dict, {}) or {}
    if not all(isinstance(k, str) and isinstance(v, str | int) for k, v in parameters.items()):
        raise reader.error("parameters", "expected a mapping of query parameter names to values")
    since_format = reader.text("since_format") or "%Y-%m-%dT%H:%M:%S"
    problem = _strftime_problem(since_format)
    if problem is not None:
        raise reader.error("since_format", f"{since_format!r} {problem}")
    max_pages = reader.whole("max_pages", 1000, 1, MAX_PAGES)
    return OcdsOptions(
        since_parameter=reader.text("since_parameter") or "updatedFrom",
        since_format=since_format,
        parameters={k: str(v) for k, v in parameters.items()},
        max_pages=max_pages,
    )


def _strftime_problem(text: str) -> str | None:
    """Say what is wrong with a strftime format for a date parameter, or None when it is fine.

    Only the directives Python documents on every platform are accepted: the C library passes an
    unknown one (%Q) or a lone % through as text, which would then be sent to the API.
    """
    directives = [match.group(1) for match in re.finditer(r"%(.?)", text, re.DOTALL)]
    if "" in directives:
        return "ends with a lone % (write %% for a percent sign)"
    unknown = [directive for directive in directives if directive not in STRFTIME_DIRECTIVES]
    if unknown:
        return (
            f"has the unknown directive %{unknown[0]} (a strftime format takes "
            f"{' '.join('%' + d for d in STRFTIME_DIRECTIVES)}; e.g. %Y-%m-%d)"
        )
    if "Y" not in directives:
        return "has no %Y (a strftime format, e.g. %Y-%m-%d)"
    return None


def _selectors(reader: _Reader, key: str, *, allowed: tuple[str, ...]) -> dict[str, CompiledSelector]:
    data = reader.get(key, dict, {}) or {}
    where = f"{reader.where}: {key}"
    _no_unknown_keys(data, allowed, where)
    compiled = {}
    for name, expression in data.items():
        if not isinstance(expression, str):
            raise SourceConfigError(f"{where}: {name}: expected a CSS or XPath selector, got {expression!r}")
        try:
            compiled[name] = compile_selector(expression)
        except ValueError as exc:
            raise SourceConfigError(f"{where}: {name}: {exc}") from None
    return compiled


def _feed(reader: _Reader) -> FeedOptions:
    follow = bool(reader.get("follow_links", bool, False))
    detail = _selectors(reader, "detail_fields", allowed=LISTING_FIELDS)
    if detail and not follow:
        raise reader.error("detail_fields", "are read on the linked page: set follow_links: true")
    fields = _selectors(reader, "fields", allowed=(*LISTING_FIELDS, "link", "id"))
    return FeedOptions(fields, follow, detail)


def _listing(reader: _Reader) -> ListingOptions:
    data = reader.get("selectors", dict, required=True)
    selectors = _Reader(data, f"{reader.where}: selectors")
    _no_unknown_keys(selectors.data, SELECTOR_KEYS, selectors.where)
    single: dict[str, CompiledSelector] = {}
    for key in ("item", "link", "next_page"):
        expression = selectors.text(key, required=key == "item")
        if expression is not None:
            try:
                single[key] = compile_selector(expression)
            except ValueError as exc:
                raise selectors.error(key, str(exc)) from None
    fields = _selectors(selectors, "fields", allowed=LISTING_FIELDS)
    detail = _selectors(selectors, "detail_fields", allowed=LISTING_FIELDS)
    if detail and "link" not in single:
        raise selectors.error("detail_fields", "are read on the item's detail page: add a `link` selector")
    if "title" not in fields and "title" not in detail:
        raise selectors.error("fields", "a `title` selector is required (in fields or detail_fields)")
    max_pages = reader.whole("max_pages", 20, 1, MAX_PAGES)
    return ListingOptions(
        item=single["item"],
        fields=fields,
        link=single.get("link"),
        next_page=single.get("next_page"),
        detail_fields=detail,
        max_pages=max_pages,
    )


_OPTION_READERS = {
    "ted_search_api": _ted_search,
    "ted_daily_packages": _ted_packages,
    "ocds_api": _ocds,
    "feed": _feed,
    "html_listing": _listing,
}
