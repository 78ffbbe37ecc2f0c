"""The normalised notice record that every parser returns and every later stage reads.

The keys of `NoticeRecord.to_dict()` are a public contract (`anbudsradar parse` prints them): every
key is always present, null or [] when the notice lacks it. Field names follow OCDS where OCDS has one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Any, Literal

SourceFormat = Literal["eforms", "ted-legacy", "ocds", "feed", "html-listing"]
NoticeType = Literal["planning", "contract-notice", "award", "direct-award", "modification", "other"]

SOURCE_FORMATS: frozenset[str] = frozenset({"eforms", "ted-legacy", "ocds", "feed", "html-listing"})
NOTICE_TYPES: frozenset[str] = frozenset(
    {"planning", "contract-notice", "award", "direct-award", "modification", "other"}
)
# OCDS names for reserved participation (eForms BT-71 res-ws / res-pub-ser; legacy LEFTI elements).
RESERVED_PARTICIPATION_CODES: frozenset[str] = frozenset(
    {"shelteredWorkshop", "publicServiceMissionOrganization"}
)
# eForms BT-775 social-objective code list.
SOCIAL_OBJECTIVE_CODES: frozenset[str] = frozenset(
    {"acc-all", "et-eq", "gen-eq", "hum-right", "opp", "other", "work-cond"}
)

_CPV_RE = re.compile(r"^\d{8}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")


class RecordValidationError(ValueError):
    """Raised when a parser builds a record that breaks the contract (a bug in that parser)."""


def normalise_cpv(code: str | None) -> str | None:
    """Return the 8-digit CPV code without check digit ("90910000-9" -> "90910000"), or None."""
    if not code:
        return None
    digits = code.strip().split("-", 1)[0].strip()
    return digits if _CPV_RE.match(digits) else None


def unique(values: list[str]) -> list[str]:
    """Return the distinct non-empty values in first-seen order."""
    seen: dict[str, None] = {}
    for value in values:
        if value:
            seen.setdefault(value, None)
    return list(seen)


@dataclass(slots=True)
class Buyer:
    """The contracting authority or entity that publishes the notice."""

    name: str | None = None
    identifier: str | None = None
    country: str | None = None
    nuts: str | None = None
    city: str | None = None


@dataclass(slots=True)
class Money:
    """An amount with its ISO 4217 currency."""

    amount: float
    currency: str | None = None


@dataclass(slots=True)
class Lot:
    """One lot-level object of a notice (eForms Lot, legacy OBJECT_DESCR, OCDS tender.lots)."""

    lot_id: str | None = None
    title: str | None = None
    description: str | None = None
    cpv: list[str] = field(default_factory=list)
    nuts: list[str] = field(default_factory=list)
    reserved_participation: list[str] = field(default_factory=list)
    reserved_execution: bool | None = None
    estimated_value: Money | None = None
    deadline: str | None = None


@dataclass(slots=True)
class NoticeRecord:
    """One published notice, normalised; see the module docstring for the key contract."""

    source_format: SourceFormat
    source_path: str
    notice_id: str | None
    notice_type: NoticeType = "other"
    language: str | None = None
    title: str | None = None
    description: str | None = None
    url: str | None = None
    buyer: Buyer = field(default_factory=Buyer)
    cpv_main: str | None = None
    cpv: list[str] = field(default_factory=list)
    nuts: list[str] = field(default_factory=list)
    lots: list[Lot] = field(default_factory=list)
    reserved_participation: list[str] = field(default_factory=list)
    reserved_execution: bool = False
    social_objectives: list[str] = field(default_factory=list)
    strategic_procurement: list[str] = field(default_factory=list)
    suitability: dict[str, bool | None] = field(
        default_factory=lambda: {"sme": None, "vcse": None}
    )
    estimated_value: Money | None = None
    published: str | None = None
    deadline: str | None = None
    # Beyond the contract: the procedure this notice belongs to (eForms ContractFolderID, legacy
    # REF_NOTICE chain, OCDS ocid), the form or subtype as published, and, for a change notice, the
    # notice it changes. Storage uses them to keep one Notice per procedure with its history.
    procedure_id: str | None = None
    form_type: str | None = None
    changes_notice_id: str | None = None

    def validate(self) -> NoticeRecord:
        """Check the contract (formats, codes, dates) and return self; raise RecordValidationError."""
        problems: list[str] = []
        if self.source_format not in SOURCE_FORMATS:
            problems.append(f"source_format {self.source_format!r}")
        if self.notice_type not in NOTICE_TYPES:
            problems.append(f"notice_type {self.notice_type!r}")
        codes = self.cpv + [c for lot in self.lots for c in lot.cpv]
        codes += [self.cpv_main] if self.cpv_main else []
        problems += [f"CPV {c!r}" for c in codes if not _CPV_RE.match(c)]
        if self.cpv_main and (not self.cpv or self.cpv[0] != self.cpv_main):
            problems.append("cpv must start with cpv_main")
        for name in ("published", "deadline"):
            value = getattr(self, name)
            if value is not None and not _DATE_RE.match(value):
                problems.append(f"{name} {value!r}")
        if not set(self.reserved_participation) <= RESERVED_PARTICIPATION_CODES:
            problems.append(f"reserved_participation {self.reserved_participation!r}")
        if self.language is not None and not re.fullmatch(r"[a-z]{2}", self.language):
            problems.append(f"language {self.language!r}")
        if problems:
            raise RecordValidationError(
                f"{self.source_path}: invalid record {self.notice_id}: " + ", ".join(problems)
            )
        return self

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready dict with every contract key, in contract order.

        Written out instead of `dataclasses.asdict`, which deep-copies generically and costs more
        than parsing the notice; the test suite checks both give the same dict.
        """
        data = {name: getattr(self, name) for name in _RECORD_FIELDS}
        data["buyer"] = _plain(self.buyer)
        data["cpv"], data["nuts"] = list(self.cpv), list(self.nuts)
        data["reserved_participation"] = list(self.reserved_participation)
        data["social_objectives"] = list(self.social_objectives)
        data["strategic_procurement"] = list(self.strategic_procurement)
        data["suitability"] = dict(self.suitability)
        data["estimated_value"] = _plain(self.estimated_value)
        data["lots"] = [
            {
                **{name: getattr(lot, name) for name in _LOT_FIELDS},
                "cpv": list(lot.cpv),
                "nuts": list(lot.nuts),
                "reserved_participation": list(lot.reserved_participation),
                "estimated_value": _plain(lot.estimated_value),
            }
            for lot in self.lots
        ]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NoticeRecord:
        """Rebuild a record from `to_dict()` output (e.g. a stored version)."""
        values = dict(data)
        values["buyer"] = Buyer(**(data.get("buyer") or {}))
        values["estimated_value"] = _money(data.get("estimated_value"))
        values["lots"] = [
            Lot(**{**lot, "estimated_value": _money(lot.get("estimated_value"))})
            for lot in data.get("lots") or []
        ]
        return cls(**values)


_RECORD_FIELDS = tuple(f.name for f in fields(NoticeRecord))
_LOT_FIELDS = tuple(f.name for f in fields(Lot))


def _plain(value: Buyer | Money | None) -> dict[str, Any] | None:
    """Return a flat dataclass as a dict (None stays None)."""
    return None if value is None else {f.name: getattr(value, f.name) for f in fields(value)}


def _money(value: dict[str, Any] | None) -> Money | None:
    return Money(**value) if value else None
