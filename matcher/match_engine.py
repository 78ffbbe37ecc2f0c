"""Vectorised scoring of companies × notice items (a notice or one of its lots) with numpy.

The score of a company for an item is

    score = branch × (W_BRANCH + W_AREA·area + W_SIZE·size + W_TIME·time)
            + BONUS_RESERVED (reserved contract, company eligible) + BONUS_SOCIAL (employment clause)

capped at 1, where each fit is in [0, 1]. A pair is not a match when the branch fit is below
MIN_BRANCH_FIT, the place is out of reach (area fit 0), or the item is reserved under LOU 4 kap.
18 § and the company's share of employees far from the labour market is below 30 %. Items are scored
in blocks (company × block matrices), so memory stays bounded for any number of notices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.areas import UNKNOWN_FIT, Gazetteer, Place, fit_from
from matcher.taxonomy import BRANCH_CODES

W_BRANCH = 0.30  # a perfect branch fit alone is worth this much
W_AREA = 0.35  # where the work is done matters most to a small company after what it is
W_SIZE = 0.20
W_TIME = 0.15
BONUS_RESERVED = 0.10  # a reserved contract the company is eligible for: fewer, like-minded competitors
BONUS_SOCIAL = 0.05  # an employment requirement (sysselsättningskrav) suits an integrating company
MIN_BRANCH_FIT = 0.2  # below this the branch is a guess, not a fit
BRANCH_POWER = 8  # the p-norm that stands in for "the best shared branch" (exact for one branch)
BRANCH_SHARE_BASE = 0.6  # a company covering only part of an item's branches keeps 60 % of its fit
SIZE_UNKNOWN_FIT = 0.6  # value or capacity unknown
BRANCH_INDEX: dict[str, int] = {code: i for i, code in enumerate(BRANCH_CODES)}


@dataclass(slots=True)
class CompanyArrays:
    """The companies' features as arrays, one row per company."""

    branches: np.ndarray  # C × B float32, 1 where the company works in the branch
    coverage: np.ndarray  # C × M bool, municipalities inside the service area
    has_area: np.ndarray  # C bool, False when no area was given
    capacity: np.ndarray  # C float32 SEK, NaN when unknown
    eligible: np.ndarray  # C bool, integration share >= 30 %
    integrating: np.ndarray  # C bool, integration share > 0

    def __len__(self) -> int:
        return len(self.capacity)

    def take(self, rows: np.ndarray) -> CompanyArrays:
        """Return the companies at `rows`."""
        return CompanyArrays(
            self.branches[rows], self.coverage[rows], self.has_area[rows], self.capacity[rows],
            self.eligible[rows], self.integrating[rows],
        )


@dataclass(slots=True)
class ItemArrays:
    """The items' features as arrays, one row per item (a notice, or a lot of a notice with lots)."""

    branch_index: np.ndarray  # N × L int16, the item's branches best first (see branch_lists)
    branch_values: np.ndarray  # N × L float32, their tag scores (0 = padding)
    place: np.ndarray  # N int32, index into the place list
    value: np.ndarray  # N float32 SEK, NaN when unknown
    small: np.ndarray  # N bool, a direct award or a value below the direct-award limit
    time_fit: np.ndarray  # N float32, computed from the deadline when the items were built
    reserved: np.ndarray  # N bool, reserved under LOU 4 kap. 18 §
    social: np.ndarray  # N bool, an employment requirement or other social consideration

    @classmethod
    def build(
        cls,
        branch_scores: np.ndarray,
        *,
        place: np.ndarray,
        value: np.ndarray,
        small: np.ndarray,
        time_fit: np.ndarray,
        reserved: np.ndarray,
        social: np.ndarray,
    ) -> ItemArrays:
        """Build from dense N × B tag scores and per-item vectors."""
        index, values = branch_lists(np.asarray(branch_scores, dtype=np.float32))
        return cls(
            index, values, np.asarray(place, dtype=np.int32), np.asarray(value, dtype=np.float32),
            np.asarray(small, dtype=bool), np.asarray(time_fit, dtype=np.float32),
            np.asarray(reserved, dtype=bool), np.asarray(social, dtype=bool),
        )

    def __len__(self) -> int:
        return len(self.place)

    def take(self, rows: np.ndarray) -> ItemArrays:
        """Return the items at `rows`."""
        return ItemArrays(
            self.branch_index[rows], self.branch_values[rows], self.place[rows], self.value[rows],
            self.small[rows], self.time_fit[rows], self.reserved[rows], self.social[rows],
        )


