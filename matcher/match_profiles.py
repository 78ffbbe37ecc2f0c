"""Company profiles as matching sees them (branches, area, capacity, eligibility) and their arrays."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matcher.areas import Gazetteer, ServiceArea
from matcher.match_engine import BRANCH_INDEX, CompanyArrays
from matcher.registry_fields import RESERVED_SHARE
from models.company import Company

# Without a stated largest contract, a company is taken to manage about one year's turnover, or
# failing that 500 000 kr per employee (a rough turnover per employee of a Swedish ASF).
SEK_PER_EMPLOYEE = 500_000.0


@dataclass(frozen=True, slots=True)
class CompanyProfile:
    """What matching needs to know about a company."""

    pk: int
    name: str
    org_number: str
    branches: tuple[str, ...]
    area: ServiceArea
    capacity_sek: float | None
    capacity_source: str  # "stated" | "turnover" | "employees" | "unknown"
    integration_share: float | None

    @property
    def eligible(self) -> bool:
        """True when the company may bid for contracts reserved under LOU 4 kap. 18 § (share >= 30 %)."""
        return self.integration_share is not None and self.integration_share >= RESERVED_SHARE

    @classmethod
    def from_company(cls, company: Company) -> CompanyProfile:
        """Build the profile of a stored company."""
        capacity, source = capacity_of(company.max_contract_value_sek, company.yearly_turnover_sek,
                                       company.employees)
        return cls(
            pk=company.id,
            name=company.name,
            org_number=company.org_number,
            branches=tuple(company.branches),
            area=service_area(company),
            capacity_sek=capacity,
            capacity_source=source,
            integration_share=company.integration_share,
        )


def service_area(company: Company) -> ServiceArea:
    """Return a stored company's service area: municipalities, counties, or a radius around a centre."""
    return ServiceArea(
        tuple(company.area_municipalities or ()),
        tuple(company.area_counties or ()),
        company.area_radius_km,
        company.area_centre,
    )


def capacity_of(
    stated: float | None, turnover: float | None, employees: int | None
) -> tuple[float | None, str]:
    """Return the largest contract value a company can take, and where the figure comes from."""
    if stated:
        return float(stated), "stated"
    if turnover:
        return float(turnover), "turnover"
    if employees:
        return employees * SEK_PER_EMPLOYEE, "employees"
    return None, "unknown"


def company_arrays(profiles: Sequence[CompanyProfile], g: Gazetteer) -> CompanyArrays:
    """Turn profiles into the engine's arrays (one row per profile, in order)."""
    c = len(profiles)
    branches = np.zeros((c, len(BRANCH_INDEX)), dtype=bool)
    coverage = np.zeros((c, len(g.municipalities)), dtype=bool)
    for row, profile in enumerate(profiles):
        for code in profile.branches:
            if code in BRANCH_INDEX:
                branches[row, BRANCH_INDEX[code]] = True
        coverage[row] = profile.area.covered(g)
    shares = np.array([p.integration_share if p.integration_share is not None else -1.0 for p in profiles])
    return CompanyArrays(
        branches=branches,
        coverage=coverage,
        has_area=coverage.any(axis=1),
        capacity=np.array([np.nan if p.capacity_sek is None else p.capacity_sek for p in profiles],
                          dtype=np.float32),
        eligible=shares >= RESERVED_SHARE,
        integrating=shares > 0,
    )
