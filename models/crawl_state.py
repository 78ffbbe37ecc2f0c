"""Crawl state: one row per crawl of a source (its statistics) and each source's high-water mark."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class CrawlRun(Base):
    """One crawl of one configured source: what was fetched, what became of it, how long it took.

    `status` is "ok", "warning" (some notices failed, or the run has a note such as "selectors may
    be outdated") or "failed" (the crawl stopped early or nothing could be stored).
    """

    __tablename__ = "crawl_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    duration_s: Mapped[float] = mapped_column(default=0.0)
    since: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="ok")
    finish_reason: Mapped[str | None] = mapped_column(String(100))
    requests: Mapped[int] = mapped_column(default=0)
    responses: Mapped[int] = mapped_column(default=0)
    retries: Mapped[int] = mapped_column(default=0)
    items: Mapped[int] = mapped_column(default=0)
    filtered: Mapped[int] = mapped_column(default=0)
    new: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    high_water_mark: Mapped[str | None] = mapped_column(String(40))
    message: Mapped[str | None] = mapped_column(Text)
    ingest_run_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_run.id"))


class SourceState(Base):
    """What a source remembers between crawls: its high-water mark and HTTP validators.

    The high-water mark is the latest publication date (YYYY-MM-DD) fully stored; the next crawl
    asks only for what was published or changed since. `validators` maps a listing or feed URL to
    its last ETag / Last-Modified, so an unchanged page costs a 304 and nothing more.
    """

    __tablename__ = "source_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    high_water_mark: Mapped[str | None] = mapped_column(String(40))
    validators: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_run_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_run.id"))
