"""Seeded synthetic eForms notices in bulk, for benchmarks and load tests (never for accuracy claims)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import date, timedelta

from anbudsradar.samples.eforms_builder import SampleBuyer, SampleLot, SampleNotice, build_notice
from anbudsradar.samples.norrbotten import ALVSBYN, BODEN, FICTIONAL, LULEA, PITEA, REGION

BUYERS = (
    LULEA,
    PITEA,
    BODEN,
    ALVSBYN,
    REGION,
    SampleBuyer("Kiruna kommun", "2120002767", "Kiruna", "2584"),
    SampleBuyer("Umeå kommun", "2120002627", "Umeå", "2480", "SE331"),
    SampleBuyer("Stockholms stad", "2120000142", "Stockholm", "0180", "SE110"),
)
# (title, description, CPV) of typical tenders, ASF branches and others.
SUBJECTS = (
    ("Lokalvård av skolor", "Daglig städning och fönsterputs av skollokaler.", "90919200"),
    ("Drift av personalcafé", "Servering av kaffe och lunch i kommunhuset.", "55330000"),
    ("Snöröjning av gator", "Plogning, sandning och bortforsling av snö.", "90620000"),
    ("Skötsel av parker", "Gräsklippning och rabattskötsel.", "77310000"),
    ("Tvätt av textilier", "Tvätt och mangling av arbetskläder.", "98310000"),
    ("Tryck av broschyrer", "Tryckeritjänster för informationsmaterial.", "79810000"),
    ("Flytt av kontor", "Flyttjänster och bärhjälp.", "98392000"),
    ("Reparation av datorer", "Reparation och återbruk av IT-utrustning.", "50312000"),
    ("Ombyggnad av väg", "Vägarbeten och beläggning.", "45233120"),
    ("Konsulttjänster inom IT", "Systemutveckling och förvaltning.", "72000000"),
)


def synthetic_notices(count: int, seed: int = 20261129, today: date | None = None) -> Iterator[SampleNotice]:
    """Yield `count` varied, reproducible notices (same seed and day, same notices)."""
    rng = random.Random(seed)
    today = today or date(2026, 11, 29)
    for number in range(count):
        buyer = rng.choice(BUYERS)
        title, description, cpv = rng.choice(SUBJECTS)
        lots = tuple(
            SampleLot(
                f"{title}, delområde {index}",
                description,
                cpv,
                value_sek=float(rng.randrange(100, 5000) * 1000),
                reserved="res-ws" if rng.random() < 0.1 else "none",
                social_objectives=("opp",) if rng.random() < 0.15 else (),
            )
            for index in range(1, rng.randint(1, 3) + 1)
        )
        key = f"synthetic-{seed}-{number}"
        yield SampleNotice(
            key=key,
            notice_uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            procedure_uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            subtype=rng.choice(("16", "16", "16", "20", "25", "29")),
            buyer=buyer,
            title=f"{title} i {buyer.city}",
            description=description + FICTIONAL,
            cpv=cpv,
            published=(today - timedelta(days=rng.randrange(0, 60))).isoformat(),
            deadline=f"{(today + timedelta(days=rng.randrange(5, 60))).isoformat()}T12:00:00",
            lots=lots,
            documents_url=f"https://example.org/anbudsradar-demo/{key}",
        )


def synthetic_notice_bytes(count: int, seed: int = 20261129) -> list[tuple[str, bytes]]:
    """Return (name, eForms XML bytes) for `count` synthetic notices."""
    return [(f"{notice.key}.xml", build_notice(notice)) for notice in synthetic_notices(count, seed)]
