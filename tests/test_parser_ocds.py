"""Tests of the OCDS parser on the real published releases in ../shared/data/real/ocds."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from crawlers.parsers import dispatch, ocds
from crawlers.parsers.exceptions import MalformedInputError, UnknownFormatError
from crawlers.parsers.record import Money, NoticeRecord
from tests.conftest import REAL_DATA, real_files, real_path

OCDS_FILES = real_files("ocds", "*.json")
CF = "ocds/contracts-finder-england/ocds-b5fd17-"
CF_LUTON = CF + "7445ba73-19af-4b2c-9156-bc70b3b4ee87__06c7e0ea-fd0b-431c-93b4-d1fcf3801ce5-819945.json"
CF_HARROW = CF + "7b68a5a5-c7c6-4b6a-af57-25252442e31e__47f42b21-33b9-445c-b070-d8b7e2d089bd-832998.json"
CF_DURHAM = CF + "8d32d7f9-d329-4b4f-bb2f-d2ce3ba23436__aac989dd-14c8-47fa-8c45-87435ca201cb-819855.json"
CF_HAMPSHIRE = CF + "8e9e80b5-0a39-4580-a5f2-2b35442a9378__b8c14041-9e33-4f4c-8c08-398d0c8ada2c-819943.json"
CF_MANCHESTER = CF + "a89fc5c2-eed8-48fa-b4e3-727a8f32fd6d__4bff9fae-9ab0-490c-99b0-da71e14146bc-833039.json"
CF_LQHT = CF + "f906eae8-45d8-4aac-bb38-45f2bc29f21e__15b57760-579a-4b13-9876-e1e3d1be2465-832954.json"
SCOT_AYRSHIRE = "ocds/public-contracts-scotland/ocds-r6ebe6-0000574493__None.json"
SCOT_CALEDONIA = "ocds/public-contracts-scotland/ocds-r6ebe6-0000576351__None.json"
SCOT_EDINBURGH = "ocds/public-contracts-scotland/ocds-r6ebe6-0000579910__None.json"
WALES_RCT = "ocds/sell2wales/ocds-kuma6s-147810__ocds-kuma6s-147810-release-147810.json"
WALES_DENBIGH = "ocds/sell2wales/ocds-kuma6s-148160__ocds-kuma6s-148160-release-148160.json"
MEXICO_1 = "ocds/cdmx-mexico/release-package-1.json"
MEXICO_2 = "ocds/cdmx-mexico/release-package-2.json"


def parse_real(relative: str) -> list[NoticeRecord]:
    """Parse one real file by its path under the real-data folder, naming it by that path."""
    return ocds.parse(real_path(relative).read_bytes(), relative)


def load_real(relative: str) -> dict[str, Any]:
    """Load one real file's JSON, for building packages and broken variants from a real release."""
    return json.loads(real_path(relative).read_bytes())


@pytest.mark.parametrize("path", OCDS_FILES, ids=lambda p: str(p.relative_to(REAL_DATA)))
def test_every_real_file_parses_and_validates(path: Path) -> None:
    records = ocds.parse(path.read_bytes(), str(path))
    assert records
    for record in records:
        record.validate()
        assert record.source_format == "ocds"
        assert record.procedure_id
        assert record.notice_id is not None
        assert record.notice_id.startswith(record.procedure_id)
        assert record.title
        assert record.published is not None
        assert record.buyer.name
        assert set(record.to_dict()) >= {"buyer", "cpv", "lots", "suitability", "deadline"}


