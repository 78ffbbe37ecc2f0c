"""Team search for joint bids: pick 2–4 companies that together cover a tender, with CP-SAT or greedily.

A `ConsortiumProblem` lists the requirements (lots or branches), the candidate companies with their
fit for each requirement, their capacity, the municipalities of the place that must be served, and
the supplier-network links between candidates. A team is feasible when every requirement has a
member that can do it, every listed municipality lies in some member's area, the capacities add up
to the value, and it has 2–4 members. Its score (the same for both solvers) is

    0.85 × mean over requirements of the best member's fit
    + 0.15 × min(members − 1, sum of link weights inside the team, each at most 1)
    − 0.16 × (members − 2)

so a well-linked pair of strong companies scores highest, and a member that adds nothing but a
link costs more than it brings. `solve_cpsat` returns the best few *different* teams (a later team
neither contains an earlier one nor lies inside it); `solve_greedy` is the set-cover heuristic it is
compared with.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
from ortools.sat.python import cp_model

W_FIT = 0.85
W_LINK = 0.15
SIZE_PENALTY = 0.16
MIN_SIZE, MAX_SIZE = 2, 4
SCALE = 1000  # CP-SAT works in integers: the score × SCALE
CAPACITY_UNIT_SEK = 1000  # capacities and values in whole thousands of kronor


@dataclass(slots=True)
class ConsortiumProblem:
    """One tender (or lot) to staff with a team; candidates are indexed 0..K-1."""

    requirements: list[str]  # lot ids or branch codes
    candidates: list[int]  # company primary keys
    fit: np.ndarray  # K × R, 0 when the candidate cannot do the requirement
    capacity: np.ndarray  # K, SEK (0 when unknown)
    value: float | None  # SEK the team must be able to take on, None when unknown
    place: list[str] = field(default_factory=list)  # municipality codes some member must serve
    serves: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))  # K × P
    links: dict[tuple[int, int], float] = field(default_factory=dict)  # (i, j), i < j -> weight
    min_size: int = MIN_SIZE
    max_size: int = MAX_SIZE

    def __post_init__(self) -> None:
        if self.serves.shape != (len(self.candidates), len(self.place)):
            self.serves = np.zeros((len(self.candidates), len(self.place)), dtype=bool)


@dataclass(frozen=True, slots=True)
class Team:
    """A feasible team: members (candidate indices), score and who covers what."""

    members: tuple[int, ...]
    score: float
    coverage: dict[str, list[int]]  # requirement -> members able to do it, best first
    fit: float  # mean best fit over the requirements
    link_weight: float  # capped sum of link weights inside the team
    links: tuple[tuple[int, int], ...]
    capacity: float
    solver: str


def evaluate(problem: ConsortiumProblem, members: tuple[int, ...] | list[int], solver: str) -> Team | None:
    """Return the team of these candidates with its score, or None when it is not feasible."""
    members = tuple(sorted(set(members)))
    if not problem.min_size <= len(members) <= problem.max_size:
        return None
    fits = problem.fit[list(members)]
    if not (fits > 0).any(axis=0).all():
        return None
    if problem.place and not problem.serves[list(members)].any(axis=0).all():
        return None
    capacity = float(problem.capacity[list(members)].sum())
    if problem.value is not None and _units(capacity) < _units_up(problem.value):
        return None
    links = tuple(pair for pair in combinations(members, 2) if pair in problem.links)
    link_weight = min(len(members) - 1.0, sum(min(problem.links[p], 1.0) for p in links))
    mean_fit = float(fits.max(axis=0).mean())
    score = W_FIT * mean_fit + W_LINK * link_weight - SIZE_PENALTY * (len(members) - MIN_SIZE)
    coverage = {
        req: [members[i] for i in np.argsort(-fits[:, r], kind="stable") if fits[i, r] > 0]
        for r, req in enumerate(problem.requirements)
    }
    return Team(members, round(min(1.0, max(0.0, score)), 4), coverage, mean_fit, link_weight, links,
                capacity, solver)


def _units(sek: float) -> int:
    """SEK in whole thousands, rounded down (a capacity)."""
    return math.floor(sek / CAPACITY_UNIT_SEK)


def _units_up(sek: float) -> int:
    """SEK in whole thousands, rounded up (a value to reach)."""
    return math.ceil(sek / CAPACITY_UNIT_SEK)


def solve_cpsat(
    problem: ConsortiumProblem, teams: int = 3, time_limit_s: float = 5.0, workers: int = 1, seed: int = 7
) -> list[Team]:
    """Return up to `teams` best different teams (no team contains another), best first."""
    built = _build_model(problem)
    if built is None:
        return []
    model, x = built
    found: list[Team] = []
    while len(found) < teams:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = time_limit_s
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = seed
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            break
        members = tuple(c for c in range(len(x)) if solver.value(x[c]))
        team = evaluate(problem, members, "cp-sat")
        if team is None:  # cannot happen: the model has the same constraints; stop rather than loop
            break
        found.append(team)
        # The next team may neither contain this one nor lie inside it.
        model.add(sum(x[c] for c in members) <= len(members) - 1)
        model.add(sum(x[c] for c in range(len(x)) if c not in members) >= 1)
    found.sort(key=lambda t: (-t.score, t.members))
    return found


def _build_model(problem: ConsortiumProblem) -> tuple[cp_model.CpModel, list[cp_model.IntVar]] | None:
    """Build the CP-SAT model; None when some requirement or municipality has no candidate at all."""
    k, r = problem.fit.shape
    if k < problem.min_size or r == 0:
        return None
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{c}") for c in range(k)]
    model.add(sum(x) >= problem.min_size)
    model.add(sum(x) <= problem.max_size)
    objective = []
    for j in range(r):  # b[c, j]: c is the member whose fit counts for requirement j
        able = [c for c in range(k) if problem.fit[c, j] > 0]
        if not able:
            return None
        best = {c: model.new_bool_var(f"b{c}_{j}") for c in able}
        model.add_exactly_one(best.values())
        for c, var in best.items():
            model.add_implication(var, x[c])
            objective.append(round(SCALE * W_FIT * problem.fit[c, j] / r) * var)
    for p in range(len(problem.place)):
        servers = [x[c] for c in range(k) if problem.serves[c, p]]
        if not servers:
            return None
        model.add_bool_or(servers)
    if problem.value is not None:
        units = [_units(float(v)) for v in problem.capacity]
        model.add(sum(u * x[c] for c, u in enumerate(units)) >= _units_up(problem.value))
    objective.append(round(SCALE * W_LINK / 10) * _link_term(model, problem, x))
    objective.append(-round(SCALE * SIZE_PENALTY) * sum(x))
    model.maximize(sum(objective))
    return model, x


def _link_term(
    model: cp_model.CpModel, problem: ConsortiumProblem, x: list[cp_model.IntVar]
) -> cp_model.IntVar:
    """Return the team's link weight in tenths, capped at members − 1 links."""
    terms = []
    for (a, b), weight in sorted(problem.links.items()):
        y = model.new_bool_var(f"y{a}_{b}")
        model.add_implication(y, x[a])
        model.add_implication(y, x[b])
        terms.append(round(10 * min(weight, 1.0)) * y)
    capped = model.new_int_var(0, 10 * (problem.max_size - 1), "links")
    model.add(capped <= (sum(terms) if terms else 0))
    model.add(capped <= 10 * (sum(x) - 1))
    return capped


