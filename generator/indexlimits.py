"""The bounds on every exchange with the index: size, time, waiting and failing.

Index responses are untrusted input.  Whatever the server (or a proxy, or a
captive portal) sends, one page costs at most:

- :attr:`IndexLimits.max_page_bytes` of body, counted after gzip decoding,
  which :func:`read_body` does itself chunk by chunk so that a 2 MB gzip bomb
  never expands past the cap in memory;
- :attr:`IndexLimits.deadline` seconds for everything (connecting, retries,
  redirects, headers and body): a watchdog thread shuts down the socket of a
  page that overruns, so a server dripping one byte every few seconds (which
  no per-read timeout catches) cannot hold a run;
- a ``Retry-After`` of at most :attr:`IndexLimits.max_retry_after` seconds;
  a longer one is refused, not slept;
- and, for the whole run, :attr:`IndexLimits.max_failures` failed attempts in
  a row before the :class:`CircuitBreaker` stops asking an index that is down.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import logging
import socket
import threading
import time
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Iterator, Optional

from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError, ReadTimeoutError
from urllib3.exceptions import ConnectTimeoutError, SSLError
from urllib3.util.retry import Retry

__all__ = [
    "BoundedRetry",
    "BodyCutOff",
    "BodyError",
    "CircuitBreaker",
    "Deadline",
    "IndexLimits",
    "bounded",
    "describe_failure",
    "read_body",
    "retry_after_seconds",
    "watch_sockets",
]

logger = logging.getLogger("wheelfix.index")

_CHUNK = 64 * 1024


@dataclass(frozen=True)
class IndexLimits:
    """How much one index page may cost, and how many failures a run tolerates."""

    max_page_bytes: int = 64 * 1024 * 1024  # decoded body; the largest real pages are a few MB
    deadline: float = 120.0  # seconds per page, attempts, waits and redirects included
    max_retry_after: float = 60.0  # seconds: a longer Retry-After gives up at once
    max_failures: int = 6  # failed attempts in a row (any package) before the run stops asking
    max_redirects: int = 5


class BodyError(ValueError):
    """A response body broke a bound or cannot be decoded."""


class BodyCutOff(BodyError):
    """A response body ended before its Content-Length."""


# -- the body -------------------------------------------------------------------


class _Gunzip:
    """gzip decoding with a bound on output, member after member like urllib3's decoder."""

    def __init__(self) -> None:
        self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._fed = False  # the current member has input
        self._members = 0
        self._ignore_rest = False

    def feed(self, data: bytes, room: int) -> bytes:
        """Decode ``data``, producing at most ``room`` bytes (more input than that is left unread)."""
        pieces = []
        while data and room > 0 and not self._ignore_rest:
            if self._z.eof:
                self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
                self._fed = False
            try:
                piece = self._z.decompress(data, room)
            except zlib.error as exc:
                if self._members:  # garbage after a complete member: ignored, as urllib3 does
                    self._ignore_rest = True
                    break
                raise BodyError(f"its gzip data is corrupt ({exc})") from None
            self._fed = True
            pieces.append(piece)
            room -= len(piece)
            if self._z.eof:
                self._members += 1
                data = self._z.unused_data
            else:
                data = self._z.unconsumed_tail  # non-empty only when room ran out
        return b"".join(pieces)

    def finish(self) -> None:
        if self._fed and not self._z.eof and not self._ignore_rest:
            raise BodyCutOff("its gzip data ends early")


