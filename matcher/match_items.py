"""What is matched: open notices and their lots as items, with place, branches, value and time.

A notice is one item; a notice with two or more lots also gives one item per lot. Branch scores come
from the stored tags (NoticeTag); a notice that has no branch tags yet falls back to its CPV codes
(matcher.taxonomy), and the reasons say so.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from matcher.areas import Gazetteer, Place, resolve_place
from matcher.currency import in_sek
from matcher.match_engine import BRANCH_INDEX, ItemArrays
from matcher.taxonomy import branches_for_cpv
from models.notice import Lot, Notice
from models.tag import NoticeTag

RESERVED_CODES = frozenset({"shelteredWorkshop"})  # LOU 4 kap. 18 § (eForms BT-71 res-ws)
RESERVED_TAG = "reserved_sheltered"
SOCIAL_TAGS = frozenset({"employment_requirement", "social_considerations"})
SOCIAL_OBJECTIVES = frozenset({"opp"})  # eForms BT-775: employment opportunities
OPEN_TYPES = ("contract-notice", "direct-award", "planning")
UNDATED_TYPES = ("contract-notice", "planning")


@dataclass(frozen=True, slots=True)
class MatchSettings:
    """The knobs of matching, each with its default and the reason for it."""

    # Store a match from this score on; below it a company would not want to read about it.
    threshold: float = 0.4
    # At most this many matches per company per run (the best ones): a weekly digest stays readable.
    top_n: int = 50
    # Direct awards (LOU 19 kap.) are allowed up to about 700 000 kr (2025); below it a contract is
    # small enough for a 3–15 person company to take on its own.
    direct_award_limit_sek: float = 700_000.0
    # A notice without a deadline counts as open this many days after publication.
    undated_open_days: int = 60
    # Fewer days than this before the deadline is too short for a small company to write a bid.
    min_days: float = 5.0
    # From this many days on, time is no constraint.
    comfort_days: float = 21.0
    # Tag score given to a branch that comes from the CPV codes only (the notice is not tagged yet).
    cpv_fallback_score: float = 0.8
    # Branch and social tags below this score are ignored.
    tag_min_score: float = 0.3


@dataclass(slots=True)
class Item:
    """One notice or lot to be matched, with what the reasons need to say about it."""

    notice_pk: int
    lot_id: str | None
    title: str
    lot_title: str | None
    place: Place
    value: float | None  # in kronor (matcher.currency); None when not given or not convertible
    notice_type: str
    deadline: datetime | None
    days_left: float | None
    time_fit: float
    small: bool
    reserved: bool
    social: list[str]
    branch_scores: dict[str, float]
    branch_source: str  # "tags" | "cpv"
    content_hash: str
    cpv: list[str] = field(default_factory=list)
    amount: float | None = None  # as published, in `currency`
    currency: str | None = None


def parse_deadline(text: str | None) -> datetime | None:
    """Parse a stored deadline ('2026-12-01T23:59:00+01:00' or '2026-12-01'); naive times are UTC."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = datetime.combine(date.fromisoformat(text[:10]), datetime.max.time())
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def time_fit(
    notice_type: str, deadline: datetime | None, now: datetime, settings: MatchSettings
) -> tuple[float, float | None]:
    """Return (fit, days left): 1 with comfort_days or more, 0.2 at min_days, 0.5 for planning notices."""
    if notice_type == "planning" and deadline is None:
        return 0.5, None
    if deadline is None:
        return 0.7, None
    days = (deadline - now).total_seconds() / 86400
    if days < 0:
        return 0.0, days
    whole = math.floor(days)  # whole days, so that runs on the same day agree
    span = settings.comfort_days - settings.min_days
    fit = 0.2 + 0.8 * min(1.0, max(0.0, (whole - settings.min_days) / span))
    return round(fit, 4), float(whole)


def open_notices_query(now: datetime, since: date | None, settings: MatchSettings) -> object:
    """Select the notices that can still be bid for (or prepared for, for planning notices).

    The notice's deadline is its lots' earliest; a notice stays open while any lot's deadline is ahead.
    """
    today = now.date().isoformat()
    undated_from = (now - timedelta(days=settings.undated_open_days)).date()
    lot_open = select(Lot.id).where(Lot.notice_pk == Notice.id, Lot.deadline >= today).exists()
    query = select(Notice).where(
        Notice.notice_type.in_(OPEN_TYPES),
        or_(
            Notice.deadline >= today,
            lot_open,  # a lot still open after the notice's earliest deadline
            and_(
                Notice.deadline.is_(None),
                Notice.notice_type.in_(UNDATED_TYPES),
                Notice.published >= undated_from,
            ),
        ),
    )
    if since is not None:
        query = query.where(Notice.published >= since)
    return query.options(selectinload(Notice.lots), selectinload(Notice.buyer)).order_by(Notice.id)


