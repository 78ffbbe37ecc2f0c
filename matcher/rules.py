"""Rules: a spaCy PhraseMatcher over branch words and social-clause wording, plus Swedish compounds.

Phrases match on NORM, the stem of the lookup lemma (text.load_nlp), so "reserverade kontrakt"
matches "reserverat kontrakt"; legal references ("4 kap. 18 § LOU", "Article 20 of Directive
2014/24/EU") are phrases too. Single Swedish words also match inflected forms and inside compounds,
checked against the Swedish word list ("städ-" matches "städtjänster" but not "förstäder"). A clause
is dropped when a negation stands right before it ("inte reserverat") or right after it
("Reserved contracts: No").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from matcher.text import Segment, TextPipeline, Word, is_title_field
from matcher.vocabulary import (
    BRANCH_TERMS,
    BUILDING_WORKS,
    CONTEXT_WORDS,
    GOODS,
    HEADS_NOT_WORK,
    LEAD_WORDS,
    NEGATIONS_AFTER,
    NEGATIONS_BEFORE,
    OBJECT_WORDS,
    RESERVATION_CONTEXT,
    RESERVATION_TRIGGER,
    SOCIAL_TERMS,
    TITLE_ONLY_TERMS,
    is_lead_word,
)

RuleKind = Literal["branch", "social"]
# What a title's first naming word is: branch work, a thing (goods or building works), staff or a
# body or a course, or other work.
_Subject = Literal["work", "thing", "staff", "other"]
# Endings of Swedish nouns, adjectives and verbs that a single-word term may carry.
_INFLECTIONS = frozenset(
    [
        "",
        "en",
        "et",
        "er",
        "erna",
        "ernas",
        "ar",
        "arna",
        "arnas",
        "or",
        "orna",
        "na",
        "n",
        "t",
        "s",
        "a",
        "e",
        "ens",
        "ets",
        "ns",
        "ier",
        "ierna",
        "ade",
        "at",
        "ad",
    ]
)
_NEGATION_WINDOW = 4
_CONTEXT_CHARS = 160
_TRIGGER_RE = re.compile(RESERVATION_TRIGGER)
_CONTEXT_RE = re.compile(RESERVATION_CONTEXT)
_SENTENCE_END_RE = re.compile(r"[.!?;](?:\s|$)")
_WORD_RE = re.compile(r"\w[\w-]*")


@dataclass(frozen=True, slots=True)
class RuleHit:
    """One rule match: what it means (kind, code, score) and where it is (field and offsets)."""

    kind: RuleKind
    code: str
    score: float
    field: str
    start: int
    end: int
    rule: str
    context: bool = False


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: RuleKind
    code: str
    score: float
    rule: str


class _SwedishWords:
    """Single Swedish terms matched in inflected forms and compounds, cached per word."""

    def __init__(self, entries: dict[str, _Entry], is_piece: Callable[[str], bool]) -> None:
        self._entries = entries
        self._is_known = is_piece
        modifiers = [term for term in entries if term.endswith("-")]
        words = [term for term in entries if not term.endswith("-")]
        self._modifier_only = {term[:-1] for term in modifiers}
        alternatives = sorted([*words, *self._modifier_only], key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(term) for term in alternatives))
        self._cache: dict[str, tuple[_Entry, ...]] = {}

    def find(self, word: str) -> tuple[_Entry, ...]:
        """Return the entries whose term is this word, inflected, or a part of it as a compound."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        found: list[_Entry] = []
        for match in self._pattern.finditer(word):
            term, prefix, suffix = match.group(), word[: match.start()], word[match.end() :]
            if prefix and not self._is_piece(prefix, linking=True):
                continue
            modifier_only = term in self._modifier_only
            entry = self._entries[term + "-" if modifier_only else term]
            if not modifier_only and suffix in _INFLECTIONS:
                found.append(entry)
                continue
            head = self._head(suffix)
            if head is None or (entry.kind == "branch" and _head_not_work(head)):
                continue  # not a compound, or one naming something else: "storköksutrustning" is equipment
            found.append(entry)
        result = tuple(found)
        if len(self._cache) < 200_000:
            self._cache[word] = result
        return result

    def _head(self, suffix: str) -> str | None:
        """Return the known word that ends a compound after a term (linking "s" removed), or None."""
        if len(suffix) >= 3 and self._is_piece(suffix):
            return suffix
        if suffix.startswith("s") and len(suffix) >= 4 and self._is_piece(suffix[1:]):
            return suffix[1:]
        return None

    def _is_piece(self, text: str, linking: bool = False) -> bool:
        """Return True when text is a known word (or, before a term, a known word plus a linking letter)."""
        text = text.rstrip("-")
        if len(text) < 2:
            return False
        if self._is_known(text):
            return True
        return linking and text[-1] in "sau" and len(text) > 3 and self._is_known(text[:-1])


