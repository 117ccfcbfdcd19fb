"""Hypothesis strategies for tests/test_linre.py and tests/test_linre_js.py: patterns and lines.

Patterns come from a grammar of the signature regex subset, over a small
alphabet so that generated lines often match or nearly match.  ``nested``
also allows quantified groups that hold quantifiers (the subset refuses
them, the engine runs them).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from hypothesis import strategies as st

# Characters of patterns; lines also get what no pattern spells.
ALPHABET = "ab z1_-."
LINE_EXTRA = "A9\t\u00e9\u00a0\u2028\U0001f600"
CLASSES = [
    "[ab]", "[^a]", "[a-z]", "[^ab ]", "[\\w-]", "[^\\s]", "[.]", "[\\d_]",
    "\\d", "\\D", "\\w", "\\W", "\\s", "\\S", ".",
]
ANCHORS = ["^", "$", "\\b", "\\B"]
QUANTIFIERS = ["*", "+", "?", "{2}", "{0,2}", "{1,3}", "{2,}", "*?", "+?", "??", "{1,2}?"]


def _atom() -> Any:
    literal = st.sampled_from(ALPHABET).map(re.escape)
    return st.one_of(literal, literal, st.sampled_from(CLASSES))


def _quantified(atom: Any) -> Any:
    return st.tuples(atom, st.one_of(st.just(""), st.sampled_from(QUANTIFIERS))).map("".join)


@lru_cache(maxsize=None)
def _expr(depth: int, nested: bool, under_repeat: bool) -> Any:
    """Concatenations of 1 to 4 items; groups hold alternations of ``_expr(depth - 1)``."""
    atom = _atom() if under_repeat and not nested else _quantified(_atom())
    anchor = st.sampled_from(ANCHORS)
    if depth == 0:
        item = st.one_of(atom, atom, anchor)
    else:
        item = st.one_of(atom, atom, atom, anchor, _group(depth, nested, under_repeat))
    return st.lists(item, min_size=1, max_size=4).map("".join)


@lru_cache(maxsize=None)
def _group(depth: int, nested: bool, under_repeat: bool) -> Any:
    def build(quantifier: str) -> Any:
        # Outside nested mode, a quantified group holds no quantifier (the subset's rule).
        inner_under = under_repeat or (bool(quantifier) and not nested)
        branches = st.lists(_expr(depth - 1, nested, inner_under), min_size=1, max_size=3).map("|".join)
        return st.tuples(st.sampled_from(["(", "(?:"]), branches, st.just(")" + quantifier)).map("".join)

    quantifiers = [""] if under_repeat and not nested else ["", *QUANTIFIERS]
    return st.sampled_from(quantifiers).flatmap(build)


def patterns(nested: bool = False) -> Any:
    """Patterns of the subset's grammar (``nested``: quantified groups may hold quantifiers)."""
    return _expr(2, nested, False)


def lines(max_size: int = 16) -> Any:
    """Short lines over the patterns' alphabet and a few characters none spells."""
    return st.text(alphabet=ALPHABET + LINE_EXTRA, max_size=max_size)


@st.composite
def pumped(draw: Any, pattern: str, length: int) -> str:
    """A long line that repeats pieces of ``pattern``'s characters, then a near miss."""
    chars = [c for c in pattern if c in ALPHABET + LINE_EXTRA] or ["a"]
    unit = "".join(draw(st.lists(st.sampled_from(chars), min_size=1, max_size=4)))
    tail = draw(st.text(alphabet=ALPHABET + "!", max_size=4))
    return (unit * (length // len(unit) + 1))[:length] + tail
