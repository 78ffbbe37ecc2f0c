"""Rules on real wording: Swedish and English legal phrases, negations, compounds, goods, context."""

from __future__ import annotations

import pytest
from lxml import etree

from matcher.analysis import Analyser
from matcher.rules import RuleHit
from tests.conftest import real_path


@pytest.fixture(scope="module")
def analyser() -> Analyser:
    return Analyser()


def hits(analyser: Analyser, lang: str, text: str, field: str = "description") -> list[RuleHit]:
    [result] = analyser.analyse([(lang, {field: text})])
    return result.hits


def codes(analyser: Analyser, lang: str, text: str, field: str = "description") -> set[str]:
    return {hit.code for hit in hits(analyser, lang, text, field)}


def genericode_labels(name: str, column: str) -> dict[str, str]:
    """Return {code: label} of an eForms genericode list (the official wording, in ../shared)."""
    root = etree.parse(str(real_path(f"codelists/{name}")), etree.XMLParser(resolve_entities=False)).getroot()
    labels = {}
    for row in root.iter("Row"):
        values = {v.get("ColumnRef"): "".join(v.itertext()).strip() for v in row.iter("Value")}
        labels[values["code"]] = values[column]
    return labels


# --- the official wording of the eForms code lists --------------------------------------------------

OFFICIAL: list[tuple[str, str, str, set[str]]] = [
    # (code list, code, column, expected social codes)
    ("reserved-procurement.gc", "res-ws", "swe_label", {"reserved_sheltered"}),
    ("reserved-procurement.gc", "res-ws", "eng_label", {"reserved_sheltered"}),
    ("reserved-procurement.gc", "res-pub-ser", "swe_label", {"reserved_public_service"}),
    ("reserved-procurement.gc", "res-pub-ser", "eng_label", {"reserved_public_service"}),
    ("reserved-procurement.gc", "none", "swe_label", set()),
    ("reserved-procurement.gc", "none", "eng_label", set()),
    ("social-objective.gc", "opp", "swe_label", {"employment_requirement"}),
    ("social-objective.gc", "work-cond", "swe_label", {"social_considerations"}),
    ("social-objective.gc", "work-cond", "eng_label", {"social_considerations"}),
]


@pytest.mark.real_data
@pytest.mark.parametrize(
    ("codelist", "code", "column", "expected"), OFFICIAL, ids=[f"{c[1]}-{c[2][:3]}" for c in OFFICIAL]
)
def test_official_code_list_wording(
    analyser: Analyser, codelist: str, code: str, column: str, expected: set[str]
) -> None:
    label = genericode_labels(codelist, column)[code]
    lang = "sv" if column.startswith("swe") else "en"
    assert codes(analyser, lang, label) == expected, label


# --- hand-checked legal wording ------------------------------------------------------------------------

LEGAL: list[tuple[str, str, set[str]]] = [
    ("sv", "Upphandlingen är reserverad enligt 4 kap. 18 § LOU.", {"reserved_sheltered"}),
    (
        "sv",
        "Kontraktet är reserverat enligt 4 kap 18§ lagen (2016:1145) om offentlig upphandling.",
        {"reserved_sheltered"},
    ),
    (
        "sv",
        "Kontraktet är förbehållet skyddade verkstäder och ekonomiska aktörer som har som mål att integrera "
        "personer med funktionsnedsättning.",
        {"reserved_sheltered"},
    ),
    ("sv", "Detta är ett reserverat kontrakt.", {"reserved_sheltered"}),
    ("sv", "Kontraktet är inte reserverat för skyddade verkstäder.", set()),
    ("sv", "Reserverade kontrakt: nej", set()),
    (
        "sv",
        "Leverantören ska uppfylla sysselsättningskraven och anställa personer som står långt från "
        "arbetsmarknaden.",
        {"employment_requirement"},
    ),
    ("sv", "Vi ställer sociala hänsyn och särskilda arbetsrättsliga villkor.", {"social_considerations"}),
    (
        "en",
        "This contract is reserved for supported businesses under Regulation 20 of the Public Contracts "
        "Regulations 2015.",
        {"reserved_sheltered"},
    ),
    (
        "en",
        "Participation is reserved to sheltered workshops (Article 20 of Directive 2014/24/EU).",
        {"reserved_sheltered"},
    ),
    ("en", "IV.1.6) Reserved contracts No", set()),
    ("en", "The contract is not reserved for sheltered workshops.", set()),
    (
        "en",
        "Independent Living Support Sheltered Housing for older people in sheltered accommodation.",
        set(),
    ),
    (
        "en",
        "The supplier shall offer work placements to long-term unemployed residents.",
        {"employment_requirement"},
    ),
    ("en", "Bidders must address modern slavery and pay the living wage.", {"social_considerations"}),
]


