"""The company registry and the supplier network, as the coordinator pages list them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session, aliased

from anbudsradar.web.exceptions import NotFoundError
from models.company import Company, NetworkLink
from models.matching import MatchResult
from models.notice import Notice
from models.search import json_list_contains, text_contains

StatusFilter = Literal["active", "inactive", "all"]


@dataclass(frozen=True, slots=True)
class LinkRow:
    """One link of the supplier network, with both companies' names."""

    id: int
    a_id: int
    a_name: str
    b_id: int
    b_name: str
    kind: str
    weight: float
    note: str | None


def list_companies(
    session: Session, q: str | None = None, status: StatusFilter = "active", branch: str | None = None
) -> list[Company]:
    """Return companies by name, searched by name, org. number or keyword, of one status and branch."""
    query = select(Company).order_by(Company.name)
    if status == "active":
        query = query.where(Company.active.is_(True))
    elif status == "inactive":
        query = query.where(Company.active.is_(False))
    if q:  # any case of any letter (SQLite's own LIKE folds ASCII only): models.search
        digits = q.replace("-", "").strip()
        dialect = session.get_bind().dialect.name
        query = query.where(
            or_(
                text_contains(Company.name, q, dialect),
                Company.org_number.startswith(digits, autoescape=True) if digits.isdigit() else False,
                json_list_contains(Company.keywords, q, dialect),
            )
        )
    if branch:
        query = query.where(cast(Company.branches, String).contains(f'"{branch}"', autoescape=True))
    return list(session.scalars(query))


def get_company(session: Session, company_id: int) -> Company:
    """Return one company; raise NotFoundError naming the id."""
    company = session.get(Company, company_id)
    if company is None:
        raise NotFoundError("Företaget", company_id)
    return company


def company_matches(session: Session, company_id: int, limit: int = 50) -> list[tuple[MatchResult, str]]:
    """Return the company's best matches with the notice titles."""
    return [
        (match, title or "(utan titel)")
        for match, title in session.execute(
            select(MatchResult, Notice.title)
            .join(Notice, Notice.id == MatchResult.notice_pk)
            .where(MatchResult.company_pk == company_id)
            .order_by(MatchResult.score.desc())
            .limit(limit)
        )
    ]


def network_links(session: Session, company_id: int | None = None) -> list[LinkRow]:
    """Return the links of the supplier network (of one company, or all), by the first company's name."""
    first, second = aliased(Company), aliased(Company)
    query = (
        select(NetworkLink, first.name, second.name)
        .join(first, first.id == NetworkLink.company_a)
        .join(second, second.id == NetworkLink.company_b)
        .order_by(first.name, second.name, NetworkLink.kind)
    )
    if company_id is not None:
        query = query.where(or_(NetworkLink.company_a == company_id, NetworkLink.company_b == company_id))
    return [
        LinkRow(link.id, link.company_a, a, link.company_b, b, link.kind, link.weight, link.note)
        for link, a, b in session.execute(query)
    ]


def company_count(session: Session) -> int:
    """Count the active companies."""
    return session.scalar(select(func.count(Company.id)).where(Company.active.is_(True))) or 0
