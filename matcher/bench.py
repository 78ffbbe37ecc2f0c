"""`anbudsradar bench tag`: tagging speed (notices/s on one core, batched) and model load time.

The notices are real Swedish and English ones (the corpus and the real notices), so that every
notice goes through spaCy, the rules and the classifier; non-Swedish/English notices would skip
text analysis and flatter the figure.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from crawlers.parsers.record import NoticeRecord
from matcher.datasets import corpus_rows, real_notices
from matcher.settings import MODEL_PATH, TEXT_LANGUAGES
from matcher.tagger import Tagger


@dataclass(frozen=True, slots=True)
class BenchResult:
    """What one benchmark run measured."""

    cores: str
    model_load_seconds: float
    pipeline_load_seconds: float
    unique_notices: int
    first_pass_per_second: float
    notices: int
    seconds: float
    per_second: float
    cpu_per_second: float
    text_only_per_second: float
    mean_chars: float


def bench_notices(data_dir: Path) -> list[NoticeRecord]:
    """Return the real Swedish and English notices used for timing (each distinct)."""
    records: list[NoticeRecord] = []
    for row in corpus_rows(data_dir):
        lang = str(row.get("lang") or "").lower()
        if lang in TEXT_LANGUAGES:
            lots = "\n".join(str(t) for t in row.get("lot_descriptions") or [])  # type: ignore[attr-defined]
            records.append(
                NoticeRecord(
                    "ted-legacy",
                    "corpus",
                    str(row["notice_id"]),
                    language=lang,
                    title=str(row.get("title") or ""),
                    description=f"{row.get('description') or ''}\n{lots}",
                    cpv_main=str(row.get("cpv_main") or "") or None,
                )
            )
    for notice in real_notices(data_dir):
        records.append(
            NoticeRecord(
                "eforms",
                notice.source,
                notice.key,
                language=notice.lang,
                title=notice.title,
                description=notice.body,
                cpv_main=notice.cpv_main,
            )
        )
    return [replace(r, cpv=[r.cpv_main] if r.cpv_main else []) for r in records]


@contextmanager
def one_core() -> Iterator[str]:
    """Restrict this process to one CPU while the benchmark runs, then restore.

    Yields a description; where the OS cannot pin a process, nothing is restricted.
    """
    if not (hasattr(os, "sched_setaffinity") and hasattr(os, "sched_getaffinity")):
        yield "not pinned (this OS cannot restrict a process to one CPU)"
        return
    before = os.sched_getaffinity(0)
    core = min(before)
    os.sched_setaffinity(0, {core})
    try:
        yield f"pinned to CPU {core}"
    finally:
        os.sched_setaffinity(0, before)


def run(
    data_dir: Path, notices: int = 3000, batch_size: int = 256, model_path: Path = MODEL_PATH
) -> BenchResult:
    """Load the tagger, then tag `notices` notices in batches on one core, and time both."""
    unique = bench_notices(data_dir)
    with one_core() as cores:
        started = time.perf_counter()
        tagger = Tagger.load(model_path, warm_up=False)
        model_loaded = time.perf_counter()
        tagger.analyser.warm_up()  # what Tagger.load() does by default: spaCy pipelines, rules, gc.freeze
        gc.collect()
        gc.freeze()
        pipelines_loaded = time.perf_counter()
        first = _rate(tagger, unique, batch_size, text_only=False)
        stream = [replace(unique[i % len(unique)], notice_id=f"bench-{i}") for i in range(notices)]
        begin, cpu = time.perf_counter(), time.process_time()
        for start in range(0, len(stream), batch_size):
            tagger.tag_records(stream[start : start + batch_size])
        seconds, cpu_seconds = time.perf_counter() - begin, time.process_time() - cpu
        text_only = _rate(tagger, stream, batch_size, text_only=True)
    chars = sum(len(r.title or "") + len(r.description or "") for r in unique) / max(1, len(unique))
    return BenchResult(
        cores=cores,
        model_load_seconds=model_loaded - started,
        pipeline_load_seconds=pipelines_loaded - model_loaded,
        unique_notices=len(unique),
        first_pass_per_second=first,
        notices=len(stream),
        seconds=seconds,
        per_second=len(stream) / seconds,
        cpu_per_second=len(stream) / cpu_seconds,
        text_only_per_second=text_only,
        mean_chars=chars,
    )


def _rate(tagger: Tagger, records: list[NoticeRecord], batch_size: int, text_only: bool) -> float:
    """Tag records in batches and return notices per second (wall clock)."""
    begin = time.perf_counter()
    for start in range(0, len(records), batch_size):
        tagger.tag_records(records[start : start + batch_size], text_only=text_only)
    return len(records) / (time.perf_counter() - begin)
