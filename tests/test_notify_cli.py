"""`anbudsradar digest`, `anbudsradar schedule --list` and the demo's digest step."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from anbudsradar.cli import main
from anbudsradar.ingest import ingest_paths
from anbudsradar.samples.norrbotten import write_samples
from models import Notice
from models.db import database
from notifier.demo import send_demo_digests
from notifier.weeks import IsoWeek
from tests.test_notify_support import WEEK, add_company, add_match, add_notice, parse


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    with database(url) as factory, factory() as session:
        company = add_company(session, 1, "Städkooperativet Glänsande")
        add_match(session, company, add_notice(session, "n1", "Städning", "2099-01-01"), 0.9, ["Städning"])
        session.commit()
    return {"ANBUDSRADAR_DATABASE_URL": url, "ANBUDSRADAR_DATA_DIR": str(tmp_path)}


def digest(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, ["digest", *args], env=env)


def test_digest_sends_once_and_says_where(env: dict[str, str], tmp_path: Path) -> None:
    first = digest(env, "--week", WEEK)
    assert first.exit_code == 0, first.output
    assert "Anbudsradar vecka 49: 1 ny upphandling för Städkooperativet Glänsande" in first.output
    assert f"1 sent — via the outbox {tmp_path / 'outbox'}" in first.output
    again = digest(env, "--week", WEEK)
    assert "1 done — via the outbox" in again.output and "(sent earlier)" in again.output
    assert [p.name for p in (tmp_path / "outbox").iterdir()] == [f"{WEEK}_7696000012.eml"]


def test_dry_run_shows_and_changes_nothing(env: dict[str, str], tmp_path: Path) -> None:
    result = digest(env, "--week", WEEK, "--dry-run", "--company", "769600-0012")
    assert result.exit_code == 0, result.output
    assert "dry run: nothing recorded or sent" in result.output and "would-send" in result.output
    assert not (tmp_path / "outbox").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--week", "vecka 49"],
            "Invalid value for --week: week 'vecka 49' is not an ISO week like 2026-W49",
        ),
        (["--company", "5560000000"], "no company with organisation number '5560000000' in the registry"),
    ],
)
def test_bad_options_are_clear_errors(env: dict[str, str], args: list[str], message: str) -> None:
    result = digest(env, *args)
    assert result.exit_code == 2 and message in " ".join(result.output.split())


def test_a_bad_setting_is_a_usage_error(env: dict[str, str]) -> None:
    result = digest({**env, "ANBUDSRADAR_SMTP_SECURITY": "ssl"})
    assert result.exit_code == 2
    assert "ANBUDSRADAR_SMTP_SECURITY='ssl' must be one of: starttls, tls, none" in result.output


def test_schedule_list_stores_and_shows_the_jobs(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["schedule", "--list"], env=env)
    assert result.exit_code == 0, result.output
    assert [line.split()[0] for line in result.output.splitlines()] == ["crawl", "digest", "digest-catch-up"]


def test_the_demo_writes_one_digest_per_matching_company(tmp_path: Path) -> None:
    today = date.today()
    write_samples(tmp_path / "samples", today)
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    ingest_paths([str(tmp_path / "samples")], url)
    with database(url) as factory:
        with factory() as session:
            notices = {n.title: n for n in session.scalars(select(Notice))}
            cleaning = add_company(session, 1, "Städkooperativet Glänsande", fictional=True)
            cafe = add_company(session, 2, "Café Åkern", fictional=True)
            add_company(session, 3, "Utan träffar", fictional=True)
            add_match(session, cleaning, notices["Lokalvård i Luleå kommuns förskolor"], 0.9, ["Lokalvård"])
            add_match(session, cafe, notices["Drift av café i Piteå stadsbibliotek"], 0.8, ["Café"])
            session.commit()
        result = send_demo_digests(factory, tmp_path / "outbox")
    assert [p.name.split("_")[1] for p in result.files] == ["7696000012.eml", "7696000020.eml"]
    assert result.summary.counts() == {"sent": 2, "empty": 1}
    message = parse(result.files[0].read_bytes())
    assert "Lokalvård i Luleå kommuns förskolor" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert result.files[0].name.startswith(f"{result.summary.week}_")
    assert result.summary.week == IsoWeek.current(ZoneInfo("Europe/Stockholm"))
