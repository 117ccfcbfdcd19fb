"""A local PEP 691 index for the tests, with programmable faults.

Serves ``<data_dir>/<name>.json`` at ``/simple/<name>/`` with the PEP 691
content type and an ETag (304 on a matching If-None-Match), dist files as
small placeholder bodies, and the recorded PEP 658 metadata of some wheels
(``<data_dir>/metadata/<filename>.metadata``, real files from the index):
a page advertises ``core-metadata`` (with the recorded file's sha256) for
exactly those files, so resolvers (uv) read real dependencies and never need
the placeholder dists.  In ``pip_mode`` every other dist gets a made-up
metadata file (name and version, no dependencies) so that
``pip install --dry-run --report`` never downloads or builds.

``advertise_all_metadata=True`` advertises metadata for every file and
answers 404 where none is recorded: ``metadata_misses`` then lists what a
resolver wanted (see bench/record_metadata.py).

Faults are set per path (or ``"*"`` for any path) and consumed in order;
``forever=True`` keeps one in place::

    server.add_fault("/simple/six/", "status", code=429, headers={"Retry-After": "1"})
    server.add_fault("/simple/six/", "timeout", seconds=1.0)
    server.add_fault("/simple/six/", "truncate")      # Content-Length says more than is sent
    server.add_fault("/simple/six/", "invalid_json")  # 200 with a garbled body
    server.add_fault("/simple/six/", "status", code=404)
    server.add_fault("/simple/six/", "html")          # 200 text/html: a captive portal
    server.add_fault("/simple/six/", "wrong_project", other="pip")  # 200: another project's page
    server.add_fault("/simple/six/", "wrong_shape")   # 200: JSON, but not a PEP 691 page
    server.add_fault("/simple/six/", "deep_json", depth=100_000)
    server.add_fault("/simple/six/", "gzip_bomb", mib=256)  # ~250 KB that gunzips to 256 MiB
    server.add_fault("/simple/six/", "endless")       # a chunked body that never ends
    server.add_fault("/simple/six/", "redirect", to="/simple/six/?x", endless=False)  # 301
    server.add_fault("/simple/six/", "drip", interval=0.05)       # the whole response, byte by byte
    server.add_fault("/simple/six/", "drip_body", interval=0.05)  # headers at once, then the body so
    server.add_fault("*", "reset", forever=True)      # every connection dropped unanswered

``server.counts[path]`` counts every request, ``server.conditional[path]``
those that carried If-None-Match, ``server.sent[path]`` the body bytes written
(a write the client no longer reads fails and is not counted).
"""

from __future__ import annotations

import hashlib
import json
import socket
import struct
import threading
import time
import zlib
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from email.utils import formatdate
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Optional
from urllib.parse import unquote, urlsplit

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
DATA_DIR = Path(__file__).parent / "data" / "index"
METADATA_SUFFIX = ".metadata"


