"""Tagging notices with ASF branches and social-clause codes (spaCy rules + scikit-learn classifier).

Entry point: `matcher.tagger.Tagger.load().tag_records(records)`; the typed results are in
`matcher.tags`, the codes in `matcher.taxonomy` (docs/taxonomy.md). Importing this package loads
nothing heavy; spaCy and scikit-learn load with `matcher.tagger`.
"""
