"""Versions, specifiers, requirements and markers from untrusted text, with bounded numbers.

packaging turns every number in a version into a Python ``int``, and Python
refuses to convert a string of more than 4,300 digits (``sys.int_max_str_digits``)
with a bare ``ValueError``, not ``InvalidVersion``.  Worse, a specifier set, a
requirement or a marker holding such a number parses fine and only fails when
a version is compared with it: far from the file that held it, in ``export``,
``build`` or ``audit``.  Build tags of wheel file names hit the same wall.

So text from a record, a requirements or lock file, a project file or an index
page goes through these functions before packaging sees it.  Each refuses a
number longer than :data:`MAX_DIGITS` (and a version longer than
:data:`MAX_VERSION_LENGTH`) with packaging's own exception for that kind of
text, so every handler already written for ``InvalidVersion`` and friends
catches it, and with a message that names the rule broken.  Callers reading
records turn it into an error with file and line; callers reading an index page
skip the entry with a warning, as pip skips what it cannot parse.
"""

from __future__ import annotations

import re
from typing import Optional, Type

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

#: Longest run of digits accepted anywhere in version text.  Real versions use
#: at most a timestamp's 14 or so; Python's own limit is 4,300.
MAX_DIGITS = 64
#: Longest version accepted (a local label such as ``+cu121.torch2.4`` included).
MAX_VERSION_LENGTH = 256

_LONG_NUMBER = re.compile(r"[0-9]{%d,}" % (MAX_DIGITS + 1))


def number_problem(text: str) -> Optional[str]:
    """Why ``text`` cannot be version text (a number too long), or None."""
    m = _LONG_NUMBER.search(text)
    if m is None:
        return None
    return f"it holds a number of {len(m.group())} digits; version numbers have at most {MAX_DIGITS}"


def clip(text: str) -> str:
    """``repr(text)``, shortened in the middle to fit a one-line message."""
    shown = repr(text)
    return shown if len(shown) <= 60 else shown[:40] + "..." + shown[-12:]


def version(text: str) -> Version:
    """``Version(text)``; raises :class:`InvalidVersion` for a version too long or with a number too long."""
    problem = number_problem(text)
    if problem is None and len(text) > MAX_VERSION_LENGTH:
        problem = f"it is {len(text)} characters long; a version has at most {MAX_VERSION_LENGTH}"
    if problem is not None:
        raise InvalidVersion(f"{clip(text)} is not a usable version: {problem}")
    return Version(text)


def _refuse_long_numbers(text: str, error: Type[ValueError], what: str) -> None:
    problem = number_problem(text)
    if problem is not None:
        raise error(f"{clip(text)} is not a usable {what}: {problem}")


def specifier_set(text: str) -> SpecifierSet:
    """``SpecifierSet(text)``; raises :class:`InvalidSpecifier` for a number too long."""
    _refuse_long_numbers(text, InvalidSpecifier, "version specifier")
    return SpecifierSet(text)


def requirement(text: str) -> Requirement:
    """``Requirement(text)``; raises :class:`InvalidRequirement` for a number too long."""
    _refuse_long_numbers(text, InvalidRequirement, "requirement")
    return Requirement(text)


def marker(text: str) -> Marker:
    """``Marker(text)``; raises :class:`InvalidMarker` for a number too long."""
    _refuse_long_numbers(text, InvalidMarker, "environment marker")
    return Marker(text)
