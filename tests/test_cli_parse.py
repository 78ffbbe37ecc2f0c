"""`anbudsradar parse`: the JSON Lines contract, exit statuses and start-up cost, run as a user would."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
from datetime import date
from pathlib import Path

from anbudsradar.samples.eforms_builder import build_notice
from anbudsradar.samples.norrbotten import sample_notices
from tests.conftest import REPO_ROOT

ANBUDSRADAR = str(Path(sys.executable).parent / "anbudsradar")
RECORD_KEYS = {
    "source_format",
    "source_path",
    "notice_id",
    "notice_type",
    "language",
    "title",
    "description",
    "url",
    "buyer",
    "cpv_main",
    "cpv",
    "nuts",
    "lots",
    "reserved_participation",
    "reserved_execution",
    "social_objectives",
    "strategic_procurement",
    "suitability",
    "estimated_value",
    "published",
    "deadline",
}
LOT_KEYS = {
    "lot_id",
    "title",
    "description",
    "cpv",
    "nuts",
    "reserved_participation",
    "reserved_execution",
    "estimated_value",
    "deadline",
}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ANBUDSRADAR, *args], capture_output=True, text=True, check=False, cwd=REPO_ROOT)


def test_every_real_notice_parses_with_every_contract_key(real_data: Path) -> None:
    folders = [str(real_data / name) for name in ("eforms", "ted-legacy", "ocds")]
    result = run("parse", *folders)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    records = [json.loads(line) for line in result.stdout.splitlines()]
    files = sum(1 for name in ("eforms", "ted-legacy") for _ in (real_data / name).rglob("*.xml"))
    assert len([r for r in records if r["source_format"] != "ocds"]) == files
    assert {r["source_format"] for r in records} == {"eforms", "ted-legacy", "ocds"}
    for record in records:
        assert record.keys() >= RECORD_KEYS
        assert set(record["buyer"]) == {"name", "identifier", "country", "nuts", "city"}
        assert set(record["suitability"]) == {"sme", "vcse"}
        assert all(set(lot) == LOT_KEYS for lot in record["lots"])
        assert record["notice_id"]
        assert not record["cpv_main"] or record["cpv"][0] == record["cpv_main"]
    by_id = {r["notice_id"]: r for r in records}
    assert by_id["00262891-2023"]["reserved_participation"] == ["shelteredWorkshop"]
    assert by_id["2018/S 082-185357"]["language"] == "sv"


def test_bad_inputs_are_named_on_stderr_and_the_rest_is_written(tmp_path: Path) -> None:
    notice = tmp_path / "good.xml"
    notice.write_bytes(build_notice(sample_notices(date(2026, 11, 29))[0]))
    (tmp_path / "empty.xml").write_bytes(b"")
    (tmp_path / "page.xml").write_bytes(b"<html><body>Inga upphandlingar</body></html>")
    (tmp_path / "cut.xml").write_bytes(notice.read_bytes()[:500])
    result = run("parse", str(tmp_path), str(tmp_path / "missing.xml"))
    assert result.returncode == 1
    assert [json.loads(line)["source_path"] for line in result.stdout.splitlines()] == [str(notice)]
    errors = result.stderr.splitlines()
    assert [line.split(": ")[1] for line in errors] == [
        str(tmp_path / "cut.xml"),
        str(tmp_path / "empty.xml"),
        str(tmp_path / "page.xml"),
        str(tmp_path / "missing.xml"),
    ]
    assert "Traceback" not in result.stderr


def test_no_paths_is_a_usage_error() -> None:
    result = run("parse")
    assert result.returncode == 2
    assert "Missing argument" in result.stderr


def test_archive_members_are_named_with_a_hash(tmp_path: Path, real_data: Path) -> None:
    package = tmp_path / "daily.tar.gz"
    members = sorted((real_data / "ted-legacy").glob("SE_*.xml"))
    with tarfile.open(package, "w:gz") as archive:
        for path in members:
            archive.add(path, arcname=f"20210712/{path.name}")
        archive.addfile(tarfile.TarInfo("20210712/broken.xml"), io.BytesIO(b""))
    result = run("parse", str(package))
    assert result.returncode == 1
    paths = [json.loads(line)["source_path"] for line in result.stdout.splitlines()]
    assert paths == [f"{package}#20210712/{path.name}" for path in members]
    assert result.stderr.startswith(f"error: {package}#20210712/broken.xml: empty input")


def test_parse_does_not_import_the_nlp_or_database_stack(real_data: Path) -> None:
    probe = (
        "import sys\n"
        "from anbudsradar.cli import main\n"
        "try:\n"
        f"    main(['parse', {str(real_data / 'eforms')!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = {m.split('.')[0] for m in sys.modules}\n"
        "heavy = sorted(loaded & {'spacy', 'sklearn', 'sqlalchemy', 'scrapy'})\n"
        "print(heavy, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, cwd=REPO_ROOT
    )
    assert result.stderr.strip().splitlines()[-1] == "[]"


def test_a_text_file_is_not_a_notice(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Anbudsradar\n", encoding="utf-8")
    result = run("parse", str(readme))
    assert result.returncode == 1
    assert result.stderr == f"error: {readme}: neither XML nor JSON (binary or text data)\n"
