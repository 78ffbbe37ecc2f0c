"""Thirty FICTIONAL work-integrating social enterprises (ASF) in Norrbotten and their supplier network.

Every company here is invented for the demo: the names end in "(fiktiv)", the organisation numbers
start with 969999 (they pass the Luhn check but belong to no one), the emails are at example.org.
The branches, areas and capacities are chosen so that the bundled sample notices
(anbudsradar.samples.norrbotten) give matches, a reserved contract that one company may not bid
for, and tenders that only a team can take.
"""

# ruff: noqa: E501 - the company table reads best with one company per line
from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy.orm import Session

from matcher.registry import ImportReport, import_rows
from matcher.registry_fields import COLUMNS, luhn_digit
from matcher.registry_network import NETWORK_COLUMNS, NetworkReport, import_network_data

# name, legal form, branches, area municipalities, area counties, (radius km, centre),
# employees, largest contract (SEK), share of employees far from the labour market
_COMPANIES: tuple[tuple[Any, ...], ...] = (
    ("Städkooperativet Glänsande", "ekonomisk förening", "cleaning; property_care", "Luleå; Boden", "", None, 8, 1_000_000, 0.60),
    ("Rena Rum Kooperativ", "ekonomisk förening", "cleaning", "Luleå", "", None, 6, 900_000, 0.50),
    ("Lokalvårdarna i Norr AB", "aktiebolag", "cleaning", "Luleå; Piteå", "", None, 14, 3_000_000, 0.15),
    ("Café Solrosen", "ekonomisk förening", "catering", "Luleå", "", None, 7, 600_000, 0.70),
    ("Köket på Hertsön", "ekonomisk förening", "catering", "Luleå; Boden", "", None, 9, 2_000_000, 0.45),
    ("Matglädje Kooperativ", "ekonomisk förening", "catering", "Luleå", "", None, 5, 1_000_000, 0.50),
    ("Återbruket Luleå", "ideell förening", "recycling; retail", "", "", (40, "Luleå"), 11, 1_000_000, 0.55),
    ("Snickeriet Hyvelspån", "ekonomisk förening", "carpentry; property_care", "Luleå; Boden", "", None, 6, 700_000, 0.60),
    ("Tvätteriet Rena Händer", "ekonomisk förening", "laundry; textiles", "", "Norrbotten", None, 15, 3_000_000, 0.40),
    ("Datorverkstan Omstart", "aktiebolag", "it_refurbishing; recycling", "Luleå; Boden; Piteå", "", None, 8, 1_000_000, 0.50),
    ("Tryckeriet Hela Människan", "ideell förening", "printing; packaging_mailing", "Luleå", "", None, 5, 400_000, 0.60),
    ("Budcyklarna", "ekonomisk förening", "removals_courier", "Luleå", "", None, 4, 300_000, 0.40),
    ("Gröna Händer Luleå", "ekonomisk förening", "grounds; snow_streets", "Luleå", "", None, 10, 900_000, 0.50),
    ("Grönt & Snö i Boden", "ekonomisk förening", "grounds; snow_streets", "Boden", "", None, 9, 1_000_000, 0.50),
    ("Bodens Fastighetsservice Kooperativ", "ekonomisk förening", "property_care; snow_streets", "Boden; Luleå", "", None, 7, 800_000, 0.35),
    ("Tvättstugan Boden", "ekonomisk förening", "laundry", "Boden; Luleå", "", None, 8, 2_000_000, 0.50),
    ("Sömnadsateljén Tråden", "ideell förening", "textiles", "Boden", "", None, 4, 200_000, 0.80),
    ("Piteå Café & Catering", "ekonomisk förening", "catering", "Piteå", "", None, 8, 700_000, 0.50),
    ("Flyttkompaniet Nystart", "aktiebolag", "removals_courier; recycling", "Piteå; Luleå", "", None, 10, 800_000, 0.45),
    ("Städ & Service Piteå", "ekonomisk förening", "cleaning; property_care", "Piteå", "", None, 7, 900_000, 0.55),
    ("Tvätteriet Piteå", "ekonomisk förening", "laundry", "Piteå; Älvsbyn", "", None, 6, 1_500_000, 0.35),
    ("Piteå Snöröjning Kooperativ", "ekonomisk förening", "snow_streets; grounds", "", "", (30, "Piteå"), 5, 600_000, 0.50),
    ("Älvsby Park & Trädgård", "ekonomisk förening", "grounds; snow_streets", "Älvsbyn; Piteå", "", None, 6, 700_000, 0.65),
    ("Utskicksverkstaden Älvsbyn", "ideell förening", "packaging_mailing; printing", "Älvsbyn; Piteå; Luleå", "", None, 5, 300_000, 0.70),
    ("Kalix Städ Kooperativ", "ekonomisk förening", "cleaning", "Kalix; Haparanda; Överkalix", "", None, 6, 800_000, 0.40),
    ("Haparanda Återbruk", "ideell förening", "recycling; retail; textiles", "Haparanda; Kalix", "", None, 5, 500_000, 0.50),
    ("Malmfältens Tvätt & Textil", "ekonomisk förening", "laundry; textiles", "Kiruna; Gällivare; Pajala", "", None, 7, 1_000_000, 0.45),
    ("Kiruna Fastighetsskötsel", "aktiebolag", "property_care; snow_streets; cleaning", "Kiruna", "", None, 9, 1_200_000, 0.30),
    ("Inlandets Service Kooperativ", "ekonomisk förening", "cleaning; catering; property_care", "Jokkmokk; Arvidsjaur; Arjeplog", "", None, 8, 600_000, 0.50),
    ("Snöänglarna Boden", "ekonomisk förening", "snow_streets", "Boden", "", None, 5, 700_000, 0.50),
)  # fmt: skip

