"""anbudsradar.config: the data folder and the database URL, checked before any command opens them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from anbudsradar.cli import main
from anbudsradar.config import ConfigError, load_settings


def test_the_defaults_need_no_configuration() -> None:
    settings = load_settings({})
    assert settings.data_dir == Path("var") and settings.database_url == "sqlite:///var/anbudsradar.db"


def test_a_data_folder_that_is_a_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "var").write_text("not a folder", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:  # was a raw FileExistsError when the database opened
        load_settings({"ANBUDSRADAR_DATA_DIR": str(tmp_path / "var")})
    assert str(caught.value) == (
        f"ANBUDSRADAR_DATA_DIR={str(tmp_path / 'var')!r} is a file, not a folder "
        "(it holds the database, the outbox and the crawl state)"
    )


@pytest.mark.parametrize(
    ("database", "words"),
    [
        ("nonsense", "is not a database URL (expected e.g. sqlite:///var/anbudsradar.db"),
        ("sqlite:///{tmp}", "is a folder, not a SQLite database file"),  # was a raw OperationalError
        ("sqlite:///{tmp}/file.txt/db.sqlite", "file.txt is a file, so"),  # was a raw FileExistsError
    ],
)
def test_a_database_url_that_cannot_work_is_named(tmp_path: Path, database: str, words: str) -> None:
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    url = database.format(tmp=tmp_path)
    with pytest.raises(ConfigError, match="ANBUDSRADAR_DATABASE_URL=") as caught:
        load_settings({"ANBUDSRADAR_DATABASE_URL": url})
    assert words in str(caught.value)
    listed = CliRunner().invoke(main, ["companies", "list"], env={"ANBUDSRADAR_DATABASE_URL": url})
    assert listed.exit_code == 2 and words in listed.output and "Traceback" not in listed.output


@pytest.mark.parametrize(
    "args",
    [
        ("users", "add", "sara", "--password", "ett-långt-lösen"),
        ("users", "passwd", "sara", "--password", "ett-långt-lösen"),
        ("serve",),
    ],
)
def test_a_database_option_that_cannot_work_is_named(tmp_path: Path, args: tuple[str, ...]) -> None:
    env = {"ANBUDSRADAR_SECRET_KEY": "test-secret-key-0123456789", "ANBUDSRADAR_DATA_DIR": str(tmp_path)}
    result = CliRunner().invoke(main, [*args, "--database", "nonsense"], env=env)  # was a raw ArgumentError
    assert result.exit_code == 1
    assert "Error: --database='nonsense' is not a database URL" in result.output
