"""The company form: parse and validate what the coordinator typed, field by field, in Swedish.

Where `matcher.registry` offers its validation, the form uses it too (the same rules as the CSV import
on the command line); these checks are the form's own first pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from anbudsradar.web.labels import branches
from matcher.registry_fields import luhn_ok
from models.company import Company
from notifier.addresses import is_recipient_address

_SPLIT_RE = re.compile(r"[,;\n]+")
TEXT_FIELDS = (
    "name",
    "org_number",
    "legal_form",
    "contact_emails",
    "keywords",
    "area_municipalities",
    "area_counties",
    "area_radius_km",
    "area_centre",
    "employees",
    "max_contract_value_sek",
    "yearly_turnover_sek",
    "integration_share",
    "networks",
)


@dataclass(slots=True)
class CompanyForm:
    """The form's raw values (to show again) and, once validated, the values and errors per field."""

    raw: dict[str, str]
    branches: list[str]
    digest_paused: bool
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every field is valid."""
        return not self.errors


def empty_form() -> CompanyForm:
    """Return a blank form for a new company."""
    return CompanyForm(dict.fromkeys(TEXT_FIELDS, ""), [], False)


def form_from_company(company: Company) -> CompanyForm:
    """Return the form filled with a stored company."""

    def num(value: float | None) -> str:
        return "" if value is None else f"{value:g}"

    raw = {
        "name": company.name,
        "org_number": f"{company.org_number[:6]}-{company.org_number[6:]}",
        "legal_form": company.legal_form or "",
        "contact_emails": ", ".join(company.contact_emails),
        "keywords": ", ".join(company.keywords),
        "area_municipalities": ", ".join(company.area_municipalities),
        "area_counties": ", ".join(company.area_counties),
        "area_radius_km": num(company.area_radius_km),
        "area_centre": company.area_centre or "",
        "employees": "" if company.employees is None else str(company.employees),
        "max_contract_value_sek": num(company.max_contract_value_sek),
        "yearly_turnover_sek": num(company.yearly_turnover_sek),
        "integration_share": ""
        if company.integration_share is None
        else f"{company.integration_share * 100:g}",
        "networks": ", ".join(company.networks),
    }
    return CompanyForm(raw, list(company.branches), company.digest_paused)


def parse_form(data: Mapping[str, Any], branch_values: list[str], paused: bool) -> CompanyForm:
    """Validate a submitted form; `values` holds the model fields when `errors` is empty."""
    raw = {name: str(data.get(name) or "").strip()[:2000] for name in TEXT_FIELDS}
    form = CompanyForm(raw, [b for b in branch_values if isinstance(b, str)], paused)
    v, e = form.values, form.errors
    for name, text in raw.items():
        if "\x00" in text:  # PostgreSQL refuses to store it; nobody types it on purpose
            e[name] = "Fältet innehåller ett NUL-tecken (\\0); ta bort det."
    if not raw["name"]:
        e["name"] = "Ange företagets namn."
    v["name"] = raw["name"][:300]
    digits = re.sub(r"[\s-]", "", raw["org_number"])
    if not (len(digits) == 10 and digits.isascii() and digits.isdigit()):
        e["org_number"] = "Organisationsnumret ska ha tio siffror, t.ex. 769612-3456."
    elif not luhn_ok(digits):
        e["org_number"] = f"Organisationsnumret {raw['org_number']} har fel kontrollsiffra."
    v["org_number"] = digits
    v["legal_form"] = raw["legal_form"][:100] or None
    emails = _items(raw["contact_emails"])
    bad = [email for email in emails if not is_recipient_address(email)]
    if bad:
        e["contact_emails"] = "Ogiltig e-postadress: " + ", ".join(bad)
    v["contact_emails"] = emails
    known = branches()
    unknown = [code for code in form.branches if known and code not in known]
    if unknown:
        e["branches"] = "Okänd bransch: " + ", ".join(unknown)
    v["branches"] = sorted(set(form.branches))
    v["keywords"] = _items(raw["keywords"])
    v["networks"] = _items(raw["networks"])
    v["area_municipalities"] = _codes(
        raw, "area_municipalities", 4, e, "kommunkoder med fyra siffror, t.ex. 2580"
    )
    v["area_counties"] = _codes(raw, "area_counties", 2, e, "länskoder med två siffror, t.ex. 25")
    _known_codes(v["area_municipalities"], "area_municipalities", _municipality_codes, e, "kommuner")
    _known_codes(v["area_counties"], "area_counties", _county_codes, e, "län")
    centre = raw["area_centre"]
    if centre and not (len(centre) == 4 and centre.isdigit()):
        e["area_centre"] = "Ange en kommunkod med fyra siffror, t.ex. 2580."
    elif centre and centre not in _municipality_codes():
        e["area_centre"] = f"Kommunkoden {centre} finns inte bland Sveriges kommuner."
    v["area_centre"] = centre or None
    v["area_radius_km"] = _number(raw, "area_radius_km", 0, 2000, e)
    employees = _number(raw, "employees", 0, 100_000, e)
    if employees is not None and employees != int(employees):
        e["employees"] = "Ange ett helt antal anställda."
    v["employees"] = None if employees is None else int(employees)
    v["max_contract_value_sek"] = _number(raw, "max_contract_value_sek", 0, 1e12, e)
    v["yearly_turnover_sek"] = _number(raw, "yearly_turnover_sek", 0, 1e12, e)
    share = _number(raw, "integration_share", 0, 100, e)
    v["integration_share"] = None if share is None else share / 100
    if v["area_radius_km"] and not v["area_centre"]:
        e["area_centre"] = "En radie behöver en mittpunkt (kommunkod)."
    v["digest_paused"] = paused
    return form


def _items(text: str) -> list[str]:
    return [item.strip() for item in _SPLIT_RE.split(text) if item.strip()]


def _codes(raw: dict[str, str], name: str, length: int, errors: dict[str, str], hint: str) -> list[str]:
    codes = _items(raw[name])
    if any(not (len(code) == length and code.isascii() and code.isdigit()) for code in codes):
        errors[name] = f"Ange {hint}, åtskilda med komma."
    return codes


def _known_codes(
    codes: list[str], name: str, known: Callable[[], set[str]], errors: dict[str, str], what: str
) -> None:
    """Report codes of the right shape that name no Swedish municipality (or county), as the import does."""
    if name in errors or not codes:
        return
    known_codes = known()
    unknown = [code for code in codes if code not in known_codes]
    if unknown:
        listed = ", ".join(unknown)
        noun = "Koden" if len(unknown) == 1 else "Koderna"
        errors[name] = f"{noun} {listed} finns inte bland Sveriges {what}."


def _number(raw: dict[str, str], name: str, low: float, high: float, errors: dict[str, str]) -> float | None:
    text = raw[name].replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        errors[name] = f"{raw[name]!r} är inget tal."
        return None
    if not low <= value <= high:
        errors[name] = f"Ange ett tal mellan {low:g} och {high:g}."
        return None
    return value


def _municipality_codes() -> set[str]:
    """Return the codes of Sweden's municipalities (the shipped table), to check an area centre."""
    from matcher.areas import gazetteer  # noqa: PLC0415 - read the table only when a form has a centre

    return {m.code for m in gazetteer().municipalities}


def _county_codes() -> set[str]:
    """Return the codes of Sweden's counties."""
    from matcher.areas import COUNTIES  # noqa: PLC0415 - as _municipality_codes

    return set(COUNTIES)
