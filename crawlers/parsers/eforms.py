"""Parse eForms UBL notices (EU 2019/1780, SDK 1.x, incl. Doffin national variants) into records.

Comments name the eForms business terms (BT-…) read. One file is one notice. Lookups follow fixed
child paths from the root, a lot or an organisation (precompiled XPath, and one walk over each
cac:ProcurementProject), so the cost stays close to that of loading the XML (no `//` searches).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from crawlers.parsers.exceptions import MalformedInputError, UnknownFormatError
from crawlers.parsers.normalise import (
    clean_text,
    country_code,
    earliest,
    iso_date,
    iso_datetime,
    language_code,
    parse_amount,
)
from crawlers.parsers.record import Buyer, Lot, Money, NoticeRecord, NoticeType, normalise_cpv, unique
from crawlers.parsers.xmlsafe import load_xml, local_name

NS: dict[str, str] = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
}
ROOTS: frozenset[str] = frozenset({"ContractNotice", "ContractAwardNotice", "PriorInformationNotice"})
# TED's notice page, keyed by the publication number as TED shows it (no leading zeros: "522031-2023").
TED_NOTICE_URL = "https://ted.europa.eu/en/notice/-/detail/{}"

# BT-71 reserved participation -> OCDS names; "none" maps to nothing.
RESERVED_CODES: dict[str, str] = {
    "res-ws": "shelteredWorkshop",
    "res-pub-ser": "publicServiceMissionOrganization",
}
# BT-03 form type (the listName of cbc:NoticeTypeCode) -> record notice type; others use the subtype.
FORM_TYPES: dict[str, NoticeType] = {
    "planning": "planning",
    "competition": "contract-notice",
    "dir-awa-pre": "direct-award",
    "result": "award",
    "cont-modif": "modification",
}
# Notice subtype (OPP-070) ranges of the SDK notice-subtype code list: upper bound -> notice type.
_SUBTYPE_RANGES: tuple[tuple[int, NoticeType], ...] = (
    (9, "planning"), (24, "contract-notice"), (28, "direct-award"), (37, "award"), (40, "modification"),
)
_E_SUBTYPES: dict[str, NoticeType] = {
    "E1": "planning", "E2": "contract-notice", "E3": "contract-notice", "E4": "award", "E5": "other",
}
_VEAT_SUBTYPES = range(25, 29)
_SUBTYPE_RE = re.compile(r"^([A-Z]*)(\d+)$")
_PUBLICATION_ID_RE = re.compile(r"^\d{1,8}-\d{4}$")


def _tag(qname: str) -> str:
    """Return the Clark notation ("{uri}local") of a prefixed eForms name."""
    prefix, local = qname.split(":")
    return f"{{{NS[prefix]}}}{local}"


def _path(qnames: str) -> str:
    """Return an ElementPath in Clark notation for a "/"-separated path of prefixed names."""
    return "/".join(_tag(part) for part in qnames.split("/"))


def _xp(path: str) -> etree.XPath:
    """Compile an XPath over the eForms namespaces that returns plain strings."""
    return etree.XPath(path, namespaces=NS, smart_strings=False)


_EXT = "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension"
_PROJECT = "cac:ProcurementProject"
_PROCESS = "cac:TenderingProcess"
_TERMS = "cac:TenderingTerms"

# Notice level, evaluated on the root.
_SUBTYPE = _xp(f"string({_EXT}/efac:NoticeSubType/cbc:SubTypeCode)")  # OPP-070
_PUBLICATION_ID = _xp(f"string({_EXT}/efac:Publication/efbc:NoticePublicationID)")  # OPP-010
_PUBLICATION_DATE = _xp(f"string({_EXT}/efac:Publication/efbc:PublicationDate)")  # OPP-012
_CHANGED_NOTICE = _xp(f"string({_EXT}/efac:Changes/efbc:ChangedNoticeIdentifier)")  # BT-758
_COMPANIES = _xp(f"{_EXT}/efac:Organizations/efac:Organization/efac:Company")
_NOTICE_ID = _xp("string(cbc:ID)")  # BT-701
_FOLDER_ID = _xp("string(cbc:ContractFolderID)")  # BT-04
_ISSUE_DATE = _xp("string(cbc:IssueDate)")  # BT-05
_FORM_TYPE = _xp("string(cbc:NoticeTypeCode/@listName)")  # BT-03
_LANGUAGE = _xp("string(cbc:NoticeLanguageCode)")  # BT-702
_PROCEDURE_TYPE = _xp(f"string({_PROCESS}/cbc:ProcedureCode)")  # BT-105
_BUYER_REF = _xp("string(cac:ContractingParty/cac:Party/cac:PartyIdentification/cbc:ID)")  # OPT-300
_BUYER_PROFILE = _xp("string(cac:ContractingParty/cbc:BuyerProfileURI)")  # BT-508
_HAS_PROJECT = _xp(f"boolean({_PROJECT})")
_LOT_ELEMENTS = _xp("cac:ProcurementProjectLot")

# Lot, part or procedure level.
_LOT_ID = _xp("string(cbc:ID)")  # BT-137
_LOT_SCHEME = _xp("string(cbc:ID/@schemeName)")
# Children of cac:ProcurementProject, read in one walk over it.
_PROJECT_TAG = _tag(_PROJECT)
_NAME_TAG = _tag("cbc:Name")
_DESCRIPTION_TAG = _tag("cbc:Description")
_MAIN_CPV_TAG = _tag("cac:MainCommodityClassification")
_MORE_CPV_TAG = _tag("cac:AdditionalCommodityClassification")
_CLASSIFICATION_TAG = _tag("cbc:ItemClassificationCode")
_LOCATION_TAG = _tag("cac:RealizedLocation")
_LOCATION_NUTS = _path("cac:Address/cbc:CountrySubentityCode")
_ADDITIONAL_TAG = _tag("cac:ProcurementAdditionalType")
_TYPE_CODE_TAG = _tag("cbc:ProcurementTypeCode")
_SME_TAG = _tag("cbc:SMESuitableIndicator")
_TOTAL_TAG = _tag("cac:RequestedTenderTotal")
_ESTIMATE_TAG = _tag("cbc:EstimatedOverallContractAmount")
_RESERVED = _xp(
    f"{_TERMS}/cac:TendererQualificationRequest/cac:SpecificTendererRequirement"
    "/cbc:TendererRequirementTypeCode[@listName='reserved-procurement']/text()"
)  # BT-71
_EXECUTION = _xp(
    f"{_TERMS}/cac:ContractExecutionRequirement"
    "/cbc:ExecutionRequirementCode[@listName='reserved-execution']/text()"
)  # BT-736
_DOCUMENT_URI = _xp(
    f"string({_TERMS}/cac:CallForTendersDocumentReference/cac:Attachment/cac:ExternalReference/cbc:URI)"
)  # BT-15
# Deadlines in order of preference: tenders (BT-131), requests to participate (BT-1311),
# expressions of interest in a PIN used as a call for competition (BT-630); (date, time) lookups.
_DEADLINE_PERIODS = tuple(
    (_xp(f"string({period}/cbc:EndDate)"), _xp(f"string({period}/cbc:EndTime)"))
    for period in (
        f"{_PROCESS}/cac:TenderSubmissionDeadlinePeriod",
        f"{_PROCESS}/cac:ParticipationRequestReceptionPeriod",
        f"{_PROCESS}/{_EXT}/efac:InterestExpressionReceptionPeriod",
    )
)

# Organisation level, evaluated on an efac:Company.
_ORG_ID = _xp("string(cac:PartyIdentification/cbc:ID)")  # OPT-200
_ORG_NAMES = _xp("cac:PartyName/cbc:Name")  # BT-500
_ORG_NUMBER = _xp("string(cac:PartyLegalEntity/cbc:CompanyID)")  # BT-501
_ORG_COUNTRY = _xp("string(cac:PostalAddress/cac:Country/cbc:IdentificationCode)")  # BT-514
_ORG_NUTS = _xp("string(cac:PostalAddress/cbc:CountrySubentityCode)")  # BT-507
_ORG_CITY = _xp("string(cac:PostalAddress/cbc:CityName)")  # BT-513


@dataclass(slots=True)
class _Object:
    """What one lot, part or the procedure says: its Lot fields and the notice-level extras."""

    lot: Lot
    is_lot: bool
    social: list[str] = field(default_factory=list)
    strategic: list[str] = field(default_factory=list)
    sme: list[bool] = field(default_factory=list)
    deadlines: tuple[str | None, ...] = ()
    document_uri: str | None = None
    cpv_main: str | None = None


def parse(data: bytes, source_path: str) -> list[NoticeRecord]:
    """Parse eForms notice bytes into records (one per notice)."""
    return parse_tree(load_xml(data, source_path), source_path)


def parse_tree(root: etree._Element, source_path: str) -> list[NoticeRecord]:
    """Parse a loaded eForms root element into records; raise a ParseError for a broken notice."""
    name = local_name(root)
    if name not in ROOTS:
        raise UnknownFormatError(source_path, f"<{name}> is not an eForms notice root")
    return [_record(root, source_path)]


def _record(root: etree._Element, source_path: str) -> NoticeRecord:
    """Build the record of one notice root."""
    publication_id = _publication_id(_PUBLICATION_ID(root))
    notice_id = publication_id or _code(_NOTICE_ID(root))
    if notice_id is None or not _HAS_PROJECT(root):
        missing = "cbc:ID" if notice_id is None else "cac:ProcurementProject"
        raise MalformedInputError(source_path, f"eForms notice without {missing}; is the file complete?")
    lang3 = _LANGUAGE(root).strip().upper()
    subtype = _code(_SUBTYPE(root))
    objects = [o for e in _LOT_ELEMENTS(root) if (o := _object(e, lang3)) is not None]
    procedure = _fields(root, lang3, Lot(), is_lot=False)
    everything = [procedure, *objects]
    cpv = unique([c for o in everything for c in o.lot.cpv])
    sme = [flag for o in everything for flag in o.sme]
    return NoticeRecord(
        source_format="eforms",
        source_path=source_path,
        notice_id=notice_id,
        notice_type=_notice_type(_FORM_TYPE(root).strip(), subtype, _PROCEDURE_TYPE(root).strip()),
        language=language_code(lang3),
        title=procedure.lot.title,
        description=procedure.lot.description,
        url=_url(root, publication_id, everything),
        buyer=_buyer(root, lang3),
        cpv_main=procedure.cpv_main or (cpv[0] if cpv else None),
        cpv=cpv,
        nuts=unique([n for o in everything for n in o.lot.nuts]),
        lots=[o.lot for o in objects if o.is_lot],
        reserved_participation=unique([r for o in everything for r in o.lot.reserved_participation]),
        reserved_execution=any(o.lot.reserved_execution for o in everything),
        social_objectives=unique([s for o in everything for s in o.social]),
        strategic_procurement=unique([s for o in everything for s in o.strategic if s != "none"]),
        suitability={"sme": any(sme) if sme else None, "vcse": None},
        estimated_value=procedure.lot.estimated_value or _sum_values(objects),
        published=iso_date(_PUBLICATION_DATE(root) or _ISSUE_DATE(root)),
        deadline=_deadline(objects),
        procedure_id=_code(_FOLDER_ID(root)),
        form_type=subtype,
        changes_notice_id=_code(_CHANGED_NOTICE(root)),
    )


def _object(element: etree._Element, lang3: str) -> _Object | None:
    """Read one cac:ProcurementProjectLot: a Lot or a Part; None for a group of lots."""
    lot_id = _code(_LOT_ID(element))
    scheme = _LOT_SCHEME(element).strip()
    if not scheme and lot_id:  # hand-made files without schemeName: infer it from the identifier
        scheme = {"LOT": "Lot", "PAR": "Part"}.get(lot_id[:3].upper(), "")
    if scheme not in ("Lot", "Part"):
        return None
    return _fields(element, lang3, Lot(lot_id=lot_id), is_lot=scheme == "Lot")


def _fields(element: etree._Element, lang3: str, lot: Lot, *, is_lot: bool) -> _Object:
    """Fill the fields that a lot, a part and the procedure share, walking cac:ProcurementProject once."""
    found = _Object(lot=lot, is_lot=is_lot)
    titles: list[etree._Element] = []
    descriptions: list[etree._Element] = []
    cpv_main: list[str] = []
    cpv_more: list[str] = []
    nuts: list[str] = []
    project = element.find(_PROJECT_TAG)
    for child in project if project is not None else ():
        tag = child.tag
        if tag == _NAME_TAG:
            titles.append(child)  # BT-21
        elif tag == _DESCRIPTION_TAG:
            descriptions.append(child)  # BT-24
        elif tag == _MAIN_CPV_TAG:
            cpv_main.append(child.findtext(_CLASSIFICATION_TAG) or "")  # BT-262
        elif tag == _MORE_CPV_TAG:
            cpv_more.append(child.findtext(_CLASSIFICATION_TAG) or "")  # BT-263
        elif tag == _LOCATION_TAG:
            nuts.append((child.findtext(_LOCATION_NUTS) or "").strip())  # BT-5071
        elif tag == _ADDITIONAL_TAG:
            for code in child.iterfind(_TYPE_CODE_TAG):
                kind = code.get("listName")
                if kind == "social-objective":  # BT-775
                    found.social.append((code.text or "").strip())
                elif kind == "strategic-procurement":  # BT-06
                    found.strategic.append((code.text or "").strip())
        elif tag == _SME_TAG:
            found.sme.append((child.text or "").strip().lower() == "true")  # BT-726
        elif tag == _TOTAL_TAG and lot.estimated_value is None:
            estimate = child.find(_ESTIMATE_TAG)  # BT-27
            lot.estimated_value = _money(estimate) if estimate is not None else None
    lot.title = _in_language(titles, lang3)
    lot.description = _in_language(descriptions, lang3)
    found.cpv_main = normalise_cpv(cpv_main[0]) if cpv_main else None
    lot.cpv = unique([normalise_cpv(c) or "" for c in cpv_main + cpv_more])
    lot.nuts = unique(nuts)
    lot.reserved_participation = unique([RESERVED_CODES.get(c.strip(), "") for c in _RESERVED(element)])
    execution = {c.strip() for c in _EXECUTION(element)}
    lot.reserved_execution = "yes" in execution if execution & {"yes", "no"} else None
    found.deadlines = _deadlines(element)
    lot.deadline = next((d for d in found.deadlines if d), None)
    found.social = unique(found.social)
    found.strategic = unique(found.strategic)
    found.document_uri = _code(_DOCUMENT_URI(element))
    return found


def _deadlines(element: etree._Element) -> tuple[str | None, ...]:
    """Return a lot's deadlines in the order of _DEADLINE_PERIODS, up to the first one present.

    Later kinds are only needed where no earlier kind exists, so they are not looked up after it.
    """
    found: list[str | None] = []
    for date, time in _DEADLINE_PERIODS:
        found.append(iso_datetime(date(element), time(element)))
        if found[-1]:
            break
    return (*found, *(None,) * (len(_DEADLINE_PERIODS) - len(found)))


def _notice_type(form: str, subtype: str | None, procedure: str) -> NoticeType:
    """Map form type (BT-03), notice subtype (OPP-070) and procedure type (BT-105) to a notice type."""
    match = _SUBTYPE_RE.match((subtype or "").upper())
    if match and match.group(1) != "E" and int(match.group(2)) in _VEAT_SUBTYPES:
        return "direct-award"
    kind = FORM_TYPES.get(form) or _subtype_type(match)
    return "direct-award" if kind == "award" and procedure == "neg-wo-call" else kind


def _subtype_type(match: re.Match[str] | None) -> NoticeType:
    """Return the notice type implied by a subtype code ("16", "N16", "E3")."""
    if match is None:
        return "other"
    if match.group(1) == "E":
        return _E_SUBTYPES.get(match.group(0), "other")
    number = int(match.group(2))
    return next((kind for upper, kind in _SUBTYPE_RANGES if 1 <= number <= upper), "other")


def _buyer(root: etree._Element, lang3: str) -> Buyer:
    """Resolve the first buyer's reference (OPT-300) against the organisations, indexed once."""
    ref = _BUYER_REF(root).strip()
    companies = {_ORG_ID(company).strip(): company for company in _COMPANIES(root)}
    company = companies.get(ref) if ref else None
    if company is None:
        return Buyer()
    return Buyer(
        name=_in_language(_ORG_NAMES(company), lang3),
        identifier=clean_text(_ORG_NUMBER(company)),
        country=country_code(_ORG_COUNTRY(company)),
        nuts=_code(_ORG_NUTS(company)),
        city=clean_text(_ORG_CITY(company)),
    )


