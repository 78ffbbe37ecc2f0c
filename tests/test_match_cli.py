"""`anbudsradar companies | network | match | consortia | bench match` through the real command line."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from anbudsradar.cli import main
from anbudsradar.ingest import ingest_paths
from anbudsradar.samples.companies import companies_csv, network_csv, org_number
from anbudsradar.samples.norrbotten import write_samples
from tests.conftest import REPO_ROOT


class Cli:
    """Runs `anbudsradar ARGS` in-process against one SQLite database."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __call__(self, *args: str) -> Result:
        env = {"ANBUDSRADAR_DATABASE_URL": self.url}
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def run(tmp_path: Path) -> Cli:
    return Cli(f"sqlite:///{tmp_path / 'cli.db'}")


def demo_files(tmp_path: Path) -> tuple[Path, Path]:
    companies, network = tmp_path / "companies.csv", tmp_path / "network.csv"
    companies.write_text(companies_csv(), encoding="utf-8")
    network.write_text(network_csv(), encoding="utf-8")
    return companies, network


def test_companies_import_list_show_export(run: Cli, tmp_path: Path) -> None:
    result = run("companies", "import", str(REPO_ROOT / "docs" / "companies-template.csv"))
    assert result.exit_code == 0 and "3 new, 0 updated, 0 unchanged companies, 0 rejected" in result.output
    listed = run("companies", "list")
    assert "Tvätteriet Rena Händer (fiktiv)" in listed.output and "Norrbottens län" in listed.output
    shown = run("companies", "show", "969999-0074")
    assert "40 km runt Luleå" in shown.output
    assert "eligible for reserved contracts (4 kap. 18 §): yes" in shown.output
    exported = run("companies", "export")
    lines = exported.output.strip().splitlines()
    assert lines[0].startswith("org_number,name,") and len(lines) == 4
    target = tmp_path / "out.csv"
    assert run("companies", "export", str(target)).exit_code == 0
    again = run("companies", "import", str(target))
    assert "0 new, 0 updated, 3 unchanged" in again.output


def test_bad_rows_are_reported_with_file_and_line_and_exit_status_1(run: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "org_number,name,branches,area_municipalities\n"
        "556012-5790,Bra Städ,cleaning,Luleå\n"
        "556012-5791,Fel Nummer,cleaning,Luleå\n",
        encoding="utf-8",
    )
    result = run("companies", "import", str(bad))
    assert result.exit_code == 1
    assert f"error: {bad}:3 (556012-5791): org_number:" in result.output
    assert "1 new, 0 updated, 0 unchanged companies, 1 rejected" in result.output
    assert run("companies", "show", "556012-5790").exit_code == 0
    unknown = run("companies", "show", "969999-0017")
    assert unknown.exit_code == 1 and "no company with organisation number 969999-0017" in unknown.output


def test_network_import_and_list(run: Cli, tmp_path: Path) -> None:
    companies, network = demo_files(tmp_path)
    assert run("companies", "import", str(companies)).exit_code == 0
    result = run("network", "import", str(network))
    assert result.exit_code == 0 and "20 new" in result.output
    listed = run("network", "list")
    assert "Återbrukshuset, Luleå" in listed.output


@pytest.mark.parametrize("ident", ["99999999999999999999999", "2147483648", "²"])
def test_consortia_for_a_number_that_is_no_id_says_no_such_notice(run: Cli, ident: str) -> None:
    result = run("consortia", ident)  # was a raw OverflowError (ValueError for "²")
    assert result.exit_code == 1 and f"Error: no notice {ident!r}: give the database id" in result.output


def test_match_and_consortia(run: Cli, tmp_path: Path) -> None:
    companies, network = demo_files(tmp_path)
    run("companies", "import", str(companies))
    run("network", "import", str(network))
    write_samples(tmp_path / "samples", date.today())
    ingest_paths([str(tmp_path / "samples")], run.url)
    result = run("match", "--limit", "5")
    assert result.exit_code == 0
    assert "Poäng" in result.output and "inom ert område" in result.output
    assert re.search(r"30 companies × \d+ open items: \d+ matches \(\d+ new", result.output)
    ineligible = run("match", "--company", org_number(3), "--dry-run")
    assert "not shown Lokalvårdarna i Norr AB (fiktiv)" in ineligible.output
    assert "ni har angett 15\u00a0%" in ineligible.output
    teams = run("consortia", "Tvätt av arbetskläder och textilier för Region Norrbotten")
    assert teams.exit_code == 1 and "no notice" in teams.output  # a title is not an id
    notice_id = re.search(r"#(\d+) Tvätt av arbetskläder", run("match", "--limit", "200").output)
    assert notice_id
    teams = run("consortia", notice_id.group(1))
    assert teams.exit_code == 0 and "Så kan ni dela upp arbetet" in teams.output
    first = re.search(r"^(\d+) \d\.\d\d proposed", teams.output, re.MULTILINE)
    assert first
    suggestion = first.group(1)
    accepted = run("consortia", notice_id.group(1), "--accept", suggestion, "--by", "Anna")
    assert f"suggestion {first.group(1)}: accepted by Anna" in accepted.output
    assert re.search(rf"^{first.group(1)} \d\.\d\d accepted by Anna", accepted.output, re.MULTILINE)


def test_bench_match_small(run: Cli) -> None:
    result = run("bench", "match", "--companies", "40", "--notices", "200", "--networks", "30",
                 "--tenders", "3")
    assert result.exit_code == 0
    assert "matching: 40 companies × 200 open notices" in result.output
    assert "teams: 30 companies" in result.output and "greedy score gap" in result.output


def test_export_into_a_folder_that_does_not_exist_names_the_file(run: Cli, tmp_path: Path) -> None:
    target = tmp_path / "saknas" / "foretag.csv"
    result = CliRunner().invoke(  # was a raw FileNotFoundError
        main, ["companies", "export", str(target)], env={"ANBUDSRADAR_DATABASE_URL": run.url}
    )
    assert result.exit_code == 1
    assert f"Error: {target}: cannot write the file (No such file or directory)" in result.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("bench", "match", "--networks", "100,tusen"), "'tusen' is not a network size"),  # was a ValueError
        (("bench", "match", "--networks", "-5"), "'-5' is not a network size"),  # was benchmarked as if fine
        (("consortia", "1", "--accept", "99999999999999999999"), "is not in the range 1<=x<=2147483647"),
    ],
)
def test_option_values_that_cannot_work_are_usage_errors(run: Cli, args: tuple[str, ...], words: str) -> None:
    result = CliRunner().invoke(main, list(args), env={"ANBUDSRADAR_DATABASE_URL": run.url})
    assert result.exit_code == 2 and words in result.output and "Traceback" not in result.output
