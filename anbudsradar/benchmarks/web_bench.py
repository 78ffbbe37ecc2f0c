"""The web load test: fill a database with synthetic notices and tags, serve it, and time the tender list.

Uvicorn runs in a subprocess on 127.0.0.1; a few client threads send a bounded number of requests
(`httpx`), and the report gives requests per second and latency percentiles.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from anbudsradar.samples.eforms_builder import build_notice
from anbudsradar.samples.synthetic import synthetic_notices
from crawlers.parsers.dispatch import ParseOutcome, parse_one
from crawlers.parsers.record import NoticeRecord
from models.db import database
from models.flags import refresh_flags
from models.notice import Notice
from models.store import NoticeStore
from models.tag import NoticeTag

STRUCTURED_MODEL = "structured-only"


def _outcomes(count: int, seed: int) -> Iterator[ParseOutcome]:
    for sample in synthetic_notices(count, seed):
        yield parse_one(build_notice(sample), f"{sample.key}.xml")


def fill_database(
    database_url: str, count: int, seed: int = 20261129, progress: Callable[[int], None] | None = None
) -> int:
    """Store `count` seeded synthetic notices and tag them from their structured fields; return the total."""
    with database(database_url) as sessions, sessions() as session:
        done = 0

        def step(_outcome: ParseOutcome) -> None:
            nonlocal done
            done += 1
            if progress and done % 5000 == 0:
                progress(done)

        NoticeStore(session, batch_size=1000).ingest(
            _outcomes(count, seed), source=f"bench web {count}", progress=step
        )
        structured_tags(session)
        return session.scalar(select(func.count(Notice.id))) or 0


def structured_tags(session: Session, batch: int = 2000) -> int:
    """Tag untagged notices from CPV codes and eForms fields only (no text analysis); return tags added."""
    from matcher.structured import lot_branches, notice_branches, notice_social  # noqa: PLC0415 - heavy, optional

    tagged = select(NoticeTag.notice_pk).distinct()
    added, last = 0, 0
    while True:
        rows = session.execute(
            select(Notice.id, Notice.record)
            .where(Notice.id > last, Notice.id.not_in(tagged))
            .order_by(Notice.id)
            .limit(batch)
        ).all()
        if not rows:
            return added
        for notice_pk, record_dict in rows:
            record = NoticeRecord.from_dict(record_dict)
            findings = [(None, f) for f in notice_branches(record) + notice_social(record)]
            for index, lot in enumerate(record.lots):
                findings += [(lot.lot_id, f) for f in lot_branches(lot, f"lots[{index}]")]
            best: dict[tuple[str | None, str], tuple[float, list[dict[str, object]]]] = {}
            for lot_id, finding in findings:
                score, evidence = best.get((lot_id, finding.code), (0.0, []))
                best[(lot_id, finding.code)] = (
                    max(score, finding.score),
                    [*evidence, finding.evidence.to_dict()],
                )
            for (lot_id, code), (score, evidence) in best.items():
                kind = "social" if code.startswith(("reserved_", "employment_", "social_")) else "branch"
                session.add(
                    NoticeTag(
                        notice_pk=notice_pk,
                        lot_id=lot_id,
                        kind=kind,
                        code=code,
                        score=score,
                        source="structured",
                        evidence=evidence,
                        model_version=STRUCTURED_MODEL,
                    )
                )
                added += 1
            last = notice_pk
        refresh_flags(session, [notice_pk for notice_pk, _ in rows])
        session.commit()


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What one load run measured."""

    path: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        """Completed requests per second of wall time."""
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        """Return the latency (ms) below which `share` of the requests finished."""
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(database_url: str, port: int, timeout: float = 60.0) -> subprocess.Popen[bytes]:
    """Start `anbudsradar serve` (uvicorn, one worker) on 127.0.0.1 and wait until it answers."""
    env = {**os.environ, "ANBUDSRADAR_DATABASE_URL": database_url}
    env.setdefault("ANBUDSRADAR_SECRET_KEY", "benchmark-only-secret-key-0123456789")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "anbudsradar",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the server exited with status {process.returncode} before answering on port {port}"
            )
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1.0)
            return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"the server did not answer on 127.0.0.1:{port} within {timeout:.0f} s")


def load(base_url: str, paths: Sequence[str], requests: int, concurrency: int) -> LoadResult:
    """Send `requests` GETs (cycling through `paths`) from `concurrency` threads; time each."""
    latencies: list[float] = []
    errors = 0

    def worker(share: int, offset: int) -> tuple[list[float], int]:
        mine: list[float] = []
        failed = 0
        with httpx.Client(base_url=base_url, timeout=30.0) as client:
            for number in range(share):
                path = paths[(offset + number * concurrency) % len(paths)]
                started = time.perf_counter()
                response = client.get(path)
                mine.append((time.perf_counter() - started) * 1000)
                failed += response.status_code != 200
        return mine, failed

    shares = [requests // concurrency + (1 if i < requests % concurrency else 0) for i in range(concurrency)]
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for mine, failed in pool.map(worker, shares, range(concurrency)):
            latencies += mine
            errors += failed
    seconds = time.perf_counter() - started
    return LoadResult(", ".join(paths), len(latencies), errors, seconds, latencies)


def summary(result: LoadResult) -> str:
    """One line: requests, errors, requests/s, p50 and p95 latency."""
    return (
        f"{result.requests} requests, {result.errors} errors, {result.per_second:.1f} req/s, "
        f"p50 {result.percentile(0.50):.1f} ms, p95 {result.percentile(0.95):.1f} ms, "
        f"mean {statistics.fmean(result.latencies_ms) if result.latencies_ms else 0:.1f} ms"
    )


def database_file(folder: Path) -> str:
    """Return the SQLite URL of the benchmark database in `folder`."""
    return f"sqlite:///{folder / 'web-bench.db'}"


# Words typed into the tender list's search box: part of a word, capitals, Swedish letters, no match.
FREE_TEXT = ("städ", "SNÖRÖJNING", "Luleå", "återbruk", "kyrkogård")
# (label, paths cycled through): the default list, deeper pages, and the filters officers use most.
SCENARIOS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("tender list, first page (/notices)", ("/notices",)),
    ("tender list, pages 2-40", tuple(f"/notices?page={page}" for page in range(2, 41))),
    ("reserved filter, open, by deadline", ("/notices?reserved=1&status=open&sort=deadline&order=asc",)),
    ("employment filter, open, by deadline", ("/notices?employment=1&status=open&sort=deadline&order=asc",)),
    ("social filter, open, by deadline", ("/notices?social=1&status=open&sort=deadline&order=asc",)),
    ("branch + buyer + free text", ("/notices?branch=cleaning&buyer=1&q=skol",)),
    ("free text, 3+ letters (städ, SNÖRÖJNING, …)", tuple(f"/notices?q={quote(q)}" for q in FREE_TEXT)),
    ("free text, 1-2 letters (it, å)", ("/notices?q=it", f"/notices?q={quote('å')}")),
    ("JSON API /api/tenders", ("/api/tenders",)),
)


def count_notices(database_url: str) -> int:
    """Count the notices in an existing benchmark database."""
    with database(database_url) as sessions, sessions() as session:
        return session.scalar(select(func.count(Notice.id))) or 0
