"""Swedish municipalities, counties and places: where a company works and where a contract is done.

The municipality table (anbudsradar/data/municipalities.csv, 290 rows with approximate centroids) is
read once into a `Gazetteer`; a notice's place of performance becomes a `Place` (a set of
municipalities), a company's service area a `ServiceArea`, and `area_fit` compares the two.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.company import Municipality

EARTH_RADIUS_KM = 6371.0
# Beyond the edge of a company's area, the area fit falls linearly to 0 at this distance: about an
# hour's drive, what a small company can reach for a daily service contract.
REACH_KM = 100.0
OUTSIDE_MAX_FIT = 0.5  # the best fit for a place outside the area (just across its edge)
PARTIAL_BASE_FIT = 0.5  # a multi-municipality place partly inside the area: 0.5 + 0.5 × covered share
UNKNOWN_FIT = 0.5  # the place, or the company's area, is not known


@dataclass(frozen=True, slots=True)
class County:
    """A Swedish county (län) with its NUTS-3 code and the names buyers use for it."""

    code: str
    name: str  # "Norrbottens län"
    short: str  # "Norrbotten"
    nuts3: str
    region: str  # the regional council's name, e.g. "Region Norrbotten"


COUNTIES: dict[str, County] = {
    c.code: c
    for c in (
        County("01", "Stockholms län", "Stockholm", "SE110", "Region Stockholm"),
        County("03", "Uppsala län", "Uppsala", "SE121", "Region Uppsala"),
        County("04", "Södermanlands län", "Södermanland", "SE122", "Region Sörmland"),
        County("05", "Östergötlands län", "Östergötland", "SE123", "Region Östergötland"),
        County("06", "Jönköpings län", "Jönköping", "SE211", "Region Jönköpings län"),
        County("07", "Kronobergs län", "Kronoberg", "SE212", "Region Kronoberg"),
        County("08", "Kalmar län", "Kalmar", "SE213", "Region Kalmar län"),
        County("09", "Gotlands län", "Gotland", "SE214", "Region Gotland"),
        County("10", "Blekinge län", "Blekinge", "SE221", "Region Blekinge"),
        County("12", "Skåne län", "Skåne", "SE224", "Region Skåne"),
        County("13", "Hallands län", "Halland", "SE231", "Region Halland"),
        County("14", "Västra Götalands län", "Västra Götaland", "SE232", "Västra Götalandsregionen"),
        County("17", "Värmlands län", "Värmland", "SE311", "Region Värmland"),
        County("18", "Örebro län", "Örebro", "SE124", "Region Örebro län"),
        County("19", "Västmanlands län", "Västmanland", "SE125", "Region Västmanland"),
        County("20", "Dalarnas län", "Dalarna", "SE312", "Region Dalarna"),
        County("21", "Gävleborgs län", "Gävleborg", "SE313", "Region Gävleborg"),
        County("22", "Västernorrlands län", "Västernorrland", "SE321", "Region Västernorrland"),
        County("23", "Jämtlands län", "Jämtland", "SE322", "Region Jämtland Härjedalen"),
        County("24", "Västerbottens län", "Västerbotten", "SE331", "Region Västerbotten"),
        County("25", "Norrbottens län", "Norrbotten", "SE332", "Region Norrbotten"),
    )
}
_COUNTY_BY_NUTS3 = {c.nuts3: c.code for c in COUNTIES.values()}
# Names of the counties by NUTS-3 code ("SE332" -> "Norrbottens län") and by county code ("25").
COUNTY_NAME_BY_NUTS3: dict[str, str] = {c.nuts3: c.name for c in COUNTIES.values()}
COUNTY_NAME_BY_CODE: dict[str, str] = {c.code: c.name for c in COUNTIES.values()}
_MUNICIPAL_SUFFIX = re.compile(r"\s+(kommun|stad|municipality)$")
# "Luleå kommun", "Bodens kommun, Tekniska förvaltningen", "Upplands Väsby kommun", "Stockholms stad".
_MUNICIPAL_NAME = re.compile(r"(?:^|\s)((?:\S+\s)?\S+)\s(?:kommun|stad)\b")


@dataclass(frozen=True, slots=True)
class MunicipalityInfo:
    """One row of the municipality table."""

    code: str
    name: str
    county_code: str
    nuts3: str
    seat: str
    latitude: float
    longitude: float


def _fold(text: str) -> str:
    """Case-fold and squeeze spaces and dashes, for name lookups."""
    return re.sub(r"[\s\-]+", " ", text.casefold()).strip()


@dataclass
class Gazetteer:
    """The municipality table in memory: lookups by code and name, county members, distances."""

    municipalities: tuple[MunicipalityInfo, ...]
    index: dict[str, int] = field(init=False)
    _names: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.index = {m.code: i for i, m in enumerate(self.municipalities)}
        self._names = {}
        for m in self.municipalities:  # seats first, so a municipality's own name wins a clash
            self._names.setdefault(_fold(m.seat), m.code)
        for m in self.municipalities:
            self._names[_fold(m.name)] = m.code

    @cached_property
    def codes(self) -> list[str]:
        """Municipality codes in table order (the column order of every matrix here)."""
        return [m.code for m in self.municipalities]

    def get(self, code: str) -> MunicipalityInfo | None:
        """Return a municipality by its four-digit code."""
        i = self.index.get(code)
        return None if i is None else self.municipalities[i]

    def name(self, code: str) -> str:
        """Return the municipality's name, or the code itself when unknown."""
        m = self.get(code)
        return m.name if m else code

    @cached_property
    def latitudes(self) -> np.ndarray:
        """Centroid latitudes in table order (degrees)."""
        return np.array([m.latitude for m in self.municipalities], dtype=np.float64)

    @cached_property
    def longitudes(self) -> np.ndarray:
        """Centroid longitudes in table order (degrees)."""
        return np.array([m.longitude for m in self.municipalities], dtype=np.float64)

    @cached_property
    def distances(self) -> np.ndarray:
        """Great-circle distances between every pair of centroids, km (M × M, float32)."""
        lat, lon = self.latitudes, self.longitudes
        return haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :]).astype(np.float32)

    def municipality_in_name(self, name: str | None) -> str | None:
        """Find the municipality a buyer's name is ('Bodens kommun, Tekniska förvaltningen' -> 2582)."""
        found = _MUNICIPAL_NAME.search(_fold(name or ""))
        if found is None:
            return None
        words = found.group(1).split(" ")
        return self.find_municipality(" ".join(words)) or (
            self.find_municipality(words[-1]) if len(words) > 1 else None
        )

    def county_members(self, county_code: str) -> tuple[str, ...]:
        """Return the codes of a county's municipalities."""
        return tuple(m.code for m in self.municipalities if m.county_code == county_code)

    def find_municipality(self, text: str | None) -> str | None:
        """Return the code for a municipality given by code, name, seat or 'Xs kommun'; else None."""
        if not text:
            return None
        text = text.strip()
        if text.isdigit():
            code = text.zfill(4)
            return code if code in self.index else None
        folded = _MUNICIPAL_SUFFIX.sub("", _fold(text))
        found = self._names.get(folded)
        if found is None and folded.endswith("s"):  # genitive: "Bodens kommun", "Stockholms stad"
            found = self._names.get(folded[:-1])
        return found

    def find_county(self, text: str | None) -> str | None:
        """Return the county code for '25', 'Norrbotten', 'Norrbottens län', 'Region Norrbotten', 'SE332'."""
        if not text:
            return None
        text = text.strip()
        if text.isdigit():
            code = text.zfill(2)
            return code if code in COUNTIES else None
        if text.upper() in _COUNTY_BY_NUTS3:
            return _COUNTY_BY_NUTS3[text.upper()]
        folded = _fold(text)
        for county in COUNTIES.values():
            if folded in {_fold(county.name), _fold(county.short), _fold(county.region)}:
                return county.code
        return None

    def county_in_text(self, text: str | None) -> str | None:
        """Find a county named inside a longer text ('Länsstyrelsen i Norrbottens län', 'Region Skåne')."""
        if not text:
            return None
        folded = _fold(text)
        for county in COUNTIES.values():
            if _fold(county.name) in folded or _fold(county.region) == folded:
                return county.code
        if folded.startswith("region "):
            return self.find_county(folded.removeprefix("region "))
        return None


