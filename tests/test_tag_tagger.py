"""The tagger on real notices and on bad input: structured evidence wins, text-only ignores it."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from crawlers.parsers.dispatch import parse_paths
from crawlers.parsers.record import Lot, NoticeRecord
from matcher.notes import in_swedish
from matcher.tagger import Tagger
from matcher.tags import NoticeTags, Tag
from matcher.taxonomy import BRANCH_CODES, SOCIAL_CODE_NAMES
from tests.conftest import real_path


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.load()


def real_record(relative: str) -> NoticeRecord:
    [outcome] = parse_paths([str(real_path(relative))])
    assert outcome.error is None
    [record] = outcome.records
    return record


def notice(
    title: str | None, description: str | None = None, language: str | None = "sv", **fields: object
) -> NoticeRecord:
    return NoticeRecord(
        "eforms", "test.xml", "T-1", language=language, title=title, description=description, **fields
    )  # type: ignore[arg-type]


def by_code(tags: list[Tag]) -> dict[str, Tag]:
    return {tag.code: tag for tag in tags}


def all_social(result: NoticeTags) -> dict[str, Tag]:
    return by_code([*result.social, *(t for lot in result.lots for t in lot.social)])


# --- structured evidence from real notices --------------------------------------------------------


@pytest.mark.real_data
def test_spanish_reserved_notice_is_reserved_sheltered_with_the_field_as_evidence(tagger: Tagger) -> None:
    record = real_record("eforms/ESP_00262891-2023.xml")
    [result] = tagger.tag_records([record])
    reserved = by_code(result.social)["reserved_sheltered"]
    assert reserved.score == 1.0 and reserved.source == "structured"
    evidence = reserved.evidence[0].to_dict()
    assert evidence["field"].endswith("reserved_participation") and evidence["value"] == "shelteredWorkshop"
    assert "neither Swedish nor English" in evidence["note"]  # Spanish text: structured fields only
    reserved_lots = [lot.lot_id for lot in result.lots if "reserved_sheltered" in by_code(lot.social)]
    assert reserved_lots, "the lot that carries res-ws is tagged too"
    assert by_code(result.branches)["cleaning"].evidence[0].to_dict() == {
        "source": "structured",
        "field": "cpv_main",
        "value": "90911200",
        "note": evidence["note"],
    }


@pytest.mark.real_data
def test_italian_social_objectives_give_employment_requirement_and_social_considerations(
    tagger: Tagger,
) -> None:
    [result] = tagger.tag_records([real_record("eforms/ITA_00650276-2023.xml")])
    social = by_code(result.social)
    employment = social["employment_requirement"]
    assert employment.source == "structured"
    assert [(e.field, e.value) for e in employment.evidence] == [("social_objectives", "opp")]
    considerations = {(e.field, e.value) for e in social["social_considerations"].evidence}
    assert considerations == {("social_objectives", v) for v in ("acc-all", "gen-eq", "work-cond")}


@pytest.mark.real_data
@pytest.mark.parametrize(
    ("relative", "code"),
    [
        ("ted-legacy/DK_2017S-013-020052.xml", "reserved_sheltered"),
        ("ted-legacy/FR_2021S-053-133513.xml", "reserved_sheltered"),
        ("ted-legacy/NO_2017S-244-511115.xml", "reserved_public_service"),
    ],
)
def test_legacy_reserved_notices(tagger: Tagger, relative: str, code: str) -> None:
    [result] = tagger.tag_records([real_record(relative)])
    assert code in all_social(result)


@pytest.mark.real_data
def test_swedish_notice_gets_text_evidence_with_offsets(tagger: Tagger) -> None:
    record = real_record("ted-legacy/SE_2018S-082-185357.xml")
    [structured] = tagger.tag_records([record])
    assert by_code(structured.branches)["snow_streets"].source == "structured"
    [text_only] = tagger.tag_records([record], text_only=True)
    snow = by_code(text_only.branches)["snow_streets"]
    assert snow.source in {"rules", "classifier"} and snow.score >= tagger.thresholds["snow_streets"]
    for item in snow.evidence:
        if item.start is not None:
            field_text = record.title if item.field == "title" else record.description
            assert field_text is not None and field_text[item.start : item.end] == item.text


# --- text-only ----------------------------------------------------------------------------------------


def test_text_only_ignores_every_structured_field(tagger: Tagger) -> None:
    record = notice(
        "Ombyggnad av ventilation i stadshuset",
        language="sv",
        cpv_main="90911200",
        cpv=["90911200"],
        reserved_participation=["shelteredWorkshop"],
        reserved_execution=True,
        social_objectives=["opp"],
        strategic_procurement=["soc-obj"],
        suitability={"sme": True, "vcse": True},
        lots=[Lot("LOT-1", cpv=["90911200"], reserved_participation=["shelteredWorkshop"])],
    )
    [full] = tagger.tag_records([record])
    assert (
        "cleaning" in by_code(full.branches)
        and {"reserved_sheltered", "employment_requirement"} <= full.codes()
    )
    [text_only] = tagger.tag_records([record], text_only=True)
    assert text_only.codes() == set()
    assert all(not lot.branches and not lot.social for lot in text_only.lots)
    assert all(item.source != "structured" for tag in text_only.branches for item in tag.evidence)


def test_text_gives_branches_and_clauses(tagger: Tagger) -> None:
    record = notice(
        "Upphandling av lokalvård för kommunens förskolor",
        "Kontraktet är reserverat enligt 4 kap. 18 § LOU. Sysselsättningskrav ställs.",
    )
    [result] = tagger.tag_records([record], text_only=True)
    assert {"cleaning", "reserved_sheltered", "employment_requirement"} <= result.codes()
    [item] = [e for e in by_code(result.social)["reserved_sheltered"].evidence if e.rule == "4 kap. 18 § lou"]
    assert record.description is not None and record.description[item.start : item.end] == item.text


# --- thresholds ---------------------------------------------------------------------------------------


def test_only_tags_at_or_above_their_threshold_are_listed(tagger: Tagger) -> None:
    records = [
        notice("Tvätteritjänster för kommunens äldreboenden"),  # care is context: 0.4 from the rules
        notice("Daily cleaning of offices", language="en"),
        notice("Upphandling av konsulttjänster inom IT"),
    ]
    for result in tagger.tag_records(records, text_only=True):
        for tag in [*result.branches, *result.social]:
            assert 0.0 <= tag.score <= 1.0
            assert tag.score >= tagger.thresholds[tag.code]
    laundry, cleaning, consultants = tagger.tag_records(records, text_only=True)
    assert set(by_code(laundry.branches)) == {"laundry"}
    assert set(by_code(cleaning.branches)) == {"cleaning"}
    assert consultants.branches == []


def test_a_lower_threshold_lists_more(tagger: Tagger) -> None:
    record = notice("Tvätteritjänster för kommunens äldreboenden")
    strict = Tagger(tagger.classifier, tagger.analyser)
    loose = Tagger(tagger.classifier, tagger.analyser)
    loose.thresholds = {**loose.thresholds, "care": 0.3}
    assert "care" not in strict.tag_records([record], text_only=True)[0].codes()
    assert "care" in loose.tag_records([record], text_only=True)[0].codes()


# --- bad input ------------------------------------------------------------------------------------------


def test_empty_text_gives_no_text_tags_but_structured_ones(tagger: Tagger) -> None:
    empty = notice("", None, cpv_main="90911200", cpv=["90911200"])
    blank = notice("   ", "\n\t", language=None)
    nothing = NoticeRecord("ocds", "x.json", None)
    results = tagger.tag_records([empty, blank, nothing])
    assert [set(by_code(r.branches)) for r in results] == [{"cleaning"}, set(), set()]
    assert tagger.tag_records([empty], text_only=True)[0].codes() == set()
    assert tagger.tag_records([]) == []


def test_five_megabyte_description(tagger: Tagger) -> None:
    filler = "Leverantören ska utföra arbetet enligt bilaga och avtal. " * 90_000
    description = f"Städning av kontor. {filler} Kontraktet är reserverat enligt 4 kap. 18 § LOU. {filler}"
    assert len(description) > 5_000_000
    started = time.perf_counter()
    [result] = tagger.tag_records([notice("Lokalvård", description)], text_only=True)
    assert time.perf_counter() - started < 10
    assert {"cleaning", "reserved_sheltered"} <= result.codes()
    clause = [
        e for e in by_code(result.social)["reserved_sheltered"].evidence if e.start and e.start > 5_000_000
    ]
    assert clause and description[clause[0].start : clause[0].end] == clause[0].text
    assert any("longer than the analysed part" in note for note in result.notes)


def test_other_language_falls_back_to_structured_evidence_and_says_so(tagger: Tagger) -> None:
    record = notice(
        "Reinigung von Büroräumen",
        "Gebäudereinigung",
        language="de",
        cpv_main="90911200",
        cpv=["90911200"],
        social_objectives=["opp"],
    )
    [result] = tagger.tag_records([record])
    assert result.language == "de"
    for tag in [*result.branches, *result.social]:
        assert tag.source == "structured"
        assert all("language 'de' is neither Swedish nor English" in (e.note or "") for e in tag.evidence)
    assert result.notes and "structured fields only" in result.notes[0]
    [text_only] = tagger.tag_records([record], text_only=True)
    assert text_only.codes() == set() and text_only.notes


def test_unstated_language_is_guessed(tagger: Tagger) -> None:
    [result] = tagger.tag_records(
        [notice("Städning av kontor och skolor i kommunen", language=None)], text_only=True
    )
    assert result.language == "sv" and "cleaning" in result.codes()


def test_text_full_of_markup(tagger: Tagger) -> None:
    title = "<h1>Lokalv&aring;rd</h1>"
    description = (
        "<p>Upphandling av <b>st&auml;dning</b>&nbsp;av&nbsp;kontor.</p><![CDATA[<script>x</script>]]>" * 3
    )
    [result] = tagger.tag_records([notice(title, description)], text_only=True)
    cleaning = by_code(result.branches)["cleaning"]
    quoted = [e for e in cleaning.evidence if e.field == "title" and e.source == "rules"]
    assert quoted and title[quoted[0].start : quoted[0].end] == "Lokalv&aring;rd"


def test_lots_are_tagged_on_their_own(tagger: Tagger) -> None:
    record = notice(
        "Ramavtal fastighetstjänster",
        language="sv",
        lots=[
            Lot("LOT-1", title="Snöröjning", description="Snöröjning och halkbekämpning."),
            Lot("LOT-2", title="Fönsterputsning", cpv=["90911300"]),
        ],
    )
    [result] = tagger.tag_records([record])
    first, second = result.lots
    assert (first.lot_id, set(by_code(first.branches))) == ("LOT-1", {"snow_streets"})
    assert by_code(second.branches)["cleaning"].source == "structured"
    assert {"snow_streets", "cleaning"} <= set(by_code(result.branches))


def test_to_dict_has_the_contract_keys(tagger: Tagger) -> None:
    record = replace(notice("Lokalvård", "Text"), lots=[Lot("L1", title="Städning")])
    data = tagger.tag_records([record])[0].to_dict()
    assert list(data) == ["notice_id", "source_path", "language", "branches", "social", "lots"]
    assert list(data["lots"][0]) == ["lot_id", "branches", "social"]
    tag = data["branches"][0]
    assert list(tag) == ["code", "score", "evidence"] and tag["code"] in BRANCH_CODES
    assert all({"source", "field"} <= set(item) for item in tag["evidence"])
    assert set(SOCIAL_CODE_NAMES) >= {t["code"] for t in data["social"]}


# --- wording that names no work -------------------------------------------------------------------

GENERIC_TITLES = [
    ("en", "Agreement for services 2026"),
    ("en", "Contract documents"),
    ("en", "Framework contract for the authority"),
    ("en", "Services tender"),
    ("sv", "Kontrakt"),
    ("sv", "Ramavtal 2026–2028 för förvaltningen"),
    ("sv", "Avtal om tjänster till nämnden"),
]


@pytest.mark.parametrize(("lang", "title"), GENERIC_TITLES, ids=[t for _, t in GENERIC_TITLES])
def test_a_title_that_names_no_work_gets_no_branch(tagger: Tagger, lang: str, title: str) -> None:
    """Procurement wording alone ("contract", "ramavtal", "services") is no sign of any branch."""
    [result] = tagger.tag_records([notice(title, language=lang)], text_only=True)
    assert {tag.code: round(tag.score, 2) for tag in result.branches} == {}


def test_the_branch_a_generic_title_names_is_the_only_one(tagger: Tagger) -> None:
    """'cleaning' is also textile and street cleaning in the CPV labels; alone it is cleaning."""
    [result] = tagger.tag_records([notice("Contract for cleaning services", language="en")], text_only=True)
    assert [tag.code for tag in result.branches] == ["cleaning"]
    [both] = tagger.tag_records([notice("Städning och tvätt av arbetskläder", language="sv")], text_only=True)
    assert {"cleaning", "laundry"} <= {tag.code for tag in both.branches}, "a word of its own still counts"


def test_a_branch_named_as_the_setting_in_a_description_gets_no_boost(tagger: Tagger) -> None:
    """A description's branch word adds the description boost only where it names the work."""
    boost = tagger.classifier.description_boost
    assert boost > 0
    classifier = replace(tagger.classifier, thresholds=tagger.classifier.thresholds * 0)
    every_score = Tagger(classifier, tagger.analyser)  # lists every branch with its score
    setting, work = every_score.tag_records(
        [
            notice("Förhandsinformation", "Vi upphandlar kök och måltidsservice för tre äldreboenden."),
            notice("Förhandsinformation", "Vi upphandlar kök och måltidsservice. För tre äldreboenden."),
        ],
        text_only=True,
    )  # the same words; in the second text "äldreboenden" opens its own sentence and names the work
    care_setting, care_work = by_code(setting.branches)["care"].score, by_code(work.branches)["care"].score
    assert care_work == pytest.approx(min(1.0, care_setting + boost)) and care_work > care_setting


