"""Wheel support across a project's releases on one target, and what may be said about it.

Pure: every function here takes the verdict column of
:func:`generator.truth.wheels.release_verdicts` (one target, releases ascending).
:func:`support` turns it into one :class:`Support` value; the table lines
under the site's wheel tables, the counter-facts of claim checks and "fixed
upstream" are all read or rendered from that value, so they cannot disagree.

The releases that count
    Final releases that are not wholly yanked: what pip chooses from for an
    unpinned requirement (pre-releases need ``--pre``, yanked releases an
    ``==`` pin).  The tables list final releases only and mark yanked ones,
    so a table with yanked rows says that its lines leave them out
    (:data:`YANKED_NOTE`).

A run
    A longest stretch of consecutive counted releases that each install a
    wheel on the target.  Releases that build from source or install nothing
    there end a run.

Fixed upstream in X, on one target (:attr:`Support.since`)
    X starts the last run and that run reaches the newest counted release:
    X and every later counted release install a wheel, the newest one
    included, and the counted release just before X, if any, does not.
    There is no such X while the newest counted release has no wheel.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Optional, Sequence

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from generator.truth.wheels import Kind, Reason, Verdict

#: More runs than this are summed up ("12 of the 30 releases from A to B") instead of listed.
MAX_RUNS = 4
#: The line a table adds when it has yanked rows.
YANKED_NOTE = "Yanked releases (⊘) are left out of these lines: pip skips them unless a requirement pins one with ==."
# A Requires-Python longer than this is not quoted, only said to exclude the target.
_MAX_SPEC = 40


@dataclass(frozen=True)
class Run:
    """Consecutive counted releases from ``first`` to ``last`` that all install a wheel."""

    first: Version
    last: Version
    releases: int


@dataclass(frozen=True)
class Stop:
    """The first counted release after the last run, when the newest one has no wheel."""

    version: Version
    kind: Kind  # SDIST or NONE
    reason: Optional[Reason]
    requires_python: Optional[str]


@dataclass(frozen=True)
class Support:
    """Which counted releases install a wheel on one target (see the module docstring)."""

    releases: tuple[Version, ...]  # the counted releases, ascending
    runs: tuple[Run, ...]  # every run, ascending
    stop: Optional[Stop]  # where the last run ended, if before the newest release
    newest: Optional[Kind]  # what the newest counted release installs
    yanked: int  # final releases left out because they are wholly yanked

    @property
    def first_wheel(self) -> Optional[Version]:
        """The oldest counted release with a wheel."""
        return self.runs[0].first if self.runs else None

    @property
    def since(self) -> Optional[Version]:
        """The "fixed upstream" release: the start of the last run, when that run reaches the newest release."""
        return self.runs[-1].first if self.runs and self.stop is None else None


def support(verdicts: Sequence[Verdict]) -> Support:
    """The runs of wheel support in one target's verdict column (ascending, as the engine gives it)."""
    counted = [v for v in verdicts if not v.yanked and not v.version.is_prerelease]
    runs: list[Run] = []
    for wheel, group in groupby(counted, key=lambda v: v.kind is Kind.WHEEL):
        members = list(group)
        if wheel:
            runs.append(Run(members[0].version, members[-1].version, len(members)))
    stop: Optional[Stop] = None
    if runs and counted[-1].kind is not Kind.WHEEL:
        after = next(v for v in counted if v.version > runs[-1].last)
        stop = Stop(after.version, after.kind, after.reason, after.requires_python)
    return Support(
        releases=tuple(v.version for v in counted),
        runs=tuple(runs),
        stop=stop,
        newest=counted[-1].kind if counted else None,
        yanked=sum(1 for v in verdicts if v.yanked and not v.version.is_prerelease),
    )


# -- rendering -------------------------------------------------------------------------
#
# One grammar, so that tests can read every sentence back and check it against the
# table it sits under (tests/statements.py):
#   No release of P has a wheel for CPython X on T.
#   Releases of P with a wheel for CPython X on T: ITEMS[; none from S, which WHY].
# ITEMS lists the runs: "A–B" or "A" each, the last one "every release from A on"
# (or "every release") when it reaches the newest; more than MAX_RUNS earlier runs
# read "N of the M releases from A to B".


def runs_text(s: Support, python: str) -> str:
    """The runs, as a table line or a claim's counter-fact says them; "" when there is none."""
    if not s.runs:
        return ""
    earlier = list(s.runs if s.since is None else s.runs[:-1])
    items: list[str] = []
    if len(earlier) > MAX_RUNS:
        first, last = earlier[0].first, earlier[-1].last
        between = sum(1 for r in s.releases if first <= r <= last)
        items.append(f"{sum(r.releases for r in earlier)} of the {between} releases from {first} to {last}")
    else:
        items += [f"{r.first}" if r.first == r.last else f"{r.first}–{r.last}" for r in earlier]
    if s.since is not None:
        items.append("every release" if s.since == s.releases[0] else f"every release from {s.since} on")
    text = items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
    if s.stop is not None:
        text += f"; none from {s.stop.version}, {_why(s.stop, python)}"
    return text


def sentence(s: Support, package: str, python: str, platform: str) -> str:
    """The line under a wheel table for one column, e.g. for tiktoken on CPython 3.8.

    ``python`` is the column's label ("3.13", "3.13t").
    """
    where = f"CPython {python} on {platform}"
    if not s.runs:
        return f"No release of {package} has a wheel for {where}."
    return f"Releases of {package} with a wheel for {where}: {runs_text(s, python)}."


def counter_fact(s: Support, python: str) -> str:
    """The tail of a failed claim's line, from the same runs as the table lines."""
    text = f"releases with a wheel: {runs_text(s, python)}" if s.runs else "no release has a wheel there"
    return text + (" (yanked releases left out)" if s.yanked else "")


def _why(stop: Stop, python: str) -> str:
    if stop.kind is Kind.SDIST:
        if stop.reason is Reason.REQUIRES_PYTHON:
            return f"which builds from source: its wheels for this platform {_requires(stop.requires_python, python, plural=True)}"
        if stop.reason is Reason.YANKED:
            return "which builds from source: its wheels for this platform are yanked"
        return "which builds from source"
    if stop.reason is Reason.REQUIRES_PYTHON:
        return f"which {_requires(stop.requires_python, python, plural=False)}"
    if stop.reason is Reason.YANKED:
        return "whose files for this target are yanked"
    if stop.reason is Reason.NO_FILES:
        return "which lists no files"
    if stop.reason is Reason.NO_WHEEL:
        return "which has no file for this target"
    return "which installs nothing there"  # no reason recorded: say only what the verdict says


def _requires(spec: Optional[str], python: str, plural: bool) -> str:
    """'requires Python >= 3.9', or, when the specifier is not fit to quote, that it excludes the target."""
    shown = _spec_text(spec) if spec is not None else None
    if shown is not None:
        return f"{'require' if plural else 'requires'} Python {shown}"
    return f"{'exclude' if plural else 'excludes'} CPython {python} by {'their' if plural else 'its'} Requires-Python"


def _spec_text(spec: str) -> Optional[str]:
    # A space after each operator: index data never reads as an HTML tag ("<v1"), and the
    # canonical order makes equal specifiers read the same.
    try:
        parsed = SpecifierSet(spec)
    except InvalidSpecifier:
        return None
    text = ", ".join(f"{s.operator} {s.version}" for s in sorted(parsed, key=str))
    return text if text and len(text) <= _MAX_SPEC else None
