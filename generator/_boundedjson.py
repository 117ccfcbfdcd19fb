"""``json.loads`` with a bound on nesting depth.

CPython's JSON decoder recurses once per nested array or object, so a text of
100,000 ``[`` raises RecursionError (and in a thread with a small stack could
do worse).  Untrusted JSON goes through :func:`loads`, which measures the
depth first, in passes that each run at C speed, and refuses deep input with a
plain :class:`ValueError` before the decoder ever sees it.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["TooDeep", "loads", "nesting_depth"]

# A JSON string, escapes included: brackets inside strings are not structure.  The
# closing quote is optional so that an unterminated string still matches (to the end)
# instead of failing and being retried from every later quote, which is quadratic.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_INNERMOST = re.compile(r"\[\]|\{\}")


class TooDeep(ValueError):
    """The JSON text nests arrays and objects deeper than allowed."""


def nesting_depth(text: str, limit: int) -> int:
    """How deep ``text`` nests arrays and objects, counting no further than ``limit + 1``.

    Each pass removes the innermost empty pairs of the bracket skeleton, so
    the number of passes is the depth.  Unbalanced brackets (the text is not
    JSON then) count as deep as they could possibly be, so that the decoder is
    only trusted with them when even that is within the limit.
    """
    skeleton = _NOT_BRACKET.sub("", _STRING.sub("", text))
    depth = 0
    while skeleton and depth <= limit:
        shorter = _INNERMOST.sub("", skeleton)
        if len(shorter) == len(skeleton):
            return depth + len(skeleton)
        depth += 1
        skeleton = shorter
    return depth


def loads(text: str, *, max_depth: int) -> Any:
    """``json.loads(text)``, raising :class:`TooDeep` when it nests more than ``max_depth`` levels."""
    depth = nesting_depth(text, max_depth)
    if depth > max_depth:
        raise TooDeep(f"nested more than {max_depth} levels deep")
    return json.loads(text)
