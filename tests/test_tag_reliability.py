"""Score bands: do listed tag scores read as probabilities (matcher/reliability.py)?"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from anbudsradar.cli import main
from matcher.card import development_section
from matcher.evaluation import EvalItem
from matcher.reliability import Band, bands, calibration_error, overall
from matcher.tuning import edges_from, score_bands


def test_bands_count_tags_mean_score_and_share_right_per_band() -> None:
    found = bands([(0.55, True), (0.58, False), (0.9, True), (1.0, True), (0.96, False), (0.3, True)])
    by_low = {band.low: band for band in found}
    assert (by_low[0.5].tags, by_low[0.5].right) == (2, 1)
    assert by_low[0.5].mean_score == pytest.approx(0.565)
    assert (by_low[0.9].tags, by_low[0.9].right) == (1, 1)
    # a score of 1.0 falls in the top band
    assert (by_low[0.95].tags, by_low[0.95].right, by_low[0.95].high) == (2, 1, 1.0)
    assert sum(band.tags for band in found) == 5  # a score below the first edge is not a listed tag


def test_calibration_error_weights_each_band_gap_by_its_tags() -> None:
    found = [Band(0.5, 0.6, 2, 0.55, 1), Band(0.9, 1.0, 8, 0.95, 8)]
    # (2 * |0.55 - 0.5| + 8 * |0.95 - 1.0|) / 10
    assert calibration_error(found) == pytest.approx(0.05)
    assert overall(found) == (10, pytest.approx(0.87), pytest.approx(0.9))
    assert calibration_error([]) == 0.0 and overall([]) == (0, 0.0, 0.0)


def test_a_band_survives_the_model_metadata_round_trip() -> None:
    band = Band(0.6, 0.7, 3, 0.6512, 2)
    assert Band.from_dict(band.as_dict()) == Band(0.6, 0.7, 3, 0.651, 2)


def test_development_bands_start_at_the_threshold_and_keep_real_notices_apart() -> None:
    assert edges_from(0.7) == (0.7, 0.8, 0.9, 0.95)
    items = [
        EvalItem("a", "en", "Home care", "", frozenset({"care"}), "annotated"),
        EvalItem("b", "en", "Lift repairs", "", frozenset(), "annotated"),
        EvalItem("c", "sv", "Städning", "", frozenset({"cleaning"}), "example"),
    ]
    scored = [{"care": 0.97, "cleaning": 0.2}, {"property_care": 0.75}, {"cleaning": 0.92, "care": 0.69}]
    found = score_bands(items, scored, threshold=0.7)
    real = {band.low: (band.tags, band.right) for band in found["real notices"] if band.tags}
    written = {band.low: (band.tags, band.right) for band in found["written examples"] if band.tags}
    assert real == {0.95: (1, 1), 0.7: (1, 0)}
    assert written == {0.9: (1, 1)}  # care at 0.69 is below the threshold: not listed


def test_the_model_card_shows_the_development_bands() -> None:
    meta = {
        "development": {
            "rows": {"en/annotated": 2},
            "positives": {"en/annotated": 1},
            "chosen": _figures(),
            "previous_default": _figures(),
            "best_per_C": [],
            "grid": {"C": [1.0], "threshold": [0.5], "boost": [0.0]},
            "split": "4 folds",
            "seconds": 1.0,
            "reliability": {"real notices": [Band(0.5, 0.6, 4, 0.55, 1).as_dict()]},
        }
    }
    text = development_section(meta)
    assert "Development real notices:" in text
    assert "| 0.50 to 0.60 | 4 | 0.55 | 0.25 |" in text
    assert "Expected calibration error (tag-weighted mean gap between score and share right): 0.30." in text


def _figures() -> dict[str, object]:
    lang = {"P": 1.0, "R": 1.0, "F1": 1.0}
    return {
        "C": 1.0,
        "balance": 1.0,
        "threshold": 0.5,
        "description_boost": 0.0,
        "sv": lang,
        "en": lang,
        "by_source": {},
        "mean_F1": 1.0,
    }


@pytest.mark.real_data
def test_evaluate_bands_hold_every_listed_tag_of_both_languages(real_data: Path) -> None:
    result = CliRunner().invoke(main, ["evaluate", "--data", str(real_data)])
    assert result.exit_code == 0, result.output
    counts = [tuple(map(int, m)) for m in re.findall(r"Tagger: (\d+) right, (\d+) wrong", result.output)]
    assert len(counts) == 2  # Swedish and English
    right = sum(r for r, _ in counts)
    listed = sum(r + w for r, w in counts)
    section = result.output.split("### Do the scores read as probabilities?")[1]
    by_cpv = section.split("Right by the independent annotation")[0]
    total = re.search(r"\| \*\*all\*\* \| (\d+) \| [\d.]+ \| ([\d.]+) \|", by_cpv)
    assert total is not None
    assert int(total.group(1)) == listed
    assert float(total.group(2)) == pytest.approx(right / listed, abs=0.005)
