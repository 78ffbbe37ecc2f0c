"""The reasons of a match in plain Swedish, built from templates, and the figures behind the score.

Example: ["Städ och lokalvård i Luleå, inom ert område; reserverat kontrakt som ni uppfyller",
"Värdet 900 000 kr ryms i er kapacitet (2 mnkr)", "Sista anbudsdag 29 december (30 dagar kvar)"].
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from matcher.areas import AreaFit, Gazetteer, join_sv
from matcher.currency import is_sek
from matcher.match_engine import (
    BONUS_RESERVED,
    BONUS_SOCIAL,
    W_AREA,
    W_BRANCH,
    W_SIZE,
    W_TIME,
)
from matcher.match_items import Item, MatchSettings
from matcher.match_profiles import CompanyProfile
from matcher.taxonomy import BRANCHES_BY_CODE

MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
          "oktober", "november", "december")
RESERVED_RULE = (
    "Reserverat kontrakt (LOU 4 kap. 18 §): minst 30 % av de anställda ska ha funktionsnedsättning "
    "eller stå långt från arbetsmarknaden"
)


def sek(value: float) -> str:
    """Format an amount the Swedish way: '650 000 kr', '1,5 mnkr'."""
    return _short_amount(value, "kr", "mnkr")


def _short_amount(value: float, unit: str, millions: str) -> str:
    """Write an amount in whole units with no-break spaces, from a million on in millions (one decimal)."""
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}".replace(".", ",").removesuffix(",0") + f" {millions}"
    return f"{value:,.0f}".replace(",", "\u00a0") + f" {unit}"


def decimal(value: float) -> str:
    """Format a score with a decimal comma: 0.82 -> '0,82'."""
    return f"{value:.2f}".replace(".", ",")


def percent(share: float) -> str:
    """Format a share as whole percent: 0.45 -> '45 %'."""
    return f"{share * 100:.0f}\u00a0%"


def branch_name(code: str) -> str:
    """Return the Swedish name of a branch code."""
    branch = BRANCHES_BY_CODE.get(code)
    return branch.name_sv if branch else code


@dataclass(frozen=True, slots=True)
class Factors:
    """The fits of one company × item pair and its final score."""

    branch: float
    area: float
    size: float
    time: float
    score: float
    reserved_bonus: bool
    social_bonus: bool


def contributions(f: Factors) -> dict[str, float]:
    """Return each factor's share of the score (they add up to the score before the cap at 1)."""
    return {
        "branch": round(W_BRANCH * f.branch, 4),
        "area": round(W_AREA * f.branch * f.area, 4),
        "size": round(W_SIZE * f.branch * f.size, 4),
        "time": round(W_TIME * f.branch * f.time, 4),
        "reserved": BONUS_RESERVED if f.reserved_bonus else 0.0,
        "social": BONUS_SOCIAL if f.social_bonus else 0.0,
    }


def explain(
    company: CompanyProfile, item: Item, f: Factors, area: AreaFit, *, g: Gazetteer, settings: MatchSettings
) -> tuple[list[str], dict[str, Any]]:
    """Return the reasons (Swedish) and details (figures) of a match."""
    matched, missing = _branches(company, item)
    first = _first_line(company, item, area, g, matched)
    if item.reserved and company.eligible:
        first += "; reserverat kontrakt som ni uppfyller"
    reasons = [first]
    if missing:
        reasons.append(
            f"Upphandlingen gäller även {join_sv([branch_name(c).lower() for c in missing])}, som ni inte "
            "har angett – ett samarbete kan täcka det"
        )
    reasons.append(size_phrase(company, item))
    reasons.append(time_phrase(item, settings))
    if f.social_bonus:
        reasons.append(_social_phrase(item))
    details = {
        "contributions": contributions(f),
        "branch": {"matched": matched, "missing": missing, "source": item.branch_source,
                   "scores": item.branch_scores},
        "place": {"label": item.place.label, "municipalities": len(item.place.municipalities),
                  "covered_share": round(area.covered_share, 3),
                  "distance_km": None if area.distance_km is None else round(area.distance_km, 1),
                  "nearest": area.nearest},
        "value_sek": item.value,
        "capacity_sek": company.capacity_sek,
        "capacity_source": company.capacity_source,
        "days_left": None if item.days_left is None else round(item.days_left, 1),
        "reserved": item.reserved,
        "social": item.social,
    }
    return reasons, details


def explain_blocked(company: CompanyProfile, item: Item, area: AreaFit, g: Gazetteer) -> list[str]:
    """Return why a pair that fits is not shown: the contract is reserved and the company not eligible."""
    matched, _ = _branches(company, item)
    first = _first_line(company, item, area, g, matched)
    if company.integration_share is None:
        told = "ni har inte angett någon andel"
    else:
        told = f"ni har angett {percent(company.integration_share)}"
    return [first, f"{RESERVED_RULE}; {told}. Därför visas den inte som en träff."]


def _first_line(company: CompanyProfile, item: Item, area: AreaFit, g: Gazetteer, matched: list[str]) -> str:
    """Return 'Städ och lokalvård i Luleå, inom ert område' (the place is left out when unknown)."""
    where = f" i {item.place.label}" if item.place.known else ""
    return f"{_branch_phrase(matched, item)}{where}, {area_phrase(area, item, company, g)}"


