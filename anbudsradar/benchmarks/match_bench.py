"""`anbudsradar bench match`: matching speed and memory at scale, and team search CP-SAT vs greedy.

Part 1 scores N companies × M open notices (and their lots), generated with a fixed seed, with the
same code as `anbudsradar match` minus the database: company and item arrays, the area table, the
blocked company × notice scoring with top-50 selection, and the Swedish reasons of every kept match.
Peak memory is the process's maximum resident set size (getrusage), which includes Python itself.

Part 2 searches teams for generated tenders in networks of several sizes: the problem build (fits
of every company), CP-SAT (best team, then the best three different teams) and the greedy set-cover
heuristic on the same candidate pool, and the greedy's score gap to CP-SAT.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from dataclasses import dataclass

from matcher.areas import gazetteer
from matcher.consortium import solve_cpsat, solve_greedy
from matcher.consortium_problem import build_problem
from matcher.match_engine import area_table, top_matches
from matcher.match_items import MatchSettings, item_arrays
from matcher.match_profiles import company_arrays
from matcher.match_synthetic import synthetic_items, synthetic_network, synthetic_profiles, synthetic_tenders
from matcher.matching import Scored, explain_matches

# Which counties a network of a given size lives in: a small one in Norrbotten, a mid-sized one in
# the four northern counties, a large one in all of Sweden.
EXPLAIN_CHUNK = 1000  # companies whose matches are explained at a time
NETWORK_REGIONS: dict[int, tuple[str, ...] | None] = {100: ("25",), 1000: ("22", "23", "24", "25")}


def peak_rss_mb() -> float:
    """Return the process's peak resident memory so far, in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


@dataclass(frozen=True, slots=True)
class MatchBenchResult:
    """Timings of one matching run at scale."""

    companies: int
    notices: int
    items: int
    generate_s: float
    arrays_s: float
    score_s: float
    explain_s: float
    total_s: float
    matches: int
    rss_before_mb: float
    rss_peak_mb: float

    def describe(self) -> str:
        """Return the result as printed lines."""
        return "\n".join([
            f"matching: {self.companies} companies × {self.notices} open notices ({self.items} items with "
            f"lots), seed-generated in {self.generate_s:.1f} s (not counted)",
            f"  arrays + area table {self.arrays_s:.2f} s, scoring + top-50 per company "
            f"{self.score_s:.2f} s, reasons (Swedish, with details) for {self.matches} kept matches "
            f"{self.explain_s:.2f} s",
            f"  total {self.total_s:.1f} s; peak memory {self.rss_peak_mb:.0f} MB "
            f"(process, {self.rss_before_mb:.0f} MB before matching)",
        ])


def run_match_bench(n_companies: int, n_notices: int, seed: int) -> MatchBenchResult:
    """Generate companies and notices, then time matching them the way `anbudsradar match` does."""
    g, settings = gazetteer(), MatchSettings()
    started = time.perf_counter()
    profiles = synthetic_profiles(n_companies, seed, g=g)
    items = synthetic_items(n_notices, seed + 1, g=g)
    generated = time.perf_counter() - started
    rss_before = peak_rss_mb()
    t0 = time.perf_counter()
    companies = company_arrays(profiles, g)
    arrays, places = item_arrays(items)
    areas = area_table(companies, places, g)
    t1 = time.perf_counter()
    top, _ = top_matches(companies, arrays, areas, threshold=settings.threshold, top_n=settings.top_n)
    t2 = time.perf_counter()
    scored = Scored(profiles, items, companies, arrays, places, areas, top, None, settings, g)
    kept = 0
    for start in range(0, len(profiles), EXPLAIN_CHUNK):  # as a chunked store would: build, then drop
        kept += sum(1 for _ in explain_matches(scored, start, start + EXPLAIN_CHUNK))
    t3 = time.perf_counter()
    return MatchBenchResult(
        companies=n_companies,
        notices=n_notices,
        items=len(items),
        generate_s=generated,
        arrays_s=t1 - t0,
        score_s=t2 - t1,
        explain_s=t3 - t2,
        total_s=t3 - t0,
        matches=kept,
        rss_before_mb=rss_before,
        rss_peak_mb=peak_rss_mb(),
    )


