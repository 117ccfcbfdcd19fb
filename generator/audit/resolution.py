"""What a resolver is asked and what it answers: the values of a dependency closure.

A :class:`ClosureRequest` (one file's requirements, one target) goes in; a
:class:`Closure` of :class:`Resolved` packages, each with the packages that
required it, comes out.  A :class:`Blocker` is a package the resolver could
not use for want of a wheel, and :data:`Unblock` the callback that says what
pip would take instead.  :class:`generator.audit.resolver.UvResolver` computes
closures with uv; tests use fakes that return these same values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from generator.errors import WheelfixError

__all__ = ["DIRECT", "Blocker", "Closure", "ClosureRequest", "Resolved", "ResolverError", "Unblock"]

#: The parent name that stands for the audited file itself.
DIRECT = ""


class ResolverError(WheelfixError):
    """The resolver cannot run: uv missing, a platform uv cannot target."""


@dataclass(frozen=True)
class ClosureRequest:
    """The requirements of one file, to resolve for one target."""

    requirements: Tuple[str, ...]  # PEP 508 lines, markers kept: uv evaluates them for the target
    constraints: Tuple[str, ...]
    python: str
    platform: str


@dataclass(frozen=True)
class Resolved:
    """One package of the closure and the packages that required it."""

    name: str
    version: str
    parents: Tuple[str, ...]  # canonical names; DIRECT for the audited file
    blocked: bool = False  # no wheel for the target: uv was not allowed to use it
    dependencies_known: bool = True  # False: blocked, and its dependencies could not be read

    @property
    def direct(self) -> bool:
        """Whether the audited file asks for it."""
        return DIRECT in self.parents


@dataclass
class Closure:
    """uv's answer for one file and target (``ok`` False: ``message`` says why)."""

    tool: str
    ok: bool
    packages: Dict[str, Resolved] = field(default_factory=dict)
    message: str = ""

    def chain(self, name: str) -> List[Resolved]:
        """The packages from ``name``'s parent up to a requirement of the file (shortest path).

        Empty for a direct requirement, or when no path is known.
        """
        name = str(canonicalize_name(name))
        start = self.packages.get(name)
        if start is None or start.direct:
            return []
        came_from: Dict[str, str] = {name: name}
        frontier = [name]
        while frontier:
            nxt: List[str] = []
            for current in frontier:
                node = self.packages.get(current)
                if node is None:
                    continue
                if node.direct and current != name:
                    path: List[Resolved] = []
                    while current != name:
                        path.append(self.packages[current])
                        current = came_from[current]
                    return path[::-1]
                for parent in sorted(p for p in node.parents if p != DIRECT):
                    if parent not in came_from:
                        came_from[parent] = current
                        nxt.append(parent)
            frontier = nxt
        return []


@dataclass(frozen=True)
class Blocker:
    """A package uv could not use because it has no wheel for the target."""

    name: str
    specifier: SpecifierSet  # as uv states it: "==2.16.2", a range, or empty for "all versions"
    parents: Tuple[str, ...]  # who requires it, as uv's explanation says (DIRECT: the file)


#: Given a blocked package, the release pip would take and its Requires-Dist lines
#: (None: not readable without a build), or None when no release matches.
Unblock = Callable[[Blocker], Optional[Tuple[str, Optional[List[str]]]]]