@pytest.mark.parametrize(("lang", "text", "expected"), LEGAL, ids=[t[1][:40] for t in LEGAL])
def test_legal_wording(analyser: Analyser, lang: str, text: str, expected: set[str]) -> None:
    assert {h.code for h in hits(analyser, lang, text) if h.kind == "social"} == expected


def test_hit_offsets_point_at_the_words(analyser: Analyser) -> None:
    text = "Upphandlingen är reserverad enligt 4 kap. 18 § LOU för sociala företag."
    [hit] = [h for h in hits(analyser, "sv", text) if h.rule.startswith("4 kap")]
    assert text[hit.start : hit.end] == "4 kap. 18 § LOU"
    assert (hit.field, hit.code, hit.score) == ("description", "reserved_sheltered", 0.95)


# --- Swedish compounds ------------------------------------------------------------------------------

COMPOUNDS: list[tuple[str, str]] = [
    ("Lokalvårdstjänster för kommunens skolor", "cleaning"),
    ("Kontorsstädning i stadshuset", "cleaning"),
    ("Städtjänster 2024", "cleaning"),
    ("Snöröjningsuppdrag inom tätorten", "snow_streets"),
    ("Gaturenhållningen i centrum", "snow_streets"),
    ("Äldreomsorgen i hemmet", "care"),
    ("Tvätteritjänster", "laundry"),
    ("Grönyteskötsel av parkmark", "grounds"),
    ("Fastighetsskötseln i bostadsbeståndet", "property_care"),
    ("Avfallshantering", "recycling"),
    ("Möbelrenoveringar", "carpentry"),
    ("Fordonstvätt", "vehicle_care"),
    ("Arbetsträningsplatser inom daglig sysselsättning", "care"),
    ("Arbetsbefrämjande insatser", "care"),
    ("Yrkesrehabiliteringstjänster", "care"),
    # LSS services (9 § LSS): escort and relief services, housing with special service
    ("Ledsagarservice och avlösarservice", "care"),
    ("Boende med särskild service för vuxna", "care"),
    ("Korttidstillsyn för skolungdom över 12 år", "care"),
    ("Skyddat boende för våldsutsatta kvinnor", "care"),  # social services (SoL)
    ("Fönstertvätt", "cleaning"),
    ("Beskärning av fruktträd", "grounds"),  # tree pruning (CPV 77341000)
    ("Sandupptagning efter vintern", "snow_streets"),
    # the lemma finds plurals that drop a final -a
    ("Matlådor till äldre i ordinärt boende", "catering"),
    ("Skötsel av stadens grönytor", "grounds"),
]


@pytest.mark.parametrize(("title", "branch"), COMPOUNDS, ids=[c[0] for c in COMPOUNDS])
def test_swedish_compounds_match_their_parts(analyser: Analyser, title: str, branch: str) -> None:
    assert branch in {h.code for h in hits(analyser, "sv", title, "title") if not h.context}


