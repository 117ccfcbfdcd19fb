"""The language of signature conditions: ``text`` literals and the ``regex`` subset.

A ``regex`` condition is a pattern in a subset of Python's syntax that
means the same in Python and JavaScript (no flags, backreferences,
lookaround; see docs/api.md).  An accepted pattern is compiled into a
program for :mod:`generator.logs.linre`, which runs it in time linear in the
line in both languages; every match must also contain a literal of at
least :data:`MIN_LITERAL` characters, which the matcher looks for first.
Stdlib only: ``wheelfix explain`` imports this.
"""

from __future__ import annotations

import re
from typing import Any, List, Mapping, Optional, Tuple

from generator.logs import linre
from generator.logs import text as logtext
from generator.errors import WheelfixError

#: Fewest characters in a literal that every match of a condition includes.
MIN_LITERAL = 3

_RULE_SUFFIX = "(patterns must run in linear time and mean the same in Python and JavaScript)"


class SignatureError(WheelfixError):
    """A signature, pattern or signatures bundle that breaks a rule."""


def check_text(text: str, where: Optional[str] = None) -> None:
    """Check a ``text`` condition; raise :class:`SignatureError` if it is unusable."""
    at = f" at {where}" if where else ""
    if not isinstance(text, str):
        raise SignatureError(f"text {text!r}{at}: must be a string")
    if "\n" in text or "\r" in text:
        raise SignatureError(f"text {text!r}{at}: must fit on one line (logs are matched line by line)")
    normalised = logtext.normalise_line(logtext.normalise_block(text))
    if len(text) < MIN_LITERAL:
        raise SignatureError(
            f"text {text!r}{at}: must be at least {MIN_LITERAL} characters long (shorter text matches almost any log)"
        )
    if normalised != text:
        raise SignatureError(
            f"text {text!r}{at}: must be written as it appears after normalisation, {normalised!r} "
            "(no leading timestamps, margins or indentation, no trailing blanks, '/' in Windows paths)",
        )


def check_pattern(pattern: str, where: Optional[str] = None) -> None:
    """Check that ``pattern`` is in the regex subset; raise :class:`SignatureError` if not.

    ``where`` (e.g. ``"signatures[0].match[1]"``) is named in the message.
    The subset means the same in Python's ``re`` and JavaScript: literals,
    escapes, character classes, ``^ $``, groups (capturing or ``(?:``),
    alternation, and ``* + ? {m,n}`` (counts up to
    :data:`generator.logs.linre.MAX_COUNT`) on atoms that are not groups holding
    a quantifier.  It must compile to at most
    :data:`generator.logs.linre.MAX_PROGRAM` instructions, which run in linear
    time whatever the pattern.  Every match must also contain a literal of
    at least :data:`MIN_LITERAL` characters (see :func:`required_literals`).
    """
    compile_pattern(pattern, where)


def _fail(pattern: str, where: Optional[str], rule: str, subset: bool = True) -> SignatureError:
    at = f" at {where}" if where else ""
    suffix = f" {_RULE_SUFFIX}" if subset else ""
    return SignatureError(f"regex {pattern!r}{at}: {rule}{suffix}")


_ALLOWED_ESCAPES = frozenset("dDsSwWbBfnrtvxu")
_GROUP_RULES = (
    ("?=", "lookahead is not allowed"),
    ("?!", "lookahead is not allowed"),
    ("?<=", "lookbehind is not allowed"),
    ("?<!", "lookbehind is not allowed"),
    ("?P<", "named groups are not allowed"),
    ("?<", "named groups are not allowed"),
    ("?P=", "backreferences are not allowed"),
    ("?P>", "recursion is not allowed"),
    ("?#", "comments are not allowed"),
    ("?>", "atomic groups are not allowed"),
    ("?(", "conditional groups are not allowed"),
)


def _lex(pattern: str, where: Optional[str]) -> None:
    """Reject what the parse tree no longer shows: spelling of escapes, groups, classes."""
    i, n = 0, len(pattern)
    in_class = False
    class_body = -1
    while i < n:
        c = pattern[i]
        if c == "\\":
            e = pattern[i + 1: i + 2]
            if e.isascii() and e.isalnum() and e not in _ALLOWED_ESCAPES:
                if e.isdigit():
                    raise _fail(pattern, where, f"'\\{e}': backreferences and octal escapes are not allowed")
                if e in "AZz":
                    raise _fail(pattern, where, f"'\\{e}' is not allowed, use ^ and $")
                raise _fail(pattern, where, f"the escape '\\{e}' is not allowed")
            i += 2
            continue
        if in_class:
            if c == "]" and i > class_body:
                in_class = False
            elif c == "[":
                raise _fail(pattern, where, "'[' inside a character class must be escaped as '\\['")
            i += 1
            continue
        if c == "[":
            j = i + 1
            if pattern[j: j + 1] == "^":
                j += 1
            if pattern[j: j + 1] == "]":
                raise _fail(pattern, where, "a character class may not start with ']' (write '\\]')")
            in_class, class_body, i = True, j, j
            continue
        if c == "(" and pattern[i + 1: i + 2] == "?":
            rest = pattern[i + 1: i + 4]
            if not rest.startswith("?:"):
                for prefix, rule in _GROUP_RULES:
                    if rest.startswith(prefix):
                        raise _fail(pattern, where, rule)
                raise _fail(pattern, where, "inline flags are not allowed")
        if c == "{" and pattern[i + 1: i + 2] == ",":
            raise _fail(pattern, where, "'{,n}' is not allowed, write '{0,n}'")
        if c in "*+?}" and pattern[i + 1: i + 2] == "+":
            raise _fail(pattern, where, "possessive quantifiers are not allowed")
        i += 1


