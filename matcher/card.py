"""The model card (matcher/model/MODEL_CARD.md), written by `anbudsradar train`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from matcher.classifier import BranchClassifier
from matcher.reliability import Band
from matcher.report import band_lines
from matcher.settings import MAX_FIELD_CHARS


def development_section(meta: dict[str, Any]) -> str:
    """Return the Markdown of how C, the threshold and the description boost were chosen."""
    dev = meta.get("development")
    if not dev:
        return "No development tuning recorded (trained with the default setting).\n"
    rows = "\n".join(
        f"| {group} | {n} | {dev['positives'].get(group, 0)} |" for group, n in dev["rows"].items()
    )

    def line(label: str, fig: dict[str, Any]) -> str:
        langs = " | ".join(
            f"{fig[lang]['P']:.2f} / {fig[lang]['R']:.2f} / {fig[lang]['F1']:.2f}" for lang in ("sv", "en")
        )
        corpus = fig["by_source"].get("en/annotated") or fig["by_source"].get("en/corpus")
        corpus_cell = f"{corpus[0]:.2f} / {corpus[1]:.2f} / {corpus[2]:.2f}" if corpus else "-"
        return (
            f"| {label} | {fig['C']} | {fig.get('balance', 1.0)} | {fig['threshold']} | "
            f"{fig['description_boost']} | {langs} | {corpus_cell} | {fig['mean_F1']:.3f} |"
        )

    table = [line("**chosen**", dev["chosen"]), line("previous default", dev["previous_default"])]
    table += [
        line(f"best at C={fig['C']}, exponent {fig.get('balance', 1.0)}", fig) for fig in dev["best_per_C"]
    ]
    grid = dev["grid"]
    return f"""Chosen by `anbudsradar train` on development folds of the training side only
(`matcher/tuning.py`, {dev["seconds"]} s): {dev["split"]}. The held-out test notices are never read.
Grid: C {grid["C"]}, class-weight exponent {grid.get("balance", [1.0])}, threshold {grid["threshold"]},
description boost {grid["boost"]}; the setting
with the best mean of the Swedish and English out-of-fold micro-F1 is kept (ties: pooled micro-F1,
then the simpler setting), then the model is fitted on the whole training side with it.

| development rows (language/source) | rows | with a branch |
| --- | ---: | ---: |
{rows}

Out-of-fold micro P / R / F1 (text only, rules and classifier together, as `evaluate` tags):

| setting | C | exponent | threshold | boost | Swedish | English | English real notices only | mean F1 |
| --- | ---: | ---: | ---: | ---: | --- | --- | --- | ---: |
{chr(10).join(table)}

Most development rows are examples we wrote; the English corpus notices (with the branches of the
independent annotation) are the realistic part and hold only
{dev["positives"].get("en/annotated", dev["positives"].get("en/corpus", 0))} notices of a branch, so
settings within about 0.01 of each other are not really different.
{_bands_section(dev.get("reliability") or {})}"""


def _bands_section(reliability: dict[str, list[dict[str, Any]]]) -> str:
    """Return the chosen setting's out-of-fold score bands (do scores read as probabilities?)."""
    if not reliability:
        return ""
    lines = [
        "",
        "Do the scores read as probabilities? The chosen setting's out-of-fold tags, grouped by score",
        "(`matcher/reliability.py`; the held-out figures are under Evaluation below):",
        "",
    ]
    for kind, found in reliability.items():
        lines += band_lines(f"Development {kind}:", [Band.from_dict(band) for band in found])
    return "\n".join(lines)


def _class_weights(balance: float) -> str:
    """Describe the class weights of a class-weight exponent."""
    if balance == 1.0:
        return '"balanced" (positives weighted up by negatives/positives)'
    return f"tempered: positives weighted up by (negatives/positives) ** {balance}"


