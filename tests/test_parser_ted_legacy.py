"""Tests of the TED legacy XML parser on the real published notices in ../shared/data/real/ted-legacy."""

from __future__ import annotations

import copy
import csv
import itertools
from pathlib import Path
from typing import NamedTuple

import pytest
from lxml import etree

from crawlers.parsers import dispatch, ted_legacy
from crawlers.parsers.exceptions import MalformedInputError
from crawlers.parsers.record import Money, NoticeRecord
from crawlers.parsers.xmlsafe import load_xml
from tests.conftest import real_files, real_path

TED_FILES = real_files("ted-legacy", "*.xml")
MANIFEST_RESERVED = {
    "RESTRICTED_SHELTERED_WORKSHOP": "shelteredWorkshop",
    "RESERVED_ORGANISATIONS_SERVICE_MISSION": "publicServiceMissionOrganization",
}


def parse_real(name: str) -> NoticeRecord:
    """Parse one real file of ted-legacy/ by its stem; it must hold exactly one valid notice."""
    relative = f"ted-legacy/{name}.xml"
    records = ted_legacy.parse(real_path(relative).read_bytes(), relative)
    assert len(records) == 1
    return records[0].validate()


def load_real(name: str) -> etree._Element:
    """Load one real file's tree, for building variants of a real notice."""
    relative = f"ted-legacy/{name}.xml"
    return load_xml(real_path(relative).read_bytes(), relative)


def manifest_rows() -> dict[str, dict[str, str]]:
    """Return the manifest rows of the ted-legacy files, by file stem."""
    with real_path("manifest.csv").open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle)
        return {Path(row["file"]).stem: row for row in rows if row["file"].startswith("ted-legacy/")}


@pytest.mark.parametrize("path", TED_FILES, ids=lambda p: p.stem)
def test_every_real_file_parses_and_validates(path: Path) -> None:
    records = ted_legacy.parse(path.read_bytes(), str(path))
    assert len(records) == 1
    record = records[0].validate()
    row = manifest_rows()[path.stem]
    assert record.source_format == "ted-legacy"
    assert record.source_path == str(path)
    assert record.notice_id == row["notice_id"]
    assert record.language == row["lang"].lower()
    assert record.title
    assert record.description
    assert record.buyer.name
    assert record.buyer.country
    assert record.cpv_main
    assert record.cpv[0] == record.cpv_main
    assert record.published is not None
    assert record.url is not None
    assert record.url.endswith(f":TEXT:{row['lang']}:HTML")
    assert record.social_objectives == []
    assert record.strategic_procurement == []
    assert record.suitability == {"sme": None, "vcse": None}
    assert list(record.to_dict()) == list(NoticeRecord.__dataclass_fields__)


@pytest.mark.parametrize("path", TED_FILES, ids=lambda p: p.stem)
def test_reserved_flags_agree_with_the_manifest(path: Path) -> None:
    record = ted_legacy.parse(path.read_bytes(), str(path))[0]
    flags = [flag for flag in manifest_rows()[path.stem]["reserved"].split(",") if flag]
    expected = {MANIFEST_RESERVED[flag] for flag in flags if flag in MANIFEST_RESERVED}
    assert set(record.reserved_participation) == expected
    assert record.reserved_execution is ("RESTRICTED_SHELTERED_PROGRAM" in flags)


