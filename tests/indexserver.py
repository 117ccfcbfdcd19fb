"""A local PEP 691 index for the tests, with programmable faults.

Serves ``<data_dir>/<name>.json`` at ``/simple/<name>/`` with the PEP 691
content type and an ETag (304 on a matching If-None-Match), dist files as
small placeholder bodies, and, in ``pip_mode``, a PEP 658 ``.metadata`` file
per dist so that ``pip install --dry-run --report`` never downloads or builds.

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


@dataclass
class Fault:
    kind: str
    params: dict[str, Any] = field(default_factory=dict)


class IndexServer:
    """A ThreadingHTTPServer on 127.0.0.1:0 serving recorded project pages."""

    def __init__(self, data_dir: Path = DATA_DIR, *, pip_mode: bool = False) -> None:
        self.data_dir = data_dir
        self.pip_mode = pip_mode
        self.pages: dict[str, bytes] = {}  # name -> body, overrides the data dir
        self.faults: dict[str, deque[Fault]] = defaultdict(deque)
        self.counts: Counter[str] = Counter()
        self.conditional: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._body_cache: dict[str, bytes] = {}
        self._metadata: dict[str, bytes] = {}
        handler = _make_handler(self)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
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
                body = path.read_bytes()
                if self.pip_mode:
                    body = self._pip_rewrite(body)
            self._body_cache[name] = body
            return body

    def _pip_rewrite(self, body: bytes) -> bytes:
        from packaging.utils import canonicalize_name, parse_wheel_filename

        payload = json.loads(body)
        project = canonicalize_name(payload["name"])
        for f in payload["files"]:
            for key in ("core-metadata", "dist-info-metadata", "data-dist-info-metadata"):
                f.pop(key, None)
            # A metadata file with no hash lets pip resolve from our fake METADATA (PEP 658/714).
            f["core-metadata"] = True
            filename = f["filename"]
            version: Optional[str] = None
            if filename.endswith(".whl"):
                try:
                    version = str(parse_wheel_filename(filename)[1])
                except ValueError:
                    version = None
            else:
                from generator.wheels import file_version

                v = file_version(filename, project)
                version = str(v) if v is not None else None
            if version is not None:
                meta = f"Metadata-Version: 2.1\nName: {payload['name']}\nVersion: {version}\n\n".encode()
                self._metadata[urlsplit(f["url"]).path + ".metadata"] = meta
        return json.dumps(payload).encode()


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
