"""Notices, their lots, buyers and version history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, orm_insert_sentinel, relationship

from models.base import Base, utcnow
from models.payload import RawPayload


class Buyer(Base):
    """A contracting authority, keyed by country and organisation identifier (or name without one)."""

    __tablename__ = "buyer"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(500), unique=True)
    name: Mapped[str | None] = mapped_column(String(500))
    identifier: Mapped[str | None] = mapped_column(String(100), index=True)
    country: Mapped[str | None] = mapped_column(String(2))
    nuts: Mapped[str | None] = mapped_column(String(10))
    city: Mapped[str | None] = mapped_column(String(200))


class Notice(Base):
    """The current state of one published notice (or of one procedure's notice of one type).

    Keyed by (source_format, notice_id) of its latest version; earlier versions and change notices
    are in `versions`, so the history is kept and each version's raw payload can be re-parsed.
    """

    __tablename__ = "notice"
    __table_args__ = (
        UniqueConstraint("source_format", "notice_id"),
        Index("ix_notice_procedure", "source_format", "procedure_id", "notice_type"),
        Index("ix_notice_reserved_deadline", "reserved", "deadline"),
        Index("ix_notice_employment_deadline", "employment", "deadline"),
        Index("ix_notice_social_deadline", "social", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    _sentinel: Mapped[int | None] = orm_insert_sentinel()  # batched INSERT…RETURNING on SQLite
    source_format: Mapped[str] = mapped_column(String(20))
    notice_id: Mapped[str] = mapped_column(String(300))
    procedure_id: Mapped[str | None] = mapped_column(String(300))
    notice_type: Mapped[str] = mapped_column(String(20), index=True)
    form_type: Mapped[str | None] = mapped_column(String(100))
    language: Mapped[str | None] = mapped_column(String(2))
    title: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2000))
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("buyer.id"), index=True)
    cpv_main: Mapped[str | None] = mapped_column(String(8), index=True)
    cpv: Mapped[list[str]]
    nuts: Mapped[list[str]]
    reserved_participation: Mapped[list[str]]
    reserved_execution: Mapped[bool]
    social_objectives: Mapped[list[str]]
    strategic_procurement: Mapped[list[str]]
    # The tender list's filters, each from the fields above or a social tag (models.flags says how):
    # kept by models.flags.refresh_flags after every ingest and tagging, indexed with the deadline.
    reserved: Mapped[bool] = mapped_column(default=False, server_default=false())  # BT-71/BT-736 or tag
    employment: Mapped[bool] = mapped_column(default=False, server_default=false())  # BT-775 opp or tag
    social: Mapped[bool] = mapped_column(default=False, server_default=false())  # other BT-775, BT-06, tag
    sme_suitable: Mapped[bool | None]
    vcse_suitable: Mapped[bool | None]
    estimated_amount: Mapped[float | None] = mapped_column(Numeric(18, 2, asdecimal=False))
    estimated_currency: Mapped[str | None] = mapped_column(String(3))
    published: Mapped[date | None] = mapped_column(index=True)
    deadline: Mapped[str | None] = mapped_column(String(40), index=True)
    record: Mapped[dict[str, Any]]
    content_hash: Mapped[str] = mapped_column(String(64))
    version_count: Mapped[int] = mapped_column(default=1)
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    buyer: Mapped[Buyer | None] = relationship()
    lots: Mapped[list[Lot]] = relationship(
        back_populates="notice", cascade="all, delete-orphan", order_by="Lot.position"
    )
    versions: Mapped[list[NoticeVersion]] = relationship(
        back_populates="notice", cascade="all, delete-orphan", order_by="NoticeVersion.version"
    )


class Lot(Base):
    """One lot of a notice's current version (replaced when the notice is updated)."""

    __tablename__ = "lot"

    id: Mapped[int] = mapped_column(primary_key=True)
    _sentinel: Mapped[int | None] = orm_insert_sentinel()  # batched INSERT…RETURNING on SQLite
    notice_pk: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    lot_id: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    cpv: Mapped[list[str]]
    nuts: Mapped[list[str]]
    reserved_participation: Mapped[list[str]]
    reserved_execution: Mapped[bool | None]
    estimated_amount: Mapped[float | None] = mapped_column(Numeric(18, 2, asdecimal=False))
    estimated_currency: Mapped[str | None] = mapped_column(String(3))
    deadline: Mapped[str | None] = mapped_column(String(40))

    notice: Mapped[Notice] = relationship(back_populates="lots")


class NoticeVersion(Base):
    """One published version of a notice (the first publication, a re-publication, a change notice)."""

    __tablename__ = "notice_version"
    __table_args__ = (
        UniqueConstraint("notice_pk", "version"),
        Index("ix_notice_version_published_id", "source_format", "published_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    _sentinel: Mapped[int | None] = orm_insert_sentinel()  # batched INSERT…RETURNING on SQLite
    notice_pk: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"))
    version: Mapped[int]
    source_format: Mapped[str] = mapped_column(String(20))
    published_id: Mapped[str] = mapped_column(String(300))
    source_path: Mapped[str] = mapped_column(String(2000))
    record: Mapped[dict[str, Any]]
    content_hash: Mapped[str] = mapped_column(String(64))
    raw_payload_id: Mapped[int | None] = mapped_column(ForeignKey("raw_payload.id"))
    ingested_at: Mapped[datetime] = mapped_column(default=utcnow)

    notice: Mapped[Notice] = relationship(back_populates="versions")
    raw_payload: Mapped[RawPayload | None] = relationship()
