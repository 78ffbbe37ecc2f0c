"""Validation of one company row (CSV cell texts or YAML values) into a typed `CompanyRecord`.

Every problem of a row is collected, so that the coordinator can fix a row in one go; each message
names the column and says what to write instead, in English (the command line) and in Swedish (the
coordinator's web pages): see `Text` and `FieldValueError`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from matcher.areas import Gazetteer
from matcher.exceptions import MatcherError
from matcher.taxonomy import BRANCH_CODES, BRANCHES
from notifier.addresses import is_recipient_address

RESERVED_SHARE = 0.30  # LOU 4 kap. 18 §: at least 30 % of the employees are disabled or disadvantaged
DIGEST_LANGUAGES = ("sv", "en")
DIGEST_FREQUENCIES = ("weekly", "monthly", "never")
MAX_RADIUS_KM = 2000.0

_LIST_SPLIT = re.compile(r"\s*[;,|\n]\s*")
_AMOUNT_RE = re.compile(r"^(-?[\d.]+)\s*(mnkr|msek|mkr|milj(?:oner)?|mn|tkr|ksek|kkr|kr|sek)?\.?$")
_MULTIPLIERS = {"mnkr": 1e6, "msek": 1e6, "mkr": 1e6, "milj": 1e6, "miljoner": 1e6, "mn": 1e6,
                "tkr": 1e3, "ksek": 1e3, "kkr": 1e3, "kr": 1.0, "sek": 1.0, None: 1.0}
_TRUE = {"1", "true", "yes", "ja", "j", "y", "x", "sant"}
_FALSE = {"0", "false", "no", "nej", "n", "", "falskt"}
_BRANCH_NAMES = {name.casefold(): b.code for b in BRANCHES for name in (b.name_sv, b.name_en)}

Language = Literal["en", "sv"]


@dataclass(frozen=True, slots=True)
class Text:
    """A message for people in English (command line, `str()`) and Swedish (web pages)."""

    en: str
    sv: str

    def __str__(self) -> str:
        return self.en

    def in_language(self, language: Language) -> str:
        """Return the message in `language`."""
        return self.sv if language == "sv" else self.en

    def prefixed(self, prefix: str) -> Text:
        """Return the message with the same prefix (a column or file name) in both languages."""
        return Text(prefix + self.en, prefix + self.sv)

    @staticmethod
    def join(texts: Sequence[Text], separator: str = "; ") -> Text:
        """Join several messages into one, language by language."""
        return Text(separator.join(t.en for t in texts), separator.join(t.sv for t in texts))


class FieldValueError(ValueError):
    """A bad value: `str()` is the English message, `text` has it in English and Swedish."""

    def __init__(self, en: str, sv: str) -> None:
        super().__init__(en)
        self.text = Text(en, sv)

    @classmethod
    def from_text(cls, text: Text) -> FieldValueError:
        """Build the error from a message in both languages."""
        return cls(text.en, text.sv)


class RegistryError(MatcherError):
    """Base error of the company registry."""


class OrgNumberError(RegistryError, FieldValueError):
    """Raised by `normalise_org_number` for a number that is not 10 digits with a valid Luhn check digit."""


class RowError(RegistryError):
    """Raised by `validate_company` with every problem of one row; `str()` is English, `text` both."""

    def __init__(self, problems: list[Text]) -> None:
        self.text = Text.join(problems)
        super().__init__(self.text.en)
        self.problems = problems


def luhn_ok(digits: str) -> bool:
    """Check the Luhn control digit of a ten-digit Swedish organisation or personal number."""
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def luhn_digit(nine: str) -> str:
    """Return the control digit that completes nine digits to a valid number."""
    return next(str(d) for d in range(10) if luhn_ok(nine + str(d)))


def normalise_org_number(text: object) -> str:
    """Return the ten digits of an organisation number ('556012-5790', '16 556012-5790' -> '5560125790')."""
    raw = str(text if text is not None else "").strip()
    digits = re.sub(r"[\s\-+]", "", raw)
    if len(digits) == 12 and digits[:2] in ("16", "19", "20"):
        digits = digits[2:]
    if not (len(digits) == 10 and digits.isascii() and digits.isdigit()):  # not '５５６…' (full width)
        raise OrgNumberError(
            f"organisation number {raw!r} is not 10 digits: write it as NNNNNN-NNNN, e.g. 556012-5790",
            f"organisationsnumret {raw!r} har inte 10 siffror: skriv det som NNNNNN-NNNN, t.ex. 556012-5790",
        )
    if not luhn_ok(digits):
        raise OrgNumberError(
            f"organisation number {raw!r} has a wrong check digit (Luhn): check the number on "
            "allabolag.se or with Bolagsverket",
            f"organisationsnumret {raw!r} har fel kontrollsiffra (Luhn): kontrollera numret på "
            "allabolag.se eller hos Bolagsverket",
        )
    return digits


def format_org_number(digits: str) -> str:
    """'5560125790' -> '556012-5790'."""
    return f"{digits[:6]}-{digits[6:]}"


@dataclass(slots=True)
class CompanyRecord:
    """A validated company, with the values of the `models.Company` columns it sets."""

    org_number: str
    name: str
    legal_form: str | None = None
    contact_emails: list[str] = field(default_factory=list)
    branches: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    area_municipalities: list[str] = field(default_factory=list)
    area_counties: list[str] = field(default_factory=list)
    area_radius_km: float | None = None
    area_centre: str | None = None
    employees: int | None = None
    max_contract_value_sek: float | None = None
    yearly_turnover_sek: float | None = None
    integration_share: float | None = None
    networks: list[str] = field(default_factory=list)
    digest_language: str = "sv"
    digest_frequency: str = "weekly"
    digest_min_score: float = 0.5
    digest_paused: bool = False
    active: bool = True
    fictional: bool = False

    def values(self, columns: set[str] | None = None) -> dict[str, Any]:
        """Return the column values to store; with `columns`, only those the input file had."""
        values = asdict(self)
        if columns is None:
            return values
        return {k: v for k, v in values.items() if k in columns or k == "org_number"}


COLUMNS: tuple[str, ...] = tuple(CompanyRecord.__dataclass_fields__)
REQUIRED: tuple[str, ...] = ("org_number", "name", "branches")


def as_list(value: object) -> list[str]:
    """Split a cell ('a; b, c') or a YAML list into non-empty stripped strings."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else _LIST_SPLIT.split(str(value))
    return [str(item).strip() for item in items if str(item).strip()]


