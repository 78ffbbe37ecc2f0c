"""Bad input that used to slip through: each is named, recorded, and the rest of the run goes on.

Folders: what cannot be read (a broken link, a named pipe, a sub-folder that cannot be listed) is
reported by `parse`, `tag`, `ingest` and `bench parse` instead of being skipped in silence, and a
named pipe is never opened. Configuration: XPath predicates, strftime formats and e-mail domains
that would only have failed later are refused on load, naming the source or setting.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from anbudsradar.cli import main
from anbudsradar.samples.eforms_builder import build_notice
from anbudsradar.samples.norrbotten import sample_notices
from crawlers.exceptions import SourceConfigError
from crawlers.parsers.dispatch import parse_paths
from crawlers.sources import load_sources
from models import IngestFailure
from models.db import database
from notifier.exceptions import NotifierConfigError
from notifier.settings import load_notifier_settings
from tests.conftest import REPO_ROOT

ANBUDSRADAR = str(Path(sys.executable).parent / "anbudsradar")
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
# Root reads and lists files whatever their permission bits say, through these two capabilities;
# run as root, the command is started without them, as any other user would run it.
DAC_CAPABILITIES = "-dac_override,-dac_read_search"
WITHOUT_ROOT_READS = ["setpriv", f"--inh-caps={DAC_CAPABILITIES}", f"--bounding-set={DAC_CAPABILITIES}", "--"]
PIPE = "a named pipe (FIFO), not a notice file (not opened)"
# A process that opens a named pipe for reading waits for a writer: far longer than this.
NO_BLOCKING = 60


@cache
def as_a_user() -> list[str] | None:
    """The prefix that runs a command without root's power to read anything; None where impossible."""
    if not AS_ROOT:
        return []
    if shutil.which("setpriv") is None:
        return None
    probe = subprocess.run([*WITHOUT_ROOT_READS, "true"], capture_output=True, check=False)
    return WITHOUT_ROOT_READS if probe.returncode == 0 else None


