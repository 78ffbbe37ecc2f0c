"""The tagging service: tag stored notices and keep their tags in the database, only what changed.

A notice is (re)tagged when it has no tags yet, when its content changed since it was tagged, or
when the classifier or the rules changed (Tagger.version, matcher.fingerprint); `everything=True`
retags all. Tags are replaced per notice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from crawlers.parsers.record import NoticeRecord
from models import Notice, NoticeTag, TaggingState
from models.base import utcnow
from models.flags import refresh_flags

if TYPE_CHECKING:
    from matcher.tagger import Tagger
    from matcher.tags import NoticeTags, Tag


@dataclass(slots=True)
class RetagSummary:
    """What one re-tagging round did."""

    tagged: int = 0
    up_to_date: int = 0
    tags: int = 0
    tagger_version: str = ""  # the classifier's version and the rules' fingerprint (Tagger.version)


def notices_to_tag(session: Session, tagger_version: str, *, everything: bool = False) -> list[int]:
    """Return the primary keys of notices whose tags are missing or stale (other content, model or rules)."""
    query = select(Notice.id).outerjoin(TaggingState, TaggingState.notice_pk == Notice.id)
    if not everything:
        query = query.where(
            or_(
                TaggingState.notice_pk.is_(None),
                TaggingState.content_hash != Notice.content_hash,
                TaggingState.model_version != tagger_version,
            )
        )
    return list(session.scalars(query.order_by(Notice.id)))


def retag(
    session: Session,
    tagger: Tagger,
    *,
    everything: bool = False,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> RetagSummary:
    """Tag every stored notice that needs it and store its tags; return the counts."""
    version = tagger.version
    pending = notices_to_tag(session, version, everything=everything)
    summary = RetagSummary(tagger_version=version)
    for chunk in _chunks(pending, batch_size):
        notices = list(session.scalars(select(Notice).where(Notice.id.in_(chunk)).order_by(Notice.id)))
        results = tagger.tag_records([NoticeRecord.from_dict(notice.record) for notice in notices])
        session.execute(delete(NoticeTag).where(NoticeTag.notice_pk.in_(chunk)))
        for notice, tags in zip(notices, results, strict=True):
            summary.tags += _store(session, notice, tags, version)
        refresh_flags(session, chunk)
        session.commit()
        summary.tagged += len(notices)
        if progress is not None:
            progress(len(notices))
    summary.up_to_date = (session.scalar(select(func.count()).select_from(Notice)) or 0) - summary.tagged
    return summary


def tag_database(database_url: str, *, everything: bool = False) -> RetagSummary:
    """Load the shipped tagger and tag the stored notices that need it (the scheduled job's entry)."""
    from matcher.tagger import Tagger  # noqa: PLC0415 - spaCy loads only when tagging runs
    from models.db import database  # noqa: PLC0415

    with database(database_url) as sessions, sessions() as session:
        return retag(session, Tagger.load(), everything=everything)


def _store(session: Session, notice: Notice, tags: NoticeTags, version: str) -> int:
    """Add the tag rows and tagging state of one notice; return how many tags it got."""
    rows = _rows(notice.id, None, "branch", tags.branches) + _rows(notice.id, None, "social", tags.social)
    for lot in tags.lots:
        rows += _rows(notice.id, lot.lot_id, "branch", lot.branches)
        rows += _rows(notice.id, lot.lot_id, "social", lot.social)
    session.add_all(rows)
    state = session.get(TaggingState, notice.id) or TaggingState(notice_pk=notice.id)
    state.content_hash = notice.content_hash
    state.model_version = version
    state.language_note = "; ".join(tags.notes)[:200] if tags.notes else None
    state.tagged_at = utcnow()
    session.add(state)
    return len(rows)


def _rows(notice_pk: int, lot_id: str | None, kind: str, tags: Sequence[Tag]) -> list[NoticeTag]:
    return [
        NoticeTag(
            notice_pk=notice_pk,
            lot_id=lot_id,
            kind=kind,
            code=tag.code,
            score=tag.score,
            source=tag.source,
            evidence=[item.to_dict() for item in tag.evidence],
            model_version=tag.model_version,
        )
        for tag in tags
    ]


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
