"""Tests for generator.logs.linre: the same lines as Python's ``re``, in steps linear in the line.

No wall clock: the engine counts its steps (``Program.steps``), and the
bound ``steps <= C * (len(line) + 1) * len(program)`` is asserted per search.
"""

from __future__ import annotations

import random
import re
import sys
from typing import Any, List, Optional

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from linre_cases import lines, patterns, pumped

from generator.logs import linre
from generator.logs.patterns import check_pattern, compile_pattern, SignatureError

#: steps <= C * (len(line) + 1) * len(program): each position costs at most one
#: closure and one step over the program when the DFA cache lacks the state.
C = 3


def _program(pattern: str) -> Optional[linre.Program]:
    """The engine's program for ``pattern``, or None where Python's parser refuses it."""
    try:
        return linre.Program(linre.compile_tree(linre.parse(pattern)))
    except (re.error, FutureWarning, DeprecationWarning, linre.ProgramError):
        return None


def _re_search(pattern: str, line: str) -> Optional[bool]:
    """What ``re`` says, or None where it is known to differ from every other engine."""
    if line == "" and "\\B" in pattern and sys.version_info < (3, 14):
        return None  # \B fails on an empty string before Python 3.14 (gh-124130); no line tested is empty
    return re.search(pattern, line, re.ASCII) is not None


def _search(program: linre.Program, line: str) -> bool:
    before = program.steps
    found = program.search(line)
    used = program.steps - before
    assert used <= C * (len(line) + 1) * program.size, (line[:40], used, program.size)
    return found


# -- (a) the same answers as re.search ------------------------------------------------


# Lines are short so that ``re``, which backtracks, finishes: its work grows
# like (ways to split a character between quantifiers)^len(line).  The
# subset's grammar allows up to 3 alternatives and a quantifier on each of
# 4 items; with quantifiers nested (which the subset refuses, and the
# engine runs) a character may split up to 27 ways, so those lines are shorter.
SHORT = 8
SHORTER = 4


