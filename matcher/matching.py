"""Matching service: score companies against open notices and lots, explain, and store the matches.

`compute_matches` reads the registry and the open notices and returns typed `Match` records with
their reasons in Swedish; `store_matches` upserts them into match_result by (company, notice, lot),
so a second run changes nothing and a changed notice (content hash) or profile updates its rows.
`match_database(url)` runs both, then the consortium search, for the scheduler.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from matcher.areas import AreaFit, Gazetteer, Place, area_fit, ensure_municipalities, gazetteer
from matcher.match_engine import (
    AreaTable,
    CompanyArrays,
    ItemArrays,
    PairFactors,
    TopMatches,
    area_table,
    pair_factors,
    top_matches,
)
from matcher.match_items import (
    Item,
    MatchSettings,
    build_items,
    item_arrays,
    load_open_notices,
    load_tags,
)
from matcher.match_profiles import CompanyProfile, company_arrays
from matcher.match_reasons import Factors, explain, explain_blocked
from matcher.registry import find_company
from models.company import Company
from models.matching import MatchResult

if TYPE_CHECKING:
    from matcher.consortium_service import ConsortiumSummary


@dataclass(slots=True)
class Match:
    """One company × notice (lot_id None) or lot fit, with its factors, reasons and details."""

    company_pk: int
    notice_pk: int
    lot_id: str | None
    score: float
    branch_fit: float
    area_fit: float
    size_fit: float
    time_fit: float
    reserved_eligible: bool | None  # None: not reserved; True: reserved and the company is eligible
    reasons: list[str]
    details: dict[str, Any]
    content_hash: str


@dataclass(slots=True)
class Blocked:
    """A pair that would fit, kept out because the contract is reserved (LOU 4 kap. 18 §)."""

    company_pk: int
    notice_pk: int
    lot_id: str | None
    would_be_score: float
    reasons: list[str]


@dataclass(slots=True)
class MatchRun:
    """The result of one matching run (in memory)."""

    profiles: list[CompanyProfile]
    items: list[Item]
    matches: list[Match]
    blocked: list[Blocked] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(slots=True)
class StoreSummary:
    """What storing a run did to match_result."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0


@dataclass(slots=True)
class Scored:
    """Everything scored for a run, before any Python object per match is made."""

    profiles: list[CompanyProfile]
    items: list[Item]
    companies: CompanyArrays
    arrays: ItemArrays
    places: list[Place]
    areas: AreaTable
    top: TopMatches
    blocked: TopMatches | None
    settings: MatchSettings
    g: Gazetteer


def score_items(
    profiles: Sequence[CompanyProfile],
    items: Sequence[Item],
    settings: MatchSettings | None = None,
    g: Gazetteer | None = None,
    *,
    with_blocked: bool = False,
) -> Scored:
    """Score profiles × items with the vectorised engine; keep the top matches per company."""
    settings, g = settings or MatchSettings(), g or gazetteer()
    companies = company_arrays(list(profiles), g)
    arrays, places = item_arrays(list(items))
    areas = area_table(companies, places, g)
    top, blocked = top_matches(
        companies, arrays, areas, threshold=settings.threshold, top_n=settings.top_n,
        with_blocked=with_blocked,
    )
    return Scored(list(profiles), list(items), companies, arrays, places, areas, top, blocked, settings, g)


