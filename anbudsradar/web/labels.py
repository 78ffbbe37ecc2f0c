"""Swedish names for the codes the pages show: notice types, social clauses, branches, counties."""

from __future__ import annotations

import re
from functools import cache

from matcher.areas import COUNTY_NAME_BY_NUTS3
from matcher.notes import in_swedish
from notifier.formatting import reserved_under_lou

NOTICE_TYPES: dict[str, str] = {
    "contract-notice": "Annons om upphandling",
    "direct-award": "Direktupphandling (direkttilldelning)",
    "award": "Tilldelning",
    "planning": "Förhandsannons",
    "modification": "Ändring av kontrakt",
    "other": "Övrigt",
}
RESERVED: dict[str, str] = {
    "shelteredWorkshop": (
        "Reserverat för skyddade verkstäder och leverantörer som arbetar med social och yrkesmässig "
        "integrering"
    ),
    "publicServiceMissionOrganization": "Reserverat för organisationer med offentligt uppdrag",
}
# Short forms of BT-71 codes for evidence lists.
RESERVED_SHORT: dict[str, str] = {
    "shelteredWorkshop": "skyddade verkstäder och arbetsintegrerande leverantörer",
    "publicServiceMissionOrganization": "organisationer med offentligt uppdrag",
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
# BT-06 strategic procurement codes (the EU code list's Swedish labels, shortened).
STRATEGIC_PROCUREMENT: dict[str, str] = {
    "env-imp": "Minskad miljöpåverkan",
    "inn-pur": "Främjande av innovation",
    "soc-obj": "Främjande av social hållbarhet",
    "none": "Ingen strategisk upphandling",
}
# Where a notice was read from (Notice.source_format).
SOURCE_FORMATS: dict[str, str] = {
    "eforms": "eForms",
    "ted-legacy": "TED, äldre format",
    "ocds": "OCDS",
    "feed": "RSS-flöde",
    "html-listing": "köparens webbsida",
}
# ISO 639-1 languages of the notices the sources publish.
LANGUAGES: dict[str, str] = {
    "sv": "svenska",
    "en": "engelska",
    "no": "norska",
    "nb": "norska (bokmål)",
    "nn": "norska (nynorska)",
    "da": "danska",
    "fi": "finska",
    "de": "tyska",
    "fr": "franska",
    "es": "spanska",
    "it": "italienska",
    "pl": "polska",
    "el": "grekiska",
    "nl": "nederländska",
    "pt": "portugisiska",
    "et": "estniska",
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
# URL and form parameters as the pages label them, for messages about bad values.
PARAMETERS: dict[str, str] = {
    "q": "Fritext",
    "reserved": "Reserverade kontrakt",
    "employment": "Sysselsättningskrav",
    "social": "Övriga sociala hänsyn",
    "branch": "Bransch",
    "buyer": "Köpare",
    "municipality": "Kommun",
    "county": "Län",
    "type": "Annonstyp",
    "status": "Status",
    "deadline_from": "Sista anbudsdag från",
    "deadline_to": "Sista anbudsdag till",
    "sort": "Sortering",
    "order": "Ordning",
    "page": "Sida",
    "from": "Från",
    "to": "Till",
    "username": "Användarnamn",
    "password": "Lösenord",
    "week": "Vecka",
    "note": "Anteckning",
    "action": "Åtgärd",
    "active": "Aktiv",
    "file": "Fil",
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


def reservation_basis(country: str | None) -> str:
    """Name the law that reserves a contract: LOU for a Swedish (or unplaced) buyer, else the directive."""
    return "4 kap. 18 § LOU" if reserved_under_lou(country) else "art. 20 i direktiv 2014/24/EU"


def parameter(name: str) -> str:
    """Name a bad URL or form parameter for a person, keeping the name as the address shows it.

    "deadline_from" -> "Sista anbudsdag från (deadline_from)"; an unknown name is returned as it is.
    """
    label = PARAMETERS.get(name)
    return f"{label} ({name})" if label else name


def decimal(value: float | None, places: int = 2) -> str:
    """Format a number with a Swedish decimal comma: 0.95 -> "0,95"."""
    return "–" if value is None else f"{value:.{places}f}".replace(".", ",")


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


def evidence_value(field: str | None, value: object) -> str:
    """Return an evidence item's value in Swedish: BT codes by name, "true" as "ja"; CPV codes as they are."""
    text = str(value)
    name = (field or "").rsplit(".", 1)[-1]  # "lots[0].reserved_participation" -> "reserved_participation"
    if text.lower() in ("true", "false"):
        return "ja" if text.lower() == "true" else "nej"
    table = {
        "reserved_participation": RESERVED_SHORT,
        "social_objectives": SOCIAL_OBJECTIVES,
        "strategic_procurement": STRATEGIC_PROCUREMENT,
    }.get(name)
    return table.get(text, text) if table else text


def strategic_name(code: str) -> str:
    """Return a BT-06 strategic-procurement code's Swedish name, or the code itself when unknown."""
    return STRATEGIC_PROCUREMENT.get(code, code)


def language_name(code: str | None) -> str:
    """Return a language's Swedish name ("sv" -> "svenska"), or the code itself when unknown."""
    return "–" if not code else LANGUAGES.get(code.lower(), code)


def form_type(source_format: str | None, form: str | None) -> str:
    """Name the source's form ("eForms-formulär 16", "TED-formulär F02"); OCDS tags repeat the type: empty."""
    if not form or source_format not in ("eforms", "ted-legacy"):
        return ""
    return f"{'eForms' if source_format == 'eforms' else 'TED'}-formulär {form}"


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
