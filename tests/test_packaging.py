"""The built wheel carries the code and the Jinja2 templates, and an installed copy finds its templates.

The wheel is built from a copy of the checkout (setuptools writes build/ and *.egg-info beside the
sources) without build isolation, so it needs setuptools 77 or newer (the SPDX `license` field of
PEP 639) in the environment; the test extras install it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from anbudsradar.resources import templates_dir
from tests.conftest import REPO_ROOT

PACKAGES = ("anbudsradar", "crawlers", "matcher", "models", "notifier")
# Never copied into the build folder: the environment, runtime data and earlier build output.
NOT_COPIED = {
    ".git",
    ".venv",
    "var",
    "test-artifacts",
    "build",
    "dist",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    ".mypy_cache",
}
# Templates the web pages and the digest e-mails cannot do without.
# The first setuptools that reads `license = "MIT"` (an SPDX expression, PEP 639).
MIN_SETUPTOOLS = 77
KEY_TEMPLATES = ("web/base.html", "web/notices.html", "email/digest.html.j2", "email/digest.txt.j2")


def _missing_build_tools() -> str | None:
    """Say why a wheel cannot be built offline here, or None when it can."""
    try:
        setuptools = metadata.version("setuptools")
    except metadata.PackageNotFoundError:
        return "setuptools is not installed (pip install -e '.[test]' installs it)"
    if int(setuptools.split(".")[0]) < MIN_SETUPTOOLS:
        return f"setuptools {setuptools} is older than {MIN_SETUPTOOLS} (pip install -e '.[test]' updates)"
    return None


def _ignore_at_root(folder: str, names: list[str]) -> set[str]:
    """Leave out the environment, runtime data and build output at the root, and bytecode anywhere."""
    ignored = {name for name in names if name == "__pycache__" or name.endswith((".pyc", ".egg-info"))}
    if Path(folder) == REPO_ROOT:
        ignored |= NOT_COPIED & set(names)
    return ignored


def _pip(*args: str, cwd: Path) -> None:
    """Run pip offline and quietly in `cwd`; fail the test with pip's output when it fails."""
    command = [sys.executable, "-m", "pip", *args, "--no-index", "--quiet"]
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=cwd, timeout=300)
    assert result.returncode == 0, f"{' '.join(command)}\n{result.stdout}{result.stderr}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Build the wheel from a copy of the checkout; yield (the copy, the wheel)."""
    reason = _missing_build_tools()
    if reason:
        pytest.skip(f"cannot build the wheel offline: {reason}")
    base = tmp_path_factory.mktemp("packaging").resolve()
    source = base / "source"
    shutil.copytree(REPO_ROOT, source, ignore=_ignore_at_root, symlinks=True)
    dist = base / "dist"
    _pip("wheel", ".", "--no-deps", "--no-build-isolation", "-w", str(dist), cwd=source)
    (wheel,) = dist.glob("anbudsradar-*.whl")
    return source, wheel


def test_the_checkout_finds_its_templates() -> None:
    assert templates_dir() == REPO_ROOT / "templates"
    assert all((templates_dir() / name).is_file() for name in KEY_TEMPLATES)


def test_the_wheel_holds_every_module_and_template(built: tuple[Path, Path]) -> None:
    source, wheel = built
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"anbudsradar/templates/{name}" for name in KEY_TEMPLATES} <= names
    expected = {
        path.relative_to(source).as_posix()
        for package in PACKAGES
        for path in (source / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    expected |= {
        f"anbudsradar/templates/{path.relative_to(source / 'templates').as_posix()}"
        for path in (source / "templates").rglob("*")
        if path.is_file()
    }
    assert sorted(expected - names) == []
    assert not any(name.startswith("templates/") for name in names), "no top-level templates package"


def test_the_installed_wheel_finds_its_own_templates(built: tuple[Path, Path], tmp_path: Path) -> None:
    _, wheel = built
    target = tmp_path.resolve() / "site"
    _pip("install", "--no-deps", "--target", str(target), str(wheel), cwd=tmp_path)
    probe = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(target)!r})\n"
        "import anbudsradar\n"
        "from anbudsradar.resources import templates_dir\n"
        "from anbudsradar.web.templating import make_environment\n"
        "from notifier.render import environment\n"
        "web, email = make_environment(), environment()\n"
        "web.get_template('base.html'); email.get_template('email/digest.html.j2')\n"
        "print(json.dumps({'package': anbudsradar.__file__, 'templates': str(templates_dir()),\n"
        "                  'web': web.loader.searchpath, 'email': email.loader.searchpath}))\n"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, cwd=elsewhere, timeout=120
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    installed = target / "anbudsradar"
    assert Path(found["package"]).parent == installed
    assert Path(found["templates"]) == installed / "templates"
    assert [Path(p) for p in found["web"]] == [installed / "templates" / "web"]
    assert [Path(p) for p in found["email"]] == [installed / "templates"]
    assert all((installed / "templates" / name).is_file() for name in KEY_TEMPLATES)


def test_the_wheel_states_its_licence_and_carries_the_text(built: tuple[Path, Path]) -> None:
    _, wheel = built
    archive = zipfile.ZipFile(wheel)
    (meta,) = [name for name in archive.namelist() if name.endswith(".dist-info/METADATA")]
    headers = archive.read(meta).decode()
    assert "License-Expression: MIT" in headers.splitlines()
    assert "License-File: LICENSE" in headers.splitlines()
    (licence,) = [name for name in archive.namelist() if name.endswith(".dist-info/licenses/LICENSE")]
    assert archive.read(licence).decode().startswith("MIT License")