def explain_matches(scored: Scored, start: int = 0, stop: int | None = None) -> Iterator[Match]:
    """Yield the kept matches of companies start..stop with their reasons, company by company."""
    stop = len(scored.profiles) if stop is None else stop
    part = TopMatches(scored.top.items[start:stop], scored.top.scores[start:stop])
    rows, ids, scores = part.pairs()
    rows = rows + start
    factors = pair_factors(scored.companies, scored.arrays, scored.areas, rows, ids)
    nearest = _Nearest(scored.companies.coverage, scored.arrays.place, scored.places, scored.g)
    for k, (row, item_id) in enumerate(zip(rows.tolist(), ids.tolist(), strict=True)):
        profile, item = scored.profiles[row], scored.items[item_id]
        f = Factors(
            branch=float(factors.branch[k]),
            area=float(factors.area[k]),
            size=float(factors.size[k]),
            time=float(factors.time[k]),
            score=float(scores[k]),
            reserved_bonus=bool(factors.reserved_bonus[k]),
            social_bonus=bool(factors.social_bonus[k]),
        )
        area = _area_fit(profile, item, factors, k, nearest)
        reasons, details = explain(profile, item, f, area, g=scored.g, settings=scored.settings)
        yield Match(
            company_pk=profile.pk,
            notice_pk=item.notice_pk,
            lot_id=item.lot_id,
            score=round(f.score, 4),
            branch_fit=round(f.branch, 4),
            area_fit=round(f.area, 4),
            size_fit=round(f.size, 4),
            time_fit=round(f.time, 4),
            reserved_eligible=True if item.reserved else None,
            reasons=reasons,
            details=details,
            content_hash=item.content_hash,
        )


def match_items(
    profiles: Sequence[CompanyProfile],
    items: Sequence[Item],
    settings: MatchSettings | None = None,
    g: Gazetteer | None = None,
    *,
    with_blocked: bool = False,
) -> MatchRun:
    """Score profiles × items (no database): the top matches per company above the threshold."""
    started = time.perf_counter()
    profiles, items = list(profiles), list(items)
    if not profiles or not items:
        return MatchRun(profiles, items, [], [], time.perf_counter() - started)
    scored = score_items(profiles, items, settings, g, with_blocked=with_blocked)
    matches = list(explain_matches(scored))
    blocked = _blocked(profiles, items, scored.blocked, scored.g)
    return MatchRun(profiles, items, matches, blocked, time.perf_counter() - started)


def _area_fit(
    profile: CompanyProfile, item: Item, factors: PairFactors, k: int, nearest: _Nearest
) -> AreaFit:
    """Return the area figures of pair k (the nearest municipality only matters outside the area)."""
    share, distance = float(factors.share[k]), float(factors.distance_km[k])
    if share > 0 or not item.place.known or profile.area.empty:
        return AreaFit(float(factors.area[k]), share, 0.0 if share > 0 else None, None)
    town = nearest.of(int(factors.rows[k]), int(factors.items[k]))
    return AreaFit(float(factors.area[k]), share, distance, town)