# file, notice type, buyer name, CPV codes (main first), suitability.vcse; types as in manifest.csv.
UK_CASES = [
    pytest.param(CF_LUTON, "contract-notice", "Luton Council", ["85300000"], True, id="cf-luton-tender"),
    pytest.param(
        CF_HARROW,
        "planning",
        "NHS North West London Integrated Care Board",
        ["85323000"],
        True,
        id="cf-harrow-planning",
    ),
    pytest.param(
        CF_DURHAM, "contract-notice", "Durham County Council", ["75240000", "79710000"], True, id="cf-durham"
    ),
    pytest.param(
        CF_HAMPSHIRE,
        "contract-notice",
        "Barton Stacey Primary School",
        ["55524000"],
        False,
        id="cf-hampshire-not-vcse",
    ),
    pytest.param(
        CF_MANCHESTER,
        "award",
        "Manchester City Council",
        ["79952000", "92300000"],
        True,
        id="cf-manchester-award",
    ),
    pytest.param(CF_LQHT, "award", "LONDON & QUADRANT HOUSING TRUST", ["98392000"], True, id="cf-lqht-award"),
    pytest.param(
        SCOT_AYRSHIRE, "contract-notice", "East Ayrshire Council", ["90514000"], None, id="scot-ayrshire"
    ),
    pytest.param(
        SCOT_EDINBURGH,
        "contract-notice",
        "University Of Edinburgh",
        ["90910000", "90911100", "90911000", "90911200"],
        None,
        id="scot-edinburgh-items",
    ),
    pytest.param(WALES_RCT, "contract-notice", "Rhondda Cynon Taf CBC", ["90910000"], None, id="wales-rct"),
    pytest.param(
        WALES_DENBIGH,
        "contract-notice",
        "Denbighshire County Council",
        ["77314100"],
        None,
        id="wales-denbigh",
    ),
]


@pytest.mark.parametrize(("relative", "notice_type", "buyer", "cpv", "vcse"), UK_CASES)
def test_uk_releases(relative: str, notice_type: str, buyer: str, cpv: list[str], vcse: bool | None) -> None:
    (record,) = parse_real(relative)
    assert record.source_path == relative
    assert record.notice_type == notice_type
    assert record.buyer.name == buyer
    assert record.buyer.country == "GB"
    assert record.language == "en"
    assert record.cpv_main == cpv[0]
    assert record.cpv == cpv
    assert record.suitability["vcse"] is vcse


# file, field path, expected value: details from single real releases.
DETAIL_CASES = [
    pytest.param(
        CF_LUTON,
        "notice_id",
        "ocds-b5fd17-7445ba73-19af-4b2c-9156-bc70b3b4ee87/06c7e0ea-fd0b-431c-93b4-d1fcf3801ce5-819945",
        id="cf-notice-id",
    ),
    pytest.param(CF_LUTON, "published", "2025-01-16", id="cf-tender-datePublished"),
    pytest.param(CF_LUTON, "deadline", "2025-02-17T17:00:00Z", id="cf-deadline-datetime"),
    pytest.param(CF_LUTON, "estimated_value", Money(118000000.0, "GBP"), id="cf-value"),
    pytest.param(
        CF_LUTON,
        "url",
        "https://www.contractsfinder.service.gov.uk/Notice/06c7e0ea-fd0b-431c-93b4-d1fcf3801ce5",
        id="cf-tender-notice-url",
    ),
    pytest.param(CF_LUTON, "buyer.identifier", "GB-CFS-107313", id="cf-party-id-as-identifier"),
    pytest.param(CF_LUTON, "suitability", {"sme": True, "vcse": True}, id="cf-suitability"),
    pytest.param(CF_DURHAM, "buyer.identifier", "GB-LAE-DUR", id="cf-scheme-identifier"),
    pytest.param(CF_DURHAM, "buyer.city", "DURHAM", id="cf-city"),
    pytest.param(CF_DURHAM, "estimated_value", None, id="cf-no-value"),
    pytest.param(CF_HARROW, "published", "2025-03-11", id="planning-release-date"),
    pytest.param(CF_HARROW, "deadline", None, id="planning-no-deadline"),
    pytest.param(
        CF_HARROW,
        "url",
        "https://www.contractsfinder.service.gov.uk/Notice/47f42b21-33b9-445c-b070-d8b7e2d089bd",
        id="planning-engagement-notice-url",
    ),
    pytest.param(CF_MANCHESTER, "published", "2025-03-11", id="award-datePublished"),
    pytest.param(
        CF_MANCHESTER,
        "url",
        "https://www.contractsfinder.service.gov.uk/Notice/4bff9fae-9ab0-490c-99b0-da71e14146bc",
        id="award-notice-url",
    ),
    pytest.param(CF_MANCHESTER, "form_type", "award", id="form-type-tags"),
    pytest.param(SCOT_AYRSHIRE, "notice_id", "ocds-r6ebe6-0000574493", id="scot-no-release-id"),
    pytest.param(SCOT_AYRSHIRE, "nuts", ["UKM93", "UKM94"], id="scot-delivery-nuts"),
    pytest.param(SCOT_AYRSHIRE, "buyer.nuts", "UKM93", id="scot-buyer-nuts"),
    pytest.param(SCOT_AYRSHIRE, "buyer.country", "GB", id="scot-country-from-nuts"),
    pytest.param(SCOT_AYRSHIRE, "buyer.identifier", None, id="scot-local-party-id-dropped"),
    pytest.param(
        SCOT_AYRSHIRE,
        "url",
        "https://www.publiccontractsscotland.gov.uk/search/show/search_view.aspx?ID=APR351985",
        id="scot-contract-notice-url",
    ),
    pytest.param(
        SCOT_CALEDONIA, "buyer.name", "Caledonia Housing Association (Bellsmyre HA)", id="clean-name"
    ),
    pytest.param(WALES_DENBIGH, "nuts", ["UKL13"], id="wales-nuts"),
    pytest.param(WALES_DENBIGH, "deadline", "2025-03-17T12:00:00Z", id="wales-deadline"),
]


