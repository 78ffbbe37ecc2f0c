"""The demo serves its bundled samples as all five source kinds on 127.0.0.1 and crawls them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from anbudsradar.cli import main
from anbudsradar.demo import DEMO_FILES
from anbudsradar.samples.norrbotten import write_samples
from crawlers.bench import run_crawl_benchmark
from crawlers.demo import crawl_demo_sources
from crawlers.exceptions import ScratchFolderError
from crawlers.scratch import fresh_folder
from models import Notice
from tests.crawl_helpers import session_for

TODAY = date(2026, 3, 16)


def test_the_demo_crawls_every_source_kind_into_the_database(tmp_path: Path) -> None:
    samples = write_samples(tmp_path / "samples", TODAY)
    database_url = f"sqlite:///{tmp_path / 'demo.db'}"
    result = crawl_demo_sources(tmp_path / "samples", database_url, TODAY)
    first = {r.source: (r.status, r.new + r.updated) for r in result.first.results}
    assert first == {
        "demo_ted": ("ok", first["demo_ted"][1]),
        "demo_ted_packages": ("ok", len(samples) - first["demo_ted"][1]),
        "demo_ocds": ("ok", 3),
        "demo_annonser": ("ok", 2),
        "demo_boden_direktupphandlingar": ("ok", 2),
    }
    assert 0 < first["demo_ted"][1] < len(samples)  # recent samples by the API, older ones by packages
    assert result.again is not None
    assert [(r.new, r.updated, r.failed) for r in result.again.results] == [(0, 0, 0)] * 5
    with session_for(database_url) as session:
        formats = set(session.scalars(select(Notice.source_format).distinct()))
        direct = session.scalars(select(Notice.source_format).where(Notice.notice_type == "direct-award"))
        assert formats == {"eforms", "ocds", "feed", "html-listing"}
        assert sorted(direct) == ["eforms", "feed", "html-listing", "html-listing", "ocds"]


def test_the_crawl_benchmark_runs_and_counts_what_it_stored(tmp_path: Path) -> None:
    result = run_crawl_benchmark(tmp_path / "bench", api_notices=30, package_notices=40, today=TODAY)
    assert (result.api_stored, result.package_stored) == (30, 20)
    assert result.api_requests >= 31 and result.direct_seconds > 0
    assert len(result.lines()) == 3 and "notices/s" in result.lines()[0]


@pytest.mark.parametrize("args", [("demo", "--folder"), ("bench", "crawl", "--notices", "1", "--folder")])
def test_a_folder_with_other_files_is_never_emptied(tmp_path: Path, args: tuple[str, ...]) -> None:
    folder = tmp_path / "mina-dokument"
    folder.mkdir()
    (folder / "anteckningar.txt").write_text("viktigt", encoding="utf-8")
    (folder / "api.db").write_bytes(b"")  # a name the command makes does not make it its folder
    result = CliRunner().invoke(main, [*args, str(folder)])  # was shutil.rmtree(folder)
    assert result.exit_code == 1
    assert f"Error: {folder} holds files this command did not make (" in result.output
    assert "anteckningar.txt" in result.output and "; it empties its folder first" in result.output
    assert (folder / "anteckningar.txt").read_text(encoding="utf-8") == "viktigt"


def test_a_folder_of_the_commands_own_files_is_emptied(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    (folder / "samples").mkdir(parents=True)
    for name in ("anbudsradar.db", "anbudsradar.db-wal", "demo-sources.yaml", "secret_key"):
        (folder / name).write_text("old", encoding="utf-8")
    fresh_folder(folder, DEMO_FILES)
    assert folder.is_dir() and list(folder.iterdir()) == []
    (tmp_path / "fil").write_text("x", encoding="utf-8")
    with pytest.raises(ScratchFolderError, match="is a file, not a folder"):
        fresh_folder(tmp_path / "fil", DEMO_FILES)
