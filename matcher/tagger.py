"""The tagger: structured evidence, rules and the classifier combined into tags per notice and lot.

A tag's score is the highest score any source gives it; its source is that source; its evidence
lists every source that supports it. Structured evidence scores 1.0 (0.9 for additional CPV codes),
so it wins where present. A branch word in a title scores settings.SCORE_RULE_TITLE; in a description
it adds the model's description boost to the classifier's probability of its branch and is shown as
evidence. Only tags at or above their threshold
are returned.

    tagger = Tagger.load()
    for tags in tagger.tag_records(records):
        print(tags.to_dict())
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from crawlers.parsers.record import NoticeRecord
from matcher.analysis import AnalysedText, Analyser
from matcher.classifier import BranchClassifier
from matcher.fingerprint import shipped_rules_fingerprint
from matcher.notes import LANGUAGE_UNKNOWN, TRUNCATED, language_other
from matcher.rules import RuleHit
from matcher.settings import (
    DEFAULT_THRESHOLD,
    MODEL_PATH,
    SCORE_RULE_CONTEXT,
    SCORE_RULE_TITLE,
    TEXT_LANGUAGES,
)
from matcher.structured import Finding, lot_branches, lot_social, notice_branches, notice_social
from matcher.tags import SOURCE_ORDER, Evidence, LotTags, NoticeTags, Tag, TagSource
from matcher.taxonomy import BRANCH_CODES, SOCIAL_CODE_NAMES
from matcher.text import Word, guess_language, is_title_field, is_truncated
from matcher.vocabulary import is_lead_word

MAX_EVIDENCE = 6


@dataclass(slots=True)
class _Candidates:
    """Scores and evidence gathered for the codes of one notice or lot."""

    scores: dict[str, tuple[float, TagSource]] = field(default_factory=dict)
    evidence: dict[str, list[Evidence]] = field(default_factory=lambda: defaultdict(list))

    def add(self, code: str, score: float, source: TagSource, item: Evidence) -> None:
        """Record one source's score and evidence for a code; the highest score wins."""
        best = self.scores.get(code)
        if (
            best is None
            or score > best[0]
            or (score == best[0] and SOURCE_ORDER[source] < SOURCE_ORDER[best[1]])
        ):
            self.scores[code] = (score, source)
        self.evidence[code].append(item)

    def support(self, code: str, item: Evidence) -> None:
        """Attach evidence to a code without scoring it (a branch word in a description)."""
        self.evidence[code].append(item)

    def tags(self, codes: Sequence[str], thresholds: dict[str, float], version: str) -> list[Tag]:
        """Return the tags at or above their threshold, highest score first."""
        result = []
        for code in codes:
            if code not in self.scores:
                continue
            score, source = self.scores[code]
            if score < thresholds.get(code, DEFAULT_THRESHOLD):
                continue
            items = sorted(
                self.evidence[code],
                key=lambda e: (e.source != source, SOURCE_ORDER[e.source]),  # stable: keeps found order
            )
            result.append(
                Tag(code, min(1.0, max(0.0, score)), source, tuple(_unique(items))[:MAX_EVIDENCE], version)
            )
        return sorted(result, key=lambda tag: -tag.score)


def _unique(items: list[Evidence]) -> list[Evidence]:
    """Return evidence items without repeats, in order."""
    seen: set[tuple[object, ...]] = set()
    kept = []
    for item in items:
        key = (item.source, item.field, item.value, item.start, item.end)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


@dataclass(slots=True)
class _Unit:
    """One notice or lot being tagged: the texts it analyses, the texts evidence may quote, results."""

    fields: dict[str, str | None]
    quotable: dict[str, str | None] = field(default_factory=dict)
    candidates: _Candidates = field(default_factory=_Candidates)
    described: set[str] = field(default_factory=set)  # branches whose words rules found in a description
    setting: set[str] = field(default_factory=set)  # branches whose title words say whom it is for
    # (field, start, end, branch) of title words that name the work
    subjects: list[tuple[str, int, int, str]] = field(default_factory=list)
    context: dict[str, int] = field(default_factory=dict)  # title field -> where its context begins

    def own_words(self, code: str) -> bool:
        """Tell whether the rules found a branch's words naming the work (title) or in a description."""
        return code in self.described or any(other == code for *_, other in self.subjects)

    def setting_only(self, code: str) -> bool:
        """Tell whether a branch's title words only say whom or where the work is for."""
        return code in self.setting and not self.own_words(code)

    def quote(self, name: str, start: int, end: int) -> str:
        """Return the original text at these offsets of a field."""
        return (self.quotable.get(name) or self.fields.get(name) or "")[start:end]

    def unsupported(self, code: str, words: Sequence[Word]) -> bool:
        """Tell whether a branch has no word of its own: its words name other work, no work or the setting.

        "Contract for cleaning services": "cleaning" names the cleaning branch and "contract" names
        no work; that laundry's and street cleaning's training labels say "textile-cleaning" and
        "street-cleaning" does not make the notice laundry or street cleaning. In "Tvätt av
        arbetskläder" the workwear is what is washed, not textile work bought.
        """
        if self.own_words(code):
            return False
        return all(
            self._names_other(code, word) or is_lead_word(word.lower) or self._in_context(word)
            for word in words
        )

    def _in_context(self, word: Word) -> bool:
        """Tell whether a word stands in its title's context (after "för", "av"... following the subject)."""
        start = self.context.get(word.field)
        return start is not None and word.start >= start

    def _names_other(self, code: str, word: Word) -> bool:
        """Tell whether a word lies in a title word that names another branch's work."""
        return any(
            other != code and name == word.field and start <= word.start < end
            for name, start, end, other in self.subjects
        )


