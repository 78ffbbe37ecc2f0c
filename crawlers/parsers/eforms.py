"""STUB: replaced by the real parser."""

from __future__ import annotations

from lxml import etree

from crawlers.parsers.record import NoticeRecord
from crawlers.parsers.xmlsafe import load_xml


def parse(data: bytes, source_path: str) -> list[NoticeRecord]:
    """Parse notice bytes into records."""
    return parse_tree(load_xml(data, source_path), source_path)


def parse_tree(root: etree._Element, source_path: str) -> list[NoticeRecord]:
    """Parse an already loaded root element into records."""
    raise NotImplementedError
