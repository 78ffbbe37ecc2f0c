"""One tender with everything the tender page shows: fields, lots, tags with evidence, matches, consortia."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from anbudsradar.web.exceptions import NotFoundError
from anbudsradar.web.highlight import Piece, pieces, spans_by_field
from models.company import Company
from models.matching import ConsortiumEvent, ConsortiumSuggestion, MatchResult
from models.notice import Notice
from models.tag import NoticeTag


@dataclass(slots=True)
class TagView:
    """A tag as shown: kind, code, score, source and its evidence items."""

    kind: str
    code: str
    score: float
    source: str
    lot_id: str | None
    evidence: list[dict[str, Any]]


@dataclass(slots=True)
class LotView:
    """A lot with its highlighted texts and its own tags."""

    lot_id: str | None
    title: list[Piece]
    description: list[Piece]
    cpv: list[str]
    nuts: list[str]
    reserved_participation: list[str]
    reserved_execution: bool | None
    amount: float | None
    currency: str | None
    deadline: str | None
    tags: list[TagView]


@dataclass(slots=True)
class MatchView:
    """A company that matches the tender (or one lot), with its score and reasons."""

    company_id: int
    company: str
    lot_id: str | None
    score: float
    reserved_eligible: bool | None
    reasons: list[str]


@dataclass(slots=True)
class EventView:
    """One line of a suggestion's history."""

    action: str
    actor: str
    note: str | None
    at: datetime


@dataclass(slots=True)
class SuggestionView:
    """A consortium suggestion with member names, what each covers, and its history."""

    id: int
    notice_id: int
    notice_title: str
    lot_id: str | None
    members: list[tuple[int, str]]
    coverage: list[tuple[str, list[str]]]
    score: float
    reasons: list[str]
    solver: str
    status: str
    note: str | None
    changed_by: str | None
    changed_at: datetime | None
    events: list[EventView] = field(default_factory=list)


@dataclass(slots=True)
class TenderDetail:
    """The tender page's content."""

    notice: Notice
    title: list[Piece]
    description: list[Piece]
    lots: list[LotView]
    tags: list[TagView]
    matches: list[MatchView]
    suggestions: list[SuggestionView]


def tender_detail(session: Session, notice_id: int) -> TenderDetail:
    """Load one tender; raise NotFoundError naming the id when there is none."""
    notice = session.scalar(
        select(Notice)
        .where(Notice.id == notice_id)
        .options(selectinload(Notice.lots), selectinload(Notice.buyer))
    )
    if notice is None:
        raise NotFoundError("Upphandlingen", notice_id)
    rows = session.scalars(
        select(NoticeTag)
        .where(NoticeTag.notice_pk == notice_id)
        .order_by(NoticeTag.kind, NoticeTag.score.desc())
    ).all()
    tags = [TagView(t.kind, t.code, t.score, t.source, t.lot_id, list(t.evidence or [])) for t in rows]
    spans = spans_by_field((t.code, t.evidence) for t in tags)
    lots = [
        LotView(
            lot.lot_id,
            pieces(lot.title, spans.get(f"lots[{index}].title", [])),
            pieces(lot.description, spans.get(f"lots[{index}].description", [])),
            lot.cpv,
            lot.nuts,
            lot.reserved_participation,
            lot.reserved_execution,
            lot.estimated_amount,
            lot.estimated_currency,
            lot.deadline,
            [t for t in tags if t.lot_id is not None and t.lot_id == lot.lot_id],
        )
        for index, lot in enumerate(notice.lots)
    ]
    matches = [
        MatchView(m.company_pk, name, m.lot_id, m.score, m.reserved_eligible, list(m.reasons))
        for m, name in session.execute(
            select(MatchResult, Company.name)
            .join(Company, Company.id == MatchResult.company_pk)
            .where(MatchResult.notice_pk == notice_id)
            .order_by(MatchResult.score.desc(), Company.name)
        )
    ]
    return TenderDetail(
        notice,
        pieces(notice.title, spans.get("title", [])),
        pieces(notice.description, spans.get("description", [])),
        lots,
        [t for t in tags if t.lot_id is None],
        matches,
        suggestions(session, notice_ids=[notice_id]),
    )


def suggestions(
    session: Session, notice_ids: list[int] | None = None, status: str | None = None, limit: int = 200
) -> list[SuggestionView]:
    """Return consortium suggestions (of some notices or all, of one status or any) with names and history."""
    query = select(ConsortiumSuggestion).options(selectinload(ConsortiumSuggestion.notice))
    if notice_ids is not None:
        query = query.where(ConsortiumSuggestion.notice_pk.in_(notice_ids))
    if status:
        query = query.where(ConsortiumSuggestion.status == status)
    found = session.scalars(
        query.order_by(ConsortiumSuggestion.notice_pk.desc(), ConsortiumSuggestion.score.desc()).limit(limit)
    ).all()
    member_ids = {pk for s in found for pk in s.member_pks} | {
        pk for s in found for pks in (s.coverage or {}).values() for pk in pks
    }
    names = dict(session.execute(select(Company.id, Company.name).where(Company.id.in_(member_ids))).all())
    events: dict[int, list[EventView]] = {}
    if found:
        for e in session.scalars(
            select(ConsortiumEvent)
            .where(ConsortiumEvent.suggestion_pk.in_([s.id for s in found]))
            .order_by(ConsortiumEvent.at, ConsortiumEvent.id)
        ):
            events.setdefault(e.suggestion_pk, []).append(EventView(e.action, e.actor, e.note, e.at))
    return [
        SuggestionView(
            s.id,
            s.notice_pk,
            s.notice.title or "(utan titel)",
            s.lot_id,
            [(pk, names.get(pk, f"företag {pk}")) for pk in s.member_pks],
            [
                (key, [names.get(pk, f"företag {pk}") for pk in pks])
                for key, pks in (s.coverage or {}).items()
            ],
            s.score,
            list(s.reasons),
            s.solver,
            s.status,
            s.note,
            s.changed_by,
            s.changed_at,
            events.get(s.id, []),
        )
        for s in found
    ]
