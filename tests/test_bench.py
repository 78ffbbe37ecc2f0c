"""The benchmark command runs and reports every line with its ratio (figures come from real runs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
