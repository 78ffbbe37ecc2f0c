"""Text handling: markup removal that keeps offsets, long-text windows, spaCy and compound splitting.

The spaCy pipelines are `spacy.blank("sv")` / `spacy.blank("en")` with the lookup lemmatiser from
spacy-lookups-data: no model download. Text is lower-cased before spaCy sees it, because the lookup
tables are case-sensitive and hold lower-case forms. Swedish compounds ("lokalvårdstjänster") are
split against the words of the Swedish lookup table ("lokalvård" + "tjänst").
"""

from __future__ import annotations

import html
import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import spacy
from spacy.attrs import IDX, IS_DIGIT, IS_PUNCT, IS_SPACE, LENGTH, NORM
from spacy.language import Language
from spacy.tokens import Doc

from matcher.settings import MAX_FIELD_CHARS, MAX_WINDOWS, TEXT_LANGUAGES, WINDOW_CHARS
from matcher.vocabulary import trigger_pattern

_MARKUP_RE = re.compile(r"<!\[CDATA\[|\]\]>|<!--|-->|<[/!?]?[A-Za-z][^<>]{0,2000}>|</?>")
_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TRIGGER_RE = re.compile(trigger_pattern())
_WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_HYPHENATED_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")
# Stop words of the two languages, for guessing a language that a record does not state.
_SV_WORDS = frozenset(
    ("och", "att", "för", "av", "med", "som", "på", "är", "till", "det", "den", "en", "ett", "om", "ska")
) | {"inom", "samt", "eller"}
_EN_WORDS = frozenset(
    ("the", "and", "of", "for", "to", "in", "with", "on", "is", "are", "be", "by", "this", "will", "or")
) | {"an", "services"}
# Function words: no rule or feature uses them, so words() leaves them out.
STOP_WORDS = (
    _SV_WORDS | {"de", "vi", "vara", "från"} | (_EN_WORDS - {"services"}) | {"at", "as", "from", "all", "any"}
)
_SKIP: tuple[str, tuple[str, ...]] = ("", ())
@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of one text field, cleaned and lower-cased, and where its characters are in the field.

    Without entities a character i of the segment is at offset + i of the field; where entities were
    decoded ("&#228;" -> "ä") `positions` maps each character (and the end) to its field offset.
    """

    field: str
    offset: int
    text: str
    positions: Sequence[int] | None = None

    def to_field(self, index: int) -> int:
        """Return the field offset of a segment character index (len(text) gives the end)."""
        return self.offset + index if self.positions is None else self.positions[index]


class Word(NamedTuple):
    """One word token: field offsets, surface form, lemma, compound parts, start in its segment.

    A NamedTuple, not a dataclass: tagging builds hundreds of thousands per second.
    """

    field: str
    start: int
    end: int
    lower: str
    lemma: str
    parts: tuple[str, ...]
    local: int = 0

    def forms(self) -> tuple[str, ...]:
        """Return every normalised form a rule or feature may use: surface, lemma and parts."""
        return (self.lower, self.lemma, *self.parts)


def clean_text(text: str) -> tuple[str, Sequence[int] | None]:
    """Blank out markup and control characters, decode entities and lower-case.

    Returns the cleaned text and, only when entities were decoded, the field offset of each of its
    characters plus the end (otherwise offsets are unchanged: markup becomes spaces of equal length).
    """
    if "<" in text or "]]>" in text:
        text = _MARKUP_RE.sub(lambda m: " " * len(m.group()), text)
    positions: array[int] | None = None
    if "&" in text and _ENTITY_RE.search(text):
        text, positions = _decode_entities(text)
    text = _CONTROL_RE.sub(" ", text)
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters ("İ") grow when lower-cased; keep them as they are
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return lowered, positions


def _decode_entities(text: str) -> tuple[str, array[int]]:
    """Replace HTML entities by their character; return the text and each character's old offset."""
    pieces: list[str] = []
    positions: array[int] = array("q")
    last = 0
    for match in _ENTITY_RE.finditer(text):
        pieces.append(text[last : match.start()])
        positions.extend(range(last, match.start()))
        value = html.unescape(match.group())
        pieces.append(value if len(value) == 1 and value.isprintable() else " ")
        positions.append(match.start())
        last = match.end()
    pieces.append(text[last:])
    positions.extend(range(last, len(text) + 1))
    return "".join(pieces), positions


def is_title_field(name: str) -> bool:
    """Tell whether a field is the title of a notice or of a lot ("title", "lots[2].title")."""
    return name == "title" or name.endswith(".title")