def compile_pattern(pattern: str, where: Optional[str] = None) -> Tuple[List[str], List[List[Any]]]:
    """Check ``pattern`` fully; return its required literals and its :mod:`generator.logs.linre` program.

    Every line the pattern matches contains one of the literals.
    """
    if not isinstance(pattern, str):
        at = f" at {where}" if where else ""
        raise SignatureError(f"regex {pattern!r}{at}: must be a string")
    if "\n" in pattern or "\r" in pattern:
        raise _fail(pattern, where, "must fit on one line")
    _lex(pattern, where)
    try:
        parsed = linre.parse(pattern)
    except (re.error, FutureWarning, DeprecationWarning, RecursionError, OverflowError) as exc:
        raise _fail(pattern, where, f"is not a valid regular expression ({exc})") from None
    if parsed.state.groupdict:
        raise _fail(pattern, where, "named groups are not allowed")
    try:
        _walk(list(parsed.data), pattern, where, inside_repeat=False)
        program = linre.compile_tree(parsed.data)
        options = _required(list(parsed.data))
    except linre.ProgramError as exc:
        raise _fail(pattern, where, str(exc), subset=False) from None
    except RecursionError:
        raise _fail(pattern, where, "nests groups too deeply", subset=False) from None
    if linre.Program(program).search(""):
        raise _fail(pattern, where, "matches an empty line, so it would match every log", subset=False)
    best = _best(options)
    if best is None or min(len(s) for s in best) < MIN_LITERAL:
        raise _fail(
            pattern,
            where,
            f"every match must contain a literal of at least {MIN_LITERAL} characters "
            "(the matcher looks for it first to stay fast)",
            subset=False,
        )
    return best, program


_FORBIDDEN_OPS = {
    "GROUPREF": "backreferences are not allowed",
    "GROUPREF_EXISTS": "conditional groups are not allowed",
    "ASSERT": "lookahead and lookbehind are not allowed",
    "ASSERT_NOT": "lookahead and lookbehind are not allowed",
    "ATOMIC_GROUP": "atomic groups are not allowed",
    "POSSESSIVE_REPEAT": "possessive quantifiers are not allowed",
}


def _walk(items: List[Any], pattern: str, where: Optional[str], inside_repeat: bool) -> None:
    for op, av in items:
        name = str(op)
        if name in _FORBIDDEN_OPS:
            raise _fail(pattern, where, _FORBIDDEN_OPS[name])
        if name in ("MAX_REPEAT", "MIN_REPEAT"):
            if inside_repeat:
                raise _fail(pattern, where, "nested quantifiers are not allowed")
            _walk(list(av[2]), pattern, where, inside_repeat=True)
        elif name == "SUBPATTERN":
            if av[1] or av[2]:
                raise _fail(pattern, where, "inline flags are not allowed")
            _walk(list(av[3]), pattern, where, inside_repeat)
        elif name == "BRANCH":
            for branch in av[1]:
                _walk(list(branch), pattern, where, inside_repeat)
        elif name == "AT" and str(av) not in ("AT_BEGINNING", "AT_END", "AT_BOUNDARY", "AT_NON_BOUNDARY"):
            raise _fail(pattern, where, "only ^, $, \\b and \\B are allowed as anchors")


def _required(items: List[Any]) -> List[List[str]]:
    """Options of literals any match contains: each option is a list of alternatives."""
    options: List[List[str]] = []
    run: List[str] = []

    def flush() -> None:
        if run:
            options.append(["".join(run)])
            run.clear()

    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            run.append(chr(av))
        elif name == "SUBPATTERN":
            inner = list(av[3])
            if all(str(o) == "LITERAL" for o, _ in inner):
                run.extend(chr(a) for _, a in inner)
            else:
                flush()
                options.extend(_required(inner))
        elif name == "BRANCH":
            flush()
            alternatives: List[str] = []
            for branch in av[1]:
                best = _best(_required(list(branch)))
                if best is None:
                    alternatives = []
                    break
                alternatives.extend(best)
            if alternatives:
                options.append(sorted(set(alternatives)))
        elif name in ("MAX_REPEAT", "MIN_REPEAT"):
            flush()
            if av[0] >= 1:
                options.extend(_required(list(av[2])))
        elif name == "AT":
            continue  # zero-width: "^abc" still requires "abc"
        else:
            flush()
    flush()
    return options


def _best(options: List[List[str]]) -> Optional[List[str]]:
    if not options:
        return None
    return max(options, key=lambda alts: (min(len(s) for s in alts), -len(alts)))


def required_literals(condition: Mapping[str, str]) -> List[str]:
    """Strings one of which every line matching ``condition`` contains."""
    if "text" in condition:
        return [condition["text"]]
    return compile_pattern(condition["regex"])[0]

