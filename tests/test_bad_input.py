"""Bad input gets a clear error naming it; nothing else is lost; nothing is expanded or fetched."""

from __future__ import annotations

import gzip
import io
import tarfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawlers.parsers.dispatch import parse_one, parse_paths
from crawlers.parsers.exceptions import (
    MalformedInputError,
    ParseError,
    UnknownFormatError,
    UnsafeXMLError,
)

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<TED_EXPORT><TITLE>&lol9;</TITLE></TED_EXPORT>"""

# name -> (bytes, expected error class, words the message must contain)
CASES: dict[str, tuple[bytes, type[ParseError], str]] = {
    "empty": (b"", MalformedInputError, "empty input"),
    "only white space": (b"  \n\t ", MalformedInputError, "empty input"),
    "truncated xml": (
        b'<?xml version="1.0"?><ContractNotice xmlns="urn:oasis:names:specification:ubl:schema:xsd:'
        b'ContractNotice-2"><ID>1</ID><Procure',
        MalformedInputError,
        "not well-formed XML",
    ),
    "random bytes": (bytes(range(256)) * 4, UnknownFormatError, "neither XML nor JSON"),
    "wrong encoding declaration": (
        '<?xml version="1.0" encoding="UTF-8"?><TED_EXPORT><T>Städning</T></TED_EXPORT>'.encode("latin-1"),
        MalformedInputError,
        "do not match the declared encoding UTF-8",
    ),
    "unknown encoding declaration": (
        b'<?xml version="1.0" encoding="no-such-charset"?><TED_EXPORT/>',
        MalformedInputError,
        "declares an encoding that does not exist",
    ),
    "billion laughs": (BILLION_LAUGHS, UnsafeXMLError, "DOCTYPE"),
    "billion laughs in utf-16": (BILLION_LAUGHS.decode().encode("utf-16"), UnsafeXMLError, "DOCTYPE"),
    "external entity": (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b"<TED_EXPORT>&xxe;</TED_EXPORT>",
        UnsafeXMLError,
        "refused",
    ),
    "html page": (
        b"<!-- listing --><html><head><title>Upphandlingar</title></head><body><p>x</p></body></html>",
        UnknownFormatError,
        "HTML",
    ),
    "other xml": (b"<rss version='2.0'><channel/></rss>", UnknownFormatError, "unknown XML root <rss>"),
    "json that is not ocds": (b'{"hello": "world"}', UnknownFormatError, "OCDS"),
    "broken json": (b'{"releases": [', MalformedInputError, "not valid JSON"),
    "json not utf-8": ('{"ocid": "å"}'.encode("utf-16-le"), ParseError, ""),
}


@pytest.mark.parametrize(("data", "error", "words"), CASES.values(), ids=CASES.keys())
def test_bad_input_gets_a_clear_error_naming_it(data: bytes, error: type[ParseError], words: str) -> None:
    result = parse_one(data, "inbox/bad-notice.xml")
    assert result.records == []
    assert isinstance(result.error, error)
    assert str(result.error).startswith("inbox/bad-notice.xml: ")
    assert words in result.error.reason
    assert result.data == data  # the raw bytes are kept for the ingest log


class _CountingHandler(BaseHTTPRequestHandler):
    requests: list[str] = []  # noqa: RUF012 - shared by the test server's handler instances

    def do_GET(self) -> None:
        _CountingHandler.requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"<!ENTITY leaked 'yes'>")

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def local_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _CountingHandler.requests = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_external_entities_and_dtds_are_never_fetched(local_server: str, encoding: str) -> None:
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE TED_EXPORT SYSTEM "{local_server}/doc.dtd" ['
        f'<!ENTITY % remote SYSTEM "{local_server}/param.dtd"> %remote;'
        f'<!ENTITY xxe SYSTEM "{local_server}/secret">]><TED_EXPORT>&xxe;</TED_EXPORT>'
    )
    result = parse_one(xml.encode(encoding), "inbox/xxe.xml")
    assert isinstance(result.error, UnsafeXMLError)
    assert _CountingHandler.requests == []


def _tar_gz(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_archive_members_fail_one_by_one(tmp_path: Path) -> None:
    package = tmp_path / "20261127_2026230.tar.gz"
    package.write_bytes(_tar_gz({"a/empty.xml": b"", "a/laughs.xml": BILLION_LAUGHS, "a/rss.xml": b"<rss/>"}))
    results = list(parse_paths([str(package)]))
    assert [r.source_path for r in results] == [
        f"{package}#a/empty.xml",
        f"{package}#a/laughs.xml",
        f"{package}#a/rss.xml",
    ]
    assert all(r.error is not None and str(r.error).startswith(r.source_path) for r in results)


def test_truncated_archive_reports_once_after_the_members_it_read(tmp_path: Path) -> None:
    whole = _tar_gz({f"n{i}.xml": b"<rss/>" * 2000 for i in range(20)})
    package = tmp_path / "cut.tar.gz"
    package.write_bytes(whole[: len(whole) // 2])
    results = list(parse_paths([str(package)]))
    assert results[-1].source_path == str(package)
    assert isinstance(results[-1].error, MalformedInputError)
    assert "archive unreadable after" in results[-1].error.reason
    assert len(results) > 1  # the members before the cut were still read


def test_truncated_gzip_file(tmp_path: Path) -> None:
    path = tmp_path / "notice.xml.gz"
    path.write_bytes(gzip.compress(b"<TED_EXPORT>" + b"x" * 5000 + b"</TED_EXPORT>")[:40])
    [result] = parse_paths([str(path)])
    assert isinstance(result.error, MalformedInputError)
    assert "gzip" in result.error.reason


def test_missing_path_is_an_error_not_a_crash(tmp_path: Path) -> None:
    [result] = parse_paths([str(tmp_path / "nope.xml")])
    assert result.error is not None and "no such file" in result.error.reason