NOT_BRANCH: list[tuple[str, str]] = [
    ("sv", "Förstäder och städer i regionen"),  # "städer" is the plural of "stad", not cleaning
    ("sv", "Leverans av storköksutrustning"),  # kitchen equipment is goods, not catering
    ("sv", "Städmaskiner och rengöringsmedel"),
    ("sv", "Tryckluftsanläggning"),  # compressed air, not printing
    ("en", "Supply of catering equipment"),
    ("en", "Purchase of refuse collection vehicles"),
    # staff, bodies and courses: the branch word only qualifies them
    ("en", "Supply of agency social care workers"),
    ("en", "Health and Social Care Partnership"),
    ("sv", "Omsorgsutbildning"),
    ("sv", "Bemanning av omsorgspersonal"),
    ("en", "Planned maintenance of vehicles"),
    ("sv", "Utvändig tvätt av bussarna"),  # washing vehicles is vehicle care, not laundry
]


SERVICE_WORDING: list[tuple[str, str]] = [
    ("Provision of Nursery Services", "care"),  # childcare (CPV 8531)
    ("Domestic Abuse Intervention Service", "care"),  # social work (CPV 853)
    ("Express Delivery Services", "removals_courier"),  # courier (CPV 6412)
    ("Parcel delivery for the council", "removals_courier"),  # CPV 64121200
]


@pytest.mark.parametrize(("title", "branch"), SERVICE_WORDING, ids=[t for t, _ in SERVICE_WORDING])
def test_english_service_wording_names_its_branch(analyser: Analyser, title: str, branch: str) -> None:
    found = {h.code for h in hits(analyser, "en", title, "title") if h.kind == "branch" and not h.context}
    assert found == {branch}


def test_uk_building_maintenance_wording_is_property_care(analyser: Analyser) -> None:
    for title in ("Planned Maintenance Works Framework", "Responsive Repairs – Council Housing"):
        found = {h.code for h in hits(analyser, "en", title, "title") if h.kind == "branch"}
        assert found == {"property_care"}, title


@pytest.mark.parametrize(("lang", "title"), NOT_BRANCH, ids=[c[1] for c in NOT_BRANCH])
def test_branch_words_that_are_not_the_work(analyser: Analyser, lang: str, title: str) -> None:
    assert {h.code for h in hits(analyser, lang, title, "title") if h.kind == "branch"} == set()


WORK_INTEGRATION: list[tuple[str, str]] = [
    ("sv", "Arbetsträning för personer med funktionsnedsättning"),
    ("en", "Supported employment service for adults"),
    ("en", "Vocational rehabilitation services"),
]


@pytest.mark.parametrize(("lang", "text"), WORK_INTEGRATION, ids=[c[1] for c in WORK_INTEGRATION])
def test_work_integration_is_care_in_a_title_only(analyser: Analyser, lang: str, text: str) -> None:
    """Bought as the service it is care (CPV 85312510); in a description it is what a contractor offers."""
    assert {h.code for h in hits(analyser, lang, text, "title") if h.kind == "branch"} == {"care"}
    assert {h.code for h in hits(analyser, lang, text, "description") if h.kind == "branch"} == set()


def test_textile_waste_is_recycling_not_textiles(analyser: Analyser) -> None:
    """Textile waste is what is collected: the compound's head "avfall" is no textile work."""
    found = {h.code for h in hits(analyser, "sv", "Insamling av textilavfall", "title") if h.kind == "branch"}
    assert found == {"recycling"}


TITLE_CONTEXT: list[tuple[str, str, str | None]] = [
    # after branch work or goods, the context begins at the first context word
    ("sv", "Grönyteskötsel för bostadsbolagets fastigheter", "för bostadsbolagets fastigheter"),
    ("sv", "Hjälpmedel för personer med funktionsnedsättning", "för personer med funktionsnedsättning"),
    ("en", "Waste management services for council buildings", "for council buildings"),
    # after other work or staff, what follows may be the only sign of the work: no context
    ("sv", "Sysselsättning för personer med funktionsnedsättning", None),
    ("en", "Partnership Framework Agreement for Carers Support", None),
    ("sv", "Ramavtal för lokalvård", None),  # a lead word names nothing: no subject before "för"
]


