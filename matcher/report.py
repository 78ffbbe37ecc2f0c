"""Plain-text (Markdown) tables of evaluation results, for the terminal and the model card."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from matcher.evaluation import Counts, Scores
from matcher.reliability import Band, bands, calibration_error, overall
from matcher.taxonomy import BRANCH_CODES

_LANG_NAMES = {"sv": "Swedish", "en": "English"}


def _prf(counts: Counts) -> str:
    """Return precision, recall and F1 as three table cells."""
    return f"{counts.precision:.2f} | {counts.recall:.2f} | {counts.f1:.2f}"


def branch_table(lang: str, result: dict[str, Any]) -> list[str]:
    """Return the Markdown lines comparing the tagger and the baseline for one language."""
    model: Scores = result["model"]
    baseline: Scores = result["baseline"]
    origins = ", ".join(f"{n} {name}" for name, n in sorted(result["origins"].items()))
    lines = [
        f"### {_LANG_NAMES.get(lang, lang)}: {result['notices']} held-out notices "
        f"({result['with_branch']} whose main CPV maps to a branch; {origins})",
        "",
        "| branch | support | tagger P | R | F1 | baseline P | R | F1 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for code in BRANCH_CODES:
        m, b = model.per_code[code], baseline.per_code[code]
        if m.tp + m.fp + m.fn + b.fp:
            lines.append(f"| {code} | {m.tp + m.fn} | {_prf(m)} | {_prf(b)} |")
    mm, bm = model.micro, baseline.micro
    lines += [
        f"| **micro** | {mm.tp + mm.fn} | {_prf(mm)} | {_prf(bm)} |",
        f"| **macro F1** | | | | {model.macro_f1:.2f} | | | {baseline.macro_f1:.2f} |",
        "",
        f"Tagger: {mm.tp} right, {mm.fp} wrong, {mm.fn} missed. Baseline: {bm.tp} right, {bm.fp} wrong, "
        f"{bm.fn} missed. Micro-F1 95 % bootstrap interval: tagger {_interval(result['interval']['model'])}, "
        f"baseline {_interval(result['interval']['baseline'])}.",
        "",
    ]
    if "annotated" in result:
        lines += annotated_table(result["annotated"])
    return lines


def _interval(bounds: tuple[float, float]) -> str:
    """Return a bootstrap interval as "[0.61, 0.83]"."""
    return f"[{bounds[0]:.2f}, {bounds[1]:.2f}]"


_SOURCE_NAMES = {
    "model": "tagger (text only)",
    "baseline": "keyword baseline",
    "main_cpv": "buyer's main CPV code",
}


def annotated_table(result: dict[str, Any]) -> list[str]:
    """Return the Markdown lines scoring tagger, baseline and main CPV code against the annotation."""
    lines = [
        f"Against the independent annotation ({result['notices']} of these notices, "
        f"{result['with_branch']} with a branch, {result['unsure']} marked unsure; "
        "`docs/annotation-guide.md`):",
        "",
        "| scored against the annotation | micro P | R | F1 | 95 % interval | macro F1 |",
        "| --- | ---: | ---: | ---: | --- | ---: |",
    ]
    for name, scores in result["scores"].items():
        lines.append(
            f"| {_SOURCE_NAMES[name]} | {_prf(scores.micro)} | {_interval(result['interval'][name])} | "
            f"{scores.macro_f1:.2f} |"
        )
    reading: Scores = result["reading_vs_main_cpv"]
    lines += [
        "",
        "The annotation itself scored like a tagger on the measure above (truth: the main CPV code), "
        "i.e. what a careful reading of the text alone reaches there: micro P/R/F1 "
        f"{_prf(reading.micro).replace(' | ', ' / ')}, 95 % interval "
        f"{_interval(result['reading_vs_main_cpv_interval'])}.",
    ]
    return [*lines, ""]


def errors_table(result: dict[str, Any], limit: int = 40) -> list[str]:
    """Return the tagger's mistakes (true vs predicted branches) for one language."""
    lines = ["| notice | true | tagged | title |", "| --- | --- | --- | --- |"]
    for key, truth, found, title in result["errors"][:limit]:
        lines.append(
            f"| {key} | {' '.join(truth) or '-'} | {' '.join(found) or '-'} | {title.replace('|', '/')} |"
        )
    return [*lines, ""]


def reserved_lines(result: dict[str, Any]) -> list[str]:
    """Return the reserved-contract evaluation as Markdown lines."""
    lines = [
        f"### Reserved contracts (structured fields plus text): {result['notices']} notices, "
        f"{result['positives']} reserved",
        "",
        "| code | support | P | R | F1 |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for code, counts in result["per_code"].per_code.items():
        lines.append(f"| {code} | {counts.tp + counts.fn} | {_prf(counts)} |")
    any_counts = result["any"].per_code["reserved"]
    lines += [f"| **any reservation** | {any_counts.tp + any_counts.fn} | {_prf(any_counts)} |", ""]
    if result["errors"]:
        lines += [
            "Mistakes: "
            + "; ".join(f"{nid}: true {t or '-'}, tagged {p or '-'}" for nid, t, p in result["errors"][:20]),
            "",
        ]
    return lines


def evaluation_markdown(
    branches: dict[str, Any],
    reserved: dict[str, Any],
    statement: str,
    overlap: dict[str, int],
    with_errors: bool = False,
) -> str:
    """Return the whole evaluation report."""
    lines = [
        statement,
        "",
        "Evaluation titles equal to a training title, by training source: "
        + ", ".join(f"{source} {n}" for source, n in overlap.items()),
        "",
    ]
    for lang, result in branches.items():
        lines += branch_table(lang, result)
        if with_errors:
            lines += errors_table(result)
            if "annotated" in result:
                lines += ["Where the tagger and the annotation differ:", ""]
                lines += errors_table(result["annotated"])
    lines += held_out_band_lines(branches)
    lines += reserved_lines(reserved)
    return "\n".join(lines)


def band_lines(caption: str, found: Sequence[Band]) -> list[str]:
    """Return a score-band table (matcher/reliability.py): per band its tags, mean score and share right."""
    tags, mean, right = overall(found)
    lines = [
        caption,
        "",
        "| score | tags | mean score | share right |",
        "| --- | ---: | ---: | ---: |",
    ]
    for band in found:
        if band.tags:
            upper = "1.00" if band.high >= 1.0 else f"{band.high:.2f}"
            share = f"{band.share_right:.2f}"
            lines.append(f"| {band.low:.2f} to {upper} | {band.tags} | {band.mean_score:.2f} | {share} |")
    lines += [
        f"| **all** | {tags} | {mean:.2f} | {right:.2f} |",
        "",
        f"Expected calibration error (tag-weighted mean gap between score and share right): "
        f"{calibration_error(found):.2f}.",
        "",
    ]
    return lines


def held_out_band_lines(branches: dict[str, Any]) -> list[str]:
    """Return the score bands of the text-only branch tags on the held-out notices, both languages pooled."""
    listed = [entry for result in branches.values() for entry in result.get("listed", [])]
    if not listed:
        return []
    by_cpv = bands([(value, right) for value, right, _ in listed])
    by_annotation = bands([(value, right) for value, _, right in listed if right is not None])
    lines = [
        "### Do the scores read as probabilities? (held-out notices, Swedish and English pooled)",
        "",
    ]
    lines += band_lines("Right by the branches of the main CPV code (the measure above):", by_cpv)
    lines += band_lines("Right by the independent annotation (annotated notices only):", by_annotation)
    return lines
