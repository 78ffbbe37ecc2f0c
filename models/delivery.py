"""The digest delivery log (what each company was sent, per ISO week) and the scheduler's job table.

A `DigestDelivery` row is written *before* a digest is handed to SMTP or the outbox (status
"sending", with the exact message bytes and a Message-ID fixed per company and week) and updated
after it; `DigestItem` rows say which notices, lots and consortia that digest told the company
about, so the next digest knows what is new and what changed. See docs/digest.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Float, ForeignKey, LargeBinary, String, Table, Text, Unicode, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow

# Delivery states: "sending" = recorded, outcome not yet known (a crash here is resumed);
# "sent"; "failed" = refused for good (5xx, bad address); "retry" = transient errors used up the
# attempts, the next run tries again; "empty" = nothing new that week, no message.
DELIVERY_STATUSES: tuple[str, ...] = ("sending", "sent", "failed", "retry", "empty")


class DigestDelivery(Base):
    """One company's digest for one ISO week: its message, its state and every attempt's outcome."""

    __tablename__ = "digest_delivery"
    __table_args__ = (UniqueConstraint("company_pk", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_pk: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    week: Mapped[str] = mapped_column(String(8), index=True)  # ISO week, "2026-W49"
    status: Mapped[str] = mapped_column(String(10), index=True)
    backend: Mapped[str] = mapped_column(String(10))  # "smtp" | "outbox"
    message_id: Mapped[str | None] = mapped_column(String(300), unique=True)
    subject: Mapped[str | None] = mapped_column(Text)
    recipients: Mapped[list[str]]
    message: Mapped[bytes | None] = mapped_column(LargeBinary)  # the exact bytes handed over
    counts: Mapped[dict[str, Any]]  # items per section, e.g. {"reserved": 1, "new": 3}
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)  # the last SMTP reply or error, for people
    claimed_by: Mapped[str | None] = mapped_column(String(200))  # "host:pid" of the run sending it
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    items: Mapped[list[DigestItem]] = relationship(back_populates="delivery", cascade="all, delete-orphan")


class DigestItem(Base):
    """One notice (or lot) or consortium suggestion that a digest told its company about."""

    __tablename__ = "digest_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_pk: Mapped[int] = mapped_column(ForeignKey("digest_delivery.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # "match" | "consortium"
    section: Mapped[str] = mapped_column(String(12))  # reserved|new|closing|changed|consortium
    notice_pk: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[str | None] = mapped_column(String(100))
    # Consortium suggestions are recognised by their members, not their id, which a re-run of the
    # matcher may change.
    suggestion_pk: Mapped[int | None]
    members: Mapped[list[int]]
    notice_content_hash: Mapped[str] = mapped_column(String(64))
    snapshot: Mapped[dict[str, Any]]  # what the company was told (title, deadline, value, lots)

    delivery: Mapped[DigestDelivery] = relationship(back_populates="items")


# APScheduler 3.x's SQLAlchemyJobStore table, declared here exactly as APScheduler declares it, so
# that the migrations create it, schema comparisons know it and APScheduler finds it ready.
SCHEDULER_JOBS_TABLE = "apscheduler_jobs"
scheduler_jobs = Table(
    SCHEDULER_JOBS_TABLE,
    Base.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)
