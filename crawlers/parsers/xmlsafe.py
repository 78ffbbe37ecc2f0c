"""Load untrusted XML safely: no DTDs, no entity expansion, no network, bounded size."""

from __future__ import annotations

import re

from lxml import etree

from crawlers.parsers.exceptions import MalformedInputError, UnsafeXMLError

# A DOCTYPE can only stand in the prolog; notices never carry one, so any DTD is refused
# (defusedxml's forbid_dtd policy). The parser is configured so that nothing would be expanded
# or fetched even if the byte scan were fooled (e.g. by UTF-16 input).
_PROLOG_SCAN_BYTES = 65_536
_DTD_RE = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")
_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _new_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


_PARSER = _new_parser()


def load_xml(data: bytes, source_path: str) -> etree._Element:
    """Parse untrusted XML bytes into the root element; raise a ParseError naming the input."""
    if not data or data.isspace():
        raise MalformedInputError(source_path, "empty input")
    prolog = data[:_PROLOG_SCAN_BYTES]
    if _declares_dtd(prolog):
        raise UnsafeXMLError(
            source_path, "XML with a DOCTYPE/entity declaration is refused (entity expansion risk)"
        )
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        reason = f"not well-formed XML: {exc}"
        if "unsupported encoding" in str(exc).lower():
            reason = f"the XML declares an encoding that does not exist: {exc}"
        elif "encoding" in str(exc).lower():
            declared = _ENCODING_RE.match(prolog)
            name = declared.group(1).decode() if declared else "UTF-8 (the default)"
            reason = f"the bytes do not match the declared encoding {name}: {exc}"
        raise MalformedInputError(source_path, reason) from None
    except ValueError as exc:  # e.g. an unknown encoding declaration
        raise MalformedInputError(source_path, f"unreadable XML: {exc}") from None
    if root is None:
        raise MalformedInputError(source_path, "no XML root element")
    if root.getroottree().docinfo.doctype:
        raise UnsafeXMLError(
            source_path, "XML with a DOCTYPE/entity declaration is refused (entity expansion risk)"
        )
    return root


def _declares_dtd(prolog: bytes) -> bool:
    """Whether the start of a document holds a DOCTYPE or ENTITY declaration (UTF-8/16 alike)."""
    if prolog.startswith(_UTF16_MARKS) or b"\x00" in prolog[:4]:
        prolog = prolog.replace(b"\x00", b"")
    return _DTD_RE.search(prolog) is not None


def local_name(element: etree._Element) -> str:
    """Return an element's tag without its namespace."""
    return etree.QName(element).localname
