"""``json.loads`` with a bound on nesting depth.

CPython's JSON decoder recurses once per nested array or object, so a text of
100,000 ``[`` raises RecursionError (and in a thread with a small stack could
do worse).  Untrusted JSON goes through :func:`loads`, which measures the
depth first, with byte operations that run at C speed, and refuses deep input
with a plain :class:`ValueError` before the decoder ever sees it.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["MAX_INT_DIGITS", "TooDeep", "loads", "nesting_depth"]

_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'"[]{}')
_INNERMOST = re.compile(rb"\[\]|\{\}")


class TooDeep(ValueError):
    """The JSON text nests arrays and objects deeper than allowed."""


def _skeleton(data: bytes) -> bytes:
    """The brackets of ``data`` that are outside JSON strings, in order.

    Escapes go first (only they can hide a quote), then everything but quotes
    and brackets.  Removing ``""`` pairs then drops every string without
    brackets in it and keeps the parity of the quotes that remain, so that
    splitting on the few left still tells inside from outside.  UTF-8
    multi-byte sequences never contain these ASCII bytes.
    """
    if b"\\" in data:
        data = _ESCAPE.sub(b"", data)
    reduced = data.translate(None, _NOT_STRUCTURE).replace(b'""', b"")
    return b"".join(reduced.split(b'"')[::2])


def nesting_depth(data: bytes, limit: int) -> int:
    """How deep ``data`` nests arrays and objects, counting no further than ``limit + 1``.

    Each pass removes the innermost empty pairs of the bracket skeleton, so
    the number of passes is the depth.  Unbalanced brackets (the text is not
    JSON then) count as deep as they could possibly be, so that the decoder is
    only trusted with them when even that is within the limit.
    """
    skeleton = _skeleton(data)
    depth = 0
    while skeleton and depth <= limit:
        shorter = _INNERMOST.sub(b"", skeleton)
        if len(shorter) == len(skeleton):
            return depth + len(skeleton)
        depth += 1
        skeleton = shorter
    return depth


#: Longer integer literals are refused: converting one costs time quadratic in
#: its length on Pythons without int_max_str_digits (before 3.9.14 / 3.10.7).
MAX_INT_DIGITS = 64


def _int(text: str) -> int:
    if len(text) > MAX_INT_DIGITS:
        raise ValueError(f"an integer of {len(text)} digits (at most {MAX_INT_DIGITS} are read)")
    return int(text)


def loads(data: bytes, *, max_depth: int) -> Any:
    """``json.loads`` of UTF-8 ``data``, raising :class:`TooDeep` when it nests more than ``max_depth`` levels.

    Also raises ValueError (UnicodeDecodeError, JSONDecodeError, a huge
    integer) for text that is not UTF-8 JSON within bounds.
    """
    if nesting_depth(data, max_depth) > max_depth:
        raise TooDeep(f"nested more than {max_depth} levels deep")
    return json.loads(data.decode("utf-8"), parse_int=_int)
