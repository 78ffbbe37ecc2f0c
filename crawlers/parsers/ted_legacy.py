"""TED legacy XML (root TED_EXPORT, schemas R2.0.7, R2.0.8 and R2.0.9) -> `NoticeRecord`s.

One record per TED_EXPORT. FORM_SECTION holds the form in one or more languages; the form whose LG is
CODED_DATA_SECTION/NOTICE_DATA/LG_ORIG is read (else the first). Namespaces differ between schema
releases (and NUTS elements carry their own n2016/n2021 namespace), so every lookup matches local names.

* 2014 forms (F01_2014 … F25_2014, R2.0.9) are read by path: CONTRACTING_BODY, OBJECT_CONTRACT,
  OBJECT_DESCR (one `Lot` each), LEFTI, PROCEDURE.
* Older forms (R2.0.7/R2.0.8: CONTRACT, CONTRACT_AWARD … with FD_* bodies) nest the same facts under
  long, form-specific names; they are read by descendant search (TITLE_CONTRACT, CPV_MAIN,
  CA_CE_CONCESSIONAIRE_PROFILE, *_ANNEX_B lots, RECEIPT_LIMIT_DATE, TOTAL_FINAL_VALUE).
* CODED_DATA_SECTION (the Publications Office's own coding) fills the gaps: ORIGINAL_CPV,
  PERFORMANCE_NUTS/ORIGINAL_NUTS, VALUES, DT_DATE_FOR_SUBMISSION, and TD_DOCUMENT_TYPE, which together
  with the form decides the notice type of forms that serve several purposes (F01/F04/F16, F21-F23).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from crawlers.parsers.exceptions import MalformedInputError
from crawlers.parsers.normalise import (
    clean_text,
    country_code,
    iso_date,
    iso_datetime,
    language_code,
    parse_amount,
)
from crawlers.parsers.record import Buyer, Lot, Money, NoticeRecord, NoticeType, normalise_cpv, unique
from crawlers.parsers.xmlsafe import load_xml

Element = etree._Element
Index = dict[str, list[Element]]

# Forms whose purpose the form number alone decides (R2.0.7/R2.0.8 FORM="3" is read as F03).
_FORM_TYPES: dict[str, NoticeType] = {
    **dict.fromkeys(("F02", "F05", "F07", "F09", "F10", "F11", "F12", "F17", "F19", "F24"),
                    "contract-notice"),
    **dict.fromkeys(("F03", "F06", "F13", "F18", "F25"), "award"),
    "F08": "other", "F14": "other", "F15": "direct-award", "F20": "modification",
}
# Forms that are a PIN, a call for competition or an award depending on use: TD_DOCUMENT_TYPE decides.
_DEFAULT_TYPES: dict[str, NoticeType] = {
    "F01": "planning", "F04": "planning", "F16": "planning",
    "F21": "contract-notice", "F22": "contract-notice", "F23": "contract-notice",
}
# CODIF_DATA/TD_DOCUMENT_TYPE/@CODE (TED "type of document" code list).
_TD_TYPES: dict[str, NoticeType] = {
    **dict.fromkeys("0P", "planning"),
    **dict.fromkeys("345ACDEFHIMOQY", "contract-notice"),
    **dict.fromkeys("7JR", "award"),
    "V": "direct-award", "K": "modification",
}
_CHANGE_FORMS = frozenset({"F14", "F20"})
# Legacy LEFTI/PROCEDURE flags -> OCDS reserved-participation names (eForms BT-71 res-ws/res-pub-ser).
_RESERVED_FLAGS = {
    "RESTRICTED_SHELTERED_WORKSHOP": "shelteredWorkshop",
    "RESERVED_ORGANISATIONS_SERVICE_MISSION": "publicServiceMissionOrganization",
}
_FLAG_TAGS = ("{*}RESTRICTED_SHELTERED_WORKSHOP", "{*}RESERVED_ORGANISATIONS_SERVICE_MISSION",
              "{*}RESTRICTED_SHELTERED_PROGRAM")
_ONE_DIGIT_HOUR = re.compile(r"^\d:")


@dataclass(slots=True)
class _FormFields:
    """What one form (2014 or older layout) says, before CODED_DATA_SECTION fills the gaps."""

    title: str | None = None
    description: str | None = None
    buyer: Buyer = field(default_factory=Buyer)
    cpv_main: str | None = None
    cpv: list[str] = field(default_factory=list)
    nuts: list[str] = field(default_factory=list)
    lots: list[Lot] = field(default_factory=list)
    estimated_value: Money | None = None
    deadline: str | None = None


def parse(data: bytes, source_path: str) -> list[NoticeRecord]:
    """Parse TED legacy XML bytes into records (one per TED_EXPORT)."""
    return parse_tree(load_xml(data, source_path), source_path)


def parse_tree(root: Element, source_path: str) -> list[NoticeRecord]:
    """Parse a loaded TED_EXPORT root (or an element wrapping several) into records."""
    exports = [root] if _local(root.tag) == "TED_EXPORT" else root.findall("{*}TED_EXPORT")
    if not exports:
        raise MalformedInputError(source_path, f"no TED_EXPORT element (root <{_local(root.tag)}>)")
    return [_parse_export(export, source_path) for export in exports]


def _parse_export(export: Element, source_path: str) -> NoticeRecord:
    """Build the record of one TED_EXPORT from its form and its coded data."""
    sections = _index(export)
    coded = _index(_first(sections, "CODED_DATA_SECTION"))
    notice_data = _index(_first(coded, "NOTICE_DATA"))
    codif = _index(_first(coded, "CODIF_DATA"))
    notice_id = _text(_first(notice_data, "NO_DOC_OJS"))
    if notice_id is None:
        raise MalformedInputError(source_path, "TED_EXPORT without CODED_DATA_SECTION/NOTICE_DATA/NO_DOC_OJS")
    lg_orig = _text(_first(notice_data, "LG_ORIG"))
    form = _select_form(_first(sections, "FORM_SECTION"), lg_orig)
    if form is None:
        raise MalformedInputError(source_path, f"notice {notice_id}: FORM_SECTION holds no form")
    children = _index(form)
    new_layout = "OBJECT_CONTRACT" in children or "CONTRACTING_BODY" in children
    fields = _new_form(children) if new_layout else _old_form(form)
    form_type = _form_type(form)
    td_code = _attr(_first(codif, "TD_DOCUMENT_TYPE"), "CODE")

    cpv_main = fields.cpv_main
    original_cpv = [normalise_cpv(e.get("CODE")) for e in notice_data.get("ORIGINAL_CPV", [])]
    if cpv_main is None:
        cpv_main = next((code for code in original_cpv if code), None)
    cpv = unique([cpv_main or "", *fields.cpv]) or unique([c or "" for c in original_cpv])
    flags = [_local(e.tag) for e in form.iter(*_FLAG_TAGS)]
    reference = _text(export.find("{*}CODED_DATA_SECTION/{*}NOTICE_DATA/{*}REF_NOTICE/{*}NO_DOC_OJS"))
    reference = reference or _text(form.find(".//{*}NOTICE_NUMBER_OJ"))
    buyer = fields.buyer
    buyer.country = buyer.country or country_code(_attr(_first(notice_data, "ISO_COUNTRY"), "VALUE"))
    buyer.nuts = buyer.nuts or _attr(_first(notice_data, "CA_CE_NUTS"), "CODE")
    buyer.name = buyer.name or _text(export.find("{*}TRANSLATION_SECTION/{*}ML_AA_NAMES/{*}AA_NAME"))
    return NoticeRecord(
        source_format="ted-legacy",
        source_path=source_path,
        notice_id=notice_id,
        notice_type=_notice_type(form_type, td_code, children),
        language=language_code(lg_orig or form.get("LG")),
        title=fields.title or _ml_title(export, lg_orig),
        description=fields.description or next((lot.description for lot in fields.lots), None),
        url=_uri(_first(notice_data, "URI_LIST"), lg_orig),
        buyer=buyer,
        cpv_main=cpv_main,
        cpv=cpv,
        nuts=fields.nuts or _codes(notice_data, "PERFORMANCE_NUTS") or _codes(notice_data, "ORIGINAL_NUTS"),
        lots=fields.lots,
        reserved_participation=unique([_RESERVED_FLAGS.get(flag, "") for flag in flags]),
        reserved_execution="RESTRICTED_SHELTERED_PROGRAM" in flags,
        estimated_value=fields.estimated_value or _coded_value(notice_data),
        published=iso_date(_text(export.find("{*}CODED_DATA_SECTION/{*}REF_OJS/{*}DATE_PUB"))),
        deadline=fields.deadline or _coded_deadline(codif),
        procedure_id=reference,
        form_type=form_type,
        changes_notice_id=reference if form_type in _CHANGE_FORMS else None,
    )


def _new_form(children: Index) -> _FormFields:
    """Read a 2014 form (F01_2014 … F25_2014) from its section elements."""
    objects = children.get("OBJECT_CONTRACT", [])
    main = _index(objects[0] if objects else None)
    descrs = [descr for obj in objects for descr in obj.iterchildren("{*}OBJECT_DESCR")]
    lots = [_new_lot(descr) for descr in descrs]
    address = _index(_find(children, "CONTRACTING_BODY", "{*}ADDRESS_CONTRACTING_BODY"))
    cpv_main = normalise_cpv(_attr(_find(main, "CPV_MAIN", "{*}CPV_CODE"), "CODE"))
    procedure = _index(_first(children, "PROCEDURE"))
    return _FormFields(
        title=_paragraphs(_first(main, "TITLE")),
        description=_paragraphs(_first(main, "SHORT_DESCR")),
        buyer=Buyer(
            name=_text(_first(address, "OFFICIALNAME")),
            identifier=_text(_first(address, "NATIONALID")),
            country=country_code(_attr(_first(address, "COUNTRY"), "VALUE")),
            nuts=_attr(_first(address, "NUTS"), "CODE"),
            city=_text(_first(address, "TOWN")),
        ),
        cpv_main=cpv_main,
        cpv=[code for lot in lots for code in lot.cpv],
        nuts=unique([code for lot in lots for code in lot.nuts]),
        lots=lots,
        estimated_value=_money(_first(main, "VAL_ESTIMATED_TOTAL")) or _money(_first(main, "VAL_TOTAL"))
        or _awarded_total(children.get("AWARD_CONTRACT", [])),
        deadline=iso_datetime(
            _text(_first(procedure, "DATE_RECEIPT_TENDERS")),
            _time(_text(_first(procedure, "TIME_RECEIPT_TENDERS"))),
        ),
    )


def _new_lot(descr: Element) -> Lot:
    """Read one OBJECT_DESCR of a 2014 form as a lot."""
    parts = _index(descr)
    codes = [_attr(e.find("{*}CPV_CODE"), "CODE") for e in parts.get("CPV_MAIN", [])]
    codes += [_attr(e.find("{*}CPV_CODE"), "CODE") for e in parts.get("CPV_ADDITIONAL", [])]
    flags = [_RESERVED_FLAGS.get(_local(e.tag), "") for e in descr.iter(*_FLAG_TAGS)]
    return Lot(
        lot_id=_text(_first(parts, "LOT_NO")) or descr.get("ITEM"),
        title=_paragraphs(_first(parts, "TITLE")),
        description=_paragraphs(_first(parts, "SHORT_DESCR")),
        cpv=unique([normalise_cpv(code) or "" for code in codes]),
        nuts=_codes(parts, "NUTS"),
        reserved_participation=unique(flags),
        estimated_value=_money(_first(parts, "VAL_OBJECT")),
    )


def _old_form(form: Element) -> _FormFields:
    """Read an R2.0.7/R2.0.8-layout form by searching its descendants for the known element names."""
    profile = form.find(".//{*}CA_CE_CONCESSIONAIRE_PROFILE")
    organisation = profile.find("{*}ORGANISATION") if profile is not None else None
    name = organisation.find("{*}OFFICIALNAME") if organisation is not None else None
    lots = [_old_lot(e) for e in form.iter() if isinstance(e.tag, str) and e.tag.endswith("ANNEX_B")]
    limit = form.find(".//{*}RECEIPT_LIMIT_DATE")
    value = form.find(".//{*}TOTAL_FINAL_VALUE/*")
    return _FormFields(
        title=_paragraphs(form.find(".//{*}TITLE_CONTRACT")),
        description=_paragraphs(form.find(".//{*}SHORT_CONTRACT_DESCRIPTION")),
        buyer=Buyer(
            name=_text(name if name is not None else organisation),
            identifier=_text(form.find(".//{*}CA_CE_CONCESSIONAIRE_PROFILE//{*}NATIONALID")),
            country=country_code(_attr(form.find(".//{*}CA_CE_CONCESSIONAIRE_PROFILE/{*}COUNTRY"), "VALUE")),
            city=_text(form.find(".//{*}CA_CE_CONCESSIONAIRE_PROFILE/{*}TOWN")),
        ),
        cpv_main=normalise_cpv(_attr(form.find(".//{*}CPV_MAIN/{*}CPV_CODE"), "CODE")),
        cpv=[normalise_cpv(e.get("CODE")) or "" for e in form.iterfind(".//{*}CPV_ADDITIONAL/{*}CPV_CODE")],
        nuts=unique([e.get("CODE", "") for e in form.iterfind(".//{*}LOCATION_NUTS/{*}NUTS")]),
        lots=lots,
        estimated_value=_cost(value) if value is not None else None,
        deadline=_split_date(limit) if limit is not None else None,
    )


def _old_lot(annex: Element) -> Lot:
    """Read one R2.0.7/R2.0.8 *_ANNEX_B (lot) element."""
    costs = annex.find(".//{*}COSTS_RANGE_AND_CURRENCY")
    return Lot(
        lot_id=_text(annex.find("{*}LOT_NUMBER")),
        title=_text(annex.find("{*}LOT_TITLE")),
        description=_paragraphs(annex.find("{*}LOT_DESCRIPTION")),
        cpv=unique([normalise_cpv(e.get("CODE")) or "" for e in annex.iterfind(".//{*}CPV_CODE")]),
        estimated_value=_cost(costs) if costs is not None else None,
    )


def _select_form(section: Element | None, lg_orig: str | None) -> Element | None:
    """Return the form in the original language, else the first form of FORM_SECTION."""
    if section is None:
        return None
    forms = [child for child in section if isinstance(child.tag, str)]
    original = next((form for form in forms if lg_orig and form.get("LG") == lg_orig), None)
    return original if original is not None else (forms[0] if forms else None)


def _form_type(form: Element) -> str:
    """Return the form as published: FORM="F02" as is, FORM="3" (older schemas) as "F03"."""
    value = (form.get("FORM") or "").strip()
    if value.isdigit():
        return f"F{int(value):02d}"
    return value or _local(form.tag).removesuffix("_2014")


def _notice_type(form_type: str, td_code: str | None, children: Index) -> NoticeType:
    """Decide the notice type from the form, or for multi-purpose forms from TD_DOCUMENT_TYPE."""
    if form_type in _FORM_TYPES:
        return _FORM_TYPES[form_type]
    if td_code in _TD_TYPES:
        return _TD_TYPES[td_code]
    purpose = (_attr(_first(children, "NOTICE"), "TYPE") or "").upper()
    if "AWARD" in purpose:
        return "award"
    if "CALL_COMPETITION" in purpose or purpose in {"CONTRACT", "CONCESSION"}:
        return "contract-notice"
    if purpose.endswith("_ONLY") or "REDUCING_TIME_LIMITS" in purpose:
        return "planning"
    return _DEFAULT_TYPES.get(form_type, "other")


def _coded_value(notice_data: Index) -> Money | None:
    """Return the total value coded in NOTICE_DATA (R2.0.9 VALUES, older VALUES_LIST GLOBAL)."""
    for values in notice_data.get("VALUES", []):
        for value in values:
            if value.get("TYPE") in {"ESTIMATED_TOTAL", "TOTAL"}:
                return _money(value)
    for values in notice_data.get("VALUES_LIST", []):
        for group in values:
            if group.get("TYPE") == "GLOBAL":
                return _money(group.find("{*}SINGLE_VALUE/{*}VALUE"))
    return None


def _coded_deadline(codif: Index) -> str | None:
    """Return CODIF_DATA/DT_DATE_FOR_SUBMISSION ("20170131 12:00") as ISO 8601, or None."""
    value = _text(_first(codif, "DT_DATE_FOR_SUBMISSION"))
    if value is None:
        return None
    date, _, time = value.partition(" ")
    return iso_datetime(date, _time(time) or None)


def _awarded_total(awards: list[Element]) -> Money | None:
    """Sum the awarded contracts' VAL_TOTAL when they share one currency (award notices)."""
    values = [_money(e) for award in awards for e in award.iterfind("{*}AWARDED_CONTRACT/*/{*}VAL_TOTAL")]
    present = [value for value in values if value is not None]
    if not present or len({value.currency for value in present}) != 1:
        return None
    return Money(sum(value.amount for value in present), present[0].currency)


