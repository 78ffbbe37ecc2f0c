"""`anbudsradar evaluate`: text-only branch tags and reserved-contract tags against the truth.

Branch tags from text alone are compared with the branches of each notice's main CPV code, beside
a keyword-alert baseline, per language; reserved-contract tags with the published fields.

Only notices never trained on are evaluated: the held-out side of the corpus split (a seeded hash
of the normalised title) and real notices outside the corpus. Every held-out notice counts, those
whose main CPV code maps to no branch included (they count for precision).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from crawlers.parsers.dispatch import parse_paths
from crawlers.parsers.record import NoticeRecord
from matcher.annotations import Annotation
from matcher.datasets import (
    LabelledText,
    corpus_rows,
    corpus_texts,
    normalised_title,
    real_notices,
    require,
)
from matcher.exceptions import TrainingDataError
from matcher.settings import SEED, TEST_FRACTION, TEXT_LANGUAGES
from matcher.tagger import Tagger
from matcher.tags import NoticeTags
from matcher.taxonomy import BRANCH_CODES, RESERVED_CODES
from matcher.vocabulary import BASELINE_KEYWORDS

# Resamples of the bootstrap interval of micro-F1 (2,000 keeps the interval's ends stable to 0.01).
BOOTSTRAP_ROUNDS = 2_000
# manifest.csv "reserved" values (eForms BT-71 / legacy LEFTI elements) -> social code.
_MANIFEST_RESERVED = {
    "res-ws": "reserved_sheltered",
    "RESTRICTED_SHELTERED_WORKSHOP": "reserved_sheltered",
    "RESTRICTED_SHELTERED_PROGRAM": "reserved_sheltered",
    "res-pub-ser": "reserved_public_service",
    "RESERVED_ORGANISATIONS_SERVICE_MISSION": "reserved_public_service",
}


@dataclass(frozen=True, slots=True)
class EvalItem:
    """One held-out notice: its text in one language and the true codes."""

    key: str
    lang: str
    title: str
    body: str
    truth: frozenset[str]
    origin: str

    def record(self) -> NoticeRecord:
        """Return the notice as a NoticeRecord carrying only its text, for the tagger."""
        return NoticeRecord(
            "ted-legacy", self.origin, self.key, language=self.lang, title=self.title, description=self.body
        )


@dataclass(slots=True)
class Counts:
    """True positives, false positives and false negatives of one code."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """Tp / (tp + fp), 0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """Tp / (tp + fn), 0 when there was nothing to find."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp else 0.0


@dataclass(slots=True)
class Scores:
    """Per-code counts with micro and macro averages."""

    per_code: dict[str, Counts] = field(default_factory=dict)

    @property
    def micro(self) -> Counts:
        """Counts summed over codes."""
        total = Counts()
        for counts in self.per_code.values():
            total.tp, total.fp, total.fn = total.tp + counts.tp, total.fp + counts.fp, total.fn + counts.fn
        return total

    @property
    def macro_f1(self) -> float:
        """Mean F1 over the codes that occur in the truth or the predictions."""
        active = [c for c in self.per_code.values() if c.tp + c.fp + c.fn]
        return sum(c.f1 for c in active) / len(active) if active else 0.0


def score(truth: Sequence[frozenset[str]], predicted: Sequence[set[str]], codes: Iterable[str]) -> Scores:
    """Count tp/fp/fn per code over notices."""
    result = Scores({code: Counts() for code in codes})
    for true, found in zip(truth, predicted, strict=True):
        for code, counts in result.per_code.items():
            counts.tp += code in true and code in found
            counts.fp += code not in true and code in found
            counts.fn += code in true and code not in found
    return result


def micro_f1_interval(
    truth: Sequence[frozenset[str]],
    predicted: Sequence[set[str]],
    rounds: int = BOOTSTRAP_ROUNDS,
    seed: int = SEED,
) -> tuple[float, float]:
    """Return the 95 % bootstrap interval of micro-F1 (notices resampled with replacement, fixed seed).

    It says how far the figure could move on another sample of the same size: with four notices of
    a branch the interval is wide, whatever the point estimate.
    """
    counts = np.array(
        [(len(t & p), len(p - t), len(t - p)) for t, p in zip(truth, predicted, strict=True)], dtype=np.int64
    ).reshape(-1, 3)
    if not len(counts):
        return (0.0, 0.0)
    draws = np.random.default_rng(seed).integers(0, len(counts), size=(rounds, len(counts)))
    tp, fp, fn = (counts[:, column][draws].sum(axis=1) for column in range(3))
    denominator = 2 * tp + fp + fn
    f1 = np.divide(2 * tp, denominator, out=np.zeros(rounds), where=denominator > 0)
    low, high = np.percentile(f1, [2.5, 97.5])
    return (float(low), float(high))


def branch_items(data_dir: Path) -> list[EvalItem]:
    """Return the held-out Swedish and English notices with the branches of their main CPV code."""
    items = [
        EvalItem(row.key, row.lang, row.title, row.body, frozenset(row.branches), "corpus (held out)")
        for row in corpus_texts(data_dir, held_out=True)
    ]
    items += [
        EvalItem(n.key, n.lang, n.title, n.body, frozenset(n.branches), f"real notice {n.source}")
        for n in real_notices(data_dir)
    ]
    return items


class KeywordBaseline:
    """A plain tender alert: a few words per branch, matched at the start of a word anywhere."""

    def __init__(self) -> None:
        self._patterns = {
            lang: {
                code: re.compile(r"\b(?:" + "|".join(map(re.escape, words[lang])) + ")", re.IGNORECASE)
                for code, words in BASELINE_KEYWORDS.items()
            }
            for lang in TEXT_LANGUAGES
        }

    def predict(self, item: EvalItem) -> set[str]:
        """Return the branches whose keywords occur in the title or description."""
        text = f"{item.title}\n{item.body}"
        return {code for code, pattern in self._patterns[item.lang].items() if pattern.search(text)}


def evaluate_branches(
    tagger: Tagger, items: Sequence[EvalItem], annotations: Mapping[str, Annotation] | None = None
) -> dict[str, Any]:
    """Score --text-only branch tags and the keyword baseline per language.

    Against the branches of each notice's main CPV code (the issue's measure) and, where an
    independent annotation exists (matcher/annotations.py), against it too; there the main CPV
    code itself is scored like a tagger, which shows how far the two truths agree.
    """
    tags = tagger.tag_records([item.record() for item in items], text_only=True)
    predicted = [{tag.code for tag in notice.branches} for notice in tags]
    baseline = KeywordBaseline()
    guessed = [baseline.predict(item) for item in items]
    report: dict[str, Any] = {}
    for lang in TEXT_LANGUAGES:
        chosen = [i for i, item in enumerate(items) if item.lang == lang]
        truth = [items[i].truth for i in chosen]
        origins: dict[str, int] = {}
        for i in chosen:
            origins[items[i].origin.split(" ")[0]] = origins.get(items[i].origin.split(" ")[0], 0) + 1
        report[lang] = {
            "notices": len(chosen),
            "with_branch": sum(bool(t) for t in truth),
            "origins": origins,
            "model": score(truth, [predicted[i] for i in chosen], BRANCH_CODES),
            "baseline": score(truth, [guessed[i] for i in chosen], BRANCH_CODES),
            "interval": {
                "model": micro_f1_interval(truth, [predicted[i] for i in chosen]),
                "baseline": micro_f1_interval(truth, [guessed[i] for i in chosen]),
            },
            "errors": [
                (items[i].key, sorted(items[i].truth), sorted(predicted[i]), items[i].title[:70])
                for i in chosen
                if set(items[i].truth) != predicted[i]
            ],
            "listed": [listed for i in chosen for listed in _listed(items[i], tags[i], annotations or {})],
        }
        if annotations:
            report[lang]["annotated"] = _against_annotations(items, chosen, predicted, guessed, annotations)
    return report


def _listed(
    item: EvalItem, tagged: NoticeTags, annotations: Mapping[str, Annotation]
) -> list[tuple[float, bool, bool | None]]:
    """Return each listed branch tag as (score, right by the main CPV code, right by the annotation).

    The last is None where the notice has no independent annotation.
    """
    annotation = annotations.get(item.key)
    return [
        (tag.score, tag.code in item.truth, None if annotation is None else tag.code in annotation.branches)
        for tag in tagged.branches
    ]


def _against_annotations(
    items: Sequence[EvalItem],
    chosen: Sequence[int],
    predicted: Sequence[set[str]],
    guessed: Sequence[set[str]],
    annotations: Mapping[str, Annotation],
) -> dict[str, Any]:
    """Score the tagger, the baseline and the main CPV code against the independent annotation."""
    annotated = [i for i in chosen if items[i].key in annotations]
    gold = [annotations[items[i].key].branches for i in annotated]
    sources = {
        "model": [predicted[i] for i in annotated],
        "baseline": [guessed[i] for i in annotated],
        "main_cpv": [set(items[i].truth) for i in annotated],
    }
    main_cpv = [items[i].truth for i in annotated]
    reading = [set(g) for g in gold]
    return {
        "notices": len(annotated),
        "with_branch": sum(bool(g) for g in gold),
        "unsure": sum(annotations[items[i].key].confidence == "unsure" for i in annotated),
        "scores": {name: score(gold, found, BRANCH_CODES) for name, found in sources.items()},
        "interval": {name: micro_f1_interval(gold, found) for name, found in sources.items()},
        # The annotation scored like a tagger on the measure (truth: the main CPV code): what
        # an independent reading of the text alone reaches there.
        "reading_vs_main_cpv": score(main_cpv, reading, BRANCH_CODES),
        "reading_vs_main_cpv_interval": micro_f1_interval(main_cpv, reading),
        "errors": [
            (items[i].key, sorted(g), sorted(predicted[i]), items[i].title[:70])
            for i, g in zip(annotated, gold, strict=True)
            if set(g) != predicted[i]
        ],
    }


def reserved_items(data_dir: Path) -> list[tuple[NoticeRecord, frozenset[str]]]:
    """Return real notices with their reserved codes, for the reserved-contract evaluation.

    The published notices (synthetic examples left out) with the codes manifest.csv gives, and the
    corpus's Swedish and English notices (none reserved) as text-only negatives.
    """
    truth_by_file: dict[str, frozenset[str]] = {}
    manifest = require(data_dir, "manifest.csv")
    with manifest.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if not {"file", "reserved"} <= set(reader.fieldnames or ()):
            raise TrainingDataError(
                f"{manifest}: the header lacks the columns file and reserved; restore the file"
            )
        for row in reader:
            values = [v for v in (row.get("reserved") or "").split(",") if v in _MANIFEST_RESERVED]
            truth_by_file[row["file"]] = frozenset(_MANIFEST_RESERVED[v] for v in values)
    items: list[tuple[NoticeRecord, frozenset[str]]] = []
    folders = [str(require(data_dir, name)) for name in ("eforms", "ted-legacy", "ocds")]
    for outcome in parse_paths(folders):
        relative = Path(outcome.source_path).resolve().relative_to(data_dir.resolve()).as_posix()
        if outcome.error is None and "synthetic" not in relative and relative in truth_by_file:
            items += [(record, truth_by_file[relative]) for record in outcome.records]
    for row in corpus_rows(data_dir):
        lang = str(row.get("lang") or "").lower()
        if lang in TEXT_LANGUAGES:
            lots = "\n".join(str(t) for t in row.get("lot_descriptions") or [])  # type: ignore[attr-defined]
            record = NoticeRecord(
                "ted-legacy",
                "corpus",
                str(row["notice_id"]),
                language=lang,
                title=str(row.get("title") or ""),
                description=f"{row.get('description')}\n{lots}",
            )
            truth = frozenset(_MANIFEST_RESERVED[v] for v in row.get("reserved") or [])  # type: ignore[attr-defined]
            items.append((record, truth))
    return items


def evaluate_reserved(tagger: Tagger, items: Sequence[tuple[NoticeRecord, frozenset[str]]]) -> dict[str, Any]:
    """Score reserved-contract tags (structured fields plus text, lots included) per code."""
    tags = tagger.tag_records([record for record, _ in items])
    predicted = [
        {t.code for t in (*n.social, *(x for lot in n.lots for x in lot.social))} & set(RESERVED_CODES)
        for n in tags
    ]
    truth = [t for _, t in items]
    either = score(
        [frozenset({"reserved"}) if t else frozenset() for t in truth],
        [{"reserved"} if p else set() for p in predicted],
        ["reserved"],
    )
    errors = [
        (r.notice_id, sorted(t), sorted(p)) for (r, t), p in zip(items, predicted, strict=True) if set(t) != p
    ]
    return {
        "notices": len(items),
        "positives": sum(bool(t) for t in truth),
        "per_code": score(truth, predicted, RESERVED_CODES),
        "any": either,
        "errors": errors,
    }


def held_out_statement() -> str:
    """Say how the evaluation set is kept apart from training."""
    return (
        f"Held out from training: corpus notices with sha256('{SEED}:' + normalised title) in the lowest "
        f"{TEST_FRACTION:.0%} (a notice republished under a new id stays on its side), plus real notices "
        "outside the corpus (ted-legacy/, eforms/ without the synthetic SDK examples, ocds/). TED legacy "
        "translated titles are not used: they are CPV labels, which the model trains on."
    )


def training_overlap(items: Sequence[EvalItem], rows: Sequence[LabelledText]) -> dict[str, int]:
    """Count evaluation notices whose normalised title equals a training row's, per training source.

    Corpus and examples must be 0 (nothing held out was trained on); a title equal to a CPV label
    is not a leak but is shown so that a reader can judge.
    """
    by_source: dict[str, set[str]] = {}
    for row in rows:
        by_source.setdefault(row.source, set()).add(normalised_title(row.title))
    return {
        source: sum(normalised_title(item.title) in titles for item in items)
        for source, titles in sorted(by_source.items())
    }
