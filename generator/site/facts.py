"""The facts pass: everything the site says about a package's releases, computed once per build.

For each package the KB mentions, :func:`package_facts` asks the truth engine
(:mod:`generator.truth`) every question the site has about it (its
:class:`Questions`: the platforms of its tables and "fixed upstream" notes,
and the claims naming it) and keeps the answers as plain values
(:class:`PackageFacts`): the verdict of every release on every target (the
table cells), the lines under each table, each target's "fixed upstream"
release, and each claim's result.  Nothing else in the site calls the
engine; views read these values (through :mod:`generator.site.verify`).

The answers depend only on the page's bytes, the questions and the engine,
so :mod:`generator.site.factcache` can keep them between builds.  What
depends on when the page was fetched (the "index data as of" notes) is not
part of them: it comes from the page's :class:`~generator.index.page.PageMeta`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from generator.index.page import ProjectPage
from generator.truth.claims import ClaimError, Upstream, check_claim, target_upstream, upstream_minors
from generator.truth.support import YANKED_NOTE, Support, sentence, support
from generator.truth.wheels import Kind, Target, Verdict, cpython_builds, release_verdicts

#: CPython versions before this are not shown as table columns.
OLDEST_COLUMN = 8
#: What a table cell can say, by its letter in :attr:`PlatformFacts.states`; "yanked" for a
#: release whose every file is yanked, "-" for no verdict at all (shown as "none").
STATES = {"w": "wheel", "s": "sdist", "n": "none", "y": "yanked", "-": "none"}
_LETTER = {"wheel": "w", "sdist": "s", "none": "n", "yanked": "y"}


@dataclass(frozen=True)
class Claim:
    """A fix's claim, as asked of its package: does ``requirement`` install a wheel on every target?"""

    requirement: str
    pythons: Tuple[str, ...]
    platforms: Tuple[str, ...]


@dataclass(frozen=True)
class Questions:
    """What the site asks about one package: the platform tags of its tables and notes, and its claims."""

    platforms: Tuple[str, ...]
    claims: Tuple[Claim, ...] = ()
    # The readiness pages' cells: every CPython of ``readiness_pythons`` on every tag of
    # ``readiness_tags`` (see :mod:`generator.site.readiness_facts`).
    readiness_pythons: Tuple[str, ...] = ()
    readiness_tags: Tuple[str, ...] = ()


@dataclass(frozen=True)
class PlatformFacts:
    """One package on one platform: every release (rows) on every column's CPython."""

    # Per release of PackageFacts.releases, per column: the cell's letter (see STATES) and the
    # file pip would pick ("" for none).  Strings, not an object per cell: a build reads
    # hundreds of thousands of them from the cache.
    states: Tuple[str, ...]
    files: Tuple[Tuple[str, ...], ...]
    summaries: Tuple[str, ...]  # the lines under the table, one per column (+ the yanked note)
    upstream: Tuple[Upstream, ...]  # per regular (not free-threaded) column, in column order


@dataclass(frozen=True)
class ClaimFacts:
    """A claim's result: it holds, or its counter-facts, or why it cannot be checked (``error``)."""

    holds: bool
    failures: Tuple[str, ...] = ()
    error: str = ""


@dataclass(frozen=True)
class PackageFacts:
    """Every answer the site needs about one package (see the module docstring)."""

    name: str
    columns: Tuple[str, ...]  # "3.8" ... and "3.13t" ...
    releases: Tuple[str, ...]  # final releases, ascending
    released: Tuple[str, ...]  # per release: "YYYY-MM-DD" of its first upload, or "unknown"
    minors: Tuple[int, ...]  # the CPython minors "fixed upstream" may speak of
    serial: Optional[int]  # the page's last serial, as read with it
    platforms: Dict[str, PlatformFacts]
    claims: Dict[Claim, ClaimFacts]
    # Per readiness tag, per readiness python (tag-major): (state, text, sentence, since or "").
    readiness: Tuple[Tuple[str, str, str, str], ...] = ()

    @property
    def regular_columns(self) -> Tuple[str, ...]:
        return tuple(c for c in self.columns if not c.endswith("t"))

    def upstream(self, python: str, platform: str) -> Upstream:
        """The "fixed upstream" fact of a regular column on one of the asked platforms."""
        return self.platforms[platform].upstream[self.regular_columns.index(python)]


