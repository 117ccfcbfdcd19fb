"""Checking fix claims ("tiktoken>=0.8.0 installs a wheel on CPython 3.13") against index data.

Pure: works on :class:`~generator.index.page.ProjectPage` objects fetched by
the caller, through the verdicts of :mod:`generator.truth.wheels`.  What a failed
claim says about the releases, and "fixed upstream", come from
:func:`generator.truth.support.support`, the computation behind the table lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Mapping, Optional, Sequence

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from generator.errors import WheelfixError
from generator.index.page import ProjectPage
from generator.truth.support import counter_fact, support
from generator.truth.wheels import Kind, Target, Verdict, abi3_minimum, cpython_minors, release_verdicts


class ClaimError(WheelfixError):
    """A claim that cannot be checked: bad requirement, or no index data for its project."""


@dataclass(frozen=True)
class ClaimResult:
    """Whether a claim holds, and the counter-facts when it does not."""

    holds: bool
    requirement: str
    failures: tuple[str, ...]  # each failure a counter-fact line


def _parse_requirement(requirement: str) -> Requirement:
    try:
        return Requirement(requirement)
    except InvalidRequirement as exc:
        raise ClaimError(
            f"claim requirement {requirement!r} is not a valid requirement ({exc})",
            hint="write it as a PEP 508 requirement, e.g. tiktoken>=0.8.0",
        ) from None


def _satisfying(verdicts: Sequence[Verdict], specifier: SpecifierSet) -> list[Verdict]:
    # pip's defaults: yanked releases are skipped; pre-releases only when the specifier names
    # one or no final release satisfies it.  filter() has those rules in every packaging
    # version; contains() admits pre-releases by default from packaging 26 on.
    live = [v for v in verdicts if not v.yanked]
    allowed = set(specifier.filter(v.version for v in live))
    return [v for v in live if v.version in allowed]


def _what_happens(v: Verdict) -> str:
    if v.kind is Kind.SDIST:
        return f"{v.version} would build from source"
    return f"{v.version} has no file that installs there"


def check_claim(
    requirement: str,
    pythons: Sequence[str],
    platforms: Sequence[str],
    pages: Mapping[str, ProjectPage],
) -> ClaimResult:
    """Does pip install a wheel for ``requirement`` on every (python, platform) target?

    pip picks the newest satisfying non-yanked release, but a user pinning the
    lower bound gets the lowest one, so every satisfying release must get a
    wheel; the counter-fact names the lowest one that does not.
    """
    req = _parse_requirement(requirement)
    name = canonicalize_name(req.name)
    page = pages.get(name)
    if page is None:
        page = next((p for key, p in pages.items() if canonicalize_name(key) == name), None)
    if page is None:
        raise ClaimError(f"no index data for {name!r} to check the claim {requirement!r}", hint="fetch the project page first")
    if not pythons or not platforms:
        raise ClaimError(f"claim {requirement!r} names no targets", hint="give at least one CPython version and one platform")
    failures: list[str] = []
    for python in pythons:
        for platform in platforms:
            target = Target.parse(python, platform)
            verdicts = release_verdicts(page, target)
            satisfying = _satisfying(verdicts, req.specifier)
            prefix = f"{requirement} on {target.label}"
            if not satisfying:
                failures.append(f"{prefix}: no release satisfies the requirement")
                continue
            installable = [v for v in satisfying if v.kind is not Kind.NONE]
            bad = [v for v in satisfying if v.kind is not Kind.WHEEL]
            # A release with no file for the target is skipped by pip; it only fails the claim
            # when nothing satisfying installs at all.
            bad = [v for v in bad if v.kind is Kind.SDIST] or ([] if installable else bad)
            if not bad:
                continue
            column = target.python + ("t" if target.free_threaded else "")
            failures.append(f"{prefix}: {_what_happens(bad[0])}; {counter_fact(support(verdicts), column)}")
    return ClaimResult(holds=not failures, requirement=requirement, failures=tuple(failures))


@dataclass(frozen=True)
class Upstream:
    """One target's part of "fixed upstream": where its last run of wheels starts.

    ``since`` is :attr:`generator.truth.support.Support.since` (None when the
    newest counted release has no wheel), ``released`` its upload time, and
    ``dropped`` says the newest counted release installs nothing at all there.
    """

    since: Optional[Version]
    released: Optional[datetime]
    dropped: bool


def target_upstream(page: ProjectPage, python: str, platform: str) -> Upstream:
    """The :class:`Upstream` of one (python, platform) target of ``page``."""
    verdicts = release_verdicts(page, Target.parse(python, platform))
    found = support(verdicts)
    released = next((v.upload_time for v in verdicts if v.version == found.since), None) if found.since is not None else None
    return Upstream(found.since, released, found.newest is Kind.NONE)


#: The newest CPython minor taken as released when a project's wheels do not say (pure Python, abi3).
_NEWEST_KNOWN = 14


def upstream_minors(page: ProjectPage) -> list[int]:
    """The CPython minors "fixed upstream" may speak of: those with cpXY wheels (3.8 to 3.14 for pure-Python projects).

    An abi3 wheel serves its own minor and every later one, so a project that ships
    only abi3 wheels for some minors (psutil's cp36-abi3 on 3.11 and 3.12) still has them.
    """
    minors = set(cpython_minors(page))
    oldest = abi3_minimum(page)
    if oldest is not None:
        minors.update(range(max(oldest, 8), max(minors | {_NEWEST_KNOWN}) + 1))
    return sorted(minors) or list(range(8, _NEWEST_KNOWN + 1))


def combine_upstream(targets: Sequence[Upstream]) -> Optional[tuple[Version, Optional[datetime]]]:
    """The release from which every target gets wheels, and its upload time (see :func:`fixed_upstream`)."""
    chosen: Optional[Upstream] = None
    for found in targets:
        if found.since is None:
            if found.dropped:
                continue
            return None
        if chosen is None or chosen.since is None or found.since > chosen.since:
            chosen = found
    if chosen is None or chosen.since is None:
        return None
    return chosen.since, chosen.released


def fixed_upstream(
    package: str,
    affected_pythons: SpecifierSet,
    platforms: Sequence[str],
    page: ProjectPage,
) -> Optional[tuple[Version, Optional[datetime]]]:
    """The release from which every affected (python, platform) gets wheels, and its upload time.

    Per target this is :attr:`generator.truth.support.Support.since` (the start of
    the last run of releases with a wheel, when it reaches the newest
    release); over several targets, the latest of them.  The affected CPython
    versions are those of ``affected_pythons`` for which the project has ever
    shipped a cpXY wheel (3.8 to 3.14 for pure-Python projects).  A target
    whose newest release installs nothing at all (e.g. Requires-Python
    dropped it) is left out: the project no longer serves it, from source or
    otherwise.  None when some other target's newest release has no wheel.
    """
    if canonicalize_name(package) != page.name:
        raise ClaimError(f"page for {page.name!r} given to check {package!r}", hint="pass the page of the same project")
    pythons = [f"3.{m}" for m in upstream_minors(page) if affected_pythons.contains(f"3.{m}", prereleases=True)]
    if not pythons or not platforms:
        return None
    return combine_upstream([target_upstream(page, python, platform) for python in pythons for platform in platforms])
