"""Choose the classifier's settings on development folds carved out of the training side.

`anbudsradar train` calls tune() before the final fit:

1. Split. Training-side corpus notices and written examples are cut into DEV_FOLDS folds of 25 %
   by a second seeded hash of the title (datasets.dev_fold); CPV labels always train. The held-out
   test side (datasets.is_held_out) is never read here.
2. For each class-weight exponent of GRID_BALANCE, each C of GRID_C and each fold, fit on the CPV
   labels and the other folds and tag the fold's texts, text only, with the real Tagger at every
   threshold of GRID_THRESHOLD and description boost of GRID_BOOST. Every training-side notice and
   example is so predicted once, out of fold.
3. Keep the setting with the best mean of the Swedish and English out-of-fold micro-F1 (ties: the
   pooled micro-F1, then the earlier setting in grid order). The final model is then fitted on the
   whole training side with that setting.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np

from matcher.analysis import Analyser
from matcher.annotations import load_annotations
from matcher.classifier import BranchClassifier, fit
from matcher.datasets import LabelledText, corpus_texts, cpv_label_texts, dev_fold, example_texts
from matcher.evaluation import EvalItem, Scores, score
from matcher.reliability import BAND_EDGES, Band, bands
from matcher.settings import DEV_FOLDS, DEV_SEED, TEXT_LANGUAGES
from matcher.tagger import Tagger
from matcher.taxonomy import BRANCH_CODES

# Candidate settings, simplest first (ties keep the earlier one).
GRID_C = (1.0, 0.5, 2.0)
GRID_THRESHOLD = (0.8, 0.7, 0.6, 0.5, 0.9)
GRID_BOOST = (0.0, 0.1, 0.2, 0.3, 0.4)
# Exponent of the class weights (classifier.class_weights): 1 is "balanced".
GRID_BALANCE = (1.0, 0.5)


@dataclass(frozen=True, slots=True)
class Setting:
    """One point of the grid."""

    c: float
    threshold: float
    description_boost: float
    balance: float = 1.0


@dataclass(slots=True)
class DevResult:
    """Development-split figures of one setting, per language and pooled."""

    setting: Setting
    per_lang: dict[str, Scores]
    pooled: Scores
    per_group: dict[str, Scores] = field(default_factory=dict)  # "en/corpus", "sv/example"...

    @property
    def objective(self) -> float:
        """Mean of the Swedish and English micro-F1."""
        return float(np.mean([self.per_lang[lang].micro.f1 for lang in TEXT_LANGUAGES]))


@dataclass(slots=True)
class Tuning:
    """Every setting tried, the chosen one, and what the development split held."""

    results: list[DevResult]
    best: DevResult
    dev_rows: dict[str, int] = field(default_factory=dict)
    dev_positives: dict[str, int] = field(default_factory=dict)
    # The chosen setting's listed tags in score bands, per kind of row (matcher/reliability.py).
    reliability: dict[str, list[Band]] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """Return the tuning as plain data for the model metadata and the model card."""

        def figures(result: DevResult) -> dict[str, Any]:
            row: dict[str, Any] = {
                "C": result.setting.c,
                "threshold": result.setting.threshold,
                "description_boost": result.setting.description_boost,
                "balance": result.setting.balance,
            }
            for lang, scores in result.per_lang.items():
                micro = scores.micro
                row[lang] = {
                    "P": round(micro.precision, 3),
                    "R": round(micro.recall, 3),
                    "F1": round(micro.f1, 3),
                    "macro_F1": round(scores.macro_f1, 3),
                }
            row["mean_F1"] = round(result.objective, 3)
            row["by_source"] = {
                group: [round(x, 3) for x in (m.precision, m.recall, m.f1)]
                for group, scores in result.per_group.items()
                for m in [scores.micro]
            }
            return row

        by_c: dict[tuple[float, float], DevResult] = {}
        for result in self.results:
            group = (result.setting.c, result.setting.balance)
            best_of_c = by_c.get(group)
            if best_of_c is None or _key(result) > _key(best_of_c):
                by_c[group] = result
        default = next(r for r in self.results if r.setting == Setting(1.0, 0.8, 0.0, 1.0))
        return {
            "split": f"{DEV_FOLDS} folds by sha256('{DEV_SEED}:' + normalised title) of the "
            "training-side corpus notices and written examples; each fold predicted by a model "
            "fitted on the CPV labels and the other folds",
            "rows": self.dev_rows,
            "positives": self.dev_positives,
            "grid": {
                "C": list(GRID_C),
                "threshold": list(GRID_THRESHOLD),
                "boost": list(GRID_BOOST),
                "balance": list(GRID_BALANCE),
            },
            "chosen": figures(self.best),
            "previous_default": figures(default),
            "best_per_C": [figures(r) for r in by_c.values()],
            "reliability": {
                kind: [band.as_dict() for band in found] for kind, found in self.reliability.items()
            },
        }


def _key(result: DevResult) -> tuple[float, float]:
    """Order of preference: mean per-language micro-F1, then pooled micro-F1 (rounded: no float noise)."""
    return (round(result.objective, 6), round(result.pooled.micro.f1, 6))


def development_rows(data_dir: Path) -> tuple[list[LabelledText], list[int | None], list[bool]]:
    """Return the training side with each row's development fold and whether it may be fitted on.

    CPV labels have no fold (they are always fitted on); corpus notices carry their independent
    annotation where one exists (as in training); those without one whose main CPV code is broader
    than a branch prefix are predicted in their fold but never fitted on.
    """
    labels = cpv_label_texts(data_dir)
    annotations = load_annotations(split="dev")
    corpus = corpus_texts(data_dir, held_out=False, with_broad=True, annotations=annotations)
    examples = example_texts()
    rows = labels + corpus + examples
    folds: list[int | None] = [None] * len(labels) + [dev_fold(r.title) for r in corpus + examples]
    return rows, folds, [not row.broad for row in rows]


def dev_items(rows: Sequence[LabelledText]) -> list[EvalItem]:
    """Return development rows as evaluation items (their text only)."""
    return [EvalItem(r.key, r.lang, r.title, r.body, frozenset(r.branches), r.source) for r in rows]


def predict_scores(tagger: Tagger, items: Sequence[EvalItem]) -> list[dict[str, float]]:
    """Return the text-only branch tags of each item with their scores."""
    tags = tagger.tag_records([item.record() for item in items], text_only=True)
    return [{tag.code: tag.score for tag in notice.branches} for notice in tags]


def score_setting(setting: Setting, items: Sequence[EvalItem], predicted: Sequence[set[str]]) -> DevResult:
    """Score out-of-fold predictions per language, per language and source, and pooled."""

    def scores_of(chosen: list[int]) -> Scores:
        return score([items[i].truth for i in chosen], [predicted[i] for i in chosen], BRANCH_CODES)

    per_lang = {
        lang: scores_of([i for i, item in enumerate(items) if item.lang == lang]) for lang in TEXT_LANGUAGES
    }
    groups = sorted({f"{item.lang}/{item.origin}" for item in items})
    per_group = {
        group: scores_of([i for i, item in enumerate(items) if f"{item.lang}/{item.origin}" == group])
        for group in groups
    }
    return DevResult(setting, per_lang, scores_of(list(range(len(items)))), per_group)


def tune(data_dir: Path, seed: int, analyser: Analyser, training_set_builder: Any) -> Tuning:
    """Try every setting of the grid on every development fold; keep the best out-of-fold setting."""
    rows, folds, fittable = development_rows(data_dir)
    training_set = training_set_builder(rows, analyser)
    dev_rows = [row for row, fold in zip(rows, folds, strict=True) if fold is not None]
    items = dev_items(dev_rows)
    item_folds = [fold for fold in folds if fold is not None]
    settings = [
        Setting(c, threshold, boost, balance)
        for balance, c, threshold, boost in product(GRID_BALANCE, GRID_C, GRID_THRESHOLD, GRID_BOOST)
    ]
    predicted: dict[Setting, list[set[str]]] = {s: [set() for _ in items] for s in settings}
    # Out-of-fold scores per (balance, C, boost), for the chosen setting's score bands.
    scores: dict[tuple[float, float, float], list[dict[str, float]]] = {}
    for balance, c in product(GRID_BALANCE, GRID_C):
        for fold in range(DEV_FOLDS):
            mask = np.array([ok and f != fold for ok, f in zip(fittable, folds, strict=True)])
            model = fit(
                [t for t, keep in zip(training_set.texts, mask, strict=True) if keep],
                training_set.labels[mask],
                training_set.weights[mask],
                branches=BRANCH_CODES,
                seed=seed,
                c=c,
                balance=balance,
            )
            in_fold = [i for i, f in enumerate(item_folds) if f == fold]
            fold_items = [items[i] for i in in_fold]
            for boost in GRID_BOOST:
                # Tag once at threshold 0 and cut afterwards: a tag's score is the highest any
                # source gives, so this is what the tagger lists at each threshold.
                variant: BranchClassifier = replace(
                    model,
                    thresholds=np.zeros(len(BRANCH_CODES), dtype=np.float32),
                    description_boost=boost,
                )
                scored = predict_scores(Tagger(variant, analyser), fold_items)
                kept = scores.setdefault((balance, c, boost), [{} for _ in items])
                for i, found in zip(in_fold, scored, strict=True):
                    kept[i] = found
                for threshold in GRID_THRESHOLD:
                    chosen = predicted[Setting(c, threshold, boost, balance)]
                    for i, found in zip(in_fold, scored, strict=True):
                        chosen[i] = {code for code, value in found.items() if value >= threshold}
    results = [score_setting(s, items, predicted[s]) for s in settings]
    best = results[0]
    for result in results[1:]:
        if _key(result) > _key(best):
            best = result
    chosen = best.setting
    chosen_scores = scores[chosen.balance, chosen.c, chosen.description_boost]
    return Tuning(
        results,
        best,
        dev_rows=dict(Counter(f"{r.lang}/{r.source}" for r in dev_rows)),
        dev_positives=dict(Counter(f"{r.lang}/{r.source}" for r in dev_rows if r.branches)),
        reliability=score_bands(items, chosen_scores, chosen.threshold),
    )


def score_bands(
    items: Sequence[EvalItem], scored: Sequence[dict[str, float]], threshold: float
) -> dict[str, list[Band]]:
    """Return the score bands of the tags listed at threshold, for real notices and for written examples."""
    listed: dict[str, list[tuple[float, bool]]] = {"real notices": [], "written examples": []}
    for item, found in zip(items, scored, strict=True):
        kind = "written examples" if item.origin == "example" else "real notices"
        listed[kind] += [(value, code in item.truth) for code, value in found.items() if value >= threshold]
    return {kind: bands(pairs, edges_from(threshold)) for kind, pairs in listed.items()}


def edges_from(threshold: float) -> tuple[float, ...]:
    """Return the band edges starting at the decision threshold (the lowest score a listed tag has)."""
    return (threshold, *(edge for edge in BAND_EDGES if edge > threshold))