@dataclass(frozen=True, slots=True)
class ConsortiumBenchLine:
    """Team search on one network size."""

    companies: int
    links: int
    tenders: int
    needing: int
    build_ms: list[float]
    pool: list[int]
    cpsat_ms: list[float]
    cpsat3_ms: list[float]
    greedy_ms: list[float]
    cpsat_found: int
    greedy_found: int
    gaps: list[float]  # (CP-SAT − greedy) / CP-SAT where both found a team
    greedy_missed: int  # CP-SAT found a team, greedy did not

    def describe(self) -> str:
        """Return the result as printed lines."""
        def ms(values: list[float]) -> str:
            """Format milliseconds as median and max."""
            if not values:
                return "–"
            return f"median {statistics.median(values):.1f} ms, max {max(values):.1f} ms"

        exact = sum(1 for gap in self.gaps if gap <= 1e-9)
        mean_gap = statistics.mean(self.gaps) if self.gaps else 0.0
        return "\n".join([
            f"teams: {self.companies} companies, {self.links} links, {self.tenders} tenders, "
            f"{self.needing} need a team (mean pool {statistics.mean(self.pool) if self.pool else 0:.0f} "
            "candidates)",
            f"  build problem {ms(self.build_ms)}; CP-SAT best team {ms(self.cpsat_ms)}, "
            f"3 different teams {ms(self.cpsat3_ms)}; greedy {ms(self.greedy_ms)}",
            f"  teams found: CP-SAT {self.cpsat_found}, greedy {self.greedy_found} "
            f"(greedy missed {self.greedy_missed}); greedy score gap mean {mean_gap:.1%}, "
            f"max {max(self.gaps, default=0.0):.1%}, equal to CP-SAT on {exact}/{len(self.gaps)}",
        ])


def run_consortium_bench(sizes: list[int], tenders: int, seed: int) -> list[ConsortiumBenchLine]:
    """Time team search, CP-SAT vs greedy, on generated networks of the given sizes."""
    g = gazetteer()
    lines = []
    for size in sizes:
        counties = NETWORK_REGIONS.get(size)
        profiles = synthetic_profiles(size, seed + size, counties, g)
        graph = synthetic_network(profiles, seed + size, g=g)
        companies = company_arrays(profiles, g)
        build, pool, cp1, cp3, greedy, gaps = [], [], [], [], [], []
        needing = cp_found = greedy_found = missed = 0
        for generated in synthetic_tenders(tenders, seed + size + 1, counties, g):
            t0 = time.perf_counter()
            problem, _ = build_problem(generated.tender, profiles, companies, graph, g)
            build.append((time.perf_counter() - t0) * 1000)
            if problem is None:
                continue
            needing += 1
            pool.append(len(problem.candidates))
            t1 = time.perf_counter()
            best = solve_cpsat(problem, teams=1)
            t2 = time.perf_counter()
            solve_cpsat(problem, teams=3)
            t3 = time.perf_counter()
            heuristic = solve_greedy(problem)
            t4 = time.perf_counter()
            cp1.append((t2 - t1) * 1000)
            cp3.append((t3 - t2) * 1000)
            greedy.append((t4 - t3) * 1000)
            cp_found += bool(best)
            greedy_found += heuristic is not None
            if best and heuristic is not None:
                top = best[0].score
                gaps.append(max(0.0, (top - heuristic.score) / top) if top else 0.0)
            elif best:
                missed += 1
        lines.append(ConsortiumBenchLine(
            size, graph.number_of_edges(), tenders, needing, build, pool, cp1, cp3, greedy, cp_found,
            greedy_found, gaps, missed,
        ))
    return lines
