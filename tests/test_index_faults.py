"""Every class of bad index response: a clear message, a bounded cost, and no poisoned cache.

The fault matrix runs each fault twice: with a good page of the project cached
first (the client must fall back to it with a warning naming what was wrong,
leave the entry byte for byte as it was, and ``--offline`` must still work),
and with an empty cache (the error must say what was wrong, and nothing may be
cached).  Costs are counted, never timed: requests and body bytes at the
server, bytes received and peak memory (tracemalloc) at the client.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import tracemalloc
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any, Optional

import msgpack  # type: ignore[import-untyped]
import pytest
from cachecontrol.controller import CacheController
from indexserver import DATA_DIR, IndexServer, gzip_bomb

from generator.index.client import IndexClient, IndexClientError, IndexDataError, IndexLimits, IndexUnavailable, project_url
from generator.index.cache import PART_MAX_AGE, PageCache

ROOT = Path(__file__).resolve().parent.parent
SIX = "/simple/six/"
CAP = 1 << 20  # the page size cap in these tests; six's page is 16 kB
CHUNK = 64 * 1024  # what the client reads at a time
RETRIES = 2
LIMITS = IndexLimits(max_page_bytes=CAP, deadline=30.0, max_retry_after=5.0, max_failures=6)
SIX_BODY = (DATA_DIR / "six.json").read_bytes()


def _client(server: IndexServer, cache: Path, **kw: Any) -> IndexClient:
    opts: dict[str, Any] = {"cache_dir": cache, "timeout": 5.0, "backoff_factor": 0.0, "progress": False, "retries": RETRIES, "limits": LIMITS}
    opts.update(kw)
    return IndexClient(server.index_url, **opts)


def _entry(client: IndexClient, name: str = "six") -> Path:
    key = CacheController.cache_url(project_url(client.index_url, name))
    return client._cache._path(key)


def _entries(cache: Path) -> list[Path]:
    return [p for p in (cache / "http").rglob("*") if p.is_file() and not p.name.startswith(".") and not p.name.endswith(".lock")]


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith("wheelfix")]


@dataclass(frozen=True)
class Fault:
    id: str
    kind: str
    said: str  # in the warning (with a cached copy) and the error (without)
    error: type[IndexClientError]
    params: dict[str, Any] = field(default_factory=dict)
    deadline: float = LIMITS.deadline
    requests: int = 1  # how many requests the client may send for the page
    body_sent: Optional[int] = None  # at most this many body bytes leave the server (None: not bounded by the client)


FAULTS = [
    Fault("html-200", "html", "came as 'text/html', not 'application/vnd.pypi.simple.v1+json'", IndexDataError),
    Fault("other-project-200", "wrong_project", "name is 'pip', but it must name the project asked for (six)", IndexDataError, {"other": "pip"}),
    Fault("invalid-json", "invalid_json", "is not valid JSON", IndexDataError),
    Fault("wrong-shape", "wrong_shape", "files is {'a.whl': '/a.whl'}, but it must be a list", IndexDataError),
    Fault("json-100k-deep", "deep_json", "nested more than 32 levels deep", IndexDataError, {"depth": 100_000}),
    Fault("gzip-bomb-2gib", "gzip_bomb", "larger than the 1 MiB limit", IndexDataError, {"mib": 2048}),
    # Socket buffers hold what the server wrote past the client's last read: a few MiB on loopback.
    Fault("endless-chunked", "endless", "larger than the 1 MiB limit", IndexDataError, body_sent=CAP + 32 * CHUNK + 16 * CAP),
    # One byte per 50 ms: 0.5 s is ten bytes; 200 bytes would be ten seconds past the deadline.
    Fault("drip-headers", "drip", "did not give the page within the 0.5 s deadline", IndexUnavailable, {"interval": 0.05}, deadline=0.5, body_sent=0),
    Fault("drip-body", "drip_body", "did not give the page within the 0.5 s deadline", IndexUnavailable, {"interval": 0.05}, deadline=0.5, body_sent=200),
    Fault("retry-after-3600", "status", "asked to wait 3600 s before retrying (HTTP 429); wheelfix waits at most 5 s", IndexUnavailable,
          {"code": 429, "headers": {"Retry-After": "3600"}}),
    Fault("retry-after-date", "status", "before retrying (HTTP 503); wheelfix waits at most 5 s", IndexUnavailable,
          {"code": 503, "headers": {"Retry-After": "Fri, 31 Dec 2100 23:59:59 GMT"}}),
    Fault("http-500", "status", "the index answered HTTP 500", IndexUnavailable, {"code": 500}, requests=RETRIES + 1),
    Fault("connection-reset", "reset", "could not be reached (the connection was reset)", IndexUnavailable, requests=RETRIES + 1),
    Fault("cut-off", "truncate", "response was cut off", IndexUnavailable),
]


@pytest.fixture(scope="module", autouse=True)
def _bombs_ready() -> None:
    gzip_bomb(2048)  # built once, outside any memory measurement


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.id)
def test_fault_falls_back_to_the_good_cached_page(
    fault: Fault, index_server: IndexServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "cache"
    good_client = _client(index_server, cache)
    good = good_client.fetch("six")
    stored = _entry(good_client).read_bytes()
    index_server.reset_counts()
    index_server.add_fault(SIX, fault.kind, times=10, **fault.params)
    caplog.set_level(logging.WARNING, logger="wheelfix")
    client = _client(index_server, cache, max_age=timedelta(0), limits=replace(LIMITS, deadline=fault.deadline))

    tracemalloc.start()
    try:
        page = client.fetch("six")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    # A clear message, and the cached data.
    assert page.files == good.files and page.fetched_at == good.fetched_at
    assert client.stats.stale_uses == 1
    said = [m for m in _warnings(caplog) if fault.said in m]
    assert said and said[0].startswith("six: ") and "using cached index data from" in said[0], _warnings(caplog)
    # Bounded: requests, bytes in, memory.
    assert index_server.counts[SIX] <= fault.requests
    assert client.stats.bytes <= CAP + CHUNK
    if fault.body_sent is not None:
        assert index_server.sent[SIX] <= fault.body_sent
    assert peak < 8 * CAP, f"peak traced memory {peak} bytes"
    # Not poisoned: the entry is untouched, and the cache serves --offline once the index is gone.
    assert _entry(good_client).read_bytes() == stored
    index_server.clear_faults()
    offline = _client(index_server, cache, offline=True).fetch("six")
    assert offline.files == good.files


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.id)
def test_fault_without_a_cached_copy_is_a_clear_error(fault: Fault, index_server: IndexServer, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    index_server.add_fault(SIX, fault.kind, times=10, **fault.params)
    client = _client(index_server, cache, limits=replace(LIMITS, deadline=fault.deadline))
    with pytest.raises(fault.error) as info:
        client.fetch("six")
    assert "'six'" in str(info.value) and fault.said in str(info.value)
    assert info.value.hint
    assert index_server.counts[SIX] <= fault.requests
    assert _entries(cache) == []  # nothing of it was stored
    index_server.clear_faults()
    assert _client(index_server, cache).fetch("six").name == "six"  # and a good answer is used at once


# -- what is already in the cache ---------------------------------------------------------


def _rewrite(client: IndexClient, *, headers: Optional[dict[str, str]] = None, body: Optional[bytes] = None) -> None:
    """Change the stored response for six, as an older wheelfix or a crafted file could have left it."""
    key = CacheController.cache_url(project_url(client.index_url, "six"))
    data = client._cache.read(key)
    assert data is not None and data.startswith(b"cc=4,")
    entry = msgpack.loads(data[5:], raw=False)
    entry["response"]["headers"].update(headers or {})
    if body is not None:
        entry["response"]["body"] = body
        entry["response"]["headers"].pop("Content-Encoding", None)
        entry["response"]["headers"]["Content-Length"] = str(len(body))
    client._cache.write(key, b"cc=4," + msgpack.dumps(entry, use_bin_type=True))


def test_a_bad_entry_already_cached_is_refetched_and_replaced(index_server: IndexServer, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cache = tmp_path / "cache"
    first = _client(index_server, cache)
    good = first.fetch("six")
    _rewrite(first, headers={"Content-Type": "text/html"})  # what the HTML-caching bug left behind
    caplog.set_level(logging.WARNING, logger="wheelfix")
    page = _client(index_server, cache).fetch("six")  # inside the freshness window
    assert page.files == good.files
    assert any("the cached page fails the checks" in m for m in _warnings(caplog))
    assert index_server.counts[SIX] == 2  # fetched again rather than failing for the whole window
    again = _client(index_server, cache)
    assert again.fetch("six").files == good.files and again.stats.cache_hits == 1  # the entry is good now


def test_a_304_with_bad_headers_does_not_poison_the_entry(index_server: IndexServer, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cache = tmp_path / "cache"
    good = _client(index_server, cache).fetch("six")
    # CacheControl merges a 304's headers into the stored response.
    index_server.add_fault(SIX, "status", code=304, headers={"Content-Type": "text/html", "ETag": "x"})
    caplog.set_level(logging.WARNING, logger="wheelfix")
    page = _client(index_server, cache, max_age=timedelta(0)).fetch("six")
    assert page.files == good.files
    assert index_server.counts[SIX] == 3  # the first fetch, the 304, and a full fetch instead
    assert _client(index_server, cache, offline=True).fetch("six").files == good.files


def test_deep_json_in_a_cache_entry_is_a_clear_error(index_server: IndexServer, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _client(index_server, cache)
    first.fetch("six")
    _rewrite(first, body=b'{"meta": {"api-version": "1.1"}, "name": "six", "files": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    with pytest.raises(IndexDataError, match="nested more than 32 levels deep"):
        _client(index_server, cache, offline=True).fetch("six")


def test_a_gzip_bomb_in_a_cache_entry_stays_within_the_cap(index_server: IndexServer, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _client(index_server, cache)
    first.fetch("six")
    _rewrite(first, body=gzip_bomb(256))
    _rewrite(first, headers={"Content-Encoding": "gzip"})
    tracemalloc.start()
    try:
        with pytest.raises(IndexDataError, match="cached page for 'six': it is larger than the 1 MiB limit"):
            _client(index_server, cache, offline=True).fetch("six")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * CAP


# -- redirects ---------------------------------------------------------------------------------


def test_a_redirect_is_followed_without_reading_its_body(index_server: IndexServer, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    index_server.add_fault(SIX, "redirect", to=SIX + "?moved=1", endless=True)
    client = _client(index_server, cache)
    page = client.fetch("six")
    assert page.name == "six" and page.files[0].url.startswith(index_server.url + "/packages/")
    assert client.stats.bytes == len(SIX_BODY)  # nothing of the endless redirect body
    assert index_server.counts[SIX] == 2
    # Stored under the project's URL too, so --offline finds it.
    assert _client(index_server, cache, offline=True).fetch("six").files == page.files


@pytest.mark.parametrize("to", ["javascript:alert(1)", "http://[::1", "file:///etc/passwd"])
def test_a_redirect_to_something_else_than_http_is_not_followed(to: str, index_server: IndexServer, tmp_path: Path) -> None:
    index_server.add_fault(SIX, "redirect", to=to)
    with pytest.raises(IndexUnavailable, match="which is not an HTTP URL"):
        _client(index_server, tmp_path / "cache").fetch("six")
    assert index_server.total_requests() == 1


def test_a_redirect_loop_stops(index_server: IndexServer, tmp_path: Path) -> None:
    index_server.add_fault(SIX, "redirect", to=SIX, forever=True)
    with pytest.raises(IndexUnavailable, match="redirected more than 5 times"):
        _client(index_server, tmp_path / "cache").fetch("six")
    assert index_server.counts[SIX] == 6


# -- an index that is down ---------------------------------------------------------------------


@pytest.mark.parametrize("down", ["connection-reset", "connection-refused"])
def test_an_index_that_is_down_is_asked_a_bounded_number_of_times(
    down: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    names = [f"project-{i}" for i in range(500)]  # a large lock file
    server = IndexServer()
    port = server.httpd.server_address[1]
    attempts = []
    connect = socket.socket.connect

    def counting_connect(sock: socket.socket, address: Any) -> Any:
        if isinstance(address, tuple) and address[1] == port:
            attempts.append(address)
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", counting_connect)
    if down == "connection-reset":
        server.add_fault("*", "reset", forever=True)
        server.start()
    else:
        server.httpd.server_close()  # nothing listens there any more
    caplog.set_level(logging.WARNING, logger="wheelfix")
    try:
        client = _client(server, tmp_path / "cache", retries=3, max_workers=8)
        results = client.fetch_many(names)
    finally:
        if down == "connection-reset":
            server.stop()
    # Every attempt fails; after max_failures in a row no new one starts, and each
    # of the other workers has at most one under way.
    bound = LIMITS.max_failures + client.max_workers
    assert len(attempts) <= bound, f"{len(attempts)} connection attempts"
    if down == "connection-reset":
        assert server.total_requests() <= bound
    assert all(isinstance(r, IndexUnavailable) for r in results.values())
    stopped = [n for n, r in results.items() if "so wheelfix stopped asking it" in str(r)]
    assert len(stopped) >= len(names) - bound
    assert f"the index at 127.0.0.1:{port}/simple failed 6 times in a row" in str(results[stopped[0]])
    said = [m for m in _warnings(caplog) if "stopped asking" in m]
    assert len(said) == 1, said  # said once, not per package


def test_an_index_that_is_down_leaves_cached_pages_usable(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    names = sorted(p.name[: -len(".json")] for p in DATA_DIR.glob("*.json") if not p.name.endswith(".headers.json"))
    limits = replace(LIMITS, max_page_bytes=IndexLimits().max_page_bytes)  # some pages are MBs
    with IndexServer() as server:
        good = _client(server, tmp_path / "cache", limits=limits).fetch_many(names)
        # Counted here, not assumed to be len(names): on a loaded machine a read of the
        # healthy server can time out and be retried.
        before = server.total_requests()
        server.add_fault("*", "reset", forever=True)
        caplog.set_level(logging.WARNING, logger="wheelfix")
        client = _client(server, tmp_path / "cache", max_age=timedelta(0), max_workers=4, limits=limits)
        results = client.fetch_many(names)
        assert server.total_requests() - before <= LIMITS.max_failures + client.max_workers
    for name in names:
        assert results[name].files == good[name].files  # type: ignore[union-attr]
    assert client.stats.stale_uses == len(names)
    notes = client.fallback_notes()
    assert notes and all("using cached data" in n for n in notes)
    assert any("so wheelfix stopped asking it" in n for n in notes)


# -- the cache directory ---------------------------------------------------------------------


def test_an_unwritable_cache_directory_warns_once_and_still_answers(index_server: IndexServer, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    names = ["six", "tiktoken", "pip", "annotated-types"]
    caplog.set_level(logging.WARNING, logger="wheelfix")
    for _ in range(2):  # a second client in the same run stays quiet too
        client = _client(index_server, blocker / "cache", max_workers=4)
        results = client.fetch_many(names)
        for name in names:
            assert results[name].name == name  # type: ignore[union-attr]
    warnings = _warnings(caplog)
    assert len(warnings) == 1, warnings
    assert "index cache" in warnings[0] and str(blocker / "cache") in warnings[0] and "continuing without" in warnings[0]
    assert "cut off" not in warnings[0]
    assert index_server.counts[SIX] == 2  # nothing cached: each client asked


def test_a_cache_lock_held_forever_does_not_hang_the_run(
    index_server: IndexServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from filelock import FileLock

    import generator.index.cache as indexcache

    monkeypatch.setattr(indexcache, "_LOCK_TIMEOUT", 0.2)
    client = _client(index_server, tmp_path / "cache")
    entry = _entry(client)
    entry.parent.mkdir(parents=True)
    caplog.set_level(logging.WARNING, logger="wheelfix")
    with FileLock(str(entry) + ".lock"):  # as if a writer was stopped (kill -STOP) holding it
        assert client.fetch("six").name == "six"
    said = _warnings(caplog)
    assert len(said) == 1 and "cannot write the index cache" in said[0], said


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes to read-only directories")
def test_a_read_only_cache_still_serves_offline(index_server: IndexServer, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cache = tmp_path / "cache"
    good = _client(index_server, cache).fetch("six")
    for path in [cache, *cache.rglob("*")]:
        if path.is_dir():
            path.chmod(0o555)
    try:
        caplog.set_level(logging.WARNING, logger="wheelfix")
        assert _client(index_server, cache, max_age=timedelta(0)).fetch("six").files == good.files
        assert _client(index_server, cache, offline=True).fetch("six").files == good.files
        assert len([m for m in _warnings(caplog) if "index cache" in m]) <= 1
    finally:
        for path in [cache, *cache.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)


_KILLED_WRITER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from generator.index.cache import PageCache
    def stuck(src, dst):  # killed between writing the temporary file and renaming it
        print("writing", flush=True)
        time.sleep(600)
    os.replace = stuck
    PageCache(Path(sys.argv[1])).write(sys.argv[2], b"x" * 2_000_000)
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs kill -9")
def test_unfinished_writes_of_killed_runs_are_swept(index_server: IndexServer, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    http = cache / "http"
    writers = []
    for i in range(3):
        proc = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(http), f"key-{i}"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
        writers.append(proc)
    parts = sorted(http.rglob(".tmp-*.part"))
    assert len(parts) == 3
    # A sweep while the writers live leaves their files alone: they are fresh.
    assert PageCache(http).sweep() == 0
    for proc in writers:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert sorted(http.rglob(".tmp-*.part")) == parts  # what kill -9 leaves behind
    old = time.time() - PART_MAX_AGE - 60
    for part in parts[:2]:
        os.utime(part, (old, old))
    hour_ago = time.time() - 3600
    os.utime(http / ".swept", (hour_ago, hour_ago))  # the writers swept just now; sweeps are hourly
    _client(index_server, cache).fetch("six")  # any run that writes sweeps
    assert sorted(http.rglob(".tmp-*.part")) == parts[2:]  # the one still young is kept
    assert (http / ".swept").exists()
