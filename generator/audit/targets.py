"""Audit targets: which CPython on which platform, their PEP 508 markers, and choosing them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from packaging.markers import UndefinedComparison, UndefinedEnvironmentName
from packaging.version import Version

from generator.audit.errors import AuditError
from generator.audit.pinfiles import Pin
from generator.truth.wheels import Target

__all__ = ["DEFAULT_PLATFORM", "AuditTarget", "applies", "marker_environment", "plan_targets"]

@dataclass(frozen=True)
class AuditTarget:
    """One CPython minor version on one platform, and where the Python came from."""

    python: str
    platform: str
    python_source: str

    def to_json(self) -> Dict[str, str]:
        """The ``targets[]`` entry of ``--json``."""
        return {"python": self.python, "platform": self.platform, "python_source": self.python_source}


def marker_environment(python: str, platform: str) -> Dict[str, str]:
    """The PEP 508 marker environment of CPython ``python`` on ``platform`` (a wheel platform tag)."""
    if platform.startswith(("manylinux", "musllinux", "linux")):
        sys_platform, system, os_name = "linux", "Linux", "posix"
        machine = re.sub(r"^(manylinux|musllinux)_\d+_\d+_|^(manylinux\d+|linux)_", "", platform)
    elif platform.startswith("macosx"):
        sys_platform, system, os_name = "darwin", "Darwin", "posix"
        machine = re.sub(r"^macosx_\d+_\d+_", "", platform)
        machine = "arm64" if machine in ("arm64", "universal2") else machine
    elif platform.startswith("win"):
        sys_platform, system, os_name = "win32", "Windows", "nt"
        machine = {"win_amd64": "AMD64", "win_arm64": "ARM64", "win32": "x86"}.get(platform, "AMD64")
    else:
        raise AuditError(
            f"platform {platform!r} is not a wheel platform tag",
            hint="e.g. manylinux_2_35_x86_64, musllinux_1_2_aarch64, macosx_14_0_arm64, win_amd64",
        )
    python = python.rstrip("t")  # free-threaded builds evaluate markers like the normal build
    full = python if python.count(".") >= 2 else f"{python}.0"
    return {
        "implementation_name": "cpython",
        "implementation_version": full,
        "os_name": os_name,
        "platform_machine": machine,
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": system,
        "platform_version": "",
        "python_full_version": full,
        "python_version": ".".join(python.split(".")[:2]),
        "sys_platform": sys_platform,
        "extra": "",
    }


def applies(pin: Pin, env: Mapping[str, str]) -> bool:
    """Whether ``pin``'s marker holds on the target described by ``env``."""
    if pin.marker is None:
        return True
    try:
        return bool(pin.marker.evaluate(dict(env)))
    except (UndefinedEnvironmentName, UndefinedComparison) as exc:
        raise AuditError(
            f"{pin.where}: marker {str(pin.marker)!r} cannot be evaluated ({exc})",
            hint="use PEP 508 marker names such as python_version or sys_platform",
        ) from None


#: Used when neither --platform nor --env names a platform.
DEFAULT_PLATFORM = "manylinux_2_35_x86_64"


def _minor(python: str, where: str) -> str:
    # "3.12.4" and "python-3.12" are fine on the command line too; the wheel
    # engine wants the feature version.
    from generator.audit.projectpython import parse_version_text

    text = python.strip()
    if re.fullmatch(r"\d+\.\d+t", text):
        return text
    return parse_version_text(text, where)


def plan_targets(
    start: Path,
    *,
    pythons: Sequence[str] = (),
    platforms: Sequence[str] = (),
    environment: Optional[Any] = None,
) -> Tuple[List[AuditTarget], List[str]]:
    """The targets to audit the file at ``start`` against, and warnings about the choice.

    ``environment`` is a :class:`generator.kb.environments.Environment` (``--env``).
    Python: ``pythons``, else what the project declares (looking from ``start``
    up to the repository root), else the environment's default.  Platform:
    ``platforms``, else the environment's, else :data:`DEFAULT_PLATFORM`.
    """
    from generator.audit.projectpython import SOURCES, describe, find_project_python

    warnings: List[str] = []
    plats = list(dict.fromkeys(platforms)) or ([environment.platform] if environment is not None else [])
    if not plats:
        plats = [DEFAULT_PLATFORM]
        warnings.append(f"no --platform or --env given: assuming {DEFAULT_PLATFORM} (a glibc 2.35 x86-64 Linux host)")
    # Validated and normalised by the wheel engine (manylinux2014_x86_64 -> manylinux_2_17_x86_64).
    plats = list(dict.fromkeys(Target.parse("3.12", p).platform for p in plats))
    if pythons:
        pys = [(_minor(p, "--python"), "--python") for p in dict.fromkeys(pythons)]
    else:
        host_sources = [s for s in (getattr(environment, "python_from", None) or []) if s in SOURCES]
        sources = (host_sources + ["requires-python"]) if host_sources else list(SOURCES)
        declared = find_project_python(start, sources=sources)
        if declared is not None and declared.version is not None:
            pys = [(declared.version, declared.source)]
        else:
            default = getattr(environment, "python_default", None)
            if environment is None or not default:
                found = f"; the project only declares {describe(declared)}" if declared is not None else ""
                raise AuditError(
                    f"no Python to audit {start} against: no --python, no --env with a default, and no pin "
                    f"in .python-version, runtime.txt or render.yaml{found}",
                    hint="pass --python 3.12 (repeatable) or --env NAME, or pin the version in .python-version",
                )
            minor = _minor(default, f"environment {environment.name}")
            pys = [(minor, f"{environment.name} default")]
            if declared is not None and declared.specifier is not None and not declared.specifier.contains(Version(minor), prereleases=True):
                warnings.append(f"{environment.title}'s default Python {minor} is outside {describe(declared)}")
            if getattr(environment, "python_default_changes", False):
                how = " or add ".join(host_sources) if host_sources else "it in .python-version"
                warnings.append(
                    f"Python is not pinned; {environment.title}'s default for new services changes over time; pin {how}"
                )
    for py, _ in pys:
        Target.parse(py, plats[0])
    return [AuditTarget(py, plat, source) for py, source in pys for plat in plats], warnings
