"""A regex engine that runs in linear time, the same in Python and in the browser.

Python's ``re`` and JavaScript's ``RegExp`` backtrack: ``(a|a)*zzz`` on a
line of a's takes time exponential in its length.  Signature conditions
are therefore not run with either.  An accepted pattern is compiled here
(from the tree of Python's own parser, under ``re.ASCII``) into a small
program for a Thompson NFA, and a line is searched by running every NFA
thread at once: no backtracking, so each character costs at most one pass
over the program and a search is ``O(len(line) * len(program))``.  States
met are cached as a lazily built DFA with a bounded cache (as RE2 does), so
most characters cost one dictionary look-up.

A program is plain JSON data; ``signatures.json`` carries each one and
``docs/assets/javascripts/paste.js`` runs it with a port of
:class:`Program` (tests/test_linre_js.py holds the two to the same results
and step counts).  Instructions, each a list (see docs/api.md):

``["set", lo, hi, ...]``
    consume one character whose code point is in one of the inclusive
    ranges ``lo..hi`` (ascending, disjoint), then go on at the next one
``["split", x, y]``, ``["jump", x]``
    go on at both ``x`` and ``y``, or at ``x``
``["assert", a]``
    go on at the next one if ``a`` holds here: ``^`` the line's start,
    ``$`` its end, ``\\b`` a boundary between a word character (ASCII
    ``[0-9A-Za-z_]``) and a non-word one or a line end, ``\\B`` no boundary
``["match"]``
    the line matches

Classes are spelled out as code point ranges (``\\d`` is ``0-9``, ``\\s``
is ``\\t-\\r`` and space, ``.`` is all but ``\\n``), so no engine's notion
of them can differ.

Why one module of ~450 lines: the compiler, the program checks and the
engine share one instruction encoding, and docs/assets/javascripts/linre.js
ports the engine part of this file line for line; kept together, the
encoding cannot drift between the halves or between the two languages.
"""

from __future__ import annotations

import re
import sys
import warnings
from bisect import bisect_right
from typing import Any, Dict, List, Sequence, Tuple

if sys.version_info >= (3, 11):
    import re._parser as _sre_parse  # type: ignore[import-not-found,unused-ignore]
else:  # pragma: no cover - depends on the interpreter
    import sre_parse as _sre_parse

#: Most instructions in one program (counted repeats are expanded).
MAX_PROGRAM = 1000

#: Largest count in ``{m}``, ``{m,}`` and ``{m,n}``.
MAX_COUNT = 100

#: Largest code point.
MAX_CODE = 0x10FFFF

#: Cached DFA states (each costing its NFA set's size) and transitions
#: held per program before the cache is emptied and built again.
CACHE_BUDGET = 1 << 14

ASSERTIONS = ("^", "$", "\\b", "\\B")

_Ranges = List[Tuple[int, int]]

_WORD: _Ranges = [(48, 57), (65, 90), (95, 95), (97, 122)]
_CATEGORIES: Dict[str, Tuple[_Ranges, bool]] = {
    "CATEGORY_DIGIT": ([(48, 57)], False),
    "CATEGORY_NOT_DIGIT": ([(48, 57)], True),
    "CATEGORY_SPACE": ([(9, 13), (32, 32)], False),
    "CATEGORY_NOT_SPACE": ([(9, 13), (32, 32)], True),
    "CATEGORY_WORD": (_WORD, False),
    "CATEGORY_NOT_WORD": (_WORD, True),
}
_AT = {"AT_BEGINNING": "^", "AT_END": "$", "AT_BOUNDARY": "\\b", "AT_NON_BOUNDARY": "\\B"}


class ProgramError(ValueError):
    """A pattern this engine cannot compile, or a program it will not run; says which rule."""


