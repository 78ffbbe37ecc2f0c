"""STUB: replaced by the real parser."""

from __future__ import annotations

import json

from crawlers.parsers.record import NoticeRecord


def parse(data: bytes, source_path: str) -> list[NoticeRecord]:
    """Parse OCDS JSON bytes into records."""
    return parse_json(json.loads(data), source_path)


def parse_json(document: object, source_path: str) -> list[NoticeRecord]:
    """Parse a loaded OCDS document (release package, record package or release) into records."""
    raise NotImplementedError
