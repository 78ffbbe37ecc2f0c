"""A small HTTP server on 127.0.0.1 that answers like the real sources, for the demo, benchmarks and tests.

Routes map a path to a reply, a sequence of replies (served in turn, the last one repeated) or a
function of the request. `ted_search_route` and `ocds_route` answer in the shapes the TED Search
API v3 and OCDS release-package APIs document; every request is logged for inspection.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True, slots=True)
class Reply:
    """One HTTP answer; `cut_at` sends only that many body bytes after a full Content-Length."""

    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    cut_at: int | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    """One request the server received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: float


Route = Reply | Sequence[Reply] | Callable[[Hit], Reply]


class LocalSite:
    """A threaded HTTP/1.1 server on 127.0.0.1 with configurable routes and a request log."""

    def __init__(self, routes: Mapping[str, Route] | None = None) -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.hits: list[Hit] = []
        self._served: dict[str, int] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="localsite", daemon=True)

    @property
    def base_url(self) -> str:
        """Return http://127.0.0.1:PORT (no trailing slash)."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        """Return the absolute URL of a path on this server."""
        return f"{self.base_url}{path}"

    def add(self, path: str, route: Route) -> None:
        """Serve `route` at `path` (the query string is not part of the match)."""
        self.routes[path] = route

    def requests_to(self, path: str) -> list[Hit]:
        """Return the requests received for one path, in order."""
        with self._lock:
            return [hit for hit in self.hits if hit.path == path]

    def start(self) -> LocalSite:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()

    def reply_for(self, hit: Hit) -> Reply:
        """Return the reply of a request: its route's next reply, or 404."""
        with self._lock:
            self.hits.append(hit)
            route = self.routes.get(hit.path)
            if route is None:
                return Reply(404, b"not found", {"Content-Type": "text/plain"})
            if callable(route):
                return route(hit)
            if isinstance(route, Reply):
                return route
            served = self._served.get(hit.path, 0)
            self._served[hit.path] = served + 1
            return route[min(served, len(route) - 1)]


@contextmanager
def serving(routes: Mapping[str, Route] | None = None) -> Iterator[LocalSite]:
    """Run a LocalSite for a block."""
    site = LocalSite(routes).start()
    try:
        yield site
    finally:
        site.stop()


def _handler_for(site: LocalSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real servers do

        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self._answer()

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            hit = Hit(
                self.command,
                parts.path,
                parse_qs(parts.query),
                dict(self.headers.items()),
                body,
                time.monotonic(),
            )
            reply = site.reply_for(hit)
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            if reply.cut_at is not None:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(reply.body if reply.cut_at is None else reply.body[: reply.cut_at])

        def log_message(self, format: str, *args: Any) -> None:
            """Stay quiet: the site keeps its own request log."""

    return Handler


def json_reply(document: Any, status: int = 200) -> Reply:
    """Return a JSON answer."""
    body = json.dumps(document, ensure_ascii=False).encode()
    return Reply(status, body, {"Content-Type": "application/json; charset=utf-8"})


def ted_search_route(notices: Sequence[Mapping[str, Any]]) -> Callable[[Hit], Reply]:
    """Answer POSTs like the TED Search API v3 in ITERATION mode.

    `notices` are result objects ({"publication-number", "publication-date", "links", ...}). The
    query's ``publication-date>=YYYYMMDD`` is applied; pages of ``limit`` carry an
    ``iterationNextToken`` while more remain.
    """

    def answer(hit: Hit) -> Reply:
        try:
            request = json.loads(hit.body)
        except ValueError:
            return json_reply({"message": "body is not JSON"}, 400)
        if hit.method != "POST" or "query" not in request:
            return json_reply({"message": "POST a JSON body with a query"}, 400)
        limit = int(request.get("limit", 10))
        if limit > 250:
            return json_reply({"message": "SEARCH_EXCEEDS_MAX_LIMIT"}, 400)
        matching = [notice for notice in notices if _matches_query(notice, request["query"])]
        start = int(str(request.get("iterationNextToken") or "page-0").removeprefix("page-"))
        page = matching[start : start + limit]
        more = start + limit < len(matching)
        return json_reply(
            {
                "notices": page,
                "totalNoticeCount": len(matching),
                "iterationNextToken": f"page-{start + limit}" if more else None,
                "timedOut": False,
            }
        )

    return answer


def ted_result(
    publication_number: str, published: str, xml_url: str, notice_type: str = "cn-standard"
) -> dict[str, Any]:
    """Return one TED search result object as the API shapes it."""
    return {
        "publication-number": publication_number,
        "publication-date": f"{published}+01:00",
        "notice-type": notice_type,
        "links": {
            "xml": {"MUL": xml_url},
            "pdf": {"SWE": xml_url.replace("/xml", "/pdf")},
            "html": {"SWE": xml_url.replace("/xml", "/html")},
        },
    }


def ocds_route(
    releases: Sequence[Mapping[str, Any]], page_size: int = 50, since_parameter: str = "updatedFrom"
) -> Callable[[Hit], Reply]:
    """Answer GETs like an OCDS release-package API: ``since_parameter`` filter, links.next paging."""

    def answer(hit: Hit) -> Reply:
        since = (hit.query.get(since_parameter) or [""])[0]
        matching = [release for release in releases if str(release.get("date", "")) >= since]
        cursor = int((hit.query.get("cursor") or ["0"])[0])
        page = matching[cursor : cursor + page_size]
        package: dict[str, Any] = {
            "uri": f"http://127.0.0.1/ocds?cursor={cursor}",
            "version": "1.1",
            "publishedDate": "2026-01-01T00:00:00Z",
            "publisher": {"name": "Anbudsradar local test server"},
            "releases": page,
            "links": {},
        }
        if cursor + page_size < len(matching):
            query = (
                f"{since_parameter}={since}&cursor={cursor + page_size}"
                if since
                else f"cursor={cursor + page_size}"
            )
            package["links"]["next"] = f"{hit.path}?{query}"
        return json_reply(package)

    return answer


def _matches_query(notice: Mapping[str, Any], query: str) -> bool:
    match = re.search(r"publication-date>=(\d{8})", query)
    if match is None:
        return True
    published = str(notice.get("publication-date", ""))[:10].replace("-", "")
    return published >= match.group(1)
