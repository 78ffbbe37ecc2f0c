"""Analyse many texts at once: segments -> spaCy docs (nlp.pipe, batched) -> words and rule hits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from matcher.rules import RuleHit, RuleSet
from matcher.settings import TEXT_LANGUAGES
from matcher.text import Segment, TextPipeline, Word, is_title_field, segments


@dataclass(slots=True)
class AnalysedText:
    """The words and rule hits of one text item (a notice or a lot), by field."""

    lang: str
    fields: dict[str, str]
    words: dict[str, list[Word]] = field(default_factory=dict)
    hits: list[RuleHit] = field(default_factory=list)
    # title field -> offset where its context begins: what follows says whom, where or what on
    context: dict[str, int] = field(default_factory=dict)

    def title_text(self) -> str:
        """Return the cleaned, lower-cased title (the classifier's character n-grams read it)."""
        return " ".join(
            " ".join(w.lower for w in words) for name, words in self.words.items() if is_title_field(name)
        )

    def title_words(self) -> list[Word]:
        """Return the words of title fields."""
        return [w for name, words in self.words.items() if is_title_field(name) for w in words]

    def body_words(self) -> list[Word]:
        """Return the words of the other fields (descriptions), in field order."""
        return [w for name, words in self.words.items() if not is_title_field(name) for w in words]


class Analyser:
    """Holds one text pipeline and rule set per language, loaded on first use."""

    def __init__(self) -> None:
        self._pipelines: dict[str, TextPipeline] = {}
        self._rules: dict[str, RuleSet] = {}

    def pipeline(self, lang: str) -> TextPipeline:
        """Return the text pipeline of a language (loaded once)."""
        if lang not in self._pipelines:
            self._pipelines[lang] = TextPipeline(lang)
        return self._pipelines[lang]

    def rules(self, lang: str) -> RuleSet:
        """Return the rule set of a language (built once)."""
        if lang not in self._rules:
            self._rules[lang] = RuleSet(self.pipeline(lang))
        return self._rules[lang]

    def warm_up(self) -> None:
        """Load every language's pipeline and rules now (model load time is measured with this)."""
        for lang in TEXT_LANGUAGES:
            self.rules(lang)

    def analyse(
        self, items: Sequence[tuple[str, Mapping[str, str | None]]], with_rules: bool = True
    ) -> list[AnalysedText]:
        """Analyse (language, {field: text}) items in batches; languages other than sv/en get no words."""
        results = [AnalysedText(lang, {k: v for k, v in fields.items() if v}) for lang, fields in items]
        jobs: dict[str, list[tuple[int, Segment]]] = defaultdict(list)
        for index, (lang, fields) in enumerate(items):
            if lang not in TEXT_LANGUAGES:
                continue
            for name, text in fields.items():
                jobs[lang] += [(index, segment) for segment in segments(name, text)]
        for lang, pending in jobs.items():
            pipeline = self.pipeline(lang)
            rules = self.rules(lang) if with_rules else None
            docs = pipeline.docs(segment.text for _, segment in pending)
            for (index, segment), doc in zip(pending, docs, strict=True):
                result = results[index]
                words = pipeline.words(doc, segment)
                result.words.setdefault(segment.field, []).extend(words)
                if rules is not None:
                    hits, context = rules.match(doc, segment, words)
                    result.hits += hits
                    if context is not None:
                        result.context.setdefault(segment.field, context)
        return results