def load_open_notices(
    session: Session, now: datetime, since: date | None, settings: MatchSettings
) -> list[Notice]:
    """Return the open notices with their lots and buyers loaded."""
    return list(session.scalars(open_notices_query(now, since, settings)))  # type: ignore[call-overload]


def load_tags(session: Session, notice_pks: Sequence[int]) -> dict[int, list[NoticeTag]]:
    """Return the stored tags of notices, by notice primary key."""
    tags: dict[int, list[NoticeTag]] = defaultdict(list)
    for start in range(0, len(notice_pks), 5000):
        chunk = list(notice_pks[start : start + 5000])
        for tag in session.scalars(select(NoticeTag).where(NoticeTag.notice_pk.in_(chunk))):
            tags[tag.notice_pk].append(tag)
    return tags


def build_items(
    notices: Sequence[Notice],
    tags: dict[int, list[NoticeTag]],
    now: datetime,
    settings: MatchSettings,
    g: Gazetteer,
) -> list[Item]:
    """Turn open notices into items: the notice, and each lot of a notice with two or more lots."""
    items: list[Item] = []
    for notice in notices:
        by_lot: dict[str | None, list[NoticeTag]] = defaultdict(list)
        for tag in tags.get(notice.id, []):
            if tag.score >= settings.tag_min_score:
                by_lot[tag.lot_id].append(tag)
        context = _Context(now, settings, g)
        items.append(_notice_item(notice, by_lot, context))
        if len(notice.lots) >= 2:
            for lot in notice.lots:
                item = _lot_item(notice, lot, by_lot, context)
                if item is not None:
                    items.append(item)
    return [item for item in items if item.time_fit > 0]


def _place(notice: Notice, nuts: Sequence[str], g: Gazetteer) -> Place:
    """Locate a notice or lot from its NUTS codes and its buyer."""
    buyer = notice.buyer
    return resolve_place(
        nuts,
        buyer.name if buyer else None,
        buyer.city if buyer else None,
        buyer.nuts if buyer else None,
        g,
    )


def _branches(
    tags: list[NoticeTag], cpv: Sequence[str], settings: MatchSettings
) -> tuple[dict[str, float], str]:
    """Return branch scores from branch tags, else from CPV codes (source 'cpv')."""
    scores: dict[str, float] = {}
    for tag in tags:
        if tag.kind == "branch" and tag.code in BRANCH_INDEX:
            scores[tag.code] = max(scores.get(tag.code, 0.0), float(tag.score))
    if scores:
        return scores, "tags"
    for code in cpv:
        for branch in branches_for_cpv(code):
            scores[branch] = settings.cpv_fallback_score
    return scores, "cpv"


def _social(tags: list[NoticeTag], objectives: Sequence[str]) -> list[str]:
    """Return the social-clause codes that earn the social bonus."""
    codes = [t.code for t in tags if t.kind == "social" and t.code in SOCIAL_TAGS]
    if set(objectives) & SOCIAL_OBJECTIVES and "employment_requirement" not in codes:
        codes.append("employment_requirement")
    return sorted(set(codes))


def _reserved_tag(tags: list[NoticeTag]) -> bool:
    """Tell whether the tagger found a 4 kap. 18 § reservation in the text."""
    return any(t.kind == "social" and t.code == RESERVED_TAG for t in tags)


@dataclass(frozen=True, slots=True)
class _Context:
    """What building one notice's items needs."""

    now: datetime
    settings: MatchSettings
    g: Gazetteer