def segments(field: str, text: str | None) -> list[Segment]:
    """Cut one field into segments: all of it up to MAX_FIELD_CHARS, then windows around trigger words."""
    if not text or not text.strip():
        return []
    cleaned, positions = clean_text(text)
    if len(cleaned) <= MAX_FIELD_CHARS:
        return [Segment(field, 0, cleaned, positions)]
    cut = cleaned.rfind(" ", 0, MAX_FIELD_CHARS)
    head_end = cut if cut > MAX_FIELD_CHARS // 2 else MAX_FIELD_CHARS
    windows: list[list[int]] = [[0, head_end]]
    for match in _TRIGGER_RE.finditer(cleaned, head_end):
        start = max(head_end, cleaned.rfind(" ", 0, max(0, match.start() - WINDOW_CHARS)) + 1)
        end = cleaned.find(" ", min(len(cleaned), match.end() + WINDOW_CHARS))
        end = len(cleaned) if end < 0 else end
        if start <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], end)
        elif len(windows) <= MAX_WINDOWS:
            windows.append([start, end])
        else:
            break
    return [
        Segment(
            field, start, cleaned[start:end], positions[start : end + 1] if positions is not None else None
        )
        for start, end in windows
    ]


def is_truncated(text: str | None) -> bool:
    """Return True when a field is longer than the part analysed in full."""
    return bool(text) and len(text or "") > MAX_FIELD_CHARS


def guess_language(text: str) -> str | None:
    """Guess "sv" or "en" from common words, or None when neither clearly fits."""
    words = _WORD_RE.findall(text[:5000].lower())
    sv = sum(word in _SV_WORDS for word in words)
    en = sum(word in _EN_WORDS for word in words)
    if max(sv, en) < 2 or sv == en:
        return None
    return "sv" if sv > en else "en"


# Swedish endings cut from a lemma to get the stem that phrases match on: the lookup table gives
# "reserverat" -> "reservera" but "reserverade" -> "reserverad"; both stem to "reserver".
_SV_ENDINGS = ("erna", "arna", "orna", "ade", "at", "ad", "er", "ar", "or", "en", "et", "na", "a", "e", "s")


@lru_cache(maxsize=200_000)
def swedish_stem(lemma: str) -> str:
    """Return a crude stem of a Swedish lemma, never shorter than four letters."""
    for ending in _SV_ENDINGS:
        if lemma.endswith(ending) and len(lemma) - len(ending) >= 4:
            return lemma[: -len(ending)]
    return lemma


@lru_cache(maxsize=4)
def load_nlp(lang: str) -> Language:
    """Return spacy.blank(lang) with the lookup lemmatiser initialised from spacy-lookups-data.

    Each word's NORM is set once per vocabulary entry (not per token) to the stem of its lookup
    lemma; phrases match on NORM. Tagging runs the pipeline with the lemmatiser component disabled
    and takes lemmas from the same lookup table through a cache (TextPipeline.lemma): the result is
    the same, at a fraction of the cost of visiting every token in Python.
    """
    if lang not in TEXT_LANGUAGES:
        raise ValueError(f"no text pipeline for language {lang!r}; expected one of {TEXT_LANGUAGES}")
    nlp = spacy.blank(lang)
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    stem = swedish_stem if lang == "sv" else _same

    def norm(word: str) -> str:
        """Return the stem of the word's lookup lemma (computed once per vocabulary entry)."""
        lower = word.lower()
        lemma = table.get(lower)
        return stem(lemma if isinstance(lemma, str) else lower)

    nlp.vocab.lex_attr_getters[NORM] = norm
    return nlp


def _same(word: str) -> str:
    """Return the word unchanged (English lemmas are their own stem)."""
    return word


class CompoundSplitter:
    """Split Swedish compounds into known words: "snöröjningsuppdrag" -> ("snöröjning", "uppdrag").

    A word is known when it is a form or a lemma of the Swedish lookup table. The split with the
    fewest parts wins; linking letters ("lokalvård-s-tjänster", "gat-u-") are removed.
    """

    MIN_WORD = 7
    MIN_PART = 3

    def __init__(self, is_known: Callable[[str], bool]) -> None:
        self._is_known = is_known
        self._cache: dict[str, tuple[str, ...]] = {}

    def is_known(self, word: str) -> bool:
        """Return True when the word is a form or a lemma of the word list."""
        return self._is_known(word)

    def is_piece(self, word: str) -> bool:
        """Return True when the word is known or splits into known words."""
        return self._is_known(word) or bool(self.split(word))

    def split(self, word: str) -> tuple[str, ...]:
        """Return the parts of a compound, or () when the word is known or not a compound."""
        cached = self._cache.get(word)
        if cached is None:
            cached = () if len(word) < self.MIN_WORD or not word.isalpha() else self._split(word, 3)
            if len(self._cache) < 500_000:
                self._cache[word] = cached
        return cached

    def _split(self, word: str, depth: int) -> tuple[str, ...]:
        """Return the fewest known parts a word splits into, or () (recursing at most depth times)."""
        if self._is_known(word):
            return ()
        best: tuple[str, ...] = ()
        for i in range(self.MIN_PART, len(word) - self.MIN_PART + 1):
            head = word[i:]
            if not self._is_known(head):
                continue
            for modifier in self._modifiers(word[:i], depth):
                candidate = (*modifier, head)
                if not best or len(candidate) < len(best):
                    best = candidate
            if best and len(best) == 2:
                break
        return best

    def _modifiers(self, text: str, depth: int) -> Iterator[tuple[str, ...]]:
        """Yield the readings of a compound's first part as known words (linking letters removed)."""
        forms = [text]
        if text.endswith("s") and len(text) > self.MIN_PART:
            forms.insert(0, text[:-1])
        if text.endswith("u"):
            forms.append(text[:-1] + "a")
        forms.append(text + "a")
        for form in forms:
            if len(form) >= self.MIN_PART and self._is_known(form):
                yield (form,)
                return
        if depth > 1 and len(text) >= 2 * self.MIN_PART:
            for form in forms[:2]:
                parts = self._split(form, depth - 1) if len(form) >= 2 * self.MIN_PART else ()
                if parts:
                    yield parts
                    return


