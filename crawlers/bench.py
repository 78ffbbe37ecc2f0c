"""`anbudsradar bench crawl`: crawl throughput on 127.0.0.1 and back-filling from a daily package.

1. Crawl: N generated eForms notices behind a TED-shaped search API, crawled with politeness off.
   The same notices are then parsed and stored without Scrapy, in this process; the difference
   is what Scrapy and HTTP cost.
2. Back-fill: one daily package of M notices (half of them from Finnish buyers, filtered out
   while reading), crawled by the ted_daily_packages spider.

Times are the spider's own (open to close, from crawl_run), so Python start-up is not counted.
"""

from __future__ import annotations

import io
import tarfile
import time
import uuid
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from anbudsradar.samples.eforms_builder import build_notice
from anbudsradar.samples.norrbotten import sample_notices
from crawlers.localsite import Reply, serving, ted_result, ted_search_route
from crawlers.parsers.dispatch import parse_one
from crawlers.run import crawl_in_subprocess
from crawlers.scratch import fresh_folder
from models.db import database
from models.store import NoticeStore

# What a run writes into its folder: anything else there is not the benchmark's to delete.
BENCH_FILES = ("api-sources.yaml", "package-sources.yaml", "api.db*", "direct.db*", "package.db*")
_NAMESPACE = uuid.UUID("0b6d3c52-7f0e-4a8e-9a3c-5a1f1f6e2b10")


@dataclass(slots=True)
class CrawlBenchmark:
    """The measured figures, and how to print them."""

    api_notices: int
    api_stored: int
    api_seconds: float
    api_requests: int
    direct_seconds: float
    package_notices: int
    package_stored: int
    package_seconds: float

    def lines(self) -> list[str]:
        """Return the report, one line per figure, each measured in this run."""
        crawl_rate = self.api_stored / self.api_seconds
        direct_rate = self.api_notices / self.direct_seconds
        scrapy_share = max(0.0, 1 - self.direct_seconds / self.api_seconds)
        package_rate = self.package_notices / self.package_seconds
        return [
            f"crawl: {self.api_notices} notices through a TED-shaped API on 127.0.0.1, politeness off: "
            f"{self.api_stored} stored in {self.api_seconds:.2f} s = {crawl_rate:.0f} notices/s "
            f"({self.api_requests} requests)",
            f"  parse + store alone, same notices, no Scrapy: {self.direct_seconds:.2f} s = "
            f"{direct_rate:.0f} notices/s; Scrapy and HTTP take the other {scrapy_share:.0%} of the crawl",
            f"back-fill: one daily package of {self.package_notices} notices read in "
            f"{self.package_seconds:.2f} s = {package_rate:.0f} notices/s "
            f"({self.package_stored} Swedish ones stored, the rest filtered out while reading)",
        ]


def generated_notices(count: int, today: date, country: str = "SWE") -> list[bytes]:
    """Return `count` distinct eForms notices built from the demo samples (fictional)."""
    templates = sample_notices(today)
    notices = []
    for number in range(count):
        template = templates[number % len(templates)]
        key = f"{template.key}-{number}"
        notice = replace(
            template,
            key=key,
            notice_uuid=str(uuid.uuid5(_NAMESPACE, f"notice:{key}")),
            procedure_uuid=str(uuid.uuid5(_NAMESPACE, f"procedure:{key}")),
            changes_notice=None,
            title=f"{template.title} ({number})",
        )
        data = build_notice(notice)
        if country != "SWE":
            data = data.replace(b">SWE<", f">{country}<".encode()).replace(b">SE332<", b">FI1D2<")
        notices.append(data)
    return notices


def run_crawl_benchmark(
    folder: Path, *, api_notices: int, package_notices: int, today: date
) -> CrawlBenchmark:
    """Run both measurements in a fresh folder and return the figures."""
    fresh_folder(folder, BENCH_FILES)
    notices = generated_notices(api_notices, today)
    api = _crawl_api(folder, notices, today)
    direct = _parse_and_store(folder, notices)
    package = _crawl_package(folder, package_notices, today)
    return CrawlBenchmark(
        api_notices, api[0], api[1], api[2], direct, package_notices, package[0], package[1]
    )


def _crawl_api(folder: Path, notices: list[bytes], today: date) -> tuple[int, float, int]:
    with serving() as site:
        results = []
        for number, data in enumerate(notices):
            path = f"/en/notice/{number}-{today.year}/xml"
            site.add(path, Reply(body=data, headers={"Content-Type": "application/xml"}))
            results.append(
                ted_result(f"{number}-{today.year}", (today - timedelta(days=1)).isoformat(), site.url(path))
            )
        site.add("/v3/notices/search", ted_search_route(results))
        sources = folder / "api-sources.yaml"
        sources.write_text(
            f"sources:\n  bench_api:\n    kind: ted_search_api\n    url: {site.url('/v3/notices/search')}\n"
            "    page_size: 250\n",
            encoding="utf-8",
        )
        database_url = f"sqlite:///{folder / 'api.db'}"
        since = today - timedelta(days=7)
        report = crawl_in_subprocess(
            [], database_url=database_url, sources_file=sources, since=since, fast=True
        )
    result = report.result("bench_api")
    return result.new, result.duration_s, result.requests


def _parse_and_store(folder: Path, notices: list[bytes]) -> float:
    with database(f"sqlite:///{folder / 'direct.db'}") as sessions, sessions() as session:
        started = time.perf_counter()
        outcomes = (parse_one(data, f"bench/{number}.xml") for number, data in enumerate(notices))
        NoticeStore(session, batch_size=200).ingest(outcomes, source="bench direct")
        return time.perf_counter() - started


def _crawl_package(folder: Path, count: int, today: date) -> tuple[int, float]:
    swedish = generated_notices(count // 2, today)
    finnish = generated_notices(count - count // 2, today - timedelta(days=400), country="FIN")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for number, data in enumerate(n for pair in zip(swedish, finnish, strict=False) for n in pair):
            info = tarfile.TarInfo(f"{today:%Y%m%d}_001/{number:06d}.xml")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    with serving({"/packages/daily/202600001": Reply(body=buffer.getvalue())}) as site:
        sources = folder / "package-sources.yaml"
        sources.write_text(
            f"sources:\n  bench_package:\n    kind: ted_daily_packages\n"
            f"    url: {site.base_url}/packages/daily/{{issue}}\n    issues: ['202600001']\n"
            "    filter: {countries: [SE]}\n",
            encoding="utf-8",
        )
        report = crawl_in_subprocess(
            [], database_url=f"sqlite:///{folder / 'package.db'}", sources_file=sources, fast=True
        )
    result = report.result("bench_package")
    return result.new, result.duration_s