SETTING_TITLES = [
    ("sv", "Lokalvård i kommunens äldreboenden och LSS-boenden", "cleaning", "care"),
    ("sv", "Matleveranser till hemtjänstens brukare", "catering", "care"),
    ("en", "Grounds maintenance at residential care homes", "grounds", "care"),
]


@pytest.mark.parametrize(
    ("lang", "title", "work", "setting"), SETTING_TITLES, ids=[t[1] for t in SETTING_TITLES]
)
def test_a_branch_named_only_as_the_setting_is_not_tagged(
    tagger: Tagger, lang: str, title: str, work: str, setting: str
) -> None:
    """Whom the work is for (care homes) is no branch of its own unless the text says so elsewhere."""
    [result] = tagger.tag_records([notice(title, language=lang)], text_only=True)
    codes = {tag.code for tag in result.branches}
    assert work in codes and setting not in codes


CLASSIFIER_SETTING_TITLES = [
    # (title, a branch whose classifier words stand only in the title's context, the work)
    ("sv", "Grönyteskötsel för bostadsbolagets fastigheter", "property_care", "grounds"),
    ("sv", "Städning av trapphus i bostadsbolagets fastigheter", "property_care", "cleaning"),
    ("en", "Waste management services for council buildings", "property_care", "recycling"),
]


