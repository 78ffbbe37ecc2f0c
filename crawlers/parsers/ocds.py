"""Parse OCDS JSON (release packages, record packages, single releases) into notice records.

One record per release; field names already follow OCDS. Choices where the data can be broken:

* JSON that is not OCDS (not an object, no "releases"/"records"/"ocid", or a package whose
  members are not all objects) raises UnknownFormatError naming the input.
* A release without an ocid fails the whole input with MalformedInputError naming "path#N".
  Records are not dropped silently: the dispatcher keeps the raw bytes with the error.
* Any other field that is missing or of the wrong JSON type is read as absent, never raised.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

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
from crawlers.parsers.record import (
    RESERVED_PARTICIPATION_CODES,
    Buyer,
    Lot,
    Money,
    NoticeRecord,
    NoticeType,
    normalise_cpv,
    unique,
)

_UTF8_BOM = b"\xef\xbb\xbf"
_EXPECTED = (
    'expected an OCDS release package {"releases": [...]}, a record package {"records": [...]} '
    'or a release {"ocid": ..., "tag": [...]}'
)
_TAG_TYPES: dict[str, NoticeType] = {
    "planning": "planning",
    "planningUpdate": "planning",
    "tender": "contract-notice",
    "tenderUpdate": "contract-notice",
    "tenderAmendment": "contract-notice",
    "award": "award",
    "awardUpdate": "award",
    "contract": "award",
    "contractUpdate": "award",
    "contractAmendment": "modification",
}
# A release with several tags is named by its most advanced stage.
_TYPE_RANK: tuple[NoticeType, ...] = ("other", "planning", "contract-notice", "award", "modification")
# procurementMethodDetails wording that means an award without a call for competition.
_DIRECT_RE = re.compile(
    r"\bdirect award|without (?:prior )?publication|without (?:a )?call for competition|direktupphandling",
    re.IGNORECASE,
)
_NUTS_RE = re.compile(r"^[A-Z]{2}[A-Z0-9]{0,3}$")
# NUTS country prefixes (EU, EFTA, UK and candidate countries); EL is Greece, UK the United Kingdom.
_NUTS_COUNTRIES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "UK", "IS", "LI", "NO", "CH",
    "ME", "MK", "AL", "RS", "TR",
})  # fmt: skip
_COUNTRY_NAMES = {
    "united kingdom": "GB", "great britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "northern ireland": "GB", "sweden": "SE", "sverige": "SE", "norway": "NO", "norge": "NO",
    "finland": "FI", "suomi": "FI", "denmark": "DK", "danmark": "DK", "mexico": "MX", "méxico": "MX",
}  # fmt: skip
_ORG_ID_RE = re.compile(r"^[A-Z]{2}-[A-Za-z0-9]+-.")  # org-id.guide style party ids ("GB-CFS-107313")
# OCDS for eForms maps BT-775 codes to sustainability goals; this is the reverse mapping.
_SOCIAL_GOALS = {
    "social.accessibility": "acc-all",
    "social.ethnicEquality": "et-eq",
    "social.genderEquality": "gen-eq",
    "social.humanRightsInSupplyChains": "hum-right",
    "social.humanRightsInSupplyChain": "hum-right",
    "social.disadvantagedEmploymentOpportunities": "opp",
    "social.laborRightsPromotion": "work-cond",
}
_INNOVATION_GOALS = frozenset(
    {
        "innovation",
        "economic.innovativePurchase",
        "economic.processInnovationPromotion",
        "economic.productInnovationPromotion",
        "economic.researchDevelopmentActivities",
    }
)

JSONObject = dict[str, Any]


def parse(data: bytes, source_path: str) -> list[NoticeRecord]:
    """Parse OCDS JSON bytes into records; raise MalformedInputError for bytes that are not JSON."""
    try:
        document = json.loads(data.removeprefix(_UTF8_BOM))
    except UnicodeDecodeError as exc:
        raise MalformedInputError(source_path, f"JSON is not valid UTF-8: {exc.reason}") from None
    except json.JSONDecodeError as exc:
        raise MalformedInputError(
            source_path, f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from None
    except RecursionError:
        raise MalformedInputError(source_path, "JSON nested too deeply to read") from None
    return parse_json(document, source_path)


def parse_json(document: object, source_path: str) -> list[NoticeRecord]:
    """Parse a loaded OCDS document (release package, record package, record or release)."""
    if not isinstance(document, dict):
        raise UnknownFormatError(source_path, f"JSON {type(document).__name__} is not OCDS: {_EXPECTED}")
    if "records" in document:
        records = _members(document, "records", source_path)
        return [_record(rec, f"{source_path}#{n}") for n, rec in enumerate(records)]
    if "compiledRelease" in document:
        return [_record(document, source_path)]
    if "releases" in document:
        releases = _members(document, "releases", source_path)
        return [_release(rel, f"{source_path}#{n}") for n, rel in enumerate(releases)]
    if "ocid" in document and ("tag" in document or "id" in document):
        return [_release(document, source_path)]
    raise UnknownFormatError(source_path, f"JSON object without OCDS keys: {_EXPECTED}")


def _members(package: JSONObject, key: str, source_path: str) -> list[JSONObject]:
    """Return the package's releases or records, which must be a list of objects."""
    members = package[key]
    if not isinstance(members, list):
        raise UnknownFormatError(source_path, f'"{key}" is {type(members).__name__}, not a list: {_EXPECTED}')
    for n, member in enumerate(members):
        if not isinstance(member, dict):
            raise UnknownFormatError(f"{source_path}#{n}", f"{key} member is not a JSON object: {_EXPECTED}")
    return members