@pytest.mark.parametrize(("lang", "title", "context"), TITLE_CONTEXT, ids=[c[1] for c in TITLE_CONTEXT])
def test_where_a_title_context_begins(analyser: Analyser, lang: str, title: str, context: str | None) -> None:
    [result] = analyser.analyse([(lang, {"title": title})])
    start = result.context.get("title")
    assert (title[start:] if start is not None else None) == context


def test_branch_words_after_for_name_the_setting(analyser: Analyser) -> None:
    result = hits(analyser, "sv", "Tvätteritjänster för kommunens äldreboenden", "title")
    assert {(h.code, h.context) for h in result} == {("laundry", False), ("care", True)}
    result = hits(analyser, "en", "Contract for cleaning services", "title")
    assert {(h.code, h.context) for h in result} == {("cleaning", False)}


CONTEXT_TITLES: list[tuple[str, str, set[tuple[str, bool]]]] = [
    # the work is repairs / a taxi; home care and social care are whom it is for
    ("sv", "Cykelreparationer för hemtjänsten", {("care", True)}),
    ("en", "Taxi services for social care clients", {("care", True)}),
    # lead words name no work: the branch word after "för"/"for" is the subject
    ("sv", "Ramavtal för lokalvård", {("cleaning", False)}),
    ("sv", "Tjänstekoncession för drift av café", {("catering", False)}),
    ("en", "Framework agreement for home care", {("care", False)}),
    ("sv", "Upphandling av hemtjänst i Luleå", {("care", False)}),
    # "av"/"of" after branch work or a thing (goods, building works) introduce what it is done on
    ("sv", "Städning av äldreboende", {("cleaning", False), ("care", True)}),
    ("sv", "Ombyggnad av äldreboende", {("care", True)}),
    # "tvätt av" is laundry work; the workwear is what is washed, not textile work bought
    ("sv", "Tvätt av arbetskläder och textilier", {("laundry", False), ("textiles", True)}),
    ("en", "Construction of a 60-bed care home", {("care", True)}),
    # a thing is the subject even where its compound ends in a lead word ("-system")
    ("sv", "Verksamhetssystem för hemtjänst", {("care", True)}),
    ("sv", "Dynamiskt inköpssystem för hemtjänst", {("care", False)}),
    # after other work, or a lead word, "av"/"of" name the work itself
    ("sv", "Skötsel av gräsmattor och häckklippning", {("grounds", False)}),
    ("sv", "Drift av äldreboende", {("care", False)}),
    ("en", "Management of supported living services", {("care", False)}),
]


CARE_BOTH = {("care", True), ("care", False)}
DESCRIPTION_CONTEXT: list[tuple[str, str, set[tuple[str, bool]]]] = [
    # after the sentence's first branch word, a context word starts the setting
    ("sv", "Vi upphandlar måltidsservice för tre äldreboenden.", {("catering", False), ("care", True)}),
    # each sentence starts afresh
    ("en", "Window cleaning at care homes. Care homes are open.", {("cleaning", False), *CARE_BOTH}),
    # no branch word before the context word: the branch word after it is the work
    ("sv", "Kommunen söker en leverantör för hemtjänst i Luleå.", {("care", False)}),
]


@pytest.mark.parametrize(
    ("lang", "text", "expected"), DESCRIPTION_CONTEXT, ids=[c[1][:40] for c in DESCRIPTION_CONTEXT]
)
def test_branch_words_after_the_work_in_a_description_sentence_name_the_setting(
    analyser: Analyser, lang: str, text: str, expected: set[tuple[str, bool]]
) -> None:
    result = hits(analyser, lang, text, "description")
    assert {(h.code, h.context) for h in result if h.kind == "branch"} == expected


@pytest.mark.parametrize(("lang", "title", "expected"), CONTEXT_TITLES, ids=[c[1] for c in CONTEXT_TITLES])
def test_branch_words_after_another_subject_name_the_setting(
    analyser: Analyser, lang: str, title: str, expected: set[tuple[str, bool]]
) -> None:
    result = hits(analyser, lang, title, "title")
    assert {(h.code, h.context) for h in result if h.kind == "branch"} == expected
