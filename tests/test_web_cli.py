"""The web commands: `anbudsradar users add|passwd`, `anbudsradar serve` errors, `anbudsradar bench web`."""

from __future__ import annotations

import email
import re
from pathlib import Path

import pytest
import uvicorn
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select

from anbudsradar.cli import main
from anbudsradar.demo import run_demo
from anbudsradar.web.app import create_app
from anbudsradar.web.demo import ensure_demo_user
from anbudsradar.web.settings import load_web_settings
from models.db import database
from models.user import User, UserSession
from tests.test_web_support import html, log_in


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def run(*args: str, env: dict[str, str] | None = None) -> object:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_users_add_and_passwd(db_url: str) -> None:
    added = run(
        "users",
        "add",
        "Sara.Samordnare",
        "--name",
        "Sara",
        "--database",
        db_url,
        "--password",
        "ett-långt-lösen",
    )
    assert added.exit_code == 0 and "added user sara.samordnare" in added.output
    with database(db_url) as sessions, sessions() as session:
        user = session.scalars(select(User)).one()
        first_hash = user.password_hash
        session.add(UserSession(token_hash="x" * 64, user_pk=user.id, expires_at=user.created_at))
        session.commit()
    again = run("users", "add", "sara.samordnare", "--database", db_url, "--password", "ett-långt-lösen")
    assert again.exit_code == 1 and "already exists" in again.output
    changed = run("users", "passwd", "sara.samordnare", "--database", db_url, "--password", "ett-annat-lösen")
    assert changed.exit_code == 0
    with database(db_url) as sessions, sessions() as session:
        assert session.scalars(select(User.password_hash)).one() != first_hash
        assert session.scalars(select(UserSession)).all() == [], "a new password logs the user out everywhere"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("users", "add", "x", "--password", "kort"), "user name 'x'"),
        (("users", "add", "sara", "--password", "kort"), "at least 10 characters"),
        (("users", "passwd", "ingen", "--password", "ett-långt-lösen"), "no user 'ingen'"),
    ],
)
def test_users_errors_name_the_input(db_url: str, args: tuple[str, ...], message: str) -> None:
    result = run(*args, "--database", db_url)
    assert result.exit_code == 1 and message in result.output


def test_users_add_asks_for_the_password_twice(db_url: str) -> None:
    result = CliRunner().invoke(
        main, ["users", "add", "sara", "--database", db_url], input="ett-långt-lösen\nett-långt-lösen\n"
    )
    assert result.exit_code == 0, result.output


def test_serve_without_secret_key_is_a_clear_error(tmp_path: Path) -> None:
    result = run("serve", env={"ANBUDSRADAR_SECRET_KEY": "", "ANBUDSRADAR_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 1
    assert "ANBUDSRADAR_SECRET_KEY is not set" in result.output


def test_serve_demo_needs_the_demo_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("serve", "--demo")
    assert result.exit_code == 1 and "run `anbudsradar demo` first" in result.output


def test_bench_web_refuses_a_file_that_is_not_a_sqlite_database(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(main, ["bench", "web", "--notices", "1", "--database", str(notes)])
    assert result.exit_code == 1
    assert f"{notes} exists and is not a SQLite database" in result.output
    assert notes.read_text(encoding="utf-8") == "x"  # SQLite had made the text file a database


def test_bench_web_fills_an_empty_database_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()  # e.g. made by `touch` or an earlier run that stopped at once
    options = ["--notices", "5", "--requests", "2", "--concurrency", "1", "--database", str(empty)]
    result = run("bench", "web", *options)
    assert result.exit_code == 0, result.output
    assert f"5 notices in {empty}" in result.output  # it measured an empty list before


def test_bench_web_reports_rates_and_percentiles(tmp_path: Path) -> None:
    result = run(
        "bench",
        "web",
        "--notices",
        "30",
        "--requests",
        "8",
        "--concurrency",
        "2",
        "--database",
        str(tmp_path / "bench.db"),
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "req/s" in line]
    assert len(lines) == 9  # web_bench.SCENARIOS, the two free-text searches included
    for line in lines:
        match = re.search(
            r"(\d+) requests, (\d+) errors, ([\d.]+) req/s, p50 ([\d.]+) ms, p95 ([\d.]+) ms", line
        )
        assert match, line
        assert match[1] == "8" and match[2] == "0" and float(match[3]) > 0
        assert float(match[5]) >= float(match[4])


def test_the_demo_database_is_served_with_a_demo_login(tmp_path: Path) -> None:
    result = run_demo(tmp_path / "demo")
    username, password = ensure_demo_user(result.database_url)
    assert ensure_demo_user(result.database_url) == (username, password), "idempotent"
    with TestClient(create_app(result.database_url, load_web_settings({}, demo=True))) as client:
        total = int(html(client.get("/notices")).xpath("string(//*[@id='total'])"))
        assert total == len(result.notices) > 0
        assert log_in(client, username, password).status_code == 303
        assert client.get("/coordinator/consortia").status_code == 200


def test_a_demo_in_another_folder_is_served_with_the_key_of_its_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`demo --folder` prints the serve command for that folder, and its digests' links work there."""
    monkeypatch.chdir(tmp_path)  # no var/demo here: `serve --demo` alone would refuse
    folder = tmp_path / "elsewhere"
    no_key = {"ANBUDSRADAR_SECRET_KEY": None, "ANBUDSRADAR_DATA_DIR": str(tmp_path / "var")}
    result = run("demo", "--folder", str(folder), env=no_key)
    url = f"sqlite:///{folder / 'anbudsradar.db'}"
    assert f"anbudsradar serve --demo --database {url}\n" in result.output
    message = email.message_from_bytes(sorted((folder / "outbox").glob("*.eml"))[0].read_bytes())
    header = str(message["List-Unsubscribe"])
    link = re.search(r"<http://127\.0\.0\.1:8000(/unsubscribe/\d+\?token=[^>]+)>", header)
    assert link is not None
    answers: list[int] = []

    def fake_run(app: object, **_options: object) -> None:  # the server's process, with its environment
        with TestClient(app) as client:  # type: ignore[arg-type]
            answers.append(client.get(link[1]).status_code)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    result = run("serve", "--demo", "--database", url, env=no_key)
    assert result.exit_code == 0, result.output
    assert answers == [200], "the demo's unsubscribe link is refused by the demo's server"


def test_serve_demo_with_a_database_that_does_not_exist_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database checked is the one served, not var/demo of the working directory."""
    (tmp_path / "var" / "demo").mkdir(parents=True)
    (tmp_path / "var" / "demo" / "anbudsradar.db").touch()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(uvicorn, "run", lambda *_args, **_options: None)  # never a real server
    result = run("serve", "--demo", "--database", f"sqlite:///{tmp_path / 'none.db'}")
    assert result.exit_code == 1 and "run `anbudsradar demo` first" in result.output
    assert not (tmp_path / "none.db").exists()
