"""The dependency closure of one file on one target: findings, their chains, and upgrades.

What ``pip install -r`` installs is the closure of the file's requirements,
so the audit judges every package in it.  A resolver (:mod:`generator.audit.resolver`)
says which releases those are and who requires each; the wheel engine
judges each release.  For every problem the audit names the upgrade the user
can make: the nearest release of the file's own requirement (the top of the
chain, or the package itself) whose whole closure installs from wheels on
the target, as the resolver checks it.  Upgrading a dependency alone would
conflict with the requirement that pins it.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Callable, Dict, List, Mapping, Optional, Protocol, Sequence, Tuple

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from generator import pep440
from generator.audit.guides import Guide
from generator.audit.judge import judge
from generator.audit.report import AuditReport, Finding, Resolution, Upgrade
from generator.audit.targets import AuditTarget
from generator.audit.coremetadata import Get, release_dependencies
from generator.index.page import ProjectPage
from generator.audit.pinfiles import Pin, PinFile
from generator.audit.resolution import Blocker, Closure, ClosureRequest, ResolverError, Unblock
from generator.truth.wheels import Kind, Verdict

__all__ = ["MAX_UPGRADE_CHECKS", "ClosureResolver", "audit_closure", "closure_request", "find_upgrade"]

logger = logging.getLogger("wheelfix.audit")

#: Releases of a requirement checked for an upgrade, nearest first.
MAX_UPGRADE_CHECKS = 20

Pages = Callable[[Sequence[str]], Dict[str, ProjectPage]]
VerdictsOf = Callable[[ProjectPage], List[Verdict]]


class ClosureResolver(Protocol):
    """What the audit needs from a resolver (uv, or a test's stand-in)."""

    @property
    def tool(self) -> str: ...

    def closure(self, request: ClosureRequest, unblock: Unblock) -> Closure: ...

    def installs_from_wheels(self, requirements: Sequence[str], python: str, platform: str) -> Tuple[Optional[bool], str]: ...


def _pep508(pin: Pin) -> str:
    line = pin.requirement_line()
    return f"{line} ; {pin.marker}" if pin.marker is not None else line


def closure_request(pf: PinFile, target: AuditTarget) -> ClosureRequest:
    """The file's requirements and constraints, markers kept (the resolver evaluates them for the target)."""
    return ClosureRequest(
        requirements=tuple(_pep508(p) for p in pf.requirements),
        constraints=tuple(_pep508(p) for p in pf.constraints),
        python=target.python,
        platform=target.platform,
    )


def _pip_choice(verdicts: Sequence[Verdict], specifier: SpecifierSet, pins: Sequence[Pin]) -> Optional[Version]:
    # The release pip takes with sources allowed: the highest non-yanked one the
    # specifiers admit that has a file for the target (an exact pin is taken as is).
    exact = [s.version for s in specifier if s.operator in ("==", "===") and "*" not in s.version]
    if len(exact) == 1:
        try:
            return pep440.version(exact[0])
        except InvalidVersion:
            return None
    admitted = [v for v in verdicts if not v.yanked and all(p.specifier.contains(v.version, prereleases=True) for p in pins)]
    usable = [v.version for v in admitted if v.kind != Kind.NONE] or [v.version for v in admitted]
    return max(specifier.filter(usable), default=None)


def audit_closure(
    pf: PinFile,
    target: AuditTarget,
    report: AuditReport,
    *,
    resolver: ClosureResolver,
    pages: Pages,
    verdicts_of: VerdictsOf,
    guides: Sequence[Guide],
    get_metadata: Optional[Get] = None,
) -> None:
    """Judge every package of ``pf``'s closure on ``target`` that the file does not pin exactly."""
    by_name: Dict[str, List[Pin]] = {}
    for pin in pf.pins:
        by_name.setdefault(pin.name, []).append(pin)

    def unblock(blocker: Blocker) -> Optional[Tuple[str, Optional[List[str]]]]:
        page = pages([blocker.name])[blocker.name]
        version = _pip_choice(verdicts_of(page), blocker.specifier, by_name.get(blocker.name, []))
        if version is None:
            return None
        deps = release_dependencies(page, version, get_metadata) if get_metadata else release_dependencies(page, version)
        if deps.requires is None:
            report.warn(f"{pf.path}: the dependencies of {blocker.name} {version} were not resolved: {deps.source}")
        return str(version), deps.requires

    request = closure_request(pf, target)
    try:
        closure = resolver.closure(request, unblock)
    except ResolverError as exc:
        _failed(report, Resolution(str(pf.path), target.python, target.platform, None, False, message=str(exc)))
        return
    resolution = Resolution(str(pf.path), target.python, target.platform, closure.tool, closure.ok,
                            len(closure.packages), "" if closure.ok else closure.message)
    if closure.ok:
        report.resolutions.append(resolution)
    else:
        _failed(report, resolution)

    judged = {f.package for f in report.findings if (f.python, f.platform) == (target.python, target.platform) and f.file in _files(pf)}
    todo = sorted(name for name in closure.packages if name not in judged)
    fetched = pages(todo) if todo else {}
    for name in todo:
        node = closure.packages[name]
        try:
            version = pep440.version(node.version)
        except InvalidVersion:
            report.warn(f"{pf.path}: {closure.tool} resolved {name} to {node.version!r}, not a version")
            continue
        chain = closure.chain(name)
        anchor = next(iter(by_name.get(chain[-1].name if chain else name, [])), None)
        page = fetched[name]
        finding = judge(page, version, target, guides=guides, file=str(anchor.file if anchor else pf.path),
                        line=anchor.line if anchor else None, verdicts=verdicts_of(page))
        report.findings.append(replace(finding, required_by=tuple((n.name, n.version) for n in chain), resolved_by=closure.tool))
    if closure.ok:  # a failed resolution would fail each check the same way
        _add_upgrades(pf, target, report, resolver, pages, verdicts_of, by_name)


def _files(pf: PinFile) -> set[str]:
    return {str(pf.path)} | {str(p.file) for p in pf.pins}


def _failed(report: AuditReport, resolution: Resolution) -> None:
    report.resolutions.append(resolution)
    report.failed_resolutions += 1
    report.warn(resolution.summary)


def _add_upgrades(
    pf: PinFile,
    target: AuditTarget,
    report: AuditReport,
    resolver: ClosureResolver,
    pages: Pages,
    verdicts_of: VerdictsOf,
    by_name: Mapping[str, Sequence[Pin]],
) -> None:
    files = _files(pf)
    found: Dict[Tuple[str, str], Tuple[Optional[Upgrade], bool]] = {}
    for i, f in enumerate(report.findings):
        if f.ok or f.upgrade is not None or f.file not in files or (f.python, f.platform) != (target.python, target.platform):
            continue
        top, current = f.required_by[-1] if f.required_by else (f.package, f.version or "")
        if top not in by_name:
            continue
        if (top, current) not in found:
            found[(top, current)] = find_upgrade(resolver, pages([top])[top], verdicts_of, current, target, by_name[top])
        upgrade, checked = found[(top, current)]
        report.findings[i] = replace(f, upgrade=upgrade, upgrade_checked=checked)


def find_upgrade(
    resolver: ClosureResolver,
    page: ProjectPage,
    verdicts_of: VerdictsOf,
    current: str,
    target: AuditTarget,
    pins: Sequence[Pin] = (),
) -> Tuple[Optional[Upgrade], bool]:
    """The lowest release of ``page``'s project above ``current`` whose closure installs from wheels.

    Candidates are releases with a wheel of their own for the target (not
    yanked; pre-releases only from a pre-release), nearest first, at most
    :data:`MAX_UPGRADE_CHECKS` of them; the resolver checks each one alone.
    Returns the upgrade (or None) and whether the search finished: a check
    the resolver could not answer stops it unfinished.
    """
    try:
        now = pep440.version(current)
    except InvalidVersion:
        return None, False
    extras = sorted({e for p in pins for e in p.extras})
    suffix = f"[{','.join(extras)}]" if extras else ""
    candidates = sorted(
        v.version for v in verdicts_of(page)
        if v.version > now and not v.yanked and v.kind == Kind.WHEEL and (now.is_prerelease or not v.version.is_prerelease)
    )
    for version in candidates[:MAX_UPGRADE_CHECKS]:
        ok, message = resolver.installs_from_wheels([f"{page.name}{suffix}=={version}"], target.python, target.platform)
        if ok:
            return Upgrade(page.name, str(version), current, resolver.tool), True
        if ok is None:
            logger.warning("%s %s: the upgrade check did not finish: %s", page.name, version, message)
            return None, False
        logger.debug("%s %s does not install from wheels only: %s", page.name, version, message)
    return None, True
