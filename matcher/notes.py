"""Notes that say what the tagger could not analyse, in English and in Swedish.

English goes into the JSON of `anbudsradar tag` and the stored evidence; the web pages show the
Swedish (in_swedish).
"""

from __future__ import annotations

import re

TRUNCATED = "text longer than the analysed part: the rest was searched for social-clause wording only"
LANGUAGE_UNKNOWN = (
    "text not analysed: its language is not stated and is neither Swedish nor English; "
    "tags come from structured fields only"
)
_LANGUAGE_OTHER = (
    "text not analysed: language '{language}' is neither Swedish nor English; tags come from structured "
    "fields only"
)
_SWEDISH = {
    TRUNCATED: "texten är längre än den analyserade delen: resten söktes bara igenom efter sociala krav",
    LANGUAGE_UNKNOWN: (
        "texten analyserades inte: språket anges inte och är varken svenska eller engelska; "
        "taggarna kommer bara från strukturerade fält"
    ),
    _LANGUAGE_OTHER: (
        "texten analyserades inte: språket '{language}' är varken svenska eller engelska; "
        "taggarna kommer bara från strukturerade fält"
    ),
}
_PATTERNS = [
    (re.compile(re.escape(english).replace(re.escape("{language}"), "(?P<language>[^']*)") + "$"), swedish)
    for english, swedish in _SWEDISH.items()
]


def language_other(language: str) -> str:
    """Return the note for text in a stated language that is neither Swedish nor English."""
    return _LANGUAGE_OTHER.format(language=language.replace("'", ""))


def in_swedish(note: str) -> str:
    """Return a note in Swedish for the pages; a note this module did not write is returned as it is."""
    for pattern, swedish in _PATTERNS:
        found = pattern.match(note)
        if found:
            return swedish.format(**found.groupdict())
    return note
