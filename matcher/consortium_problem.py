"""From a tender to a team-search problem: requirements, candidates, fits, place and network links.

A tender is a notice with two or more lots (each lot is a requirement), a notice or lot asking for
several branches (each branch is a requirement), or a notice or lot with one branch that may still
be too large or too spread out for one company. A team is only sought when no single company can
take the tender alone; `Diagnosis` says why none can, in Swedish.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import networkx as nx
import numpy as np

from matcher.areas import Gazetteer, Place
from matcher.consortium import ConsortiumProblem
from matcher.match_engine import CompanyArrays, area_table, branch_fit
from matcher.match_items import Item, item_arrays
from matcher.match_profiles import CompanyProfile
from matcher.match_reasons import branch_name, sek

REQUIREMENT_MIN_SCORE = 0.5  # a branch tag at or above this is something the tender asks for
COVER_MIN_FIT = 0.5  # a company covers a requirement with a branch fit at least this
PER_REQUIREMENT = 12  # candidates kept per requirement (best fit), before network neighbours
PER_MUNICIPALITY = 3  # candidates kept per municipality of the place
BY_CAPACITY = 10  # candidates kept for their capacity
POOL_MAX = 60  # the most candidates handed to the solver


@dataclass(slots=True)
class Tender:
    """What a team must cover: requirement items (one per lot or branch) at one place."""

    notice_pk: int
    lot_id: str | None
    title: str  # the notice's title, with the lot's for a lot
    keys: list[str]  # lot ids or branch codes
    labels: dict[str, str]  # key -> words
    items: list[Item]  # one per key
    place: Place
    value: float | None
    reserved: bool
    content_hash: str


def tenders_of(items: Sequence[Item]) -> list[Tender]:
    """Group matching items into tenders: each notice, and each lot of a notice with lots."""
    by_notice: dict[int, list[Item]] = defaultdict(list)
    for item in items:
        by_notice[item.notice_pk].append(item)
    tenders = []
    for group in by_notice.values():
        notice = next((i for i in group if i.lot_id is None), None)
        lots = [i for i in group if i.lot_id is not None]
        if notice is None:
            continue
        if len(lots) >= 2:
            keys = [str(lot.lot_id) for lot in lots]
            labels = {str(lot.lot_id): lot.lot_title or str(lot.lot_id) for lot in lots}
            tenders.append(_tender(notice, keys, labels, lots))
            tenders += [t for lot in lots if (t := branch_tender(lot)) is not None]
        elif (t := branch_tender(notice)) is not None:
            tenders.append(t)
    return tenders


def _tender(base: Item, keys: list[str], labels: dict[str, str], items: list[Item]) -> Tender:
    """Build a tender from its base item and its requirement items."""
    title = f"{base.title} (del: {base.lot_title or base.lot_id})" if base.lot_id else base.title
    return Tender(base.notice_pk, base.lot_id, title, keys, labels, items, base.place,
                  base.value, base.reserved, base.content_hash)


def branch_tender(item: Item) -> Tender | None:
    """Return a tender whose requirements are the item's branches (None when it asks for no branch)."""
    wanted = sorted((c for c, s in item.branch_scores.items() if s >= REQUIREMENT_MIN_SCORE),
                    key=lambda c: -item.branch_scores[c])
    if not wanted:
        return None
    parts = [replace(item, branch_scores={code: item.branch_scores[code]}) for code in wanted]
    return _tender(item, wanted, {c: branch_name(c) for c in wanted}, parts)


@dataclass(slots=True)
class Diagnosis:
    """Why a tender needs a team (Swedish), or which company can take it alone."""

    needed: bool
    why: list[str] = field(default_factory=list)
    alone: list[int] = field(default_factory=list)  # company pks that can take it alone
    unserved: list[str] = field(default_factory=list)  # municipalities of the place nobody serves
    candidates: int = 0