def _record(record: JSONObject, path: str) -> NoticeRecord:
    """Parse an OCDS record from its compiledRelease, else from its last embedded release."""
    compiled = record.get("compiledRelease")
    if isinstance(compiled, dict):
        return _release(compiled, path)
    releases = _objs(record.get("releases"))
    if not releases:
        raise MalformedInputError(path, "OCDS record has neither a compiledRelease nor embedded releases")
    return _release(releases[-1], path)


def _release(release: JSONObject, path: str) -> NoticeRecord:
    """Build the normalised record of one OCDS release."""
    ocid = _text(release.get("ocid"))
    if ocid is None:
        raise MalformedInputError(path, "OCDS release has no ocid (a linked release cannot be parsed)")
    release_id = _text(release.get("id"))
    tags = [tag for tag in _array(release.get("tag")) if isinstance(tag, str)]
    tender, planning = _obj(release.get("tender")), _obj(release.get("planning"))
    notice_type = _notice_type(release, tags, tender)
    items = _objs(tender.get("items"))
    all_items = items + _post_award(release, "items")
    lots = [_lot(lot, items) for lot in _objs(tender.get("lots"))]
    item_codes = [code for item in all_items for code in _cpv_codes(item)]
    cpv_main = next(iter(_cpv_codes(tender, additional=False)), None) or next(iter(item_codes), None)
    goals = [
        goal
        for holder in (tender, *_objs(tender.get("lots")))
        for entry in _objs(holder.get("sustainability"))
        if (goal := _text(entry.get("goal")))
    ]
    suitability = _obj(tender.get("suitability"))
    budget = _obj(planning.get("budget"))
    return NoticeRecord(
        source_format="ocds",
        source_path=path,
        notice_id=f"{ocid}/{release_id}" if release_id else ocid,
        notice_type=notice_type,
        language=language_code(re.split(r"[-_]", _text(release.get("language")) or "")[0]),
        title=clean_text(
            _text(tender.get("title")) or _text(release.get("title")) or _text(budget.get("project"))
        ),
        description=clean_text(_text(tender.get("description")) or _text(release.get("description"))),
        url=_url(release, tender, planning, notice_type),
        buyer=_buyer(release),
        cpv_main=cpv_main,
        cpv=unique([c for c in (cpv_main, *_cpv_codes(tender), *item_codes) if c]),
        nuts=unique([code for holder in (tender, *all_items) for code in _place_nuts(holder)]),
        lots=lots,
        reserved_participation=unique(
            _reserved(tender) + [code for lot in lots for code in lot.reserved_participation]
        ),
        reserved_execution=_obj(tender.get("contractTerms")).get("reservedExecution") is True
        or any(lot.reserved_execution for lot in lots),
        social_objectives=unique([_SOCIAL_GOALS.get(g, "other") for g in goals if _goal_root(g) == "social"]),
        strategic_procurement=unique([code for g in goals if (code := _strategic(g))]),
        suitability={"sme": _bool(suitability.get("sme")), "vcse": _bool(suitability.get("vcse"))},
        estimated_value=_money(tender.get("value")) or _money(budget.get("amount")),
        published=_published(release, tender, notice_type),
        deadline=earliest(
            [_datetime(_obj(tender.get("tenderPeriod")).get("endDate"))] + [lot.deadline for lot in lots]
        ),
        procedure_id=ocid,
        form_type=",".join(tags) or None,
        changes_notice_id=_amended(release, tender, ocid, release_id),
    )