# file -> form as published, notice type (F01/F21 decided by TD_DOCUMENT_TYPE).
FORM_CASES = [
    pytest.param("DK_2017S-013-020052", "F21", "contract-notice", id="DK F21 PIN with call for competition"),
    pytest.param("FR_2015S-002-002672", "F03", "award", id="FR R2.0.8 form 3 award"),
    pytest.param("FR_2017S-039-070891", "F02", "contract-notice", id="FR F02"),
    pytest.param("FR_2018S-112-255009", "F01", "contract-notice", id="FR F01 PIN with call for competition"),
    pytest.param("FR_2021S-053-133513", "F02", "contract-notice", id="FR F02 four lots"),
    pytest.param("GR_2017S-021-035239", "F01", "planning", id="GR F01 PIN only"),
    pytest.param("NO_2017S-244-511115", "F21", "contract-notice", id="NO F21 contract notice"),
    pytest.param("SE_2017S-074-143160", "F06", "award", id="SE F06"),
    pytest.param("SE_2018S-082-185357", "F05", "contract-notice", id="SE F05 DPS"),
    pytest.param("SE_2020S-223-547901", "F20", "modification", id="SE F20"),
    pytest.param("SE_2021S-119-316423", "F06", "award", id="SE F06 2021"),
    pytest.param("SE_2021S-133-354339", "F03", "award", id="SE F03"),
    pytest.param("SE_2021S-161-425211", "F21", "planning", id="SE F21 PIN only"),
    pytest.param("UK_2011S-4-005302", "F03", "award", id="UK R2.0.7 form 3 award"),
]


@pytest.mark.parametrize(("name", "form_type", "notice_type"), FORM_CASES)
def test_notice_type_per_form(name: str, form_type: str, notice_type: str) -> None:
    record = parse_real(name)
    assert (record.form_type, record.notice_type) == (form_type, notice_type)


class Swedish(NamedTuple):
    """What one Swedish notice says: CPV main, buyer, org number, NUTS, town, number of lots."""

    cpv_main: str
    buyer: str
    identifier: str | None
    buyer_nuts: str
    nuts: list[str]
    city: str
    lots: int


SWEDISH_CASES = [
    pytest.param(
        "SE_2017S-074-143160",
        Swedish("45233000", "Trafikverket", "202100-6297", "SE110", ["SE110"], "Borlänge", 1),
        id="Trafikverket",
    ),
    pytest.param(
        "SE_2018S-082-185357",
        Swedish("90620000", "PostNord Sverige AB", "556711-5695", "SE", ["SE"], "Stockholm", 1),
        id="PostNord",
    ),
    pytest.param(
        "SE_2020S-223-547901",
        Swedish("45233139", "Knivsta kommun", "212000-3013", "SE121", ["SE121"], "Knivsta", 1),
        id="Knivsta",
    ),
    pytest.param(
        "SE_2021S-119-316423",
        Swedish(
            "90500000", "Eskilstuna Strängnäs Energi och Miljö Aktiebolag", "556935-7501", "SE122",
            ["SE122"], "Eskilstuna", 1,
        ),
        id="Eskilstuna Strängnäs Energi och Miljö",
    ),
    pytest.param(
        "SE_2021S-133-354339",
        Swedish("85300000", "Uppsala kommun", None, "SE121", ["SE121"], "Uppsala", 1),
        id="Uppsala (no org number published)",
    ),
    pytest.param(
        "SE_2021S-161-425211",
        Swedish(
            "85312000", "Södermalms stadsdelsförvaltning", "212000-0142", "SE110", ["SE110"], "Stockholm", 1
        ),
        id="Södermalm",
    ),
]


@pytest.mark.parametrize(("name", "expected"), SWEDISH_CASES)
def test_swedish_notices(name: str, expected: Swedish) -> None:
    record = parse_real(name)
    assert record.language == "sv"
    assert record.cpv_main == expected.cpv_main
    assert record.buyer.name == expected.buyer
    assert record.buyer.identifier == expected.identifier
    assert record.buyer.country == "SE"
    assert record.buyer.nuts == expected.buyer_nuts
    assert record.buyer.city == expected.city
    assert record.nuts == expected.nuts
    assert len(record.lots) == expected.lots