def build_problem(
    tender: Tender,
    profiles: Sequence[CompanyProfile],
    companies: CompanyArrays,
    graph: nx.Graph,
    g: Gazetteer,
) -> tuple[ConsortiumProblem | None, Diagnosis]:
    """Return the team-search problem of a tender (None when one company suffices or none can help)."""
    fit = requirement_fits(tender, companies, g)
    able = np.flatnonzero((fit > 0).any(axis=1))
    diagnosis = Diagnosis(needed=False, candidates=len(able))
    if not len(able):
        diagnosis.why.append("ingen i registret kan utföra någon del")
        return None, diagnosis
    place_idx = np.array([g.index[c] for c in tender.place.municipalities if c in g.index], dtype=np.int64)
    serves_all = companies.coverage[:, place_idx] if len(place_idx) else np.zeros((len(profiles), 0), bool)
    servable = serves_all[able].any(axis=0)
    diagnosis.unserved = [g.codes[i] for i, ok in zip(place_idx, servable, strict=True) if not ok]
    place_cols = np.flatnonzero(servable)
    capacity = np.nan_to_num(companies.capacity.astype(np.float64), nan=0.0)
    full = (fit[able] > 0).all(axis=1) & serves_all[able][:, place_cols].all(axis=1)
    if tender.value is not None:
        full &= capacity[able] >= tender.value
    diagnosis.alone = [profiles[i].pk for i in able[full]]
    if diagnosis.alone:
        return None, diagnosis
    diagnosis.needed = True
    diagnosis.why = _why(tender, fit[able], capacity[able], serves_all[able][:, place_cols])
    pool = _pool(fit, capacity, serves_all[:, place_cols], able, network=(graph, profiles))
    links = {}
    index = {profiles[c].pk: i for i, c in enumerate(pool)}
    for a, b, data in graph.subgraph(index).edges(data=True):
        i, j = sorted((index[a], index[b]))
        links[(i, j)] = float(data.get("weight", 1.0))
    problem = ConsortiumProblem(
        requirements=list(tender.keys),
        candidates=[profiles[c].pk for c in pool],
        fit=fit[pool],
        capacity=capacity[pool],
        value=tender.value,
        place=[g.codes[place_idx[i]] for i in place_cols],
        serves=serves_all[pool][:, place_cols],
        links=links,
    )
    return problem, diagnosis


def requirement_fits(tender: Tender, companies: CompanyArrays, g: Gazetteer) -> np.ndarray:
    """C × R: how well each company covers each requirement (branch fit, lowered by distance), 0 if not."""
    arrays, places = item_arrays(tender.items)
    areas = area_table(companies, places, g)
    branch = branch_fit(companies.branches, arrays.branch_index, arrays.branch_values)
    area = areas.fit[:, arrays.place]
    allowed = ~(arrays.reserved[None, :] & ~companies.eligible[:, None])
    if tender.reserved:
        allowed &= companies.eligible[:, None]
    ok = (branch >= COVER_MIN_FIT) & (area > 0) & allowed
    return np.where(ok, branch * (0.5 + 0.5 * area), 0.0).astype(np.float64)


def _why(tender: Tender, fit: np.ndarray, capacity: np.ndarray, serves: np.ndarray) -> list[str]:
    """Say in Swedish why no single candidate can take the tender alone."""
    why = []
    covered = (fit > 0).sum(axis=1)
    if covered.max(initial=0) < len(tender.keys):
        what = "delkontrakt" if tender.items and tender.items[0].lot_id and tender.lot_id is None else "delar"
        why.append(f"ingen enskild leverantör täcker alla {len(tender.keys)} {what}")
    if tender.value is not None and capacity.max(initial=0) < tender.value:
        why.append(
            f"värdet {sek(tender.value)} är större än vad någon enskild leverantör kan ta "
            f"(högst {sek(float(capacity.max(initial=0)))})"
        )
    if serves.shape[1] > 1 and not serves.all(axis=1).any():
        why.append(f"ingen enskild leverantör finns i hela {tender.place.label}")
    return why or ["ingen enskild leverantör uppfyller allt på en gång"]


def _pool(
    fit: np.ndarray,
    capacity: np.ndarray,
    serves: np.ndarray,
    able: np.ndarray,
    *,
    network: tuple[nx.Graph, Sequence[CompanyProfile]],
) -> list[int]:
    """Pick the candidates to hand to the solver (rows of `fit`).

    The best per requirement, per municipality and by capacity are all kept; their network
    neighbours are added up to POOL_MAX candidates in all.
    """
    graph, profiles = network
    best = fit.max(axis=1)
    core: set[int] = set()
    for r in range(fit.shape[1]):
        ranked = able[np.lexsort((-capacity[able], -fit[able, r]))]
        core.update(int(c) for c in ranked[:PER_REQUIREMENT] if fit[c, r] > 0)
    for p in range(serves.shape[1]):
        servers = able[serves[able, p]]
        core.update(int(c) for c in servers[np.argsort(-best[servers], kind="stable")][:PER_MUNICIPALITY])
    core.update(int(c) for c in able[np.argsort(-capacity[able], kind="stable")][:BY_CAPACITY])
    row_of = {profiles[int(c)].pk: int(c) for c in able}
    neighbours: set[int] = set()
    for c in core:
        pk = profiles[c].pk
        if pk in graph:
            neighbours.update(row_of[n] for n in graph.neighbors(pk) if n in row_of)
    def order(rows: set[int]) -> list[int]:
        """Sort candidate rows by best fit, then capacity."""
        return sorted(rows, key=lambda c: (-best[c], -capacity[c], profiles[c].pk))

    pool = order(core)
    return pool + order(neighbours - core)[: max(0, POOL_MAX - len(pool))]
