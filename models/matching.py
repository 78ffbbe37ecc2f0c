"""Matches of companies to notices and lots, and consortium suggestions for joint bids."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, orm_insert_sentinel, relationship

from models.base import Base, utcnow
from models.company import Company
from models.notice import Notice


class MatchResult(Base):
    """One company × notice (lot_id None) or lot fit, with its score and reasons in plain Swedish.

    `notice_content_hash` is the notice content the match was computed on, so a digest can say
    that a notice changed since the company was told about it.
    """

    __tablename__ = "match_result"
    __table_args__ = (UniqueConstraint("company_pk", "notice_pk", "lot_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    _sentinel: Mapped[int | None] = orm_insert_sentinel()
    company_pk: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    notice_pk: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[str | None] = mapped_column(String(100))
    score: Mapped[float]  # 0..1
    branch_fit: Mapped[float]
    area_fit: Mapped[float]
    size_fit: Mapped[float]
    time_fit: Mapped[float]
    reserved_eligible: Mapped[bool | None]  # None: the notice is not reserved
    reasons: Mapped[list[str]]  # plain Swedish, e.g. "Lokalvård i Luleå, inom ert område"
    # How the score was made: each factor's contribution, the branch and place compared, the distance.
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    notice_content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    company: Mapped[Company] = relationship()
    notice: Mapped[Notice] = relationship()


class ConsortiumSuggestion(Base):
    """A suggested team of 2–4 companies for a notice or a lot that no one company can take alone."""

    __tablename__ = "consortium_suggestion"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_pk: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[str | None] = mapped_column(String(100))
    member_pks: Mapped[list[int]] = mapped_column()
    coverage: Mapped[dict[str, list[int]]] = mapped_column()  # branch or lot -> member pks covering it
    score: Mapped[float]
    reasons: Mapped[list[str]]  # plain Swedish, including which network links the team has
    # Requirements, network links used, capacity and area figures behind the score (matcher.consortium).
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    solver: Mapped[str] = mapped_column(String(30))  # "cp-sat" | "greedy"
    status: Mapped[str] = mapped_column(String(20), default="proposed")  # proposed|accepted|dismissed
    changed_by: Mapped[str | None] = mapped_column(String(200))
    changed_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    notice: Mapped[Notice] = relationship()


class ConsortiumEvent(Base):
    """The history of a suggestion: who changed its status or added a note, and when."""

    __tablename__ = "consortium_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_pk: Mapped[int] = mapped_column(
        ForeignKey("consortium_suggestion.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(20))  # proposed|accepted|dismissed|note
    actor: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)
