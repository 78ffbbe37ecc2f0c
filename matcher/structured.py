"""Structured evidence: CPV codes, eForms BT-71/BT-736/BT-775/BT-06 and OCDS suitability.vcse."""

from __future__ import annotations

from dataclasses import dataclass

from crawlers.parsers.record import Lot, NoticeRecord
from matcher.settings import SCORE_CPV_MAIN, SCORE_CPV_OTHER, SCORE_STRUCTURED_CLAUSE, SCORE_VCSE
from matcher.tags import Evidence
from matcher.taxonomy import branches_for_cpv

# eForms BT-71 codes as the record names them (OCDS names) -> social code.
_RESERVED = {
    "shelteredWorkshop": "reserved_sheltered",
    "publicServiceMissionOrganization": "reserved_public_service",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One code proved by a structured field, with its score and the evidence item."""

    code: str
    score: float
    evidence: Evidence


def _evidence(field: str, value: str, note: str | None) -> Evidence:
    """Return structured evidence: the field, its value and an optional note."""
    return Evidence("structured", field, value=value, note=note)


def notice_branches(record: NoticeRecord, note: str | None = None) -> list[Finding]:
    """Return the branches of the notice's CPV codes: the main code, then the others."""
    findings: list[Finding] = []
    if record.cpv_main:
        findings += [
            Finding(code, SCORE_CPV_MAIN, _evidence("cpv_main", record.cpv_main, note))
            for code in branches_for_cpv(record.cpv_main)
        ]
    for cpv in record.cpv:
        if cpv != record.cpv_main:
            findings += [
                Finding(code, SCORE_CPV_OTHER, _evidence("cpv", cpv, note)) for code in branches_for_cpv(cpv)
            ]
    return findings


def lot_branches(lot: Lot, prefix: str, note: str | None = None) -> list[Finding]:
    """Return the branches of a lot's CPV codes (the first is the lot's main code)."""
    findings: list[Finding] = []
    for position, cpv in enumerate(lot.cpv):
        score = SCORE_CPV_MAIN if position == 0 else SCORE_CPV_OTHER
        findings += [
            Finding(code, score, _evidence(f"{prefix}.cpv", cpv, note)) for code in branches_for_cpv(cpv)
        ]
    return findings


def notice_social(record: NoticeRecord, note: str | None = None) -> list[Finding]:
    """Return the social-clause codes proved by the notice's fields and by those of its lots."""
    findings = _reserved(record.reserved_participation, record.reserved_execution, "", note)
    for index, lot in enumerate(record.lots):
        findings += _reserved(
            lot.reserved_participation, bool(lot.reserved_execution), f"lots[{index}].", note
        )
    for objective in record.social_objectives:
        code = "employment_requirement" if objective == "opp" else "social_considerations"
        findings.append(
            Finding(code, SCORE_STRUCTURED_CLAUSE, _evidence("social_objectives", objective, note))
        )
    if "soc-obj" in record.strategic_procurement:
        findings.append(
            Finding(
                "social_considerations",
                SCORE_STRUCTURED_CLAUSE,
                _evidence("strategic_procurement", "soc-obj", note),
            )
        )
    if record.suitability.get("vcse"):
        findings.append(
            Finding("social_considerations", SCORE_VCSE, _evidence("suitability.vcse", "true", note))
        )
    return findings


def lot_social(lot: Lot, prefix: str, note: str | None = None) -> list[Finding]:
    """Return the reservation codes proved by one lot's fields."""
    return _reserved(lot.reserved_participation, bool(lot.reserved_execution), f"{prefix}.", note)


def _reserved(participation: list[str], execution: bool, prefix: str, note: str | None) -> list[Finding]:
    """Map BT-71 (reserved participation) and BT-736 (reserved execution) to social codes."""
    findings = [
        Finding(
            _RESERVED[value],
            SCORE_STRUCTURED_CLAUSE,
            _evidence(f"{prefix}reserved_participation", value, note),
        )
        for value in participation
        if value in _RESERVED
    ]
    if execution:
        findings.append(
            Finding(
                "reserved_sheltered",
                SCORE_STRUCTURED_CLAUSE,
                _evidence(f"{prefix}reserved_execution", "true", note),
            )
        )
    return findings