def _notice_type(release: JSONObject, tags: list[str], tender: JSONObject) -> NoticeType:
    """Name the notice from its tags (a compiled release from its sections); award -> direct-award."""
    if "compiled" in tags:
        sections: dict[str, NoticeType] = {
            "awards": "award",
            "contracts": "award",
            "tender": "contract-notice",
            "planning": "planning",
        }
        kinds = [kind for key, kind in sections.items() if release.get(key)]
    else:
        kinds = [_TAG_TYPES.get(tag, "other") for tag in tags]
    kind = max(kinds, key=_TYPE_RANK.index, default="other")
    method = _text(tender.get("procurementMethod"))
    details = _text(tender.get("procurementMethodDetails")) or ""
    if kind == "award" and (method == "direct" or _DIRECT_RE.search(details)):
        return "direct-award"
    return kind


def _lot(lot: JSONObject, items: list[JSONObject]) -> Lot:
    """Build one Lot from tender.lots[], with the CPV and NUTS codes of the items related to it."""
    lot_id = _text(lot.get("id"))
    related = [item for item in items if lot_id is not None and _text(item.get("relatedLot")) == lot_id]
    execution = _obj(lot.get("contractTerms")).get("reservedExecution")
    return Lot(
        lot_id=lot_id,
        title=clean_text(_text(lot.get("title"))),
        description=clean_text(_text(lot.get("description"))),
        cpv=unique([code for item in related for code in _cpv_codes(item)]),
        nuts=unique([code for item in related for code in _place_nuts(item)]),
        reserved_participation=_reserved(lot),
        reserved_execution=execution if isinstance(execution, bool) else None,
        estimated_value=_money(lot.get("value")),
        deadline=_datetime(_obj(lot.get("tenderPeriod")).get("endDate")),
    )


def _buyer(release: JSONObject) -> Buyer:
    """Resolve release.buyer against parties[] (by id, else role "buyer"); OCDS 1.0 embeds it whole."""
    reference = _obj(release.get("buyer"))
    parties = _objs(release.get("parties"))
    buyer_id = _text(reference.get("id"))
    party = next((p for p in parties if buyer_id and _text(p.get("id")) == buyer_id), None)
    party = party or next((p for p in parties if "buyer" in _array(p.get("roles"))), reference)
    identifier = _obj(party.get("identifier"))
    scheme, org_id = _text(identifier.get("scheme")), _text(identifier.get("id"))
    party_id = _text(party.get("id"))
    if org_id is None and party_id and _ORG_ID_RE.match(party_id):
        org_id = party_id
    address = _obj(party.get("address"))
    country = _country(_text(address.get("countryName")))
    nuts = _nuts(_text(address.get("region")), country)
    return Buyer(
        name=clean_text(_text(party.get("name")) or _text(reference.get("name"))),
        identifier=f"{scheme}-{org_id}" if scheme and org_id and not org_id.startswith(scheme) else org_id,
        country=country or (_nuts_country(nuts) if nuts else None),
        nuts=nuts,
        city=clean_text(_text(address.get("locality"))),
    )


