"""Independent branch annotations of real notices: a second truth beside the buyer's main CPV code.

The main CPV code is the buyer's own choice and a noisy label (domiciliary care filed under the
health-and-social group 85000000, waste transport filed under transport). The annotations in
`matcher/data/annotations.csv` were made from each notice's text alone, by an annotator who saw
neither its CPV codes nor the tagger's output, following `docs/annotation-guide.md`. Only notice
keys, branch codes and short reasons are stored; the texts stay in ../shared/data/real.

Columns: split (heldout | dev), key (as `anbudsradar evaluate` names the notice), lang, branches
(space-separated codes, empty for none), confidence (sure | unsure), reason.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from matcher.exceptions import TrainingDataError
from matcher.settings import PACKAGE_DIR, TEXT_LANGUAGES
from matcher.taxonomy import BRANCH_CODES

ANNOTATIONS_PATH = PACKAGE_DIR / "data" / "annotations.csv"
SPLITS = ("heldout", "dev")
CONFIDENCES = ("sure", "unsure")
COLUMNS = ("split", "key", "lang", "branches", "confidence", "reason")


@dataclass(frozen=True, slots=True)
class Annotation:
    """The branches an independent annotator gave one notice, and how sure they were."""

    split: str
    key: str
    lang: str
    branches: frozenset[str]
    confidence: str
    reason: str


def load_annotations(path: Path = ANNOTATIONS_PATH, split: str | None = None) -> dict[str, Annotation]:
    """Return {notice key: annotation}, of one split or all; raise TrainingDataError naming file:line."""
    if not path.exists():
        raise TrainingDataError(f"{path} not found: the annotation file ships with the repository")
    found: dict[str, Annotation] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise TrainingDataError(f"{path}:1: header must be {','.join(COLUMNS)}")
        for number, row in enumerate(reader, start=2):
            annotation = _parse_row(path, number, row)
            if annotation.key in found and found[annotation.key].split == annotation.split:
                raise TrainingDataError(f"{path}:{number}: {annotation.key!r} is annotated twice")
            if split is None or annotation.split == split:
                found[annotation.key] = annotation
    return found


def _parse_row(path: Path, number: int, row: dict[str, str]) -> Annotation:
    """Return one validated row, or raise TrainingDataError saying which column is wrong."""
    branches = frozenset((row.get("branches") or "").split())
    problems = []
    if row.get("split") not in SPLITS:
        problems.append(f"split {row.get('split')!r} is not one of {', '.join(SPLITS)}")
    if not (row.get("key") or "").strip():
        problems.append("key is empty")
    if row.get("lang") not in TEXT_LANGUAGES:
        problems.append(f"lang {row.get('lang')!r} is not one of {', '.join(TEXT_LANGUAGES)}")
    if unknown := sorted(branches - set(BRANCH_CODES)):
        problems.append(f"unknown branch {', '.join(unknown)} (see docs/taxonomy.md)")
    if row.get("confidence") not in CONFIDENCES:
        problems.append(f"confidence {row.get('confidence')!r} is not one of {', '.join(CONFIDENCES)}")
    if problems:
        raise TrainingDataError(f"{path}:{number}: " + "; ".join(problems))
    return Annotation(
        row["split"], row["key"], row["lang"], branches, row["confidence"], (row.get("reason") or "").strip()
    )