def haversine_km(lat1: np.ndarray | float, lon1: np.ndarray | float, lat2: np.ndarray | float,
                 lon2: np.ndarray | float) -> np.ndarray:
    """Great-circle distance in km between points in degrees (numpy broadcasting)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def read_municipalities(text: str) -> tuple[MunicipalityInfo, ...]:
    """Parse the municipality CSV (lines starting with # are comments)."""
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return tuple(
        MunicipalityInfo(
            code=row["code"],
            name=row["name"],
            county_code=row["county_code"],
            nuts3=row["nuts3"],
            seat=row["seat"],
            latitude=float(row["latitude"]),
            longitude=float(row["longitude"]),
        )
        for row in csv.DictReader(io.StringIO("\n".join(lines)))
    )


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """Return the shipped municipality table (read once per process)."""
    text = resources.files("anbudsradar.data").joinpath("municipalities.csv").read_text(encoding="utf-8")
    return Gazetteer(read_municipalities(text))


def ensure_municipalities(session: Session, g: Gazetteer | None = None) -> int:
    """Insert or update the municipality table from the shipped CSV; return how many rows changed."""
    g = g or gazetteer()
    stored = {m.code: m for m in session.scalars(select(Municipality))}
    changed = 0
    for info in g.municipalities:
        values = {
            "name": info.name,
            "county_code": info.county_code,
            "nuts3": info.nuts3,
            "seat": info.seat,
            "latitude": info.latitude,
            "longitude": info.longitude,
        }
        row = stored.get(info.code)
        if row is None:
            session.add(Municipality(code=info.code, **values))
            changed += 1
        elif any(getattr(row, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            changed += 1
    if changed:
        session.flush()
    return changed


@dataclass(frozen=True, slots=True)
class Place:
    """Where a contract is performed, as a set of municipality codes (empty when unknown)."""

    municipalities: tuple[str, ...]
    label: str  # "Luleå", "Norrbottens län", "okänd plats"
    source: str  # "buyer" | "nuts" | "region" | "unknown"

    @property
    def known(self) -> bool:
        """True when at least one municipality is known."""
        return bool(self.municipalities)


UNKNOWN_PLACE = Place((), "okänd plats", "unknown")


def counties_of_nuts(codes: Iterable[str]) -> list[str]:
    """County codes covered by NUTS codes: SE332 -> 25, SE33 -> 24 and 25, SE -> every county."""
    found: list[str] = []
    for raw in codes:
        code = (raw or "").strip().upper()
        if not code.startswith("SE") or "Z" in code:  # SEZZZ: extra-regio
            continue
        for county in COUNTIES.values():
            if county.nuts3.startswith(code) and county.code not in found:
                found.append(county.code)
    return found


def resolve_place(
    nuts: Sequence[str],
    buyer_name: str | None,
    buyer_city: str | None,
    buyer_nuts: str | None = None,
    g: Gazetteer | None = None,
) -> Place:
    """Locate a contract: the buyer's municipality when it lies in the NUTS region, else the region.

    "Luleå kommun" with SE332 -> Luleå; "Region Norrbotten" -> Norrbottens län; a state agency in
    Borlänge with SE332 -> Norrbottens län (the NUTS code wins over the buyer's address).
    """
    g = g or gazetteer()
    counties = counties_of_nuts(nuts) or counties_of_nuts([buyer_nuts] if buyer_nuts else [])
    region = g.county_in_text(buyer_name)
    if region is not None and (not counties or region in counties):
        return _county_place(g, [region], "region")
    municipality = g.municipality_in_name(buyer_name) or g.find_municipality(buyer_city)
    if municipality is not None:
        info = g.get(municipality)
        if info is not None and (not counties or info.county_code in counties):
            return Place((municipality,), info.name, "buyer")
    if counties:
        return _county_place(g, counties, "nuts")
    return UNKNOWN_PLACE


def _county_place(g: Gazetteer, counties: list[str], source: str) -> Place:
    """Return the place made of whole counties."""
    members = tuple(code for county in counties for code in g.county_members(county))
    if len(counties) == len(COUNTIES):
        return Place(members, "hela Sverige", source)
    label = ", ".join(COUNTIES[c].name for c in counties)
    return Place(members, label, source)


@dataclass(frozen=True, slots=True)
class ServiceArea:
    """Where a company works: municipalities and/or counties and/or a radius around a municipality."""

    municipalities: tuple[str, ...] = ()
    counties: tuple[str, ...] = ()
    radius_km: float | None = None
    centre: str | None = None

    @property
    def empty(self) -> bool:
        """True when the company has given no area at all."""
        return not (self.municipalities or self.counties or (self.radius_km and self.centre))

    def covered(self, g: Gazetteer) -> np.ndarray:
        """Return a boolean mask over `g.codes`: the municipalities inside the area."""
        mask = np.zeros(len(g.municipalities), dtype=bool)
        for code in self.municipalities:
            if code in g.index:
                mask[g.index[code]] = True
        for county in self.counties:
            for code in g.county_members(county):
                mask[g.index[code]] = True
        if self.centre in g.index and self.radius_km is not None:
            mask |= g.distances[g.index[self.centre]] <= self.radius_km
        return mask

    def describe(self, g: Gazetteer | None = None) -> str:
        """Describe the area in Swedish: 'Luleå, Boden, Norrbottens län och 50 km runt Piteå'."""
        g = g or gazetteer()
        parts = [g.name(code) for code in self.municipalities]
        parts += [COUNTIES[c].name if c in COUNTIES else c for c in self.counties]
        if self.radius_km and self.centre:
            parts.append(f"{self.radius_km:g} km runt {g.name(self.centre)}")
        return join_sv(parts) or "inget angivet område"


def join_sv(parts: Sequence[str]) -> str:
    """Join words the Swedish way: 'a, b och c'."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " och " + parts[-1]


@dataclass(frozen=True, slots=True)
class AreaFit:
    """How well a place lies in a service area, with the figures behind it."""

    fit: float  # 0..1
    covered_share: float  # share of the place's municipalities inside the area
    distance_km: float | None  # from the area's nearest municipality to the place (0 inside)
    nearest: str | None  # the area's municipality nearest to the place


def area_fit(area: ServiceArea, place: Place, g: Gazetteer | None = None) -> AreaFit:
    """Compare a service area with a place: 1 inside, partial for a region, falling with distance outside."""
    g = g or gazetteer()
    if not place.known or area.empty:
        return AreaFit(UNKNOWN_FIT, 0.0, None, None)
    covered = area.covered(g)
    targets = np.array([g.index[c] for c in place.municipalities if c in g.index])
    share = float(covered[targets].mean())
    inside = np.flatnonzero(covered)
    block = g.distances[np.ix_(inside, targets)]
    row, _ = np.unravel_index(int(block.argmin()), block.shape)
    nearest, distance = g.codes[inside[row]], float(block.min())
    return AreaFit(float(fit_from(share, distance)), share, 0.0 if share > 0 else distance, nearest)


def fit_from(share: float | np.ndarray, distance_km: float | np.ndarray) -> np.ndarray:
    """Return the area fit from the covered share of a place and the distance to it (scalars or arrays)."""
    share = np.asarray(share, dtype=np.float32)
    outside = OUTSIDE_MAX_FIT * np.clip(1.0 - np.asarray(distance_km, dtype=np.float32) / REACH_KM, 0.0, 1.0)
    partial = PARTIAL_BASE_FIT + (1.0 - PARTIAL_BASE_FIT) * share
    return np.where(share >= 1.0, np.float32(1.0), np.where(share > 0, partial, outside)).astype(np.float32)