class TextPipeline:
    """The spaCy pipeline of one language plus compound splitting, turning segments into words."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.nlp = load_nlp(lang)
        table = self.nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
        self._table = table
        self._lemmas = frozenset(table.values())
        self._lemma_cache: dict[str, str] = {}
        self._word_cache: dict[str, tuple[str, tuple[str, ...]]] = {}
        if lang == "sv":
            lemmas = self._lemmas
            self.splitter: CompoundSplitter | None = CompoundSplitter(
                lambda word: word in lemmas or word in table
            )
        else:
            self.splitter = None

    def lemma(self, word: str) -> str:
        """Return the lemma of a lower-case word: itself when it is a lemma already, else the table's."""
        cached = self._lemma_cache.get(word)
        if cached is None:
            value = word if word in self._lemmas else self._table.get(word)
            cached = value if isinstance(value, str) else word
            if len(self._lemma_cache) < 500_000:
                self._lemma_cache[word] = cached
        return cached

    def docs(self, texts: Iterable[str], batch_size: int = 256) -> Iterator[Doc]:
        """Tokenise many texts in batches (nlp.pipe); lemmas come from lemma(), NORM from the vocabulary."""
        return self.nlp.pipe(texts, batch_size=batch_size, disable=["lemmatizer"])

    def words(self, doc: Doc, segment: Segment) -> list[Word]:
        """Return the word tokens of one analysed segment (stop words left out).

        Each has field offsets, lemma and compound parts. Token attributes are read as one array,
        so no Token objects are made.
        """
        result: list[Word] = []
        text = segment.text  # the text the doc was made from (doc.text would rebuild it token by token)
        offset, name, positions = segment.offset, segment.field, segment.positions
        cache = self._word_cache
        array = doc.to_array([IDX, LENGTH, IS_PUNCT, IS_SPACE, IS_DIGIT])
        array = array[(array[:, 1] > 1) & (array[:, 2] == 0) & (array[:, 3] == 0) & (array[:, 4] == 0)]
        new = tuple.__new__  # builds the Word tuple without NamedTuple's slower Python-level __new__
        for idx, length in array[:, :2].tolist():
            lower = text[idx : idx + length]
            info = cache.get(lower)
            if info is None:
                info = self._word_info(lower)
                if len(cache) < 500_000:
                    cache[lower] = info
            if info is not _SKIP:
                if positions is None:
                    start, end = offset + idx, offset + idx + length
                else:
                    start, end = positions[idx], positions[idx + length]
                result.append(new(Word, (name, start, end, lower, info[0], info[1], idx)))
        return result

    def _word_info(self, lower: str) -> tuple[str, tuple[str, ...]]:
        """Return (lemma, compound parts) of a token, or _SKIP for stop words and non-words."""
        if len(lower) < 2 or lower in STOP_WORDS:
            return _SKIP
        if lower.isalpha():
            parts = self.splitter.split(lower) if self.splitter is not None else ()
            if parts:
                parts = (*parts[:-1], self.lemma(parts[-1]))
        elif "-" in lower and _HYPHENATED_RE.fullmatch(lower):
            parts = tuple(self._hyphen_parts(lower))
        else:
            return _SKIP
        return self.lemma(lower), parts

    def _hyphen_parts(self, word: str) -> Iterator[str]:
        """Yield the pieces of a hyphenated word ("lss-boende"), each split and lemmatised."""
        for piece in word.split("-"):
            parts = self.splitter.split(piece) if self.splitter is not None else ()
            if parts:
                yield from parts[:-1]
                yield self.lemma(parts[-1])
            else:
                yield self.lemma(piece)