def needs_permission_bits() -> None:
    """Skip a test whose file is unreadable only by its permission bits, where root ignores them."""
    if as_a_user() is None:
        pytest.skip("running as root without setpriv (util-linux) to drop the capabilities that ignore chmod")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed command as a user would, failing the test instead of hanging on a pipe."""
    return subprocess.run(
        [*(as_a_user() or []), ANBUDSRADAR, *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
        timeout=NO_BLOCKING,
    )


def good_notice(folder: Path, name: str = "b_good.xml") -> Path:
    """Write one valid eForms notice (the demo's first) into `folder`."""
    path = folder / name
    path.write_bytes(build_notice(sample_notices(date(2026, 11, 29))[0]))
    return path


def broken_link(folder: Path) -> tuple[Path, str]:
    path = folder / "a_moved.xml"
    path.symlink_to(folder / "gone" / "notice.xml")
    return path, "broken symbolic link to"


def named_pipe(folder: Path) -> tuple[Path, str]:
    path = folder / "c_feed.xml"
    os.mkfifo(path)
    return path, PIPE


def named_pipe_without_suffix(folder: Path) -> tuple[Path, str]:
    path = folder / "c_feed"
    os.mkfifo(path)
    return path, PIPE


def link_loop(folder: Path) -> tuple[Path, str]:
    path = folder / "a_loop.xml"
    path.symlink_to(path)
    return path, "cannot read: Too many levels of symbolic links"


def unlistable_folder(folder: Path) -> tuple[Path, str]:
    needs_permission_bits()
    path = folder / "a_locked"
    path.mkdir()
    good_notice(path, "hidden.xml")
    path.chmod(0)
    return path, "cannot list this folder: Permission denied"


def unreadable_file(folder: Path) -> tuple[Path, str]:
    needs_permission_bits()
    path = good_notice(folder, "a_locked.xml")
    path.chmod(0)
    return path, "cannot read: Permission denied"


# case -> makes one entry in a folder that cannot be read, and returns it with words of its error
UNREADABLE: dict[str, Callable[[Path], tuple[Path, str]]] = {
    "broken symbolic link": broken_link,
    "named pipe": named_pipe,
    "named pipe without a notice suffix": named_pipe_without_suffix,
    "symbolic link loop": link_loop,
    "sub-folder without permission": unlistable_folder,
    "file without permission": unreadable_file,
}


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


@pytest.fixture(autouse=True)
def _restore_permissions(tmp_path: Path) -> object:
    """Give back what a test took away, so that pytest can remove its folder."""
    yield
    for path in tmp_path.rglob("*"):
        if not path.is_symlink():
            path.chmod(0o700)


# `parse` named a file it had no permission to read already; the other cases it skipped in silence.
SKIPPED_BY_PARSE = {case: make for case, make in UNREADABLE.items() if make is not unreadable_file}


@pytest.mark.parametrize("make", SKIPPED_BY_PARSE.values(), ids=SKIPPED_BY_PARSE.keys())
def test_parse_names_what_it_cannot_read_in_a_folder(
    inbox: Path, make: Callable[[Path], tuple[Path, str]]
) -> None:
    bad, words = make(inbox)
    good = good_notice(inbox)
    result = run("parse", str(inbox))
    assert result.returncode == 1
    assert [json.loads(line)["source_path"] for line in result.stdout.splitlines()] == [str(good)]
    assert result.stderr.startswith(f"error: {bad}: ")
    assert words in result.stderr
    assert "Traceback" not in result.stderr


def test_every_entry_of_a_folder_is_reported_in_path_order(inbox: Path) -> None:
    link, _ = broken_link(inbox)
    good = good_notice(inbox)
    pipe, _ = named_pipe(inbox)
    (inbox / "notes.txt").write_text("not a notice", encoding="utf-8")  # other files: left out
    os.mkfifo(inbox / ".hidden-pipe")  # hidden names: left out, as hidden files are
    nested = inbox / "d_older.xml"  # a folder named like a notice is walked, not reported
    nested.mkdir()
    older = good_notice(nested, "older.xml")
    outcomes = list(parse_paths([str(inbox)]))
    assert [outcome.source_path for outcome in outcomes] == [str(link), str(good), str(pipe), str(older)]
    assert [outcome.error is None for outcome in outcomes] == [False, True, False, True]


def test_tag_names_a_named_pipe_and_tags_the_rest(inbox: Path) -> None:
    pipe, _ = named_pipe(inbox)
    good_notice(inbox)
    result = CliRunner().invoke(main, ["tag", str(inbox)])
    assert result.exit_code == 1
    assert len([line for line in result.stdout.splitlines() if line.startswith("{")]) == 1
    assert result.stderr == f"error: {pipe}: {PIPE}\n"


def test_ingest_records_a_named_pipe_and_a_broken_link_and_stores_the_rest(
    inbox: Path, tmp_path: Path
) -> None:
    pipe, _ = named_pipe(inbox)
    link, _ = broken_link(inbox)
    good_notice(inbox)
    url = f"sqlite:///{tmp_path / 'radar.db'}"
    result = run("ingest", str(inbox), env={"ANBUDSRADAR_DATABASE_URL": url})
    assert result.returncode == 1
    assert re.search(r"3 inputs: 1 new, 0 updated, 0 unchanged, 2 failed", result.stdout), result.stdout
    assert (
        f"error: {pipe}: {PIPE}" in result.stderr and f"error: {link}: broken symbolic link" in result.stderr
    )
    with database(url) as sessions, sessions() as session:
        failures = {failure.source_path: failure.reason for failure in session.scalars(select(IngestFailure))}
    assert failures.keys() == {str(pipe), str(link)}
    assert failures[str(pipe)] == PIPE


@pytest.mark.parametrize("make", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_bench_parse_names_each_skipped_file_and_counts_them(
    inbox: Path, make: Callable[[Path], tuple[Path, str]]
) -> None:
    bad, words = make(inbox)
    good_notice(inbox)
    result = run("bench", "parse", str(inbox), "--synthetic", "0", "--rounds", "1")
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(f"skipped: {bad}: ")
    assert words in result.stderr
    assert f"1 inputs from {inbox} (1 skipped as unreadable, each named on stderr)" in result.stdout


def test_bench_parse_of_a_folder_with_only_unreadable_files_names_them(inbox: Path) -> None:
    link, _ = broken_link(inbox)
    pipe, _ = named_pipe(inbox)
    result = run("bench", "parse", str(inbox), "--synthetic", "0")
    assert result.returncode == 2
    assert f"skipped: {link}: broken symbolic link" in result.stderr
    assert f"skipped: {pipe}: {PIPE}" in result.stderr
    assert (
        f"{inbox}: no readable notice files in it (.xml, .json, .gz, .tgz, .tar); 2 skipped" in result.stderr
    )


# Selectors of a listing that work, with predicates the load-time check must not refuse.
GOOD_FIELDS = {
    "title": "a::text",
    "description": "xpath://tr[td[2][normalize-space()]]/td[1]//text()",
    "deadline": "xpath://td[position() = last()]/text()",
    "published": "xpath://li[has-class('notice')]//time/@datetime",
    "cpv": "xpath://td[contains(., '[$x] frist()')]/text()",  # brackets, $ and a call, quoted
    "value": "xpath://a[re:test(@href, '^/upphandling/')]/@href",
    "type": "xpath://a[@title and (contains(@title, 'Dnr') or starts-with(@title, 'Ref'))]/@title",
}
WHERE = "source 'pitea' (html_listing): selectors: fields:"


def listing(**fields: str) -> str:
    """The YAML of one listing source, 'pitea', with the good fields and these others."""
    lines = "".join(
        f"        {name}: {json.dumps(xpath)}\n" for name, xpath in {**GOOD_FIELDS, **fields}.items()
    )
    return (
        "sources:\n  pitea:\n    kind: html_listing\n    url: http://127.0.0.1:9/upphandling\n"
        "    buyer: {name: Piteå kommun, org_number: 212000-2742, municipality_code: '2581'}\n"
        f"    selectors:\n      item: ul.lista li\n      fields:\n{lines}"
    )


# case -> (XPath of the `reference` field, words of the error)
BAD_PREDICATES = {
    "unknown function": ("//a[unknownfn(.)]", "'//a[unknownfn(.)]': unknown function unknownfn()"),
    "undefined variable": ("//a[@href=$undefined]", "'//a[@href=$undefined]': undefined variable $undefined"),
    "unknown function after `and`": ("//td[@class and lenght(.) > 2]", "unknown function lenght()"),
    "undefined prefix": ("//a[x:test(., 'a')]", "undefined namespace prefix in x:test()"),
    "nested predicate": ("//tr[td[frist()]]", "unknown function frist()"),
    "wrong arguments": ("//a[contains(.)]", "the predicate [contains(.)] fails: Invalid number of arguments"),
    "wrong type": ("//a[count(string(.))]", "the predicate [count(string(.))] fails: Invalid type"),
}


@pytest.mark.parametrize(("xpath", "words"), BAD_PREDICATES.values(), ids=BAD_PREDICATES.keys())
def test_an_xpath_predicate_that_would_fail_in_a_crawl_is_refused_on_load(
    tmp_path: Path, xpath: str, words: str
) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(listing(), encoding="utf-8")
    fields = load_sources(path)["pitea"].options.fields  # type: ignore[union-attr]
    assert {name: f"xpath:{selector.xpath}" for name, selector in fields.items() if name != "title"} == {
        name: xpath for name, xpath in GOOD_FIELDS.items() if name != "title"
    }
    path.write_text(listing(reference=f"xpath:{xpath}"), encoding="utf-8")
    with pytest.raises(SourceConfigError) as error:
        load_sources(path)
    assert str(error.value).startswith(f"{path}: {WHERE} reference: invalid XPath ")
    assert words in str(error.value)


def test_crawl_refuses_a_bad_predicate_before_any_request(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(listing(reference="xpath://td[datum(.)]"), encoding="utf-8")
    env = {"ANBUDSRADAR_DATABASE_URL": f"sqlite:///{tmp_path / 'crawl.db'}"}
    result = CliRunner().invoke(main, ["crawl", "pitea", "--sources-file", str(path)], env=env)
    assert result.exit_code == 2, result.output
    assert f"{WHERE} reference: invalid XPath '//td[datum(.)]': unknown function datum()" in result.output


GOOD_SINCE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S%z", "100%%-%Y"]
# case -> (since_format, words of the error)
BAD_SINCE_FORMATS = {
    "trailing lone %": ("%Y-%", "since_format: '%Y-%' ends with a lone %"),
    "unknown directive": ("%Y-%Q", "since_format: '%Y-%Q' has the unknown directive %Q"),
    "unknown directive alone": ("%Q", "since_format: '%Q' has the unknown directive %Q"),
    "glibc-only directive": ("%FT%T", "since_format: '%FT%T' has the unknown directive %F"),
    "escaped %Y is no year": ("%%Y-%m", "since_format: '%%Y-%m' has no %Y"),
}


def ocds_sources(broken: str | None = None) -> str:
    """The YAML of OCDS sources ok0, ok1… with the good formats, then 'uk' with a broken one."""
    named = [(f"ok{number}", text) for number, text in enumerate(GOOD_SINCE_FORMATS)]
    named += [("uk", broken)] if broken is not None else []
    return "sources:\n" + "".join(
        f"  {name}:\n    kind: ocds_api\n    url: http://127.0.0.1:9/api\n"
        f"    since_format: {json.dumps(text)}\n"
        for name, text in named
    )


@pytest.mark.parametrize(("since_format", "words"), BAD_SINCE_FORMATS.values(), ids=BAD_SINCE_FORMATS.keys())
def test_a_broken_since_format_is_refused_on_load(tmp_path: Path, since_format: str, words: str) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(ocds_sources(since_format), encoding="utf-8")
    with pytest.raises(SourceConfigError) as error:  # the good formats of the sources before it pass
        load_sources(path)
    assert str(error.value).startswith(f"{path}: source 'uk' (ocds_api): {words}")
    path.write_text(ocds_sources(), encoding="utf-8")
    loaded = load_sources(path)
    assert [source.options.since_format for source in loaded.values()] == GOOD_SINCE_FORMATS  # type: ignore[union-attr]


def test_the_sources_command_names_the_source_of_a_broken_since_format(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(ocds_sources("%Y-%"), encoding="utf-8")
    env = {"ANBUDSRADAR_DATABASE_URL": f"sqlite:///{tmp_path / 'radar.db'}"}
    result = CliRunner().invoke(main, ["sources", "--sources-file", str(path)], env=env)
    assert result.exit_code == 2
    assert "source 'uk' (ocds_api): since_format: '%Y-%' ends with a lone %" in result.output


FROM = "ANBUDSRADAR_SMTP_FROM"
NOT_AN_ADDRESS = "is not an e-mail address like 'Name <user@example.org>': "
LABELS = "is not labels of letters, digits and inner hyphens joined by single dots"
# case -> (ANBUDSRADAR_SMTP_FROM, words of the error after the value)
BAD_SENDERS = {
    "domain of one dot": ("a@.", f"the domain '.' {LABELS}"),
    "empty label": ("a@b..c", f"the domain 'b..c' {LABELS}"),
    "leading hyphen": ("a@-b.se", f"the domain '-b.se' {LABELS}"),
    "trailing hyphen": ("Anbudsradar <a@b-.se>", f"the domain 'b-.se' {LABELS}"),
    "trailing dot": ("a@example.se.", f"the domain 'example.se.' {LABELS}"),
    "underscore": ("a@mail_server.se", f"the domain 'mail_server.se' {LABELS}"),
    "label over 63 characters": (f"a@{'x' * 64}.se", LABELS),
    "space after @": ("a@ example.se", "spaces or a comment inside the address (read as 'a@example.se')"),
    "space in the domain": ("a@example .se", "spaces or a comment inside the address"),
    "nothing after @": ("Anbudsradar <a@>", "no user@domain in it"),
    "two addresses": ("a@example.se, b@example.se", "it holds more than one address"),
    "bad address literal": ("a@[300.1.1.1]", "the domain [300.1.1.1] is not an IP address in brackets"),
}
# a sender that works -> (its display name and address, the same sender with a domain that cannot work)
REAL_SENDERS = {
    "Anbudsradar <noreply@example.se>": (
        ("Anbudsradar", "noreply@example.se"),
        "Anbudsradar <noreply@example.>",
    ),
    "info@städ.se": (("Anbudsradar", "info@städ.se"), "info@städ..se"),
    "Städservice Luleå <info@städ.se>": (
        ("Städservice Luleå", "info@städ.se"),
        "Städservice Luleå <info@-städ.se>",
    ),
    '"Coompanion, Norrbotten" <radar@coompanion.example.org>': (
        ("Coompanion, Norrbotten", "radar@coompanion.example.org"),
        '"Coompanion, Norrbotten" <radar@coompanion..example.org>',
    ),
    "anbudsradar@localhost": (("Anbudsradar", "anbudsradar@localhost"), "anbudsradar@local host"),
    "noreply@[192.0.2.1]": (("Anbudsradar", "noreply@[192.0.2.1]"), "noreply@[192.0.2]"),
}


def smtp_env(sender: str) -> dict[str, str]:
    return {"ANBUDSRADAR_SMTP_HOST": "smtp.example.se", FROM: sender}


@pytest.mark.parametrize(("raw", "words"), BAD_SENDERS.values(), ids=BAD_SENDERS.keys())
def test_a_sender_whose_domain_cannot_take_mail_is_refused(raw: str, words: str) -> None:
    with pytest.raises(NotifierConfigError) as error:
        load_notifier_settings(smtp_env(raw))
    assert str(error.value).startswith(f"{FROM}={raw!r} {NOT_AN_ADDRESS}")
    assert words in str(error.value)


@pytest.mark.parametrize(("raw", "expected"), REAL_SENDERS.items(), ids=REAL_SENDERS.keys())
def test_a_real_sender_is_accepted_and_refused_once_its_domain_is_broken(
    raw: str, expected: tuple[tuple[str, str], str]
) -> None:
    (display_name, addr_spec), broken = expected
    settings = load_notifier_settings(smtp_env(raw))
    assert (settings.from_address.display_name, settings.from_address.addr_spec) == (display_name, addr_spec)
    assert settings.contact_email == addr_spec
    with pytest.raises(NotifierConfigError, match=re.escape(f"{FROM}={broken!r} {NOT_AN_ADDRESS}")):
        load_notifier_settings(smtp_env(broken))


@pytest.mark.parametrize("raw", ["a@.", "kontakt@b..se", "kontakt@-coompanion.se"])
def test_a_contact_address_is_held_to_the_same_rules(raw: str) -> None:
    with pytest.raises(NotifierConfigError, match=re.escape(f"ANBUDSRADAR_CONTACT_EMAIL={raw!r} is not an")):
        load_notifier_settings({"ANBUDSRADAR_CONTACT_EMAIL": raw})


def test_digest_refuses_a_bad_sender_before_sending(tmp_path: Path) -> None:
    env = {
        "ANBUDSRADAR_DATABASE_URL": f"sqlite:///{tmp_path / 'radar.db'}",
        "ANBUDSRADAR_DATA_DIR": str(tmp_path),
        "ANBUDSRADAR_SMTP_HOST": "127.0.0.1",
        FROM: "Anbudsradar <anbudsradar@.>",
    }
    result = run("digest", "--dry-run", env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{FROM}='Anbudsradar <anbudsradar@.>' {NOT_AN_ADDRESS}the domain '.' {LABELS}" in result.stderr