def model_card(model: BranchClassifier, artifact: Path, fingerprints: dict[str, str], evaluation: str) -> str:
    """Return the Markdown model card of a trained artifact with its evaluation report."""
    meta = model.metadata
    rows = "\n".join(f"| {source} | {count} |" for source, count in sorted(meta["rows_by_source"].items()))
    positives = ", ".join(f"{code} {n}" for code, n in meta["positives_by_branch"].items())
    files = "\n".join(f"| `{name}` | `{digest}` |" for name, digest in fingerprints.items())
    size_kb = artifact.stat().st_size / 1024 if artifact.exists() else 0.0
    return f"""# Model card: ASF branch tagger `{meta["version"]}`

Trained {meta["trained_at"]} by `anbudsradar train` (seed {meta["seed"]}, {meta["training_seconds"]} s).
Artifact `matcher/model/{artifact.name}`: {size_kb:.0f} KiB (joblib, xz; weights in half precision).

## What it does

Tags the title and description of a public-procurement notice (Swedish or English) with the ASF
branches of `docs/taxonomy.md`. It is one of three sources the tagger combines: structured fields
(CPV codes, eForms BT-71/BT-736/BT-775/BT-06, OCDS suitability) win where present; hand-written rules
(`matcher/vocabulary.py`) find branch words in titles and social-clause wording anywhere; this
classifier covers titles and descriptions that the rules miss. A branch tag is listed when its score
(the highest of the sources) is at least {float(model.thresholds.max()):.2f}.

Not for: deciding eligibility or legal status of a contract; languages other than Swedish and
English (their text is not analysed; tags come from structured fields only).

## Method

* Text: spaCy `blank("sv")`/`blank("en")`, lower-cased, lookup lemmas (spacy-lookups-data), Swedish
  compounds split against the Swedish lemma list ("lokalvårdstjänster" -> "lokalvård" + "tjänst").
  Fields are analysed up to {MAX_FIELD_CHARS} characters.
* Features ({meta["features"]}): TF-IDF over lemmas and compound parts (title words counted twice,
  the first 400 words of the rest once) plus TF-IDF over character 3-5-grams of the title.
* Model: one logistic regression per branch (one-vs-rest), L2, C={meta["hyperparameters"]["C"]},
  class weights {_class_weights(meta["hyperparameters"].get("balance", 1.0))}, liblinear, fixed seed.
  Weights below 0.01 dropped.
* Score: the regression's probability, plus {meta["hyperparameters"].get("description_boost", 0.0)} when the
  rules find a word of the branch in a description. With positives weighted up it is not
  calibrated for how rare a branch is among all notices; the threshold is chosen for that. C, the
  class-weight exponent, the threshold and the boost were chosen on development folds of the
  training side (below), never on the test set. How far a listed tag's score can be read as the
  chance that it is right is measured by score bands, on development folds and on the held-out
  notices (below).

## Choice of settings (development folds)

{development_section(meta)}

## Training data

| source/language | rows |
| --- | ---: |
{rows}

* `cpv-label`: every CPV 2008 label in Swedish and English (eForms SDK code lists), labelled with the
  branches of its code; codes broader than a branch prefix (e.g. 90000000 above 909) are left out.
* `annotated`: the training side of `corpus/ted_legacy_corpus.jsonl` (its English rows; the
  corpus's two Swedish notices are both on the held-out side), labelled with the branches an
  independent annotator read in each notice's text (`matcher/data/annotations.csv`, split `dev`,
  made as `docs/annotation-guide.md` says) instead of the buyer's main CPV code, which is a noisy,
  weak label. A corpus notice without an annotation would keep its main-CPV branches (`corpus`).
* `example`: examples written for this project (`matcher/data/examples.csv`: a title and, for
  some, a description), weight 2. None is taken from a test notice. The rows with long
  descriptions imitate real notices (vague titles such as "Ramavtal 2023-047", procedure and
  contract-period boilerplate, hard negatives such as cleaning machines or health care); they were
  written by assistant sessions that read only the branch definitions, never the notices in
  ../shared/data/real.

Positive rows per branch: {positives}.

Data files (sha256, first 16 hex digits):

| file | sha256 |
| --- | --- |
{files}

## Evaluation (`anbudsradar evaluate`)

{evaluation}

## Limitations

* The Swedish evaluation set is tiny: the corpus has no Swedish notices, and only a handful of real
  Swedish notices are available. Its figures say little; the English figures are the better guide.
* The issue's measure labels each notice with its main CPV code: a notice about home care filed
  under the health-and-social group 85000000 counts as "no branch", so tagging it care is a false
  positive. Scored against the independent annotation, the main CPV code itself reaches the micro-F1
  in the row "buyer's main CPV code" above: a tagger that read every notice exactly as the annotator
  did would score that much on the main-CPV measure (F1 is symmetric), whatever its quality.
* One notice usually has one main CPV code, while the tagger may rightly see several branches
  (cleaning and property care); each extra branch counts as a false positive.
* The annotation was made by AI assistant sessions working blind to CPV codes and the tagger's
  output, not by procurement officers; read it as a careful second opinion.

## Reproduce

    anbudsradar train      # reads ../shared/data/real, writes this card and the artifact
    anbudsradar evaluate   # prints the evaluation above
    anbudsradar bench tag  # tagging speed and load time
"""