def as_amount(value: object) -> float | None:
    """Read SEK: '1 500 000', '1,5 mnkr', '800 tkr', 1500000 -> float; '' -> None."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = str(value).casefold().replace("\u00a0", "").replace(" ", "").replace("_", "").replace(",", ".")
        found = _AMOUNT_RE.match(text)
        if found is None:
            raise FieldValueError(
                f"{value!r} is not an amount (write e.g. 1500000, 1,5 mnkr or 800 tkr)",
                f"{value!r} är inget belopp (skriv t.ex. 1500000, 1,5 mnkr eller 800 tkr)",
            )
        number = _number(found.group(1), value) * _MULTIPLIERS[found.group(2)]
    if number < 0:
        raise FieldValueError(f"{value!r} is negative", f"{value!r} är ett negativt belopp")
    return number


def as_share(value: object) -> float | None:
    """Read a share 0..1 from '45 %', '45', '0.45' or '0,45' (numbers above 1 are percent)."""
    if value is None or value == "":
        return None
    text = str(value).strip().replace(",", ".").replace("\u00a0", "")
    percent = text.endswith("%")
    try:
        number = float(text.rstrip("%").strip())
    except ValueError:
        raise FieldValueError(
            f"{value!r} is not a share (write e.g. 45 % or 0.45)",
            f"{value!r} är ingen andel (skriv t.ex. 45 % eller 0,45)",
        ) from None
    share = number / 100 if percent or number > 1 else number
    if not 0.0 <= share <= 1.0:
        raise FieldValueError(
            f"{value!r} is not between 0 and 100 %", f"{value!r} ligger inte mellan 0 och 100 %"
        )
    return share


def as_bool(value: object, default: bool) -> bool:
    """ja/nej, yes/no, true/false, 1/0, x/'' -> bool; None -> default."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise FieldValueError(
        f"{value!r} is not yes or no (write ja/nej, yes/no, 1/0)",
        f"{value!r} är varken ja eller nej (skriv ja/nej, yes/no, 1/0)",
    )


