"""Team search: teams really cover the tender (property-based), CP-SAT is optimal, greedy never better."""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.areas import Place, ServiceArea, gazetteer
from matcher.consortium import ConsortiumProblem, Team, evaluate, solve_cpsat, solve_greedy
from matcher.consortium_problem import Tender, build_problem, tenders_of
from matcher.consortium_service import divide_work, suggest_teams
from matcher.match_items import Item
from matcher.match_profiles import CompanyProfile, company_arrays
from matcher.registry_network import add_link

TOLERANCE = 0.005  # CP-SAT works on scores rounded to thousandths


@st.composite
def problems(draw: st.DrawFn) -> ConsortiumProblem:
    k = draw(st.integers(2, 8))
    r = draw(st.integers(1, 4))
    p = draw(st.integers(0, 3))
    fits = draw(st.lists(st.lists(st.sampled_from([0.0, 0.0, 0.5, 0.7, 0.9, 1.0]), min_size=r, max_size=r),
                         min_size=k, max_size=k))
    serves = draw(st.lists(st.lists(st.booleans(), min_size=p, max_size=p), min_size=k, max_size=k))
    capacity = draw(st.lists(st.sampled_from([0.0, 3e5, 5e5, 1e6, 2e6]), min_size=k, max_size=k))
    value = draw(st.one_of(st.none(), st.sampled_from([5e5, 1e6, 2.5e6, 4e6])))
    pairs = list(combinations(range(k), 2))
    linked = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=min(6, len(pairs))))
    weights = draw(st.lists(st.sampled_from([0.5, 1.0, 1.5]), min_size=len(linked), max_size=len(linked)))
    return ConsortiumProblem(
        requirements=[f"r{j}" for j in range(r)],
        candidates=list(range(100, 100 + k)),
        fit=np.array(fits, dtype=float).reshape(k, r),
        capacity=np.array(capacity),
        value=value,
        place=[f"m{j}" for j in range(p)],
        serves=np.array(serves, dtype=bool).reshape(k, p),
        links=dict(zip(linked, weights, strict=True)),
    )


def brute_force(problem: ConsortiumProblem) -> Team | None:
    teams = [
        team
        for size in range(2, 5)
        for members in combinations(range(len(problem.candidates)), size)
        if (team := evaluate(problem, members, "brute")) is not None
    ]
    return max(teams, key=lambda t: t.score, default=None)


def assert_covers(problem: ConsortiumProblem, team: Team) -> None:
    members = list(team.members)
    assert 2 <= len(members) <= 4
    assert (problem.fit[members] > 0).any(axis=0).all(), "a requirement is not covered"
    if problem.place:
        assert problem.serves[members].any(axis=0).all(), "a municipality is not served"
    if problem.value is not None:
        assert problem.capacity[members].sum() >= problem.value - 1000
    for key, who in team.coverage.items():
        assert who and all(problem.fit[m, problem.requirements.index(key)] > 0 for m in who)


@settings(max_examples=120, deadline=None)
@given(problems())
def test_suggested_teams_cover_every_requirement_and_cp_sat_is_optimal(problem: ConsortiumProblem) -> None:
    teams = solve_cpsat(problem, teams=3)
    best = brute_force(problem)
    if best is None:
        assert teams == [] and solve_greedy(problem) is None
        return
    assert teams, "CP-SAT missed a feasible team"
    assert teams[0].score >= best.score - TOLERANCE
    for team in teams:
        assert_covers(problem, team)
    assert [t.score for t in teams] == sorted((t.score for t in teams), reverse=True)
    found = [set(t.members) for t in teams]
    assert all(not a <= b and not b <= a for a, b in combinations(found, 2)), "teams are not different"
    greedy = solve_greedy(problem)
    if greedy is not None:
        assert_covers(problem, greedy)
        assert greedy.score <= teams[0].score + TOLERANCE


def test_linked_companies_are_preferred_and_named() -> None:
    # Two cleaners and two caretakers of equal fit; only cleaner 0 and caretaker 3 are linked.
    problem = ConsortiumProblem(
        requirements=["cleaning", "property_care"],
        candidates=[1, 2, 3, 4],
        fit=np.array([[0.9, 0], [0.9, 0], [0, 0.9], [0, 0.9]]),
        capacity=np.full(4, 1e6),
        value=1.5e6,
        links={(0, 3): 1.0},
    )
    best = solve_cpsat(problem, teams=1)[0]
    assert best.members == (0, 3) and best.links == ((0, 3),)
    assert best.score == pytest.approx(0.85 * 0.9 + 0.15)


def test_a_member_that_only_brings_one_link_is_not_added() -> None:
    problem = ConsortiumProblem(
        requirements=["a", "b"],
        candidates=[1, 2, 3],
        fit=np.array([[1.0, 0], [0, 1.0], [0.5, 0.5]]),
        capacity=np.full(3, 1e6),
        value=None,
        links={(0, 2): 1.0},
    )
    assert solve_cpsat(problem, teams=1)[0].members == (0, 1)


