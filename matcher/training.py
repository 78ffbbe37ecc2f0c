"""Build the training set, train the branch classifier with fixed seeds, and version the artifact.

Training reads ../shared/data/real (never copied into the repository): CPV labels in Swedish and
English, the training side of the corpus split, and the examples in matcher/data/examples.csv.
The same data and seed give the same model and the same version string. C, the decision threshold
and the description boost are chosen on a development split of the training side (matcher/tuning.py)
by train_tuned(), which `anbudsradar train` runs.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from matcher.analysis import AnalysedText, Analyser
from matcher.annotations import ANNOTATIONS_PATH, load_annotations
from matcher.classifier import BranchClassifier, fit
from matcher.datasets import EXAMPLES_PATH, LabelledText, corpus_texts, cpv_label_texts, example_texts
from matcher.settings import SEED, TEST_FRACTION
from matcher.taxonomy import BRANCH_CODES
from matcher.tuning import Setting, tune

MODEL_NAME = "branches"
# Bump when features or model change in a way that old artifacts cannot be compared with.
MODEL_GENERATION = 2
# Settings of train() when none is given (tests, quick runs); `anbudsradar train` chooses them on the
# development split instead (train_tuned).
C = 1.0
THRESHOLD = 0.8
DESCRIPTION_BOOST = 0.0
BALANCE = 1.0


@dataclass(slots=True)
class TrainingSet:
    """Labelled texts with their analysis, label matrix and sample weights."""

    rows: list[LabelledText]
    texts: list[AnalysedText]
    labels: np.ndarray
    weights: np.ndarray


def load_rows(data_dir: Path, examples: Path = EXAMPLES_PATH) -> list[LabelledText]:
    """Return every training row: CPV labels, the corpus's training side, written examples.

    Corpus notices carry the branches of the independent annotation (split "dev") where one exists.
    """
    corpus = corpus_texts(data_dir, held_out=False, annotations=load_annotations(split="dev"))
    return cpv_label_texts(data_dir) + corpus + example_texts(examples)


def build(rows: list[LabelledText], analyser: Analyser) -> TrainingSet:
    """Analyse the rows with the tagger's own text pipeline and build labels and weights."""
    texts = analyser.analyse(
        [(row.lang, {"title": row.title, "description": row.body}) for row in rows], with_rules=False
    )
    labels = np.array([[code in row.branches for code in BRANCH_CODES] for row in rows], dtype=np.int8)
    weights = np.array([row.weight for row in rows], dtype=np.float64)
    return TrainingSet(rows, texts, labels, weights)


def version_of(  # noqa: PLR0917 - one argument per setting, all with defaults
    rows: list[LabelledText],
    seed: int,
    c: float = C,
    threshold: float = THRESHOLD,
    boost: float = DESCRIPTION_BOOST,
    balance: float = BALANCE,
) -> str:
    """Return a version string fixed by the model generation, the training rows, seed and settings."""
    settings = f"{MODEL_GENERATION}|{seed}|{c}|{threshold}|{boost}"
    if balance != 1.0:  # versions of "balanced" models stay as they were
        settings += f"|{balance}"
    digest = hashlib.sha256(settings.encode())
    for row in rows:
        digest.update(f"{row.key}\t{row.lang}\t{row.title}\t{row.body}\t{' '.join(row.branches)}\n".encode())
    return f"{MODEL_NAME}-{MODEL_GENERATION}-{digest.hexdigest()[:10]}"


def train(
    rows: list[LabelledText],
    seed: int = SEED,
    analyser: Analyser | None = None,
    setting: Setting | None = None,
) -> BranchClassifier:
    """Train the classifier on rows and record what it was trained on in its metadata."""
    started = time.perf_counter()
    c, threshold, boost, balance = (
        (C, THRESHOLD, DESCRIPTION_BOOST, BALANCE)
        if setting is None
        else (setting.c, setting.threshold, setting.description_boost, setting.balance)
    )
    training_set = build(rows, analyser or Analyser())
    model = fit(
        training_set.texts,
        training_set.labels,
        training_set.weights,
        branches=BRANCH_CODES,
        seed=seed,
        c=c,
        threshold=threshold,
        description_boost=boost,
        balance=balance,
    )
    model.metadata = {
        "version": version_of(rows, seed, c, threshold, boost, balance),
        "trained_at": time.strftime("%Y-%m-%d", time.gmtime()),
        "seed": seed,
        "hyperparameters": {
            "C": c,
            "threshold": threshold,
            "description_boost": boost,
            "class_weight": "balanced" if balance == 1.0 else f"(negatives/positives) ** {balance}",
            "balance": balance,
        },
        "held_out": {"key": "sha256(seed:normalised title)", "fraction": TEST_FRACTION},
        "rows_by_source": dict(Counter(f"{row.source}/{row.lang}" for row in rows)),
        "positives_by_branch": {
            code: int(training_set.labels[:, i].sum()) for i, code in enumerate(BRANCH_CODES)
        },
        "features": int(model.weights.shape[1]),
        "training_seconds": round(time.perf_counter() - started, 1),
    }
    return model


def data_fingerprint(data_dir: Path) -> dict[str, Any]:
    """Return sha256 of the data files training read, for the model card."""
    names = ("codelists/code_sv.xml", "codelists/code_en.xml", "corpus/ted_legacy_corpus.jsonl")
    result = {name: hashlib.sha256((data_dir / name).read_bytes()).hexdigest()[:16] for name in names}
    result["matcher/data/examples.csv"] = hashlib.sha256(EXAMPLES_PATH.read_bytes()).hexdigest()[:16]
    result["matcher/data/annotations.csv"] = hashlib.sha256(ANNOTATIONS_PATH.read_bytes()).hexdigest()[:16]
    return result


def train_tuned(data_dir: Path, seed: int = SEED, analyser: Analyser | None = None) -> BranchClassifier:
    """Choose the setting on the development split (matcher/tuning.py), then fit on all training rows.

    The development figures of every C and of the chosen setting go into the model's metadata and
    so into the model card.
    """
    analyser = analyser or Analyser()
    started = time.perf_counter()
    tuning = tune(data_dir, seed, analyser, build)
    tuning_seconds = round(time.perf_counter() - started, 1)
    model = train(load_rows(data_dir), seed=seed, analyser=analyser, setting=tuning.best.setting)
    model.metadata["development"] = {**tuning.summary(), "seconds": tuning_seconds}
    return model
