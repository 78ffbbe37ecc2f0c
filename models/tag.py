"""Tags of notices and lots (ASF branches, social clauses), each with its score and evidence."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, orm_insert_sentinel

from models.base import Base, utcnow


class NoticeTag(Base):
    """One tag at or above its decision threshold, on a notice (lot_id None) or one of its lots.

    Tags are replaced as a whole when a notice is tagged again; `evidence` says why (the field, or
    the matched words with their offsets) so that a user can see it.
    """

    __tablename__ = "notice_tag"
    __table_args__ = (Index("ix_notice_tag_kind_code", "kind", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    _sentinel: Mapped[int | None] = orm_insert_sentinel()  # batched INSERT…RETURNING on SQLite
    notice_pk: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))  # "branch" | "social"
    code: Mapped[str] = mapped_column(String(40))
    score: Mapped[float]
    source: Mapped[str] = mapped_column(String(20))  # "structured" | "rules" | "classifier"
    evidence: Mapped[list[dict[str, Any]]]
    model_version: Mapped[str] = mapped_column(String(60))
    tagged_at: Mapped[datetime] = mapped_column(default=utcnow)


class TaggingState(Base):
    """Which content of a notice was tagged by which model, so a re-tag only does what changed."""

    __tablename__ = "tagging_state"

    notice_pk: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str] = mapped_column(String(60))
    language_note: Mapped[str | None] = mapped_column(String(200))
    tagged_at: Mapped[datetime] = mapped_column(default=utcnow)
