"""The demo's matching step: load the fictional companies, match them, suggest consortia, summarise."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from anbudsradar.samples.companies import load_demo_companies
from matcher.consortium_service import ConsortiumSummary, suggest_for_open_notices
from matcher.matching import MatchRun, StoreSummary, compute_matches, store_matches
from models.company import NetworkLink
from models.notice import Notice


@dataclass(slots=True)
class MatchDemoSummary:
    """Counts and a few lines to print."""

    companies: int
    links: int
    items: int
    untagged_notices: int  # notices matched on their CPV codes (no branch tags yet)
    matches: StoreSummary
    blocked: int
    consortia: ConsortiumSummary
    top_matches: list[str] = field(default_factory=list)
    blocked_lines: list[str] = field(default_factory=list)
    consortium_lines: list[str] = field(default_factory=list)


def run_match_demo(session: Session, now: datetime | None = None, lines: int = 5) -> MatchDemoSummary:
    """Load the demo companies and network, match all open notices, suggest consortia; commit."""
    load_demo_companies(session)
    run = compute_matches(session, now=now, with_blocked=True)
    stored = store_matches(session, run)
    consortia = suggest_for_open_notices(session, run)
    session.commit()
    return MatchDemoSummary(
        companies=len(run.profiles),
        links=session.scalar(select(func.count()).select_from(NetworkLink)) or 0,
        items=len(run.items),
        untagged_notices=len({i.notice_pk for i in run.items if i.branch_source == "cpv"}),
        matches=stored,
        blocked=len(run.blocked),
        consortia=consortia,
        top_matches=_match_lines(session, run, lines),
        blocked_lines=_blocked_lines(session, run, lines),
        consortium_lines=_consortium_lines(run, consortia, lines),
    )


def _titles(session: Session, run: MatchRun) -> dict[int, str]:
    """Return notice titles by primary key for the run's notices."""
    pks = sorted({i.notice_pk for i in run.items})
    return dict(session.execute(select(Notice.id, Notice.title).where(Notice.id.in_(pks))).all())


def _match_lines(session: Session, run: MatchRun, limit: int) -> list[str]:
    """Return the best matches as 'score company – notice: first reason'."""
    names = {p.pk: p.name for p in run.profiles}
    titles = _titles(session, run)
    lots = {(i.notice_pk, i.lot_id): i.lot_title for i in run.items if i.lot_id}
    best = sorted(run.matches, key=lambda m: (-m.score, m.company_pk, m.notice_pk, m.lot_id or ""))[:limit]
    return [
        f"{m.score:.2f} {names[m.company_pk]} – {titles.get(m.notice_pk)}"
        + (f" (del: {lots.get((m.notice_pk, m.lot_id), m.lot_id)})" if m.lot_id else "")
        + f": {m.reasons[0]}"
        for m in best
    ]


def _blocked_lines(session: Session, run: MatchRun, limit: int) -> list[str]:
    """Return pairs kept out by a reservation, with the reason."""
    names = {p.pk: p.name for p in run.profiles}
    titles = _titles(session, run)
    return [
        f"{names[b.company_pk]} – {titles.get(b.notice_pk)}: {b.reasons[-1]}" for b in run.blocked[:limit]
    ]


def _consortium_lines(run: MatchRun, consortia: ConsortiumSummary, limit: int) -> list[str]:
    """Return the best team of each tender that got one."""
    names = {p.pk: p.name for p in run.profiles}
    seen: set[tuple[int, str | None]] = set()
    out = []
    for s in sorted(consortia.suggestions, key=lambda s: -s.team.score):
        key = (s.tender.notice_pk, s.tender.lot_id)
        if key in seen:
            continue
        seen.add(key)
        members = " + ".join(names[pk] for pk in s.member_pks)
        out.append(f"{s.team.score:.2f} {s.tender.title}: {members}")
    return out[:limit]