LULEA = Place(("2580",), "Luleå", "buyer")


def profile(pk: int, branches: tuple[str, ...], capacity: float, share: float = 0.5) -> CompanyProfile:
    name = f"Företag {pk} (fiktiv)"
    return CompanyProfile(pk, name, f"{pk:010d}", branches, ServiceArea(("2580",)), capacity, "stated", share)


def lot_item(lot_id: str | None, branch: str, value: float, **changes: object) -> Item:
    base = Item(notice_pk=7, lot_id=lot_id, title="Återbruk", lot_title=f"Del {lot_id}", place=LULEA,
                value=value, notice_type="contract-notice", deadline=None, days_left=None, time_fit=0.7,
                small=False, reserved=False, social=[], branch_scores={branch: 0.9}, branch_source="tags",
                content_hash="h")
    return replace(base, **changes)  # type: ignore[arg-type]


def two_lot_tender() -> Tender:
    lots = [lot_item("LOT-0001", "recycling", 350_000), lot_item("LOT-0002", "carpentry", 450_000)]
    notice = lot_item(None, "recycling", 800_000, branch_scores={"recycling": 0.9, "carpentry": 0.9})
    return next(t for t in tenders_of([notice, *lots]) if t.lot_id is None)


def test_a_tender_of_two_lots_gets_a_team_that_covers_both_with_reasons() -> None:
    g = gazetteer()
    profiles = [profile(1, ("recycling",), 1e6), profile(2, ("carpentry",), 7e5),
                profile(3, ("printing",), 1e6)]
    graph = nx.Graph()
    add_link(graph, 1, 2, "shared_premises", 1.0, note="Återbrukshuset")
    companies = company_arrays(profiles, g)
    suggestions, diagnosis = suggest_teams(two_lot_tender(), profiles, companies, graph, g)
    assert diagnosis.needed and "ingen enskild leverantör täcker alla 2 delkontrakt" in diagnosis.why
    best = suggestions[0]
    assert sorted(best.member_pks) == [1, 2]
    assert best.coverage == {"LOT-0001": [1], "LOT-0002": [2]}
    text = " ".join(best.reasons)
    assert "delar lokaler (Återbrukshuset)" in text and "Del LOT-0001 – Företag 1 (fiktiv)" in text


def test_no_team_when_one_company_can_take_it_alone() -> None:
    g = gazetteer()
    profiles = [profile(1, ("recycling", "carpentry"), 1e6), profile(2, ("carpentry",), 7e5)]
    problem, diagnosis = build_problem(two_lot_tender(), profiles, company_arrays(profiles, g), nx.Graph(), g)
    assert problem is None and diagnosis.alone == [1] and not diagnosis.needed


def test_a_reserved_tender_only_takes_eligible_companies() -> None:
    g = gazetteer()
    tender = replace(two_lot_tender(), reserved=True)
    profiles = [profile(1, ("recycling",), 1e6, share=0.1), profile(2, ("carpentry",), 7e5),
                profile(3, ("recycling",), 5e5, share=0.4)]
    suggestions, _ = suggest_teams(tender, profiles, company_arrays(profiles, g), nx.Graph(), g)
    assert suggestions and all(1 not in s.member_pks for s in suggestions)


def test_volume_above_every_capacity_is_shared() -> None:
    g = gazetteer()
    notice = lot_item(None, "laundry", 5_500_000)
    tender = tenders_of([notice])[0]
    profiles = [profile(i, ("laundry",), cap) for i, cap in enumerate([3e6, 2e6, 1.5e6, 1e6], start=1)]
    suggestions, diagnosis = suggest_teams(tender, profiles, company_arrays(profiles, g), nx.Graph(), g)
    assert any("större än vad någon enskild leverantör kan ta" in why for why in diagnosis.why)
    assert suggestions and all(s.team.capacity >= 5_500_000 for s in suggestions)
    best = suggestions[0]
    assert sorted(best.coverage["laundry"]) == sorted(best.member_pks)  # everyone shares the one branch


def test_work_is_divided_within_capacity() -> None:
    lots = [lot_item("A", "laundry", 3e6), lot_item("B", "laundry", 2.5e6)]
    tender = Tender(7, None, "Tvätt", ["A", "B"], {"A": "A", "B": "B"}, lots, LULEA, 5.5e6, False, "h")
    problem = ConsortiumProblem(["A", "B"], [1, 2, 3], np.full((3, 2), 0.9), np.array([3e6, 2e6, 1e6]), 5.5e6)
    team = evaluate(problem, (0, 1, 2), "test")
    assert team is not None
    assert divide_work(tender, problem, team) == {"A": [0], "B": [1, 2]}
