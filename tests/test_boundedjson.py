"""The JSON depth bound: exact on valid JSON, never below what the decoder would recurse into."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from generator.index._boundedjson import TooDeep, loads, nesting_depth

# Strings that look like structure, or hide quotes, or are not ASCII.
_TRICKY = ["[", "]", "{", "}", '"', "\\", '\\"', "]]]}}}", "[[[{{{", "\u00e9t\u00e9", "\U0001f600", "a\\", '"]', "\\\\", ""]


def _value(rng: random.Random, depth: int) -> Any:
    kind = rng.choice(["list", "dict", "str", "num", "lit"] if depth < 12 else ["str", "num", "lit"])
    if kind == "list":
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if kind == "dict":
        return {rng.choice(_TRICKY) + str(i): _value(rng, depth + 1) for i in range(rng.randint(0, 3))}
    if kind == "str":
        return "".join(rng.choice(_TRICKY) for _ in range(rng.randint(0, 4)))
    if kind == "num":
        return rng.choice([0, -1.5, 10**20])
    return rng.choice([True, False, None])


def _depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


@pytest.mark.parametrize("seed", range(10))
def test_depth_of_valid_json_is_exact(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        value = _value(rng, 0)
        text = json.dumps(value, ensure_ascii=rng.random() < 0.5, indent=rng.choice([None, 1]))
        assert nesting_depth(text.encode("utf-8"), 64) == _depth(value), text
        assert loads(text.encode("utf-8"), max_depth=64) == value


@pytest.mark.parametrize("seed", range(10))
def test_broken_json_is_a_value_error_never_a_recursion_error(seed: int) -> None:
    # Cut, spliced or unbalanced text: refused as too deep, or the decoder's
    # ValueError.  A RecursionError would fail the test.
    rng = random.Random(seed)
    for _ in range(50):
        text = json.dumps(_value(rng, 0)).encode("utf-8")
        cut = rng.randint(0, len(text))
        broken = rng.choice([text[:cut], text[cut:], text[:cut] + b"[" * rng.randint(1, 5000), b"[" * 5000 + text])
        try:
            loads(broken, max_depth=32)
        except ValueError:
            pass


@pytest.mark.parametrize(
    "text, depth",
    [
        (b"[]", 1),
        (b'{"a": [{}]}', 3),
        (b'["]]]]", [1]]', 2),  # brackets in strings are not structure
        (b'["\\"]]", [[1]]]', 3),  # nor behind an escaped quote
        (b'["\\\\", [[1]]]', 3),  # an escaped backslash does not escape the quote after it
        (b"[" * 100_000 + b"]" * 100_000, 33),  # counting stops past the limit
        (b"[" * 100_000, 100_000),  # unbalanced: as deep as it could be
        (b'"[[[' , 0),  # an unterminated string hides what follows
    ],
)
def test_depth_cases(text: bytes, depth: int) -> None:
    assert nesting_depth(text, 32) == depth


def test_too_deep_is_a_value_error_before_decoding() -> None:
    with pytest.raises(TooDeep, match="nested more than 32 levels deep") as info:
        loads(b"[" * 100_000 + b"]" * 100_000, max_depth=32)
    assert isinstance(info.value, ValueError)


def test_huge_integers_are_refused() -> None:
    assert loads(b"[" + b"9" * 64 + b"]", max_depth=2) == [int("9" * 64)]
    with pytest.raises(ValueError, match="an integer of 100000 digits"):
        loads(b"[" + b"9" * 100_000 + b"]", max_depth=2)