@pytest.mark.parametrize(
    ("lang", "title", "setting", "work"),
    CLASSIFIER_SETTING_TITLES,
    ids=[t[1] for t in CLASSIFIER_SETTING_TITLES],
)
def test_classifier_words_that_only_name_the_setting_give_no_branch(
    tagger: Tagger, lang: str, title: str, setting: str, work: str
) -> None:
    """No rule names property care, but the classifier reads "fastigheter"; after the work it is where."""
    classifier = replace(tagger.classifier, thresholds=tagger.classifier.thresholds * 0)
    every_score = Tagger(classifier, tagger.analyser)  # lists every branch the tagger keeps, any score
    [result] = every_score.tag_records([notice(title, language=lang)], text_only=True)
    assert work in by_code(result.branches) and setting not in by_code(result.branches)
    [alone] = every_score.tag_records([notice(title.split(" ", 1)[1], language=lang)], text_only=True)
    assert setting in by_code(alone.branches), "without the work before it, the same words count"


def test_classifier_words_after_other_work_still_count(tagger: Tagger) -> None:
    """After work the rules cannot name, "för personer med funktionsnedsättning" may be what shows care."""
    classifier = replace(tagger.classifier, thresholds=tagger.classifier.thresholds * 0)
    every_score = Tagger(classifier, tagger.analyser)
    [result] = every_score.tag_records(
        [notice("Sysselsättning för personer med funktionsnedsättning", language="sv")], text_only=True
    )
    assert "care" in by_code(result.branches)


def test_every_note_the_tagger_writes_has_a_swedish_version(tagger: Tagger) -> None:
    records = [
        notice("Reinigung von Büroräumen", "Gebäudereinigung", language="de", cpv_main="90911200"),
        notice("Städ", "städning " * 700_000),  # longer than the analysed part
        replace(notice("Рибка", "Прибирання офісів"), language=None),  # language neither stated nor guessed
    ]
    notes = [note for result in tagger.tag_records(records) for note in result.notes]
    assert len(notes) == 3, notes
    swedish = [in_swedish(note) for note in notes]
    assert all(text.startswith("texten ") for text in swedish), swedish
    assert "språket 'de' är varken svenska eller engelska" in swedish[0]
    assert in_swedish("a note from elsewhere") == "a note from elsewhere"