def _ml_title(export: Element, lg_orig: str | None) -> str | None:
    """Return the TRANSLATION_SECTION title in the original language (last resort)."""
    for doc in export.iterfind("{*}TRANSLATION_SECTION/{*}ML_TITLES/{*}ML_TI_DOC"):
        if doc.get("LG") == lg_orig:
            return _paragraphs(doc.find("{*}TI_TEXT"))
    return None


def _uri(uri_list: Element | None, lg_orig: str | None) -> str | None:
    """Return the notice URL in the original language, else the first one."""
    uris = [child for child in uri_list if isinstance(child.tag, str)] if uri_list is not None else []
    chosen = next((uri for uri in uris if uri.get("LG") == lg_orig), uris[0] if uris else None)
    return _text(chosen)


def _money(element: Element | None) -> Money | None:
    """Return Money from an amount element with a CURRENCY attribute."""
    if element is None:
        return None
    amount = parse_amount(element.text)
    return Money(amount, element.get("CURRENCY")) if amount is not None else None


def _cost(costs: Element) -> Money | None:
    """Return Money from an older-schema COSTS_RANGE_AND_CURRENCY* element (VALUE_COST, FMTVAL)."""
    value = costs.find("{*}VALUE_COST")
    if value is None:
        return None
    amount = parse_amount(value.get("FMTVAL") or value.text)
    return Money(amount, costs.get("CURRENCY")) if amount is not None else None


