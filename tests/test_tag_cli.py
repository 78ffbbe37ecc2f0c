"""`anbudsradar tag`, `evaluate` and `bench tag` through click's CliRunner: JSON contract, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import joblib
import pytest
from click.testing import CliRunner

from anbudsradar.cli import main
from anbudsradar.ingest import ingest_paths
from matcher.evaluation import reserved_items
from matcher.exceptions import TrainingDataError
from tests.conftest import real_path

NOTICE_KEYS = ["notice_id", "source_path", "language", "branches", "social", "lots"]


def run(*args: str) -> tuple[int, list[dict[str, object]], str]:
    result = CliRunner().invoke(main, list(args))
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return result.exit_code, lines, result.stderr


@pytest.mark.real_data
def test_tag_prints_one_object_per_notice_with_the_contract_keys() -> None:
    folder = real_path("ted-legacy")
    code, lines, stderr = run("tag", str(folder))
    assert code == 0, stderr
    assert len(lines) == len(list(folder.glob("*.xml")))
    for data in lines:
        assert list(data) == NOTICE_KEYS
        for lot in data["lots"]:  # type: ignore[attr-defined]
            assert list(lot) == ["lot_id", "branches", "social"]
        for tag in [*data["branches"], *data["social"]]:  # type: ignore[misc]
            assert list(tag) == ["code", "score", "evidence"]
            assert 0 <= tag["score"] <= 1 and tag["evidence"]
    reserved = [d for d in lines if any(t["code"] == "reserved_sheltered" for t in d["social"])]  # type: ignore[attr-defined]
    assert len(reserved) >= 3


@pytest.mark.real_data
def test_text_only_ignores_the_cpv_codes() -> None:
    path = str(real_path("eforms/ESP_00262891-2023.xml"))
    _, [full], _ = run("tag", path)
    _, [text_only], _ = run("tag", "--text-only", path)
    assert [t["code"] for t in full["branches"]] == ["cleaning"]  # type: ignore[index]
    assert text_only["branches"] == [] and text_only["social"] == []  # Spanish text is not analysed


@pytest.mark.real_data
def test_failed_inputs_are_named_on_stderr_and_the_others_still_written(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<TED_EXPORT><unclosed>")
    code, lines, stderr = run(
        "tag",
        str(broken),
        str(real_path("ted-legacy/SE_2018S-082-185357.xml")),
        str(tmp_path / "missing.xml"),
    )
    assert code == 1
    assert len(lines) == 1 and lines[0]["notice_id"] == "2018/S 082-185357"
    errors = stderr.strip().splitlines()
    assert len(errors) == 2
    assert "broken.xml" in errors[0] and "missing.xml" in errors[1]


def test_usage_errors_exit_2() -> None:
    assert run("tag", "--text-only")[0] == 2  # stored notices are tagged with every field
    assert run("tag", "--no-such-option", "x.xml")[0] == 2
    assert run("tag", "--batch-size", "0", "x.xml")[0] == 2


@pytest.mark.real_data
def test_tag_without_paths_tags_the_stored_notices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'radar.db'}"
    monkeypatch.setenv("ANBUDSRADAR_DATABASE_URL", url)
    ingest_paths([str(real_path("ted-legacy"))], url)
    first = CliRunner().invoke(main, ["tag"])
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("tagged 14 notices (")
    again = CliRunner().invoke(main, ["retag"])
    assert again.stdout.startswith("tagged 0 notices (0 tags), 14 already up to date")


def test_a_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    code, _, stderr = run("tag", "--model", str(tmp_path / "none.joblib"), str(tmp_path))
    assert code == 1 and "anbudsradar train" in stderr


# A --model file that is no model -> what the error adds; each was a raw traceback from joblib.
NOT_A_MODEL = {
    "text.joblib": (b"not a model\n", "(cannot read it: "),
    "empty.joblib": (b"", "(cannot read it: EOFError)"),  # click printed a bare "Aborted!"
    "list.joblib": ([1, 2], ""),
    "no-model.joblib": ({"format": "anbudsradar-branches/2"}, "(damaged: its model is a NoneType)"),
}


@pytest.mark.parametrize("name", list(NOT_A_MODEL))
def test_a_file_that_is_not_a_model_is_named(tmp_path: Path, name: str) -> None:
    content, words = NOT_A_MODEL[name]
    model = tmp_path / name
    if isinstance(content, bytes):
        model.write_bytes(content)
    else:
        joblib.dump(content, model)
    result = CliRunner().invoke(main, ["tag", "--model", str(model), str(tmp_path / "none.xml")])
    assert result.exit_code == 1, result.output
    assert f"Error: {model}: not a anbudsradar-branches/2 artifact; run `anbudsradar train`" in result.stderr
    assert words in result.stderr and "Traceback" not in result.output


@pytest.mark.real_data
def test_evaluate_reports_both_languages_and_the_baseline(real_data: Path) -> None:
    result = CliRunner().invoke(main, ["evaluate", "--data", str(real_data)])
    assert result.exit_code == 0, result.output
    for words in (
        "### Swedish:",
        "### English:",
        "held-out notices",
        "baseline",
        "Held out from training",
        "### Reserved contracts",
        "annotated 0",  # no held-out title is a training-side corpus title
        "example 0",
        "Micro-F1 95 % bootstrap interval",
        "Against the independent annotation",
        "buyer's main CPV code",
        "what a careful reading of the text alone reaches there",
    ):
        assert words in result.output


def test_evaluate_without_data_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["evaluate", "--data", str(tmp_path / "nowhere")])
    assert result.exit_code == 1 and "--data" in result.stderr


def test_broken_training_data_is_a_clear_error_naming_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "codelists").mkdir()
    codes = tmp_path / "codelists" / "code_sv.xml"
    codes.write_text("<properties>\n<entry key='code|name|cpv.90910000'>Lokalvård\n", encoding="utf-8")
    output = tmp_path / "m.joblib"
    trained = CliRunner().invoke(main, ["train", "--data", str(tmp_path), "--output", str(output)])
    assert trained.exit_code == 1 and f"Error: {codes}:3: not well-formed XML" in trained.stderr
    (tmp_path / "corpus").mkdir()
    corpus = tmp_path / "corpus" / "ted_legacy_corpus.jsonl"
    corpus.write_text('{"notice_id": "2016/S 001-000001", "lang": "SV", "title": \n', encoding="utf-8")
    benched = CliRunner().invoke(main, ["bench", "tag", "--data", str(tmp_path), "--notices", "1"])
    assert benched.exit_code == 1 and f"Error: {corpus}:1: not valid JSON" in benched.stderr
    assert not output.exists()  # each was a raw XMLSyntaxError / JSONDecodeError


def test_a_manifest_without_its_columns_is_a_clear_error(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("path,lang\neforms/x.xml,SV\n", encoding="utf-8")
    expected = f"{manifest}: the header lacks the columns file and reserved"
    with pytest.raises(TrainingDataError, match=expected):
        reserved_items(tmp_path)  # was a raw KeyError: 'file'


@pytest.mark.real_data
def test_bench_tag_reports_rate_and_load_time(real_data: Path) -> None:
    result = CliRunner().invoke(main, ["bench", "tag", "--data", str(real_data), "--notices", "300"])
    assert result.exit_code == 0, result.output
    assert "notices/s" in result.output and "model load" in result.output