# (company number a, company number b, kind, weight, note) — numbers are 1-based rows above.
_LINKS: tuple[tuple[int, int, str, float, str], ...] = (
    (1, 2, "network", 1.0, "Coompanion Norrbotten"),
    (1, 8, "joint_bid", 1.0, "Lokalvård och vaktmästeri, 2024"),
    (7, 8, "shared_premises", 1.0, "Återbrukshuset, Luleå"),
    (7, 10, "network", 1.0, "Coompanion Norrbotten"),
    (9, 16, "subcontracting", 1.0, "Tvätt av arbetskläder"),
    (16, 21, "network", 1.0, "Coompanion Norrbotten"),
    (9, 27, "joint_bid", 1.0, "Hotelltvätt i Malmfälten, 2023"),
    (14, 15, "joint_bid", 1.0, "Snöröjning Boden, 2023"),
    (14, 30, "network", 1.0, "Coompanion Norrbotten"),
    (13, 14, "subcontracting", 0.5, ""),
    (4, 5, "network", 1.0, "Coompanion Norrbotten"),
    (5, 6, "joint_bid", 1.0, "Skolmåltider Luleå, 2024"),
    (6, 18, "network", 1.0, "Coompanion Norrbotten"),
    (11, 24, "subcontracting", 1.0, "Tryck och utskick"),
    (19, 7, "joint_bid", 1.0, "Kontorsflytt med återbruk, 2024"),
    (20, 1, "network", 1.0, "Coompanion Norrbotten"),
    (22, 23, "shared_premises", 1.0, "Maskinhall i Piteå"),
    (25, 26, "shared_premises", 1.0, "Kalix"),
    (28, 29, "network", 1.0, "Coompanion Norrbotten"),
    (12, 19, "subcontracting", 0.5, ""),
)
FICTIONAL_PREFIX = "969999"


def org_number(serial: int) -> str:
    """Return the fictional organisation number of demo company `serial` (1-based): 969999NNNC."""
    nine = f"{FICTIONAL_PREFIX}{serial:03d}"
    return nine + luhn_digit(nine)


def company_rows() -> list[dict[str, Any]]:
    """Return the demo companies as import rows (the columns of docs/companies-template.csv)."""
    rows = []
    for serial, row in enumerate(_COMPANIES, start=1):
        name, form, branches, municipalities, counties, radius, employees, largest, share = row
        plain = name.casefold().translate(str.maketrans("åäöé", "aaoe"))
        slug = "".join(ch for ch in plain if ch.isascii() and ch.isalnum())[:24]
        rows.append({
            "org_number": f"{org_number(serial)[:6]}-{org_number(serial)[6:]}",
            "name": f"{name} (fiktiv)",
            "legal_form": form,
            "contact_emails": f"info@{slug}.example.org",
            "branches": branches,
            "keywords": "",
            "area_municipalities": municipalities,
            "area_counties": counties,
            "area_radius_km": "" if radius is None else str(radius[0]),
            "area_centre": "" if radius is None else radius[1],
            "employees": str(employees),
            "max_contract_value_sek": str(largest),
            "yearly_turnover_sek": str(largest * 2),
            "integration_share": f"{share:.2f}",
            "networks": "Coompanion Norrbotten" if form == "ekonomisk förening" else "",
            "digest_language": "sv",
            "digest_frequency": "weekly",
            "digest_min_score": "0.5",
            "digest_paused": "nej",
            "active": "ja",
            "fictional": "ja",
        })
    return rows


def companies_csv() -> str:
    """Return the demo companies as a CSV file in the import format."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(company_rows())
    return out.getvalue()


def network_csv() -> str:
    """Return the demo supplier network as a CSV file in the `network import` format."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(NETWORK_COLUMNS)
    for a, b, kind, weight, note in _LINKS:
        writer.writerow([org_number(a), org_number(b), kind, weight, note])
    return out.getvalue()


def load_demo_companies(session: Session) -> tuple[ImportReport, NetworkReport]:
    """Import the demo companies and their network (idempotent); the caller commits."""
    rows = company_rows()
    report = import_rows(session, list(enumerate(rows, start=2)), set(COLUMNS), "demo companies")
    network = import_network_data(session, network_csv().encode(), "demo-network.csv")
    return report, network