class _Nearest:
    """Finds a company's municipality nearest to an item's place, with cached index arrays."""

    def __init__(
        self, coverage: np.ndarray, item_places: np.ndarray, places: list[Place], g: Gazetteer
    ) -> None:
        self.coverage, self.item_places, self.g = coverage, item_places, g
        self.targets = [np.array([g.index[c] for c in p.municipalities if c in g.index], dtype=np.int64)
                        for p in places]
        self._covered: dict[int, np.ndarray] = {}

    def of(self, row: int, item_id: int) -> str | None:
        """Return the code of the company's covered municipality nearest to the item's place."""
        covered = self._covered.get(row)
        if covered is None:
            covered = self._covered[row] = np.flatnonzero(self.coverage[row])
        targets = self.targets[int(self.item_places[item_id])]
        if not len(covered) or not len(targets):
            return None
        block = self.g.distances[covered][:, targets]
        return self.g.codes[int(covered[int(block.argmin()) // len(targets)])]


def _blocked(
    profiles: list[CompanyProfile], items: list[Item], blocked: TopMatches | None, g: Gazetteer
) -> list[Blocked]:
    """Explain the pairs kept out by a reservation."""
    if blocked is None:
        return []
    out = []
    rows, ids, scores = blocked.pairs()
    for row, item_id, score in zip(rows.tolist(), ids.tolist(), scores.tolist(), strict=True):
        profile, item = profiles[row], items[item_id]
        reasons = explain_blocked(profile, item, area_fit(profile.area, item.place, g), g)
        out.append(Blocked(profile.pk, item.notice_pk, item.lot_id, round(score, 4), reasons))
    return out


def load_profiles(session: Session, org_number: str | None = None) -> list[CompanyProfile]:
    """Return the active companies' profiles (or the one with `org_number`, active or not)."""
    if org_number is not None:
        return [CompanyProfile.from_company(find_company(session, org_number))]
    query = select(Company).where(Company.active.is_(True)).order_by(Company.id)
    return [CompanyProfile.from_company(c) for c in session.scalars(query)]


def compute_matches(
    session: Session,
    *,
    now: datetime | None = None,
    org_number: str | None = None,
    since: date | None = None,
    settings: MatchSettings | None = None,
    with_blocked: bool = False,
) -> MatchRun:
    """Match the registry's companies (or one) against the open notices (published since `since`)."""
    settings, g = settings or MatchSettings(), gazetteer()
    now = now or datetime.now(UTC)
    ensure_municipalities(session, g)
    profiles = load_profiles(session, org_number)
    notices = load_open_notices(session, now, since, settings)
    items = build_items(notices, load_tags(session, [n.id for n in notices]), now, settings, g)
    return match_items(profiles, items, settings, g, with_blocked=with_blocked)


def store_matches(session: Session, run: MatchRun) -> StoreSummary:
    """Upsert the run's matches; remove earlier rows of the same companies × notices that no longer fit."""
    summary = StoreSummary()
    companies = {p.pk for p in run.profiles}
    notices = sorted({item.notice_pk for item in run.items})
    existing: dict[tuple[int, int, str | None], MatchResult] = {}
    for start in range(0, len(notices), 5000):
        chunk = notices[start : start + 5000]
        for row in session.scalars(select(MatchResult).where(MatchResult.notice_pk.in_(chunk))):
            if row.company_pk in companies:
                existing[(row.company_pk, row.notice_pk, row.lot_id)] = row
    for match in run.matches:
        key = (match.company_pk, match.notice_pk, match.lot_id)
        values = _values(match)
        row = existing.pop(key, None)
        if row is None:
            session.add(MatchResult(company_pk=match.company_pk, notice_pk=match.notice_pk,
                                    lot_id=match.lot_id, **values))
            summary.created += 1
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            summary.updated += 1
        else:
            summary.unchanged += 1
    stale = [row.id for row in existing.values()]
    for start in range(0, len(stale), 5000):
        session.execute(delete(MatchResult).where(MatchResult.id.in_(stale[start : start + 5000])))
    summary.removed = len(stale)
    session.flush()
    return summary


def _values(match: Match) -> dict[str, Any]:
    """Return the match_result column values of a match."""
    return {
        "score": match.score,
        "branch_fit": match.branch_fit,
        "area_fit": match.area_fit,
        "size_fit": match.size_fit,
        "time_fit": match.time_fit,
        "reserved_eligible": match.reserved_eligible,
        "reasons": match.reasons,
        "details": _plain(match.details),
        "notice_content_hash": match.content_hash,
    }


def _plain(value: Any) -> Any:
    """JSON-ready copy: numpy scalars become Python numbers, tuples lists (so stored == computed)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


@dataclass(slots=True)
class DatabaseSummary:
    """What `match_database` did."""

    companies: int
    items: int
    matches: StoreSummary
    consortia: ConsortiumSummary

    def __str__(self) -> str:
        m = self.matches
        return (
            f"{self.companies} companies × {self.items} open notices/lots: {m.created} new, {m.updated} "
            f"updated, {m.unchanged} unchanged, {m.removed} removed matches; consortia {self.consortia}"
        )


def match_database(database_url: str, now: datetime | None = None) -> DatabaseSummary:
    """Match every active company against the open notices and suggest consortia; commit."""
    from matcher.consortium_service import suggest_for_open_notices  # noqa: PLC0415 - heavy (OR-Tools)
    from models.db import database  # noqa: PLC0415

    with database(database_url) as sessions, sessions() as session:
        run = compute_matches(session, now=now)
        stored = store_matches(session, run)
        consortia = suggest_for_open_notices(session, run)
        session.commit()
    return DatabaseSummary(len(run.profiles), len(run.items), stored, consortia)
