"""Errors raised while turning published notice bytes into records."""

from __future__ import annotations


class ParseError(Exception):
    """Base error of the parsers: one input could not be read; names the input and the reason."""

    def __init__(self, source_path: str, reason: str) -> None:
        super().__init__(f"{source_path}: {reason}")
        self.source_path = source_path
        self.reason = reason


class UnsafeXMLError(ParseError):
    """Raised by the safe XML loader for any DOCTYPE/entity declaration (expansion, external entities)."""


class MalformedInputError(ParseError):
    """Raised when bytes are not well-formed XML or JSON (truncated, wrong encoding, random bytes)."""


class UnknownFormatError(ParseError):
    """Raised by format detection when the input is none of eForms, TED legacy XML or OCDS (e.g. HTML)."""


class InputTooLargeError(ParseError):
    """Raised when one input exceeds the configured size limit, to keep memory bounded."""
