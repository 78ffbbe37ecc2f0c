"""Shared fixtures: the real published notices in ../shared/data/real (skipped where absent)."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.pgserver import find_pg_bin, postgres_server

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


@pytest.fixture(scope="session")
def postgres_admin_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real PostgreSQL server for the whole test session (skipped where it is not installed)."""
    if find_pg_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; .ci/run must install the postgresql package")
        pytest.skip("PostgreSQL server binaries not installed (apt-get install postgresql)")
    base = Path(tempfile.mkdtemp(prefix="anbudsradar-pg-"))
    try:
        with postgres_server(base) as url:
            yield url
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database URL: a SQLite file, or a new database on the test PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    admin_url: str = request.getfixturevalue("postgres_admin_url")
    name = f"t_{uuid.uuid4().hex[:16]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; Playwright never downloads a browser here
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = REPO_ROOT / "test-artifacts"  # screenshots for a person to look at (git-ignored)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright; missing is a failure in CI, a skip elsewhere."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed; .ci/run must install the chromium package")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only the browser tests need it

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()
