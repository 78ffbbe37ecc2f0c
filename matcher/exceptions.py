"""Errors of the tagger; each message names the file or input and what to do about it."""

from __future__ import annotations


class MatcherError(Exception):
    """Base error of the matcher package."""


class ModelNotFoundError(MatcherError):
    """Raised by the classifier loader when the artifact is missing (run `anbudsradar train`)."""


class ModelFormatError(MatcherError):
    """Raised by the classifier loader when the artifact is not one this code can read."""


class TrainingDataError(MatcherError):
    """Raised by the data loaders when ../shared/data/real (or a file in it) is missing or malformed."""
