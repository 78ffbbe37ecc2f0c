"""Read fetched archives: is a gzip body complete, and the members of a .tar.gz, one by one."""

from __future__ import annotations

import io
import tarfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from crawlers.parsers.inputs import MAX_INPUT_BYTES

GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 20


@dataclass(slots=True)
class Member:
    """One file of an archive: its name and bytes, or the reason it could not be read."""

    name: str
    data: bytes | None = None
    error: str | None = None


class TruncatedArchiveError(Exception):
    """Raised by iter_tar_members when the archive ends early; `read` members came before the cut."""

    def __init__(self, reason: str, read: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.read = read


def is_truncated_gzip(body: bytes) -> bool:
    """Whether a gzip body stops before its end (checked by inflating, in bounded memory)."""
    if not body.startswith(GZIP_MAGIC):
        return False
    inflater = zlib.decompressobj(wbits=31)
    try:
        for start in range(0, len(body), _CHUNK):
            inflater.decompress(body[start : start + _CHUNK], _CHUNK)
            while inflater.unconsumed_tail:
                inflater.decompress(inflater.unconsumed_tail, _CHUNK)
            if inflater.eof:
                return False
    except zlib.error:
        return True
    return not inflater.eof


def iter_tar_members(body: bytes) -> Iterator[Member]:
    """Stream the regular files of a (gzipped) tar body; raise TruncatedArchiveError at a cut."""
    read = 0
    mode = "r|gz" if body.startswith(GZIP_MAGIC) else "r|"
    try:
        with tarfile.open(fileobj=io.BytesIO(body), mode=mode) as archive:
            for info in archive:
                if not info.isfile():
                    continue
                if info.size > MAX_INPUT_BYTES:
                    reason = f"{info.size} bytes is above the {MAX_INPUT_BYTES} limit"
                    member = Member(info.name, error=reason)
                else:
                    handle = archive.extractfile(info)
                    member = Member(info.name, data=handle.read() if handle is not None else b"")
                read += 1
                yield member
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise TruncatedArchiveError(
            f"archive unreadable after {read} members: {exc or type(exc).__name__}", read
        ) from None
