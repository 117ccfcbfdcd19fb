"""Judging one release on one target: wheel, source build or nothing; the nearest wheel; hashes.

Pure: the verdicts come from the wheel engine over an index page already fetched.
"""

from __future__ import annotations

import logging
from typing import Optional, Sequence

from packaging.version import Version

from generator.audit.guides import Guide, guide_for
from generator.audit.report import Finding, HashMismatch, NearestWheel
from generator.audit.targets import AuditTarget
from generator.audit.pinfiles import Pin
from generator.index.page import ProjectPage, file_version
from generator.truth.wheels import Kind, Target, Verdict, release_verdicts

__all__ = ["check_hashes", "judge", "nearest_wheel"]

logger = logging.getLogger("wheelfix.audit")


def _kind_name(kind: Kind) -> str:
    return str(kind.value)


def nearest_wheel(verdicts: Sequence[Verdict], pinned: Version) -> Optional[NearestWheel]:
    """The lowest release above ``pinned`` with a wheel, else the highest below it.

    Yanked releases never count; pre-releases count only when ``pinned`` is one.
    """
    usable = [
        v
        for v in verdicts
        if v.kind == Kind.WHEEL and not v.yanked and v.file is not None and (pinned.is_prerelease or not v.version.is_prerelease)
    ]
    newer = [v for v in usable if v.version > pinned]
    if newer:
        best, direction = min(newer, key=lambda v: v.version), "newer"
    else:
        older = [v for v in usable if v.version < pinned]
        if not older:
            return None
        best, direction = max(older, key=lambda v: v.version), "older"
    assert best.file is not None
    return NearestWheel(str(best.version), best.file.filename, direction)


def check_hashes(pin: Pin, page: ProjectPage) -> Optional[HashMismatch]:
    """Compare ``pin``'s sha256 hashes with the index's files of the pinned release."""
    if not pin.hashes or pin.version is None:
        return None
    pinned = {h.split(":", 1)[1] for h in pin.hashes if h.startswith("sha256:")}
    known = {f.sha256.lower() for f in page.files if f.sha256 and file_version(f.filename, page.name) == pin.version}
    if not pinned or not known:
        # Nothing comparable (other algorithms, or the index gives no sha256): no verdict.
        logger.debug("%s: no sha256 to compare for %s", pin.where, pin.name)
        return None
    if pinned & known:
        return None
    return HashMismatch(str(pin.file), pin.line, pin.name, str(pin.version), tuple(sorted(pin.hashes)))


def judge(
    page: ProjectPage,
    version: Version,
    target: AuditTarget,
    *,
    guides: Sequence[Guide],
    file: str,
    line: Optional[int],
    verdicts: Optional[Sequence[Verdict]] = None,
) -> Finding:
    """What pip would install for ``page.name==version`` on ``target``."""
    if verdicts is None:
        verdicts = release_verdicts(page, Target.parse(target.python, target.platform))
    verdict = next((v for v in verdicts if v.version == version), None)
    common = dict(file=file, line=line, package=page.name, version=str(version), python=target.python, platform=target.platform)
    if verdict is None:
        kind, file_name, reason = "none", None, f"the index has no release {version} of {page.name}"
    else:
        kind = _kind_name(verdict.kind)
        file_name = verdict.file.filename if verdict.file is not None else None
        reason = {
            "wheel": "installs from a wheel",
            "sdist": f"no wheel for CPython {target.python} on {target.platform}; pip would build from source",
            "none": f"no file of {page.name} {version} installs on CPython {target.python} {target.platform}",
        }[kind]
        if verdict.yanked:
            reason += " (the release is yanked)"
    if kind == "wheel":
        return Finding(kind=kind, file_name=file_name, reason=reason, **common)  # type: ignore[arg-type]
    guide = guide_for(guides, page.name, version, target.python)
    return Finding(
        kind=kind,
        file_name=file_name,
        guide=guide,
        nearest_wheel=nearest_wheel(verdicts, version),
        build_requires=guide.build_requires if guide else (),
        reason=reason,
        **common,  # type: ignore[arg-type]
    )
