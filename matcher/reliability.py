"""Do tag scores read as probabilities? Listed tags grouped into score bands, each with its share right.

A tag listed with score 0.7 should be right about 7 times in 10. `bands()` groups listed tags by
score and sets each band's mean score beside the share of its tags that are right;
`calibration_error()` sums the gaps, weighted by how many tags each band holds (the expected
calibration error). `anbudsradar train` reports this on development folds (the model card) and
`anbudsradar evaluate` on the held-out notices.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Lower edges of the score bands; the last band runs to 1.0 inclusive.
BAND_EDGES = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


@dataclass(frozen=True, slots=True)
class Band:
    """Listed tags whose score lies in [low, high): how many, their mean score, how many were right."""

    low: float
    high: float
    tags: int
    mean_score: float
    right: int

    @property
    def share_right(self) -> float:
        """The fraction of the band's tags that are right (0 for an empty band)."""
        return self.right / self.tags if self.tags else 0.0

    def as_dict(self) -> dict[str, float | int]:
        """Return the band as plain data (model metadata, JSON)."""
        return {
            "low": self.low,
            "high": self.high,
            "tags": self.tags,
            "mean_score": round(self.mean_score, 3),
            "right": self.right,
        }

    @classmethod
    def from_dict(cls, data: dict[str, float | int]) -> Band:
        """Read a band written by as_dict()."""
        return cls(
            float(data["low"]),
            float(data["high"]),
            int(data["tags"]),
            float(data["mean_score"]),
            int(data["right"]),
        )


def bands(listed: Iterable[tuple[float, bool]], edges: Sequence[float] = BAND_EDGES) -> list[Band]:
    """Group (score, right) pairs of listed tags into score bands; scores below edges[0] are left out."""
    uppers = [*edges[1:], float("inf")]
    sums = [[0, 0.0, 0] for _ in edges]
    for score, right in listed:
        for index, (low, high) in enumerate(zip(edges, uppers, strict=True)):
            if low <= score < high:
                sums[index][0] += 1
                sums[index][1] += score
                sums[index][2] += bool(right)
                break
    return [
        Band(low, min(high, 1.0), int(n), total / n if n else 0.0, int(right))
        for low, high, (n, total, right) in zip(edges, uppers, sums, strict=True)
    ]


def calibration_error(found: Sequence[Band]) -> float:
    """Return the expected calibration error: the tag-weighted mean gap between score and share right."""
    total = sum(band.tags for band in found)
    if not total:
        return 0.0
    return sum(band.tags * abs(band.mean_score - band.share_right) for band in found) / total


def overall(found: Sequence[Band]) -> tuple[int, float, float]:
    """Return the number of tags, their mean score and the share right over all bands."""
    total = sum(band.tags for band in found)
    if not total:
        return 0, 0.0, 0.0
    mean = sum(band.tags * band.mean_score for band in found) / total
    return total, mean, sum(band.right for band in found) / total