@settings(max_examples=250, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(patterns(), st.lists(lines(SHORT), min_size=1, max_size=8), st.data())
def test_agrees_with_re_on_short_lines(pattern: str, samples: List[str], data: Any) -> None:
    _agree(pattern, samples + [data.draw(pumped(pattern, SHORT)) for _ in range(3)])


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(patterns(nested=True), st.lists(lines(SHORTER), min_size=1, max_size=8), st.data())
def test_nested_quantifiers_agree_with_re(pattern: str, samples: List[str], data: Any) -> None:
    _agree(pattern, samples + [data.draw(pumped(pattern, SHORTER)) for _ in range(3)])


def _agree(pattern: str, samples: List[str]) -> None:
    program = _program(pattern)
    assume(program is not None)
    assert program is not None
    # Pumped lines hold pieces of the pattern: they match or nearly match more often.
    for line in samples:
        expected = _re_search(pattern, line)
        if expected is not None:
            assert _search(program, line) == expected, (pattern, line)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(patterns(), st.sampled_from(["abc", "-a_", "z1z"]), st.lists(lines(SHORT // 2), min_size=1, max_size=6))
def test_accepted_patterns_agree_with_re(pattern: str, literal: str, samples: List[str]) -> None:
    # What check accepts (a literal of 3 characters somewhere), as the bundle compiles it.
    pattern = pattern + re.escape(literal) if len(pattern) % 2 else re.escape(literal) + pattern
    try:
        data: Optional[List[Any]] = compile_pattern(pattern)[1]
    except SignatureError:  # e.g. nothing but the literal is required, and it is split by an alternation
        data = None
    assume(data is not None)
    program = linre.Program(data)
    for line in samples + [s + literal + s for s in samples]:
        expected = _re_search(pattern, line)
        if expected is not None:
            assert _search(program, line) == expected, (pattern, line)


# -- (b) linear in the line -----------------------------------------------------------


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(patterns(nested=True), st.data())
def test_steps_are_linear_on_long_pumped_lines(pattern: str, data: Any) -> None:
    program = _program(pattern)
    assume(program is not None)
    assert program is not None
    for length in (1000, 4000):
        _search(program, data.draw(pumped(pattern, length)))


#: Shapes that make backtracking engines take exponential or high polynomial time.
#: Each is refused by check, or matches the adversarial line in linear steps.
CATASTROPHIC = [
    # (pattern, adversarial line, whether it matches, or None: refused by check)
    ("(a|a)*zzz", "a" * 10000 + "!zzz", True),
    ("(a|a)*zzz", "a" * 10000 + "!zz", False),
    ("(a|aa)*zzz", "a" * 10000 + "!zzz", True),
    ("\\s*\\s*\\s*\\s*\\s*zzz", " " * 10000 + "!zz", False),
    ("a.*a.*a.*a.*zzz", "a" * 10000 + "zz", False),
    ("a.*a.*a.*a.*zzz", "a" * 10000 + "zzz", True),
    ("\\d*\\d*\\d*\\d*ABC", "1" * 10000 + "AB", False),
    ("(?:a|ab)*(?:b|ba)*abc", "ab" * 5000 + "ab", False),
    ("a{0,100}a{0,100}a{0,100}zzz", "a" * 10000 + "zz", False),
    ("(a|b)*a(a|b){20}xyz", "ab" * 5000 + "a" + "b" * 20 + "xyz", True),  # a DFA of 2^21 states: the cache thrashes
    ("(a|b)*a(a|b){20}xyz", "ab" * 5000 + "b" * 21 + "xyz", False),
    ("[\\w.-]+@[\\w.-]+\\.com", "a" * 10000 + "@", False),
    ("^(\\w+\\s?)*zzz$", "a " * 5000 + "!", None),
    ("(a+)+$", "a" * 10000 + "!", None),
    ("(a|a)*", "a" * 10000 + "!", None),
    ("(.*a){12}", "a" * 10000, None),
    ("(\\w+\\s?)+$", "a" * 10000 + "!", None),
    ("(x+x+)+y", "x" * 10000, None),
    ("^(a+)+b", "a" * 10000, None),
    ("(a*)*zzz", "a" * 10000, None),
    ("(?:a|a)*?zzz", "a" * 10000 + "!zz", False),
    ("(ab|a)(bc|c)*zzz", "abc" * 3333 + "!zz", False),
]


@pytest.mark.parametrize(("pattern", "line", "expected"), CATASTROPHIC, ids=[c[0] for c in CATASTROPHIC])
def test_catastrophic_shapes_are_refused_or_linear(pattern: str, line: str, expected: Optional[bool]) -> None:
    if expected is None:
        with pytest.raises(SignatureError) as info:
            check_pattern(pattern)
        message = str(info.value)
        assert message.startswith(f"regex {pattern!r}: ")
        assert any(rule in message for rule in ("nested quantifiers are not allowed", "matches an empty line", "at least 3 characters"))
        return
    check_pattern(pattern)
    program = linre.Program(compile_pattern(pattern)[1])
    assert _search(program, line) is expected
    # The same line again: the cached DFA, where it held, makes it cheaper, never dearer.
    before = program.steps
    assert program.search(line) is expected
    assert program.steps - before <= C * (len(line) + 1) * program.size


def test_thrashing_cache_stays_within_budget() -> None:
    program = linre.Program(compile_pattern("(a|b)*a(a|b){12}xyz")[1])
    rng = random.Random(3)
    for _ in range(3):
        line = "".join(rng.choice("ab") for _ in range(20000)) + "xyz"
        assert program.search(line) == (re.search("(a|b)*a(a|b){12}xyz", line[-40:]) is not None)
    assert program.resets >= 3  # the budget was reached, and the cache emptied, again and again
    units = sum(len(k) + 1 for k, _ in program._states) + sum(len(t) for t in program._trans)
    assert units <= linre.CACHE_BUDGET + 2 * program.size + 2


# -- compiling: classes spelled out, bounds on size ------------------------------------


@pytest.mark.parametrize(
    ("pattern", "program"),
    [
        ("abc", [["set", 97, 97], ["set", 98, 98], ["set", 99, 99], ["match"]]),
        ("\\d", [["set", 48, 57], ["match"]]),
        ("\\s", [["set", 9, 13, 32, 32], ["match"]]),
        ("\\w", [["set", 48, 57, 65, 90, 95, 95, 97, 122], ["match"]]),
        (".", [["set", 0, 9, 11, linre.MAX_CODE], ["match"]]),
        ("[^a]", [["set", 0, 96, 98, linre.MAX_CODE], ["match"]]),
        ("[a-cb-e\\d]", [["set", 48, 57, 97, 101], ["match"]]),
        ("a|bc", [["split", 1, 3], ["set", 97, 97], ["jump", 5], ["set", 98, 98], ["set", 99, 99], ["match"]]),
        ("a*", [["split", 1, 3], ["set", 97, 97], ["jump", 0], ["match"]]),
        ("a+", [["set", 97, 97], ["split", 0, 2], ["match"]]),
        ("a{1,3}", [["set", 97, 97], ["split", 2, 5], ["set", 97, 97], ["split", 4, 5], ["set", 97, 97], ["match"]]),
        ("^\\b$\\B", [["assert", "^"], ["assert", "\\b"], ["assert", "$"], ["assert", "\\B"], ["match"]]),
    ],
)
def test_compiled_programs(pattern: str, program: List[List[Any]]) -> None:
    assert linre.compile_tree(linre.parse(pattern)) == program


@pytest.mark.parametrize(
    ("pattern", "rule"),
    [
        ("abc{101}", "counts above 100"),
        ("abc{1,101}", "counts above 100"),
        ("abc{101,}", "counts above 100"),
        ("abc" + "[a-z]{100}" * 10, "more than 1000 instructions"),
        ("abc(?:de|fg){100}(?:de|fg){100}(?:de|fg){100}", "more than 1000 instructions"),
    ],
)
def test_check_refuses_programs_too_big(pattern: str, rule: str) -> None:
    with pytest.raises(SignatureError, match=re.escape(rule)) as info:
        check_pattern(pattern, "signatures[0].match[0]")
    assert str(info.value).startswith(f"regex {pattern!r} at signatures[0].match[0]: ")


def test_program_limits_hold_at_the_edge() -> None:
    check_pattern("abc[a-z]{100}")
    longest = "abc" + "[a-z]{99}" * 10 + "[a-z]{6}"  # 1000 instructions with the match
    assert len(compile_pattern(longest)[1]) == linre.MAX_PROGRAM


# -- loading: programs are untrusted data ----------------------------------------------


#: Programs a hostile bundle could hold, and the rule each breaks.
MALFORMED = [
    ([], "non-empty list"),
    ({"set": 1}, "non-empty list"),
    ([["match"]] * (linre.MAX_PROGRAM + 1), "more than 1000"),
    ([["nope"], ["match"]], "instruction 0: must be a list starting with one of"),
    ([[], ["match"]], "instruction 0: must be a list"),
    ([["set", 97], ["match"]], "pairs of code points"),
    ([["set", 97, 0x110000], ["match"]], "pairs of code points"),
    ([["set", -1, 3], ["match"]], "pairs of code points"),
    ([["set", 97, 98.5], ["match"]], "pairs of code points"),
    ([["set", True, True], ["match"]], "pairs of code points"),
    ([["set", 98, 97], ["match"]], "ascending and disjoint"),
    ([["set", 97, 100, 100, 110], ["match"]], "ascending and disjoint"),
    ([["set", 97, 97]], "set may not be the last instruction"),
    ([["assert", "^"]], "assert may not be the last instruction"),
    ([["assert", "\\A"], ["match"]], "unknown assertion"),
    ([["split", 0, 2], ["match"]], "jumps go to instructions 0 to 1"),
    ([["jump", -1], ["match"]], "jumps go to instructions 0 to 1"),
    ([["jump", "0"], ["match"]], "jumps go to instructions 0 to 1"),
    ([["split", 1], ["match"]], "split takes 2 argument(s), got 1"),
    ([["match", 1]], "match takes 0 argument(s), got 1"),
]


@pytest.mark.parametrize(("data", "rule"), MALFORMED)
def test_malformed_programs_are_refused(data: Any, rule: str) -> None:
    with pytest.raises(linre.ProgramError, match=re.escape(rule)):
        linre.Program(data)


#: Programs no pattern compiles to that are still safe to run.
ODD_BUT_VALID = [
    [["jump", 0], ["match"]],  # a loop that consumes nothing
    [["split", 0, 1], ["split", 1, 0], ["set", 97, 97], ["match"]],  # loops through each other
    [["set"], ["match"]],  # the empty set: never matches a character
]


@pytest.mark.parametrize("data", ODD_BUT_VALID)
def test_odd_but_valid_programs_terminate(data: Any) -> None:
    program = linre.Program(data)
    line = "a" * 1000
    _search(program, line)
