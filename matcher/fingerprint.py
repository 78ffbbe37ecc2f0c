"""The fingerprint of the tagging logic beside the classifier, so that a change of rules re-tags.

Stored tags are stale when the notice, the classifier artifact or the rules that turn text and
fields into tags have changed. The classifier has its version; the rules (vocabulary, phrase rules,
structured evidence, how sources combine) are code, fingerprinted here by the bytes of their modules.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# The modules whose code decides which tags a notice gets, besides the classifier artifact.
RULE_MODULES = ("analysis", "notes", "rules", "structured", "tagger", "taxonomy", "text", "vocabulary")


def rules_fingerprint(paths: Sequence[Path]) -> str:
    """Return 12 hex digits of sha256 over the names and bytes of the files that hold the rules."""
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


@cache
def shipped_rules_fingerprint() -> str:
    """Return the fingerprint of the rules this installation tags with (read once per process)."""
    return rules_fingerprint([PACKAGE_DIR / f"{name}.py" for name in RULE_MODULES])