def read_body(raw: Any, content_encoding: str, cap: int, on_bytes: Callable[[int], None], *, length: Optional[str] = None) -> bytes:
    """Read a urllib3 response's body, decoded, refusing more than ``cap`` bytes in or out.

    ``on_bytes`` is told the size of each chunk received, for the statistics;
    ``length`` is the Content-Length header, checked here because urllib3 1.x does not.
    Raises :class:`BodyError`; transport errors (urllib3's, OSError) pass through.
    """
    encoding = content_encoding.strip().lower()
    decoder: Optional[_Gunzip] = None
    if encoding in ("gzip", "x-gzip"):
        decoder = _Gunzip()
    elif encoding not in ("", "identity"):
        raise BodyError(f"it came with Content-Encoding {encoding!r}, which wheelfix does not ask for")
    out = bytearray()
    received = 0
    while True:
        chunk = raw.read(_CHUNK, decode_content=False)
        if not chunk:
            break
        received += len(chunk)
        on_bytes(len(chunk))
        out += decoder.feed(chunk, cap + 1 - len(out)) if decoder is not None else chunk
        if len(out) > cap or received > cap:
            raise BodyError(f"it is larger than the {_size(cap)} limit")
    expected = int(length) if length is not None and length.strip().isdigit() and len(length.strip()) < 16 else None
    if expected is not None and received < expected:
        raise BodyCutOff(f"it was cut off after {received} of {expected} bytes")
    if decoder is not None:
        decoder.finish()
    return bytes(out)


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MiB" if n >= 1024 * 1024 and n % (1024 * 1024) == 0 else f"{n} bytes"


def retry_after_seconds(value: Optional[str], now: Optional[datetime] = None) -> Optional[float]:
    """The wait a ``Retry-After`` header asks for (seconds or an HTTP date), or None if absent or unreadable."""
    text = (value or "").strip()
    if not text:
        return None
    if text.isdigit():
        return float(text) if len(text) < 16 else float("inf")
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


# -- the deadline -----------------------------------------------------------------


class Deadline:
    """The time one page may take; past it the watchdog shuts its sockets down."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self._expired = False
        self._open = True
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    @property
    def expired(self) -> bool:
        """The time is up (whether or not the watchdog has acted yet)."""
        return self._expired or time.monotonic() >= self.at

    @property
    def fired(self) -> bool:
        """The watchdog shut this page's sockets down: whatever was read since may be cut short."""
        return self._expired

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def watch(self, sock: Optional[socket.socket]) -> None:
        if sock is None:
            return
        with self._lock:
            if not self._open:
                return
            if self._expired:
                _shut(sock)
            else:
                self._sockets.append(sock)

    def release(self) -> None:
        """The body is read: its connection may go back to the pool, out of the watchdog's reach."""
        with self._lock:
            self._sockets = []

    def _expire(self) -> None:
        with self._lock:
            if not self._open:
                return
            self._expired = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shut(sock)

    def _close(self) -> None:
        with self._lock:
            self._open = False
            self._sockets = []


def _shut(sock: socket.socket) -> None:
    # shutdown(), not close(): it wakes a recv() blocked in another thread, and the
    # file descriptor stays owned (and later closed) by its connection.  The plain
    # socket method, so that an SSL socket's state is left to its own thread.
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


class _Watchdog:
    """One daemon thread for the process, expiring deadlines in time order."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._thread: Optional[threading.Thread] = None

    def add(self, deadline: Deadline) -> None:
        with self._cond:
            heapq.heappush(self._heap, (deadline.at, next(self._order), deadline))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="wheelfix-index-deadlines", daemon=True)
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while True:
                    while self._heap and not self._heap[0][2]._open:
                        heapq.heappop(self._heap)  # finished in time
                    if not self._heap:
                        self._cond.wait()
                        continue
                    delay = self._heap[0][0] - time.monotonic()
                    if delay <= 0:
                        due = heapq.heappop(self._heap)[2]
                        break
                    self._cond.wait(delay)
            due._expire()


_WATCHDOG = _Watchdog()
_current = threading.local()


@contextmanager
def bounded(limits: IndexLimits, breaker: "CircuitBreaker") -> Iterator[Deadline]:
    """Run one page's fetch in this thread under ``limits.deadline`` and ``breaker``."""
    deadline = Deadline(limits.deadline)
    _WATCHDOG.add(deadline)
    _current.state = (deadline, breaker)
    try:
        yield deadline
    finally:
        _current.state = None
        deadline._close()


def _state() -> Optional[tuple[Deadline, "CircuitBreaker"]]:
    state: Optional[tuple[Deadline, CircuitBreaker]] = getattr(_current, "state", None)
    return state


