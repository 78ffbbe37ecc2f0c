"""Swedish names for the codes the pages show: notice types, social clauses, branches, counties."""

from __future__ import annotations

import re
from functools import cache

from matcher.areas import COUNTY_NAME_BY_NUTS3
from matcher.notes import in_swedish

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
# Where a tag comes from (matcher.tags.TagSource) and the fields its evidence names.
TAG_SOURCES: dict[str, str] = {
    "structured": "strukturerat fält",
    "rules": "ordregel",
    "classifier": "klassificerare",
}
EVIDENCE_FIELDS: dict[str, str] = {
    "title": "rubrik",
    "description": "beskrivning",
    "text": "texten",
    "cpv_main": "CPV-huvudkod",
    "cpv": "CPV-kod",
    "reserved_participation": "reserverat deltagande (BT-71)",
    "reserved_execution": "utförande inom program för skyddad anställning (BT-736)",
    "social_objectives": "sociala mål (BT-775)",
    "strategic_procurement": "strategisk upphandling (BT-06)",
    "suitability.vcse": "lämplig för sociala företag (OCDS suitability.vcse)",
}
_LOT_FIELD = re.compile(r"^lots\[(\d+)\]\.(.+)$")
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


def tag_source(source: str) -> str:
    """Return where a tag comes from in Swedish ("klassificerare"), or the code itself when unknown."""
    return TAG_SOURCES.get(source, source)


def evidence_field(field: str | None) -> str:
    """Return the field an evidence item names in Swedish: "lots[0].cpv" -> "delområde 1: CPV-kod"."""
    if not field:
        return ""
    lot = _LOT_FIELD.match(field)
    if lot is not None:
        return f"delområde {int(lot.group(1)) + 1}: {EVIDENCE_FIELDS.get(lot.group(2), lot.group(2))}"
    return EVIDENCE_FIELDS.get(field, field)


def evidence_note(note: str) -> str:
    """Return a tagging note ("text not analysed: ...") in Swedish (matcher.notes)."""
    return in_swedish(note)


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
