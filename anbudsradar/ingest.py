"""The ingest service: parse inputs and store them, shared by the CLI, the demo and the crawler."""

from __future__ import annotations

from collections.abc import Iterable

from crawlers.parsers.dispatch import parse_paths
from models.db import database
from models.store import IngestSummary, NoticeStore, ProgressCallback


def ingest_paths(
    paths: Iterable[str], database_url: str, progress: ProgressCallback | None = None
) -> IngestSummary:
    """Parse every input under `paths` and store it in the database at `database_url`."""
    paths = list(paths)
    with database(database_url) as sessions, sessions() as session:
        store = NoticeStore(session)
        return store.ingest(parse_paths(paths), source="ingest " + " ".join(paths), progress=progress)
