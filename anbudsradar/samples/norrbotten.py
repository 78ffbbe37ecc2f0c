"""Fictional sample notices from Norrbotten buyers (Luleå, Piteå, Boden, Älvsbyn, Region Norrbotten).

The buyers are real organisations; the notices are invented for the demo, marked so in their
descriptions, and link to example.org. Dates are relative to `today`, so the demo always has open
tenders; everything else is fixed, so two runs on the same day write identical bytes.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path

from anbudsradar.samples.eforms_builder import SampleBuyer, SampleLot, SampleNotice, build_notice

FICTIONAL = " (Exempelannons för demonstration, fiktiv.)"
_NAMESPACE = uuid.UUID("6f1c1a9e-2d43-4c55-9a53-7c3d8f0b1e01")

LULEA = SampleBuyer("Luleå kommun", "2120002726", "Luleå", "2580")
PITEA = SampleBuyer("Piteå kommun", "2120002742", "Piteå", "2581")
BODEN = SampleBuyer("Bodens kommun", "2120002692", "Boden", "2582")
ALVSBYN = SampleBuyer("Älvsbyns kommun", "2120002700", "Älvsbyn", "2560")
REGION = SampleBuyer("Region Norrbotten", "2321000230", "Luleå", "2580")


def _ids(key: str) -> tuple[str, str]:
    """Stable notice and procedure UUIDs for a sample key."""
    return str(uuid.uuid5(_NAMESPACE, f"notice:{key}")), str(uuid.uuid5(_NAMESPACE, f"procedure:{key}"))


def _notice(
    key: str,
    today: date,
    published_days_ago: int,
    deadline_in_days: int | None,
    **fields: object,
) -> SampleNotice:
    notice_uuid, procedure_uuid = _ids(fields.pop("procedure_key", key))  # type: ignore[arg-type]
    if "notice_key" in fields:
        notice_uuid = _ids(str(fields.pop("notice_key")))[0]
    published = today - timedelta(days=published_days_ago)
    deadline = None
    if deadline_in_days is not None:
        deadline = f"{(today + timedelta(days=deadline_in_days)).isoformat()}T23:59:00"
    description = str(fields.pop("description")) + FICTIONAL
    fields.setdefault("documents_url", f"https://example.org/anbudsradar-demo/{key}")
    return SampleNotice(
        key=key,
        notice_uuid=notice_uuid,
        procedure_uuid=procedure_uuid,
        published=published.isoformat(),
        deadline=deadline,
        description=description,
        **fields,  # type: ignore[arg-type]
    )


# The café tender and its change notice share lots and the employment requirement.
_CAFE_LOTS = (
    SampleLot(
        "Café Stadsbiblioteket",
        "Caféverksamhet fem dagar i veckan.",
        "55330000",
        480_000,
        social_objectives=("opp",),
    ),
)
_CAFE_REQUIREMENT = (
    "Sysselsättningskrav: leverantören ska erbjuda arbetsträning till personer som står långt från "
    "arbetsmarknaden."
)


def sample_notices(today: date) -> list[SampleNotice]:
    """Return the demo's notices, published in the weeks before `today`."""
    return [
        _notice(
            "lulea-lokalvard",
            today,
            3,
            30,
            subtype="16",
            buyer=LULEA,
            title="Lokalvård i Luleå kommuns förskolor",
            description="Luleå kommun upphandlar lokalvård (städning) av förskolor i två delområden. "
            "Upphandlingen är reserverad enligt 4 kap. 18 § LOU för leverantörer vars huvudsakliga syfte "
            "är social och yrkesmässig integrering av personer med funktionsnedsättning eller personer "
            "som står långt från arbetsmarknaden.",
            cpv="90919200",
            additional_cpv=("90911200",),
            lots=(
                SampleLot(
                    "Förskolor Luleå centrum",
                    "Daglig lokalvård av sex förskolor.",
                    "90919200",
                    900_000,
                    reserved="res-ws",
                ),
                SampleLot(
                    "Förskolor Gammelstad och Sunderbyn",
                    "Lokalvård och fönsterputs.",
                    "90911200",
                    650_000,
                    reserved="res-ws",
                ),
            ),
        ),
        _notice(
            "pitea-cafe",
            today,
            6,
            21,
            subtype="20",
            buyer=PITEA,
            title="Drift av café i Piteå stadsbibliotek",
            description="Piteå kommun söker en leverantör som driver caféet i stadsbiblioteket med "
            "servering av kaffe, smörgåsar och lunch. " + _CAFE_REQUIREMENT,
            cpv="55330000",
            lots=_CAFE_LOTS,
        ),
        _notice(
            "boden-snow",
            today,
            10,
            14,
            subtype="16",
            buyer=BODEN,
            title="Snöröjning och halkbekämpning av gång- och cykelvägar i Boden",
            description="Bodens kommun upphandlar snöröjning, sandning och halkbekämpning av gång- och "
            "cykelvägar samt skolgårdar i tre geografiska områden.",
            cpv="90620000",
            additional_cpv=("90630000",),
            lots=(
                SampleLot(
                    "Område Centrum", "Snöröjning av gång- och cykelvägar i centrum.", "90620000", 1_400_000
                ),
                SampleLot("Område Sävast", "Snöröjning och sandning.", "90620000", 900_000),
                SampleLot("Skolgårdar", "Halkbekämpning på skolgårdar.", "90630000", 400_000),
            ),
        ),
        _notice(
            "alvsbyn-grounds",
            today,
            2,
            35,
            subtype="16",
            buyer=ALVSBYN,
            title="Grönyteskötsel av parker och kyrkogårdar i Älvsbyn",
            description="Gräsklippning, rabattskötsel och lövkrattning på kommunens parker. Kontraktet "
            "ska fullgöras inom ramen för program för skyddad anställning.",
            cpv="77310000",
            additional_cpv=("77313000",),
            lots=(
                SampleLot(
                    "Parker och kyrkogårdar",
                    "Skötsel under säsongen maj–oktober.",
                    "77310000",
                    600_000,
                    reserved="res-ws",
                    reserved_execution=True,
                ),
            ),
        ),
        _notice(
            "region-laundry",
            today,
            12,
            40,
            subtype="16",
            buyer=REGION,
            title="Tvätt av arbetskläder och textilier för Region Norrbotten",
            description="Tvätt, mangling och reparation av arbetskläder och patienttextilier för hälso- "
            "och sjukvården i Luleå och Boden.",
            cpv="98310000",
            additional_cpv=("98311000",),
            lots=(
                SampleLot("Arbetskläder", "Tvätt och lagning av arbetskläder.", "98311000", 2_500_000),
                SampleLot("Patienttextilier", "Tvätt av patienttextilier.", "98310000", 3_000_000, sme=False),
            ),
        ),
        _notice(
            "lulea-print-veat",
            today,
            1,
            None,
            subtype="25",
            buyer=LULEA,
            title="Direktupphandling av tryck av informationsmaterial",
            description="Luleå kommun avser att tilldela kontrakt för tryck av broschyrer och affischer "
            "utan föregående annonsering (direktupphandling).",
            cpv="79810000",
            procedure_code="neg-wo-call",
            lots=(SampleLot("Tryckeritjänster", "Tryck av broschyrer och affischer.", "79810000", 250_000),),
        ),
        _notice(
            "pitea-removals",
            today,
            4,
            12,
            subtype="16",
            buyer=PITEA,
            title="Flyttjänster vid omflyttning av kommunens kontor",
            description="Flytt av möbler, arkiv och kontorsutrustning mellan kommunens lokaler i Piteå.",
            cpv="98392000",
            additional_cpv=("79613000",),
            lots=(SampleLot("Kontorsflytt", "Bärhjälp, packning och transport.", "98392000", 300_000),),
        ),
        _notice(
            "lulea-reuse",
            today,
            5,
            25,
            subtype="16",
            buyer=LULEA,
            title="Återbruk och renovering av kontorsmöbler",
            description="Insamling, renovering och återbruk av begagnade kontorsmöbler, med "
            "snickeriarbeten och ny klädsel.",
            cpv="90510000",
            additional_cpv=("50850000", "39100000"),
            lots=(
                SampleLot("Insamling och återbruk", "Hämtning och sortering av möbler.", "90510000", 350_000),
                SampleLot(
                    "Renovering", "Snickeri och omklädsel av stolar.", "50850000", 450_000, reserved="res-ws"
                ),
            ),
        ),
        _notice(
            "region-it",
            today,
            8,
            28,
            subtype="16",
            buyer=REGION,
            title="Reparation och återbruk av IT-utrustning",
            description="Reparation, rensning och återbruk av datorer och mobiltelefoner.",
            cpv="50312000",
            lots=(
                SampleLot(
                    "IT-reparation",
                    "Reparation av datorer.",
                    "50312000",
                    800_000,
                    social_objectives=("opp", "work-cond"),
                ),
            ),
        ),
        _notice(
            "boden-cleaning-award",
            today,
            9,
            None,
            subtype="29",
            buyer=BODEN,
            title="Städning av Bodens kommuns idrottshallar – tilldelning",
            description="Meddelande om tilldelning av kontrakt för städning av idrottshallar.",
            cpv="90911200",
            lots=(SampleLot("Idrottshallar", "Städning av fem idrottshallar.", "90911200", 700_000),),
        ),
        _notice(
            "lulea-meals-pin",
            today,
            20,
            None,
            subtype="4",
            buyer=LULEA,
            title="Förhandsinformation: måltidsservice i äldreboenden",
            description="Luleå kommun planerar att upphandla kök och måltidsservice för tre äldreboenden "
            "under våren.",
            cpv="55520000",
            lots=(SampleLot("Måltidsservice", "Matlagning och servering.", "55520000", 4_000_000),),
        ),
        _notice(
            "pitea-cafe-change",
            today,
            1,
            28,
            subtype="20",
            buyer=PITEA,
            procedure_key="pitea-cafe",
            notice_key="pitea-cafe-change",
            changes_notice=_ids("pitea-cafe")[0],
            title="Drift av café i Piteå stadsbibliotek",
            description="Ändring: sista dag för anbud är flyttad en vecka. Piteå kommun söker en "
            "leverantör som driver caféet i stadsbiblioteket. " + _CAFE_REQUIREMENT,
            cpv="55330000",
            lots=_CAFE_LOTS,
        ),
        _notice(
            "lulea-road",
            today,
            7,
            30,
            subtype="16",
            buyer=LULEA,
            title="Ombyggnad av Storgatan, etapp 2",
            description="Vägbyggnadsarbeten, ledningsarbeten och beläggning.",
            cpv="45233120",
            lots=(
                SampleLot(
                    "Storgatan etapp 2", "Om- och tillbyggnad av gata.", "45233120", 18_000_000, sme=False
                ),
            ),
        ),
        _notice(
            "alvsbyn-mailing",
            today,
            3,
            9,
            subtype="16",
            buyer=ALVSBYN,
            title="Paketering och utskick av informationsmaterial",
            description="Montering, paketering och utskick av kommunens informationsmaterial till hushåll.",
            cpv="79921000",
            additional_cpv=("79571000",),
            lots=(SampleLot("Utskick", "Kuvertering och utskick.", "79921000", 150_000),),
        ),
    ]


def write_samples(folder: Path, today: date) -> list[Path]:
    """Write every sample notice as eForms XML into `folder`; return the files in order."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for notice in sample_notices(today):
        path = folder / f"{notice.key}.xml"
        path.write_bytes(build_notice(notice))
        paths.append(path)
    return paths
