"""Service functions behind `anbudsradar train` and `anbudsradar evaluate` (the CLI stays thin)."""

from __future__ import annotations

from pathlib import Path

from matcher.analysis import Analyser
from matcher.annotations import load_annotations
from matcher.card import model_card
from matcher.classifier import BranchClassifier
from matcher.evaluation import (
    branch_items,
    evaluate_branches,
    evaluate_reserved,
    held_out_statement,
    reserved_items,
    training_overlap,
)
from matcher.report import evaluation_markdown
from matcher.settings import SEED
from matcher.tagger import Tagger
from matcher.training import data_fingerprint, load_rows, train_tuned


def evaluation_report(tagger: Tagger, data_dir: Path, with_errors: bool = False) -> str:
    """Run the whole evaluation and return it as Markdown."""
    items = branch_items(data_dir)
    branches = evaluate_branches(tagger, items, load_annotations(split="heldout"))
    reserved = evaluate_reserved(tagger, reserved_items(data_dir))
    overlap = training_overlap(items, load_rows(data_dir))
    header = f"Model `{tagger.model_version}`.\n\n"
    return header + evaluation_markdown(branches, reserved, held_out_statement(), overlap, with_errors)


def train_and_describe(data_dir: Path, output: Path, seed: int = SEED) -> BranchClassifier:
    """Train on data_dir, save the artifact to output, evaluate it and write MODEL_CARD.md beside it."""
    analyser = Analyser()
    model = train_tuned(data_dir, seed=seed, analyser=analyser)
    model.save(output)
    tagger = Tagger(model, analyser)
    report = evaluation_report(tagger, data_dir, with_errors=True)
    card = model_card(model, output, data_fingerprint(data_dir), report)
    (output.parent / "MODEL_CARD.md").write_text(card, encoding="utf-8")
    return model
