"""The benchmark command runs and reports every line with its ratio (figures come from real runs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from anbudsradar.cli import main

ANBUDSRADAR = str(Path(sys.executable).parent / "anbudsradar")


def test_bench_parse_prints_rates_and_ratios(real_data: Path) -> None:
    result = subprocess.run(
        [ANBUDSRADAR, "bench", "parse", str(real_data / "ted-legacy"), "--synthetic", "20", "--rounds", "1"],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = result.stdout.splitlines()
    rows = [line for line in lines if line.startswith(("bare", "anbudsradar"))]
    assert [row.split("  ")[0] for row in rows] == [
        "bare lxml.etree.parse (XML inputs)",
        "anbudsradar parse (XML inputs)",
        "anbudsradar parse (all inputs)",
        "bare lxml.etree.parse (XML inputs)",
        "anbudsradar parse (XML inputs)",
        "anbudsradar parse (all inputs)",
        "anbudsradar ingest into SQLite (parse + store)",
    ]
    assert all(row.rstrip().endswith("%") for row in rows)
    assert rows[-1].split()[-4] == "20"  # every synthetic notice was stored
    # nothing was skipped, so the title does not speak of skipped inputs
    count = len(list((real_data / "ted-legacy").glob("*.xml")))
    assert lines[1] == f"{count} inputs from {real_data / 'ted-legacy'}, in memory, best of 1 rounds"


def test_bench_parse_refuses_a_missing_path_or_a_folder_without_notices(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    result = CliRunner().invoke(main, ["bench", "parse", str(missing), "--synthetic", "0"])
    assert result.exit_code == 2 and f"Path '{missing}' does not exist" in result.output  # measured 0 inputs
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    (tmp_path / "empty" / "README.txt").write_text("no notices here", encoding="utf-8")
    result = CliRunner().invoke(main, ["bench", "parse", str(tmp_path / "empty"), "--synthetic", "0"])
    assert result.exit_code == 2 and f"{tmp_path / 'empty'}: no readable notice files in it" in result.output
