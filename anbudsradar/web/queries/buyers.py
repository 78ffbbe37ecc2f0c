"""Buyer overview: per buyer and period, reserved and social notices, by branch, and missed chances.

A missed chance is a notice in an ASF branch that was not reserved although companies that could
bid for a reserved contract (integration share at least 30 %, LOU 4 kap. 18 §) work nearby in
that branch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from anbudsradar.web.exceptions import NotFoundError
from anbudsradar.web.labels import NUTS_COUNTY_CODES
from anbudsradar.web.queries.tenders import TenderRow, fetch_rows
from models.company import Company, Municipality
from models.matching import MatchResult
from models.notice import Buyer, Notice
from models.search import text_contains

RESERVED_SHARE = 0.30  # LOU 4 kap. 18 §: at least 30 % of the employees
UNKNOWN_BRANCH = "(ingen ASF-bransch)"


@dataclass(slots=True)
class BranchCount:
    """Notices of one branch in the period, and how many were reserved or carried social clauses."""

    code: str
    total: int = 0
    reserved: int = 0
    social: int = 0


@dataclass(slots=True)
class MissedChance:
    """A notice in an ASF branch, not reserved, with the eligible companies nearby."""

    row: TenderRow
    companies: list[tuple[int, str]]


@dataclass(slots=True)
class BuyerSummary:
    """A buyer in the buyer list, with its notice count."""

    id: int
    name: str
    city: str | None
    nuts: str | None
    notices: int


@dataclass(slots=True)
class BuyerOverview:
    """What the buyer overview page shows."""

    buyer: Buyer
    start: date
    end: date
    total: int = 0
    reserved: int = 0
    social: int = 0
    branches: list[BranchCount] = field(default_factory=list)
    missed: list[MissedChance] = field(default_factory=list)


def year_before(day: date) -> date:
    """Return the default start of an overview period: a year before its end (or the first day)."""
    try:
        return day - timedelta(days=365)
    except OverflowError:
        return date.min


def list_buyers(session: Session, q: str | None = None, limit: int = 500) -> list[BuyerSummary]:
    """Return buyers with their notice counts, most notices first (optionally by name)."""
    query = (
        select(Buyer.id, Buyer.name, Buyer.city, Buyer.nuts, func.count(Notice.id))
        .outerjoin(Notice, Notice.buyer_id == Buyer.id)
        .group_by(Buyer.id, Buyer.name, Buyer.city, Buyer.nuts)
        .order_by(func.count(Notice.id).desc(), Buyer.name)
        .limit(limit)
    )
    if q:
        query = query.where(text_contains(Buyer.name, q, session.get_bind().dialect.name))
    return [
        BuyerSummary(i, name or "(utan namn)", city, nuts, count)
        for i, name, city, nuts, count in session.execute(query)
    ]


def buyer_overview(
    session: Session, buyer_id: int, start: date, end: date, limit: int = 5000
) -> BuyerOverview:
    """Count one buyer's notices published in [start, end] and find the missed chances."""
    buyer = session.get(Buyer, buyer_id)
    if buyer is None:
        raise NotFoundError("Köparen", buyer_id)
    rows = fetch_rows(
        session,
        [Notice.buyer_id == buyer_id, Notice.published >= start, Notice.published <= end],
        [Notice.published.desc(), Notice.id.desc()],
        limit=limit,
    )
    overview = BuyerOverview(buyer, start, end, total=len(rows))
    counts: dict[str, BranchCount] = {}
    for row in rows:
        overview.reserved += row.reserved
        overview.social += row.social or row.employment
        for code in row.branches or [UNKNOWN_BRANCH]:
            count = counts.setdefault(code, BranchCount(code))
            count.total += 1
            count.reserved += row.reserved
            count.social += row.social or row.employment
    overview.branches = sorted(counts.values(), key=lambda c: (c.code == UNKNOWN_BRANCH, -c.total, c.code))
    candidates = [row for row in rows if row.branches and not row.reserved]
    overview.missed = _missed(session, buyer, candidates)
    return overview


def _missed(session: Session, buyer: Buyer, rows: list[TenderRow]) -> list[MissedChance]:
    """For unreserved notices in ASF branches, list eligible companies nearby (area or an existing match)."""
    if not rows:
        return []
    companies = session.scalars(
        select(Company).where(Company.active.is_(True), Company.integration_share >= RESERVED_SHARE)
    ).all()
    place = _buyer_place(session, buyer)
    matched: dict[int, set[int]] = {}
    for notice_pk, company_pk in session.execute(
        select(MatchResult.notice_pk, MatchResult.company_pk).where(
            MatchResult.notice_pk.in_([r.id for r in rows])
        )
    ):
        matched.setdefault(notice_pk, set()).add(company_pk)
    centres = _centres(session, companies)
    out = []
    for row in rows:
        eligible = [
            (c.id, c.name)
            for c in companies
            if set(c.branches) & set(row.branches)
            and (c.id in matched.get(row.id, set()) or _covers(c, place, centres.get(c.area_centre or "")))
        ]
        if eligible:
            out.append(MissedChance(row, eligible))
    return out


@dataclass(frozen=True, slots=True)
class _Place:
    municipality: str | None
    county: str | None
    point: tuple[float, float] | None


def _buyer_place(session: Session, buyer: Buyer) -> _Place:
    """Locate a buyer: its municipality (by city name), county and centroid, as far as known."""
    municipality = None
    if buyer.city:
        municipality = session.scalar(select(Municipality).where(Municipality.name == buyer.city).limit(1))
    if municipality is not None:
        return _Place(
            municipality.code, municipality.county_code, (municipality.latitude, municipality.longitude)
        )
    return _Place(None, NUTS_COUNTY_CODES.get(buyer.nuts or ""), None)


def _centres(session: Session, companies: list[Company]) -> dict[str, tuple[float, float]]:
    codes = {c.area_centre for c in companies if c.area_centre}
    if not codes:
        return {}
    return {
        m.code: (m.latitude, m.longitude)
        for m in session.scalars(select(Municipality).where(Municipality.code.in_(codes)))
    }


def _covers(company: Company, place: _Place, centre: tuple[float, float] | None) -> bool:
    """Tell whether the company's service area includes the buyer's municipality, county or position."""
    if place.municipality and place.municipality in company.area_municipalities:
        return True
    if place.county and place.county in company.area_counties:
        return True
    if company.area_radius_km and centre and place.point:
        return _km(centre, place.point) <= company.area_radius_km
    return False


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))