def _notice_item(notice: Notice, by_lot: dict[str | None, list[NoticeTag]], context: _Context) -> Item:
    """Return the item of a whole notice."""
    now, settings, g = context.now, context.settings, context.g
    own = by_lot.get(None, [])
    every = [t for tags in by_lot.values() for t in tags]
    scores, source = _branches(own or every, notice.cpv, settings)
    lots = notice.lots
    if len(lots) >= 2:  # reserved as a whole only when every lot is
        reserved = all(_lot_reserved(notice, lot, by_lot.get(lot.lot_id, [])) for lot in lots)
    else:
        reserved = bool(set(notice.reserved_participation) & RESERVED_CODES) or notice.reserved_execution
        reserved = reserved or _reserved_tag(every)
    deadline = parse_deadline(notice.deadline)
    fit, days = time_fit(notice.notice_type, deadline, now, settings)
    value = in_sek(notice.estimated_amount, notice.estimated_currency)
    return Item(
        notice_pk=notice.id,
        lot_id=None,
        title=notice.title or notice.notice_id,
        lot_title=None,
        place=_place(notice, notice.nuts, g),
        value=value,
        notice_type=notice.notice_type,
        deadline=deadline,
        days_left=days,
        time_fit=fit,
        small=_small(notice.notice_type, value, settings),
        reserved=reserved,
        social=_social(every, notice.social_objectives),
        branch_scores=scores,
        branch_source=source,
        content_hash=notice.content_hash,
        cpv=list(notice.cpv),
        amount=notice.estimated_amount,
        currency=notice.estimated_currency,
    )


def _lot_reserved(notice: Notice, lot: Lot, tags: list[NoticeTag]) -> bool:
    """Tell whether a lot is reserved (its own fields, else its tags)."""
    if lot.reserved_participation or lot.reserved_execution is not None:
        return bool(set(lot.reserved_participation) & RESERVED_CODES) or bool(lot.reserved_execution)
    return _reserved_tag(tags)


def _lot_item(
    notice: Notice, lot: Lot, by_lot: dict[str | None, list[NoticeTag]], context: _Context
) -> Item | None:
    """Return the item of one lot (None when its deadline has passed)."""
    now, settings, g = context.now, context.settings, context.g
    tags = by_lot.get(lot.lot_id, [])
    scores, source = _branches(tags, lot.cpv or notice.cpv, settings)
    deadline = parse_deadline(lot.deadline or notice.deadline)
    fit, days = time_fit(notice.notice_type, deadline, now, settings)
    if fit <= 0:
        return None
    currency = lot.estimated_currency or notice.estimated_currency
    value = in_sek(lot.estimated_amount, currency)
    return Item(
        notice_pk=notice.id,
        lot_id=lot.lot_id,
        title=notice.title or notice.notice_id,
        lot_title=lot.title,
        place=_place(notice, lot.nuts or notice.nuts, g),
        value=value,
        notice_type=notice.notice_type,
        deadline=deadline,
        days_left=days,
        time_fit=fit,
        small=_small(notice.notice_type, value, settings),
        reserved=_lot_reserved(notice, lot, tags),
        social=_social(tags + by_lot.get(None, []), notice.social_objectives),
        branch_scores=scores,
        branch_source=source,
        content_hash=notice.content_hash,
        cpv=list(lot.cpv or notice.cpv),
        amount=lot.estimated_amount,
        currency=currency,
    )


def _small(notice_type: str, value: float | None, settings: MatchSettings) -> bool:
    """Tell whether a direct award or a value up to the direct-award limit makes the item small."""
    return notice_type == "direct-award" or (value is not None and value <= settings.direct_award_limit_sek)


def item_arrays(items: Sequence[Item]) -> tuple[ItemArrays, list[Place]]:
    """Turn items into the engine's arrays; return them and the distinct places they index."""
    places: dict[Place, int] = {}
    scores = np.zeros((len(items), len(BRANCH_INDEX)), dtype=np.float32)
    place = np.zeros(len(items), dtype=np.int32)
    for i, item in enumerate(items):
        for code, score in item.branch_scores.items():
            scores[i, BRANCH_INDEX[code]] = score
        place[i] = places.setdefault(item.place, len(places))
    arrays = ItemArrays.build(
        scores,
        place=place,
        value=np.array([np.nan if item.value is None else item.value for item in items], dtype=np.float32),
        small=np.array([item.small for item in items], dtype=bool),
        time_fit=np.array([item.time_fit for item in items], dtype=np.float32),
        reserved=np.array([item.reserved for item in items], dtype=bool),
        social=np.array([bool(item.social) for item in items], dtype=bool),
    )
    return arrays, list(places)
