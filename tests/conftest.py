"""Shared fixtures: the real published notices in ../shared/data/real (skipped where absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
REAL_DATA = Path(os.environ.get("ANBUDSRADAR_REAL_DATA", REPO_ROOT.parent / "shared" / "data" / "real"))
REAL_DATA_MISSING = f"real notices not found at {REAL_DATA} (clone with ../shared beside the checkout)"


def real_path(relative: str) -> Path:
    """Return the path of a real data file, skipping the calling test when ../shared is absent."""
    path = REAL_DATA / relative
    if not path.exists():
        pytest.skip(REAL_DATA_MISSING)
    return path


def real_files(folder: str, pattern: str) -> list[Path]:
    """List real data files for parametrisation (empty, and so skipped, when ../shared is absent)."""
    base = REAL_DATA / folder
    return sorted(base.rglob(pattern)) if base.exists() else []


@pytest.fixture
def real_data() -> Path:
    """The real data folder; the test is skipped with a clear reason where it is absent."""
    if not REAL_DATA.exists():
        pytest.skip(REAL_DATA_MISSING)
    return REAL_DATA