# file -> reserved participation, reserved execution (manifest "reserved" column).
RESERVED_CASES = [
    pytest.param("DK_2017S-013-020052", ["shelteredWorkshop"], False, id="DK sheltered workshop"),
    pytest.param("GR_2017S-021-035239", ["shelteredWorkshop"], True, id="GR workshop and programme"),
    pytest.param("FR_2017S-039-070891", ["shelteredWorkshop"], True, id="FR 2017 workshop and programme"),
    pytest.param("FR_2018S-112-255009", ["shelteredWorkshop"], False, id="FR 2018 sheltered workshop"),
    pytest.param("FR_2021S-053-133513", ["shelteredWorkshop"], True, id="FR 2021 workshop and programme"),
    pytest.param(
        "NO_2017S-244-511115", ["publicServiceMissionOrganization"], False, id="NO public service mission"
    ),
    pytest.param("SE_2021S-161-425211", [], False, id="SE none"),
]


@pytest.mark.parametrize(("name", "participation", "execution"), RESERVED_CASES)
def test_reserved_flags(name: str, participation: list[str], execution: bool) -> None:
    record = parse_real(name)
    assert record.reserved_participation == participation
    assert record.reserved_execution is execution
    assert all(lot.reserved_participation == [] for lot in record.lots)


def test_2011_uk_notice_in_the_r207_schema() -> None:
    record = parse_real("UK_2011S-4-005302")
    assert record.title == (
        "Tender for occupational health service, employee assistance programme services and absence "
        "management services."
    )
    assert record.description is not None
    assert record.description.startswith("Southend Borough Council on behalf of the Essex Strategic HR Group")
    assert record.cpv_main == "85147000"
    assert record.cpv == ["85147000", "85140000"]
    assert record.buyer.name == "Southend Borough Council"
    assert record.buyer.country == "GB"
    assert record.buyer.city == "Southend-on-Sea"
    assert record.nuts == ["UK"]
    assert record.estimated_value == Money(878000.0, "GBP")
    assert record.published == "2011-01-07"
    assert record.procedure_id == "2010/S 137-211116"
    assert record.changes_notice_id is None
    assert record.lots == []


def test_2015_fr_notice_in_the_r208_schema() -> None:
    record = parse_real("FR_2015S-002-002672")
    assert record.title == "Fourniture de services postaux pour les besoins de la région Bretagne."
    assert record.cpv_main == "64110000"
    assert record.cpv == ["64110000", "64113000"]
    assert record.buyer.name == "Région Bretagne"
    assert record.buyer.identifier == "233 5000 16000 40"
    assert record.buyer.city == "Rennes Cedex 7"
    assert record.language == "fr"
    assert record.published == "2015-01-03"
    assert record.procedure_id == "2014/S 168-299275"


# file -> published, deadline, estimated value, procedure (referenced earlier notice).
DATE_VALUE_CASES = [
    pytest.param(
        "DK_2017S-013-020052", "2017-01-19", "2017-01-31T12:00:00", Money(12000000.0, "DKK"), None,
        id="DK deadline and VAL_ESTIMATED_TOTAL",
    ),
    pytest.param(
        "FR_2021S-053-133513", "2021-03-17", "2021-04-16T12:00:00", None, None, id="FR 2021 deadline"
    ),
    pytest.param(
        "SE_2018S-082-185357", "2018-04-27", "2028-04-22T00:00:00", None, None, id="SE DPS deadline"
    ),
    pytest.param(
        "SE_2021S-161-425211", "2021-08-20", None, Money(24000000.0, "SEK"), None, id="SE PIN value"
    ),
    pytest.param(
        "SE_2017S-074-143160", "2017-04-14", None, Money(1000000000.0, "SEK"), None, id="SE award total"
    ),
    pytest.param(
        "SE_2021S-133-354339", "2021-07-13", None, None, "2019/S 177-431038", id="SE award of a DPS"
    ),
    pytest.param(
        "NO_2017S-244-511115", "2017-12-20", None, None, "2017/S 226-472152", id="NO refers to its PIN"
    ),
]


