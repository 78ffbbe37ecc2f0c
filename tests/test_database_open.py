"""models.db.open_database: a database that cannot be opened is one error naming the URL, password hidden."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from anbudsradar.cli import main
from models.db import open_database
from models.exceptions import DatabaseOpenError
from tests.net import free_port

# Each URL -> what the error says after the URL (password hidden); each was a raw traceback.
CANNOT_OPEN = {
    "PostgreSQL refusing": (
        "postgresql+psycopg://radar:secret@127.0.0.1:{port}/radar",
        "postgresql+psycopg://radar:***@127.0.0.1:{port}/radar: cannot open the database (connection failed",
    ),  # was a raw OperationalError
    "driver not installed": (
        "mysql://radar:secret@127.0.0.1:{port}/radar",
        "mysql://radar:***@127.0.0.1:{port}/radar: cannot open the database (its driver is not installed",
    ),  # was a raw ModuleNotFoundError
    "text file": (
        "sqlite:///{tmp}/notes.txt",
        "sqlite:///{tmp}/notes.txt: {tmp}/notes.txt exists and is not a SQLite database",
    ),  # SQLite silently turned the text file into a database
}
if sys.platform == "linux":  # a folder that cannot be created, even by root
    CANNOT_OPEN["folder cannot be created"] = (
        "sqlite:////proc/anbudsradar-none/radar.db",
        "sqlite:////proc/anbudsradar-none/radar.db: cannot open the database (/proc/anbudsradar-none: ",
    )  # was a raw FileNotFoundError


def urls(case: str, tmp_path: Path) -> tuple[str, str]:
    """Return the URL of a case and the start of its error, with a closed port and tmp_path filled in."""
    url, words = CANNOT_OPEN[case]
    port = free_port()
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    return url.format(port=port, tmp=tmp_path), words.format(port=port, tmp=tmp_path)


@pytest.mark.parametrize("case", list(CANNOT_OPEN))
def test_a_database_that_cannot_be_opened_is_named(tmp_path: Path, case: str) -> None:
    url, words = urls(case, tmp_path)
    with pytest.raises(DatabaseOpenError) as caught:
        open_database(url)
    assert str(caught.value).startswith(words) and "secret" not in str(caught.value)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "x"  # never turned into a database


@pytest.mark.parametrize("case", list(CANNOT_OPEN))
@pytest.mark.parametrize("args", [("companies", "list"), ("consortia", "1"), ("digest", "--dry-run")])
def test_every_command_reports_it_cleanly(tmp_path: Path, case: str, args: tuple[str, ...]) -> None:
    url, words = urls(case, tmp_path)
    env = {"ANBUDSRADAR_DATABASE_URL": url, "ANBUDSRADAR_DATA_DIR": str(tmp_path)}
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == 1, result.output
    assert f"Error: {words}" in result.output and "secret" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_database_option_that_cannot_be_opened_is_named(tmp_path: Path) -> None:
    url, words = urls("PostgreSQL refusing", tmp_path)
    args = ["users", "add", "sara", "--password", "ett-långt-lösen", "--database", url]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1 and f"Error: {words}" in result.output


def test_an_empty_file_or_an_existing_database_still_opens(tmp_path: Path) -> None:
    (tmp_path / "empty.db").touch()  # SQLite takes an empty file as an empty database
    open_database(f"sqlite:///{tmp_path / 'empty.db'}").kw["bind"].dispose()
    sqlite3.connect(tmp_path / "other.db").execute("CREATE TABLE t (a)").connection.close()
    open_database(f"sqlite:///{tmp_path / 'other.db'}").kw["bind"].dispose()
