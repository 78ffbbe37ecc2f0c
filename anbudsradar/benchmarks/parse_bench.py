"""Parse and ingest throughput, measured beside a bare lxml parse of the same bytes in the same run."""

from __future__ import annotations

import io
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from crawlers.parsers.dispatch import ParseOutcome, parse_one
from crawlers.parsers.exceptions import ParseError
from crawlers.parsers.inputs import iter_inputs


@dataclass(frozen=True, slots=True)
class Rate:
    """One measured line: how many notices in how many seconds (best of the rounds)."""

    name: str
    inputs: int
    notices: int
    seconds: float

    @property
    def per_second(self) -> float:
        """Notices per second."""
        return self.notices / self.seconds if self.seconds else 0.0


@dataclass(frozen=True, slots=True)
class LoadedInputs:
    """What load_inputs read: each input's path and bytes, and why each of the others was skipped."""

    inputs: list[tuple[str, bytes]]
    skipped: list[ParseError]


def load_inputs(paths: list[str]) -> LoadedInputs:
    """Read every input under `paths` into memory, so that the timing measures parsing, not disks.

    An input that cannot be read (no permission, a broken link, a named pipe, a corrupt gzip file)
    is skipped with its error, for the caller to name.
    """
    loaded = LoadedInputs([], [])
    for path in paths:
        for raw in iter_inputs(path):
            if raw.data is not None:
                loaded.inputs.append((raw.source_path, raw.data))
            else:
                loaded.skipped.append(raw.error or ParseError(raw.source_path, "not read"))
    return loaded


def best_of(rounds: int, work: Callable[[], int]) -> tuple[float, int]:
    """Run `work` `rounds` times; return the shortest time and what the work counted."""
    best, counted = float("inf"), 0
    for _ in range(rounds):
        start = time.perf_counter()
        counted = work()
        best = min(best, time.perf_counter() - start)
    return best, counted


def bench_parse(inputs: list[tuple[str, bytes]], rounds: int = 3, *, ingest: bool = True) -> list[Rate]:
    """Measure bare lxml, our parsers (XML only and all formats) and, optionally, ingest into SQLite."""
    xml = [(path, data) for path, data in inputs if data.lstrip()[:1] == b"<"]

    def bare() -> int:
        for _path, data in xml:
            etree.parse(io.BytesIO(data))
        return len(xml)

    def parse(selection: list[tuple[str, bytes]]) -> Callable[[], int]:
        return lambda: sum(len(parse_one(data, path).records) for path, data in selection)

    bare_s, bare_n = best_of(rounds, bare)
    xml_s, xml_n = best_of(rounds, parse(xml))
    all_s, all_n = best_of(rounds, parse(inputs))
    rates = [
        Rate("bare lxml.etree.parse (XML inputs)", len(xml), bare_n, bare_s),
        Rate("anbudsradar parse (XML inputs)", len(xml), xml_n, xml_s),
        Rate("anbudsradar parse (all inputs)", len(inputs), all_n, all_s),
    ]
    if ingest:
        ingest_s, ingest_n = best_of(rounds, lambda: _ingest_once(inputs))
        rates.append(Rate("anbudsradar ingest into SQLite (parse + store)", len(inputs), ingest_n, ingest_s))
    return rates


def _ingest_once(inputs: list[tuple[str, bytes]]) -> int:
    """Parse and store every input into a new SQLite file; return the notices stored."""
    from models.db import database  # noqa: PLC0415 - keep the parse benchmark free of the DB stack
    from models.store import NoticeStore  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        with database(url) as sessions, sessions() as session:
            outcomes: list[ParseOutcome] = [parse_one(data, path) for path, data in inputs]
            summary = NoticeStore(session).ingest(outcomes, source="bench")
    return summary.new + summary.updated
