"""What the web app accepts in free-text inputs: no character PostgreSQL cannot store or a line breaks on."""

from __future__ import annotations


def one_line(value: str | None) -> str | None:
    """Refuse control characters and lone surrogates in a one-line value (a NUL breaks PostgreSQL)."""
    if value is not None and any(ord(char) < 32 or 0xD800 <= ord(char) <= 0xDFFF for char in value):
        raise ValueError("contains control characters")
    return value


def without_nul(value: str | None) -> str | None:
    """Refuse a NUL character in free text that is stored (PostgreSQL cannot store it); keep line breaks."""
    if value is not None and "\x00" in value:
        raise ValueError("contains a NUL character")
    return value