@pytest.mark.parametrize(("name", "published", "deadline", "value", "procedure"), DATE_VALUE_CASES)
def test_dates_values_and_references(
    name: str, published: str, deadline: str | None, value: Money | None, procedure: str | None
) -> None:
    record = parse_real(name)
    assert record.published == published
    assert record.deadline == deadline
    assert record.estimated_value == value
    assert record.procedure_id == procedure


def test_modification_keeps_its_award_value() -> None:
    record = parse_real("SE_2020S-223-547901")
    assert record.estimated_value == Money(2500000.0, "SEK")
    assert record.title == "Drift och underhåll av allmän platsmark"
    assert record.lots[0].lot_id is None  # an F20 OBJECT_DESCR has no ITEM


def test_lots_of_a_four_lot_contract_notice() -> None:
    record = parse_real("FR_2021S-053-133513")
    assert [lot.lot_id for lot in record.lots] == ["1", "2", "3", "4"]
    assert [lot.title for lot in record.lots][:3] == ["Secteur Nord", "Secteur Centre", "Secteur Sud"]
    assert all(lot.cpv == ["77314000", "77314100", "77340000"] for lot in record.lots)
    assert all(lot.nuts == ["FRB04"] for lot in record.lots)
    assert all(lot.deadline is None and lot.reserved_execution is None for lot in record.lots)
    assert record.cpv == ["77314000", "77314100", "77340000"]


def test_lot_value_and_additional_cpv() -> None:
    greek = parse_real("GR_2017S-021-035239")
    assert greek.lots[0].estimated_value == Money(350000.0, "EUR")
    assert greek.lots[0].nuts == ["GR300"]
    trafikverket = parse_real("SE_2017S-074-143160")
    assert trafikverket.lots[0].lot_id == "1"
    assert trafikverket.lots[0].cpv == ["45230000", "45233100", "45233160"]
    assert trafikverket.cpv == ["45233000", "45230000", "45233100", "45233160"]


def test_form_in_the_original_language_is_read() -> None:
    root = load_real("SE_2017S-074-143160")
    section = root.find("{*}FORM_SECTION")
    assert section is not None
    translation = copy.deepcopy(section[0])
    translation.set("LG", "EN")
    translation.set("CATEGORY", "TRANSLATION")
    title = translation.find("{*}OBJECT_CONTRACT/{*}TITLE/{*}P")
    assert title is not None
    title.text = "Design and build contract for the Getingmidjan project"
    section.insert(0, translation)
    record = ted_legacy.parse_tree(root, "translated.xml")[0]
    assert record.title == "Totalentreprenad avseende projekt Getingmidjan."
    lg_orig = root.find("{*}CODED_DATA_SECTION/{*}NOTICE_DATA/{*}LG_ORIG")
    assert lg_orig is not None
    lg_orig.text = "DE"  # no form in that language: the first one is read
    assert ted_legacy.parse_tree(root, "translated.xml")[0].title == (
        "Design and build contract for the Getingmidjan project"
    )


# TD_DOCUMENT_TYPE code written into a real F21 -> notice type; None removes it (NOTICE/@TYPE decides).
TD_CASES = [
    pytest.param("0", "planning", id="0 PIN without call for competition"),
    pytest.param("A", "contract-notice", id="A PIN with call for competition"),
    pytest.param("3", "contract-notice", id="3 contract notice"),
    pytest.param("7", "award", id="7 contract award"),
    pytest.param(None, "contract-notice", id="no TD: NOTICE TYPE PRI_CALL_COMPETITION"),
]


@pytest.mark.parametrize(("td_code", "notice_type"), TD_CASES)
def test_social_form_type_follows_td_document_type(td_code: str | None, notice_type: str) -> None:
    root = load_real("DK_2017S-013-020052")
    td = root.find("{*}CODED_DATA_SECTION/{*}CODIF_DATA/{*}TD_DOCUMENT_TYPE")
    assert td is not None
    if td_code is None:
        td.getparent().remove(td)
    else:
        td.set("CODE", td_code)
    assert ted_legacy.parse_tree(root, "td.xml")[0].notice_type == notice_type


