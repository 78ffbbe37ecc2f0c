"""Municipalities, places of performance, service areas and distances."""

from __future__ import annotations

import re

import numpy as np
import pytest

from matcher.areas import (
    COUNTIES,
    REACH_KM,
    Place,
    ServiceArea,
    area_fit,
    counties_of_nuts,
    gazetteer,
    haversine_km,
    resolve_place,
)
from tests.conftest import real_path

NORRBOTTEN = {
    "2506": "Arjeplog", "2505": "Arvidsjaur", "2582": "Boden", "2523": "Gällivare", "2583": "Haparanda",
    "2510": "Jokkmokk", "2514": "Kalix", "2584": "Kiruna", "2580": "Luleå", "2521": "Pajala", "2581": "Piteå",
    "2560": "Älvsbyn", "2513": "Överkalix", "2518": "Övertorneå",
}
# Municipalities per county (SCB); they add up to 290.
COUNTY_SIZES = {
    "01": 26, "03": 8, "04": 9, "05": 13, "06": 13, "07": 8, "08": 12, "09": 1, "10": 5, "12": 33, "13": 6,
    "14": 49, "17": 16, "18": 12, "19": 10, "20": 15, "21": 10, "22": 7, "23": 8, "24": 15, "25": 14,
}


def test_all_290_municipalities_with_county_and_nuts() -> None:
    g = gazetteer()
    assert len(g.municipalities) == 290 == len(set(g.codes))
    for m in g.municipalities:
        assert re.fullmatch(r"\d{4}", m.code) and m.code[:2] == m.county_code
        assert m.nuts3 == COUNTIES[m.county_code].nuts3
        assert 55.0 < m.latitude < 69.1 and 10.9 < m.longitude < 24.2  # inside Sweden
    sizes = {c: sum(1 for m in g.municipalities if m.county_code == c) for c in COUNTIES}
    assert sizes == COUNTY_SIZES
    assert {m.code: m.name for m in g.municipalities if m.county_code == "25"} == NORRBOTTEN


def test_county_nuts_codes_are_the_eforms_code_list() -> None:
    text = real_path("codelists/nuts_nuts-swe-lvl3.gc").read_text(encoding="utf-8")
    listed = set(re.findall(r"<SimpleValue>(SE\d{3})</SimpleValue>", text))
    assert {c.nuts3 for c in COUNTIES.values()} == listed


def test_county_seats_are_the_municipalities_ending_in_80() -> None:
    g = gazetteer()
    seats = {code: g.get(code + "80") for code in COUNTIES}
    assert all(seat is not None and seat.county_code == code for code, seat in seats.items())


@pytest.mark.parametrize(
    ("a", "b", "km"),
    # Straight-line distances between the towns (not road distances).
    [("2580", "2581", 44), ("2580", "2582", 33), ("2580", "2584", 265), ("0180", "1280", 513),
     ("2580", "0180", 720)],
)
def test_distances_between_towns(a: str, b: str, km: float) -> None:
    g = gazetteer()
    assert g.distances[g.index[a], g.index[b]] == pytest.approx(km, rel=0.06)
    assert g.distances[g.index[a], g.index[b]] == g.distances[g.index[b], g.index[a]]


def test_haversine_is_zero_on_the_spot_and_broadcasts() -> None:
    assert float(haversine_km(65.58, 22.15, 65.58, 22.15)) == 0.0
    assert haversine_km(np.array([65.0, 66.0]), 22.0, 65.0, 22.0).shape == (2,)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Luleå", "2580"), ("luleå kommun", "2580"), ("2580", "2580"), ("Bodens kommun", "2582"),
        ("Upplands Väsby", "0114"), ("Åkersberga", "0117"), ("Visby", "0980"), ("Malung-Sälen", "2023"),
        ("Gotham", None), ("9999", None),
    ],
)
def test_find_municipality_by_code_name_or_seat(text: str, code: str | None) -> None:
    assert gazetteer().find_municipality(text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("25", "25"), ("Norrbotten", "25"), ("Norrbottens län", "25"), ("Region Norrbotten", "25"),
        ("SE332", "25"), ("Västra Götalandsregionen", "14"), ("Region Sörmland", "04"), ("Atlantis", None),
    ],
)
def test_find_county(text: str, code: str | None) -> None:
    assert gazetteer().find_county(text) == code