def _branches(company: CompanyProfile, item: Item) -> tuple[list[str], list[str]]:
    """Return the item's branches the company has (best first) and those it lacks."""
    ordered = sorted(item.branch_scores, key=lambda code: -item.branch_scores[code])
    return [c for c in ordered if c in company.branches], [c for c in ordered if c not in company.branches]


def _branch_phrase(matched: list[str], item: Item) -> str:
    """Name the shared branches (at most two), saying when they come from CPV codes."""
    names = join_sv([branch_name(code) for code in matched[:2]]) or "Er bransch"
    return f"{names} (enligt CPV-kod)" if item.branch_source == "cpv" else names


def area_phrase(area: AreaFit, item: Item, company: CompanyProfile, g: Gazetteer) -> str:
    """Describe where the item lies relative to the company's area."""
    if company.area.empty:
        return "ni har inte angett något område"
    if not item.place.known:
        return "platsen för utförandet anges inte"
    if area.covered_share >= 1:
        return "inom ert område"
    if area.covered_share > 0:
        inside = round(area.covered_share * len(item.place.municipalities))
        return f"delvis inom ert område ({inside} av {len(item.place.municipalities)} kommuner)"
    nearest = g.name(area.nearest) if area.nearest else "ert område"
    return f"{area.distance_km:.0f} km utanför ert område (från {nearest})"


def size_phrase(company: CompanyProfile, item: Item) -> str:
    """Describe the value against the company's capacity."""
    capacity = company.capacity_sek
    estimated = " (uppskattad)" if company.capacity_source in ("turnover", "employees") else ""
    if item.notice_type == "direct-award":
        return "Direktupphandling – passar ett mindre företag"
    if item.value is None:
        return _no_value_phrase(item)
    value = value_text(item)
    if capacity is not None and item.value > capacity:
        return (
            f"Värdet {value} är större än er kapacitet{estimated} ({sek(capacity)}) – "
            "överväg att lämna anbud tillsammans med andra"
        )
    if item.small:
        return f"Litet kontrakt ({value}) – passar ett mindre företag"
    if capacity is None:
        return f"Värdet {value}; ni har inte angett hur stora uppdrag ni kan ta"
    return f"Värdet {value} ryms i er kapacitet{estimated} ({sek(capacity)})"


def _no_value_phrase(item: Item) -> str:
    """Say that the value is not given, or given in a currency that has no rate in kronor."""
    if item.amount is not None:
        return f"Värdet {amount_text(item.amount, item.currency)} kan inte räknas om till kronor"
    return "Värdet anges inte"


def value_text(item: Item) -> str:
    """Name an item's value: '650 000 kr', or '90 000 EUR (cirka 1 mnkr)' in another currency."""
    if item.value is None:
        return "okänt"
    if item.amount is None or is_sek(item.currency):
        return sek(item.value)
    return f"{amount_text(item.amount, item.currency)} (cirka {sek(item.value)})"


def amount_text(amount: float, currency: str | None) -> str:
    """Format an amount in its own currency: '90 000 EUR', '1,5 mn EUR'."""
    code = (currency or "SEK").strip().upper()
    return _short_amount(amount, code, f"mn {code}")


# What time_phrase writes about a deadline ("Sista anbudsdag 13 december (13 dagar kvar)"): counted
# when matching ran, so a digest sent later leaves it out and shows the deadline as of sending.
_DEADLINE_PHRASE = re.compile(
    r"^(?:(?:Kort om tid: s|S)ista anbudsdag \d{1,2} \w+ \(\d+ dag(?:ar)? kvar\)"
    r"|Ingen sista anbudsdag angiven)$"
)


def is_deadline_phrase(reason: str) -> bool:
    """Tell whether a stored reason is time_phrase's words about the deadline and the days left."""
    return _DEADLINE_PHRASE.match(reason) is not None


def time_phrase(item: Item, settings: MatchSettings) -> str:
    """Describe the deadline and how much time is left."""
    if item.deadline is None:
        if item.notice_type == "planning":
            return "Förhandsinformation – upphandlingen är inte utlyst än, ni hinner förbereda er"
        return "Ingen sista anbudsdag angiven"
    day = f"{item.deadline.day} {MONTHS[item.deadline.month - 1]}"
    days = max(0, int(item.days_left or 0))
    left = "1 dag kvar" if days == 1 else f"{days} dagar kvar"
    if (item.days_left or 0) < settings.min_days:
        return f"Kort om tid: sista anbudsdag {day} ({left})"
    return f"Sista anbudsdag {day} ({left})"


def _social_phrase(item: Item) -> str:
    """Describe the social clause that earned the bonus."""
    if "employment_requirement" in item.social:
        return "Sysselsättningskrav i upphandlingen – passar ert arbete med arbetsintegrering"
    return "Sociala hänsyn i upphandlingen – passar ett socialt företag"


def breakdown(details: dict[str, Any], score: float) -> str:
    """One line with each factor's contribution: 'Poäng 0,82 = bransch 0,27 + område 0,32 + …'."""
    names = {"branch": "bransch", "area": "område", "size": "storlek", "time": "tid",
             "reserved": "reserverat", "social": "socialt"}
    parts = [f"{names[k]} {decimal(v)}" for k, v in details.get("contributions", {}).items() if v]
    return f"Poäng {decimal(score)} = " + " + ".join(parts) + (" (högst 1)" if score >= 1 else "")
