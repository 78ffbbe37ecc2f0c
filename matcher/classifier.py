"""The branch classifier: one logistic regression per branch over TF-IDF features.

Features are lemmas and compound parts plus title character n-grams; the regressions are
one-vs-rest with (tempered) balanced class weights.

The artifact keeps only what prediction needs (vocabularies, idf, a sparse float32 weight matrix
and thresholds), so it stays small and loads fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from matcher.analysis import AnalysedText
from matcher.exceptions import ModelFormatError, ModelNotFoundError
from matcher.settings import CLASSIFIER_MAX_TOKENS
from matcher.text import Word

ARTIFACT_FORMAT = "anbudsradar-branches/2"
PRUNE_BELOW = 0.01


def identity(features: list[str]) -> list[str]:
    """Return the features unchanged (the vectoriser's analyzer: features are built beforehand)."""
    return features


_FEATURE_CACHE: dict[tuple[str, str, tuple[str, ...]], tuple[str, ...]] = {}


def _word_features(words: Sequence[Word], prefix: str, out: list[str]) -> None:
    """Append the features of words (lemma and compound parts, prefixed) to out, cached per word."""
    cache = _FEATURE_CACHE
    for word in words:
        key = (prefix, word.lemma, word.parts)
        found = cache.get(key)
        if found is None:
            found = (prefix + word.lemma, *(prefix + part for part in word.parts if part != word.lemma))
            if len(cache) < 500_000:
                cache[key] = found
        out.extend(found)


def features(text: AnalysedText) -> list[str]:
    """Return the word features of one analysed text: title words twice (t: and w:), body words once."""
    out: list[str] = []
    title = text.title_words()
    _word_features(title, "t:", out)
    _word_features(title, "w:", out)
    _word_features(text.body_words()[:CLASSIFIER_MAX_TOKENS], "w:", out)
    return out


@dataclass(slots=True)
class BranchClassifier:
    """Vectorisers, per-branch weights, decision thresholds and the description-word boost."""

    branches: tuple[str, ...]
    word_vectorizer: TfidfVectorizer
    char_vectorizer: TfidfVectorizer
    weights: sparse.csr_matrix  # (n_branches, n_features) float32
    intercepts: np.ndarray
    thresholds: np.ndarray
    # Added to a branch's probability when rules find a branch word of it in a description
    # (chosen on the development split by `anbudsradar train`, see matcher/tuning.py).
    description_boost: float = 0.0
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """The model version recorded at training time."""
        return str(self.metadata.get("version", "unversioned"))

    def matrix(self, texts: Sequence[AnalysedText]) -> sparse.csr_matrix:
        """Return the feature matrix of analysed texts."""
        words = self.word_vectorizer.transform([features(t) for t in texts])
        chars = self.char_vectorizer.transform([t.title_text() for t in texts])
        return sparse.hstack([words, chars], format="csr", dtype=np.float32)

    def scores(self, matrix: sparse.csr_matrix) -> np.ndarray:
        """Return raw decision scores (n_texts, n_branches)."""
        return np.asarray((matrix @ self.weights.T).toarray()) + self.intercepts

    def predict_proba(self, texts: Sequence[AnalysedText]) -> np.ndarray:
        """Return calibrated probabilities (n_texts, n_branches) in [0, 1]."""
        if not texts:
            return np.zeros((0, len(self.branches)), dtype=np.float32)
        return _sigmoid(self.scores(self.matrix(texts)))

    def explain(self, text: AnalysedText, branch: str, limit: int = 3) -> list[tuple[Word, float]]:
        """Return the words that raise a branch's score most, with their weight, strongest first."""
        index = self.branches.index(branch)
        vocabulary = self.word_vectorizer.vocabulary_
        row = self.weights.getrow(index).toarray().ravel()
        best: dict[str, tuple[Word, float]] = {}
        words = text.title_words() + text.body_words()[:CLASSIFIER_MAX_TOKENS]
        for word in words:
            weight = 0.0
            for prefix in ("t:", "w:"):
                for form in {word.lemma, *word.parts}:
                    column = vocabulary.get(prefix + form)
                    if column is not None:
                        weight += float(row[column])
            if weight > 0 and (word.lower not in best or best[word.lower][1] < weight):
                best[word.lower] = (word, weight)
        return sorted(best.values(), key=lambda pair: -pair[1])[:limit]

    def save(self, path: Path) -> None:
        """Write the artifact (compressed joblib) to path."""
        path.parent.mkdir(parents=True, exist_ok=True)
        weights = self.weights
        payload = {
            "format": ARTIFACT_FORMAT,
            "model": replace(self, weights=sparse.csr_matrix(weights.shape, dtype=np.float32)),
            # half precision (1e-3 relative) is plenty for weights and halves the artifact again
            "weights": (weights.data.astype(np.float16), weights.indices, weights.indptr, weights.shape),
        }
        joblib.dump(payload, path, compress=("xz", 6))

    @classmethod
    def load(cls, path: Path) -> BranchClassifier:
        """Read an artifact written by save(); raise ModelNotFoundError or ModelFormatError."""
        if not path.exists():
            raise ModelNotFoundError(f"{path}: no branch model; run `anbudsradar train` to build it")
        not_a_model = f"{path}: not a {ARTIFACT_FORMAT} artifact; run `anbudsradar train`"
        try:
            payload = joblib.load(path)
        except Exception as exc:  # unpickling a foreign file fails in countless ways
            raise ModelFormatError(f"{not_a_model} (cannot read it: {type(exc).__name__})") from exc
        if not isinstance(payload, dict) or payload.get("format") != ARTIFACT_FORMAT:
            raise ModelFormatError(not_a_model)
        model = payload.get("model")
        try:
            if not isinstance(model, cls):
                raise TypeError(f"its model is a {type(model).__name__}")
            data, indices, indptr, shape = payload["weights"]
            weights = sparse.csr_matrix((data.astype(np.float32), indices, indptr), shape=shape)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ModelFormatError(f"{not_a_model} (damaged: {exc})") from exc
        return replace(model, weights=weights)


def _sigmoid(values: np.ndarray) -> np.ndarray:
    """Return the logistic function of decision scores as float32 probabilities."""
    return (1.0 / (1.0 + np.exp(-np.clip(values, -30, 30)))).astype(np.float32)


def fit(
    texts: Sequence[AnalysedText],
    labels: np.ndarray,
    sample_weights: np.ndarray,
    *,
    branches: tuple[str, ...],
    seed: int,
    c: float = 1.0,
    threshold: float = 0.5,
    description_boost: float = 0.0,
    balance: float = 1.0,
) -> BranchClassifier:
    """Train on analysed texts and a (n_texts, n_branches) 0/1 label matrix (one-vs-rest).

    balance is the exponent of the class weights (see class_weights): 1 is scikit-learn's "balanced".
    """
    word_vectorizer = TfidfVectorizer(analyzer=identity, min_df=2, sublinear_tf=True, dtype=np.float32)
    char_vectorizer = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        min_df=3,
        max_features=40_000,
        sublinear_tf=True,
        dtype=np.float32,
    )
    words = word_vectorizer.fit_transform([features(t) for t in texts])
    chars = char_vectorizer.fit_transform([t.title_text() for t in texts])
    matrix = sparse.hstack([words, chars], format="csr", dtype=np.float32)
    weights = np.zeros((len(branches), matrix.shape[1]), dtype=np.float32)
    intercepts = np.zeros(len(branches), dtype=np.float32)
    for index in range(len(branches)):
        model = logistic_regression(c, seed, class_weights(labels[:, index], balance))
        model.fit(matrix, labels[:, index], sample_weight=sample_weights)
        weights[index] = model.coef_[0]
        intercepts[index] = model.intercept_[0]
    # Weights below PRUNE_BELOW move no probability by more than 0.005 on the training texts;
    # dropping them shrinks the artifact threefold.
    weights[np.abs(weights) < PRUNE_BELOW] = 0.0
    return BranchClassifier(
        branches=branches,
        word_vectorizer=word_vectorizer,
        char_vectorizer=char_vectorizer,
        weights=sparse.csr_matrix(weights),
        intercepts=intercepts,
        thresholds=np.full(len(branches), threshold, dtype=np.float32),
        description_boost=description_boost,
    )