class Tagger:
    """Tags notices and lots with ASF branches and social-clause codes; load once, tag many."""

    def __init__(
        self, classifier: BranchClassifier, analyser: Analyser | None = None, rules_version: str | None = None
    ) -> None:
        self.classifier = classifier
        self.analyser = analyser or Analyser()
        # which rules tag (matcher.fingerprint): stored tags made by other rules are stale
        self.rules_version = rules_version or shipped_rules_fingerprint()
        self.thresholds = dict.fromkeys(SOCIAL_CODE_NAMES, DEFAULT_THRESHOLD)
        self.thresholds.update(
            {code: float(t) for code, t in zip(classifier.branches, classifier.thresholds, strict=True)}
        )

    @classmethod
    def load(cls, model_path: Path = MODEL_PATH, warm_up: bool = True) -> Tagger:
        """Load the shipped classifier and, with warm_up, the spaCy pipelines of both languages.

        After warm-up the loaded objects (lookup tables, vocabularies) are moved out of the garbage
        collector's way (gc.freeze): they live as long as the process, and scanning them again and
        again costs a fifth of the tagging time.
        """
        tagger = cls(BranchClassifier.load(model_path))
        if warm_up:
            tagger.analyser.warm_up()
            gc.collect()
            gc.freeze()
        return tagger

    @property
    def model_version(self) -> str:
        """The version of the classifier artifact; stored with every tag."""
        return self.classifier.version

    @property
    def version(self) -> str:
        """The classifier's version and the rules' fingerprint: stored tags of another are stale."""
        return f"{self.model_version}+rules-{self.rules_version}"

    def tag_records(self, records: Sequence[NoticeRecord], text_only: bool = False) -> list[NoticeTags]:
        """Tag notices and their lots; text_only ignores CPV codes and every structured field."""
        results: list[NoticeTags] = []
        units: list[tuple[str, _Unit, AnalysedText | None]] = []
        plans: list[tuple[NoticeRecord, NoticeTags, _Unit, list[_Unit], str | None]] = []
        for record in records:
            lang, notes = self._language(record)
            tags = NoticeTags(record.notice_id, record.source_path, lang or record.language, notes=notes)
            notice_unit = _Unit({"title": record.title, "description": record.description})
            lot_units = [
                _Unit({f"lots[{i}].title": lot.title, f"lots[{i}].description": lot.description})
                for i, lot in enumerate(record.lots)
            ]
            for unit in lot_units:
                notice_unit.quotable.update(unit.fields)
            note = notes[0] if notes else None
            if not text_only:
                self._structured(record, notice_unit, lot_units, note)
            plans.append((record, tags, notice_unit, lot_units, lang))
            units += [(lang or "", unit, None) for unit in (notice_unit, *lot_units)]
            results.append(tags)
        analysed = self.analyser.analyse([(lang, unit.fields) for lang, unit, _ in units])
        by_unit = {id(unit): text for (_, unit, _), text in zip(units, analysed, strict=True)}
        to_classify: list[tuple[_Unit, AnalysedText]] = []
        for _record, _tags, notice_unit, lot_units, lang in plans:
            if lang is None:
                continue
            lot_texts = [by_unit[id(unit)] for unit in lot_units]
            notice_text = _merged(by_unit[id(notice_unit)], lot_texts)
            notice_unit.context = notice_text.context
            for unit, text in zip(lot_units, lot_texts, strict=True):
                unit.context = text.context
            to_classify.append((notice_unit, notice_text))
            to_classify += list(zip(lot_units, lot_texts, strict=True))
            self._rules(notice_unit, notice_text.hits)
            for unit, text in zip(lot_units, lot_texts, strict=True):
                self._rules(unit, text.hits)
        self._classify([pair for pair in to_classify if pair[1].words])
        version = self.model_version
        for record, tags, notice_unit, lot_units, _lang in plans:
            tags.branches = notice_unit.candidates.tags(BRANCH_CODES, self.thresholds, version)
            tags.social = notice_unit.candidates.tags(SOCIAL_CODE_NAMES, self.thresholds, version)
            tags.lots = [
                LotTags(
                    lot.lot_id,
                    unit.candidates.tags(BRANCH_CODES, self.thresholds, version),
                    unit.candidates.tags(SOCIAL_CODE_NAMES, self.thresholds, version),
                )
                for lot, unit in zip(record.lots, lot_units, strict=True)
            ]
        return results

    def _language(self, record: NoticeRecord) -> tuple[str | None, list[str]]:
        """Return the language whose text is analysed (None: none) and notes explaining a fallback."""
        notes: list[str] = []
        texts = [record.title, record.description, *(lot.title for lot in record.lots)]
        text = " ".join(t for t in texts if t)
        if any(is_truncated(t) for t in (record.description, *(lot.description for lot in record.lots))):
            notes.append(TRUNCATED)
        if record.language in TEXT_LANGUAGES:
            return record.language, notes
        if record.language is None:
            guessed = guess_language(text)
            if guessed is not None:
                return guessed, notes
            if text.strip():
                notes.insert(0, LANGUAGE_UNKNOWN)
            return None, notes
        notes.insert(0, language_other(record.language))
        return None, notes

    def _structured(self, record: NoticeRecord, notice: _Unit, lots: list[_Unit], note: str | None) -> None:
        """Add the structured evidence of the notice and its lots."""
        for finding in notice_branches(record, note) + notice_social(record, note):
            _add(notice.candidates, finding)
        for index, (lot, unit) in enumerate(zip(record.lots, lots, strict=True)):
            prefix = f"lots[{index}]"
            for finding in lot_branches(lot, prefix, note) + lot_social(lot, prefix, note):
                _add(unit.candidates, finding)
            for finding in lot_branches(lot, prefix, note):
                notice.candidates.support(finding.code, finding.evidence)

    def _rules(self, unit: _Unit, hits: list[RuleHit]) -> None:
        """Add rule hits: social clauses anywhere, branch words scored in titles only.

        A branch word in a description boosts the classifier's score of its branch unless it only
        says whom or where the work is for.
        """
        for hit in hits:
            text = unit.quote(hit.field, hit.start, hit.end)
            item = Evidence("rules", hit.field, text=text, start=hit.start, end=hit.end, rule=hit.rule)
            if hit.kind == "social":
                unit.candidates.add(hit.code, hit.score, "rules", item)
            elif is_title_field(hit.field):
                weight = SCORE_RULE_CONTEXT if hit.context else SCORE_RULE_TITLE
                unit.candidates.add(hit.code, weight * hit.score, "rules", item)
                if hit.context:
                    unit.setting.add(hit.code)
                else:
                    unit.subjects.append((hit.field, hit.start, hit.end, hit.code))
            else:
                unit.candidates.support(hit.code, item)
                if not hit.context:  # "måltidsservice för tre äldreboenden": care is the setting
                    unit.described.add(hit.code)

    def _classify(self, pairs: list[tuple[_Unit, AnalysedText]]) -> None:
        """Add the classifier's branch scores (those at or above the threshold) with their top words.

        A branch word that the rules found in a description adds the model's description boost to
        that branch's probability (the word itself is already attached as evidence). A branch whose
        title words only say whom the work is for ("Trädgårdsskötsel vid äldreboenden") keeps at
        most the rules' context score: the classifier reads those words as it reads the work. A
        branch whose strongest words all name other branches or no work at all is left out.
        """
        if not pairs:
            return
        probabilities = self.classifier.predict_proba([text for _, text in pairs])
        version = self.model_version
        boost = self.classifier.description_boost
        for (unit, text), row in zip(pairs, probabilities, strict=True):
            for code, probability in zip(self.classifier.branches, row, strict=True):
                score = min(1.0, float(probability) + boost) if code in unit.described else float(probability)
                if unit.setting_only(code):
                    score = min(score, SCORE_RULE_CONTEXT)
                if score < self.thresholds[code]:
                    continue
                words = self.classifier.explain(text, code)
                if words and unit.unsupported(code, [word for word, _ in words]):
                    continue
                items = [
                    Evidence(
                        "classifier",
                        w.field,
                        text=unit.quote(w.field, w.start, w.end),
                        start=w.start,
                        end=w.end,
                        weight=weight,
                        model_version=version,
                    )
                    for w, weight in words
                ] or [Evidence("classifier", "text", model_version=version)]
                for item in items:
                    unit.candidates.add(code, score, "classifier", item)


def _add(candidates: _Candidates, finding: Finding) -> None:
    """Record a structured finding as a candidate tag."""
    candidates.add(finding.code, finding.score, "structured", finding.evidence)


def _merged(notice: AnalysedText, lots: list[AnalysedText]) -> AnalysedText:
    """Return the notice's text with its lots' texts added (the notice-level classifier reads all)."""
    merged = AnalysedText(
        notice.lang, dict(notice.fields), dict(notice.words), list(notice.hits), dict(notice.context)
    )
    for lot in lots:
        merged.fields.update(lot.fields)
        merged.words.update(lot.words)
        merged.hits += lot.hits
        merged.context.update(lot.context)
    return merged
