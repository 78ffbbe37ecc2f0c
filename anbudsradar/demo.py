"""The demo: the whole chain on embedded defaults, in a fresh folder, on the bundled sample data."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from anbudsradar.ingest import ingest_paths
from anbudsradar.samples.norrbotten import write_samples
from models import Notice
from models.db import database
from models.store import IngestSummary


@dataclass(slots=True)
class DemoResult:
    """What the demo did, for the summary it prints."""

    folder: Path
    database_url: str
    sample_files: list[Path]
    ingest: IngestSummary
    reingest: IngestSummary
    notices: list[Notice]


def run_demo(folder: Path, today: date | None = None) -> DemoResult:
    """Write the samples, ingest them into a fresh SQLite database (twice, to show idempotency)."""
    if folder.exists():
        shutil.rmtree(folder)
    samples = write_samples(folder / "samples", today or date.today())
    database_url = f"sqlite:///{folder / 'anbudsradar.db'}"
    first = ingest_paths([str(folder / "samples")], database_url)
    again = ingest_paths([str(folder / "samples")], database_url)
    with database(database_url) as sessions, sessions() as session:
        notices = list(session.scalars(select(Notice).order_by(Notice.deadline.is_(None), Notice.deadline)))
        for notice in notices:
            _ = notice.buyer, notice.lots, notice.versions  # load before the session closes
    return DemoResult(folder, database_url, samples, first, again, notices)
