"""The typed tags the tagger returns, and their JSON form (the `anbudsradar tag` contract).

JSON keys per notice: notice_id, source_path, language, branches, social, lots; per lot: lot_id,
branches, social; per tag: code, score, evidence. Each evidence item says its source (structured,
rules or classifier) and where it is: the field, and for words the text with its offsets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

TagSource = Literal["structured", "rules", "classifier"]
SOURCE_ORDER: dict[str, int] = {"structured": 0, "rules": 1, "classifier": 2}


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a tag was given: a structured field and its value, or words with their offsets."""

    source: TagSource
    field: str
    value: str | None = None
    text: str | None = None
    start: int | None = None
    end: int | None = None
    rule: str | None = None
    weight: float | None = None
    model_version: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form, leaving out what this kind of evidence does not have."""
        data: dict[str, Any] = {"source": self.source, "field": self.field}
        for name in ("value", "text", "start", "end", "rule", "weight", "model_version", "note"):
            value = getattr(self, name)
            if value is not None:
                data[name] = round(value, 3) if isinstance(value, float) else value
        return data


@dataclass(frozen=True, slots=True)
class Tag:
    """A branch or social-clause code with its score in [0, 1], strongest source and evidence."""

    code: str
    score: float
    source: TagSource
    evidence: tuple[Evidence, ...]
    model_version: str

    def to_dict(self) -> dict[str, Any]:
        """Return {"code", "score", "evidence"} as `anbudsradar tag` prints it."""
        return {
            "code": self.code,
            "score": round(self.score, 3),
            "evidence": [item.to_dict() for item in self.evidence],
        }


@dataclass(slots=True)
class LotTags:
    """The tags of one lot."""

    lot_id: str | None
    branches: list[Tag] = field(default_factory=list)
    social: list[Tag] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return {"lot_id", "branches", "social"}."""
        return {
            "lot_id": self.lot_id,
            "branches": [tag.to_dict() for tag in self.branches],
            "social": [tag.to_dict() for tag in self.social],
        }


@dataclass(slots=True)
class NoticeTags:
    """The tags of one notice and of each of its lots; notes say what could not be analysed."""

    notice_id: str | None
    source_path: str
    language: str | None
    branches: list[Tag] = field(default_factory=list)
    social: list[Tag] = field(default_factory=list)
    lots: list[LotTags] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON object `anbudsradar tag` prints (notes are reported in the evidence)."""
        return {
            "notice_id": self.notice_id,
            "source_path": self.source_path,
            "language": self.language,
            "branches": [tag.to_dict() for tag in self.branches],
            "social": [tag.to_dict() for tag in self.social],
            "lots": [lot.to_dict() for lot in self.lots],
        }

    def codes(self) -> set[str]:
        """Return every branch and social code of the notice (not of its lots)."""
        return {tag.code for tag in (*self.branches, *self.social)}