@pytest.mark.parametrize(("relative", "field", "expected"), DETAIL_CASES)
def test_release_details(relative: str, field: str, expected: object) -> None:
    (record,) = parse_real(relative)
    value: object = record
    for name in field.split("."):
        value = getattr(value, name)
    assert value == expected


def test_lots_take_codes_of_their_items() -> None:
    (record,) = parse_real(WALES_DENBIGH)
    assert [lot.lot_id for lot in record.lots] == ["1", "2", "3"]
    assert [lot.title for lot in record.lots] == [
        "Principal Roads",
        "Non-Principal Roads",
        "Road Side Nature Reserves",
    ]
    assert all(lot.cpv == ["77314100"] and lot.nuts == ["UKL13"] for lot in record.lots)
    (caledonia,) = parse_real(SCOT_CALEDONIA)
    assert caledonia.lots[0].estimated_value == Money(270000.0, "GBP")
    assert caledonia.lots[0].reserved_execution is None


@pytest.mark.parametrize(
    ("relative", "ocid", "title", "value"),
    [
        pytest.param(
            MEXICO_1,
            "OCDS-87SD3T-AD-SF-DRM-063-2015",
            "ARRENDAMIENTO DE BIENES INFORMÁTICOS",
            1311264.0,
            id="pkg-1",
        ),
        pytest.param(
            MEXICO_2,
            "OCDS-87SD3T-AD-SF-DRM-065-2015",
            "RENOVACIÓN DEL LICENCIAMIENTO SELECT BENTLEY",
            1471566.72,
            id="pkg-2",
        ),
    ],
)
def test_mexico_release_packages(relative: str, ocid: str, title: str, value: float) -> None:
    records = parse_real(relative)
    assert [r.source_path for r in records] == [f"{relative}#0", f"{relative}#1"]
    assert [r.notice_id for r in records] == [f"{ocid}/01", f"{ocid}/02"]
    for record in records:
        assert record.procedure_id == ocid
        assert record.language == "es"
        assert record.title == title
        assert record.notice_type == "contract-notice"
        assert record.cpv == []
        assert record.cpv_main is None
        assert record.estimated_value == Money(value, "MXN")
        assert record.buyer.name == "SECRETARÍA DE FINANZAS"
        assert record.buyer.identifier == "GDF9712054NA"
        assert record.buyer.country == "MX"
        assert record.url is not None
        assert record.url.endswith(".pdf")


