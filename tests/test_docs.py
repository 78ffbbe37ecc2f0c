"""Documentation that tests keep true: README.md and docs/*.md name only what exists, and all of it.

Commands and their options, settings, the normalised record's keys, web routes, and every link or
path of the repository that the documents name are checked against the code.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from anbudsradar.cli import BENCHMARKS, COMMANDS, main
from anbudsradar.web.app import create_app
from anbudsradar.web.settings import load_web_settings
from crawlers.parsers.record import Buyer, Lot, NoticeRecord
from tests.conftest import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
DOCS = {
    path: path.read_text(encoding="utf-8")
    for path in [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
}
ALL_DOCS = "\n".join(DOCS.values())
# Dotted names in the docs that are no Python object to import from a checkout: the installed name
# of templates/, and a file name.
NOT_IMPORTABLE = {"anbudsradar.templates", "anbudsradar.db"}
# A backticked path is checked when it starts in one of these folders (runtime folders such as var/
# and paths outside the repository are not).
REPO_FOLDERS = (
    "anbudsradar", "crawlers", "matcher", "models", "notifier", "templates", "docs", "tests", ".ci",
)  # fmt: skip


def _commands() -> dict[str, click.Command]:
    """Every leaf command of the command line by its path, e.g. "companies export"."""
    ctx = click.Context(main)
    found: dict[str, click.Command] = {}

    def walk(command: click.Command, path: list[str]) -> None:
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None
                walk(sub, [*path, name])
        else:
            found[" ".join(path)] = command

    walk(main, [])
    return found


COMMAND_TREE = _commands()


def _options(command: click.Command) -> set[str]:
    return {opt for param in command.params if isinstance(param, click.Option) for opt in param.opts}


def _mention(path: str) -> re.Pattern[str]:
    return re.compile(rf"anbudsradar {re.escape(path)}(?![\w-])")


def _code_pieces() -> Iterator[tuple[Path, str]]:
    """Inline code spans and code-block lines of every document (where commands are written)."""
    for doc, text in DOCS.items():
        blocks = text.split("```")
        for index, part in enumerate(blocks):
            if index % 2:  # inside a fenced block: one command a line, without its comment
                for line in part.splitlines():
                    yield doc, line.split("  #")[0]
            else:
                yield from ((doc, span) for span in re.findall(r"`([^`\n]+)`", part))


def test_readme_starts_with_the_two_setup_commands() -> None:
    first_block = README.split("```")[1]
    assert "make demo" in first_block and "make test" in first_block


def test_every_command_is_documented() -> None:
    missing = [name for name in COMMANDS if f"anbudsradar {name}" not in README]
    missing += [name for name in BENCHMARKS if f"anbudsradar bench {name}" not in README]
    missing += [path for path in COMMAND_TREE if not _mention(path).search(ALL_DOCS)]
    assert missing == []


def test_every_option_is_documented_with_its_command() -> None:
    """Each option of each command is on a line of README.md or docs/ that names the command."""
    lines = ALL_DOCS.splitlines()
    missing = []
    for path, command in COMMAND_TREE.items():
        mention = _mention(path)
        beside = [line for line in lines if mention.search(line)]
        for param in command.params:
            if not isinstance(param, click.Option) or param.opts == ["--help"]:
                continue
            patterns = [re.compile(rf"(?<![\w-]){re.escape(opt)}(?![\w-])") for opt in param.opts]
            if not any(pattern.search(line) for pattern in patterns for line in beside):
                missing.append(f"anbudsradar {path} {param.opts[-1]}")
    assert missing == []


def test_documented_commands_and_options_exist() -> None:
    """`anbudsradar X --opt` written in the docs: X is a command and --opt one of its options."""
    wrong = []
    for doc, piece in _code_pieces():
        for chunk in piece.split("anbudsradar ")[1:]:
            words = chunk.split()
            if not words or not re.fullmatch(r"[a-z]+", words[0]):
                continue
            path = " ".join(words[:2]) if " ".join(words[:2]) in COMMAND_TREE else words[0]
            if path not in COMMAND_TREE:
                wrong.append(f"{doc.name}: no command `anbudsradar {words[0]}`")
                continue
            known = _options(COMMAND_TREE[path]) | {"--help"}
            for option in re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", chunk):
                if option not in known:
                    wrong.append(f"{doc.name}: `anbudsradar {path}` has no option {option}")
    assert wrong == []


def test_every_option_says_what_it_does() -> None:
    silent = [
        f"anbudsradar {path} {param.opts[-1]}"
        for path, command in COMMAND_TREE.items()
        for param in command.params
        if isinstance(param, click.Option) and not param.help
    ]
    assert silent == []


def _settings_in_code() -> set[str]:
    settings = set()
    for path in [*REPO_ROOT.glob("*/*.py"), *REPO_ROOT.glob("*/*/*.py")]:
        if ".venv" not in path.parts:
            settings |= set(re.findall(r"\"(ANBUDSRADAR_[A-Z_]+)\"", path.read_text(encoding="utf-8")))
    return settings


def test_every_setting_is_documented() -> None:
    settings = _settings_in_code()
    assert settings, "no settings found: the scan is broken"
    assert sorted(s for s in settings if f"`{s}`" not in README) == []


def test_every_documented_setting_exists() -> None:
    documented = set(re.findall(r"ANBUDSRADAR_[A-Z_]*[A-Z]", ALL_DOCS))
    assert sorted(documented - _settings_in_code()) == []


def test_links_and_paths_exist() -> None:
    missing = []
    for doc, text in DOCS.items():
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            external = target.startswith(("http://", "https://", "mailto:"))
            if not external and not (doc.parent / target).exists():
                missing.append(f"{doc.name}: link {target}")
        for span in re.findall(r"`([^`\s]+)`", text):
            candidate = span.rstrip(".,;:")
            in_repo = candidate.split("/")[0] in REPO_FOLDERS and "/" in candidate
            if in_repo and not re.search(r"[{}<>*…]", candidate) and not (REPO_ROOT / candidate).exists():
                missing.append(f"{doc.name}: path {candidate}")
    assert missing == []


def _importable(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            if not hasattr(target, attr):
                return False
            target = getattr(target, attr)
        return True
    return False


def test_named_python_objects_exist() -> None:
    dotted = r"`((?:anbudsradar|crawlers|matcher|models|notifier)(?:\.[A-Za-z_]\w*)+)"
    names = {name for text in DOCS.values() for name in re.findall(dotted, text)}
    assert sorted(n for n in names - NOT_IMPORTABLE if not _importable(n)) == []


def test_the_normalised_record_table_names_every_key() -> None:
    section = README.split("## The normalised record")[1].split("\n## ")[0]
    documented = set(re.findall(r"`([a-z_]+)`", section))
    keys = {f.name for record in (NoticeRecord, Lot, Buyer) for f in dataclasses.fields(record)}
    assert sorted(keys - documented) == []
    rows = re.findall(r"^\| ([^|]+) \|", section, re.MULTILINE)
    first_column = {key for row in rows for key in re.findall(r"`([a-z_]+)`", row)}
    assert sorted(first_column - {"key"} - {f.name for f in dataclasses.fields(NoticeRecord)}) == []


@pytest.fixture
def route_paths(tmp_path: Path) -> list[str]:
    """Every path the web app answers, parameters written `{}`."""
    settings = load_web_settings({"ANBUDSRADAR_SECRET_KEY": "k" * 32})
    app = create_app(f"sqlite:///{tmp_path / 'routes.db'}", settings)
    paths: list[str] = []

    def walk(routes: list[object]) -> None:
        for route in routes:
            inner = getattr(route, "original_router", None) or getattr(route, "router", None)
            if getattr(route, "path", None) is not None and getattr(route, "methods", None):
                paths.append(re.sub(r"\{[^}]*\}", "{}", route.path))  # type: ignore[attr-defined]
            elif inner is not None:
                walk(inner.routes)

    walk(app.routes)
    assert "/notices" in paths, "no routes found: the walk is broken"
    return sorted(set(paths))


def test_every_web_route_is_in_web_md(route_paths: list[str]) -> None:
    """A route is written whole, or as its parent path plus the rest (`/coordinator/companies` … `/new`)."""
    text = re.sub(r"\{[^}]*\}", "{}", DOCS[REPO_ROOT / "docs" / "web.md"])

    def written(path: str) -> bool:
        return re.search(rf"(?<![\w./{{}}-]){re.escape(path)}(?![\w./{{}}-])", text) is not None

    missing = []
    for path in route_paths:
        parts = path.split("/")
        cuts = ("/".join(parts[:i]) for i in range(2, len(parts)))
        if not written(path) and not any(written(c) and written(path[len(c) :]) for c in cuts):
            missing.append(path)
    assert missing == []
