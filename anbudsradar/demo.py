"""The demo: the whole chain on embedded defaults, in a fresh folder, on the bundled sample data.

Steps: write the sample notices, serve them on 127.0.0.1 as the crawlers' source kinds and crawl
them (twice, to show that a re-crawl finds nothing new), tag what was stored, load the fictional
companies and their network, match them and suggest consortia, write this week's digests to the
outbox, and create the web login that `anbudsradar serve --demo` uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from anbudsradar.samples.norrbotten import write_samples
from anbudsradar.tagging import RetagSummary, retag
from anbudsradar.web.demo import ensure_demo_user
from crawlers.demo import DemoCrawl, crawl_demo_sources
from crawlers.scratch import fresh_folder
from matcher.match_demo import MatchDemoSummary, run_match_demo
from models import Notice, NoticeTag
from models.db import database
from notifier.demo import DemoDigests, send_demo_digests

# What the demo writes into its folder: anything else there is not the demo's to delete.
DEMO_FILES = ("samples", "outbox", "demo-sources.yaml", "secret_key", "anbudsradar.db*")


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
    matching: MatchDemoSummary
    digests: DemoDigests
    web_login: tuple[str, str]


def run_demo(folder: Path, today: date | None = None) -> DemoResult:
    """Run every step of the demo in `folder` (emptied first) and return what happened.

    Raise ScratchFolderError, deleting nothing, when the folder holds files the demo did not make.
    """
    from matcher.tagger import Tagger  # noqa: PLC0415 - spaCy loads only when the demo runs

    fresh_folder(folder, DEMO_FILES)
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
        matching = run_match_demo(session)
        digests = send_demo_digests(sessions, folder / "outbox")
    web_login = ensure_demo_user(database_url)
    return DemoResult(
        folder, database_url, samples, crawl, tagging, notices, tags, matching, digests, web_login
    )
