"""sources.yaml: validated on load with errors that name the source and key; documented in full."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from anbudsradar.cli import main
from crawlers.exceptions import SourceConfigError, UnknownSourceError
from crawlers.run import scrapy_settings
from crawlers.sources import (
    BUYER_KEYS,
    COMMON_KEYS,
    FILTER_KEYS,
    KIND_KEYS,
    LISTING_FIELDS,
    SELECTOR_KEYS,
    SOURCE_KINDS,
    ListingOptions,
    load_sources,
    parse_sources,
    select_sources,
)
from tests.conftest import REPO_ROOT

BUYER = "    buyer: {name: Piteå kommun, org_number: 212000-2742, municipality_code: '2581'}\n"
LISTING = (
    "    kind: html_listing\n    url: https://www.pitea.se/upphandling\n" + BUYER + "    selectors:\n"
    "      item: ul.lista li\n      fields: {title: a::text}\n"
)

# "Billion laughs" in one value: each anchor repeats the one before nine times, 9**7 strings at the end.
ALIAS_BOMB = "sources:\n  s:\n    kind: ted_search_api\n    expert_query: [&a [x, x, x, x, x, x, x, x, x]"
for _old, _new in zip("abcdef", "bcdefg", strict=True):
    ALIAS_BOMB += f", &{_new} [{', '.join([f'*{_old}'] * 9)}]"
ALIAS_BOMB += "]\n"

# case -> (YAML of one source named "s", words the error must contain)
BAD_SOURCES = {
    "unknown kind": ("    kind: rss\n", "kind: 'rss' is not a source kind"),
    "typo in a key": (
        LISTING.replace("selectors:", "selector:"),
        "unknown key 'selector' (did you mean 'selectors'?)",
    ),
    "key of another kind": ("    kind: ted_search_api\n    selectors: {}\n", "unknown key 'selectors'"),
    "url missing": ("    kind: feed\n" + BUYER, "source 's' (feed): url: is required"),
    "url not http": (LISTING.replace("https://www.pitea.se/upphandling", "ftp://x"), "is not an http(s) URL"),
    "buyer missing": (LISTING.replace(BUYER, ""), "buyer: is required"),
    "bad org number": (LISTING.replace("212000-2742", "12345"), "not a Swedish organisation number"),
    "bad municipality": (LISTING.replace("'2581'", "'9999'"), "not a Swedish municipality code"),
    "item missing": (LISTING.replace("      item: ul.lista li\n", ""), "selectors: item: is required"),
    "bad css": (LISTING.replace("ul.lista li", "ul.lista li["), "item: invalid CSS"),
    "bad xpath": (LISTING.replace("a::text", "'xpath://a[text('"), "title: invalid XPath"),
    "no title": (LISTING.replace("title: a::text", "deadline: span::text"), "a `title` selector is required"),
    "unknown field": (
        LISTING.replace("title: a::text", "title: a::text, pris: b::text"),
        "unknown key 'pris'",
    ),
    "detail without link": (
        LISTING + "      detail_fields: {description: p::text}\n",
        "detail_fields: are read on the item's detail page: add a `link` selector",
    ),
    "bad notice type": (LISTING + "    notice_type: direktupphandling\n", "is not one of"),
    "bad filter country": (
        "    kind: ted_daily_packages\n    filter: {countries: [Sverige]}\n",
        "not an ISO country",
    ),
    "empty filter": (
        "    kind: ted_daily_packages\n    filter: {}\n",
        "a filter needs countries, nuts or both",
    ),
    "ted page size": ("    kind: ted_search_api\n    page_size: 1000\n", "outside 1..250"),
    "ted alpha-2": ("    kind: ted_search_api\n    buyer_countries: [SE]\n", "TED expects ISO alpha-3"),
    "ted cpv": ("    kind: ted_search_api\n    cpv: ['9091x']\n", "not a CPV code"),
    "issue": ("    kind: ted_daily_packages\n    issues: ['2024-1']\n", "not an OJ S issue"),
    "enabled not bool": (LISTING + "    enabled: kanske\n", "enabled: expected bool"),
    "impossible date": (
        "    kind: ted_daily_packages\n    issues: [2024-13-45]\n", "'2024-13-45': month must be in 1..12"
    ),
    "key given twice": (
        "    kind: ted_search_api\n    page_size: 10\n    page_size: 20\n",
        "found duplicate key 'page_size'",
    ),
    "url bad ipv6": (LISTING.replace("https://www.pitea.se", "http://[::1"), "(Invalid IPv6 URL)"),
    "url bad port": (LISTING.replace("www.pitea.se", "www.pitea.se:99999"), "(Port out of range 0-65535)"),
    "ted page size 0": ("    kind: ted_search_api\n    page_size: 0\n", "page_size: 0 is outside 1..250"),
    "ocds max_pages 0": (
        "    kind: ocds_api\n    url: https://x.se/api\n    max_pages: 0\n",
        "max_pages: 0 is outside 1..1000000",
    ),
    "listing max_pages negative": (LISTING + "    max_pages: -1\n", "max_pages: -1 is outside 1..1000000"),
    "xpath unknown function": (
        LISTING.replace("a::text", "'xpath:string(unknown())'"),
        "title: invalid XPath 'string(unknown())': XPath error: Unregistered function",
    ),
    "feed detail without follow": (
        "    kind: feed\n    url: https://x.se/rss\n" + BUYER + "    detail_fields: {value: b::text}\n",
        "set follow_links: true",
    ),
}  # fmt: skip


@pytest.mark.parametrize(("body", "words"), BAD_SOURCES.values(), ids=BAD_SOURCES.keys())
def test_a_misconfigured_source_is_refused_with_a_clear_error(body: str, words: str) -> None:
    with pytest.raises(SourceConfigError) as raised:
        parse_sources(f"sources:\n  s:\n{body}", "my-sources.yaml")
    message = str(raised.value)
    assert message.startswith("my-sources.yaml: ")
    assert words in message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("sources: [a, b]", "expected a mapping with a `sources:` mapping"),
        ("sources:\n  Luleå Kommun:\n    kind: feed\n", "use lower-case letters"),
        ("sources: {a: {kind: feed}\n", "not valid YAML"),
        ("sources: {}\nsource: {}\n", "unknown key 'source'"),
        (  # the first one was silently replaced
            "sources:\n  s: {kind: ted_search_api}\n  s: {kind: ted_daily_packages}\n",
            "found duplicate key 's'\n  in \"my-sources.yaml\", line 3, column 3",
        ),
        ("sources: " + "[" * 5000 + "]" * 5000, "nested more than 50 levels deep"),  # was a RecursionError
        (ALIAS_BOMB, "aliases (*e) expand to more than 100000 values"),  # was gigabytes in the message
    ],
)
def test_a_broken_file_is_refused(text: str, words: str) -> None:
    with pytest.raises(SourceConfigError, match=re.escape(words)):
        parse_sources(text, "my-sources.yaml")


def test_a_missing_file_says_how_to_point_at_one(tmp_path: Path) -> None:
    with pytest.raises(SourceConfigError, match="ANBUDSRADAR_SOURCES or pass --sources-file"):
        load_sources(tmp_path / "nope.yaml")


def test_a_valid_listing_is_typed_and_normalised() -> None:
    source = parse_sources(f"sources:\n  pitea:\n{LISTING}    verified: false\n")["pitea"]
    assert source.buyer is not None
    assert (source.buyer.org_number, source.buyer.nuts) == ("212000-2742", "SE332")
    assert isinstance(source.options, ListingOptions)
    assert source.options.item.xpath.startswith("descendant-or-self::ul")
    assert not source.crawled_by_default


def test_the_shipped_sources_file_loads() -> None:
    sources = load_sources(REPO_ROOT / "sources.yaml")
    assert {source.kind for source in sources.values()} >= {
        "ted_search_api",
        "ted_daily_packages",
        "ocds_api",
    }
    municipalities = {s.buyer.name for s in sources.values() if s.buyer is not None}
    assert municipalities == {"Luleå kommun", "Piteå kommun", "Bodens kommun", "Älvsbyns kommun"}
    assert all(not s.verified for s in sources.values() if s.buyer is not None)  # examples to verify
    assert [s.name for s in select_sources(sources, [])] == ["ted_sweden"]


def test_unknown_source_names_list_the_configured_ones() -> None:
    sources = parse_sources(f"sources:\n  pitea:\n{LISTING}")
    with pytest.raises(UnknownSourceError, match=r"unknown source lulea \(configured: pitea\)"):
        select_sources(sources, ["lulea"])


def test_every_key_and_kind_is_documented() -> None:
    docs = (REPO_ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    keys = {
        *COMMON_KEYS,
        *BUYER_KEYS,
        *FILTER_KEYS,
        *SELECTOR_KEYS,
        *LISTING_FIELDS,
        *SOURCE_KINDS,
        "max_pages",
    }
    keys |= {key for kind_keys in KIND_KEYS.values() for key in kind_keys}
    assert sorted(key for key in keys if f"`{key}`" not in docs) == []
    assert "Adding a municipality in minutes" in docs


@pytest.mark.parametrize(
    ("override", "words"),
    [
        ("DOWNLOAD_DELAY=abc", "-s DOWNLOAD_DELAY=abc: expected a number, like the current value 1.0"),
        ("CONCURRENT_REQUESTS=many", "-s CONCURRENT_REQUESTS=many: expected a number"),
        ("AUTOTHROTTLE_ENABLED=kanske", "-s AUTOTHROTTLE_ENABLED=kanske: expected yes or no (1/0"),
    ],
)
def test_a_scrapy_setting_scrapy_cannot_read_is_refused_before_the_crawl(
    override: str, words: str, tmp_path: Path
) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  s: {kind: ocds_api, url: 'http://127.0.0.1:9/api'}\n", encoding="utf-8")
    env = {"ANBUDSRADAR_DATABASE_URL": f"sqlite:///{tmp_path / 'crawl.db'}"}
    args = ["crawl", "s", "--sources-file", str(sources), "-s", override]
    result = CliRunner().invoke(main, args, env=env)  # was a traceback from inside Scrapy's engine
    assert result.exit_code == 2 and words in result.output, result.output
    assert "Traceback" not in result.output
    assert scrapy_settings("sqlite://", overrides={"DOWNLOAD_DELAY": "0.5"}).getfloat("DOWNLOAD_DELAY") == 0.5