def requirement_name(requirement: str) -> str:
    """The canonical project name a claim's requirement is about."""
    return canonicalize_name(Requirement(requirement).name)


def python_columns(page: ProjectPage) -> List[str]:
    """CPython columns: 3.8 up to the newest with a wheel, plus free-threaded ones with wheels."""
    regular, threaded = cpython_builds(page)
    newest = max(regular | threaded | {12})  # pure-Python projects: up to a current CPython
    columns = [f"3.{m}" for m in range(OLDEST_COLUMN, newest + 1)]
    columns += [f"3.{m}t" for m in sorted(threaded)]
    return columns


def _letter(v: Optional[Verdict]) -> str:
    if v is None:
        return "-"
    return "y" if v.yanked else _LETTER[v.kind.value]


def _file(v: Optional[Verdict]) -> str:
    return v.file.filename if v is not None and v.file is not None else ""


def _platform(page: ProjectPage, columns: Sequence[str], releases: Sequence[str], platform: str) -> PlatformFacts:
    per_column = []
    summaries = []
    yanked = False
    for python in columns:
        verdicts = release_verdicts(page, Target.parse(python, platform))
        per_column.append({str(v.version): v for v in verdicts})
        column = support(verdicts)
        summaries.append(sentence(column, page.name, python, platform))
        yanked = yanked or column.yanked > 0
    if yanked:
        summaries.append(YANKED_NOTE)
    states = tuple("".join(_letter(by_version.get(version)) for by_version in per_column) for version in releases)
    files = tuple(tuple(_file(by_version.get(version)) for by_version in per_column) for version in releases)
    upstream = tuple(target_upstream(page, python, platform) for python in columns if not python.endswith("t"))
    return PlatformFacts(states, files, tuple(summaries), upstream)


def readiness_cell(s: Support, package: str, python: str, platform: str) -> Tuple[str, str, str, str]:
    """(state, text, sentence, since or "") of one readiness cell, every word read from ``s``."""
    line = sentence(s, package, python, platform)
    if s.since is not None:
        text = "every release" if s.since == s.releases[0] else f"since {s.since}"
        return ("wheel", text, line, str(s.since))
    if not s.releases:
        return ("none", "no release", line, "")
    newest = str(s.releases[-1])
    if s.newest is Kind.SDIST:
        return ("sdist", f"{newest} builds from source", line, "")
    return ("none", f"{newest} does not install", line, "")


def _readiness(page: ProjectPage, questions: Questions) -> Tuple[Tuple[str, str, str, str], ...]:
    return tuple(
        readiness_cell(support(release_verdicts(page, Target.parse(python, tag))), page.name, python, tag)
        for tag in questions.readiness_tags
        for python in questions.readiness_pythons
    )


def _claim(claim: Claim, page: ProjectPage) -> ClaimFacts:
    try:
        result = check_claim(claim.requirement, claim.pythons, claim.platforms, {page.name: page})
    except ClaimError as exc:
        return ClaimFacts(False, error=str(exc))
    return ClaimFacts(result.holds, result.failures)


def package_facts(page: ProjectPage, questions: Questions) -> PackageFacts:
    """Ask the engine every question of ``questions`` about ``page``.  Pure."""
    columns = tuple(python_columns(page))
    # Every target gets one verdict per release, so the first column lists the releases.
    verdicts = release_verdicts(page, Target.parse(columns[0], questions.platforms[0])) if questions.platforms else []
    finals = [v for v in verdicts if not v.version.is_prerelease]
    return PackageFacts(
        name=page.name,
        columns=columns,
        releases=tuple(str(v.version) for v in finals),
        released=tuple(v.upload_time.strftime("%Y-%m-%d") if v.upload_time else "unknown" for v in finals),
        minors=tuple(upstream_minors(page)),
        serial=page.last_serial,
        platforms={tag: _platform(page, columns, [str(v.version) for v in finals], tag) for tag in questions.platforms},
        claims={claim: _claim(claim, page) for claim in questions.claims},
        readiness=_readiness(page, questions),
    )
