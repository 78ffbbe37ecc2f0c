"""Scoring rules (branch, area, size, time, reserved eligibility), reasons, and the engine vs a reference."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.areas import Place, ServiceArea, area_fit
from matcher.match_items import Item, MatchSettings, time_fit
from matcher.match_profiles import CompanyProfile
from matcher.matching import match_items
from matcher.taxonomy import BRANCH_CODES

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
LULEA = Place(("2580",), "Luleå", "buyer")
PITEA = Place(("2581",), "Piteå", "buyer")
KIRUNA = Place(("2584",), "Kiruna", "buyer")
EVERYTHING = MatchSettings(threshold=0.0, top_n=1000)


def company(**changes: Any) -> CompanyProfile:
    base = CompanyProfile(
        pk=1, name="Städkooperativet Test (fiktiv)", org_number="9699990017", branches=("cleaning",),
        area=ServiceArea(("2580",)), capacity_sek=1_000_000.0, capacity_source="stated",
        integration_share=0.5,
    )
    return replace(base, **changes)


def item(days: float | None = 30, notice_type: str = "contract-notice", **changes: Any) -> Item:
    deadline = None if days is None else NOW + timedelta(days=days, hours=1)
    fit, left = time_fit(notice_type, deadline, NOW, MatchSettings())
    base = Item(
        notice_pk=1, lot_id=None, title="Lokalvård", lot_title=None, place=LULEA, value=900_000.0,
        notice_type=notice_type, deadline=deadline, days_left=left, time_fit=fit, small=False, reserved=False,
        social=[], branch_scores={"cleaning": 0.9}, branch_source="tags", content_hash="h",
    )
    return replace(base, **changes)


def only_match(profile: CompanyProfile, entry: Item, **kw: Any) -> Any:
    run = match_items([profile], [entry], EVERYTHING, with_blocked=True, **kw)
    return (run.matches[0] if run.matches else None), run


def expected(branch: float, area: float, size: float, time: float, bonus: float = 0.0) -> float:
    return min(1.0, branch * (0.30 + 0.35 * area + 0.20 * size + 0.15 * time) + bonus)


def test_a_perfect_fit_scores_by_the_documented_formula_with_reasons_in_swedish() -> None:
    match, _ = only_match(company(), item())
    assert match.score == pytest.approx(expected(0.9, 1.0, 1.0, 1.0), abs=1e-4)
    assert match.reasons[0] == "Städ och lokalvård i Luleå, inom ert område"
    assert match.reasons[1] == "Värdet 900\u00a0000 kr ryms i er kapacitet (1 mnkr)"
    assert match.reasons[2].startswith("Sista anbudsdag 31 mars (30 dagar kvar)")
    parts = match.details["contributions"]
    assert sum(parts.values()) == pytest.approx(match.score, abs=1e-3)


@pytest.mark.parametrize(
    ("branches", "scores", "fit", "words"),
    [
        (("cleaning",), {"cleaning": 0.9}, 0.9, None),
        (("cleaning", "laundry"), {"laundry": 0.7, "cleaning": 0.4}, 0.7 * (0.6 + 0.4 * 1.0), None),
        (("cleaning",), {"cleaning": 0.9, "property_care": 0.9}, 0.9 * 0.8, "fastighetsskötsel"),
        (("catering",), {"cleaning": 0.9}, None, None),
        (("cleaning",), {"cleaning": 0.15}, None, None),  # below the minimum branch fit
    ],
)
def test_branch_fit(
    branches: tuple[str, ...], scores: dict[str, float], fit: float | None, words: str | None
) -> None:
    match, _ = only_match(company(branches=branches), item(branch_scores=scores))
    if fit is None:
        assert match is None
        return
    assert match.branch_fit == pytest.approx(fit, abs=1e-4)
    if words:
        assert any(words in r and "gäller även" in r for r in match.reasons)


@pytest.mark.parametrize(
    ("area", "place", "fit", "words"),
    [
        (ServiceArea(("2580",)), LULEA, 1.0, "i Luleå, inom ert område"),
        (ServiceArea(("2580",)), PITEA, 0.5 * (1 - 43.06 / 100),
         "i Piteå, 43 km utanför ert område (från Luleå)"),
        (ServiceArea(counties=("25",)), LULEA, 1.0, "inom ert område"),
        (ServiceArea(("2580",)), KIRUNA, None, None),
        (ServiceArea(("2580", "2582")), Place(("2580", "2584"), "två orter", "nuts"), 0.75,
         "delvis inom ert område (1 av 2 kommuner)"),
        (ServiceArea(("2580",)), Place((), "okänd plats", "unknown"), 0.5,
         "platsen för utförandet anges inte"),
    ],
)
def test_area_fit_and_its_words(
    area: ServiceArea, place: Place, fit: float | None, words: str | None
) -> None:
    match, _ = only_match(company(area=area), item(place=place))
    if fit is None:
        assert match is None
        return
    assert match.area_fit == pytest.approx(fit, abs=0.01)
    assert words in match.reasons[0]


@pytest.mark.parametrize(
    ("capacity", "value", "notice_type", "small", "fit", "words"),
    [
        (1_000_000.0, 900_000.0, "contract-notice", False, 1.0, "ryms i er kapacitet"),
        (1_000_000.0, 2_500_000.0, "contract-notice", False, 0.4, "större än er kapacitet"),
        (1_000_000.0, 300_000.0, "contract-notice", True, 1.0, "Litet kontrakt (300\u00a0000 kr)"),
        (1_000_000.0, None, "contract-notice", False, 0.6, "Värdet anges inte"),
        (1_000_000.0, None, "direct-award", True, 1.0, "Direktupphandling – passar ett mindre företag"),
        (None, 900_000.0, "contract-notice", False, 0.6, "ni har inte angett hur stora uppdrag"),
    ],
)
def test_size_fit(
    *, capacity: float | None, value: float | None, notice_type: str, small: bool, fit: float, words: str
) -> None:
    profile = company(capacity_sek=capacity, capacity_source="stated" if capacity else "unknown")
    match, _ = only_match(profile, item(value=value, notice_type=notice_type, small=small))
    assert match.size_fit == pytest.approx(fit, abs=1e-4)
    assert any(words in r for r in match.reasons)


@pytest.mark.parametrize(
    ("days", "notice_type", "fit", "words"),
    [
        (30, "contract-notice", 1.0, "(30 dagar kvar)"),
        (21, "contract-notice", 1.0, "(21 dagar kvar)"),
        (13, "contract-notice", 0.2 + 0.8 * 8 / 16, "(13 dagar kvar)"),
        (3, "contract-notice", 0.2, "Kort om tid"),
        (1, "contract-notice", 0.2, "(1 dag kvar)"),
        (None, "planning", 0.5, "Förhandsinformation"),
        (None, "contract-notice", 0.7, "Ingen sista anbudsdag"),
    ],
)
def test_time_fit(days: float | None, notice_type: str, fit: float, words: str) -> None:
    match, _ = only_match(company(), item(days=days, notice_type=notice_type))
    assert match.time_fit == pytest.approx(fit, abs=1e-4)
    assert any(words in r for r in match.reasons)


def test_a_passed_deadline_is_not_open() -> None:
    assert time_fit("contract-notice", NOW - timedelta(hours=1), NOW, MatchSettings())[0] == 0.0


@pytest.mark.parametrize(
    ("share", "shown", "words"),
    [
        (0.30, True, "reserverat kontrakt som ni uppfyller"),
        (0.80, True, "reserverat kontrakt som ni uppfyller"),
        (0.29, False, "ni har angett 29\u00a0%"),
        (0.0, False, "ni har angett 0\u00a0%"),
        (None, False, "ni har inte angett någon andel"),
    ],
)
def test_a_reserved_contract_is_never_shown_to_a_company_that_is_not_eligible(
    share: float | None, shown: bool, words: str
) -> None:
    match, run = only_match(company(integration_share=share), item(reserved=True))
    if shown:
        assert match is not None and match.reserved_eligible is True
        assert words in match.reasons[0]
        assert match.details["contributions"]["reserved"] == 0.10
        assert run.blocked == []
    else:
        assert match is None
        assert len(run.blocked) == 1
        assert "LOU 4 kap. 18 §" in run.blocked[0].reasons[-1] and words in run.blocked[0].reasons[-1]


def test_unreserved_contract_has_no_eligibility_and_no_bonus() -> None:
    match, _ = only_match(company(integration_share=0.0), item())
    assert match.reserved_eligible is None and match.details["contributions"]["reserved"] == 0.0


def test_employment_requirement_adds_a_bonus_for_an_integrating_company() -> None:
    plain, _ = only_match(company(), item())
    social, _ = only_match(company(), item(social=["employment_requirement"]))
    assert social.score == pytest.approx(min(1.0, plain.score + 0.05), abs=1e-4)
    assert any("Sysselsättningskrav" in r for r in social.reasons)


def test_cpv_fallback_is_stated_in_the_reason() -> None:
    match, _ = only_match(company(), item(branch_source="cpv"))
    assert match.reasons[0].startswith("Städ och lokalvård (enligt CPV-kod) i Luleå")


def test_threshold_and_top_n_per_company() -> None:
    entries = [item(days=d, notice_pk=i) for i, d in enumerate([30, 13, 8, 3], start=1)]
    run = match_items([company()], entries, MatchSettings(threshold=0.0, top_n=2))
    assert [m.notice_pk for m in run.matches] == [1, 2]
    run = match_items([company()], entries, MatchSettings(threshold=0.8, top_n=50))
    assert all(m.score >= 0.8 for m in run.matches) and len(run.matches) < 4


# --- the vectorised engine against a plain, pair-by-pair reference ---------------------------------

AREAS = [ServiceArea(("2580",)), ServiceArea(("2581", "2560")), ServiceArea(counties=("25",)),
         ServiceArea(radius_km=60, centre="2582"), ServiceArea(("0180",)), ServiceArea()]
PLACES = [LULEA, PITEA, KIRUNA, Place(("2580", "2582", "2584"), "tre", "nuts"), Place((), "okänd", "unknown"),
          Place(("0180",), "Stockholm", "buyer")]


def reference(profile: CompanyProfile, entry: Item) -> float | None:
    """The documented score, computed pair by pair (None: not a match)."""
    shared = [s for code, s in entry.branch_scores.items() if code in profile.branches and s > 0]
    total = sum(entry.branch_scores.values())
    if not shared:
        return None
    branch = max(shared) * (0.6 + 0.4 * min(1.0, sum(shared) / total))
    area = area_fit(profile.area, entry.place).fit
    if profile.capacity_sek is None or entry.value is None:
        size = 1.0 if entry.small else 0.6
    else:
        size = min(1.0, profile.capacity_sek / entry.value)
    eligible = profile.integration_share is not None and profile.integration_share >= 0.3
    if branch < 0.2 or area <= 0 or (entry.reserved and not eligible):
        return None
    integrating = (profile.integration_share or 0) > 0
    bonus = 0.10 * (entry.reserved and eligible) + 0.05 * bool(entry.social and integrating)
    return expected(branch, area, size, entry.time_fit, bonus)


profiles_strategy = st.lists(
    st.builds(
        lambda i, b, a, cap, share: company(pk=i, branches=tuple(b), area=AREAS[a], capacity_sek=cap,
                                            integration_share=share),
        st.integers(1, 10**6),
        st.lists(st.sampled_from(BRANCH_CODES[:5]), min_size=1, max_size=3, unique=True),
        st.integers(0, len(AREAS) - 1),
        st.one_of(st.none(), st.floats(1e5, 5e6)),
        st.one_of(st.none(), st.floats(0, 1)),
    ),
    min_size=1, max_size=6, unique_by=lambda p: p.pk,
)
items_strategy = st.lists(
    st.builds(
        lambda i, scores, p, value, small, reserved, social, days: item(
            notice_pk=i, branch_scores=scores, place=PLACES[p], value=value, small=small, reserved=reserved,
            social=["employment_requirement"] if social else [], days=days),
        st.integers(1, 10**6),
        st.dictionaries(st.sampled_from(BRANCH_CODES[:5]), st.floats(0.05, 1.0), min_size=0, max_size=3),
        st.integers(0, len(PLACES) - 1),
        st.one_of(st.none(), st.floats(5e4, 1e7)),
        st.booleans(), st.booleans(), st.booleans(),
        st.one_of(st.none(), st.floats(0, 60)),
    ),
    min_size=1, max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(profiles_strategy, items_strategy)
def test_vectorised_scores_equal_the_pair_by_pair_reference(
    profiles: list[CompanyProfile], entries: list[Item]
) -> None:
    run = match_items(profiles, entries, EVERYTHING)
    computed: dict[tuple[int, int], list[float]] = {}
    for m in run.matches:
        computed.setdefault((m.company_pk, m.notice_pk), []).append(m.score)
    want: dict[tuple[int, int], list[float]] = {}
    for p in profiles:
        for e in entries:
            score = reference(p, e)
            if score is not None and score > 0:
                want.setdefault((p.pk, e.notice_pk), []).append(score)
    assert set(computed) == set(want)
    for key, scores in want.items():
        assert np.allclose(sorted(computed[key]), sorted(scores), atol=2e-4)
