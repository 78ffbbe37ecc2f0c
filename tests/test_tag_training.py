"""Training is reproducible, the held-out split is fixed, and the evaluation counts what it says."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.utils.class_weight import compute_class_weight

from matcher.analysis import Analyser
from matcher.annotations import Annotation, load_annotations
from matcher.classifier import BranchClassifier, class_weights
from matcher.datasets import (
    LabelledText,
    corpus_rows,
    corpus_texts,
    cpv_label_texts,
    dev_fold,
    example_texts,
    is_held_out,
    load_cpv_labels,
    split_key,
)
from matcher.evaluation import EvalItem, KeywordBaseline, score
from matcher.exceptions import TrainingDataError
from matcher.settings import MODEL_PATH
from matcher.training import train
from matcher.tuning import development_rows

PROBES = [
    ("sv", "Lokalvårdstjänster i kommunens skolor"),
    ("sv", "Snöröjning och halkbekämpning"),
    ("en", "Grounds maintenance of parks"),
    ("en", "Supply of laptops"),
]


def small_subset(real_data: Path) -> list[LabelledText]:
    """Every 8th CPV label plus the written examples: a few seconds of training."""
    return cpv_label_texts(real_data)[::8] + example_texts()


@pytest.mark.real_data
def test_training_twice_with_the_same_seed_gives_identical_predictions(
    real_data: Path, tmp_path: Path
) -> None:
    rows = small_subset(real_data)
    analyser = Analyser()
    first = train(rows, seed=7, analyser=analyser)
    second = train(rows, seed=7, analyser=analyser)
    assert first.version == second.version
    probes = analyser.analyse([(lang, {"title": text}) for lang, text in PROBES])
    assert np.array_equal(first.predict_proba(probes), second.predict_proba(probes))
    first.save(tmp_path / "model.joblib")
    loaded = BranchClassifier.load(tmp_path / "model.joblib")
    assert np.allclose(loaded.predict_proba(probes), first.predict_proba(probes), atol=2e-3)
    assert loaded.version == first.version
    other = train(rows[:-1], seed=7, analyser=analyser)
    assert other.version != first.version  # the version follows the training data


def test_the_shipped_artifact_is_small_and_versioned() -> None:
    model = BranchClassifier.load(MODEL_PATH)
    assert MODEL_PATH.stat().st_size < 2 * 1024 * 1024
    assert model.version.startswith("branches-") and model.metadata["seed"]
    assert (MODEL_PATH.parent / "MODEL_CARD.md").read_text(encoding="utf-8").count(model.version) >= 1


def test_held_out_split_is_fixed_by_seed_and_title() -> None:
    assert split_key("Cleaning services.") == split_key("CLEANING   services")
    assert split_key("Cleaning services", seed=1) != split_key("Cleaning services", seed=2)
    keys = [split_key(f"notice {i}") for i in range(2000)]
    assert 0.45 < sum(k < 0.5 for k in keys) / len(keys) < 0.55
    assert is_held_out("Cleaning services") == is_held_out("cleaning services!")


@pytest.mark.real_data
def test_corpus_sides_do_not_share_a_title(real_data: Path) -> None:
    train_titles = {row.title.lower() for row in corpus_texts(real_data, held_out=False)}
    test_titles = {row.title.lower() for row in corpus_texts(real_data, held_out=True)}
    assert train_titles and test_titles and not train_titles & test_titles


def test_scores_count_per_code_micro_and_macro() -> None:
    truth = [frozenset({"cleaning"}), frozenset(), frozenset({"care"})]
    predicted = [{"cleaning"}, {"cleaning"}, set()]
    result = score(truth, predicted, ["cleaning", "care", "printing"])
    cleaning = result.per_code["cleaning"]
    assert (cleaning.tp, cleaning.fp, cleaning.fn) == (1, 1, 0)
    assert (result.micro.tp, result.micro.fp, result.micro.fn) == (1, 1, 1)
    assert result.micro.f1 == pytest.approx(0.5)
    assert result.macro_f1 == pytest.approx((2 / 3 + 0.0) / 2)  # printing never occurs: not averaged


def test_keyword_baseline_matches_word_starts() -> None:
    baseline = KeywordBaseline()
    item = EvalItem("k", "sv", "Städtjänster och snöröjning", "", frozenset(), "test")
    assert baseline.predict(item) == {"cleaning", "snow_streets"}
    assert baseline.predict(EvalItem("k", "en", "Office furniture", "", frozenset(), "test")) == {"carpentry"}


def test_development_folds_are_fixed_and_independent_of_the_test_split() -> None:
    assert dev_fold("Cleaning services.") == dev_fold("CLEANING   services")
    folds = [dev_fold(f"notice {i}") for i in range(2000)]
    assert set(folds) == {0, 1, 2, 3}
    assert all(350 < folds.count(k) < 650 for k in range(4))
    held_out = [is_held_out(f"notice {i}") for i in range(2000)]
    # a second hash: each fold holds held-out and training-side titles alike
    assert all(
        0.4 < sum(h for h, f in zip(held_out, folds, strict=True) if f == k) / folds.count(k) < 0.6
        for k in range(4)
    )


@pytest.mark.real_data
def test_development_rows_come_from_the_training_side_only(real_data: Path) -> None:
    rows, folds, fittable = development_rows(real_data)
    dev = [row for row, fold in zip(rows, folds, strict=True) if fold is not None]
    assert dev and not any(row.source in ("corpus", "annotated") and is_held_out(row.title) for row in dev)
    assert all(fold is None for row, fold in zip(rows, folds, strict=True) if row.source == "cpv-label")
    annotations = load_annotations(split="dev")
    annotated = [(row, ok) for row, ok in zip(rows, fittable, strict=True) if row.source == "annotated"]
    # corpus notices carry the dev annotation (and are fitted on, broad main CPV code or not)
    assert annotated and all(
        ok and frozenset(row.branches) == annotations[row.key].branches for row, ok in annotated
    )


@pytest.mark.real_data
def test_annotations_relabel_the_training_side_only(real_data: Path) -> None:
    broad = next(
        row
        for row in corpus_texts(real_data, held_out=False, with_broad=True)
        if row.key not in {r.key for r in corpus_texts(real_data, held_out=False)}
    )  # a training-side notice whose main CPV code is broader than any branch prefix
    note = Annotation("dev", broad.key, broad.lang, frozenset({"care"}), "sure", "home care")
    relabelled = {r.key: r for r in corpus_texts(real_data, held_out=False, annotations={broad.key: note})}
    assert relabelled[broad.key].branches == ("care",) and relabelled[broad.key].source == "annotated"
    assert broad.broad and not relabelled[broad.key].broad  # only an unannotated broad notice is not fitted
    with pytest.raises(ValueError, match="training side only"):
        corpus_texts(real_data, held_out=True, annotations={broad.key: note})


def test_class_weights_temper_how_much_rare_positives_count() -> None:
    labels = np.array([1] * 10 + [0] * 990)
    assert class_weights(labels, 1.0) == "balanced"
    balanced = compute_class_weight("balanced", classes=np.array([0, 1]), y=labels)
    tempered = class_weights(labels, 0.5)
    assert isinstance(tempered, dict)
    assert tempered[0] == pytest.approx(balanced[0])  # negatives weigh as with "balanced": same C
    assert tempered[1] / tempered[0] == pytest.approx((990 / 10) ** 0.5)
    assert tempered[1] < balanced[1]
    assert class_weights(np.zeros(5, dtype=np.int8), 0.5) == "balanced"  # no positives: nothing to temper


GOOD_ROW = b'{"notice_id": "2016/S 001-000001", "lang": "SV", "title": "Lokalv\\u00e5rd"}\n'
# A broken third line of the corpus -> what the error says; each was a raw JSONDecodeError,
# UnicodeDecodeError, AttributeError or KeyError.
BROKEN_CORPUS_LINES = {
    "truncated JSON": (b'{"notice_id": "2016/S 001-000002", "title": \n', "not valid JSON (Expecting value"),
    "not UTF-8": (b'{"notice_id": "2016/S 001-000002", "title": "Sn\xf6"}\n', "not UTF-8 (invalid"),
    "not an object": (b'["2016/S 001-000002"]\n', "not a JSON object with a notice_id"),
    "no notice_id": (b'{"title": "Sn\\u00f6r\\u00f6jning"}\n', "not a JSON object with a notice_id"),
}


@pytest.mark.parametrize("case", list(BROKEN_CORPUS_LINES))
def test_a_broken_corpus_line_names_the_file_and_line(tmp_path: Path, case: str) -> None:
    line, words = BROKEN_CORPUS_LINES[case]
    corpus = tmp_path / "corpus" / "ted_legacy_corpus.jsonl"
    corpus.parent.mkdir()
    corpus.write_bytes(GOOD_ROW + b"\n" + line + GOOD_ROW)
    with pytest.raises(TrainingDataError) as caught:
        list(corpus_rows(tmp_path))
    assert str(caught.value).startswith(f"{corpus}:3: {words}")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b'<properties>\n<entry key="code|name|cpv.90910000">Lokalv\xc3\xa5rd\n', ":3: not well-formed"),
        (b"", ":1: not well-formed XML (Document is empty"),
    ],
)
def test_a_broken_code_list_names_the_file_and_line(tmp_path: Path, content: bytes, words: str) -> None:
    codes = tmp_path / "codelists" / "code_sv.xml"
    codes.parent.mkdir()
    codes.write_bytes(content)
    with pytest.raises(TrainingDataError) as caught:  # was a raw XMLSyntaxError
        load_cpv_labels(tmp_path, "sv")
    assert str(caught.value).startswith(f"{codes}{words}")