@pytest.mark.parametrize(
    ("codes", "counties"),
    [
        (["SE332"], ["25"]), (["SE33"], ["24", "25"]), (["SEZZZ"], []), (["FI1D1"], []),
        (["SE"], list(COUNTIES)),
    ],
)
def test_counties_of_nuts_codes(codes: list[str], counties: list[str]) -> None:
    assert counties_of_nuts(codes) == counties


@pytest.mark.parametrize(
    ("nuts", "buyer", "city", "label", "size"),
    [
        (["SE332"], "Luleå kommun", "Luleå", "Luleå", 1),
        (["SE332"], "Bodens kommun, Tekniska förvaltningen", None, "Boden", 1),
        (["SE332"], "Älvsbyns kommun", "Älvsbyn", "Älvsbyn", 1),
        (["SE332"], "Region Norrbotten", "Luleå", "Norrbottens län", 14),
        (["SE332"], "Trafikverket", "Borlänge", "Norrbottens län", 14),  # NUTS wins over the address
        ([], "Luleå Energi AB", "Luleå", "Luleå", 1),  # no NUTS: the buyer's town
        (["SE332"], "Luleå Energi AB", "Luleå", "Luleå", 1),
        ([], "Okänd myndighet", None, "okänd plats", 0),
        (["SE110", "SE332"], "Myndigheten", None, "Stockholms län, Norrbottens län", 40),
    ],
)
def test_place_of_performance(nuts: list[str], buyer: str, city: str | None, label: str, size: int) -> None:
    place = resolve_place(nuts, buyer, city)
    assert (place.label, len(place.municipalities)) == (label, size)


LULEA = Place(("2580",), "Luleå", "buyer")
PITEA = Place(("2581",), "Piteå", "buyer")
KIRUNA = Place(("2584",), "Kiruna", "buyer")
NORRBOTTEN_PLACE = Place(tuple(NORRBOTTEN), "Norrbottens län", "nuts")


@pytest.mark.parametrize(
    ("area", "place", "fit", "share"),
    [
        (ServiceArea(("2580",)), LULEA, 1.0, 1.0),
        (ServiceArea(counties=("25",)), LULEA, 1.0, 1.0),
        (ServiceArea(counties=("25",)), NORRBOTTEN_PLACE, 1.0, 1.0),
        (ServiceArea(radius_km=50, centre="2580"), PITEA, 1.0, 1.0),  # Piteå 43 km from Luleå
        (ServiceArea(radius_km=30, centre="2580"), PITEA, 0.5 * (1 - 43 / REACH_KM), 0.0),
        (ServiceArea(("2580",)), PITEA, 0.5 * (1 - 43 / REACH_KM), 0.0),
        (ServiceArea(("2580",)), KIRUNA, 0.0, 0.0),  # 285 km: out of reach
        (ServiceArea(("2580", "2582")), NORRBOTTEN_PLACE, 0.5 + 0.5 * 2 / 14, 2 / 14),
        (ServiceArea(), LULEA, 0.5, 0.0),  # no area given: unknown
        (ServiceArea(("2580",)), Place((), "okänd plats", "unknown"), 0.5, 0.0),
    ],
)
def test_area_fit(area: ServiceArea, place: Place, fit: float, share: float) -> None:
    result = area_fit(area, place)
    assert result.fit == pytest.approx(fit, abs=0.02)
    assert result.covered_share == pytest.approx(share)


def test_distance_outside_is_measured_from_the_nearest_municipality_of_the_area() -> None:
    result = area_fit(ServiceArea(("2584", "2581")), LULEA)  # Kiruna and Piteå; Luleå is nearer Piteå
    assert result.nearest == "2581" and result.distance_km == pytest.approx(43, rel=0.05)


def test_service_area_in_words() -> None:
    area = ServiceArea(("2580", "2582"), ("24",), 50, "2581")
    assert area.describe() == "Luleå, Boden, Västerbottens län och 50 km runt Piteå"
    assert ServiceArea().describe() == "inget angivet område"
