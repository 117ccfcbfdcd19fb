"""The records of an audit: findings, hash mismatches, resolutions, and the report.

:meth:`AuditReport.to_json` is the documented ``--json`` object (docs/audit.md).
Pure data: nothing here fetches, resolves or judges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from generator.audit.errors import AuditError

if TYPE_CHECKING:
    from generator.audit.guides import Guide

__all__ = [
    "KINDS",
    "AuditError",
    "AuditReport",
    "Finding",
    "HashMismatch",
    "NearestWheel",
    "Resolution",
    "Upgrade",
    "data_age_warning",
]

#: What a finding's ``kind`` can be, in order of badness.
KINDS = ("wheel", "sdist", "none")


@dataclass(frozen=True)
class NearestWheel:
    """The release closest to the pinned one that has a wheel for the target."""

    version: str
    file: str
    direction: str  # "newer" or "older"

    def to_json(self) -> Dict[str, str]:
        """The ``nearest_wheel`` object of a finding in ``--json``."""
        return {"version": self.version, "file": self.file, "direction": self.direction}


@dataclass(frozen=True)
class Upgrade:
    """The release of a requirement of the file to move to: it and all its dependencies install from wheels."""

    package: str
    version: str
    current: str
    checked_by: str  # the resolver that checked it, e.g. "uv 0.13.9"

    @property
    def requirement(self) -> str:
        """``name==version``, as it goes into the requirements file."""
        return f"{self.package}=={self.version}"

    def to_json(self) -> Dict[str, str]:
        """The ``upgrade`` object of a finding in ``--json``."""
        return {"package": self.package, "version": self.version, "from": self.current, "checked_by": self.checked_by}


@dataclass(frozen=True)
class Finding:
    """What pip would install for one package on one target.

    ``required_by`` is the chain that pulled a dependency in, nearest parent
    first, ending at a requirement of the file; empty for a package the file
    names.  ``line`` is then the line of that requirement.
    """

    file: str
    line: Optional[int]
    package: str
    version: Optional[str]
    python: str
    platform: str
    kind: str  # one of KINDS
    file_name: Optional[str] = None
    guide: Optional[Guide] = None
    nearest_wheel: Optional[NearestWheel] = None
    build_requires: Tuple[str, ...] = ()
    reason: str = ""
    required_by: Tuple[Tuple[str, str], ...] = ()  # (package, version), nearest first
    upgrade: Optional[Upgrade] = None
    upgrade_checked: bool = False  # whether a resolver looked for an upgrade
    resolved_by: Optional[str] = None  # the resolver that put it in the closure; None: named by the file

    @property
    def ok(self) -> bool:
        """True when pip would install a wheel."""
        return self.kind == "wheel"

    @property
    def where(self) -> str:
        """``file:line`` (just ``file`` when no line is known)."""
        return f"{self.file}:{self.line}" if self.line else self.file

    @property
    def label(self) -> str:
        """``pydantic-core 2.16.2, required by pydantic 2.6.1`` (the chain, nearest first)."""
        text = f"{self.package} {self.version or '?'}"
        return text + "".join(f", required by {name} {version}" for name, version in self.required_by)

    def to_json(self) -> Dict[str, Any]:
        """The ``findings[]`` entry of ``--json``."""
        return {
            "file": self.file,
            "line": self.line,
            "package": self.package,
            "version": self.version,
            "python": self.python,
            "platform": self.platform,
            "kind": self.kind,
            "file_name": self.file_name,
            "guide": self.guide.to_json() if self.guide else None,
            "nearest_wheel": self.nearest_wheel.to_json() if self.nearest_wheel else None,
            "build_requires": list(self.build_requires),
            "reason": self.reason,
            "required_by": [{"package": name, "version": version} for name, version in self.required_by],
            "upgrade": self.upgrade.to_json() if self.upgrade else None,
            "upgrade_checked": self.upgrade_checked,
            "resolved_by": self.resolved_by,
        }


@dataclass(frozen=True)
class HashMismatch:
    """A pin whose hashes match none of the index's files for that release."""

    file: str
    line: int
    package: str
    version: str
    pinned: Tuple[str, ...]

    @property
    def message(self) -> str:
        """One line for humans and annotations."""
        return (
            f"{self.file}:{self.line}: {self.package}=={self.version}: none of the {len(self.pinned)} pinned "
            "hash(es) matches a file the index lists for that release"
        )

    def to_json(self) -> Dict[str, Any]:
        """The ``hash_mismatches[]`` entry of ``--json``."""
        return {"file": self.file, "line": self.line, "package": self.package, "version": self.version}


@dataclass(frozen=True)
class Resolution:
    """How the dependency closure of one file was resolved for one target."""

    file: str
    python: str
    platform: str
    tool: Optional[str]  # e.g. "uv 0.13.9"; None when no resolver ran
    ok: bool
    packages: int = 0
    message: str = ""  # why it failed, or why it did not run

    @property
    def summary(self) -> str:
        """One line for humans."""
        if self.ok:
            return f"{self.file}: dependencies resolved by {self.tool}: {self.packages} package(s)"
        by = f" by {self.tool}" if self.tool else ""
        return f"{self.file}: dependencies not resolved{by} for CPython {self.python} {self.platform}: {self.message}"

    def to_json(self) -> Dict[str, Any]:
        """The ``resolutions[]`` entry of ``--json``."""
        return {
            "file": self.file, "python": self.python, "platform": self.platform, "tool": self.tool,
            "ok": self.ok, "packages": self.packages, "message": self.message,
        }


@dataclass
class AuditReport:
    """Everything one audit found; :meth:`to_json` is the documented ``--json`` object."""

    targets: List[Any] = field(default_factory=list)  # AuditTarget
    findings: List[Finding] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)
    hash_mismatches: List[HashMismatch] = field(default_factory=list)
    data_as_of: Dict[str, datetime] = field(default_factory=dict)
    failed_resolutions: int = 0
    resolutions: List[Resolution] = field(default_factory=list)

    @property
    def problems(self) -> List[Finding]:
        """Findings that are not a wheel (a source build or nothing to install)."""
        return [f for f in self.findings if not f.ok]

    @property
    def exit_code(self) -> int:
        """0 when every package installs from a wheel and every closure was resolved; 1 otherwise."""
        return 1 if self.problems or self.hash_mismatches or self.failed_resolutions else 0

    def warn(self, message: str) -> None:
        """Add a warning once."""
        if message not in self.warnings:
            self.warnings.append(message)

    def to_json(self) -> Dict[str, Any]:
        """The ``--json`` object (documented in docs/audit.md)."""
        return {
            "targets": [t.to_json() for t in self.targets],
            "findings": [f.to_json() for f in self.findings],
            "warnings": list(self.warnings),
            "hash_mismatches": [h.to_json() for h in self.hash_mismatches],
            "resolutions": [r.to_json() for r in self.resolutions],
            "data_as_of": {name: when.isoformat() for name, when in sorted(self.data_as_of.items())},
        }


def data_age_warning(report: AuditReport, now: Optional[datetime] = None) -> Optional[str]:
    """``index data from ... (N hours old)`` for the oldest page used, for --offline."""
    if not report.data_as_of:
        return None
    now = now or datetime.now(timezone.utc)
    oldest_name, oldest = min(report.data_as_of.items(), key=lambda kv: kv[1])
    age = now - oldest
    hours = age.total_seconds() / 3600
    told = f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.1f} hours"
    return f"offline: using cached index data; the oldest ({oldest_name}) is from {oldest.isoformat()}, {told} old"
