"""Documentation that tests keep true: every command and setting is in the README."""

from __future__ import annotations

import re

from anbudsradar.cli import BENCHMARKS, COMMANDS
from tests.conftest import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_setup_commands() -> None:
    first_block = README.split("```")[1]
    assert "make demo" in first_block and "make test" in first_block


def test_every_command_is_documented() -> None:
    missing = [name for name in COMMANDS if f"anbudsradar {name}" not in README]
    missing += [name for name in BENCHMARKS if f"anbudsradar bench {name}" not in README]
    assert missing == []


def test_every_setting_is_documented() -> None:
    settings = set()
    for path in [*REPO_ROOT.glob("*/*.py"), *REPO_ROOT.glob("*/*/*.py")]:
        if ".venv" not in path.parts:
            settings |= set(re.findall(r"\"(ANBUDSRADAR_[A-Z_]+)\"", path.read_text(encoding="utf-8")))
    assert settings, "no settings found: the scan is broken"
    assert sorted(s for s in settings if f"`{s}`" not in README) == []
