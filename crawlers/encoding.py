"""Decode fetched feeds and pages whose declared encoding may be wrong (pure, no Scrapy).

Swedish sites often declare UTF-8 and send Latin-1 (or the reverse), which turns "Städning"
into "St�dning" or "StÃ¤dning". Bytes that are valid UTF-8 and not plain ASCII are almost never
anything else, so UTF-8 wins when it decodes; otherwise the declared encoding is used, and
Windows-1252 (a superset of Latin-1) when the declaration is missing, unknown or also fails.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_XML_DECLARATION_RE = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._-]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass(frozen=True, slots=True)
class Decoded:
    """A document's text, the encoding it was read with, and a note when that was not declared."""

    text: str
    encoding: str
    note: str | None = None


def declared_encoding(body: bytes, http_charset: str | None = None) -> str | None:
    """Return the encoding a document declares (XML declaration, HTML meta, then HTTP charset)."""
    for pattern in (_XML_DECLARATION_RE, _META_CHARSET_RE):
        match = pattern.search(body[:2048])
        if match:
            return match.group(1).decode("ascii").lower()
    return http_charset.lower() if http_charset else None


def decode_document(body: bytes, url: str, http_charset: str | None = None) -> Decoded:
    """Decode a feed or page, recovering from a wrong declaration; the note says what was done."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return Decoded(body.decode(encoding, errors="replace").lstrip("\ufeff"), encoding)
    declared = declared_encoding(body, http_charset)
    declared_name = _canonical(declared)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if declared_name in (None, "utf-8") or text.isascii():
            return Decoded(text, "utf-8")
        return Decoded(text, "utf-8", f"{url}: declares {declared.upper()} but is UTF-8; read as UTF-8")
    if declared_name not in (None, "utf-8"):
        try:
            return Decoded(body.decode(declared_name), declared_name)
        except UnicodeDecodeError:
            pass
    named = declared.upper() if declared else "UTF-8 (no declaration)"
    note = f"{url}: the bytes are not valid {named}; read as Windows-1252"
    return Decoded(body.decode("cp1252", errors="replace"), "cp1252", note)


def _canonical(name: str | None) -> str | None:
    if name is None:
        return None
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return None
    return "utf-8" if canonical == "utf-8" else canonical