def test_record_package_uses_compiled_release_and_last_release() -> None:
    release = load_real(WALES_RCT)
    older = copy.deepcopy(release) | {"id": "older", "tag": ["planning"]}
    linked = {"url": "https://example.org/release.json", "date": "2025-01-01T00:00:00Z", "tag": ["planning"]}
    package = {
        "records": [
            {"ocid": release["ocid"], "releases": [linked], "compiledRelease": release},
            {"ocid": release["ocid"], "releases": [older, release]},
        ]
    }
    records = ocds.parse(json.dumps(package).encode(), "records.json")
    assert [r.source_path for r in records] == ["records.json#0", "records.json#1"]
    assert [r.notice_id for r in records] == [f"{release['ocid']}/{release['id']}"] * 2
    assert all(r.cpv == ["90910000"] and r.buyer.name == "Rhondda Cynon Taf CBC" for r in records)


def test_single_record_and_single_release() -> None:
    release = load_real(WALES_RCT)
    (from_record,) = ocds.parse_json({"ocid": release["ocid"], "compiledRelease": release}, "record.json")
    (from_release,) = ocds.parse(json.dumps(release).encode("utf-8"), "release.json")
    assert from_record.source_path == "record.json"
    assert from_release.source_path == "release.json"
    assert from_record.to_dict() | {"source_path": ""} == from_release.to_dict() | {"source_path": ""}


@pytest.mark.parametrize(
    ("document", "path"),
    [
        pytest.param({"a": 1}, "in.json", id="object-without-ocds-keys"),
        pytest.param([], "in.json", id="empty-list"),
        pytest.param([{"ocid": "x", "tag": ["tender"]}], "in.json", id="list-of-releases"),
        pytest.param("x", "in.json", id="string"),
        pytest.param(1, "in.json", id="number"),
        pytest.param(None, "in.json", id="null"),
        pytest.param({"ocid": "x"}, "in.json", id="ocid-only"),
        pytest.param({"releases": "x"}, "in.json", id="releases-not-a-list"),
        pytest.param({"releases": [{"ocid": "x", "id": "1"}, 1]}, "in.json#1", id="release-not-an-object"),
        pytest.param({"records": [[]]}, "in.json#0", id="record-not-an-object"),
    ],
)
def test_not_ocds_is_unknown_format(document: object, path: str) -> None:
    with pytest.raises(UnknownFormatError) as caught:
        ocds.parse_json(document, "in.json")
    assert caught.value.source_path == path
    assert "OCDS" in str(caught.value)


@pytest.mark.parametrize(
    ("data", "path", "reason"),
    [
        pytest.param(b'{"releases": [', "in.json", "not valid JSON", id="truncated"),
        pytest.param(b'{"ocid": "\xff"}', "in.json", "UTF-8", id="bad-utf8"),
        pytest.param(
            b'{"releases": [{"ocid": "a", "id": "1"}, {"id": "2"}]}', "in.json#1", "no ocid", id="no-ocid"
        ),
        pytest.param(b'{"records": [{"ocid": "a"}]}', "in.json#0", "compiledRelease", id="empty-record"),
        pytest.param(
            b'{"records": [{"releases": [{"url": "https://x", "tag": ["tender"]}]}]}',
            "in.json#0",
            "linked release",
            id="linked-release-only",
        ),
    ],
)
def test_malformed_input_names_the_input(data: bytes, path: str, reason: str) -> None:
    with pytest.raises(MalformedInputError) as caught:
        ocds.parse(data, "in.json")
    assert caught.value.source_path == path
    assert reason in caught.value.reason


def test_bom_and_empty_package() -> None:
    assert ocds.parse(b'\xef\xbb\xbf{"releases": []}', "in.json") == []


