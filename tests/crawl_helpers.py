"""Helpers of the crawl tests: pages in the shape of the real sites, archives, crawls in a child process."""

from __future__ import annotations

import gzip
import io
import tarfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawlers.localsite import LocalSite, Reply
from crawlers.run import CrawlReport, crawl_in_subprocess
from models.db import database
from tests.conftest import real_path

ROBOTS = Reply(body=b"User-agent: *\nDisallow: /privat/\n", headers={"Content-Type": "text/plain"})
XML = {"Content-Type": "application/xml"}
HTML = {"Content-Type": "text/html; charset=utf-8"}
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}

# Real published notices (../shared/data/real): Swedish TED XML, and eForms from other countries.
SWEDISH_LEGACY = ("ted-legacy/SE_2018S-082-185357.xml", "ted-legacy/SE_2021S-119-316423.xml")
FOREIGN_EFORMS = (
    "eforms/DEU_00657565-2023.xml",
    "eforms/FIN_00544961-2023.xml",
    "eforms/DNK_00665431-2023.xml",
)
UK_RELEASES = "ocds/contracts-finder-england"


def real(relative: str) -> bytes:
    """Return the bytes of a real notice (the test is skipped where ../shared is absent)."""
    return real_path(relative).read_bytes()


def tar_gz(members: Mapping[str, bytes]) -> bytes:
    """Return a .tar.gz holding the members, as a TED daily package does (YYYYMMDD_NNN/…)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def truncated(data: bytes, keep: float = 0.5) -> bytes:
    """Return the first part of some bytes (a download cut short)."""
    return data[: int(len(data) * keep)]


def gzip_bytes(data: bytes) -> bytes:
    """Return gzip-compressed bytes."""
    return gzip.compress(data, mtime=0)


def release_calendar(issues: Iterable[tuple[int, date]]) -> bytes:
    """Return a TED release calendar CSV ("OJS","Publication date" dd/mm/yyyy)."""
    lines = ["OJS,Publication date"] + [f"{number},{day:%d/%m/%Y}" for number, day in issues]
    return ("\n".join(lines) + "\n").encode()


def rss_feed(items: Iterable[Mapping[str, str]], encoding: str = "utf-8", declared: str = "UTF-8") -> bytes:
    """Return an RSS 2.0 feed like an advertisement database's (title, link, guid, pubDate, description)."""
    entries = []
    for item in items:
        parts = [f"<{key}>{value}</{key}>" for key, value in item.items()]
        entries.append("<item>" + "".join(parts) + "</item>")
    text = (
        f'<?xml version="1.0" encoding="{declared}"?>\n<rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Annonser - Norrbotten</title>'
        "<link>https://annonsdatabas.example/norrbotten</link>"
        "<description>Pågående upphandlingar</description>" + "".join(entries) + "</channel></rss>"
    )
    return text.encode(encoding)


def municipal_listing(rows: Iterable[Mapping[str, str]]) -> bytes:
    """Return a municipality's procurement page: a table of title (link), reference, dates."""
    body = "".join(
        f'<tr><td class="rubrik"><a href="{row["href"]}">{row["title"]}</a></td>'
        f'<td class="diarienr">{row["reference"]}</td><td class="publicerad">{row["published"]}</td>'
        f'<td class="sista-dag">{row["deadline"]}</td></tr>'
        for row in rows
    )
    return (
        "<!DOCTYPE html><html lang='sv'><head><meta charset='utf-8'><title>Upphandlingar</title></head>"
        "<body><header><nav><a href='/'>Start</a></nav></header><main><h1>Pågående upphandlingar</h1>"
        "<table class='upphandlingar'><thead><tr><th>Upphandling</th><th>Diarienummer</th>"
        f"<th>Publicerad</th><th>Sista anbudsdag</th></tr></thead><tbody>{body}</tbody></table>"
        "</main></body></html>"
    ).encode()


def detail_page(title: str, description: str, value: str | None = None) -> bytes:
    """Return a procurement's detail page on a municipality's site."""
    value_html = f"<dt>Uppskattat värde</dt><dd class='varde'>{value}</dd>" if value else ""
    return (
        f"<html lang='sv'><head><meta charset='utf-8'><title>{title}</title></head><body><main>"
        f"<h1>{title}</h1><div class='beskrivning'><p>{description}</p></div><dl>{value_html}</dl>"
        "</main></body></html>"
    ).encode()


def listing_source(name: str, site: LocalSite, path: str, **extra: str) -> str:
    """Return the YAML of an html_listing source for municipal_listing() pages."""
    lines = [
        f"  {name}:",
        "    kind: html_listing",
        f"    url: {site.url(path)}",
        "    buyer: {name: Bodens kommun, org_number: 212000-2692, municipality_code: '2582', city: Boden}",
        "    selectors:",
        "      item: table.upphandlingar tbody tr",
        "      link: td.rubrik a::attr(href)",
        "      fields:",
        "        title: td.rubrik a::text",
        "        reference: td.diarienr::text",
        "        published: td.publicerad::text",
        "        deadline: td.sista-dag::text",
        "      detail_fields:",
        "        description: div.beskrivning",
        "        value: dd.varde::text",
    ]
    lines += [f"    {key}: {value}" for key, value in extra.items()]
    return "\n".join(lines) + "\n"


def crawl(
    tmp: Path, site_sources: str, database_url: str, *names: str, since: date | None = None, **overrides: Any
) -> CrawlReport:
    """Write the sources file and crawl it with `anbudsradar crawl --fast --json` in a child process."""
    sources_file = tmp / "sources.yaml"
    sources_file.write_text("sources:\n" + site_sources, encoding="utf-8")
    return crawl_in_subprocess(
        list(names),
        database_url=database_url,
        sources_file=sources_file,
        since=since,
        fast=True,
        overrides=overrides,
    )


@contextmanager
def session_for(database_url: str) -> Iterator[Session]:
    """Open a session on the crawled database."""
    with database(database_url) as sessions, sessions() as session:
        yield session


def rows(database_url: str, model: type[Any], *where: Any) -> list[Any]:
    """Return the rows of a model (with optional where clauses), loaded before the session closes."""
    with session_for(database_url) as session:
        return list(session.scalars(select(model).where(*where)))
