"""The bounds on every exchange with the index: size, time, waiting and failing.

Index responses are untrusted input.  Whatever the server (or a proxy, or a
captive portal) sends, one page costs at most:

- :attr:`IndexLimits.max_page_bytes` of body, counted after gzip decoding,
  which :func:`read_body` does itself chunk by chunk so that a 2 MB gzip bomb
  never expands past the cap in memory;
- :attr:`IndexLimits.deadline` seconds for everything (connecting, retries,
  redirects, headers and body), kept by :mod:`generator.index._deadline`, so a
  server dripping one byte every few seconds (which no per-read timeout
  catches) cannot hold a run;
- a ``Retry-After`` of at most :attr:`IndexLimits.max_retry_after` seconds;
  a longer one is refused, not slept;
- and, for the whole run, :attr:`IndexLimits.max_failures` failed attempts in
  a row before the :class:`CircuitBreaker` stops asking an index that is down.
"""

from __future__ import annotations

import logging
import socket
import threading
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Iterator, Optional

from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError, ReadTimeoutError
from urllib3.exceptions import ConnectTimeoutError, SSLError
from urllib3.util.retry import Retry

from generator.index._deadline import Deadline, current, running

__all__ = [
    "BoundedRetry",
    "BodyCutOff",
    "BodyError",
    "CircuitBreaker",
    "IndexLimits",
    "bounded",
    "describe_failure",
    "read_body",
    "retry_after_seconds",
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


# -- the deadline and the breaker, per thread ---------------------------------------


@contextmanager
def bounded(limits: IndexLimits, breaker: "CircuitBreaker") -> Iterator[Deadline]:
    """Run one page's fetch in this thread under ``limits.deadline`` and ``breaker``."""
    with running(limits.deadline) as deadline:
        _breaker.current = breaker
        try:
            yield deadline
        finally:
            _breaker.current = None


_breaker = threading.local()


def _state() -> Optional[tuple[Deadline, "CircuitBreaker"]]:
    deadline, breaker = current(), getattr(_breaker, "current", None)
    return None if deadline is None or breaker is None else (deadline, breaker)


# -- failing ----------------------------------------------------------------------


def describe_failure(exc: BaseException) -> str:
    """A few words for a transport failure, for messages: 'connection refused', 'timed out'."""
    seen: set[int] = set()
    cause: Optional[BaseException] = exc
    while cause is not None and id(cause) not in seen:  # urllib3 and requests nest their errors
        seen.add(id(cause))
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, (ConnectionResetError, ConnectionAbortedError)):
            return "the connection was reset"
        if isinstance(cause, SSLError):
            return "the TLS handshake failed"
        # Before the timeouts: urllib3 2 makes NewConnectionError a ConnectTimeoutError.
        if isinstance(cause, NewConnectionError) and "refused" in str(cause):
            return "connection refused"
        if isinstance(cause, (ReadTimeoutError, ConnectTimeoutError, socket.timeout, TimeoutError)) and not isinstance(cause, NewConnectionError):
            return "timed out"
        if isinstance(cause, MaxRetryError) and cause.reason is not None:
            cause = cause.reason
            continue
        nested = cause.args[1] if isinstance(cause, ProtocolError) and len(cause.args) > 1 else None
        cause = nested if isinstance(nested, BaseException) else (cause.__context__ or cause.__cause__)
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