BASE = {"ocid": "ocds-x-1", "id": "r1", "tag": ["tender"]}
WRONG_TYPES = [
    pytest.param({"tender": "x"}, id="tender-string"),
    pytest.param({"tender": {"items": {}}}, id="items-object"),
    pytest.param({"tender": {"items": [1, "a", None, {"classification": "x"}]}}, id="items-not-objects"),
    pytest.param({"tender": {"classification": {"scheme": "CPV", "id": 90910000}}}, id="cpv-as-number"),
    pytest.param({"tender": {"classification": {"scheme": 1, "id": ["x"]}}}, id="classification-types"),
    pytest.param({"tender": {"lots": [1, {"id": 2, "value": "x", "tenderPeriod": []}]}}, id="lots-mixed"),
    pytest.param({"tender": {"value": {"amount": "abc"}}}, id="amount-text"),
    pytest.param({"tender": {"value": {"amount": True}}}, id="amount-bool"),
    pytest.param({"tender": {"value": {"amount": 10**400}}}, id="amount-huge"),
    pytest.param({"tender": {"tenderPeriod": {"endDate": 20250101}}}, id="date-number"),
    pytest.param({"tender": {"suitability": {"sme": "yes", "vcse": 1}}}, id="suitability-not-bool"),
    pytest.param(
        {"tender": {"otherRequirements": {"reservedParticipation": {"a": 1}}}}, id="reserved-object"
    ),
    pytest.param({"tender": {"sustainability": [{"goal": 5}, "social"]}}, id="sustainability-types"),
    pytest.param({"tender": {"documents": {"url": "x"}}, "links": "x"}, id="documents-object"),
    pytest.param({"tender": {"deliveryAddresses": "UKM93"}}, id="addresses-string"),
    pytest.param({"tag": "tender", "language": 3, "title": ["x"]}, id="tag-string"),
    pytest.param({"id": 7, "tag": [None, 1]}, id="id-number-tags-junk"),
    pytest.param({"buyer": "x", "parties": {"id": "x"}}, id="buyer-string"),
    pytest.param(
        {"buyer": {"id": "b"}, "parties": [{"id": "b", "address": "x", "identifier": 1}]}, id="party-types"
    ),
    pytest.param({"planning": [], "awards": "x", "contracts": [1]}, id="sections-wrong"),
]


@pytest.mark.parametrize("changes", WRONG_TYPES)
def test_wrong_json_types_do_not_crash(changes: dict[str, Any]) -> None:
    (record,) = ocds.parse_json(BASE | changes, "in.json")
    record.validate()
    assert record.procedure_id == "ocds-x-1"


def test_wrong_types_read_as_absent() -> None:
    (record,) = ocds.parse_json(BASE | {"tender": {"value": {"amount": "1 500,50", "currency": "SEK"}}}, "x")
    assert record.estimated_value == Money(1500.5, "SEK")
    (numeric,) = ocds.parse_json(BASE | {"tender": {"classification": {"scheme": "cpv", "id": 3000000}}}, "x")
    assert numeric.cpv == ["03000000"]
    (record,) = ocds.parse_json(BASE | {"id": 7, "tag": "tender"}, "x")
    assert record.notice_id == "ocds-x-1/7"
    assert record.notice_type == "other"