@dataclass(slots=True)
class AreaTable:
    """The area fit of every company for every distinct place (C × U), with distance and share."""

    fit: np.ndarray  # C × U float32
    distance_km: np.ndarray  # C × U float32, from the area's nearest municipality (0 inside)
    share: np.ndarray  # C × U float32, share of the place's municipalities inside the area


def area_table(companies: CompanyArrays, places: list[Place], g: Gazetteer) -> AreaTable:
    """Compute the area fit of every company for every place, using the municipality distance matrix."""
    c, u, m = len(companies), len(places), len(g.municipalities)
    masks = np.zeros((u, m), dtype=np.float32)
    for i, place in enumerate(places):
        for code in place.municipalities:
            if code in g.index:
                masks[i, g.index[code]] = 1.0
    sizes = masks.sum(axis=1)
    share = (companies.coverage.astype(np.float32) @ masks.T) / np.maximum(sizes, 1.0)
    nearest = _distance_from_area(companies.coverage, g.distances)
    distance = np.full((c, u), np.inf, dtype=np.float32)
    for i in range(u):
        cols = np.flatnonzero(masks[i])
        if len(cols):
            distance[:, i] = nearest[:, cols].min(axis=1)
    fit = fit_from(share, distance)
    unknown = (sizes == 0)[None, :] | ~companies.has_area[:, None]
    fit = np.where(unknown, np.float32(UNKNOWN_FIT), fit).astype(np.float32)
    distance = np.where(share > 0, np.float32(0.0), distance).astype(np.float32)
    return AreaTable(fit, distance, share.astype(np.float32))


def _distance_from_area(coverage: np.ndarray, distances: np.ndarray) -> np.ndarray:
    """C × M: the distance from each company's nearest covered municipality to every municipality."""
    out = np.full(coverage.shape, np.inf, dtype=np.float32)
    for municipality in range(coverage.shape[1]):
        rows = np.flatnonzero(coverage[:, municipality])
        if len(rows):
            out[rows] = np.minimum(out[rows], distances[municipality])
    return out