def _cpv_codes(holder: JSONObject, *, additional: bool = True) -> list[str]:
    """Return the CPV codes of an object's classification (and additionalClassifications)."""
    classes = [_obj(holder.get("classification"))]
    classes += _objs(holder.get("additionalClassifications")) if additional else []
    codes = []
    for entry in classes:
        value = entry.get("id")
        text = f"{value:08d}" if isinstance(value, int) and not isinstance(value, bool) else _text(value)
        if (_text(entry.get("scheme")) or "").upper() == "CPV" and (code := normalise_cpv(text)):
            codes.append(code)
    return codes


def _place_nuts(holder: JSONObject) -> list[str]:
    """Return NUTS codes of an item's (or the tender's) delivery addresses and NUTS gazetteers."""
    addresses = [*_objs(holder.get("deliveryAddresses")), _obj(holder.get("deliveryAddress"))]
    codes = [_nuts(_text(a.get("region")), _country(_text(a.get("countryName")))) for a in addresses]
    for location in (*_objs(holder.get("deliveryLocations")), _obj(holder.get("deliveryLocation"))):
        gazetteer = _obj(location.get("gazetteer"))
        if (_text(gazetteer.get("scheme")) or "").upper() == "NUTS":
            codes += [_nuts(_text(code), None) for code in _array(gazetteer.get("identifiers"))]
    return [code for code in codes if code]


def _nuts(value: str | None, country: str | None) -> str | None:
    """Return the value if it looks like a NUTS code consistent with the address's country."""
    code = (value or "").strip().upper()
    if not _NUTS_RE.match(code) or code[:2] not in _NUTS_COUNTRIES:
        return None
    return code if country is None or _nuts_country(code) == country else None


def _nuts_country(nuts: str) -> str | None:
    """Return the ISO 3166 alpha-2 country of a NUTS code ("UKM93" -> "GB", "EL30" -> "GR")."""
    prefix = nuts[:2]
    return "GR" if prefix == "EL" else country_code(prefix)


def _country(value: str | None) -> str | None:
    """Return an alpha-2 code for a country name or ISO code as OCDS addresses publish it."""
    if not value:
        return None
    name = value.strip()
    if name.lower() in _COUNTRY_NAMES:
        return _COUNTRY_NAMES[name.lower()]
    return country_code(name) if len(name) in (2, 3) and name.isalpha() else None


def _reserved(holder: JSONObject) -> list[str]:
    """Return the known reservedParticipation codes of a tender or lot (eForms BT-71)."""
    values = _obj(holder.get("otherRequirements")).get("reservedParticipation")
    values = [values] if isinstance(values, str) else _array(values)
    return unique([v for v in values if isinstance(v, str) and v in RESERVED_PARTICIPATION_CODES])


def _goal_root(goal: str) -> str:
    """Return the broad sustainability goal ("social" for "social.accessibility")."""
    return goal.split(".", 1)[0]


def _strategic(goal: str) -> str | None:
    """Map a sustainability goal to its eForms BT-06 strategic procurement code."""
    if goal in _INNOVATION_GOALS:
        return "inn-pur"
    return {"social": "soc-obj", "environmental": "env-imp"}.get(_goal_root(goal))


