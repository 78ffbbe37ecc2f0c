"""Seeded synthetic companies, notices, networks and tenders for the matching benchmark and tests.

Nothing here is real: companies are numbered, places are drawn from the municipality table, and
branch tags, values and deadlines are drawn from simple distributions chosen to look like Swedish
public procurement (most notices in one municipality, a few county-wide; values around 1 mnkr).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import networkx as nx
import numpy as np

from matcher.areas import COUNTIES, UNKNOWN_PLACE, Gazetteer, Place, ServiceArea, gazetteer
from matcher.consortium_problem import Tender, branch_tender
from matcher.match_items import Item, MatchSettings, time_fit
from matcher.match_profiles import CompanyProfile
from matcher.registry_network import LINK_KINDS, add_link
from matcher.taxonomy import BRANCH_CODES

NOW = datetime(2026, 1, 15, 12, tzinfo=UTC)  # a fixed "today" so generated deadlines never expire


def synthetic_profiles(
    n: int, seed: int, counties: tuple[str, ...] | None = None, g: Gazetteer | None = None
) -> list[CompanyProfile]:
    """Return n companies with 1–3 branches, an area (a few municipalities, a radius or a county)."""
    g, rng = g or gazetteer(), np.random.default_rng(seed)
    homes = [m for m in g.municipalities if counties is None or m.county_code in counties]
    profiles = []
    for pk in range(1, n + 1):
        home = homes[int(rng.integers(len(homes)))]
        kind = rng.random()
        if kind < 0.6:
            near = np.argsort(g.distances[g.index[home.code]])[: int(rng.integers(1, 5))]
            area = ServiceArea(tuple(g.codes[i] for i in near))
        elif kind < 0.85:
            area = ServiceArea(radius_km=float(rng.integers(20, 81)), centre=home.code)
        else:
            area = ServiceArea(counties=(home.county_code,))
        branches = tuple(rng.choice(BRANCH_CODES, size=int(rng.integers(1, 4)), replace=False).tolist())
        profiles.append(
            CompanyProfile(
                pk=pk,
                name=f"Företag {pk}",
                org_number=f"{pk:010d}",
                branches=branches,
                area=area,
                capacity_sek=float(np.exp(rng.normal(np.log(1_000_000), 0.7))),
                capacity_source="stated",
                integration_share=float(rng.uniform(0.0, 0.8)),
            )
        )
    return profiles


def synthetic_items(n_notices: int, seed: int, g: Gazetteer | None = None) -> list[Item]:
    """Return the items of n open notices: 30 % have 2–4 lots (each lot is an item too)."""
    g, rng = g or gazetteer(), np.random.default_rng(seed)
    settings = MatchSettings()
    county_places = {c: Place(g.county_members(c), COUNTIES[c].name, "nuts") for c in COUNTIES}
    items: list[Item] = []
    for pk in range(1, n_notices + 1):
        draw = rng.random()
        if draw < 0.85:
            m = g.municipalities[int(rng.integers(len(g.municipalities)))]
            place = Place((m.code,), m.name, "buyer")
        elif draw < 0.97:
            place = county_places[str(rng.choice(list(COUNTIES)))]
        else:
            place = UNKNOWN_PLACE
        planning = rng.random() < 0.05
        deadline = None if planning else NOW + timedelta(days=float(rng.uniform(1, 60)))
        fit, days = time_fit("planning" if planning else "contract-notice", deadline, NOW, settings)
        base = {
            "notice_pk": pk, "title": f"Upphandling {pk}", "place": place,
            "notice_type": "planning" if planning else "contract-notice", "deadline": deadline,
            "days_left": days, "time_fit": fit, "reserved": bool(rng.random() < 0.05),
            "social": ["employment_requirement"] if rng.random() < 0.15 else [], "branch_source": "tags",
            "content_hash": f"{pk:064x}",
        }
        lots = int(rng.integers(2, 5)) if rng.random() < 0.3 else 0
        parts = [(_branches(rng), _value(rng)) for _ in range(lots)]
        if lots:
            scores: dict[str, float] = {}
            for part, _ in parts:
                for code, score in part.items():
                    scores[code] = max(scores.get(code, 0.0), score)
            values = [v for _, v in parts]
            total = None if any(v is None for v in values) else float(sum(values))  # type: ignore[arg-type]
        else:
            scores, total = _branches(rng), _value(rng)
        items.append(Item(lot_id=None, lot_title=None, value=total, branch_scores=scores,
                          small=total is not None and total <= settings.direct_award_limit_sek, **base))
        for number, (part, value) in enumerate(parts, start=1):
            items.append(Item(lot_id=f"LOT-{number:04d}", lot_title=f"Del {number}", value=value,
                              branch_scores=part,
                              small=value is not None and value <= settings.direct_award_limit_sek, **base))
    return items


def _branches(rng: np.random.Generator) -> dict[str, float]:
    """Branch tags of one notice or lot: none for 20 % (not an ASF branch), else one or two."""
    if rng.random() < 0.2:
        return {}
    codes = rng.choice(BRANCH_CODES, size=int(rng.integers(1, 3)), replace=False).tolist()
    return {code: round(float(rng.uniform(0.4, 1.0)), 3) for code in codes}


def _value(rng: np.random.Generator) -> float | None:
    """Draw a value around 1 mnkr (unknown for 10 %)."""
    return None if rng.random() < 0.1 else round(float(np.exp(rng.normal(np.log(1_000_000), 1.0))), -3)


def synthetic_network(profiles: list[CompanyProfile], seed: int, degree: float = 3.0,
                      g: Gazetteer | None = None) -> nx.Graph:
    """Link each company to about `degree` others, mostly nearby ones (same home county)."""
    g, rng = g or gazetteer(), np.random.default_rng(seed)
    by_county: dict[str, list[int]] = {}
    for p in profiles:
        by_county.setdefault(_county(p, g), []).append(p.pk)
    graph = nx.Graph()
    graph.add_nodes_from(p.pk for p in profiles)
    kinds = list(LINK_KINDS)
    for p in profiles:
        pool = by_county[_county(p, g)] if rng.random() < 0.85 else [q.pk for q in profiles]
        for _ in range(int(rng.poisson(degree / 2))):
            other = int(pool[int(rng.integers(len(pool)))])
            if other != p.pk:
                add_link(graph, p.pk, other, str(rng.choice(kinds)), float(rng.choice([0.5, 1.0, 1.0, 1.5])))
    return graph


def _county(profile: CompanyProfile, g: Gazetteer) -> str:
    """Return the county a company is based in."""
    area = profile.area
    if area.counties:
        return area.counties[0]
    code = area.centre or area.municipalities[0]
    return g.get(code).county_code  # type: ignore[union-attr]


@dataclass(frozen=True, slots=True)
class SyntheticTender:
    """A generated tender for the team-search benchmark."""

    tender: Tender
    kind: str  # "lots" | "branches" | "volume"


def synthetic_tenders(n: int, seed: int, counties: tuple[str, ...] | None,
                      g: Gazetteer | None = None) -> list[SyntheticTender]:
    """Return n tenders that often need a team: 2–4 lots, 2–3 branches, or one large volume."""
    g, rng = g or gazetteer(), np.random.default_rng(seed)
    towns = [m for m in g.municipalities if counties is None or m.county_code in counties]
    settings = MatchSettings()
    out = []
    for pk in range(1, n + 1):
        town = towns[int(rng.integers(len(towns)))]
        if rng.random() < 0.8:
            place = Place((town.code,), town.name, "buyer")
        else:
            place = Place(g.county_members(town.county_code), COUNTIES[town.county_code].name, "nuts")
        fit, days = time_fit("contract-notice", NOW + timedelta(days=30), NOW, settings)
        kind = str(rng.choice(["lots", "branches", "volume"]))
        common = {"notice_pk": pk, "title": f"Anbud {pk}", "place": place, "notice_type": "contract-notice",
                  "deadline": NOW + timedelta(days=30), "days_left": days, "time_fit": fit, "small": False,
                  "reserved": False, "social": [], "branch_source": "tags", "content_hash": f"{pk:064x}"}
        if kind == "lots":
            lots = [Item(lot_id=f"LOT-{i:04d}", lot_title=f"Del {i}", value=float(rng.integers(3, 20)) * 1e5,
                         branch_scores={str(rng.choice(BRANCH_CODES)): 0.9}, **common)
                    for i in range(1, int(rng.integers(2, 5)) + 1)]
            value = float(sum(lot.value for lot in lots if lot.value))
            keys = [str(lot.lot_id) for lot in lots]
            tender = Tender(pk, None, f"Anbud {pk}", keys, {k: k for k in keys}, lots, place, value, False,
                            common["content_hash"])  # type: ignore[arg-type]
        else:
            size = int(rng.integers(2, 4)) if kind == "branches" else 1
            codes = rng.choice(BRANCH_CODES, size=size, replace=False).tolist()
            low, high = (5, 40) if kind == "branches" else (20, 60)
            value = float(rng.integers(low, high)) * 1e5
            item = Item(lot_id=None, lot_title=None, value=value, branch_scores=dict.fromkeys(codes, 0.9),
                        **common)
            tender = branch_tender(item)  # type: ignore[assignment]
        out.append(SyntheticTender(tender, kind))
    return out
