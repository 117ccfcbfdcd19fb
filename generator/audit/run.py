"""Audit pinned packages against a deploy target: wheel, source build, or nothing.

The audit is pure: index pages come from an injected ``fetch_many`` callable
and the dependency resolver is injected too (``resolve``, a
:class:`generator.audit.closure.ClosureResolver`; the command passes
:class:`generator.audit.resolver.UvResolver`).

For every target (CPython ``X.Y`` on one platform tag) and every package a
file pins exactly, :func:`audit` asks the wheel engine what pip would install
for the pinned release.  Then, for requirements and freeze files, the
resolver gives the whole dependency closure (what ``pip install -r`` really
installs), and every package in it is judged the same way, with the chain
that pulled it in and the upgrade of the file's own requirement that fixes
it (:mod:`generator.audit.closure`).  Lock files are closures already: every
entry is judged as it is.

The pieces live in their own modules: targets (:mod:`generator.audit.targets`),
guides (:mod:`generator.audit.guides`), records (:mod:`generator.audit.report`),
judging (:mod:`generator.audit.judge`); this module re-exports them.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Union

from packaging.version import Version

from generator.audit.guides import Guide, guide_for, load_guides, parse_guides
from generator.audit.judge import check_hashes, judge, nearest_wheel
from generator.audit.report import (
    KINDS,
    AuditError,
    AuditReport,
    Finding,
    HashMismatch,
    NearestWheel,
    Resolution,
    Upgrade,
    data_age_warning,
)
from generator.audit.targets import DEFAULT_PLATFORM, AuditTarget, applies, marker_environment, plan_targets
from generator.audit.closure import ClosureResolver, audit_closure
from generator.audit.coremetadata import Get
from generator.index.page import IndexClientError, ProjectPage
from generator.audit.pinfiles import Pin, PinFile
from generator.truth.wheels import Target, Verdict, release_verdicts

__all__ = [
    "DEFAULT_PLATFORM",
    "KINDS",
    "AuditError",
    "AuditReport",
    "AuditTarget",
    "Finding",
    "Guide",
    "HashMismatch",
    "NearestWheel",
    "Resolution",
    "Upgrade",
    "applies",
    "audit",
    "check_hashes",
    "data_age_warning",
    "guide_for",
    "judge",
    "load_guides",
    "marker_environment",
    "nearest_wheel",
    "parse_guides",
    "plan_targets",
]

logger = logging.getLogger("wheelfix.audit")

FetchMany = Callable[[Sequence[str]], Mapping[str, Union[ProjectPage, IndexClientError]]]

#: Formats whose files list requirements, not a closure (locks are resolved, and
#: `pip freeze` lists every package of the environment it ran in).
_NEEDS_RESOLUTION = ("requirements",)


def _fetch(names: Sequence[str], fetch_many: FetchMany, report: AuditReport, where: Mapping[str, str]) -> Dict[str, ProjectPage]:
    from generator.index.client import ProjectNotFound  # the HTTP stack only when auditing for real

    wanted = sorted(set(names))
    results = fetch_many(wanted) if wanted else {}
    pages: Dict[str, ProjectPage] = {}
    missing: List[str] = []
    for name in wanted:
        result = results.get(name)
        if isinstance(result, ProjectPage):
            pages[name] = result
            report.data_as_of[name] = result.fetched_at
        elif isinstance(result, ProjectNotFound):
            missing.append(f"{where.get(name, '?')}: no project named {name!r} on the index")
        elif isinstance(result, IndexClientError):
            raise result
        else:
            raise AuditError(f"the index client returned nothing for {name!r}")
    if missing:
        raise AuditError("; ".join(missing), hint="check the spelling, or the index URL if the package is private")
    return pages


def audit(
    files: Sequence[PinFile],
    targets_by_file: Mapping[Path, Sequence[AuditTarget]],
    *,
    fetch_many: FetchMany,
    guides: Sequence[Guide] = (),
    resolve: Optional[ClosureResolver] = None,
    no_resolve_reason: str = "no resolver was given",
    get_metadata: Optional[Get] = None,
) -> AuditReport:
    """Audit ``files``, each against its targets; see the module docstring.

    ``resolve=None`` checks only what the files name, with a warning that
    gives ``no_resolve_reason``.  ``get_metadata`` fetches PEP 658 metadata
    (default: over HTTP).
    """
    report = AuditReport()
    for targets in targets_by_file.values():
        for t in targets:
            if t not in report.targets:
                report.targets.append(t)

    # First every exact pin (any target), so the index is asked once for all.
    where: Dict[str, str] = {}
    for pf in files:
        for u in pf.unauditable:
            report.warn(f"{u.where}: not auditable: {u.reason} ({u.text})")
        for pin in pf.pins:
            where.setdefault(pin.name, pin.where)
    # Only what applies on some target: a Windows-only pin is not asked about for a Linux deploy.
    envs = {
        path: [marker_environment(t.python, t.platform) for t in targets] for path, targets in targets_by_file.items()
    }
    exact_names = [
        p.name
        for pf in files
        for p in pf.requirements
        if _effective_version(p, pf) is not None and any(applies(p, env) for env in envs.get(pf.path, []))
    ]
    pages = _fetch(exact_names, fetch_many, report, where)

    def more_pages(names: Sequence[str]) -> Dict[str, ProjectPage]:
        missing = [n for n in names if n not in pages]
        if missing:
            pages.update(_fetch(missing, fetch_many, report, where))
        return {n: pages[n] for n in names}

    for pf in files:
        for pin in pf.requirements:
            page = pages.get(pin.name)
            if page is not None and pin.version is not None and any(applies(pin, env) for env in envs.get(pf.path, [])):
                mismatch = check_hashes(pin, page)
                if mismatch is not None and mismatch not in report.hash_mismatches:
                    report.hash_mismatches.append(mismatch)
                    report.warn(mismatch.message)
        for target in targets_by_file.get(pf.path, ()):
            verdicts_of = _verdict_cache(target)
            _audit_exact(pf, target, pages, report, guides=guides, verdicts_of=verdicts_of)
            if pf.format not in _NEEDS_RESOLUTION or not pf.requirements:
                continue
            if resolve is None:
                report.warn(f"{pf.path}: dependencies not resolved ({no_resolve_reason}); only the packages it names were checked")
                continue
            try:
                audit_closure(pf, target, report, resolver=resolve, pages=more_pages, verdicts_of=verdicts_of,
                              guides=guides, get_metadata=get_metadata)
            except IndexClientError as exc:
                # The index failed part-way: what was judged stays, the closure is reported as unresolved.
                report.failed_resolutions += 1
                resolution = Resolution(str(pf.path), target.python, target.platform, None, False, message=f"the index failed: {exc}")
                report.resolutions.append(resolution)
                report.warn(resolution.summary)
    return report


def _verdict_cache(target: AuditTarget) -> Callable[[ProjectPage], List[Verdict]]:
    tgt = Target.parse(target.python, target.platform)
    cache: Dict[str, List[Verdict]] = {}

    def verdicts_of(page: ProjectPage) -> List[Verdict]:
        if page.name not in cache:
            cache[page.name] = list(release_verdicts(page, tgt))
        return cache[page.name]

    return verdicts_of


def _effective_version(pin: Pin, pf: PinFile) -> Optional[Version]:
    if pin.version is not None:
        return pin.version
    # A loose requirement pinned exactly by a -c constraint is as good as pinned.
    for c in pf.constraints:
        if c.name == pin.name and c.version is not None and pin.specifier.contains(c.version, prereleases=True):
            return c.version
    return None


def _audit_exact(
    pf: PinFile,
    target: AuditTarget,
    pages: Dict[str, ProjectPage],
    report: AuditReport,
    *,
    guides: Sequence[Guide],
    verdicts_of: Callable[[ProjectPage], List[Verdict]],
) -> None:
    env = marker_environment(target.python, target.platform)
    if pf.requires_python is not None and not pf.requires_python.contains(Version(target.python), prereleases=True):
        report.warn(f"{pf.path}: the lock requires Python {pf.requires_python}; CPython {target.python} is outside it")
    for pin in pf.requirements:
        if not applies(pin, env):
            logger.debug("%s: %s skipped on %s %s (marker %s)", pin.where, pin.name, target.python, target.platform, pin.marker)
            continue
        version = _effective_version(pin, pf)
        if version is None:
            continue  # loose: the resolver says which release
        page = pages[pin.name]
        report.findings.append(
            judge(page, version, target, guides=guides, file=str(pin.file), line=pin.line, verdicts=verdicts_of(page))
        )