def _split_date(element: Element) -> str | None:
    """Return ISO 8601 from an older-schema DAY/MONTH/YEAR/TIME date element."""
    day, month, year = (_text(element.find(f"{{*}}{name}")) for name in ("DAY", "MONTH", "YEAR"))
    if not (day and month and year):
        return None
    return iso_datetime(f"{year}-{month.zfill(2)}-{day.zfill(2)}", _time(_text(element.find("{*}TIME"))))


def _time(value: str | None) -> str | None:
    """Zero-pad a one-digit hour ("9:00" -> "09:00"), as some notices write it."""
    if value and _ONE_DIGIT_HOUR.match(value):
        return "0" + value
    return value


def _index(element: Element | None) -> Index:
    """Group an element's child elements by local name, in one pass (any namespace)."""
    found: Index = {}
    if element is not None:
        for child in element:
            tag = child.tag
            if isinstance(tag, str):
                found.setdefault(tag.rpartition("}")[2], []).append(child)
    return found


def _first(index: Index, name: str) -> Element | None:
    """Return the first child of that local name, or None."""
    items = index.get(name)
    return items[0] if items else None


def _find(index: Index, name: str, path: str) -> Element | None:
    """Return `path` below the first child of that local name, or None."""
    parent = _first(index, name)
    return parent.find(path) if parent is not None else None


def _codes(index: Index, name: str) -> list[str]:
    """Return the distinct CODE attributes of the children of that local name."""
    return unique([(child.get("CODE") or "").strip() for child in index.get(name, [])])


def _attr(element: Element | None, name: str) -> str | None:
    """Return a stripped attribute value, or None."""
    value = element.get(name) if element is not None else None
    return (value.strip() or None) if value else None


def _text(element: Element | None) -> str | None:
    """Return an element's own text with white space collapsed, or None."""
    return clean_text(element.text) if element is not None else None


def _paragraphs(element: Element | None) -> str | None:
    """Return the text of an element's P children joined by spaces (its own text if it has none)."""
    if element is None:
        return None
    paragraphs = ["".join(child.itertext()) for child in element if isinstance(child.tag, str)]
    return clean_text(" ".join(paragraphs) if paragraphs else element.text)


def _local(tag: object) -> str:
    """Return the local part of a tag ("{ns}F02_2014" -> "F02_2014")."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""