class RuleSet:
    """All rules of one language, built once and applied to every analysed segment."""

    def __init__(self, pipeline: TextPipeline) -> None:
        self.pipeline = pipeline
        nlp = pipeline.nlp
        self._entries: dict[str, _Entry] = {}
        self._phrases = PhraseMatcher(nlp.vocab, attr="NORM")
        single: dict[str, _Entry] = {}
        for kind, code, phrase, score in _vocabulary(pipeline.lang):
            entry = _Entry(kind, code, score, phrase)
            if " " in phrase or (pipeline.lang == "en" and "-" in phrase):
                key = f"{kind}|{code}|{phrase}"
                self._entries[key] = entry
                self._phrases.add(key, [nlp(phrase)])
            else:
                single.setdefault(phrase, entry)
        splitter = pipeline.splitter
        self._swedish = _SwedishWords(single, splitter.is_piece) if splitter is not None else None
        self._english = single if splitter is None else {}

    def match(self, doc: Doc, segment: Segment, words: list[Word]) -> tuple[list[RuleHit], int | None]:
        """Return every rule hit in one analysed segment (field offsets), negated clauses left out.

        Also returns, for a title, the field offset where its context begins (None: nowhere).
        """
        hits: list[RuleHit] = []  # offsets within the segment until the end
        strings = doc.vocab.strings
        for match_id, start, end in self._phrases(doc):
            entry = self._entries[strings[match_id]]
            if entry.kind == "social" and _negated(doc, start, end):
                continue
            if entry.kind == "branch" and any(_head_not_work(t.text) for t in doc[end : end + 2]):
                continue  # "catering equipment", "social care workers": not the work
            span = doc[start:end]
            hits.append(_hit(entry, segment.field, span.start_char, span.end_char))
        hits += self._reservations(doc, segment)
        for word in words:
            for entry in self._single(word):
                local_end = word.local + len(word.lower)
                if entry.kind == "social" and _negated_chars(doc, word.local, local_end):
                    continue
                if (
                    entry.kind == "branch"
                    and self.pipeline.lang == "en"
                    and _followed_by_not_work(segment, local_end)
                ):
                    continue
                hits.append(_hit(entry, word.field, word.local, local_end))
        if not is_title_field(segment.field):
            hits = [hit for hit in hits if hit.kind != "branch" or hit.rule not in TITLE_ONLY_TERMS]
        hits, title_context = _mark_context(_deduplicated(hits), segment)
        return [
            replace(hit, start=segment.to_field(hit.start), end=segment.to_field(hit.end)) for hit in hits
        ], None if title_context is None else segment.to_field(title_context)

    def _single(self, word: Word) -> tuple[_Entry, ...]:
        """Return the single-word entries a word or its lemma matches (compound-aware for Swedish).

        The lemma finds plurals that drop a final -a ("matlådor" -> "matlåda", "grönytor" -> "grönyta").
        """
        if self._swedish is not None:
            found = self._swedish.find(word.lower)
            if word.lemma == word.lower:
                return found
            return found + tuple(e for e in self._swedish.find(word.lemma) if e not in found)
        entry = self._english.get(word.lower)
        return (entry,) if entry is not None else ()

    def _reservations(self, doc: Doc, segment: Segment) -> list[RuleHit]:
        """Find "förbehållet ... skyddade verkstäder" style clauses within one sentence (Swedish)."""
        if self.pipeline.lang != "sv":
            return []
        hits: list[RuleHit] = []
        text = segment.text
        for trigger in _TRIGGER_RE.finditer(text):
            context = _CONTEXT_RE.search(text, trigger.end(), trigger.end() + _CONTEXT_CHARS)
            if context is None or _SENTENCE_END_RE.search(text, trigger.end(), context.start()):
                continue
            span = doc.char_span(trigger.start(), trigger.end(), alignment_mode="expand")
            if span is not None and _negated(doc, span.start, span.end):
                continue
            entry = _Entry(
                "social", "reserved_sheltered", 0.9, "förbehållet/reserverat + skyddade/integration"
            )
            hits.append(_hit(entry, segment.field, trigger.start(), context.end()))
        return hits


def _deduplicated(hits: list[RuleHit]) -> list[RuleHit]:
    """Keep, of hits for the same code that overlap, the strongest and then the longest."""
    kept: list[RuleHit] = []
    for hit in sorted(hits, key=lambda h: (-h.score, h.start - h.end, h.start)):
        if not any(
            k.code == hit.code and k.field == hit.field and k.start < hit.end and hit.start < k.end
            for k in kept
        ):
            kept.append(hit)
    return sorted(kept, key=lambda h: (h.field, h.start))


_NOT_WORK_ENDINGS = tuple(sorted(HEADS_NOT_WORK))
_GOODS_ENDINGS = tuple(sorted(GOODS))


def _head_not_work(head: str) -> bool:
    """Tell whether a compound's head, or the word after a phrase, is goods, staff, a body or a course."""
    return head.endswith(_NOT_WORK_ENDINGS)  # a word ends with itself: equal words count too