def watch_sockets(manager: Any) -> None:
    """Make a urllib3 PoolManager's connections hand their socket to the current deadline.

    The socket is handed over when the response is awaited, so both a slow
    header and a slow body are cut at the deadline.
    """
    classes = getattr(manager, "pool_classes_by_scheme", None)
    if isinstance(classes, dict):
        manager.pool_classes_by_scheme = {scheme: _watched_pool(cls) for scheme, cls in classes.items()}


@functools.lru_cache(maxsize=None)
def _watched_pool(pool_cls: type[Any]) -> type[Any]:
    if getattr(pool_cls, "_wheelfix_watched", False):
        return pool_cls
    base: type[Any] = pool_cls.ConnectionCls

    def getresponse(self: Any, *args: Any, **kwargs: Any) -> Any:
        state = _state()
        if state is not None:
            state[0].watch(getattr(self, "sock", None))
        return base.getresponse(self, *args, **kwargs)

    connection = type(f"Watched{base.__name__}", (base,), {"getresponse": getresponse})
    return type(f"Watched{pool_cls.__name__}", (pool_cls,), {"ConnectionCls": connection, "_wheelfix_watched": True})


# -- failing ----------------------------------------------------------------------


def describe_failure(exc: BaseException) -> str:
    """A few words for a transport failure, for messages: 'connection refused', 'timed out'."""
    seen: set[int] = set()
    current: Optional[BaseException] = exc
    while current is not None and id(current) not in seen:  # urllib3 and requests nest their errors
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError):
            return "connection refused"
        if isinstance(current, (ConnectionResetError, ConnectionAbortedError)):
            return "the connection was reset"
        if isinstance(current, SSLError):
            return "the TLS handshake failed"
        # Before the timeouts: urllib3 2 makes NewConnectionError a ConnectTimeoutError.
        if isinstance(current, NewConnectionError) and "refused" in str(current):
            return "connection refused"
        if isinstance(current, (ReadTimeoutError, ConnectTimeoutError, socket.timeout, TimeoutError)) and not isinstance(current, NewConnectionError):
            return "timed out"
        if isinstance(current, MaxRetryError) and current.reason is not None:
            current = current.reason
            continue
        nested = current.args[1] if isinstance(current, ProtocolError) and len(current.args) > 1 else None
        current = nested if isinstance(nested, BaseException) else (current.__context__ or current.__cause__)
    if "timed out" in str(exc):
        return "timed out"
    return "connection failed"


class CircuitBreaker:
    """Counts failed attempts in a row, across pages; at the limit the run stops asking."""

    def __init__(self, limit: int, index: str) -> None:
        self.limit = max(1, limit)
        self.index = index
        self.is_open = False
        self.summary = ""
        self._failures = 0
        self._lock = threading.Lock()

    def failure(self, reason: str) -> None:
        with self._lock:
            self._failures += 1
            if self.is_open or self._failures < self.limit:
                return
            self.is_open = True
            self.summary = f"the index at {self.index} failed {self._failures} times in a row (last: {reason}), so wheelfix stopped asking it"
        logger.warning("%s; cached data is used where there is some", self.summary)

    def success(self) -> None:
        with self._lock:
            if not self.is_open:
                self._failures = 0


class BoundedRetry(Retry):
    """urllib3's retries of failed connections and reads, within the deadline and the breaker.

    Every failed attempt counts against the :class:`CircuitBreaker`; no retry
    is made once it is open or when the backoff would outlast the deadline.
    """

    def increment(self, *args: Any, **kwargs: Any) -> Any:
        names = ("method", "url", "response", "error", "_pool", "_stacktrace")
        given = dict(zip(names, args), **kwargs)
        error = given.get("error")
        state = _state()
        if state is not None and isinstance(error, Exception):
            state[1].failure(describe_failure(error))
        retry = super().increment(*args, **kwargs)
        if state is not None and (state[1].is_open or retry.get_backoff_time() >= state[0].remaining()):
            raise MaxRetryError(given.get("_pool"), given.get("url") or "", error)  # type: ignore[arg-type]
        return retry
