"""The demo: the whole chain on embedded defaults, in a fresh folder, on the bundled sample data.

Steps: write the sample notices, serve them on 127.0.0.1 as the crawlers' source kinds and crawl
them (twice, to show that a re-crawl finds nothing new), then tag what was stored.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from anbudsradar.samples.norrbotten import write_samples
from anbudsradar.tagging import RetagSummary, retag
from crawlers.demo import DemoCrawl, crawl_demo_sources
from models import Notice, NoticeTag
from models.db import database


@dataclass(slots=True)
class DemoResult:
    """What the demo did, for the summary it prints."""

    folder: Path
    database_url: str
    sample_files: list[Path]
    crawl: DemoCrawl
    tagging: RetagSummary
    notices: list[Notice]
    tags: dict[int, list[NoticeTag]]


def run_demo(folder: Path, today: date | None = None) -> DemoResult:
    """Run every step of the demo in `folder` (emptied first) and return what happened."""
    from matcher.tagger import Tagger  # noqa: PLC0415 - spaCy loads only when the demo runs

    if folder.exists():
        shutil.rmtree(folder)
    today = today or date.today()
    samples = write_samples(folder / "samples", today)
    database_url = f"sqlite:///{folder / 'anbudsradar.db'}"
    crawl = crawl_demo_sources(folder / "samples", database_url, today)
    with database(database_url) as sessions, sessions() as session:
        tagging = retag(session, Tagger.load())
        notices = list(session.scalars(select(Notice).order_by(Notice.deadline.is_(None), Notice.deadline)))
        for notice in notices:
            _ = notice.buyer, notice.lots, notice.versions  # load before the session closes
        tags: dict[int, list[NoticeTag]] = {}
        for tag in session.scalars(select(NoticeTag).where(NoticeTag.lot_id.is_(None))):
            tags.setdefault(tag.notice_pk, []).append(tag)
    return DemoResult(folder, database_url, samples, crawl, tagging, notices, tags)