def branch_lists(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Turn N × B tag scores into each item's branches, best first: (N × L indices, N × L scores).

    L is the largest number of branches of one item; shorter rows are padded with index 0, score 0.
    """
    count = int((scores > 0).sum(axis=1).max(initial=0))
    order = np.argsort(-scores, axis=1, kind="stable")[:, : max(count, 1)]
    values = np.take_along_axis(scores, order, axis=1).astype(np.float32)
    return order.astype(np.int16), values


def branch_fit(company_branches: np.ndarray, index: np.ndarray, values: np.ndarray) -> np.ndarray:
    """C × N: the best shared branch's tag score, lowered when the company covers only part of the item.

    `company_branches` is C × B bool; `index`/`values` come from `branch_lists`.
    """
    best = np.zeros((company_branches.shape[0], index.shape[0]), dtype=np.float32)
    shared = np.zeros_like(best)
    for level in range(index.shape[1] - 1, -1, -1):  # worst branch first, so the best one wins
        has = company_branches[:, index[:, level]]
        np.copyto(best, values[None, :, level], where=has & (values[None, :, level] > 0))
        shared += has * values[None, :, level]
    total = values.sum(axis=1)
    shared /= np.maximum(total, 1e-9)[None, :]
    np.minimum(shared, 1.0, out=shared)
    shared *= 1.0 - BRANCH_SHARE_BASE
    shared += BRANCH_SHARE_BASE
    best *= shared
    return best


def size_fit(capacity: np.ndarray, value: np.ndarray, small: np.ndarray) -> np.ndarray:
    """C × N: 1 when the value fits the capacity (or the item is small), capacity/value above it."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = capacity[:, None] / value[None, :]
    fit = np.minimum(ratio, np.float32(1.0))
    unknown = np.isnan(fit)
    fit[unknown] = SIZE_UNKNOWN_FIT
    if small.any():  # a small or direct-award item of unknown value suits a small company
        part = fit[:, small]
        part[unknown[:, small]] = 1.0
        fit[:, small] = part
    return fit


@dataclass(slots=True)
class BlockScores:
    """The factors and score of some companies for some items (r × n arrays)."""

    score: np.ndarray
    branch: np.ndarray
    area: np.ndarray  # r × 1: every item of a block has the same place
    size: np.ndarray
    blocked: np.ndarray  # bool: would fit, but the contract is reserved and the company not eligible


def score_block(companies: CompanyArrays, items: ItemArrays, area: np.ndarray) -> BlockScores:
    """Score companies against items that share one place (`area`: the companies' fit for it)."""
    branch = branch_fit(companies.branches, items.branch_index, items.branch_values)
    area = np.asarray(area, dtype=np.float32)[:, None]
    size = size_fit(companies.capacity, items.value, items.small)
    score = size * W_SIZE
    score += area * W_AREA
    score += (W_BRANCH + W_TIME * items.time_fit)[None, :]
    score *= branch
    score += BONUS_RESERVED * (companies.eligible[:, None] & items.reserved[None, :])
    score += BONUS_SOCIAL * (companies.integrating[:, None] & items.social[None, :])
    np.minimum(score, 1.0, out=score)
    fits = (branch >= MIN_BRANCH_FIT) & (area > 0)
    blocked = fits & items.reserved[None, :] & ~companies.eligible[:, None]
    fits &= ~blocked
    score *= fits
    return BlockScores(score, branch, area, size, blocked)


def unblocked_score(scores: BlockScores, items: ItemArrays) -> np.ndarray:
    """Return the score a blocked pair would have had without the reservation (for the explanation)."""
    base = scores.size * W_SIZE + scores.area * W_AREA + (W_BRANCH + W_TIME * items.time_fit)[None, :]
    return np.minimum(base * scores.branch, 1.0).astype(np.float32)


@dataclass(slots=True)
class TopMatches:
    """The best items per company: C × K item indices (-1 = none) and scores, best first."""

    items: np.ndarray
    scores: np.ndarray

    def pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (company row, item index, score) of every kept match."""
        rows, cols = np.nonzero(self.items >= 0)
        return rows, self.items[rows, cols], self.scores[rows, cols]


class TopKeeper:
    """Keeps the top K items per company above a threshold while blocks stream past.

    Pairs above the company's current cut-off are buffered; when the buffer is large, it is
    sorted by (company, -score, item) and cut to K per company, which raises the cut-offs.
    """

    def __init__(self, companies: int, k: int, threshold: float, buffer_limit: int = 4_000_000) -> None:
        self.k, self.companies, self.buffer_limit = k, companies, buffer_limit
        # A pair is kept when its score is above the cut-off; non-matches score 0 and never are.
        self.cutoff = np.full(companies, max(np.float32(threshold) - np.float32(1e-6), 0.0), dtype=np.float32)
        self._parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._buffered = 0

    def add(self, rows: np.ndarray, item_ids: np.ndarray, scores: np.ndarray) -> None:
        """Offer an r × n block of scores for companies `rows` and items `item_ids`."""
        r, c = np.nonzero(scores > self.cutoff[rows][:, None])
        if not len(r):
            return
        self._parts.append((rows[r], np.asarray(item_ids)[c], scores[r, c]))
        self._buffered += len(r)
        if self._buffered > self.buffer_limit:
            self._compact()

    def _compact(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cut the buffer to the best K per company; return it sorted (company, -score, item)."""
        if not self._parts:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0, dtype=np.float32)
        company = np.concatenate([p[0] for p in self._parts]).astype(np.int64)
        item = np.concatenate([p[1] for p in self._parts]).astype(np.int64)
        score = np.concatenate([p[2] for p in self._parts]).astype(np.float32)
        order = np.lexsort((item, -score, company))
        company, item, score = company[order], item[order], score[order]
        starts = np.searchsorted(company, company, side="left")
        keep = np.arange(len(company)) - starts < self.k
        company, item, score = company[keep], item[keep], score[keep]
        counts = np.bincount(company, minlength=self.companies)
        full = np.flatnonzero(counts >= self.k)
        last = np.searchsorted(company, full, side="left") + self.k - 1
        self.cutoff[full] = np.maximum(self.cutoff[full], score[last])
        self._parts = [(company, item, score)]
        self._buffered = len(company)
        return company, item, score

    def result(self) -> TopMatches:
        """Return the kept matches, best first within each company."""
        company, item, score = self._compact()
        items = np.full((self.companies, self.k), -1, dtype=np.int64)
        scores = np.full((self.companies, self.k), -1.0, dtype=np.float32)
        rank = np.arange(len(company)) - np.searchsorted(company, company, side="left")
        items[company, rank] = item
        scores[company, rank] = score
        return TopMatches(items, scores)