AREA_COLUMNS = frozenset({"area_municipalities", "area_counties", "area_radius_km", "area_centre"})


def validate_company(raw: dict[str, Any], g: Gazetteer, *, require_area: bool = True) -> CompanyRecord:
    """Validate one row (column -> cell text or YAML value); raise RowError listing every problem.

    `require_area=False` accepts a row without a service area (an update that leaves the area as it is).
    """
    problems: list[Text] = []
    values: dict[str, Any] = {}

    def check(column: str, parse: Any) -> None:
        """Parse one column, collecting its problem instead of raising."""
        try:
            values[column] = parse(raw.get(column))
        except FieldValueError as exc:
            problems.append(exc.text.prefixed(f"{column}: "))
        except (ValueError, TypeError) as exc:  # a failure no parser foresaw: name the value in Swedish
            problems.append(Text(str(exc), f"ogiltigt värde {raw.get(column)!r}").prefixed(f"{column}: "))

    unknown = sorted(set(raw) - set(COLUMNS))
    if unknown:
        names, all_columns = ", ".join(unknown), ", ".join(COLUMNS)
        unknown_sv = "okänd kolumn" if len(unknown) == 1 else "okända kolumner"
        problems.append(
            Text(
                f"unknown column(s) {names}: the columns are {all_columns}",
                f"{unknown_sv} {names}: kolumnerna är {all_columns}",
            )
        )
    check("org_number", normalise_org_number)
    check("name", _name)
    check("legal_form", lambda v: _text(v, 100))
    check("contact_emails", _emails)
    check("branches", _branches)
    check("keywords", as_list)
    check("area_municipalities", lambda v: _municipalities(v, g))
    check("area_counties", lambda v: _counties(v, g))
    check("area_radius_km", _radius)
    check("area_centre", lambda v: _centre(v, g))
    check("employees", _employees)
    check("max_contract_value_sek", as_amount)
    check("yearly_turnover_sek", as_amount)
    check("integration_share", as_share)
    check("networks", as_list)
    check("digest_language", lambda v: _choice(v, DIGEST_LANGUAGES, "sv"))
    check("digest_frequency", lambda v: _choice(v, DIGEST_FREQUENCIES, "weekly"))
    check("digest_min_score", _min_score)
    check("digest_paused", lambda v: as_bool(v, False))
    check("active", lambda v: as_bool(v, True))
    check("fictional", lambda v: as_bool(v, False))
    if not problems:
        problems += _cross_checks(values, require_area)
    if problems:
        raise RowError(problems)
    return CompanyRecord(**values)


def _cross_checks(values: dict[str, Any], require_area: bool) -> list[Text]:
    """Check what involves several columns (the service area)."""
    problems = []
    if values["area_radius_km"] is not None and values["area_centre"] is None:
        problems.append(
            Text(
                "area_radius_km: a radius needs area_centre (the municipality it is measured from)",
                "area_radius_km: en radie kräver area_centre (kommunen som radien mäts från)",
            )
        )
    has_area = values["area_municipalities"] or values["area_counties"] or values["area_centre"]
    if require_area and not has_area:
        problems.append(
            Text(
                "no service area: give area_municipalities (e.g. Luleå; Boden), area_counties (e.g. 25) "
                "or area_centre with area_radius_km",
                "inget verksamhetsområde: ange area_municipalities (t.ex. Luleå; Boden), area_counties "
                "(t.ex. 25) eller area_centre med area_radius_km",
            )
        )
    return problems


def _number(text: str, value: object) -> float:
    """Return `text` as a float; the messages name the cell's `value` (Python's own text in English)."""
    try:
        return float(text)
    except ValueError as exc:
        raise FieldValueError(str(exc), f"{value!r} är inget tal") from None


def _text(value: object, limit: int) -> str | None:
    """Return stripped text (None when empty); raise when it is too long."""
    text = str(value).strip() if value is not None else ""
    if len(text) > limit:
        raise FieldValueError(f"longer than {limit} characters", f"längre än {limit} tecken")
    return text or None


def _name(value: object) -> str:
    """Return the company name; raise when it is missing."""
    name = _text(value, 300)
    if not name:
        raise FieldValueError("missing: give the company's name", "saknas: ange företagets namn")
    return name


