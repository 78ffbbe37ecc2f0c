"""The tender list: filter conditions, sorting, one page of rows with their tags, and the count.

The reserved, employment and social filters read stored, indexed flags on the notice (kept by
models.flags after every ingest and tagging batch) instead of reading every notice's JSON and tags;
the free text goes through the text index of models.search.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import ColumnElement, String, and_, cast, false, func, or_, select
from sqlalchemy.orm import Session

from anbudsradar.web.labels import COUNTIES, branch_prefixes
from anbudsradar.web.queries.filters import TenderFilter
from models.notice import Buyer, Lot, Notice
from models.search import notice_text_condition
from models.tag import NoticeTag

SWEDEN = {"SE": "Hela Sverige (SE)"}  # a buyer placed only by its country


@dataclass(slots=True)
class TenderRow:
    """One line of the tender list."""

    id: int
    title: str
    notice_type: str
    buyer_id: int | None
    buyer: str | None
    city: str | None
    published: date | None
    deadline: str | None
    amount: float | None
    currency: str | None
    cpv_main: str | None
    url: str | None
    reserved: bool = False
    employment: bool = False
    social: bool = False
    branches: list[str] = field(default_factory=list)


@dataclass(slots=True)
class TenderPage:
    """One page of the tender list and how many rows match in all."""

    filter: TenderFilter
    rows: list[TenderRow]
    total: int
    page_size: int

    @property
    def pages(self) -> int:
        """The number of pages (at least one)."""
        return max(1, -(-self.total // self.page_size))


def _tag_exists(kind: str, codes: Sequence[str]) -> ColumnElement[bool]:
    """Tagged with one of the codes (an IN over the indexed tag table: faster than a correlated EXISTS)."""
    return Notice.id.in_(select(NoticeTag.notice_pk).where(NoticeTag.kind == kind, NoticeTag.code.in_(codes)))


def _json_text(column: object) -> ColumnElement[str]:
    return cast(column, String)


def branch_condition(code: str) -> ColumnElement[bool]:
    """In a branch: tagged with it, or the main CPV code starts with one of its prefixes."""
    prefixes = branch_prefixes().get(code, ())
    return or_(_tag_exists("branch", [code]), *[Notice.cpv_main.startswith(prefix) for prefix in prefixes])


def conditions(flt: TenderFilter, today: date, dialect: str) -> list[ColumnElement[bool]]:
    """Return the WHERE conditions of a filter (`today` decides what is open) for a SQL dialect."""
    where: list[ColumnElement[bool]] = []
    if flt.q:  # substring of title or description, any case, through the text index (models.search)
        where.append(notice_text_condition(flt.q, dialect))
    if flt.reserved:  # BT-71/BT-736 or a reserved tag (models.flags.reserved_expression)
        where.append(Notice.reserved.is_(True))
    if flt.employment:  # BT-775 opp or an employment-requirement tag
        where.append(Notice.employment.is_(True))
    if flt.social:  # other BT-775 codes, BT-06 soc-obj or a social-considerations tag
        where.append(Notice.social.is_(True))
    if flt.branch:
        where.append(branch_condition(flt.branch) if flt.branch in branch_prefixes() else false())
    return where + _place_conditions(flt) + _time_conditions(flt, today)


def _place_conditions(flt: TenderFilter) -> list[ColumnElement[bool]]:
    """Conditions on the buyer and the place: buyer, municipality (buyer's town), county (NUTS)."""
    where: list[ColumnElement[bool]] = []
    if flt.buyer:
        where.append(Notice.buyer_id == flt.buyer)
    if flt.municipality:
        where.append(Notice.buyer_id.in_(select(Buyer.id).where(Buyer.city == flt.municipality)))
    if flt.county:
        where.append(
            or_(
                Notice.buyer_id.in_(select(Buyer.id).where(Buyer.nuts.startswith(flt.county))),
                _json_text(Notice.nuts).like(f'%"{flt.county}%'),
            )
        )
    if flt.type:
        where.append(Notice.notice_type == flt.type)
    return where


def _time_conditions(flt: TenderFilter, today: date) -> list[ColumnElement[bool]]:
    """Conditions on the deadline: open or closed on `today`, and a deadline window."""
    where: list[ColumnElement[bool]] = []
    if flt.status == "open":
        where.append(or_(Notice.deadline >= today.isoformat(), _lot_open(today)))
    elif flt.status == "closed":
        where.append(and_(Notice.deadline < today.isoformat(), ~_lot_open(today)))
    if flt.deadline_from:
        where.append(Notice.deadline >= flt.deadline_from.isoformat())
    if flt.deadline_to and flt.deadline_to < date.max:
        where.append(Notice.deadline < (flt.deadline_to + timedelta(days=1)).isoformat())
    return where


def _lot_open(today: date) -> ColumnElement[bool]:
    """Return "a lot of the notice is still open": the notice's own deadline is its lots' earliest."""
    return select(Lot.id).where(Lot.notice_pk == Notice.id, Lot.deadline >= today.isoformat()).exists()


def sort_order(flt: TenderFilter, dialect: str = "sqlite") -> list[ColumnElement[object]]:
    """ORDER BY of a filter; rows without the sort value come last either way.

    On SQLite a descending sort already puts NULLs last, and without the extra "IS NULL" key the
    indexes on published and deadline serve the first page without reading the whole table.
    """
    column = {
        "published": Notice.published,
        "deadline": Notice.deadline,
        "title": Notice.title,
        "amount": Notice.estimated_amount,
        "buyer": Buyer.name,
    }[flt.sort]
    if flt.order == "desc":
        if dialect == "sqlite":
            return [column.desc(), Notice.id.desc()]
        return [column.is_(None), column.desc(), Notice.id.desc()]
    deadline_set = flt.sort == "deadline" and bool(flt.status or flt.deadline_from or flt.deadline_to)
    if dialect == "sqlite" and deadline_set:  # the filter already left out notices without a deadline
        return [column.asc(), Notice.id.asc()]
    return [column.is_(None), column.asc(), Notice.id.asc()]


def list_tenders(session: Session, flt: TenderFilter, today: date, page_size: int) -> TenderPage:
    """Return one page of the filtered, sorted tender list and the total count."""
    dialect = session.get_bind().dialect.name
    where = conditions(flt, today, dialect)
    total = session.scalar(select(func.count(Notice.id)).where(*where)) or 0
    rows = fetch_rows(
        session,
        where,
        sort_order(flt, dialect),
        limit=page_size,
        offset=(flt.page - 1) * page_size,
    )
    return TenderPage(flt, rows, total, page_size)


def fetch_rows(
    session: Session,
    where: Iterable[ColumnElement[bool]],
    order: Sequence[ColumnElement[object]],
    limit: int,
    offset: int = 0,
) -> list[TenderRow]:
    """Fetch list rows (without the heavy record JSON) with their stored flags and their tags."""
    query = (
        select(
            Notice.id,
            Notice.title,
            Notice.notice_type,
            Notice.buyer_id,
            Buyer.name,
            Buyer.city,
            Notice.published,
            Notice.deadline,
            Notice.estimated_amount,
            Notice.estimated_currency,
            Notice.cpv_main,
            Notice.url,
            Notice.reserved,
            Notice.employment,
            Notice.social,
        )
        .outerjoin(Buyer, Buyer.id == Notice.buyer_id)
        .where(*where)
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    )
    raw = session.execute(query).all()
    ids = [row.id for row in raw]
    branches = branches_by_notice(session, ids)
    rows = []
    for r in raw:
        branch_tags = branches.get(r.id, {})
        rows.append(
            TenderRow(
                id=r.id,
                title=r.title or "(utan titel)",
                notice_type=r.notice_type,
                buyer_id=r.buyer_id,
                buyer=r.name,
                city=r.city,
                published=r.published,
                deadline=r.deadline,
                amount=r.estimated_amount,
                currency=r.estimated_currency,
                cpv_main=r.cpv_main,
                url=r.url,
                reserved=bool(r.reserved),
                employment=bool(r.employment),
                social=bool(r.social),
                branches=sorted(branch_tags, key=lambda code: -branch_tags[code]) or cpv_branches(r.cpv_main),
            )
        )
    return rows


def cpv_branches(cpv: str | None) -> list[str]:
    """Return the branches whose CPV prefixes the code starts with (for untagged notices)."""
    if not cpv:
        return []
    return [code for code, prefixes in branch_prefixes().items() if any(cpv.startswith(p) for p in prefixes)]


def branches_by_notice(session: Session, ids: Sequence[int]) -> dict[int, dict[str, float]]:
    """Return notice id -> branch code -> best score, lots included (social clauses are stored flags)."""
    found: dict[int, dict[str, float]] = defaultdict(dict)
    if not ids:
        return found
    # The kind is checked here, not in SQL: "kind = 'branch'" would lead SQLite to the (kind, code)
    # index, which reads every branch tag, instead of the notice_pk index (1/6 of the speed at 50,000).
    for notice_pk, kind, code, score in session.execute(
        select(NoticeTag.notice_pk, NoticeTag.kind, NoticeTag.code, NoticeTag.score).where(
            NoticeTag.notice_pk.in_(ids)
        )
    ):
        if kind == "branch":
            bucket = found[notice_pk]
            bucket[code] = max(score, bucket.get(code, 0.0))
    return found


def filter_choices(session: Session) -> dict[str, list[tuple[str, str]]]:
    """Return the options of the filter form's select boxes: buyers, municipalities and counties.

    Swedish counties are named ("counties"); other NUTS codes of the buyers are listed apart ("regions").
    """
    buyers = session.execute(
        select(Buyer.id, Buyer.name).where(Buyer.name.is_not(None)).order_by(Buyer.name)
    ).all()
    cities = session.scalars(
        select(Buyer.city).where(Buyer.city.is_not(None)).distinct().order_by(Buyer.city)
    ).all()
    nuts = session.scalars(select(Buyer.nuts).where(Buyer.nuts.is_not(None)).distinct()).all()
    counties = sorted({(code, COUNTIES[code]) for code in nuts if code in COUNTIES}, key=lambda pair: pair[1])
    regions = sorted({(code, SWEDEN.get(code, code)) for code in nuts if code and code not in COUNTIES})
    return {
        "buyers": [(str(i), name) for i, name in buyers],
        "municipalities": [(city, city) for city in cities],
        "counties": counties,
        "regions": regions,
    }
