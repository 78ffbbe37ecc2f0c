"""Training and evaluation data read from ../shared/data/real (never copied into the repository).

* CPV labels in Swedish and English (codelists/code_sv.xml, code_en.xml): each label is a short
  text whose branches are those of its code.
* The TED legacy corpus (corpus/ted_legacy_corpus.jsonl): real notices with the buyer's main CPV code
  as a weak label, split into training and held-out rows by a seeded hash.
* Real notices for evaluation only: the Swedish and English notices in ted-legacy/, eforms/ (the
  synthetic SDK examples left out) and ocds/, and the Swedish text of the bilingual eForms notices.
* Examples written for this project (matcher/data/examples.csv), for training only.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from crawlers.parsers.dispatch import parse_paths
from matcher.annotations import Annotation
from matcher.exceptions import TrainingDataError
from matcher.settings import DEV_FOLDS, DEV_SEED, PACKAGE_DIR, SEED, TEST_FRACTION, TEXT_LANGUAGES
from matcher.taxonomy import BRANCH_CODES, branches_for_cpv, is_branch_ancestor

EXAMPLES_PATH = PACKAGE_DIR / "data" / "examples.csv"
_CPV_KEY = re.compile(r"^code\|name\|cpv\.(\d{8})$")
_NON_WORD = re.compile(r"[\W_]+")
_UBL_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
_UBL_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"


@dataclass(frozen=True, slots=True)
class LabelledText:
    """One text with its language, branch labels, where it came from and its weight in training."""

    key: str
    lang: str
    title: str
    body: str
    branches: tuple[str, ...]
    source: str
    weight: float = 1.0
    # A corpus notice whose main CPV code is broader than a branch prefix, with no annotation: its
    # empty labels say nothing sure, so it is predicted (development folds) but never fitted on.
    broad: bool = False


@dataclass(slots=True)
class RealNotice:
    """A real notice for evaluation: its text in one language and the branches of its main CPV code."""

    key: str
    lang: str
    title: str
    body: str
    cpv_main: str | None
    source: str
    branches: tuple[str, ...] = field(default=())


def safe_parser() -> etree.XMLParser:
    """Return an lxml parser that never loads a DTD, resolves entities or touches the network."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def require(data_dir: Path, relative: str) -> Path:
    """Return a path under the data folder, or raise TrainingDataError naming it and what to do."""
    path = data_dir / relative
    if not path.exists():
        raise TrainingDataError(
            f"{path} not found: pass --data pointing to shared/data/real (or set ANBUDSRADAR_REAL_DATA)"
        )
    return path


def load_cpv_labels(data_dir: Path, lang: str) -> dict[str, str]:
    """Return {CPV code: label} from the eForms SDK translation file of a language."""
    path = require(data_dir, f"codelists/code_{lang}.xml")
    try:
        root = etree.parse(str(path), safe_parser()).getroot()
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        raise TrainingDataError(f"{path}:{line}: not well-formed XML ({exc.msg}); restore the file") from None
    except OSError as exc:
        raise TrainingDataError(f"{path}: cannot read the file ({exc})") from None
    labels: dict[str, str] = {}
    for entry in root.iter("entry"):
        match = _CPV_KEY.match(entry.get("key") or "")
        if match and entry.text:
            labels[match.group(1)] = entry.text.strip()
    return labels


def cpv_label_texts(data_dir: Path) -> list[LabelledText]:
    """Return every CPV label of both languages as a training text (codes above a branch left out)."""
    rows: list[LabelledText] = []
    for lang in TEXT_LANGUAGES:
        for code, label in sorted(load_cpv_labels(data_dir, lang).items()):
            if is_branch_ancestor(code):
                continue
            rows.append(
                LabelledText(f"cpv:{lang}:{code}", lang, label, "", branches_for_cpv(code), "cpv-label")
            )
    return rows


def split_key(title: str, seed: int = SEED) -> float:
    """Return a number in [0, 1) fixed by the seed and the normalised title: the held-out split key.

    The title, not the notice id, decides: a notice published again under a new id (same title)
    lands on the same side, so nothing held out was seen in training under another id.
    """
    digest = hashlib.sha256(f"{seed}:{normalised_title(title)}".encode()).hexdigest()
    return int(digest[:12], 16) / float(16**12)


def normalised_title(title: str) -> str:
    """Return a title lower-cased with runs of non-word characters made one space."""
    return _NON_WORD.sub(" ", title.lower()).strip()


def is_held_out(title: str, seed: int = SEED, fraction: float = TEST_FRACTION) -> bool:
    """Return True when a corpus notice belongs to the held-out (evaluation) side of the split."""
    return split_key(title, seed) < fraction


def dev_fold(title: str) -> int:
    """Return the development fold (0 to DEV_FOLDS - 1) of a training-side text.

    The key is a second seeded hash of the normalised title (DEV_SEED), so the folds are carved out
    of the training side only (callers ask it of rows that are not held out), and a text repeated
    under another id stays in its fold.
    """
    return min(DEV_FOLDS - 1, int(split_key(title, DEV_SEED) * DEV_FOLDS))


def corpus_rows(data_dir: Path) -> Iterator[dict[str, object]]:
    """Yield the rows of the TED legacy corpus as dicts, each a JSON object with a notice_id.

    A line that is not such an object raises TrainingDataError naming the file and the line.
    """
    path = require(data_dir, "corpus/ted_legacy_corpus.jsonl")
    with path.open("rb") as lines:  # bytes, decoded line by line, so a bad byte names its own line
        for number, line in enumerate(lines, start=1):
            if line.strip():
                yield _corpus_row(path, number, line)