def _emails(value: object) -> list[str]:
    """Return the contact emails; raise naming the bad ones."""
    emails = as_list(value)
    bad = [email for email in emails if not is_recipient_address(email)]
    if bad:
        listed = ", ".join(bad)
        raise FieldValueError(
            f"not an email address: {listed}",
            f"{'ogiltig e-postadress' if len(bad) == 1 else 'ogiltiga e-postadresser'}: {listed}",
        )
    return emails


def _branches(value: object) -> list[str]:
    """Return branch codes from codes or names; raise naming an unknown one."""
    codes: list[str] = []
    for item in as_list(value):
        code = item if item in BRANCH_CODES else _BRANCH_NAMES.get(item.casefold())
        if code is None:
            codes_text = ", ".join(BRANCH_CODES)
            raise FieldValueError(
                f"unknown branch {item!r}: use the codes {codes_text}",
                f"okänd bransch {item!r}: använd koderna {codes_text}",
            )
        if code not in codes:
            codes.append(code)
    if not codes:
        raise FieldValueError(
            "missing: give at least one branch code, e.g. cleaning (see docs/companies.md)",
            "saknas: ange minst en branschkod, t.ex. cleaning (se docs/companies.md)",
        )
    return codes


def _municipalities(value: object, g: Gazetteer) -> list[str]:
    """Return municipality codes from codes or names."""
    codes: list[str] = []
    for item in as_list(value):
        code = g.find_municipality(item)
        if code is None:
            raise _unknown_municipality(item)
        if code not in codes:
            codes.append(code)
    return codes


def _counties(value: object, g: Gazetteer) -> list[str]:
    """Return county codes from codes or names."""
    codes: list[str] = []
    for item in as_list(value):
        code = g.find_county(item)
        if code is None:
            raise FieldValueError(
                f"unknown county {item!r}: use a two-digit code (25) or a name (Norrbotten)",
                f"okänt län {item!r}: ange en kod med två siffror (25) eller ett namn (Norrbotten)",
            )
        if code not in codes:
            codes.append(code)
    return codes


def _radius(value: object) -> float | None:
    """Return the radius in km, or None."""
    if value is None or value == "":
        return None
    radius = _number(str(value).replace(",", ".").removesuffix("km").strip(), value)
    if not 0 <= radius <= MAX_RADIUS_KM:
        raise FieldValueError(
            f"{value!r} km is not between 0 and {MAX_RADIUS_KM:g}",
            f"{value!r} km ligger inte mellan 0 och {MAX_RADIUS_KM:g}",
        )
    return radius


def _centre(value: object, g: Gazetteer) -> str | None:
    """Return the centre municipality's code, or None."""
    if value is None or str(value).strip() == "":
        return None
    code = g.find_municipality(str(value))
    if code is None:
        raise _unknown_municipality(value)
    return code


def _unknown_municipality(value: object) -> FieldValueError:
    """Return the error for a municipality that is neither a known code nor a known name."""
    return FieldValueError(
        f"unknown municipality {value!r}: use a four-digit code (2580) or a name (Luleå)",
        f"okänd kommun {value!r}: ange en kod med fyra siffror (2580) eller ett namn (Luleå)",
    )


def _employees(value: object) -> int | None:
    """Return the number of employees, or None."""
    if value is None or value == "":
        return None
    number = _number(str(value).replace(" ", "").replace(",", "."), value)
    if not math.isfinite(number) or number < 0 or number != int(number):
        raise FieldValueError(
            f"{value!r} is not a whole number of employees", f"{value!r} är inte ett helt antal anställda"
        )
    return int(number)


def _choice(value: object, choices: tuple[str, ...], default: str) -> str:
    """Return one of `choices` (the default when empty)."""
    text = str(value).strip().casefold() if value is not None else ""
    if not text:
        return default
    if text not in choices:
        listed = ", ".join(choices)
        raise FieldValueError(f"{value!r} is not one of {listed}", f"{value!r} är inget av värdena {listed}")
    return text


def _min_score(value: object) -> float:
    """Return the digest's minimum score (0..1)."""
    if value is None or value == "":
        return 0.5
    score = _number(str(value).replace(",", "."), value)
    if not 0 <= score <= 1:
        raise FieldValueError(f"{value!r} is not between 0 and 1", f"{value!r} ligger inte mellan 0 och 1")
    return score