@dataclass(slots=True)
class _Partial:
    """A team being built by the greedy heuristic."""

    members: list[int]
    best_fit: np.ndarray
    served: np.ndarray
    capacity: float = 0.0

    def add(self, problem: ConsortiumProblem, c: int) -> None:
        """Add candidate c."""
        self.members.append(c)
        self.best_fit = np.maximum(self.best_fit, problem.fit[c])
        if len(problem.place):
            self.served |= problem.serves[c]
        self.capacity += float(problem.capacity[c])


def solve_greedy(problem: ConsortiumProblem) -> Team | None:
    """Greedy set cover: add the candidate that covers most of what is still missing, until feasible."""
    k, r = problem.fit.shape
    team = _Partial([], np.zeros(r), np.zeros(len(problem.place), dtype=bool))
    while len(team.members) < problem.max_size:
        if len(team.members) >= problem.min_size and evaluate(problem, team.members, "greedy") is not None:
            break
        if not k:
            break
        gains = np.array([-np.inf if c in team.members else _gain(problem, c, team) for c in range(k)])
        choice = int(np.argmax(gains))
        enough = len(team.members) >= problem.min_size
        if not np.isfinite(gains[choice]) or (gains[choice] <= 0 and enough):
            break
        team.add(problem, choice)
    return evaluate(problem, team.members, "greedy")


def _gain(problem: ConsortiumProblem, c: int, team: _Partial) -> float:
    """Return what adding candidate c brings: better fits, served municipalities, capacity, links."""
    r = len(problem.requirements)
    uncovered = team.best_fit <= 0
    gain = float(problem.fit[c][uncovered].sum()) * 2.0 / r  # a missing requirement counts double
    gain += float(np.maximum(problem.fit[c] - team.best_fit, 0)[~uncovered].sum()) * W_FIT / r
    if len(problem.place):
        gain += float((problem.serves[c] & ~team.served).sum()) / len(problem.place)
    if problem.value:
        missing = max(0.0, problem.value - team.capacity)
        gain += min(missing, float(problem.capacity[c])) / problem.value
    weight = sum(min(problem.links.get((min(c, m), max(c, m)), 0.0), 1.0) for m in team.members)
    return gain + W_LINK * min(1.0, weight)
