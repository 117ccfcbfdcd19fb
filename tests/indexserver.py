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

Faults are set per path and consumed in order::

    server.add_fault("/simple/six/", "status", code=429, headers={"Retry-After": "1"})
    server.add_fault("/simple/six/", "timeout", seconds=1.0)
    server.add_fault("/simple/six/", "truncate")      # Content-Length says more than is sent
    server.add_fault("/simple/six/", "invalid_json")  # 200 with a garbled body
    server.add_fault("/simple/six/", "status", code=404)

``server.counts[path]`` counts every request, ``server.conditional[path]``
those that carried If-None-Match.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from email.utils import formatdate
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


class IndexServer:
    """A ThreadingHTTPServer on 127.0.0.1:0 serving recorded project pages."""

    def __init__(self, data_dir: Path = DATA_DIR, *, pip_mode: bool = False, advertise_all_metadata: bool = False) -> None:
        self.data_dir = data_dir
        self.pip_mode = pip_mode
        self.advertise_all_metadata = advertise_all_metadata
        self.metadata_misses: list[str] = []  # file names whose advertised metadata is not recorded
        self.pages: dict[str, bytes] = {}  # name -> body, overrides the data dir
        self.faults: dict[str, deque[Fault]] = defaultdict(deque)
        self.counts: Counter[str] = Counter()
        self.conditional: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._body_cache: dict[str, bytes] = {}
        self._metadata: dict[str, bytes] = {}
        self._missing: dict[str, str] = {}  # metadata URL path -> file name, advertised but not recorded
        handler = _make_handler(self)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
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

    def add_fault(self, path: str, kind: str, *, times: int = 1, **params: Any) -> None:
        for _ in range(times):
            self.faults[path].append(Fault(kind, params))

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
            from generator.wheels import file_version

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
                self.wfile.write(body)

        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)
            with server._lock:
                server.counts[path] += 1
                if self.headers.get("If-None-Match"):
                    server.conditional[path] += 1
                fault = server.faults[path].popleft() if server.faults.get(path) else None
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
            raise ValueError(f"unknown fault {fault.kind!r}")

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
