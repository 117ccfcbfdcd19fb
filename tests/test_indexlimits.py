"""The bounds on index exchanges, piece by piece: body reading, Retry-After, the circuit breaker."""

from __future__ import annotations

import gzip
import io
import logging
import socket
import time
from datetime import datetime, timezone
from typing import Optional

import pytest
from indexserver import gzip_bomb

from generator.index._deadline import _WATCHDOG, Deadline
from generator.index.limits import (
    BodyCutOff,
    BodyError,
    CircuitBreaker,
    describe_failure,
    read_body,
    retry_after_seconds,
)

CAP = 100_000


class _Raw:
    """A urllib3 response's read(), over bytes, counting what was asked for."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)
        self.read_bytes = 0

    def read(self, amt: int, decode_content: bool = False) -> bytes:
        assert decode_content is False  # the client decodes, under the cap
        chunk = self._data.read(amt)
        self.read_bytes += len(chunk)
        return chunk


def _read(data: bytes, encoding: str = "", length: Optional[str] = None) -> bytes:
    return read_body(_Raw(data), encoding, CAP, on_bytes=lambda n: None, length=length)


@pytest.mark.parametrize("size", [0, 1, CAP - 1, CAP])
@pytest.mark.parametrize("encoding", ["", "identity", "gzip", "x-gzip", " GZIP "])
def test_bodies_up_to_the_cap_are_read_whole(size: int, encoding: str) -> None:
    body = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    wire = gzip.compress(body) if "gzip" in encoding.lower() else body
    assert _read(wire, encoding, length=str(len(wire))) == body


@pytest.mark.parametrize(
    "wire, encoding",
    [
        (bytes(CAP + 1), ""),
        (bytes(10 * CAP), ""),
        (gzip.compress(bytes(CAP + 1)), "gzip"),
        (gzip_bomb(1024), "gzip"),  # 1 MiB on the wire, 1 GiB unpacked
    ],
    ids=["plain+1", "plain*10", "gzip+1", "gzip-bomb"],
)
def test_one_byte_over_the_cap_is_refused(wire: bytes, encoding: str) -> None:
    raw = _Raw(wire)
    with pytest.raises(BodyError, match="larger than the 100000 bytes limit"):
        read_body(raw, encoding, CAP, on_bytes=lambda n: None)
    assert raw.read_bytes <= CAP + 64 * 1024  # stopped reading at once


def test_gzip_members_are_joined_and_trailing_garbage_ignored() -> None:
    assert _read(gzip.compress(b"ab") + gzip.compress(b"cd") + b"\0\0garbage", "gzip") == b"abcd"


@pytest.mark.parametrize(
    "wire, encoding, length, error, text",
    [
        (b"not gzip at all", "gzip", None, BodyError, "gzip data is corrupt"),
        (gzip.compress(b"x" * 1000)[:-20], "gzip", None, BodyCutOff, "gzip data ends early"),
        (b"{}", "br", None, BodyError, "Content-Encoding 'br'"),
        (b"{}", "gzip, gzip", None, BodyError, "Content-Encoding 'gzip, gzip'"),
        (b"half", "", "8", BodyCutOff, "cut off after 4 of 8 bytes"),
    ],
)
def test_undecodable_or_cut_bodies(wire: bytes, encoding: str, length: Optional[str], error: type, text: str) -> None:
    with pytest.raises(error, match=text):
        _read(wire, encoding, length)


@pytest.mark.parametrize(
    "header, seconds",
    [
        (None, None),
        ("", None),
        ("120", 120.0),
        ("  7 ", 7.0),
        ("9" * 400, float("inf")),  # int() of so many digits would itself be slow
        ("Fri, 01 Jan 2027 00:01:00 GMT", 60.0),
        ("Thu, 31 Dec 2026 23:00:00 GMT", 0.0),  # in the past: retry now
        ("soon", None),
        ("-5", None),
    ],
)
def test_retry_after(header: Optional[str], seconds: Optional[float]) -> None:
    now = datetime(2027, 1, 1, tzinfo=timezone.utc)
    assert retry_after_seconds(header, now) == seconds


def test_breaker_opens_after_failures_in_a_row_and_says_so_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="wheelfix")
    breaker = CircuitBreaker(3, "127.0.0.1:1/simple")
    breaker.failure("timed out")
    breaker.failure("timed out")
    breaker.success()  # a success in between: not in a row
    breaker.failure("timed out")
    breaker.failure("timed out")
    assert not breaker.is_open
    breaker.failure("connection refused")
    assert breaker.is_open
    assert breaker.summary == "the index at 127.0.0.1:1/simple failed 3 times in a row (last: connection refused), so wheelfix stopped asking it"
    breaker.failure("timed out")
    breaker.success()
    assert breaker.is_open  # stays open for the run
    assert len([r for r in caplog.records if "stopped asking" in r.getMessage()]) == 1


def test_deadline_shuts_a_blocked_read_down() -> None:
    # A peer that sends nothing: the read blocks until the deadline's watchdog acts.
    left, right = socket.socketpair()
    try:
        left.settimeout(30)
        deadline = Deadline(0.2)
        _WATCHDOG.add(deadline)
        deadline.watch(left)
        assert left.recv(1) == b""  # woken by shutdown, not by the 30 s timeout
        assert deadline.fired and deadline.expired
    finally:
        left.close()
        right.close()


def test_a_released_or_finished_deadline_leaves_the_socket_alone() -> None:
    left, right = socket.socketpair()
    try:
        deadline = Deadline(0.05)
        _WATCHDOG.add(deadline)
        deadline.watch(left)
        deadline.release()  # the body was read: the connection may be pooled
        while not deadline.fired:
            time.sleep(0.01)
        right.sendall(b"still open")
        assert left.recv(10) == b"still open"
    finally:
        left.close()
        right.close()


@pytest.mark.parametrize(
    "exc, words",
    [
        (ConnectionRefusedError(111, "Connection refused"), "connection refused"),
        (ConnectionResetError(104, "reset"), "the connection was reset"),
        (socket.timeout("timed out"), "timed out"),
        (OSError("something else"), "connection failed"),
    ],
)
def test_describe_failure(exc: BaseException, words: str) -> None:
    assert describe_failure(exc) == words
    try:
        try:
            raise exc
        except BaseException:
            raise RuntimeError("wrapped")  # requests and urllib3 wrap the cause
    except RuntimeError as wrapped:
        assert describe_failure(wrapped) == words
