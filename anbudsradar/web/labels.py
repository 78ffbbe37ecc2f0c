"""Swedish names for the codes the pages show: notice types, social clauses, branches, counties."""

from __future__ import annotations

from functools import cache

from matcher.areas import COUNTY_NAME_BY_NUTS3

NOTICE_TYPES: dict[str, str] = {
    "contract-notice": "Annons om upphandling",
    "direct-award": "Direktupphandling (direkttilldelning)",
    "award": "Tilldelning",
    "planning": "Förhandsannons",
    "modification": "Ändring av kontrakt",
    "other": "Övrigt",
}
RESERVED: dict[str, str] = {
    "shelteredWorkshop": "Reserverat (4 kap. 18 § LOU, BT-71 res-ws)",
    "publicServiceMissionOrganization": (
        "Reserverat för organisationer med offentligt uppdrag (BT-71 res-pub-ser)"
    ),
}
SOCIAL_OBJECTIVES: dict[str, str] = {
    "opp": "Sysselsättningskrav (arbetstillfällen för personer långt från arbetsmarknaden)",
    "acc-all": "Tillgänglighet för alla",
    "et-eq": "Etnisk jämlikhet",
    "gen-eq": "Jämställdhet",
    "hum-right": "Mänskliga rättigheter",
    "work-cond": "Arbetsvillkor",
    "other": "Övriga sociala mål",
}
# Social tag codes (matcher.taxonomy.SOCIAL_CODES), short forms for badges.
SOCIAL_TAGS: dict[str, str] = {
    "reserved_sheltered": "Reserverat (4 kap. 18 § LOU)",
    "reserved_public_service": "Reserverat, offentligt uppdrag",
    "employment_requirement": "Sysselsättningskrav",
    "social_considerations": "Övriga sociala hänsyn",
}
CONSORTIUM_STATUS: dict[str, str] = {"proposed": "Förslag", "accepted": "Accepterat", "dismissed": "Avfärdat"}
CONSORTIUM_ACTIONS: dict[str, str] = {
    "proposed": "föreslog",
    "accepted": "accepterade",
    "dismissed": "avfärdade",
    "note": "antecknade",
}
DELIVERY_STATUS: dict[str, str] = {
    "sending": "Skickas",
    "sent": "Skickat",
    "failed": "Misslyckades",
    "retry": "Försöker igen",
    "empty": "Inget nytt",
}
NETWORK_KINDS: dict[str, str] = {
    "network": "Samma nätverk",
    "joint_bid": "Gemensamt anbud",
    "subcontracting": "Underleverantör",
    "shared_premises": "Delade lokaler",
}
# Swedish counties (län) by NUTS 2021 level-3 code.
COUNTIES: dict[str, str] = COUNTY_NAME_BY_NUTS3


@cache
def branches() -> dict[str, str]:
    """Branch code -> Swedish name, from matcher.taxonomy (empty if the taxonomy cannot be imported)."""
    try:
        from matcher.taxonomy import BRANCHES  # noqa: PLC0415 - optional: the matcher may be absent
    except ImportError:
        return {}
    return {branch.code: branch.name_sv for branch in BRANCHES}


@cache
def branch_prefixes() -> dict[str, tuple[str, ...]]:
    """Branch code -> its CPV prefixes (empty if the taxonomy cannot be imported)."""
    try:
        from matcher.taxonomy import BRANCHES  # noqa: PLC0415 - optional: the matcher may be absent
    except ImportError:
        return {}
    return {branch.code: branch.cpv_prefixes for branch in BRANCHES}


def branch_name(code: str) -> str:
    """Return a branch's Swedish name, or the code itself when unknown."""
    return branches().get(code, code)


def social_name(code: str) -> str:
    """Return a social tag's Swedish name, or the code itself when unknown."""
    return SOCIAL_TAGS.get(code, code)


# Swedish county codes (länskod) by NUTS 2021 level-3 code.
NUTS_COUNTY_CODES: dict[str, str] = {
    "SE110": "01",
    "SE121": "03",
    "SE122": "04",
    "SE123": "05",
    "SE211": "06",
    "SE212": "07",
    "SE213": "08",
    "SE214": "09",
    "SE221": "10",
    "SE224": "12",
    "SE231": "13",
    "SE232": "14",
    "SE311": "17",
    "SE124": "18",
    "SE125": "19",
    "SE312": "20",
    "SE313": "21",
    "SE321": "22",
    "SE322": "23",
    "SE331": "24",
    "SE332": "25",
}