@dataclass
class Fault:
    kind: str
    params: dict[str, Any] = field(default_factory=dict)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gives up (the point of several faults) resets its connection.
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class IndexServer:
    """A ThreadingHTTPServer on 127.0.0.1:0 serving recorded project pages."""

    def __init__(self, data_dir: Path = DATA_DIR, *, pip_mode: bool = False, advertise_all_metadata: bool = False) -> None:
        self.data_dir = data_dir
        self.pip_mode = pip_mode
        self.advertise_all_metadata = advertise_all_metadata
        self.metadata_misses: list[str] = []  # file names whose advertised metadata is not recorded
        self.pages: dict[str, bytes] = {}  # name -> body, overrides the data dir
        self.faults: dict[str, deque[Fault]] = defaultdict(deque)
        self.sticky: dict[str, Fault] = {}
        self.counts: Counter[str] = Counter()
        self.conditional: Counter[str] = Counter()
        self.sent: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._body_cache: dict[str, bytes] = {}
        self._metadata: dict[str, bytes] = {}
        self._missing: dict[str, str] = {}  # metadata URL path -> file name, advertised but not recorded
        handler = _make_handler(self)
        self.httpd = _QuietServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        # Resolvers drop connections they no longer need; that is not worth a traceback.
        self.httpd.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:PORT"""
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def index_url(self) -> str:
        """The simple index URL to hand to a client."""
        return self.url + "/simple/"

    def start(self) -> "IndexServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> "IndexServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def add_fault(self, path: str, kind: str, *, times: int = 1, forever: bool = False, **params: Any) -> None:
        with self._lock:
            if forever:
                self.sticky[path] = Fault(kind, params)
                return
            for _ in range(times):
                self.faults[path].append(Fault(kind, params))

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()
            self.sticky.clear()

    def _next_fault(self, path: str) -> Optional[Fault]:
        for key in (path, "*"):
            if self.faults.get(key):
                return self.faults[key].popleft()
        return self.sticky.get(path) or self.sticky.get("*")

    def set_page(self, name: str, payload: Any) -> None:
        """Serve this payload (a dict, or raw bytes) for the project instead of the recorded one."""
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        with self._lock:
            self.pages[name] = body
            self._body_cache.pop(name, None)

    def reset_counts(self) -> None:
        with self._lock:
            self.counts.clear()
            self.conditional.clear()
            self.sent.clear()

    def total_requests(self) -> int:
        return sum(self.counts.values())

    # -- content ------------------------------------------------------------

    def page_body(self, name: str) -> Optional[bytes]:
        with self._lock:
            if name in self._body_cache:
                return self._body_cache[name]
            if name in self.pages:
                body = self.pages[name]
            else:
                path = self.data_dir / f"{name}.json"
                if not path.is_file():
                    return None
                body = self._with_metadata(path.read_bytes())
            self._body_cache[name] = body
            return body

    def _with_metadata(self, body: bytes) -> bytes:
        recorded = self.data_dir / "metadata"
        payload = json.loads(body)
        changed = False
        for f in payload["files"]:
            meta_path = recorded / (f["filename"] + METADATA_SUFFIX)
            url_path = urlsplit(f["url"]).path + METADATA_SUFFIX
            if meta_path.is_file():
                meta = meta_path.read_bytes()
                self._advertise(f, {"sha256": hashlib.sha256(meta).hexdigest()})
                self._metadata[url_path] = meta
            elif self.pip_mode:
                fake = self._fake_metadata(payload["name"], f["filename"])
                if fake is None:
                    continue
                # A metadata file with no hash lets pip resolve from our fake METADATA (PEP 658/714).
                self._advertise(f, True)
                self._metadata[url_path] = fake
            elif self.advertise_all_metadata and f["filename"].endswith(".whl"):
                self._advertise(f, True)
                self._missing[url_path] = f["filename"]
            else:
                continue
            changed = True
        return json.dumps(payload).encode() if changed else body

    @staticmethod
    def _advertise(f: dict[str, Any], value: Any) -> None:
        for key in ("core-metadata", "dist-info-metadata", "data-dist-info-metadata"):
            f.pop(key, None)
        f["core-metadata"] = value

    @staticmethod
    def _fake_metadata(name: str, filename: str) -> Optional[bytes]:
        from packaging.utils import canonicalize_name, parse_wheel_filename

        version: Optional[str] = None
        if filename.endswith(".whl"):
            try:
                version = str(parse_wheel_filename(filename)[1])
            except ValueError:
                version = None
        else:
            from generator.index.page import file_version

            v = file_version(filename, canonicalize_name(name))
            version = str(v) if v is not None else None
        if version is None:
            return None
        return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n".encode()


def _make_handler(server: IndexServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            pass

        def _send(self, code: int, body: bytes, headers: Optional[dict[str, str]] = None, *, length: Optional[int] = None) -> None:
            self.send_response(code)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body) if length is None else length))
            self.end_headers()
            if body:
                self._write(body)

        def _write(self, data: bytes) -> bool:
            """Write body bytes and count them; False once the client has gone."""
            try:
                self.wfile.write(data)
                self.wfile.flush()
            except OSError:
                self.close_connection = True
                return False
            with server._lock:
                server.sent[urlsplit(self.path).path] += len(data)
            return True

        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)
            with server._lock:
                server.counts[path] += 1
                if self.headers.get("If-None-Match"):
                    server.conditional[path] += 1
                fault = server._next_fault(path)
            if fault is not None and self._fault(fault, path):
                return
            if path.startswith("/simple/") and path.count("/") == 3 and path.endswith("/"):
                self._project(path.split("/")[2])
            elif path in server._metadata:
                self._send(200, server._metadata[path], {"Content-Type": "text/plain"})
            elif path in server._missing:
                with server._lock:
                    server.metadata_misses.append(server._missing[path])
                self._send(404, b"", {"Content-Type": "text/plain"})
            elif path.startswith("/packages/"):
                self._send(200, b"placeholder\n", {"Content-Type": "application/octet-stream"})
            else:
                self._send(404, b"", {"Content-Type": "text/plain"})

        def _fault(self, fault: Fault, path: str) -> bool:
            if fault.kind == "timeout":
                time.sleep(float(fault.params.get("seconds", 1.0)))
                return False  # then answer normally, too late for the client
            if fault.kind == "status":
                code = int(fault.params["code"])
                self._send(code, b"", {"Content-Type": "text/plain", **fault.params.get("headers", {})})
                return True
            if fault.kind == "truncate":
                name = path.split("/")[2]
                body = server.page_body(name) or b"{}"
                self._send(200, body[: len(body) // 2], {"Content-Type": JSON_TYPE}, length=len(body))
                self.close_connection = True
                return True
            if fault.kind == "invalid_json":
                self._send(200, b'{"meta": {"api-version": "1.1"}, "name": ', {"Content-Type": JSON_TYPE})
                return True
            if fault.kind in _BODIES:
                body, content_type = _BODIES[fault.kind](server, path, fault.params)
                self._send(200, body, {"Content-Type": content_type})
                return True
            if fault.kind == "gzip_bomb":
                body = gzip_bomb(int(fault.params.get("mib", 256)))
                self._send(200, body, {"Content-Type": JSON_TYPE, "Content-Encoding": "gzip"})
                return True
            if fault.kind == "endless":
                self._endless(200, {"Content-Type": JSON_TYPE})
                return True
            if fault.kind == "redirect":
                location = {"Location": str(fault.params["to"])}
                if fault.params.get("endless"):
                    self._endless(301, {"Content-Type": "text/html", **location})
                else:
                    self._send(301, b"", location)
                return True
            if fault.kind in ("drip", "drip_body"):
                self._drip(path, float(fault.params.get("interval", 0.05)), headers_too=fault.kind == "drip")
                return True
            if fault.kind == "reset":
                # SO_LINGER 0: closing sends a TCP reset, as a dead proxy or firewall does.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                return True
            raise ValueError(f"unknown fault {fault.kind!r}")

        def _endless(self, code: int, headers: dict[str, str]) -> None:
            """A chunked body that goes on until the client hangs up."""
            self.send_response(code)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b" " * 65536
            framed = b"%x\r\n%s\r\n" % (len(chunk), chunk)
            while self._write(framed):
                pass

        def _drip(self, path: str, interval: float, *, headers_too: bool) -> None:
            body = server.page_body(path.split("/")[2]) or b"{}"
            head = (
                f"HTTP/1.1 200 OK\r\nContent-Type: {JSON_TYPE}\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode()
            if not headers_too:
                self.wfile.write(head)
            for i in range(0 if headers_too else len(head), len(head) + len(body)):
                time.sleep(interval)
                byte = (head + body)[i : i + 1]
                try:
                    self.wfile.write(byte)
                except OSError:
                    break
                if i >= len(head):
                    with server._lock:
                        server.sent[path] += 1
            self.close_connection = True

        def _project(self, name: str) -> None:
            body = server.page_body(name)
            if body is None:
                self._send(404, b"", {"Content-Type": "text/plain"})
                return
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            headers = {"ETag": etag, "Date": formatdate(usegmt=True), "Cache-Control": "max-age=600, public"}
            if self.headers.get("If-None-Match") == etag:
                self._send(304, b"", headers)
                return
            headers["Content-Type"] = JSON_TYPE
            headers["X-PyPI-Last-Serial"] = "12345"
            self._send(200, body, headers)

    return Handler


def _html(server: IndexServer, path: str, params: dict[str, Any]) -> tuple[bytes, str]:
    return b"<!doctype html><title>Sign in to the network</title><form>Accept terms</form>", "text/html; charset=utf-8"


def _wrong_project(server: IndexServer, path: str, params: dict[str, Any]) -> tuple[bytes, str]:
    body = server.page_body(str(params.get("other", "pip")))
    assert body is not None
    return body, JSON_TYPE


def _wrong_shape(server: IndexServer, path: str, params: dict[str, Any]) -> tuple[bytes, str]:
    name = path.split("/")[2]
    return json.dumps({"meta": {"api-version": "1.1"}, "name": name, "files": {"a.whl": "/a.whl"}}).encode(), JSON_TYPE


def _deep_json(server: IndexServer, path: str, params: dict[str, Any]) -> tuple[bytes, str]:
    depth = int(params.get("depth", 100_000))
    name = path.split("/")[2]
    nested = "[" * depth + "]" * depth
    return f'{{"meta": {{"api-version": "1.1"}}, "name": "{name}", "files": [], "x": {nested}}}'.encode(), JSON_TYPE


_BODIES = {"html": _html, "wrong_project": _wrong_project, "wrong_shape": _wrong_shape, "deep_json": _deep_json}


@lru_cache(maxsize=4)
def gzip_bomb(mib: int) -> bytes:
    """A single gzip member of ``mib`` MiB of zeros, about 1/1000 of that on the wire.

    One MiB is deflated once with a full flush (which makes its bytes independent
    of what came before) and repeated, so building a big bomb costs no time.
    """
    block = bytes(1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    piece = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(block, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    trailer = struct.pack("<II", crc, (mib << 20) & 0xFFFFFFFF)
    return header + piece * mib + deflate.flush(zlib.Z_FINISH) + trailer
