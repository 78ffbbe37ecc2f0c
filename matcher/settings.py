"""Settings of the tagger, read in one place, each with its default and the reason for it."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent

# The shipped artifact: small enough to keep in git, rebuilt by `anbudsradar train`.
MODEL_DIR = PACKAGE_DIR / "model"
MODEL_PATH = MODEL_DIR / "branches.joblib"
MODEL_CARD_PATH = MODEL_DIR / "MODEL_CARD.md"

# Real data for training and evaluation is never copied into the repository; it is read from
# ../shared/data/real beside the checkout, or from ANBUDSRADAR_REAL_DATA (the same variable the tests use).
DEFAULT_DATA_DIR = Path(
    os.environ.get("ANBUDSRADAR_REAL_DATA", REPO_ROOT.parent / "shared" / "data" / "real")
)

# Languages whose text is analysed; other languages fall back to structured evidence.
TEXT_LANGUAGES: tuple[str, ...] = ("sv", "en")

# Each text field is analysed in full up to this many characters (about 450 words, more than the
# classifier reads); beyond it only windows around the words of social-clause phrases are analysed,
# so no clause is missed and a 5 MB description takes under a second. Branch words
# further on in a description are not shown as evidence.
MAX_FIELD_CHARS = 3_000
# Characters kept on each side of a trigger word found beyond MAX_FIELD_CHARS, and how many windows.
WINDOW_CHARS = 300
MAX_WINDOWS = 50
# The classifier reads the title and this many tokens of the rest: the subject of a notice is stated
# early, and a bounded input keeps tagging above 1,000 notices/s.
CLASSIFIER_MAX_TOKENS = 400

# Fixed seeds: training, the held-out split and the evaluation sample are reproducible.
SEED = 20240611
# Share of corpus notices held out from training for `anbudsradar evaluate`.
TEST_FRACTION = 0.5
# The training side (corpus notices and written examples) is cut into DEV_FOLDS development folds
# of 25 % each by a second hash of the title (seed DEV_SEED, independent of the held-out split);
# `anbudsradar train` chooses C, the threshold and the description boost on them (matcher/tuning.py).
# One 25 % split alone held no corpus notice of a branch (11 in the whole training side): every
# fold serves as the development split once, so every training-side notice is predicted once.
DEV_FOLDS = 4
DEV_SEED = SEED + 1

# Scores given to structured evidence: the main CPV code is the buyer's own statement of the subject;
# an additional code says that part of the work is in that branch.
SCORE_CPV_MAIN = 1.0
SCORE_CPV_OTHER = 0.9
SCORE_STRUCTURED_CLAUSE = 1.0
# OCDS suitability.vcse says the buyer thinks social enterprises could bid, not that a clause exists.
SCORE_VCSE = 0.6
# A branch word in a title is strong evidence; in a description only supporting evidence.
SCORE_RULE_TITLE = 0.9
# A branch word in a title after "för/till/for/to..." names the setting, not the work
# (vocabulary.CONTEXT_WORDS).
SCORE_RULE_CONTEXT = 0.4
# Default decision threshold of social-clause rules and structured tags.
DEFAULT_THRESHOLD = 0.5