def _url(release: JSONObject, tender: JSONObject, planning: JSONObject, notice_type: str) -> str | None:
    """Return the notice document's URL, preferring the notice's own stage, else a canonical link."""
    tender_docs, planning_docs = _objs(tender.get("documents")), _objs(planning.get("documents"))
    award_docs = _post_award(release, "documents")
    if notice_type == "planning":
        documents = planning_docs + tender_docs + award_docs
    elif notice_type in ("award", "direct-award", "modification"):
        documents = award_docs + tender_docs + planning_docs
    else:
        documents = tender_docs + award_docs + planning_docs
    urls = [(_text(d.get("documentType")) or "", _web(d.get("url"))) for d in documents]
    notices = [url for kind, url in urls if url and kind.endswith("Notice")]
    links = [_web(link.get("href")) for link in _objs(release.get("links"))]
    return next(iter(notices + [url for _, url in urls if url] + [url for url in links if url]), None)


def _published(release: JSONObject, tender: JSONObject, notice_type: str) -> str | None:
    """Return the publication date of this notice: its stage's datePublished, else release.date."""
    if notice_type in ("award", "direct-award"):
        stage = earliest(_text(award.get("datePublished")) for award in _objs(release.get("awards")))
    elif notice_type == "contract-notice":
        stage = _text(tender.get("datePublished"))
    else:
        stage = None
    return iso_date(stage) or iso_date(_text(release.get("date")))


def _amended(release: JSONObject, tender: JSONObject, ocid: str, release_id: str | None) -> str | None:
    """Return the notice id this release amends, from an amendment whose releaseID is this release."""
    holders = [tender, *_objs(release.get("awards")), *_objs(release.get("contracts"))]
    for amendment in (a for holder in holders for a in _objs(holder.get("amendments"))):
        previous = _text(amendment.get("amendsReleaseID"))
        if release_id and previous and _text(amendment.get("releaseID")) == release_id:
            return f"{ocid}/{previous}"
    return None


def _post_award(release: JSONObject, key: str) -> list[JSONObject]:
    """Return the objects under awards[].key and contracts[].key (items, documents)."""
    holders = _objs(release.get("awards")) + _objs(release.get("contracts"))
    return [member for holder in holders for member in _objs(holder.get(key))]


def _web(value: object) -> str | None:
    """Return an http(s) URL, or None for anything else."""
    url = _text(value)
    return url if url and url.lower().startswith(("http://", "https://")) else None


def _money(value: object) -> Money | None:
    """Return Money for an OCDS Value object with a finite numeric (or numeric-text) amount."""
    value = _obj(value)
    amount = value.get("amount")
    if isinstance(amount, bool):
        return None
    try:
        number = float(amount) if isinstance(amount, int | float) else parse_amount(_text(amount))
    except OverflowError:
        return None
    if number is None or not math.isfinite(number):
        return None
    return Money(amount=number, currency=_text(value.get("currency")))


def _datetime(value: object) -> str | None:
    """Return an ISO 8601 date or datetime (offset kept, fraction dropped) for an OCDS date-time."""
    text = _text(value)
    if text is None:
        return None
    date_part, _, time_part = text.partition("T")
    return iso_datetime(date_part, time_part or None)


def _text(value: object) -> str | None:
    """Return a string or integer JSON value as stripped text; anything else is absent."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return (value.strip() or None) if isinstance(value, str) else None


def _bool(value: object) -> bool | None:
    """Return a JSON boolean, or None for anything else."""
    return value if isinstance(value, bool) else None


def _obj(value: object) -> JSONObject:
    """Return a JSON object, or {} when the value is missing or of another type."""
    return value if isinstance(value, dict) else {}


def _array(value: object) -> list[Any]:
    """Return a JSON array, or [] when the value is missing or of another type."""
    return value if isinstance(value, list) else []


def _objs(value: object) -> list[JSONObject]:
    """Return the objects of a JSON array, skipping members of other types."""
    return [member for member in _array(value) if isinstance(member, dict)]