def top_matches(
    companies: CompanyArrays,
    items: ItemArrays,
    areas: AreaTable,
    *,
    threshold: float,
    top_n: int,
    max_cells: int = 4_000_000,
    with_blocked: bool = False,
) -> tuple[TopMatches, TopMatches | None]:
    """Score every company within reach of each place against that place's items; keep the top N.

    Items are grouped by place: only the companies whose area fit for the place is above 0 are
    scored, in blocks of at most `max_cells` pairs. Returns the top matches, and with
    `with_blocked` the best pairs that a 4 kap. 18 § reservation kept out (with their would-be score).
    """
    keeper = TopKeeper(len(companies), top_n, threshold)
    blocked = TopKeeper(len(companies), top_n, threshold) if with_blocked else None
    order = np.argsort(items.place, kind="stable")
    bounds = np.flatnonzero(np.diff(items.place[order])) + 1
    for group in np.split(order, bounds):
        if not len(group):
            continue
        place = int(items.place[group[0]])
        rows = np.flatnonzero(areas.fit[:, place] > 0)
        if not len(rows):
            continue
        subset = companies.take(rows)
        area = areas.fit[rows, place]
        step = max(1, max_cells // len(rows))
        for start in range(0, len(group), step):
            ids = group[start : start + step]
            part = items.take(ids)
            scores = score_block(subset, part, area)
            keeper.add(rows, ids, scores.score)
            if blocked is not None and scores.blocked.any():
                would_be = np.where(scores.blocked, unblocked_score(scores, part), np.float32(0.0))
                blocked.add(rows, ids, would_be)
    return keeper.result(), blocked.result() if blocked else None


@dataclass(slots=True)
class PairFactors:
    """The fits of selected (company row, item) pairs, one entry per pair."""

    branch: np.ndarray
    area: np.ndarray
    size: np.ndarray
    time: np.ndarray
    share: np.ndarray  # share of the place inside the area
    distance_km: np.ndarray  # from the area to the place (0 inside, inf unknown)
    reserved_bonus: np.ndarray  # bool
    social_bonus: np.ndarray  # bool
    rows: np.ndarray  # the company rows of the pairs
    items: np.ndarray  # the item indices of the pairs


def pair_factors(
    companies: CompanyArrays, items: ItemArrays, areas: AreaTable, rows: np.ndarray, item_ids: np.ndarray
) -> PairFactors:
    """Compute the factors of given pairs (vectorised; the same formulas as `score_block`)."""
    index, values = items.branch_index[item_ids], items.branch_values[item_ids]
    has = companies.branches[rows[:, None], index] & (values > 0)
    best = np.where(has, values, np.float32(0.0)).max(axis=1, initial=0.0)
    shared = (has * values).sum(axis=1) / np.maximum(values.sum(axis=1), 1e-9)
    branch = best * (BRANCH_SHARE_BASE + (1.0 - BRANCH_SHARE_BASE) * np.minimum(shared, 1.0))
    place = items.place[item_ids]
    with np.errstate(divide="ignore", invalid="ignore"):
        size = np.minimum(companies.capacity[rows] / items.value[item_ids], np.float32(1.0))
    unknown = np.isnan(size)
    size = np.where(unknown, np.where(items.small[item_ids], 1.0, SIZE_UNKNOWN_FIT), size)
    return PairFactors(
        branch=branch.astype(np.float32),
        area=areas.fit[rows, place],
        size=size.astype(np.float32),
        time=items.time_fit[item_ids],
        share=areas.share[rows, place],
        distance_km=areas.distance_km[rows, place],
        reserved_bonus=companies.eligible[rows] & items.reserved[item_ids],
        social_bonus=companies.integrating[rows] & items.social[item_ids],
        rows=rows,
        items=item_ids,
    )
