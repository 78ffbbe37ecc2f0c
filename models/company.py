"""The company registry (ASFs and other social enterprises), municipalities and the supplier network."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow


class Municipality(Base):
    """A Swedish municipality (kommun): code, county, NUTS-3 region and an approximate centroid."""

    __tablename__ = "municipality"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)  # e.g. "2580" Luleå
    name: Mapped[str] = mapped_column(String(100))
    county_code: Mapped[str] = mapped_column(String(2), index=True)  # e.g. "25" Norrbotten
    nuts3: Mapped[str] = mapped_column(String(5), index=True)  # e.g. "SE332"
    seat: Mapped[str | None] = mapped_column(String(100))  # centralort, e.g. "Åkersberga" for Österåker
    latitude: Mapped[float]
    longitude: Mapped[float]


class Company(Base):
    """A company in the registry, usually an ASF (arbetsintegrerande socialt företag)."""

    __tablename__ = "company"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_number: Mapped[str] = mapped_column(String(10), unique=True)  # 10 digits, Luhn-checked
    name: Mapped[str] = mapped_column(String(300))
    legal_form: Mapped[str | None] = mapped_column(String(100))  # e.g. "ekonomisk förening"
    contact_emails: Mapped[list[str]]
    branches: Mapped[list[str]]  # taxonomy codes, matcher.taxonomy
    keywords: Mapped[list[str]]
    # Service area: municipality codes and/or county codes, and/or a radius around a municipality.
    area_municipalities: Mapped[list[str]]
    area_counties: Mapped[list[str]]
    area_radius_km: Mapped[float | None]
    area_centre: Mapped[str | None] = mapped_column(ForeignKey("municipality.code"))
    employees: Mapped[int | None]
    max_contract_value_sek: Mapped[float | None]
    yearly_turnover_sek: Mapped[float | None]
    # Share of employees who are disabled or far from the labour market (0..1); LOU 4 kap. 18 §
    # reserved contracts need at least 0.30.
    integration_share: Mapped[float | None]
    networks: Mapped[list[str]]
    digest_language: Mapped[str] = mapped_column(String(2), default="sv")
    digest_frequency: Mapped[str] = mapped_column(String(10), default="weekly")
    digest_min_score: Mapped[float] = mapped_column(default=0.5)
    digest_paused: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    fictional: Mapped[bool] = mapped_column(default=False)  # demo data, marked as such
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class NetworkLink(Base):
    """A link between two companies of the supplier network, with its kind and weight."""

    __tablename__ = "network_link"
    __table_args__ = (UniqueConstraint("company_a", "company_b", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_a: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    company_b: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    # "network" (same cooperative network), "joint_bid", "subcontracting", "shared_premises"
    kind: Mapped[str] = mapped_column(String(30))
    weight: Mapped[float] = mapped_column(default=1.0)
    note: Mapped[str | None] = mapped_column(Text)

    first: Mapped[Company] = relationship(foreign_keys=[company_a])
    second: Mapped[Company] = relationship(foreign_keys=[company_b])