def test_eforms_extension_fields() -> None:
    release = load_real(WALES_DENBIGH)
    tender = release["tender"]
    tender["otherRequirements"] = {"reservedParticipation": ["shelteredWorkshop", "madeUp"]}
    tender["lots"][1]["otherRequirements"] = {"reservedParticipation": ["publicServiceMissionOrganization"]}
    tender["lots"][2]["contractTerms"] = {"reservedExecution": True}
    tender["lots"][2]["tenderPeriod"] = {"endDate": "2025-03-10T10:00:00.000+01:00"}
    tender["sustainability"] = [
        {"goal": "social.disadvantagedEmploymentOpportunities"},
        {"goal": "environmental"},
    ]
    tender["lots"][0]["sustainability"] = [{"goal": "social.laborRightsPromotion"}, {"goal": "social"}]
    tender["lots"][1]["sustainability"] = [
        {"goal": "economic.innovativePurchase"},
        {"strategies": ["awardCriteria"]},
    ]
    (record,) = ocds.parse_json(release, "denbigh.json")
    record.validate()
    assert record.reserved_participation == ["shelteredWorkshop", "publicServiceMissionOrganization"]
    assert record.lots[1].reserved_participation == ["publicServiceMissionOrganization"]
    assert record.reserved_execution is True
    assert [lot.reserved_execution for lot in record.lots] == [None, None, True]
    assert record.social_objectives == ["opp", "work-cond", "other"]
    assert record.strategic_procurement == ["soc-obj", "env-imp", "inn-pur"]
    assert record.lots[2].deadline == "2025-03-10T10:00:00+01:00"
    assert record.deadline == "2025-03-10T10:00:00+01:00"


# tags, procurementMethod, procurementMethodDetails, extra release keys -> notice type.
TYPE_CASES = [
    pytest.param(["planningUpdate"], "open", None, {}, "planning", id="planning-update"),
    pytest.param(["tenderAmendment"], "open", None, {}, "contract-notice", id="tender-amendment"),
    pytest.param(["tender", "award"], "open", None, {}, "award", id="tender-and-award"),
    pytest.param(["contract"], "open", None, {}, "award", id="contract"),
    pytest.param(["award"], "direct", None, {}, "direct-award", id="direct-method"),
    pytest.param(
        ["award"],
        "limited",
        "Negotiated procedure without prior publication",
        {},
        "direct-award",
        id="direct-words",
    ),
    pytest.param(["award"], "limited", "Call-off from a framework agreement", {}, "award", id="call-off"),
    pytest.param(["tender"], "direct", None, {}, "contract-notice", id="direct-tender-stays-notice"),
    pytest.param(["contractAmendment"], "open", None, {}, "modification", id="contract-amendment"),
    pytest.param(["tenderCancellation"], "open", None, {}, "other", id="cancellation"),
    pytest.param(["compiled"], "open", None, {"awards": [{"id": "1"}]}, "award", id="compiled-with-awards"),
    pytest.param(["compiled"], "open", None, {}, "contract-notice", id="compiled-tender"),
    pytest.param([], "open", None, {}, "other", id="no-tags"),
]


@pytest.mark.parametrize(("tags", "method", "details", "extra", "expected"), TYPE_CASES)
def test_notice_type_from_tags(
    tags: list[str], method: str, details: str | None, extra: dict[str, Any], expected: str
) -> None:
    release = load_real(CF_DURHAM) | {"tag": tags} | extra
    release["tender"] |= {"procurementMethod": method, "procurementMethodDetails": details}
    (record,) = ocds.parse_json(release, "durham.json")
    assert record.notice_type == expected


def test_amendment_names_the_changed_release() -> None:
    release = load_real(CF_DURHAM) | {"id": "r2", "tag": ["tenderAmendment"]}
    release["tender"]["amendments"] = [{"id": "1", "releaseID": "r2", "amendsReleaseID": "r1"}]
    (record,) = ocds.parse_json(release, "durham.json")
    assert record.changes_notice_id == f"{release['ocid']}/r1"


def test_dispatch_parses_ocds() -> None:
    outcome = dispatch.parse_one(real_path(MEXICO_2).read_bytes(), MEXICO_2)
    assert outcome.error is None
    assert outcome.source_format == "ocds"
    assert [r.source_path for r in outcome.records] == [f"{MEXICO_2}#0", f"{MEXICO_2}#1"]
    not_ocds = dispatch.parse_one(b'{"a": 1}', "a.json")
    assert isinstance(not_ocds.error, UnknownFormatError)
