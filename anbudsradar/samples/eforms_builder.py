"""Build eForms UBL XML (SDK 1.x structure) for sample notices, the way TED publishes them."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
}
# notice subtype -> (root element, NoticeTypeCode listName = form type, NoticeTypeCode)
SUBTYPES = {
    "4": ("PriorInformationNotice", "planning", "pin-only"),
    "16": ("ContractNotice", "competition", "cn-standard"),
    "20": ("ContractNotice", "competition", "cn-social"),
    "25": ("ContractAwardNotice", "dir-awa-pre", "veat"),
    "29": ("ContractAwardNotice", "result", "can-standard"),
}


@dataclass(frozen=True, slots=True)
class SampleBuyer:
    """A contracting authority of the samples."""

    name: str
    org_number: str
    city: str
    municipality_code: str
    nuts: str = "SE332"


@dataclass(frozen=True, slots=True)
class SampleLot:
    """One lot of a sample notice."""

    title: str
    description: str
    cpv: str
    value_sek: float | None = None
    reserved: str = "none"  # BT-71: none | res-ws | res-pub-ser
    reserved_execution: bool = False  # BT-736
    social_objectives: tuple[str, ...] = ()  # BT-775
    sme: bool = True


@dataclass(frozen=True, slots=True)
class SampleNotice:
    """A sample notice; dates are ISO strings computed by the caller."""

    key: str
    notice_uuid: str
    procedure_uuid: str
    subtype: str
    buyer: SampleBuyer
    title: str
    description: str
    cpv: str
    published: str
    deadline: str | None
    lots: tuple[SampleLot, ...]
    additional_cpv: tuple[str, ...] = ()
    procedure_code: str = "open"
    changes_notice: str | None = None
    documents_url: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    prefix, local = tag.split(":")
    element = etree.SubElement(parent, f"{{{NS[prefix]}}}{local}", attrs)
    if text is not None:
        element.text = text
    return element


def _extension(parent: etree._Element) -> etree._Element:
    ext = _el(_el(_el(parent, "ext:UBLExtensions"), "ext:UBLExtension"), "ext:ExtensionContent")
    return _el(ext, "efext:EformsExtension")


def _project(
    parent: etree._Element,
    *,
    name: str,
    description: str,
    cpv: str,
    lot: SampleLot | None,
    additional: tuple[str, ...],
    buyer: SampleBuyer,
) -> None:
    project = _el(parent, "cac:ProcurementProject")
    _el(project, "cbc:Name", name, languageID="SWE")
    _el(project, "cbc:Description", description, languageID="SWE")
    _el(project, "cbc:ProcurementTypeCode", "services", listName="contract-nature")
    if lot is not None:
        _el(project, "cbc:SMESuitableIndicator", "true" if lot.sme else "false")
        for code in lot.social_objectives:
            kind = _el(project, "cac:ProcurementAdditionalType")
            _el(kind, "cbc:ProcurementTypeCode", code, listName="social-objective")
        strategic = "soc-obj" if lot.social_objectives else "none"
        kind = _el(project, "cac:ProcurementAdditionalType")
        _el(kind, "cbc:ProcurementTypeCode", strategic, listName="strategic-procurement")
        if lot.value_sek is not None:
            total = _el(project, "cac:RequestedTenderTotal")
            _el(total, "cbc:EstimatedOverallContractAmount", f"{lot.value_sek:.2f}", currencyID="SEK")
    _el(_el(project, "cac:MainCommodityClassification"), "cbc:ItemClassificationCode", cpv, listName="cpv")
    for code in additional:
        _el(
            _el(project, "cac:AdditionalCommodityClassification"),
            "cbc:ItemClassificationCode",
            code,
            listName="cpv",
        )
    address = _el(_el(project, "cac:RealizedLocation"), "cac:Address")
    _el(address, "cbc:CityName", buyer.city)
    _el(address, "cbc:CountrySubentityCode", buyer.nuts, listName="nuts")
    _el(_el(address, "cac:Country"), "cbc:IdentificationCode", "SWE", listName="country")


def build_notice(notice: SampleNotice) -> bytes:
    """Return the eForms XML bytes of one sample notice."""
    root_name, form_type, type_code = SUBTYPES[notice.subtype]
    root_ns = f"urn:oasis:names:specification:ubl:schema:xsd:{root_name}-2"
    root = etree.Element(f"{{{root_ns}}}{root_name}", nsmap={None: root_ns, **NS})
    eforms = _extension(root)
    if notice.changes_notice:
        changes = _el(eforms, "efac:Changes")
        _el(changes, "efbc:ChangedNoticeIdentifier", notice.changes_notice)
        change = _el(changes, "efac:Change")
        _el(change, "efbc:ChangeDescription", "Ändrad sista anbudsdag.", languageID="SWE")
    _el(_el(eforms, "efac:NoticeSubType"), "cbc:SubTypeCode", notice.subtype, listName="notice-subtype")
    company = _el(_el(_el(eforms, "efac:Organizations"), "efac:Organization"), "efac:Company")
    _el(_el(company, "cac:PartyIdentification"), "cbc:ID", "ORG-0001")
    _el(_el(company, "cac:PartyName"), "cbc:Name", notice.buyer.name, languageID="SWE")
    address = _el(company, "cac:PostalAddress")
    _el(address, "cbc:CityName", notice.buyer.city)
    _el(address, "cbc:CountrySubentityCode", notice.buyer.nuts, listName="nuts")
    _el(_el(address, "cac:Country"), "cbc:IdentificationCode", "SWE", listName="country")
    _el(_el(company, "cac:PartyLegalEntity"), "cbc:CompanyID", notice.buyer.org_number)
    # No efac:Publication: like most Swedish below-threshold notices, the samples are not on TED.
    _el(root, "cbc:UBLVersionID", "2.3")
    _el(root, "cbc:CustomizationID", "eforms-sdk-1.10")
    _el(root, "cbc:ID", notice.notice_uuid, schemeName="notice-id")
    _el(root, "cbc:ContractFolderID", notice.procedure_uuid)
    _el(root, "cbc:IssueDate", f"{notice.published}+01:00")
    _el(root, "cbc:VersionID", "01")
    _el(root, "cbc:RegulatoryDomain", "32014L0024")
    _el(root, "cbc:NoticeTypeCode", type_code, listName=form_type)
    _el(root, "cbc:NoticeLanguageCode", "SWE", listName="language")
    party = _el(_el(root, "cac:ContractingParty"), "cac:Party")
    _el(_el(party, "cac:PartyIdentification"), "cbc:ID", "ORG-0001")
    process = _el(root, "cac:TenderingProcess")
    _el(process, "cbc:ProcedureCode", notice.procedure_code, listName="procurement-procedure-type")
    _project(
        root,
        name=notice.title,
        description=notice.description,
        cpv=notice.cpv,
        lot=None,
        additional=notice.additional_cpv,
        buyer=notice.buyer,
    )
    for number, lot in enumerate(notice.lots, start=1):
        _lot(root, number, lot, notice)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _lot(root: etree._Element, number: int, lot: SampleLot, notice: SampleNotice) -> None:
    element = _el(root, "cac:ProcurementProjectLot")
    _el(element, "cbc:ID", f"LOT-{number:04d}", schemeName="Lot")
    terms = _el(element, "cac:TenderingTerms")
    requirement = _el(_el(terms, "cac:TendererQualificationRequest"), "cac:SpecificTendererRequirement")
    _el(requirement, "cbc:TendererRequirementTypeCode", lot.reserved, listName="reserved-procurement")
    execution = _el(terms, "cac:ContractExecutionRequirement")
    _el(
        execution,
        "cbc:ExecutionRequirementCode",
        "yes" if lot.reserved_execution else "no",
        listName="reserved-execution",
    )
    if notice.documents_url:
        reference = _el(terms, "cac:CallForTendersDocumentReference")
        _el(reference, "cbc:ID", "Upphandlingsdokument")
        _el(_el(_el(reference, "cac:Attachment"), "cac:ExternalReference"), "cbc:URI", notice.documents_url)
    process = _el(element, "cac:TenderingProcess")
    if notice.deadline:
        period = _el(process, "cac:TenderSubmissionDeadlinePeriod")
        day, time = notice.deadline.split("T")
        _el(period, "cbc:EndDate", f"{day}+01:00")
        _el(period, "cbc:EndTime", f"{time}+01:00")
    _project(
        element,
        name=lot.title,
        description=lot.description,
        cpv=lot.cpv,
        lot=lot,
        additional=(),
        buyer=notice.buyer,
    )
