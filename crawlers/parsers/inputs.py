"""Read notice inputs as (source_path, bytes): plain files, directories, gzip files and tar archives.

Archives are read member by member (streaming), so a daily TED package of thousands of notices never
has to fit in memory; a broken member or a truncated archive becomes one error and the rest go on.
In a folder, whatever cannot be read (a broken link, a named pipe, a sub-folder that cannot be
listed) becomes one error naming it, so `parse`, `tag`, `ingest` and `bench parse` never skip
anything silently; a named pipe is reported without being opened, so the walk never blocks.
"""

from __future__ import annotations

import gzip
import os
import stat
import tarfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from crawlers.parsers.exceptions import InputTooLargeError, MalformedInputError, ParseError

# One notice is at most a few MB (the largest real eForms file here is ~0.5 MB); anything above this
# is refused so that memory stays bounded whatever is fed in.
MAX_INPUT_BYTES = 64 * 1024 * 1024
NOTICE_SUFFIXES = (".xml", ".json", ".gz", ".tgz", ".tar")
_GZIP_MAGIC = b"\x1f\x8b"
# What a folder entry that is neither a regular file nor a folder is, in the words of `ls -l`.
_SPECIAL_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


@dataclass(slots=True)
class RawInput:
    """One notice file's bytes, or the error that kept them from being read."""

    source_path: str
    data: bytes | None = None
    error: ParseError | None = None


def iter_inputs(path: str) -> Iterator[RawInput]:
    """Yield every notice input under `path` (a file, a directory, a .tar.gz or .gz file)."""
    target = Path(path)
    if target.is_dir():
        yield from _iter_folder(target)
        return
    if not target.exists():
        yield RawInput(path, error=ParseError(path, "no such file or directory"))
        return
    if _is_tar(target):
        yield from _iter_tar(path)
        return
    try:
        size = target.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise InputTooLargeError(path, f"{size} bytes is above the {MAX_INPUT_BYTES} limit")
        data = target.read_bytes()
        yield RawInput(path, data=decompress_if_gzip(data, path))
    except ParseError as exc:
        yield RawInput(path, error=exc)
    except OSError as exc:
        yield RawInput(path, error=ParseError(path, f"cannot read: {exc.strerror or exc}"))


def decompress_if_gzip(data: bytes, source_path: str) -> bytes:
    """Return gunzipped bytes for gzip input (bounded), the bytes unchanged otherwise."""
    if not data.startswith(_GZIP_MAGIC):
        return data
    decompressor = zlib.decompressobj(wbits=31)
    try:
        out = decompressor.decompress(data, MAX_INPUT_BYTES + 1)
    except zlib.error as exc:
        raise MalformedInputError(source_path, f"corrupt gzip data: {exc}") from None
    if len(out) > MAX_INPUT_BYTES:
        raise InputTooLargeError(source_path, f"gunzips to more than {MAX_INPUT_BYTES} bytes")
    if not decompressor.eof:
        raise MalformedInputError(source_path, "truncated gzip data")
    return out


def _iter_folder(folder: Path) -> Iterator[RawInput]:
    """Yield the notice files under `folder` in path order, and an error for each thing unread.

    An entry or sub-folder that cannot be read is an error naming it; hidden files and regular files
    without a notice suffix are left out, and a folder named like a notice file is walked.
    """
    entries: dict[Path, str | None] = {}  # path -> why it cannot be read, None when it may be

    def unlisted(exc: OSError) -> None:
        entries[Path(exc.filename)] = f"cannot list this folder: {exc.strerror or exc}"

    for parent, _folders, names in os.walk(folder, onerror=unlisted):
        for name in names:
            if not name.startswith("."):
                entries[Path(parent, name)] = _unreadable_reason(Path(parent, name))
    for child in sorted(entries):
        reason = entries[child]
        if reason is not None:
            yield RawInput(str(child), error=ParseError(str(child), reason))
        elif _is_notice_file(child):
            yield from iter_inputs(str(child))


def _unreadable_reason(path: Path) -> str | None:
    """Why a folder entry (not a folder) cannot be read as a notice file; None for a regular file.

    Only the entry's status is looked at: a named pipe is never opened, since opening one blocks.
    """
    try:
        mode = path.stat().st_mode  # follows a symbolic link, as reading the file would
    except FileNotFoundError:
        if path.is_symlink():
            return f"broken symbolic link to {str(path.readlink())!r} (its target does not exist)"
        return "vanished while its folder was read"
    except OSError as exc:  # e.g. a symbolic link loop, or a folder on the way that cannot be entered
        return f"cannot read: {exc.strerror or exc}"
    if stat.S_ISREG(mode):
        return None
    kind = next((words for test, words in _SPECIAL_KINDS if test(mode)), "not a regular file")
    return f"{kind}, not a notice file (not opened)"


def _is_notice_file(path: Path) -> bool:
    return not path.name.startswith(".") and path.name.lower().endswith(NOTICE_SUFFIXES)


def _is_tar(path: Path) -> bool:
    name = path.name.lower()
    if name.endswith((".tar", ".tgz", ".tar.gz")):
        return True
    if name.endswith(".gz"):
        try:
            with gzip.open(path) as handle:
                return tarfile.is_tarfile(handle)  # type: ignore[arg-type]
        except (OSError, EOFError, tarfile.TarError):
            return False
    return False


def _open_archive_stream(path: str) -> BinaryIO:
    """Open a tar file, gunzipping through GzipFile, which (unlike tarfile) notices a cut stream."""
    with Path(path).open("rb") as probe:
        compressed = probe.read(2) == _GZIP_MAGIC
    return gzip.open(path, "rb") if compressed else Path(path).open("rb")  # type: ignore[return-value]


def _iter_tar(path: str) -> Iterator[RawInput]:
    """Stream a tar archive member by member; a truncated archive ends with one error."""
    count = 0
    try:
        with _open_archive_stream(path) as stream, tarfile.open(fileobj=stream, mode="r|") as archive:
            for member in archive:
                if not member.isfile():
                    continue
                member_path = f"{path}#{member.name}"
                count += 1
                if member.size > MAX_INPUT_BYTES:
                    error = InputTooLargeError(member_path, f"{member.size} bytes is above the limit")
                    yield RawInput(member_path, error=error)
                    continue
                handle = archive.extractfile(member)
                data = handle.read() if handle is not None else b""
                try:
                    yield RawInput(member_path, data=decompress_if_gzip(data, member_path))
                except ParseError as exc:
                    yield RawInput(member_path, error=exc)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        reason = f"archive unreadable after {count} members: {exc or type(exc).__name__}"
        yield RawInput(path, error=MalformedInputError(path, reason))
