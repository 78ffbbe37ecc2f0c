"""Organisation identifiers: one identity for the forms in which one registry number is written.

A Swedish organisation number reaches us as "212000-2726" (TED, eForms), "2120002726", with the
org-id.guide scheme of Bolagsverket "SE-BLV-212000-2726" (OCDS), as "SE-ORG-2120002726" or as the VAT
number "SE212000272601"; all name one organisation. The national registers of Norway (NO-BRC),
Denmark (DK-CVR) and Finland (FI-PRO) are read the same way. Every other identifier (another scheme,
such as GB-CFS or GB-COH, or a number without a known register) is compared as written, apart from
case, spaces, dashes and dots, so that numbers of two different registers never merge.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_SEPARATORS = re.compile(r"[\s\-.]")
# An org-id.guide identifier: "SE-BLV-212000-2726" (country, list code, the list's own identifier).
_SCHEMED = re.compile(r"([A-Za-z]{2})-([A-Za-z]{2,6})[-:\s]\s*(\S.*)")


@dataclass(frozen=True, slots=True)
class _Register:
    """A country's national register of organisations: its scheme codes, number and VAT forms."""

    schemes: frozenset[str]  # org-id.guide list codes ("SE-ORG" is used by Swedish publishers too)
    number: re.Pattern[str]  # the number without separators
    vat: re.Pattern[str]  # the VAT number built on it, without separators; group 1 is the number
    display: Callable[[str], str]  # how the register writes the number


_REGISTERS: dict[str, _Register] = {
    "SE": _Register(
        frozenset({"SE-BLV", "SE-ORG"}), re.compile(r"\d{10}"), re.compile(r"SE(\d{10})(?:01)?"),
        lambda number: f"{number[:6]}-{number[6:]}",
    ),
    "NO": _Register(
        frozenset({"NO-BRC"}), re.compile(r"\d{9}"), re.compile(r"NO(\d{9})(?:MVA)?"), lambda number: number
    ),
    "DK": _Register(
        frozenset({"DK-CVR"}), re.compile(r"\d{8}"), re.compile(r"DK(\d{8})"), lambda number: number
    ),
    "FI": _Register(
        frozenset({"FI-PRO"}), re.compile(r"\d{8}"), re.compile(r"FI(\d{8})"),
        lambda number: f"{number[:7]}-{number[7:]}",
    ),
}


@dataclass(frozen=True, slots=True)
class OrganisationId:
    """An identifier as identity compares it (`country`, `value`) and as the pages write it."""

    country: str | None  # the register's country; for other identifiers, the country given with it
    value: str  # compact and lower case: the register's number, or the identifier as written
    display: str
    national: bool  # a number of the country's national register of organisations

    @property
    def swedish_org_number(self) -> bool:
        """Whether this is a Swedish organisation number (organisationsnummer)."""
        return self.national and self.country == "SE"


def organisation_id(identifier: str | None, country: str | None) -> OrganisationId | None:
    """Read an identifier given with a buyer's ISO country; None when it is empty.

    A national register's number is recognised with its scheme prefix or VAT form only when the
    country given agrees with the prefix (or none is given), and bare only under that country.
    """
    raw = (identifier or "").strip()
    if not raw:
        return None
    country = (country or "").strip().upper() or None
    compact = _SEPARATORS.sub("", raw)
    found = _national(raw, compact.upper(), country)
    if found is not None:
        register_country, number = found
        display = _REGISTERS[register_country].display(number)
        return OrganisationId(register_country, number, display, national=True)
    return OrganisationId(country, compact.lower(), raw, national=False)


def _national(raw: str, compact: str, country: str | None) -> tuple[str, str] | None:
    """Return (country, number) when the identifier is a number of a national register."""
    schemed = _SCHEMED.fullmatch(raw)
    if schemed is not None:
        prefix = schemed.group(1).upper()
        register = _REGISTERS.get(prefix)
        if register is None or country not in (None, prefix):
            return None
        if f"{prefix}-{schemed.group(2).upper()}" not in register.schemes:
            return None
        number = _SEPARATORS.sub("", schemed.group(3))
        return (prefix, number) if register.number.fullmatch(number) else None
    prefix = compact[:2]
    register = _REGISTERS.get(prefix)
    if register is not None and country in (None, prefix) and (vat := register.vat.fullmatch(compact)):
        return prefix, vat.group(1)
    register = _REGISTERS.get(country or "")
    if register is not None and register.number.fullmatch(compact):
        return country, compact
    return None


def identity_key(identifier: str | None, country: str | None, name: str | None) -> str | None:
    """Return a buyer's identity: country + identifier (as `organisation_id` reads it), else + name."""
    found = organisation_id(identifier, country)
    if found is not None:
        return f"{found.country or '-'}:id:{found.value}"
    if name and name.strip():
        return f"{country or '-'}:name:{name.strip().lower()}"
    return None


def display_identifier(identifier: str | None, country: str | None) -> str | None:
    """Return an identifier as the pages write it: a Swedish organisation number as "212000-2726"."""
    found = organisation_id(identifier, country)
    return found.display if found is not None else None


def is_swedish_org_number(identifier: str | None, country: str | None) -> bool:
    """Whether an identifier given with a buyer's country is a Swedish organisation number."""
    found = organisation_id(identifier, country)
    return found is not None and found.swedish_org_number


def identifier_label(identifier: str | None, country: str | None) -> str:
    """Return the Swedish label of an identifier: "org.nr" for a Swedish organisation number, else "id"."""
    return "org.nr" if is_swedish_org_number(identifier, country) else "id"
