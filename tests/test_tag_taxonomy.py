"""The taxonomy: CPV prefixes map to branches, and docs/taxonomy.md says the same as the code."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from matcher.taxonomy import BRANCHES, SOCIAL_CODES, branches_for_cpv, cpv_digits, is_branch_ancestor
from matcher.vocabulary import BASELINE_KEYWORDS, BRANCH_TERMS
from tests.conftest import REPO_ROOT

DOC = (REPO_ROOT / "docs" / "taxonomy.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("90911200-8", ("cleaning",)),
        ("90910000", ("cleaning",)),
        ("55524000", ("catering",)),
        ("85312000", ("care",)),
        ("85147000", ()),  # health, not social care
        ("45112710", ("grounds",)),
        ("45112700", ()),
        ("90620000", ("snow_streets",)),
        ("98392000", ("removals_courier",)),
        ("50112300", ("vehicle_care",)),
        ("90000000", ()),
        ("not-a-code", ()),
        (None, ()),
    ],
)
def test_branches_for_cpv(code: str | None, expected: tuple[str, ...]) -> None:
    assert branches_for_cpv(code) == expected


def test_codes_above_a_branch_are_ancestors() -> None:
    assert (
        is_branch_ancestor("90000000") and is_branch_ancestor("45000000") and is_branch_ancestor("85000000")
    )
    assert not is_branch_ancestor("90910000") and not is_branch_ancestor("30000000")
    assert cpv_digits("9091") is None


def test_every_branch_is_documented_with_its_names_and_prefixes() -> None:
    for branch in BRANCHES:
        row = re.search(rf"^\| `{branch.code}` \|(.+)$", DOC, re.MULTILINE)
        assert row, branch.code
        cells = [cell.strip() for cell in row.group(1).split("|")]
        assert cells[:3] == [branch.name_sv, branch.name_en, ", ".join(branch.cpv_prefixes)]


def test_every_social_code_is_documented() -> None:
    for code in SOCIAL_CODES:
        assert f"| `{code.code}` |" in DOC


def test_vocabularies_cover_every_branch_in_both_languages() -> None:
    for branch in BRANCHES:
        for vocabulary in (BRANCH_TERMS, BASELINE_KEYWORDS):
            assert vocabulary[branch.code]["sv"] and vocabulary[branch.code]["en"]


def test_parse_does_not_import_spacy_or_sklearn() -> None:
    code = (
        "import sys; from anbudsradar.cli import main; import anbudsradar.cli.parse_cmd; "
        "import anbudsradar.cli.tag_cmd; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'spacy', 'sklearn', 'scrapy'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )
    assert result.stdout.strip() == "[]"


def test_matcher_never_imports_scrapy() -> None:
    code = "import sys, matcher.tagger, matcher.service, matcher.bench; print('scrapy' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )
    assert result.stdout.strip() == "False"
