"""`anbudsradar ingest`: every real notice stored idempotently, failures logged, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from anbudsradar.ingest import ingest_paths
from models import IngestFailure, Notice, NoticeVersion
from models.db import database
from tests.conftest import REPO_ROOT

ANBUDSRADAR = str(Path(sys.executable).parent / "anbudsradar")
COUNTS = re.compile(r"(\d+) inputs: (\d+) new, (\d+) updated, (\d+) unchanged, (\d+) failed")


def run_ingest(database_url: str, *paths: str) -> tuple[int, tuple[int, ...], str]:
    env = {**os.environ, "ANBUDSRADAR_DATABASE_URL": database_url}
    result = subprocess.run(
        [ANBUDSRADAR, "ingest", *paths], capture_output=True, text=True, check=False, env=env, cwd=REPO_ROOT
    )
    match = COUNTS.search(result.stdout)
    assert match, result.stdout + result.stderr
    return result.returncode, tuple(int(n) for n in match.groups()), result.stderr


def test_ingest_real_notices_twice_changes_nothing(tmp_path: Path, real_data: Path) -> None:
    url = f"sqlite:///{tmp_path / 'radar.db'}"
    folders = [str(real_data / name) for name in ("eforms", "ted-legacy", "ocds")]
    code, (inputs, new, updated, unchanged, failed), _ = run_ingest(url, *folders)
    assert code == 0
    assert failed == 0 and unchanged == 0
    assert new + updated >= inputs  # packages hold several releases
    with database(url) as sessions, sessions() as session:
        notices = session.scalar(select(func.count()).select_from(Notice))
        versions = session.scalar(select(func.count()).select_from(NoticeVersion))
        spanish = session.scalars(select(Notice).where(Notice.notice_id == "00262891-2023")).one()
        assert spanish.reserved_participation == ["shelteredWorkshop"]
        assert spanish.buyer is not None and spanish.buyer.name == "AYUNTAMIENTO DE RIPOLL"
    assert notices == new and versions == new + updated
    code, counts, _ = run_ingest(url, *folders)
    assert code == 0
    assert counts[1:] == (0, 0, new + updated, 0)


def test_failed_inputs_are_counted_logged_and_do_not_stop_the_run(tmp_path: Path, real_data: Path) -> None:
    url = f"sqlite:///{tmp_path / 'radar.db'}"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a_truncated.xml").write_bytes((real_data / "eforms/ESP_00262891-2023.xml").read_bytes()[:3000])
    (inbox / "b_good.xml").write_bytes((real_data / "ted-legacy/SE_2021S-119-316423.xml").read_bytes())
    (inbox / "c_not_ocds.json").write_text('{"data": []}', encoding="utf-8")
    code, counts, stderr = run_ingest(url, str(inbox))
    assert code == 1
    assert counts == (3, 1, 0, 0, 2)
    assert str(inbox / "a_truncated.xml") in stderr and str(inbox / "c_not_ocds.json") in stderr
    with database(url) as sessions, sessions() as session:
        failures = {f.source_path: f for f in session.scalars(select(IngestFailure))}
        assert set(failures) == {str(inbox / "a_truncated.xml"), str(inbox / "c_not_ocds.json")}
        kept = failures[str(inbox / "c_not_ocds.json")].raw_payload
        assert kept is not None and kept.data() == b'{"data": []}'


def test_bad_database_url_is_a_clear_usage_error(tmp_path: Path) -> None:
    env = {**os.environ, "ANBUDSRADAR_DATABASE_URL": "not a url"}
    result = subprocess.run(
        [ANBUDSRADAR, "ingest", str(tmp_path)], capture_output=True, text=True, check=False, env=env
    )
    assert result.returncode == 2
    assert "ANBUDSRADAR_DATABASE_URL='not a url' is not a database URL" in result.stderr


def test_every_real_notice_is_stored_on_each_database(database_url: str, real_data: Path) -> None:
    folders = [str(real_data / name) for name in ("eforms", "ted-legacy", "ocds")]
    first = ingest_paths(folders, database_url)
    assert first.failed == 0 and first.new > 40
    again = ingest_paths(folders, database_url)
    assert again.counts() == {"new": 0, "updated": 0, "unchanged": first.new + first.updated, "failed": 0}
    with database(database_url) as sessions, sessions() as session:
        finnish = session.scalars(select(Notice).where(Notice.notice_id == "00525037-2024")).one()
        assert len(finnish.lots) == 12
        assert finnish.versions[0].raw_payload is not None
        original = (real_data / "eforms/FIN_00525037-2024.xml").read_bytes()
        assert finnish.versions[0].raw_payload.data() == original