def test_several_exports_in_one_wrapper() -> None:
    wrapper = etree.Element("PACKAGE")
    wrapper.append(load_real("SE_2017S-074-143160"))
    wrapper.append(load_real("UK_2011S-4-005302"))
    records = ted_legacy.parse_tree(wrapper, "package.xml")
    assert [record.notice_id for record in records] == ["2017/S 074-143160", "2011/S 4-005302"]


def test_dispatch_recognises_ted_legacy() -> None:
    relative = "ted-legacy/SE_2021S-161-425211.xml"
    outcome = dispatch.parse_one(real_path(relative).read_bytes(), relative)
    assert outcome.error is None
    assert outcome.source_format == "ted-legacy"
    assert [record.notice_id for record in outcome.records] == ["2021/S 161-425211"]


# name -> bytes missing essential structure; the error must name the input and the missing part.
BROKEN_CASES = [
    pytest.param(b"<TED_EXPORT/>", "NO_DOC_OJS", id="empty export"),
    pytest.param(
        b"<TED_EXPORT><CODED_DATA_SECTION><NOTICE_DATA><NO_DOC_OJS>2017/S 074-143160</NO_DOC_OJS>"
        b"</NOTICE_DATA></CODED_DATA_SECTION><FORM_SECTION/></TED_EXPORT>",
        "FORM_SECTION holds no form",
        id="no form",
    ),
    pytest.param(b"<OTHER><CHILD/></OTHER>", "no TED_EXPORT", id="not a TED export"),
    pytest.param(b"<TED_EXPORT><CODED_DATA_SECTION>", "not well-formed", id="truncated"),
]


@pytest.mark.parametrize(("data", "reason"), BROKEN_CASES)
def test_missing_structure_is_a_named_error(data: bytes, reason: str) -> None:
    with pytest.raises(MalformedInputError) as caught:
        ted_legacy.parse(data, "broken.xml")
    assert caught.value.source_path == "broken.xml"
    assert reason in caught.value.reason


def test_coded_submission_date_stands_in_for_the_form_deadline() -> None:
    root = load_real("DK_2017S-013-020052")
    for name in ("DATE_RECEIPT_TENDERS", "TIME_RECEIPT_TENDERS"):
        element = root.find(f"{{*}}FORM_SECTION/{{*}}F21_2014/{{*}}PROCEDURE/{{*}}{name}")
        assert element is not None
        element.getparent().remove(element)
    assert ted_legacy.parse_tree(root, "dk.xml")[0].deadline == "2017-01-31T12:00:00"


def test_older_schema_receipt_limit_date() -> None:
    root = load_real("UK_2011S-4-005302")
    body = root.find("{*}FORM_SECTION/{*}CONTRACT_AWARD/{*}FD_CONTRACT_AWARD")
    assert body is not None
    namespace = etree.QName(body).namespace
    limit = etree.SubElement(body, f"{{{namespace}}}RECEIPT_LIMIT_DATE")
    for name, value in (("DAY", "7"), ("MONTH", "02"), ("YEAR", "2011"), ("TIME", "9:00")):
        etree.SubElement(limit, f"{{{namespace}}}{name}").text = value
    assert ted_legacy.parse_tree(root, "uk.xml")[0].deadline == "2011-02-07T09:00:00"


@pytest.mark.parametrize("name", ["FR_2021S-053-133513", "UK_2011S-4-005302"])
def test_any_missing_element_gives_a_record_or_a_parse_error(name: str) -> None:
    root = load_real(name)
    for position in range(1, sum(1 for _ in root.iter())):
        variant = copy.deepcopy(root)
        element = next(itertools.islice(variant.iter(), position, None))
        element.getparent().remove(element)
        try:
            records = ted_legacy.parse_tree(variant, "variant.xml")
        except MalformedInputError as exc:
            assert exc.source_path == "variant.xml"
        else:
            assert all(record.validate() for record in records)