def class_weights(labels: np.ndarray, balance: float) -> dict[int, float] | str:
    """Return one branch's class weights: positives up-weighted by (negatives/positives) ** balance.

    balance 1 is scikit-learn's "balanced" (both classes weigh the same in all); below 1 the few
    positive rows of a rare branch weigh less, so a word that happens to occur in some of them
    ("contract", "services") is not taken for a sign of the branch. Negatives keep the weight that
    "balanced" gives them, so C means the same for every balance.
    """
    if balance == 1.0:
        return "balanced"
    total = len(labels)
    positives = int(labels.sum())
    negatives = total - positives
    if not positives or not negatives:
        return "balanced"
    negative_weight = total / (2 * negatives)
    return {0: negative_weight, 1: negative_weight * (negatives / positives) ** balance}


def logistic_regression(
    c: float, seed: int, class_weight: dict[int, float] | str = "balanced"
) -> LogisticRegression:
    """One branch's model: L2 logistic regression with the given class weights (see class_weights).

    Balanced weights make 0.5 the point where a text is as likely in the branch as out of it when
    both are equally common (the threshold used with the rules is training.THRESHOLD).
    """
    return LogisticRegression(
        C=c, solver="liblinear", class_weight=class_weight, random_state=seed, max_iter=1000
    )