def _corpus_row(path: Path, number: int, line: bytes) -> dict[str, object]:
    """Return one corpus line as a dict, or raise TrainingDataError naming the file and line."""
    try:
        row = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise TrainingDataError(f"{path}:{number}: not UTF-8 ({exc.reason}); restore the file") from None
    except json.JSONDecodeError as exc:
        raise TrainingDataError(
            f"{path}:{number}: not valid JSON ({exc.msg}, column {exc.colno}); restore the file"
        ) from None
    if not isinstance(row, dict) or not row.get("notice_id"):
        raise TrainingDataError(f"{path}:{number}: not a JSON object with a notice_id; restore the file")
    return row


def corpus_texts(
    data_dir: Path,
    held_out: bool,
    with_broad: bool | None = None,
    annotations: Mapping[str, Annotation] | None = None,
) -> list[LabelledText]:
    """Return the Swedish and English corpus notices of one side of the split as labelled texts.

    Notices whose main CPV code is broader than a branch prefix (90000000 above 909) say nothing
    sure about branches: they are left out of training but kept for evaluation, where they count
    for precision (with_broad defaults to held_out).

    annotations (training side only) replace a notice's main-CPV branches by the branches an
    independent annotator read in its text (source "annotated"); an annotated notice is kept
    whatever its main CPV code.
    """
    if held_out and annotations:
        raise ValueError("annotations relabel the training side only; held-out truth stays the main CPV code")
    keep_broad = held_out if with_broad is None else with_broad
    rows: list[LabelledText] = []
    for row in corpus_rows(data_dir):
        lang = str(row.get("lang") or "").lower()
        title = str(row.get("title") or "")
        if lang not in TEXT_LANGUAGES or is_held_out(title) != held_out:
            continue
        key = f"corpus:{row['notice_id']}"
        annotation = (annotations or {}).get(key)
        cpv = str(row.get("cpv_main") or "")
        broad = annotation is None and is_branch_ancestor(cpv)
        if broad and not keep_broad:
            continue
        lots = [str(text) for text in row.get("lot_descriptions") or []]  # type: ignore[attr-defined]
        body = "\n".join([str(row.get("description") or ""), *lots])
        if annotation is not None:
            rows.append(LabelledText(key, lang, title, body, tuple(sorted(annotation.branches)), "annotated"))
        else:
            rows.append(LabelledText(key, lang, title, body, branches_for_cpv(cpv), "corpus", broad=broad))
    return rows


def example_texts(path: Path = EXAMPLES_PATH) -> list[LabelledText]:
    """Return the examples written for this project (branch "" = belongs to no branch).

    Columns: lang, branches (space-separated codes), text (a title) and, optionally, description.
    """
    rows: list[LabelledText] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            branches = tuple(code for code in (row["branches"] or "").split() if code)
            unknown = [code for code in branches if code not in BRANCH_CODES]
            if unknown or row["lang"] not in TEXT_LANGUAGES:
                raise TrainingDataError(
                    f"{path}:{number}: unknown branch {unknown} or language {row['lang']!r}"
                )
            rows.append(
                LabelledText(
                    f"example:{number}",
                    row["lang"],
                    row["text"],
                    row.get("description") or "",
                    branches,
                    "example",
                    2.0,
                )
            )
    return rows


def real_notices(data_dir: Path) -> list[RealNotice]:
    """Return the real Swedish and English notices outside the corpus, for evaluation only.

    Swedish text also comes from the bilingual eForms notices (languageID="SWE"). The translated
    titles of TED legacy notices (ML_TI_DOC) are left out: they are the CPV label of the main code,
    which the classifier trains on.
    """
    folders = [str(require(data_dir, name)) for name in ("ted-legacy", "eforms", "ocds")]
    notices: list[RealNotice] = []
    for outcome in parse_paths(folders):
        if outcome.error is not None or "synthetic" in outcome.source_path:
            continue
        for index, record in enumerate(outcome.records):
            name = Path(outcome.source_path).name + (f"#{index}" if len(outcome.records) > 1 else "")
            if record.language in TEXT_LANGUAGES and record.cpv_main:
                lots = [part for lot in record.lots for part in (lot.title, lot.description) if part]
                body = "\n".join([record.description or "", *lots])
                notices.append(
                    RealNotice(
                        name,
                        record.language,
                        record.title or "",
                        body,
                        record.cpv_main,
                        name,
                        branches_for_cpv(record.cpv_main),
                    )
                )
            if outcome.data is not None and outcome.source_format == "eforms" and record.language != "sv":
                swedish = _eforms_swedish(outcome.data)
                if swedish is not None and record.cpv_main:
                    title, body = swedish
                    notices.append(
                        RealNotice(
                            f"{name} (SWE)",
                            "sv",
                            title,
                            body,
                            record.cpv_main,
                            name,
                            branches_for_cpv(record.cpv_main),
                        )
                    )
    return notices


def _eforms_swedish(data: bytes) -> tuple[str, str] | None:
    """Return the Swedish (languageID="SWE") notice-level title and description of an eForms notice."""
    root = etree.fromstring(data, safe_parser())
    project = root.find(f"{{{_UBL_CAC}}}ProcurementProject")
    if project is None:
        return None
    title = project.findtext(f"{{{_UBL_CBC}}}Name[@languageID='SWE']") or ""
    description = project.findtext(f"{{{_UBL_CBC}}}Description[@languageID='SWE']") or ""
    if not title.strip():
        return None
    return title.strip(), description.strip()
