"""The ASF branches and social-clause codes that notices are tagged with (see docs/taxonomy.md).

A branch is defined by CPV 2008 prefixes: a code belongs to a branch when its eight digits start
with one of the branch's prefixes. The codes and prefixes are a public contract: stored tags,
company profiles and the weekly digest refer to them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Branch:
    """One line of work that ASFs do, with its names and the CPV prefixes that define it."""

    code: str
    name_sv: str
    name_en: str
    cpv_prefixes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SocialCode:
    """One kind of social clause, with its names and the structured fields that prove it."""

    code: str
    name_sv: str
    name_en: str
    structured_fields: str


BRANCHES: tuple[Branch, ...] = (
    Branch("cleaning", "Städ och lokalvård", "Cleaning", ("909",)),
    Branch(
        "catering",
        "Kök, restaurang, café, catering",
        "Kitchen, restaurant, café, catering",
        ("553", "554", "555"),
    ),
    Branch("retail", "Butik och detaljhandel", "Shop and retail", ("559",)),
    Branch("care", "Vård och omsorg", "Care and social work", ("853", "98513", "79622")),
    Branch("laundry", "Tvätteri", "Laundry", ("9831",)),
    Branch("grounds", "Grönyteskötsel och trädgård", "Grounds maintenance and gardening", ("773", "4511271")),
    Branch(
        "snow_streets",
        "Snöröjning, halkbekämpning, gaturenhållning",
        "Snow clearing, gritting, street cleaning",
        ("9061", "9062", "9063"),
    ),
    Branch("textiles", "Sömnad och textil", "Sewing and textiles", ("181", "395", "98393", "5083")),
    Branch("printing", "Tryck", "Printing", ("798",)),
    Branch("removals_courier", "Flytt och bud", "Removals and courier", ("98392", "79613", "6412")),
    Branch("recycling", "Återvinning och återbruk", "Recycling and re-use", ("905",)),
    Branch(
        "carpentry", "Snickeri och möbelrenovering", "Carpentry and furniture renovation", ("4542", "5085")
    ),
    Branch(
        "property_care",
        "Fastighetsskötsel och vaktmästeri",
        "Property care and caretaking",
        ("5070", "7033", "4544", "983411", "79993"),
    ),
    Branch(
        "packaging_mailing",
        "Montering, paketering, utskick",
        "Assembly, packaging, mailing",
        ("7992", "79571"),
    ),
    Branch("it_refurbishing", "Reparation av IT-utrustning", "Repair of IT equipment", ("5031", "5032")),
    Branch("vehicle_care", "Fordonstvätt och fordonsvård", "Vehicle washing and care", ("501123",)),
)
BRANCH_CODES: tuple[str, ...] = tuple(branch.code for branch in BRANCHES)
BRANCHES_BY_CODE: dict[str, Branch] = {branch.code: branch for branch in BRANCHES}

SOCIAL_CODES: tuple[SocialCode, ...] = (
    SocialCode(
        "reserved_sheltered",
        "Reserverat för skyddade verkstäder och arbetsintegrerande leverantörer (LOU 4 kap. 18 §)",
        "Reserved for sheltered workshops and social and professional integration",
        "BT-71 res-ws; BT-736 reserved execution (sheltered employment programmes)",
    ),
    SocialCode(
        "reserved_public_service",
        "Reserverat för organisationer med offentligt uppdrag",
        "Reserved for organisations pursuing a public service mission",
        "BT-71 res-pub-ser",
    ),
    SocialCode(
        "employment_requirement",
        "Sysselsättningskrav (arbetsmarknadskrav)",
        "Employment requirement for the long-term unemployed, disabled or disadvantaged",
        "BT-775 opp",
    ),
    SocialCode(
        "social_considerations",
        "Övriga sociala hänsyn",
        "Other social considerations",
        "BT-775 other than opp; BT-06 soc-obj; OCDS suitability.vcse",
    ),
)
SOCIAL_CODE_NAMES: tuple[str, ...] = tuple(code.code for code in SOCIAL_CODES)
# The social codes that mean a reserved contract (LOU 4 kap. 18 §, BT-71/BT-736; res-pub-ser).
RESERVED_CODES: tuple[str, ...] = ("reserved_sheltered", "reserved_public_service")

# (prefix, branch) pairs, longest prefix first, for the lookup below.
_PREFIXES: tuple[tuple[str, str], ...] = tuple(
    sorted(
        ((prefix, branch.code) for branch in BRANCHES for prefix in branch.cpv_prefixes),
        key=lambda pair: -len(pair[0]),
    )
)


def cpv_digits(code: str | None) -> str | None:
    """Return the eight CPV digits of a code ("90911200-8" -> "90911200"), or None if it is not one."""
    if not code:
        return None
    digits = code.strip().split("-", 1)[0]
    return digits if len(digits) == 8 and digits.isdigit() else None


def branches_for_cpv(code: str | None) -> tuple[str, ...]:
    """Return the branch codes a CPV code belongs to (usually none or one), in taxonomy order."""
    digits = cpv_digits(code)
    if digits is None:
        return ()
    found = {branch for prefix, branch in _PREFIXES if digits.startswith(prefix)}
    return tuple(code for code in BRANCH_CODES if code in found)


def is_branch_ancestor(code: str | None) -> bool:
    """Return True when a CPV code is broader than some branch prefix (e.g. 90000000 above 909).

    Such codes say too little to be a branch label either way, so training leaves them out.
    """
    digits = cpv_digits(code)
    if digits is None:
        return False
    significant = digits.rstrip("0").ljust(2, "0")  # a CPV division has two digits ("30", not "3")
    return any(prefix.startswith(significant) and len(significant) < len(prefix) for prefix, _ in _PREFIXES)
