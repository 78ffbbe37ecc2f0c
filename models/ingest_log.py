"""The ingest log: one row per run with its counts, and every input that failed, with its bytes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.payload import RawPayload


class IngestRun(Base):
    """One run of `ingest` or a crawl: what it read and what became of it."""

    __tablename__ = "ingest_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    inputs: Mapped[int] = mapped_column(default=0)
    new: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)


class IngestFailure(Base):
    """An input that could not be parsed: where it came from, why, and its bytes (nothing is lost).

    One row per (source path, content); a later run that meets the same failure updates `last_run_id`.
    """

    __tablename__ = "ingest_failure"
    __table_args__ = (UniqueConstraint("source_path", "content_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_path: Mapped[str] = mapped_column(String(2000))
    content_sha256: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    raw_payload_id: Mapped[int | None] = mapped_column(ForeignKey("raw_payload.id"))
    first_run_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_run.id"))
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_run.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    raw_payload: Mapped[RawPayload | None] = relationship()