def _mark_context(hits: list[RuleHit], segment: Segment) -> tuple[list[RuleHit], int | None]:
    """Mark branch hits that stand after a context word following the work already named.

    Title: after the title's subject, the first branch word or the first other word that names
    something ("Cykelreparationer för hemtjänsten": the work is repairs, home care is whom it is
    for); lead words such as "Ramavtal för" name nothing. Description: within one sentence, after
    its first branch word ("kök och måltidsservice för tre äldreboenden"). Hits carry offsets
    within the segment here.

    Also returns where a title's context begins when its subject is work or a thing (None: nowhere,
    or after staff or other work). After other work ("Sysselsättning för personer med
    funktionsnedsättning") or staff ("Partnership for Carers Support") the words that follow may be
    the only sign of what the work is.
    """
    branch = [h for h in hits if h.kind == "branch"]
    title = is_title_field(segment.field)
    if not branch and not title:
        return hits, None
    title_context = None
    if title:
        start, subject = _context_start(segment.text, branch)
        boundaries = [(start, len(segment.text))]
        title_context = start if subject in ("work", "thing") else None
    else:
        boundaries = _description_context(segment.text, branch)
    spans = [(start, end) for start, end in boundaries if start is not None]
    marked = [
        replace(hit, context=True)
        if hit.kind == "branch" and any(start <= hit.start < end for start, end in spans)
        else hit
        for hit in hits
    ]
    return marked, title_context


def _description_context(text: str, branch: list[RuleHit]) -> list[tuple[int | None, int]]:
    """Return (where context begins, where it ends) per sentence of a description.

    Context begins at the first context word after the sentence's first branch word (None: nowhere).
    """
    spans: list[tuple[int | None, int]] = []
    start = 0
    for end in [m.end() for m in _SENTENCE_END_RE.finditer(text)] + [len(text)]:
        first = min((h.end for h in branch if start <= h.start < end), default=None)
        context = None
        if first is not None:
            context = next(
                (w.start() for w in _WORD_RE.finditer(text, first, end) if w.group() in CONTEXT_WORDS), None
            )
        spans.append((context, end))
        start = end
    return spans


def _context_start(text: str, branch: list[RuleHit]) -> tuple[int | None, _Subject | None]:
    """Return the offset of the first context word after the title's subject (or None), and the subject.

    The subject is the first branch word ("work"), or the first other word that names something: a
    thing (goods or building works), staff (staff, a body, a course) or other work. "av"/"of" start
    context only after work, a thing or staff (vocabulary.OBJECT_WORDS).
    """
    subject: _Subject | None = None
    for found in _WORD_RE.finditer(text):
        word = found.group().lower()
        if subject and (word in CONTEXT_WORDS or (word in OBJECT_WORDS and subject != "other")):
            return found.start(), subject
        if subject:
            continue
        if any(h.start <= found.start() < h.end for h in branch):
            subject = "work"
        elif _names_a_thing(word):
            subject = "thing" if _is_goods(word) else "staff"
        elif word.isalpha() and len(word) > 2 and not is_lead_word(word) and word not in CONTEXT_WORDS:
            subject = "other"
    return None, subject


def _names_a_thing(word: str) -> bool:
    """Tell whether a title word names goods, staff or building works ("programvara", "construction")."""
    return word in BUILDING_WORKS or (word not in LEAD_WORDS and len(word) > 2 and _head_not_work(word))


def _is_goods(word: str) -> bool:
    """Tell whether a title word that names a thing names goods or building works, not staff or a body."""
    return word in BUILDING_WORKS or word.endswith(_GOODS_ENDINGS)


def _hit(entry: _Entry, field: str, start: int, end: int) -> RuleHit:
    """Return the hit of a vocabulary entry at these offsets."""
    return RuleHit(entry.kind, entry.code, entry.score, field, start, end, entry.rule)


def _negated(doc: Doc, start: int, end: int) -> bool:
    """Return True when a negation stands within a few tokens before the match or right after it."""
    before = [t.text for t in doc[max(0, start - _NEGATION_WINDOW) : start]]
    if any(word in NEGATIONS_BEFORE for word in before):
        return True
    for token in doc[end : end + 3]:
        if token.is_punct:
            continue
        return token.text in NEGATIONS_AFTER
    return False


def _followed_by_not_work(segment: Segment, end: int) -> bool:
    """Return True when one of the two words after a segment offset is goods, staff... ("vehicles")."""
    following = segment.text[end : end + 40].split()[:2]
    return any(_head_not_work(word.strip(",.;:()")) for word in following)


def _negated_chars(doc: Doc, start_char: int, end_char: int) -> bool:
    """Like _negated, for a match given by character offsets within the doc."""
    span = doc.char_span(start_char, end_char, alignment_mode="expand")
    return span is not None and _negated(doc, span.start, span.end)


def _vocabulary(lang: str) -> list[tuple[RuleKind, str, str, float]]:
    """Return (kind, code, lower-case phrase, score) for every rule of a language."""
    rows: list[tuple[RuleKind, str, str, float]] = []
    for code, by_lang in BRANCH_TERMS.items():
        rows += [("branch", code, term.lower(), 1.0) for term in by_lang.get(lang, ())]
    for code, by_lang in SOCIAL_TERMS.items():
        rows += [("social", code, term.lower(), score) for term, score in by_lang.get(lang, ())]
    return rows
