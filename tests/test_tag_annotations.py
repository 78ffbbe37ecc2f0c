"""The independent annotation: a validated file, keys that name real held-out notices, honest intervals."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.annotations import COLUMNS, Annotation, load_annotations
from matcher.datasets import corpus_texts, is_held_out
from matcher.evaluation import EvalItem, _against_annotations, branch_items, micro_f1_interval, score
from matcher.exceptions import TrainingDataError
from matcher.taxonomy import BRANCH_CODES

HEADER = ",".join(COLUMNS) + "\n"


def write(tmp_path: Path, body: str) -> Path:
    """Write an annotation file with the standard header and return its path."""
    path = tmp_path / "annotations.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_shipped_annotations_load_with_both_splits() -> None:
    annotations = load_annotations()
    splits = {a.split for a in annotations.values()}
    assert splits == {"heldout", "dev"}
    assert all(a.branches <= set(BRANCH_CODES) for a in annotations.values())
    assert any(a.branches for a in annotations.values())
    # a branch without a reason would be unreviewable
    assert all(a.reason for a in annotations.values() if a.branches)


def test_a_split_can_be_chosen() -> None:
    held_out = load_annotations(split="heldout")
    assert held_out and all(a.split == "heldout" for a in held_out.values())


def test_bad_rows_are_refused_with_file_line_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path, "heldout,corpus:1,en,cleaning,sure,office cleaning\nheldout,corpus:2,de,mopping,maybe,x\n"
    )
    with pytest.raises(TrainingDataError) as error:
        load_annotations(path)
    message = str(error.value)
    assert f"{path}:3:" in message
    assert "lang 'de'" in message and "unknown branch mopping" in message and "confidence 'maybe'" in message


def test_a_notice_annotated_twice_in_one_split_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "dev,corpus:1,en,,sure,\ndev,corpus:1,en,care,sure,home care\n")
    with pytest.raises(TrainingDataError, match=r":3: 'corpus:1' is annotated twice"):
        load_annotations(path)


def test_a_wrong_header_or_missing_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "annotations.csv"
    path.write_text("id,branches\nT1,care\n", encoding="utf-8")
    with pytest.raises(TrainingDataError, match=r"annotations.csv:1: header must be"):
        load_annotations(path)
    with pytest.raises(TrainingDataError, match="not found"):
        load_annotations(tmp_path / "missing.csv")


@pytest.mark.real_data
def test_annotation_keys_name_notices_on_their_side_of_the_split(real_data: Path) -> None:
    annotations = load_annotations()
    held_out_keys = {item.key for item in branch_items(real_data)}
    dev_keys = {row.key for row in corpus_texts(real_data, held_out=False, with_broad=True)}
    held_out = {k for k, a in annotations.items() if a.split == "heldout"}
    dev = {k for k, a in annotations.items() if a.split == "dev"}
    # every held-out notice evaluated has an annotation, and nothing annotated is missing
    assert held_out == held_out_keys
    assert dev == dev_keys
    # dev annotations never touch the held-out side of the corpus split
    titles = {row.key: row.title for row in corpus_texts(real_data, held_out=False, with_broad=True)}
    assert not any(is_held_out(titles[key]) for key in dev)


def test_bootstrap_interval_contains_the_estimate_and_narrows_with_more_notices() -> None:
    truth = [frozenset({"care"}), frozenset({"cleaning"}), frozenset(), frozenset({"care"})]
    predicted = [{"care"}, set(), {"care"}, {"care"}]
    estimate = score(truth, predicted, BRANCH_CODES).micro.f1
    low, high = micro_f1_interval(truth, predicted)
    assert low <= estimate <= high and high - low > 0.3
    wide = high - low
    low, high = micro_f1_interval(truth * 50, predicted * 50)
    assert low <= estimate <= high and high - low < wide / 3
    assert micro_f1_interval(truth, predicted) == micro_f1_interval(truth, predicted)  # fixed seed
    assert micro_f1_interval([], []) == (0.0, 0.0)


def test_the_annotation_is_scored_on_the_main_cpv_measure_too() -> None:
    """The reading of the text, scored against the main CPV code: the mirror of main CPV vs annotation."""
    main = [frozenset({"care"}), frozenset(), frozenset({"cleaning"}), frozenset()]
    read = [frozenset({"care"}), frozenset({"care"}), frozenset(), frozenset({"catering"})]
    items = [EvalItem(f"k{i}", "en", "t", "", truth, "corpus") for i, truth in enumerate(main)]
    annotations = {
        item.key: Annotation("heldout", item.key, "en", branches, "sure", "")
        for item, branches in zip(items, read, strict=True)
    }
    nothing: list[set[str]] = [set() for _ in items]
    result = _against_annotations(items, range(len(items)), nothing, nothing, annotations)
    reading = result["reading_vs_main_cpv"].micro
    assert (reading.tp, reading.fp, reading.fn) == (1, 2, 1)  # care right; care, catering extra; cleaning
    cpv = result["scores"]["main_cpv"].micro
    assert (reading.precision, reading.recall) == (cpv.recall, cpv.precision)
    low, high = result["reading_vs_main_cpv_interval"]
    assert low <= reading.f1 <= high