def _url(root: etree._Element, publication_id: str | None, objects: list[_Object]) -> str | None:
    """Return the notice's TED page, else the procurement documents URL (BT-15) or buyer profile."""
    if publication_id:
        number, _, year = publication_id.partition("-")
        return TED_NOTICE_URL.format(f"{int(number)}-{year}")
    documents = [o.document_uri for o in objects if o.document_uri]
    return documents[0] if documents else _code(_BUYER_PROFILE(root))


def _publication_id(value: str) -> str | None:
    """Return the OJ S publication number as published ("00522031-2023"); None for "n.a." and such."""
    value = value.strip()
    return value if _PUBLICATION_ID_RE.match(value) else None


def _deadline(objects: list[_Object]) -> str | None:
    """Return the earliest deadline over lots and parts, taking the kinds of deadline in preference."""
    for index in range(len(_DEADLINE_PERIODS)):
        found = earliest(o.deadlines[index] for o in objects)
        if found:
            return found
    return None


def _sum_values(objects: list[_Object]) -> Money | None:
    """Sum the lots' estimated values (the parts' when there are no lots) if they share one currency."""
    chosen = [o for o in objects if o.is_lot] or objects
    values = [o.lot.estimated_value for o in chosen if o.lot.estimated_value is not None]
    if not values or len({v.currency for v in values}) != 1:
        return None
    return Money(round(sum(v.amount for v in values), 2), values[0].currency)


def _money(element: etree._Element) -> Money | None:
    """Return the amount and currencyID of an amount element, or None when it is unreadable."""
    amount = parse_amount(element.text)
    return Money(amount, _code(element.get("currencyID") or "")) if amount is not None else None


def _in_language(elements: list[etree._Element], lang3: str) -> str | None:
    """Return the cleaned text in the notice language (languageID), else the first non-empty text."""
    chosen = next((e for e in elements if (e.get("languageID") or "").upper() == lang3), None)
    text = clean_text(chosen.text) if chosen is not None else None
    return text or next((t for e in elements if (t := clean_text(e.text))), None)


def _code(value: str) -> str | None:
    """Return a stripped code or identifier, None when empty."""
    return value.strip() or None
