"""Text handling: markup removal keeps offsets, long texts are windowed, compounds split, language guessed."""

from __future__ import annotations

import time

import pytest

from matcher.settings import MAX_FIELD_CHARS
from matcher.text import TextPipeline, clean_text, guess_language, segments, swedish_stem


@pytest.fixture(scope="module")
def swedish() -> TextPipeline:
    return TextPipeline("sv")


MARKUP: list[str] = [
    "<p>Städning av <b>kontor</b></p>",
    "Städning &amp; fönsterputs&nbsp;i <![CDATA[skolor]]>",
    '<div class="x">Lokalvård</div><!-- comment --> &#228;ldreboende &#x00E4;',
    "İstanbul CLEANING\x00\x07 services",
]


@pytest.mark.parametrize("text", MARKUP)
def test_segments_map_back_to_the_original_text(text: str) -> None:
    [segment] = segments("description", text)
    assert "<" not in segment.text.replace("<>", "") and "&amp;" not in segment.text
    for word in ("städning", "lokalvård", "cleaning", "äldreboende", "skolor"):
        position = segment.text.find(word)
        if position >= 0:
            start, end = segment.to_field(position), segment.to_field(position + len(word))
            original = text[start:end].lower()
            assert original == word or original.startswith("&#228;"), (word, original)


def test_markup_alone_keeps_offsets_and_entities_decode_inside_words() -> None:
    cleaned, positions = clean_text("<b>Kontor</b>")
    assert (cleaned, positions) == ("   kontor    ", None)
    cleaned, positions = clean_text("&#228;ldreboende")
    assert cleaned == "äldreboende"
    assert positions is not None and (positions[0], positions[1], positions[-1]) == (0, 6, 16)


def test_short_fields_are_one_segment_and_empty_fields_none() -> None:
    assert [s.text for s in segments("title", "Snöröjning")] == ["snöröjning"]
    assert segments("description", "") == []
    assert segments("description", "   \n ") == []
    assert segments("description", None) == []


def test_long_fields_keep_windows_around_clause_wording_only() -> None:
    filler = "Leverantören ska utföra arbetet enligt bilaga. " * 100_000  # ~4.8 MB
    clause = "Kontraktet är reserverat enligt 4 kap. 18 § LOU."
    text = filler + clause + filler
    started = time.perf_counter()
    parts = segments("description", text)
    assert time.perf_counter() - started < 5
    assert parts[0].offset == 0 and len(parts[0].text) <= MAX_FIELD_CHARS
    [window] = [p for p in parts if "4 kap. 18 §" in p.text]
    assert text[window.offset : window.offset + len(window.text)].lower() == window.text
    assert sum(len(p.text) for p in parts) < 10_000


def test_compound_splitting(swedish: TextPipeline) -> None:
    assert swedish.splitter is not None
    assert swedish.splitter.split("lokalvårdstjänster") == ("lokalvård", "tjänster")
    assert swedish.splitter.split("snöröjningsuppdrag") == ("snöröjning", "uppdrag")
    assert swedish.splitter.split("städning") == ()  # a known word is not split
    assert swedish.splitter.split("abc") == ()


def test_words_carry_field_offsets_lemmas_and_parts(swedish: TextPipeline) -> None:
    text = "Upphandling av lokalvårdstjänster"
    [segment] = segments("title", text)
    [doc] = swedish.docs([segment.text])
    words = swedish.words(doc, segment)
    last = words[-1]
    assert (last.field, text[last.start : last.end]) == ("title", "lokalvårdstjänster")
    assert last.parts == ("lokalvård", "tjänst")
    assert "av" not in [w.lower for w in words]  # stop words are left out
    assert swedish.lemma("tjänster") == "tjänst"


def test_stems_make_inflected_phrases_match() -> None:
    assert swedish_stem("reservera") == swedish_stem("reserverad") == "reserver"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Upphandling av städtjänster för kommunens skolor och förskolor", "sv"),
        ("Provision of cleaning services for the council and its schools", "en"),
        ("Nettoyage des locaux de la mairie", None),
        ("", None),
    ],
)
def test_guess_language(text: str, expected: str | None) -> None:
    assert guess_language(text) == expected
