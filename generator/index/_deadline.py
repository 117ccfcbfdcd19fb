"""A time limit for one page that no slow server can stretch: a watchdog cuts its sockets.

A per-read timeout does not bound a server that sends a byte every few
seconds.  A :class:`Deadline` does: the connections of the pools patched by
:func:`watch_sockets` hand their socket to the deadline of the page being
fetched in their thread (:func:`running`) when they wait for a response, and
one watchdog thread shuts those sockets down when the time is up, which wakes
whatever read is blocked on them.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import socket
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator, Optional

__all__ = ["Deadline", "current", "running", "watch_sockets"]


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
def running(seconds: float) -> Iterator[Deadline]:
    """A deadline for what this thread does inside the block (one page)."""
    deadline = Deadline(seconds)
    _WATCHDOG.add(deadline)
    _current.deadline = deadline
    try:
        yield deadline
    finally:
        _current.deadline = None
        deadline._close()


def current() -> Optional[Deadline]:
    """The deadline of the page this thread is fetching, if any."""
    deadline: Optional[Deadline] = getattr(_current, "deadline", None)
    return deadline


def watch_sockets(manager: Any) -> None:
    """Make a urllib3 PoolManager's connections hand their socket to the current deadline.

    The socket is handed over when it is made (a proxy's slow answer to CONNECT
    is cut too) and again when the response is awaited (a kept-alive connection
    serves several pages, and TLS wraps the first socket in a new one), so both
    a slow header and a slow body are cut at the deadline.  TLS handshakes are
    already bounded as a whole by the connect timeout.
    """
    classes = getattr(manager, "pool_classes_by_scheme", None)
    if isinstance(classes, dict):
        manager.pool_classes_by_scheme = {scheme: _watched_pool(cls) for scheme, cls in classes.items()}


@functools.lru_cache(maxsize=None)
def _watched_pool(pool_cls: type[Any]) -> type[Any]:
    if getattr(pool_cls, "_wheelfix_watched", False):
        return pool_cls
    base: type[Any] = pool_cls.ConnectionCls

    def _new_conn(self: Any) -> Any:
        sock = base._new_conn(self)
        _watch(sock)
        return sock

    def getresponse(self: Any, *args: Any, **kwargs: Any) -> Any:
        _watch(getattr(self, "sock", None))
        return base.getresponse(self, *args, **kwargs)

    connection = type(f"Watched{base.__name__}", (base,), {"_new_conn": _new_conn, "getresponse": getresponse})
    return type(f"Watched{pool_cls.__name__}", (pool_cls,), {"ConnectionCls": connection, "_wheelfix_watched": True})


def _watch(sock: Any) -> None:
    deadline = current()
    if deadline is not None and isinstance(sock, socket.socket):
        deadline.watch(sock)
