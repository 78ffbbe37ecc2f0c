"""The eForms parser on real published notices (../shared/data/real/eforms) and on small hand-made ones."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from lxml import etree

from crawlers.parsers import eforms
from crawlers.parsers.dispatch import parse_one
from crawlers.parsers.exceptions import MalformedInputError, ParseError, UnknownFormatError
from crawlers.parsers.normalise import language_code
from crawlers.parsers.record import Money, NoticeRecord
from tests.conftest import REAL_DATA, real_files, real_path

REAL_EFORMS = real_files("eforms", "*.xml")


def parse_real(relative: str) -> NoticeRecord:
    path = real_path(f"eforms/{relative}")
    records = eforms.parse(path.read_bytes(), str(path))
    assert len(records) == 1
    return records[0].validate()


# --- every real file ----------------------------------------------------------------------------


@pytest.mark.real_data
@pytest.mark.parametrize("path", REAL_EFORMS, ids=lambda p: p.name)
def test_every_real_file_parses_to_one_valid_record(path: Path) -> None:
    [record] = eforms.parse(path.read_bytes(), str(path))
    record.validate()
    assert record.source_format == "eforms"
    assert record.source_path == str(path)
    assert record.notice_id
    assert record.procedure_id
    assert record.form_type
    assert record.title
    assert record.cpv_main and record.cpv[0] == record.cpv_main
    assert record.published and len(record.published) == 10
    assert record.buyer.name and record.buyer.country
    assert record.lots, "every real notice has at least one lot"
    assert all(lot.lot_id and lot.lot_id.startswith("LOT-") for lot in record.lots)
    assert set(record.to_dict()) >= {"lots", "suitability", "deadline", "url"}


def manifest_rows() -> list[dict[str, str]]:
    manifest = REAL_DATA / "manifest.csv"
    if not manifest.exists():
        return []
    with manifest.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["file"].startswith("eforms/")]


def split(value: str) -> set[str]:
    return {part for part in value.split(",") if part and part != "none"}


@pytest.mark.real_data
@pytest.mark.parametrize("row", manifest_rows(), ids=lambda row: Path(row["file"]).name)
def test_real_file_agrees_with_manifest(row: dict[str, str]) -> None:
    record = parse_real(row["file"].removeprefix("eforms/"))
    if row["notice_id"][:1].isdigit():  # TED publication numbers; Doffin and SDK rows name the file
        assert record.notice_id == row["notice_id"]
    if row["subtype"]:
        assert record.form_type == row["subtype"]
    assert record.language == language_code(row["lang"])
    reserved = {eforms.RESERVED_CODES[code] for code in split(row["reserved"])}
    assert set(record.reserved_participation) == reserved
    assert set(record.social_objectives) == split(row["social"])
    assert set(record.strategic_procurement) == split(row["strategic"])
    # The manifest lists every NUTS code in the file (organisations too); ours are places of performance.
    assert set(record.nuts) <= split(row["nuts"])
    # The manifest counts every schemeName="Lot" identifier, lot references in results included.
    assert 1 <= len(record.lots) <= int(row["lots"])


# --- values read from named real files ----------------------------------------------------------


class Expected(NamedTuple):
    file: str
    notice_id: str
    form_type: str
    notice_type: str
    language: str
    lots: int
    cpv_main: str
    buyer: tuple[str, str | None, str]  # name, identifier, country


EXPECTED = [
    Expected("ESP_00262891-2023.xml", "00262891-2023", "10", "contract-notice", "es", 4, "90911200",
             ("AYUNTAMIENTO DE RIPOLL", "P1715600A", "ES")),
    Expected("ITA_00650276-2023.xml", "00650276-2023", "20", "contract-notice", "it", 2, "85300000",
             ("Comune di Modena", "00221940364", "IT")),
    Expected("FIN_00544961-2023.xml", "00544961-2023", "20", "contract-notice", "fi", 1, "55523000",
             ("Servica Oy", "2947618-4", "FI")),
    Expected("FIN_00525037-2024.xml", "00525037-2024", "29", "award", "fi", 12, "60100000",
             ("Kristinestad Stad/Kristiinankaupungin kaupunki", "0216509-5", "FI")),
    Expected("BEL_00522031-2023.xml", "00522031-2023", "29", "award", "en", 1, "39711124",
             ("European Commission, Joint Research Centre (JRC)", "JRC", "BE")),
    Expected("DEU_00657565-2023.xml", "00657565-2023", "16", "contract-notice", "de", 2, "09310000",
             ("Deutsche Bundesbank, vertreten durch VEA Beratungs-GmbH", "529900SEOICVR2VM6Y05", "DE")),
    Expected("DNK_00665431-2023.xml", "00665431-2023", "15", "contract-notice", "da", 1, "45000000",
             ("SK Varme A/S", "27736904", "DK")),
    Expected("POL_00739962-2023.xml", "00739962-2023", "16", "contract-notice", "pl", 8, "33140000",
             ("Wojewódzki Szpital Zespolony im. dr. Romana Ostrzyckiego w Koninie", "6651042675", "PL")),
    Expected("POL_00000005-2025.xml", "00000005-2025", "29", "award", "pl", 1, "31520000",
             ("Gmina Witonia", "7752406978", "PL")),
    Expected("NOR_doffin_ContractNotice_cn-social_2022-396301.xml", "2022-396301", "20", "contract-notice",
             "nb", 1, "85300000", ("Målselv kommune", "972 418 005", "NO")),
    Expected("NOR_doffin_ContractNotice_cn-standard_2024-107345.xml", "870ff007-688a-4ad1-9ad7-28c2ae514b40",
             "N16", "contract-notice", "no", 1, "71500000", ("Kongsbergregionen", "995969653", "NO")),
    Expected("sdk-examples-synthetic/cn_24_maximal.xml", "14549263-b47b-4e59-96a1-2d0d13e19343", "16",
             "contract-notice", "en", 2, "79710000", ("Financial Adinistration for ...", "998298", "LU")),
    Expected("sdk-examples-synthetic/pin-cfc-social_24.xml", "b9bcefc5-2065-4884-a723-c9d39c5c640f", "12",
             "contract-notice", "en", 1, "85000000", ("ZenithNova Innovations Ltd.", "ABE", "GR")),
    Expected("sdk-examples-synthetic/can-social_24.xml", "eb13621b-cb76-46ee-b6c1-3d33ac707d94", "33",
             "award", "en", 3, "75121000", ("ZenithNova Innovations Ltd.", "ABE", "GR")),
]


@pytest.mark.real_data
@pytest.mark.parametrize("expected", EXPECTED, ids=lambda e: Path(e.file).stem)
def test_real_file_values(expected: Expected) -> None:
    record = parse_real(expected.file)
    assert record.notice_id == expected.notice_id
    assert record.form_type == expected.form_type
    assert record.notice_type == expected.notice_type
    assert record.language == expected.language
    assert len(record.lots) == expected.lots
    assert record.cpv_main == expected.cpv_main
    assert (record.buyer.name, record.buyer.identifier, record.buyer.country) == expected.buyer


# name -> (file, field, value): one real fact per case.
REAL_FACTS: dict[str, tuple[str, str, Any]] = {
    "ESP res-ws": ("ESP_00262891-2023.xml", "reserved_participation", ["shelteredWorkshop"]),
    "ESP reserved per lot": ("ESP_00262891-2023.xml", "lot_reserved",
                             [[], [], ["shelteredWorkshop"], ["shelteredWorkshop"]]),
    "ESP deadline from BT-630": ("ESP_00262891-2023.xml", "deadline", "2023-06-02T14:00:00+02:00"),
    "ESP published": ("ESP_00262891-2023.xml", "published", "2023-05-02"),
    "ESP TED url": ("ESP_00262891-2023.xml", "url", "https://ted.europa.eu/en/notice/-/detail/262891-2023"),
    "ITA social objectives": ("ITA_00650276-2023.xml", "social_set",
                              {"acc-all", "gen-eq", "opp", "work-cond"}),
    "ITA estimated value": ("ITA_00650276-2023.xml", "estimated_value", Money(1966486.0, "EUR")),
    "ITA lot values": ("ITA_00650276-2023.xml", "lot_values",
                       [Money(1021378.0, "EUR"), Money(945108.0, "EUR")]),
    "ITA sme": ("ITA_00650276-2023.xml", "sme", True),
    "ITA nuts": ("ITA_00650276-2023.xml", "nuts", ["ITH54"]),
    "FIN work-cond": ("FIN_00544961-2023.xml", "social_objectives", ["work-cond"]),
    "FIN deadline": ("FIN_00544961-2023.xml", "deadline", "2023-10-09T08:00:00+03:00"),
    "FIN 12 lots, none reserved": ("FIN_00525037-2024.xml", "lot_reserved", [[]] * 12),
    "FIN award has no deadline": ("FIN_00525037-2024.xml", "deadline", None),
    "BEL title in notice language": ("BEL_00522031-2023.xml", "title", "Ultra-low Temperature Freezers"),
    "BEL framework value is not an estimate": ("BEL_00522031-2023.xml", "estimated_value",
                                               Money(660000.0, "EUR")),
    "BEL nuts": ("BEL_00522031-2023.xml", "nuts", ["BE213"]),
    "DEU strategic none dropped": ("DEU_00657565-2023.xml", "strategic_procurement", []),
    "DEU sme false on all lots": ("DEU_00657565-2023.xml", "sme", False),
    "DNK sme absent": ("DNK_00665431-2023.xml", "sme", None),
    "POL cpv": ("POL_00739962-2023.xml", "cpv", ["33140000", "33141200", "33141320"]),
    "POL award nuts": ("POL_00000005-2025.xml", "nuts", ["PL712", "PL715"]),
    "NOR n.a. publication id": ("NOR_doffin_ContractNotice_cn-social_2022-396301.xml", "notice_id",
                                "2022-396301"),
    "NOR documents url": ("NOR_doffin_ContractNotice_cn-social_2022-396301.xml", "url",
                          "https://tendsign.no/doc.aspx?UniqueId=afwjuxxltt&GoTo=Docs"),
    "NOR estimated NOK": ("NOR_doffin_ContractNotice_cn-social_2022-396301.xml", "estimated_value",
                          Money(17000000.0, "NOK")),
    "NOR change notice": ("NOR_doffin_ContractNotice_cn-standard_2024-102199.xml", "changes_notice_id",
                          "76f2960c-5463-4919-9ac1-4e4cd5fac8c4-01"),
    "NOR title in NOR": ("NOR_doffin_ContractNotice_cn-social_2024-106969.xml", "title",
                         "Innsamling av husholdningsavfall"),
    "NOR N16 published from IssueDate": ("NOR_doffin_ContractNotice_cn-standard_2024-107345.xml",
                                         "published", "2024-05-16"),
    "maximal res-pub-ser on LOT-0001": ("sdk-examples-synthetic/cn_24_maximal.xml", "lot_reserved",
                                        [["publicServiceMissionOrganization"], []]),
    "maximal reserved execution": ("sdk-examples-synthetic/cn_24_maximal.xml", "reserved_execution", True),
    "maximal lots group skipped": ("sdk-examples-synthetic/cn_24_maximal.xml", "lot_ids",
                                   ["LOT-0001", "LOT-0002"]),
    "maximal strategic": ("sdk-examples-synthetic/cn_24_maximal.xml", "strategic_procurement", ["env-imp"]),
    "maximal deadline from BT-1311": ("sdk-examples-synthetic/cn_24_maximal.xml", "deadline",
                                      "2023-05-22T20:59:32+01:00"),
    "maximal documents url": ("sdk-examples-synthetic/cn_24_maximal.xml", "url", "http://nonrestricteddocuments.com"),
    "pin-cfc-social res-ws": ("sdk-examples-synthetic/pin-cfc-social_24.xml", "reserved_participation",
                              ["shelteredWorkshop"]),
    "cn-social no reservation": ("sdk-examples-synthetic/cn-social_24.xml", "reserved_participation", []),
}


def fact(record: NoticeRecord, name: str) -> Any:
    derived = {
        "lot_reserved": lambda: [lot.reserved_participation for lot in record.lots],
        "lot_values": lambda: [lot.estimated_value for lot in record.lots],
        "lot_ids": lambda: [lot.lot_id for lot in record.lots],
        "social_set": lambda: set(record.social_objectives),
        "sme": lambda: record.suitability["sme"],
    }
    return derived[name]() if name in derived else getattr(record, name)


@pytest.mark.real_data
@pytest.mark.parametrize(("file", "name", "value"), REAL_FACTS.values(), ids=REAL_FACTS.keys())
def test_real_fact(file: str, name: str, value: Any) -> None:
    assert fact(parse_real(file), name) == value


@pytest.mark.real_data
def test_dispatch_recognises_and_validates_eforms() -> None:
    path = real_path("eforms/ESP_00262891-2023.xml")
    outcome = parse_one(path.read_bytes(), str(path))
    assert outcome.error is None
    assert outcome.source_format == "eforms"
    assert [r.notice_id for r in outcome.records] == ["00262891-2023"]


@pytest.mark.real_data
def test_comments_left_in_the_tree_change_nothing() -> None:
    path = real_path("eforms/NOR_doffin_ContractNotice_cn-social_2022-396301.xml")  # full of comments
    with_comments = etree.fromstring(path.read_bytes(), etree.XMLParser(remove_comments=False))
    assert eforms.parse_tree(with_comments, str(path)) == eforms.parse(path.read_bytes(), str(path))


# --- small hand-made notices ----------------------------------------------------------------------

NAMESPACES = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in eforms.NS.items())
ROOT_NS = "urn:oasis:names:specification:ubl:schema:xsd:{}-2"


def notice(
    body: str = "",
    *,
    ext: str = "",
    root: str = "ContractNotice",
    head: str = '<cbc:ID>n-1</cbc:ID><cbc:NoticeLanguageCode>SWE</cbc:NoticeLanguageCode>',
    project: str | None = "<cbc:Name>Städning</cbc:Name>",
) -> bytes:
    """A minimal eForms notice: extension content, header, root ProcurementProject, then body (lots)."""
    extension = (
        "<ext:UBLExtensions><ext:UBLExtension><ext:ExtensionContent><efext:EformsExtension>"
        f"{ext}</efext:EformsExtension></ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions>"
    )
    procurement = "" if project is None else f"<cac:ProcurementProject>{project}</cac:ProcurementProject>"
    return (
        f'<{root} xmlns="{ROOT_NS.format(root)}" {NAMESPACES}>'
        f"{extension}{head}{procurement}{body}</{root}>"
    ).encode()


def lot(
    lot_id: str, *, scheme: str | None = "Lot", terms: str = "", process: str = "", project: str = ""
) -> str:
    scheme_attribute = f' schemeName="{scheme}"' if scheme else ""
    return (
        f"<cac:ProcurementProjectLot><cbc:ID{scheme_attribute}>{lot_id}</cbc:ID>"
        f"<cac:TenderingTerms>{terms}</cac:TenderingTerms><cac:TenderingProcess>{process}</cac:TenderingProcess>"
        f"<cac:ProcurementProject>{project}</cac:ProcurementProject></cac:ProcurementProjectLot>"
    )


def reserved(code: str) -> str:
    return (
        "<cac:TendererQualificationRequest><cac:SpecificTendererRequirement>"
        f'<cbc:TendererRequirementTypeCode listName="reserved-procurement">{code}'
        "</cbc:TendererRequirementTypeCode></cac:SpecificTendererRequirement></cac:TendererQualificationRequest>"
    )


def amount(value: str, currency: str = "SEK") -> str:
    return (
        f'<cac:RequestedTenderTotal><cbc:EstimatedOverallContractAmount currencyID="{currency}">{value}'
        "</cbc:EstimatedOverallContractAmount></cac:RequestedTenderTotal>"
    )


def deadline(date: str, time: str = "12:00:00+01:00") -> str:
    return (
        f"<cac:TenderSubmissionDeadlinePeriod><cbc:EndDate>{date}</cbc:EndDate>"
        f"<cbc:EndTime>{time}</cbc:EndTime></cac:TenderSubmissionDeadlinePeriod>"
    )


def parse_one_record(data: bytes) -> NoticeRecord:
    [record] = eforms.parse(data, "test.xml")
    return record.validate()


def type_head(list_name: str, procedure: str = "open") -> str:
    return (
        f'<cbc:ID>n-1</cbc:ID><cbc:NoticeTypeCode listName="{list_name}">x</cbc:NoticeTypeCode>'
        f"<cac:TenderingProcess><cbc:ProcedureCode>{procedure}</cbc:ProcedureCode></cac:TenderingProcess>"
    )


# name -> (form type listName, subtype, procedure type, expected notice type)
NOTICE_TYPES: dict[str, tuple[str, str, str, str]] = {
    "planning form": ("planning", "4", "open", "planning"),
    "competition form": ("competition", "16", "open", "contract-notice"),
    "pin used as call for competition": ("competition", "10", "open", "contract-notice"),
    "result form": ("result", "29", "open", "award"),
    "result without prior call": ("result", "29", "neg-wo-call", "direct-award"),
    "veat form": ("dir-awa-pre", "25", "neg-wo-call", "direct-award"),
    "veat subtype with result form": ("result", "27", "open", "direct-award"),
    "modification form": ("cont-modif", "38", "open", "modification"),
    "change form uses subtype": ("change", "16", "open", "contract-notice"),
    "unknown form, planning subtype": ("", "7", "open", "planning"),
    "unknown form, award subtype": ("", "33", "open", "award"),
    "unknown form, modification subtype": ("", "40", "open", "modification"),
    "national N16": ("", "N16", "open", "contract-notice"),
    "E1 consultation": ("consultation", "E1", "open", "planning"),
    "E3": ("", "E3", "open", "contract-notice"),
    "E4": ("completion", "E4", "open", "award"),
    "E5": ("completion", "E5", "open", "other"),
    "subtype out of range": ("", "99", "open", "other"),
    "no subtype at all": ("", "", "open", "other"),
}


@pytest.mark.parametrize(
    ("form", "subtype", "procedure", "expected"), NOTICE_TYPES.values(), ids=NOTICE_TYPES.keys()
)
def test_notice_type(form: str, subtype: str, procedure: str, expected: str) -> None:
    ext = f"<efac:NoticeSubType><cbc:SubTypeCode>{subtype}</cbc:SubTypeCode></efac:NoticeSubType>"
    record = parse_one_record(notice(ext=ext, head=type_head(form, procedure)))
    assert record.notice_type == expected
    assert record.form_type == (subtype or None)


# name -> (bytes, error class, words the message must contain)
BROKEN: dict[str, tuple[bytes, type[ParseError], str]] = {
    "no ProcurementProject": (notice(project=None), MalformedInputError, "cac:ProcurementProject"),
    "no notice identifier": (notice(head=""), MalformedInputError, "cbc:ID"),
    "placeholder publication id and no ID": (
        notice(head="", ext="<efac:Publication><efbc:NoticePublicationID>n.a.</efbc:NoticePublicationID>"
                            "</efac:Publication>"),
        MalformedInputError, "cbc:ID"),
    "empty root": (b'<ContractNotice xmlns="urn:x"/>', MalformedInputError, "cbc:ID"),
    "not an eForms root": (b"<TED_EXPORT/>", UnknownFormatError, "TED_EXPORT"),
    "truncated": (notice()[:-20], MalformedInputError, "not well-formed"),
}


@pytest.mark.parametrize(("data", "error", "words"), BROKEN.values(), ids=BROKEN.keys())
def test_broken_notice_raises_named_parse_error(data: bytes, error: type[ParseError], words: str) -> None:
    with pytest.raises(error) as caught:
        eforms.parse(data, "broken/notice.xml")
    assert caught.value.source_path == "broken/notice.xml"
    assert "broken/notice.xml" in str(caught.value)
    assert words in str(caught.value)


def test_missing_project_is_a_stored_error_through_dispatch() -> None:
    outcome = parse_one(notice(project=None), "x.xml")
    assert isinstance(outcome.error, MalformedInputError)
    assert outcome.data is not None and not outcome.records


GARBAGE_LOT = lot(
    "LOT-0001",
    terms=reserved("res-unknown")
    + '<cac:ContractExecutionRequirement><cbc:ExecutionRequirementCode listName="reserved-execution">maybe'
    "</cbc:ExecutionRequirementCode></cac:ContractExecutionRequirement>",
    process="<cac:TenderSubmissionDeadlinePeriod><cbc:EndDate>soon</cbc:EndDate></cac:TenderSubmissionDeadlinePeriod>",
    project="<cbc:Name/><cbc:SMESuitableIndicator>perhaps</cbc:SMESuitableIndicator>"
    "<cac:MainCommodityClassification><cbc:ItemClassificationCode>garbage</cbc:ItemClassificationCode>"
    "</cac:MainCommodityClassification>" + amount("a lot", "EUR"),
)


def test_garbage_inside_gives_a_sparse_valid_record() -> None:
    head = (
        "<cbc:ID>n-1</cbc:ID><cbc:IssueDate>yesterday</cbc:IssueDate><cbc:NoticeLanguageCode>XXX</cbc:NoticeLanguageCode>"
        "<cac:ContractingParty><cac:Party><cac:PartyIdentification><cbc:ID>ORG-9999</cbc:ID>"
        "</cac:PartyIdentification></cac:Party></cac:ContractingParty>"
    )
    project = (
        "<cac:MainCommodityClassification><cbc:ItemClassificationCode>1234</cbc:ItemClassificationCode>"
        "</cac:MainCommodityClassification>"
    )
    record = parse_one_record(notice(GARBAGE_LOT, head=head, project=project))
    assert (record.notice_id, record.language, record.published, record.deadline) == ("n-1", None, None, None)
    assert (record.cpv_main, record.cpv, record.title) == (None, [], None)
    assert record.buyer.name is None, "a dangling organisation reference gives an empty buyer"
    [only] = record.lots
    assert (only.reserved_participation, only.reserved_execution, only.estimated_value) == ([], None, None)
    assert record.suitability == {"sme": False, "vcse": None}
    assert record.reserved_participation == [] and record.reserved_execution is False


def test_parts_and_groups_count_for_the_notice_but_only_lots_are_lots() -> None:
    body = (
        lot("PAR-0001", scheme="Part", terms=reserved("res-ws"),
            project="<cac:ProcurementAdditionalType>"
                    '<cbc:ProcurementTypeCode listName="social-objective">et-eq</cbc:ProcurementTypeCode>'
                    "</cac:ProcurementAdditionalType>")
        + lot("GLO-0001", scheme="LotsGroup", terms=reserved("res-pub-ser"))
        + lot("LOT-0001", scheme=None, terms=reserved("none"))  # no schemeName: inferred from the id
    )
    record = parse_one_record(notice(body))
    assert [x.lot_id for x in record.lots] == ["LOT-0001"]
    assert record.reserved_participation == ["shelteredWorkshop"]
    assert record.social_objectives == ["et-eq"]


def test_lot_values_are_summed_only_in_one_currency() -> None:
    same = notice(lot("LOT-1", project=amount("100.5")) + lot("LOT-2", project=amount("1 000,25")))
    mixed = notice(lot("LOT-1", project=amount("100")) + lot("LOT-2", project=amount("100", "EUR")))
    root_value = notice(lot("LOT-1", project=amount("100")), project=amount("999"))
    assert parse_one_record(same).estimated_value == Money(1100.75, "SEK")
    assert parse_one_record(mixed).estimated_value is None
    assert parse_one_record(root_value).estimated_value == Money(999.0, "SEK")


def test_deadline_is_the_earliest_tender_deadline_then_expression_of_interest() -> None:
    interest = (
        "<ext:UBLExtensions><ext:UBLExtension><ext:ExtensionContent><efext:EformsExtension>"
        "<efac:InterestExpressionReceptionPeriod><cbc:EndDate>2024-01-01+01:00</cbc:EndDate>"
        "</efac:InterestExpressionReceptionPeriod></efext:EformsExtension></ext:ExtensionContent>"
        "</ext:UBLExtension></ext:UBLExtensions>"
    )
    later, earlier = deadline("2024-03-05+01:00"), deadline("2024-03-04+01:00")
    two = notice(lot("LOT-1", process=later) + lot("LOT-2", process=earlier))
    mixed = notice(lot("LOT-1", process=interest) + lot("LOT-2", process=earlier))
    only_interest = notice(lot("LOT-1", process=interest))
    assert parse_one_record(two).deadline == "2024-03-04T12:00:00+01:00"
    lot_deadlines = [x.deadline for x in parse_one_record(two).lots]
    assert lot_deadlines == ["2024-03-05T12:00:00+01:00", "2024-03-04T12:00:00+01:00"]
    assert parse_one_record(mixed).deadline == "2024-03-04T12:00:00+01:00"
    assert parse_one_record(only_interest).deadline == "2024-01-01"


# name -> (names with languageID, notice language, expected title)
TITLES: dict[str, tuple[list[tuple[str | None, str]], str, str | None]] = {
    "notice language wins over first": ([("DEU", "Reinigung"), ("SWE", "Städning")], "SWE", "Städning"),
    "first when notice language absent": ([("DEU", "Reinigung"), ("FIN", "Siivous")], "SWE", "Reinigung"),
    "empty notice-language text skipped": ([("SWE", "  "), ("ENG", "Cleaning")], "SWE", "Cleaning"),
    "white space collapsed": ([(None, "  Städning \n av  skolor ")], "SWE", "Städning av skolor"),
    "no title": ([], "SWE", None),
}


@pytest.mark.parametrize(("names", "language", "expected"), TITLES.values(), ids=TITLES.keys())
def test_title_in_notice_language(
    names: list[tuple[str | None, str]], language: str, expected: str | None
) -> None:
    project = "".join(
        f'<cbc:Name languageID="{lang}">{text}</cbc:Name>' if lang else f"<cbc:Name>{text}</cbc:Name>"
        for lang, text in names
    )
    head = f"<cbc:ID>n-1</cbc:ID><cbc:NoticeLanguageCode>{language}</cbc:NoticeLanguageCode>"
    assert parse_one_record(notice(head=head, project=project)).title == expected


def test_buyer_is_resolved_from_the_organisation_index() -> None:
    ext = (
        "<efac:Organizations>"
        "<efac:Organization><efac:Company><cac:PartyIdentification><cbc:ID>ORG-0002</cbc:ID></cac:PartyIdentification>"
        "<cac:PartyName><cbc:Name>Review body</cbc:Name></cac:PartyName></efac:Company></efac:Organization>"
        "<efac:Organization><efac:Company><cac:PartyIdentification><cbc:ID>ORG-0001</cbc:ID></cac:PartyIdentification>"
        '<cac:PartyName><cbc:Name languageID="ENG">Lulea Municipality</cbc:Name></cac:PartyName>'
        '<cac:PartyName><cbc:Name languageID="SWE">Luleå kommun</cbc:Name></cac:PartyName>'
        "<cac:PostalAddress><cbc:CityName>Luleå</cbc:CityName><cbc:CountrySubentityCode>SE332</cbc:CountrySubentityCode>"
        "<cac:Country><cbc:IdentificationCode>SWE</cbc:IdentificationCode></cac:Country></cac:PostalAddress>"
        "<cac:PartyLegalEntity><cbc:CompanyID>212000-2723</cbc:CompanyID></cac:PartyLegalEntity>"
        "</efac:Company></efac:Organization></efac:Organizations>"
    )
    head = (
        "<cbc:ID>n-1</cbc:ID><cbc:NoticeLanguageCode>SWE</cbc:NoticeLanguageCode>"
        "<cac:ContractingParty><cbc:BuyerProfileURI>https://lulea.se/upphandling</cbc:BuyerProfileURI>"
        "<cac:Party><cac:PartyIdentification><cbc:ID>ORG-0001</cbc:ID></cac:PartyIdentification></cac:Party>"
        "</cac:ContractingParty>"
    )
    record = parse_one_record(notice(ext=ext, head=head))
    assert record.buyer.name == "Luleå kommun"
    assert (record.buyer.identifier, record.buyer.country, record.buyer.nuts, record.buyer.city) == (
        "212000-2723", "SE", "SE332", "Luleå")
    assert record.url == "https://lulea.se/upphandling", "no publication id and no documents: buyer profile"
    assert record.language == "sv"


# name -> (BT-736 codes per lot, lot values, record value)
RESERVED_EXECUTION: dict[str, tuple[list[str | None], list[bool | None], bool]] = {
    "yes": (["yes"], [True], True),
    "no": (["no"], [False], False),
    "absent": ([None], [None], False),
    "unknown code": (["maybe"], [None], False),
    "one lot of two": (["no", "yes"], [False, True], True),
}


@pytest.mark.parametrize(
    ("codes", "lots", "expected"), RESERVED_EXECUTION.values(), ids=RESERVED_EXECUTION.keys()
)
def test_reserved_execution(codes: list[str | None], lots: list[bool | None], expected: bool) -> None:
    def terms(code: str | None) -> str:
        if code is None:
            return ""
        return (
            '<cac:ContractExecutionRequirement><cbc:ExecutionRequirementCode listName="reserved-execution">'
            f"{code}</cbc:ExecutionRequirementCode></cac:ContractExecutionRequirement>"
        )

    record = parse_one_record(notice("".join(lot(f"LOT-{i}", terms=terms(c)) for i, c in enumerate(codes))))
    assert [x.reserved_execution for x in record.lots] == lots
    assert record.reserved_execution is expected
