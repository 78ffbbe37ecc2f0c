"""Evidence highlighting: split a text into plain and marked pieces from the tags' word offsets."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of text; `codes` are the tags whose evidence covers it (empty: not evidence)."""

    text: str
    codes: tuple[str, ...] = ()


def spans_by_field(tags: Iterable[tuple[str, list[dict[str, Any]]]]) -> dict[str, list[tuple[int, int, str]]]:
    """Collect (start, end, code) of every word evidence, per field ("title", "lots[0].description")."""
    spans: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for code, evidence in tags:
        for item in evidence:
            start, end, name = item.get("start"), item.get("end"), item.get("field")
            if isinstance(start, int) and isinstance(end, int) and isinstance(name, str) and 0 <= start < end:
                spans[name].append((start, end, code))
    return spans


def pieces(text: str | None, spans: Iterable[tuple[int, int, str]]) -> list[Piece]:
    """Split `text` at every span boundary; pieces inside spans carry their codes (spans are clipped)."""
    if not text:
        return []
    length = len(text)
    clipped = [(max(0, s), min(length, e), code) for s, e, code in spans if s < length]
    cuts = sorted({0, length, *(s for s, _, _ in clipped), *(e for _, e, _ in clipped)})
    out: list[Piece] = []
    for left, right in pairwise(cuts):
        codes = tuple(sorted({code for s, e, code in clipped if s <= left and right <= e}))
        out.append(Piece(text[left:right], codes))
    return out
