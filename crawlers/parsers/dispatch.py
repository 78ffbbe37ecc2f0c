"""Recognise a notice's format from its bytes and hand it to the right parser."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from crawlers.parsers import eforms, ocds, ted_legacy
from crawlers.parsers.exceptions import MalformedInputError, ParseError, UnknownFormatError
from crawlers.parsers.inputs import iter_inputs
from crawlers.parsers.record import NoticeRecord, RecordValidationError
from crawlers.parsers.xmlsafe import load_xml, local_name

_EFORMS_ROOTS = frozenset({"ContractNotice", "ContractAwardNotice", "PriorInformationNotice"})
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(slots=True)
class ParseOutcome:
    """What became of one input: its records, or the error; the raw bytes are kept either way."""

    source_path: str
    data: bytes | None
    source_format: str | None = None
    records: list[NoticeRecord] = field(default_factory=list)
    error: ParseError | None = None


def detect_and_parse(data: bytes, source_path: str) -> tuple[str, list[NoticeRecord]]:
    """Return (source_format, records) for notice bytes of any supported format."""
    start = data.lstrip(_UTF8_BOM + b" \t\r\n")[:1]
    if start in (b"{", b"["):
        return "ocds", _validated(ocds.parse(data, source_path))
    if start != b"<" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        if not start:
            raise MalformedInputError(source_path, "empty input")
        raise UnknownFormatError(source_path, "neither XML nor JSON (binary or text data)")
    root = load_xml(data, source_path)
    name = local_name(root)
    if name in _EFORMS_ROOTS:
        return "eforms", _validated(eforms.parse_tree(root, source_path))
    if name == "TED_EXPORT":
        return "ted-legacy", _validated(ted_legacy.parse_tree(root, source_path))
    if name.lower() == "html":
        raise UnknownFormatError(source_path, "this is an HTML page, not a notice")
    raise UnknownFormatError(
        source_path, f"unknown XML root <{name}>: expected an eForms notice or TED_EXPORT"
    )


def parse_paths(paths: Iterable[str]) -> Iterator[ParseOutcome]:
    """Parse every input under the given paths; errors are returned per input, never raised."""
    for path in paths:
        for raw in iter_inputs(path):
            if raw.error is not None or raw.data is None:
                yield ParseOutcome(raw.source_path, raw.data, error=raw.error)
                continue
            yield parse_one(raw.data, raw.source_path)


def parse_one(data: bytes, source_path: str) -> ParseOutcome:
    """Parse one input's bytes into an outcome, turning any failure into a named error."""
    try:
        source_format, records = detect_and_parse(data, source_path)
    except ParseError as exc:
        return ParseOutcome(source_path, data, error=exc)
    except RecordValidationError as exc:
        return ParseOutcome(source_path, data, error=ParseError(source_path, str(exc)))
    except (RecursionError, MemoryError) as exc:
        reason = f"input too deeply nested or too large ({type(exc).__name__})"
        return ParseOutcome(source_path, data, error=ParseError(source_path, reason))
    return ParseOutcome(source_path, data, source_format, records)


def _validated(records: list[NoticeRecord]) -> list[NoticeRecord]:
    return [record.validate() for record in records]