def parse(pattern: str) -> Any:
    """Python's parse tree of ``pattern`` under ``re.ASCII`` (warnings are errors).

    Raises ``re.error`` (and the warnings, recursion and overflow errors of
    the parser) for an invalid pattern.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parsed = _sre_parse.parse(pattern, re.ASCII)
        re.compile(pattern, re.ASCII)  # what the parser leaves to the compiler, e.g. bad ranges
    return parsed


# --------------------------------------------------------------------------
# Compiling a parse tree


def _normalise(ranges: _Ranges) -> _Ranges:
    out: _Ranges = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def _complement(ranges: _Ranges) -> _Ranges:
    out: _Ranges = []
    low = 0
    for lo, hi in _normalise(ranges):
        if lo > low:
            out.append((low, lo - 1))
        low = hi + 1
    if low <= MAX_CODE:
        out.append((low, MAX_CODE))
    return out


def _class(items: Sequence[Any]) -> _Ranges:
    ranges: _Ranges = []
    negate = False
    for op, av in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            ranges.append((av, av))
        elif name == "RANGE":
            ranges.append((av[0], av[1]))
        elif name == "CATEGORY" and str(av) in _CATEGORIES:
            members, inverted = _CATEGORIES[str(av)]
            ranges.extend(_complement(members) if inverted else members)
        else:
            raise ProgramError(f"{name} {av} in a character class is not supported")
    return _complement(ranges) if negate else _normalise(ranges)


def _set(ranges: _Ranges) -> List[Any]:
    inst: List[Any] = ["set"]
    for lo, hi in ranges:
        inst += [lo, hi]
    return inst


class _Compiler:
    def __init__(self) -> None:
        self.program: List[List[Any]] = []

    def emit(self, inst: List[Any]) -> int:
        if len(self.program) >= MAX_PROGRAM:
            raise ProgramError(
                f"compiles to more than {MAX_PROGRAM} instructions (counted repeats are written out: use fewer or smaller ones)"
            )
        self.program.append(inst)
        return len(self.program) - 1

    def seq(self, items: Sequence[Any]) -> None:
        for op, av in items:
            self.node(str(op), av)

    def node(self, name: str, av: Any) -> None:
        if name == "LITERAL":
            self.emit(["set", av, av])
        elif name == "NOT_LITERAL":
            self.emit(_set(_complement([(av, av)])))
        elif name == "ANY":
            self.emit(_set(_complement([(10, 10)])))
        elif name == "IN":
            self.emit(_set(_class(av)))
        elif name == "AT" and str(av) in _AT:
            self.emit(["assert", _AT[str(av)]])
        elif name == "SUBPATTERN":
            self.seq(av[-1])
        elif name == "BRANCH":
            self.branch(av[1])
        elif name in ("MAX_REPEAT", "MIN_REPEAT"):
            self.repeat(av[0], av[1], av[2])  # greedy or lazy: the same lines match
        else:
            raise ProgramError(f"{name} is not supported")

    def branch(self, branches: Sequence[Any]) -> None:
        jumps = []
        for k, items in enumerate(branches):
            if k == len(branches) - 1:
                self.seq(items)
                break
            split = self.emit(["split", len(self.program) + 1, -1])
            self.seq(items)
            jumps.append(self.emit(["jump", -1]))
            self.program[split][2] = len(self.program)
        for j in jumps:
            self.program[j][1] = len(self.program)

    def repeat(self, low: int, high: int, items: Sequence[Any]) -> None:
        unbounded = high == _sre_parse.MAXREPEAT
        if low > MAX_COUNT or (not unbounded and high > MAX_COUNT):
            raise ProgramError(f"counts above {MAX_COUNT} in {{m}}, {{m,}} or {{m,n}} are not allowed")
        for _ in range(low - 1 if unbounded and low else low):
            self.seq(items)
        if unbounded and low:  # x+ as a loop back over one copy
            top = len(self.program)
            self.seq(items)
            self.emit(["split", top, len(self.program) + 1])
        elif unbounded:  # x*
            split = self.emit(["split", len(self.program) + 1, -1])
            self.seq(items)
            self.emit(["jump", split])
            self.program[split][2] = len(self.program)
        else:  # (x(x(x)?)?)? for the optional copies
            splits = []
            for _ in range(high - low):
                splits.append(self.emit(["split", len(self.program) + 1, -1]))
                self.seq(items)
            for s in splits:
                self.program[s][2] = len(self.program)


def compile_tree(parsed: Any) -> List[List[Any]]:
    """The program (JSON-ready) of a parse tree from :func:`parse`.

    Raises :class:`ProgramError` for what the engine does not support or a
    program longer than :data:`MAX_PROGRAM`.
    """
    compiler = _Compiler()
    compiler.seq(list(parsed))
    compiler.emit(["match"])
    return compiler.program


# --------------------------------------------------------------------------
# Loading and running a program

_SET, _SPLIT, _JUMP, _ASSERT, _MATCH = range(5)
_OPS = {"set": _SET, "split": _SPLIT, "jump": _JUMP, "assert": _ASSERT, "match": _MATCH}
_ARITY = {"split": 2, "jump": 1, "assert": 1, "match": 0}

# What is on either side of a position: the previous character (or the
# line's start) and the next one (or the line's end).
_START, _WORDCH, _OTHER, _END = range(4)
_WORD_CHARS = frozenset(chr(c) for lo, hi in _WORD for c in range(lo, hi + 1))

_MATCHED, _FAILED = -1, -2  # transitions that end a search


def _is_int(v: Any) -> bool:
    return type(v) is int  # not bool, not float


_Decoded = Tuple[List[int], List[Tuple[Any, ...]], List[Tuple[int, ...]], List[Tuple[int, ...]]]


def _decode(data: Any) -> _Decoded:
    """Check a program and split it into opcodes, arguments, and the range bounds of sets."""
    if not isinstance(data, list) or not data:
        raise ProgramError("must be a non-empty list of instructions")
    size = len(data)
    if size > MAX_PROGRAM:
        raise ProgramError(f"has {size} instructions, more than {MAX_PROGRAM}")
    ops: List[int] = []
    args: List[Tuple[Any, ...]] = []
    los: List[Tuple[int, ...]] = []
    his: List[Tuple[int, ...]] = []
    for pc, inst in enumerate(data):
        if type(inst) is list and len(inst) == 3 and inst[0] == "set":
            # The usual instruction, one character or one range: checked without the general loop.
            lo, hi = inst[1], inst[2]
            if not (type(lo) is int and type(hi) is int and 0 <= lo <= hi <= MAX_CODE):
                _check_set(pc, inst[1:])
            if pc + 1 >= size:
                raise ProgramError(f"instruction {pc}: set may not be the last instruction")
            ops.append(_SET)
            args.append(())
            los.append((lo,))
            his.append((hi,))
            continue
        _check(pc, inst, size)
        ops.append(_OPS[inst[0]])
        args.append(tuple(inst[1:]))
        los.append(tuple(inst[1::2]) if inst[0] == "set" else ())
        his.append(tuple(inst[2::2]) if inst[0] == "set" else ())
    return ops, args, los, his


def _check_set(pc: int, values: List[Any]) -> None:
    if len(values) % 2 or not all(_is_int(v) and 0 <= v <= MAX_CODE for v in values):
        raise ProgramError(f"instruction {pc}: a set holds pairs of code points from 0 to {MAX_CODE}")
    if any(values[k] > values[k + 1] for k in range(len(values) - 1)) or any(
        values[k] == values[k + 1] for k in range(1, len(values) - 1, 2)
    ):
        raise ProgramError(f"instruction {pc}: the ranges of a set must be ascending and disjoint")


def _check(pc: int, inst: Any, size: int) -> None:
    at = f"instruction {pc}"
    if not isinstance(inst, list) or not inst or inst[0] not in _OPS:
        raise ProgramError(f"{at}: must be a list starting with one of {', '.join(_OPS)}, got {inst!r:.80}")
    op, args = inst[0], inst[1:]
    if op == "set":
        _check_set(pc, args)
    elif len(args) != _ARITY[op]:
        raise ProgramError(f"{at}: {op} takes {_ARITY[op]} argument(s), got {len(args)}")
    elif op == "assert" and args[0] not in ASSERTIONS:
        raise ProgramError(f"{at}: unknown assertion {args[0]!r:.20}")
    elif op in ("split", "jump") and not all(_is_int(v) and 0 <= v < size for v in args):
        raise ProgramError(f"{at}: jumps go to instructions 0 to {size - 1}, got {args!r:.40}")
    if op in ("set", "assert") and pc + 1 >= size:
        raise ProgramError(f"{at}: {op} may not be the last instruction")


class Program:
    """A checked program that searches lines; ``steps`` counts its work.

    ``steps`` grows by the characters scanned (at most ``len(line) + 1`` a
    search) and by every NFA instruction visited when the DFA cache lacks
    a state, so a search adds at most ``(len(line) + 1) * (2 * len(program) + 1)``.
    """

    def __init__(self, data: Any) -> None:
        """Take a program as JSON data; raises :class:`ProgramError` unless well formed."""
        self._ops, self._args, self._los, self._his = _decode(data)
        self.size = len(self._ops)
        asserts = {args[0] for op, args in zip(self._ops, self._args) if op == _ASSERT}
        # Kinds of neighbour no assertion tells apart are merged, so fewer states are built.
        self._word_matters = bool(asserts & {"\\b", "\\B"})
        self._start_matters = "^" in asserts
        self._end_matters = "$" in asserts  # for \b the end is a non-word neighbour like any other
        self.steps = 0
        self.resets = 0  # times the DFA cache outgrew CACHE_BUDGET and was emptied
        self._states: List[Tuple[Tuple[int, ...], int]] = []  # (NFA kernel, kind before)
        self._ids: Dict[Tuple[Tuple[int, ...], int], int] = {}
        self._trans: List[Dict[str, int]] = []  # by next character; "" is the line's end
        self._closures: List[Dict[int, Tuple[bool, Tuple[int, ...]]]] = []  # by kind after
        self._units = 0
        self._reset()

    def search(self, line: str) -> bool:
        """Whether the program matches anywhere in ``line``."""
        self.steps += len(line) + 1
        trans = self._trans  # emptied in place by a reset, so this stays the cache
        sid = 0  # the line's start (see _reset)
        for ch in line:
            nxt = trans[sid].get(ch)
            if nxt is None:
                nxt = self._step(sid, ch)
            if nxt < 0:
                return True
            sid = nxt
        end = trans[sid].get("")
        if end is None:
            end = self._step(sid, "")
        return end == _MATCHED

    def _reset(self) -> None:
        self._states.clear()
        self._ids.clear()
        self._trans.clear()
        self._closures.clear()
        self._units = 0
        self._intern((), _START if self._start_matters else _OTHER)

    def _intern(self, kernel: Tuple[int, ...], before: int) -> int:
        key = (kernel, before)
        sid = self._ids.get(key)
        if sid is None:
            sid = self._ids[key] = len(self._states)
            self._states.append(key)
            self._trans.append({})
            self._closures.append({})
            self._units += len(kernel) + 1
        return sid

    def _kind(self, ch: str) -> int:
        if ch == "":
            return _END if self._end_matters else _OTHER
        return _WORDCH if self._word_matters and ch in _WORD_CHARS else _OTHER

    def _step(self, sid: int, ch: str) -> int:
        """The transition of state ``sid`` on ``ch`` ("" for the end), computed and cached."""
        if self._units > CACHE_BUDGET:
            kernel, before = self._states[sid]
            self._reset()
            self.resets += 1
            sid = self._intern(kernel, before)
        after = self._kind(ch)
        matched, consumers = self._closure(sid, after)
        if matched:
            result = _MATCHED
        elif ch == "":
            result = _FAILED
        else:
            c = ord(ch)
            los, his = self._los, self._his
            targets = []
            for pc in consumers:
                k = bisect_right(los[pc], c) - 1
                if k >= 0 and c <= his[pc][k]:
                    targets.append(pc + 1)
            self.steps += len(consumers)
            result = self._intern(tuple(targets), after)
        self._trans[sid][ch] = result
        self._units += 1
        return result

    def _closure(self, sid: int, after: int) -> Tuple[bool, Tuple[int, ...]]:
        """Whether ``match`` is reachable without consuming, and the ``set`` instructions reached.

        The search is unanchored: instruction 0 is a thread at every position.
        """
        cached = self._closures[sid].get(after)
        if cached is not None:
            return cached
        kernel, before = self._states[sid]
        ops, args = self._ops, self._args
        seen = set()
        stack = [0, *reversed(kernel)]
        consumers = []
        matched = False
        while stack:
            pc = stack.pop()
            if pc in seen:
                continue
            seen.add(pc)
            op = ops[pc]
            if op == _SET:
                consumers.append(pc)
            elif op == _SPLIT:
                stack.append(args[pc][1])
                stack.append(args[pc][0])
            elif op == _JUMP:
                stack.append(args[pc][0])
            elif op == _ASSERT:
                if _holds(args[pc][0], before, after):
                    stack.append(pc + 1)
            else:
                matched = True
        self.steps += len(seen)
        consumers.sort()
        result = self._closures[sid][after] = (matched, tuple(consumers))
        return result


def _holds(assertion: str, before: int, after: int) -> bool:
    if assertion == "^":
        return before == _START
    if assertion == "$":
        return after == _END
    return (before == _WORDCH) != (after == _WORDCH) if assertion == "\\b" else (before == _WORDCH) == (after == _WORDCH)
