"""Audit pinned packages against a deploy target: wheel, source build, or nothing.

The audit is pure: index pages come from an injected ``fetch_many`` callable
and pip's resolver from an injected ``resolve`` callable (the default,
:func:`pip_resolve`, runs ``python -m pip install --dry-run --report -``).

For every target (CPython ``X.Y`` on one platform tag) and every package a
file pins, :func:`audit` asks the wheel engine what pip would install for the
pinned release.  Loose requirements (ranges) are resolved by pip itself, with
``--only-binary=:all:``; when that fails, the package pip names is looked up
the same way.  Source builds and uninstallable pins get the matching guide,
the nearest release that has a wheel, and the toolchain the guide lists.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from packaging.markers import UndefinedEnvironmentName, UndefinedComparison
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from generator.errors import WheelfixError
from generator.indexdata import IndexClientError, ProjectPage
from generator.pinfiles import Pin, PinFile
from generator.signatures import SignatureError, guide_url, read_bundle_text
from generator.wheels import Kind, Target, Verdict, release_verdicts

logger = logging.getLogger("wheelfix.audit")

#: What a finding's ``kind`` can be, in order of badness.
KINDS = ("wheel", "sdist", "none")

FetchMany = Callable[[Sequence[str]], Mapping[str, Union[ProjectPage, IndexClientError]]]


class AuditError(WheelfixError):
    """The audit cannot run: no target Python, a bad guides file, unknown packages."""


# --------------------------------------------------------------------------
# targets and markers


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


def pip_platforms(platform: str) -> List[str]:
    """All platform tags a ``platform`` host accepts, for pip's ``--platform``.

    pip takes ``--platform`` literally for ``manylinux_2_X``/``musllinux_1_X``
    tags, so a glibc 2.35 host has to be spelt as every older tag too.
    """
    return Target.parse("3.12", platform).platforms()


# --------------------------------------------------------------------------
# guides


@dataclass(frozen=True)
class Guide:
    """A fix guide as listed in the signatures bundle."""

    id: str
    title: str
    url: str
    packages: Tuple[str, ...]
    python: Optional[SpecifierSet] = None
    versions: Mapping[str, SpecifierSet] = field(default_factory=dict)
    build_requires: Tuple[str, ...] = ()

    def matches(self, package: str, version: Optional[Version], python: str) -> bool:
        """Whether this guide is about ``package`` at ``version`` on CPython ``python``."""
        package = canonicalize_name(package)
        if package not in self.packages:
            return False
        spec = self.versions.get(package)
        if spec is not None and (version is None or not spec.contains(version, prereleases=True)):
            return False
        if self.python is not None and not self.python.contains(Version(python), prereleases=True):
            return False
        return True

    def to_json(self) -> Dict[str, str]:
        """The ``guide`` object of a finding in ``--json``."""
        return {"id": self.id, "title": self.title, "url": self.url}


def _guide_error(where: str, message: str) -> AuditError:
    return AuditError(f"{where}: {message}", hint="regenerate it with `wheelfix bundle`, or pass another --guides FILE")


#: Formats of signatures.json whose guides read the same (2 only added the programs of conditions).
_GUIDE_FORMATS = (1, 2)


def parse_guides(data: Any, where: str) -> List[Guide]:
    """Read the guides of a signatures bundle (``{"format": 2, "guides": [...]}``, or format 1)."""
    if not isinstance(data, dict) or data.get("format") not in _GUIDE_FORMATS:
        raise _guide_error(where, "not a signatures bundle of format 1 or 2 ({\"format\": 2, \"guides\": [...]})")
    guides = data.get("guides")
    if not isinstance(guides, list):
        raise _guide_error(where, "\"guides\" must be a list")
    out: List[Guide] = []
    for i, raw in enumerate(guides):
        at = f"{where}: guides[{i}]"
        if not isinstance(raw, dict):
            raise _guide_error(at, "each guide must be an object")
        try:
            gid, title, url = str(raw["id"]), str(raw["title"]), guide_url(str(raw["url"]))
        except KeyError as exc:
            raise _guide_error(at, f"missing {exc.args[0]!r}") from None
        packages = raw.get("packages") or []
        if not isinstance(packages, list):
            raise _guide_error(at, "\"packages\" must be a list of names")
        try:
            python = SpecifierSet(raw["python"]) if raw.get("python") else None
            versions: Dict[str, SpecifierSet] = {
                canonicalize_name(k): SpecifierSet(v) for k, v in (raw.get("versions") or {}).items()
            }
        except (InvalidSpecifier, AttributeError, TypeError) as exc:
            raise _guide_error(at, f"bad version specifier ({exc})") from None
        out.append(
            Guide(
                id=gid,
                title=title,
                url=url,
                packages=tuple(canonicalize_name(str(p)) for p in packages),
                python=python,
                versions=versions,
                build_requires=tuple(str(b) for b in raw.get("build_requires") or []),
            )
        )
    return out


def load_guides(path: Optional[Path] = None) -> Tuple[List[Guide], Optional[str]]:
    """Load guides from ``path`` or the bundled ``generator/data/signatures.json``.

    Returns the guides and a warning to show when there are none to link.
    """
    if path is not None:
        try:
            text = read_bundle_text(path)
        except SignatureError as exc:
            raise AuditError(f"guides file: {exc}", hint="check --guides") from None
        where = str(path)
    else:
        bundled = resources.files("generator").joinpath("data").joinpath("signatures.json")
        if not bundled.is_file():
            return [], "no guides are bundled with this wheelfix; findings carry no guide links"
        text = bundled.read_text(encoding="utf-8")
        where = "bundled signatures.json"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _guide_error(f"{where}:{exc.lineno}", f"not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise _guide_error(where, "not valid JSON (nested too deeply)") from None
    return parse_guides(data, where), None


# --------------------------------------------------------------------------
# findings


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
class Finding:
    """What pip would install for one package on one target."""

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

    @property
    def ok(self) -> bool:
        """True when pip would install a wheel."""
        return self.kind == "wheel"

    @property
    def where(self) -> str:
        """``file:line`` (just ``file`` for packages the file does not name)."""
        return f"{self.file}:{self.line}" if self.line else self.file

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


@dataclass
class AuditReport:
    """Everything one audit found; :meth:`to_json` is the documented ``--json`` object."""

    targets: List[AuditTarget] = field(default_factory=list)
    findings: List[Finding] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)
    hash_mismatches: List[HashMismatch] = field(default_factory=list)
    data_as_of: Dict[str, datetime] = field(default_factory=dict)
    failed_resolutions: int = 0

    @property
    def problems(self) -> List[Finding]:
        """Findings that are not a wheel (a source build or nothing to install)."""
        return [f for f in self.findings if not f.ok]

    @property
    def exit_code(self) -> int:
        """0 when every package installs from a wheel; 1 otherwise."""
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
            "data_as_of": {name: when.isoformat() for name, when in sorted(self.data_as_of.items())},
        }


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


def _file_version(filename: str) -> Optional[Version]:
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[1]
        return parse_sdist_filename(filename)[1]
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None


def check_hashes(pin: Pin, page: ProjectPage) -> Optional[HashMismatch]:
    """Compare ``pin``'s sha256 hashes with the index's files of the pinned release."""
    if not pin.hashes or pin.version is None:
        return None
    pinned = {h.split(":", 1)[1] for h in pin.hashes if h.startswith("sha256:")}
    known = {f.sha256.lower() for f in page.files if f.sha256 and _file_version(f.filename) == pin.version}
    if not pinned or not known:
        # Nothing comparable (other algorithms, or the index gives no sha256): no verdict.
        logger.debug("%s: no sha256 to compare for %s", pin.where, pin.name)
        return None
    if pinned & known:
        return None
    return HashMismatch(str(pin.file), pin.line, pin.name, str(pin.version), tuple(sorted(pin.hashes)))


def _guide_for(guides: Sequence[Guide], package: str, version: Optional[Version], python: str) -> Optional[Guide]:
    for guide in guides:
        if guide.matches(package, version, python):
            return guide
    return None


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
    guide = _guide_for(guides, page.name, version, target.python)
    return Finding(
        kind=kind,
        file_name=file_name,
        guide=guide,
        nearest_wheel=nearest_wheel(verdicts, version),
        build_requires=guide.build_requires if guide else (),
        reason=reason,
        **common,  # type: ignore[arg-type]
    )


# --------------------------------------------------------------------------
# pip's resolver


@dataclass(frozen=True)
class ResolveRequest:
    """Loose requirements to resolve for one target with pip."""

    requirements: Tuple[str, ...]
    constraints: Tuple[str, ...]
    python: str
    platform: str
    index_url: Optional[str]


@dataclass(frozen=True)
class ResolvedPackage:
    """One package pip's report says it would install."""

    name: str
    version: str
    file_name: Optional[str]
    requested: bool


@dataclass(frozen=True)
class ResolveResult:
    """pip's answer: what it would install, or which requirements it could not satisfy."""

    ok: bool
    packages: Tuple[ResolvedPackage, ...] = ()
    unsatisfied: Tuple[str, ...] = ()
    message: str = ""


Resolver = Callable[[ResolveRequest], ResolveResult]

# Variables that would make pip read another index, extra files or constraints
# than the ones the audit passes.
_PIP_ENV_KEEP = {"PIP_CERT", "PIP_CLIENT_CERT", "PIP_TRUSTED_HOST", "PIP_PROXY", "PIP_DEFAULT_TIMEOUT", "PIP_RETRIES"}
_NO_MATCH_RE = re.compile(r"No matching distribution found for (.+?)\s*$", re.MULTILINE)


def pip_command(request: ResolveRequest, requirements_file: Path, target_dir: Path, *, python: str = sys.executable) -> List[str]:
    """The pip invocation for ``request`` (no shell; one list)."""
    cmd = [python, "-m", "pip", "install", "--dry-run", "--report", "-", "--quiet", "--ignore-installed",
           "--disable-pip-version-check", "--no-input", "--python-version", request.python.rstrip("t"),
           # Only wheels: pip would otherwise build sdists just to read their metadata.
           "--only-binary=:all:"]
    for tag in pip_platforms(request.platform):
        cmd += ["--platform", tag]
    cmd += ["--target", str(target_dir), "-r", str(requirements_file)]
    if request.index_url:
        cmd += ["--index-url", request.index_url]
    return cmd


def pip_environment(base: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    """The environment pip runs in: no user config, no stray find-links or constraints."""
    env = {k: v for k, v in (os.environ if base is None else base).items() if not k.startswith("PIP_") or k in _PIP_ENV_KEEP}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def parse_pip_report(text: str) -> Tuple[ResolvedPackage, ...]:
    """Read the ``install`` list of pip's ``--report`` JSON."""
    try:
        report = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AuditError(f"pip's --report output is not JSON ({exc.msg})", hint="run with -vv to see pip's output") from None
    out: List[ResolvedPackage] = []
    for item in report.get("install", []) if isinstance(report, dict) else []:
        meta = item.get("metadata", {})
        url = (item.get("download_info") or {}).get("url") or ""
        out.append(
            ResolvedPackage(
                name=canonicalize_name(str(meta.get("name", ""))),
                version=str(meta.get("version", "")),
                file_name=url.rsplit("/", 1)[-1].split("#", 1)[0] or None,
                requested=bool(item.get("requested")),
            )
        )
    return tuple(out)


def pip_resolve(request: ResolveRequest, *, python: str = sys.executable, env: Optional[Mapping[str, str]] = None) -> ResolveResult:
    """Ask pip what it would install for ``request``, without installing anything."""
    with tempfile.TemporaryDirectory(prefix="wheelfix-audit-") as tmp:
        reqs = Path(tmp) / "requirements.txt"
        lines = list(request.requirements)
        if request.constraints:
            (Path(tmp) / "constraints.txt").write_text("\n".join(request.constraints) + "\n", encoding="utf-8")
            lines.insert(0, "-c constraints.txt")
        reqs.write_text("\n".join(lines) + "\n", encoding="utf-8")
        cmd = pip_command(request, reqs, Path(tmp) / "target", python=python)
        logger.debug("running %s", " ".join(cmd))
        proc = subprocess.run(cmd, capture_output=True, text=True, env=pip_environment(env), check=False)
    if proc.returncode == 0:
        return ResolveResult(ok=True, packages=parse_pip_report(proc.stdout))
    logger.debug("pip failed (%d): %s", proc.returncode, proc.stderr.strip())
    unsatisfied = tuple(m.group(1).strip() for m in _NO_MATCH_RE.finditer(proc.stderr))
    errors = [line[len("ERROR: "):] for line in proc.stderr.splitlines() if line.startswith("ERROR: ")]
    return ResolveResult(ok=False, unsatisfied=unsatisfied, message=(errors[-1] if errors else proc.stderr.strip()[-300:]))


# --------------------------------------------------------------------------
# the audit


def _fetch(names: Sequence[str], fetch_many: FetchMany, report: AuditReport, where: Mapping[str, str]) -> Dict[str, ProjectPage]:
    from generator.index import ProjectNotFound  # the HTTP stack only when auditing for real

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


def _requirement_text(pin: Pin) -> str:
    return pin.requirement_line()


def audit(
    files: Sequence[PinFile],
    targets_by_file: Mapping[Path, Sequence[AuditTarget]],
    *,
    fetch_many: FetchMany,
    guides: Sequence[Guide] = (),
    resolve: Optional[Resolver] = pip_resolve,
    index_url: Optional[str] = None,
) -> AuditReport:
    """Audit ``files``, each against its targets; see the module docstring.

    ``resolve=None`` skips loose requirements with a warning (offline mode).
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

    for pf in files:
        for pin in pf.requirements:
            page = pages.get(pin.name)
            if page is not None and pin.version is not None and any(applies(pin, env) for env in envs.get(pf.path, [])):
                mismatch = check_hashes(pin, page)
                if mismatch is not None and mismatch not in report.hash_mismatches:
                    report.hash_mismatches.append(mismatch)
                    report.warn(mismatch.message)
        for target in targets_by_file.get(pf.path, ()):
            _audit_file_target(pf, target, pages, report, fetch_many=fetch_many, guides=guides, resolve=resolve, index_url=index_url)
    return report


def _effective_version(pin: Pin, pf: PinFile) -> Optional[Version]:
    if pin.version is not None:
        return pin.version
    # A loose requirement pinned exactly by a -c constraint is as good as pinned.
    for c in pf.constraints:
        if c.name == pin.name and c.version is not None and pin.specifier.contains(c.version, prereleases=True):
            return c.version
    return None


def _audit_file_target(
    pf: PinFile,
    target: AuditTarget,
    pages: Dict[str, ProjectPage],
    report: AuditReport,
    *,
    fetch_many: FetchMany,
    guides: Sequence[Guide],
    resolve: Optional[Resolver],
    index_url: Optional[str],
) -> None:
    env = marker_environment(target.python, target.platform)
    tgt = Target.parse(target.python, target.platform)
    verdict_cache: Dict[str, List[Verdict]] = {}

    def verdicts_of(page: ProjectPage) -> List[Verdict]:
        if page.name not in verdict_cache:
            verdict_cache[page.name] = list(release_verdicts(page, tgt))
        return verdict_cache[page.name]

    if pf.requires_python is not None and not pf.requires_python.contains(Version(target.python), prereleases=True):
        report.warn(f"{pf.path}: the lock requires Python {pf.requires_python}; CPython {target.python} is outside it")

    loose: List[Pin] = []
    for pin in pf.requirements:
        if not applies(pin, env):
            logger.debug("%s: %s skipped on %s %s (marker %s)", pin.where, pin.name, target.python, target.platform, pin.marker)
            continue
        version = _effective_version(pin, pf)
        if version is None:
            loose.append(pin)
            continue
        page = pages[pin.name]
        report.findings.append(
            judge(page, version, target, guides=guides, file=str(pin.file), line=pin.line, verdicts=verdicts_of(page))
        )
    if not loose:
        if pf.format == "requirements" and pf.requirements:
            report.warn(
                f"{pf.path}: only the packages it lists were checked, not their dependencies "
                "(audit `pip freeze` output or a lock file to cover those too)"
            )
        return
    if resolve is None:
        report.warn(
            f"{pf.path}: {len(loose)} loose requirement(s) ({', '.join(p.name for p in loose)}) not resolved: "
            "pip's resolver needs the index (drop --offline)"
        )
        return
    constraints = tuple(
        c.requirement_line() for c in pf.pins if applies(c, env) and c.version is not None and (c.constraint or c not in loose)
    )
    request = ResolveRequest(
        requirements=tuple(_requirement_text(p) for p in loose),
        constraints=constraints,
        python=target.python,
        platform=target.platform,
        index_url=index_url,
    )
    result = resolve(request)
    by_name = {p.name: p for p in loose}
    if result.ok:
        for pkg in result.packages:
            direct = by_name.get(pkg.name)
            if direct is None and any(
                f.package == pkg.name and f.python == target.python and f.platform == target.platform for f in report.findings
            ):
                continue  # an exact pin of the file, already judged
            report.findings.append(
                Finding(
                    file=str(direct.file if direct else pf.path),
                    line=direct.line if direct else None,
                    package=pkg.name,
                    version=pkg.version,
                    python=target.python,
                    platform=target.platform,
                    kind="wheel",
                    file_name=pkg.file_name,
                    reason="resolved by pip" + ("" if direct else " as a dependency"),
                )
            )
        return
    if not result.unsatisfied:
        report.failed_resolutions += 1
        report.warn(f"{pf.path}: pip cannot resolve the loose requirements for CPython {target.python} {target.platform}: {result.message}")
        return
    for text in result.unsatisfied:
        _judge_unsatisfied(text, pf, target, by_name, pages, report, fetch_many=fetch_many, guides=guides, verdicts_of=verdicts_of)
    report.warn(
        f"{pf.path}: pip stopped at {', '.join(result.unsatisfied)} for CPython {target.python} {target.platform}; "
        "packages after it were not resolved"
    )


def _judge_unsatisfied(
    text: str,
    pf: PinFile,
    target: AuditTarget,
    by_name: Mapping[str, Pin],
    pages: Dict[str, ProjectPage],
    report: AuditReport,
    *,
    fetch_many: FetchMany,
    guides: Sequence[Guide],
    verdicts_of: Callable[[ProjectPage], List[Verdict]],
) -> None:
    try:
        req = Requirement(text)
    except InvalidRequirement:
        report.failed_resolutions += 1
        report.warn(f"{pf.path}: pip could not satisfy {text!r} on CPython {target.python} {target.platform}")
        return
    name = canonicalize_name(req.name)
    pin = by_name.get(name)
    if name not in pages:
        pages.update(_fetch([name], fetch_many, report, {name: str(pf.path)}))
    page = pages[name]
    verdicts = verdicts_of(page)
    # With sources allowed, pip takes the highest non-yanked release the
    # specifier admits; that release decides between "builds" and "nothing".
    allowed = [v.version for v in verdicts if not v.yanked and v.kind != Kind.NONE]
    chosen = max(req.specifier.filter(allowed), default=None)
    if chosen is None:
        everything = [v.version for v in verdicts if not v.yanked]
        chosen = max(req.specifier.filter(everything), default=None)
    if chosen is None:
        report.findings.append(
            Finding(
                file=str(pin.file if pin else pf.path),
                line=pin.line if pin else None,
                package=name,
                version=None,
                python=target.python,
                platform=target.platform,
                kind="none",
                reason=f"no release of {name} matches {req.specifier or 'any version'}",
            )
        )
        return
    report.findings.append(
        judge(page, chosen, target, guides=guides, file=str(pin.file if pin else pf.path), line=pin.line if pin else None, verdicts=verdicts)
    )


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


# --------------------------------------------------------------------------
# choosing targets

#: Used when neither --platform nor --env names a platform.
DEFAULT_PLATFORM = "manylinux_2_35_x86_64"


def _minor(python: str, where: str) -> str:
    # "3.12.4" and "python-3.12" are fine on the command line too; the wheel
    # engine wants the feature version.
    from generator.projectpython import parse_version_text

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

    ``environment`` is a :class:`generator.environments.Environment` (``--env``).
    Python: ``pythons``, else what the project declares (looking from ``start``
    up to the repository root), else the environment's default.  Platform:
    ``platforms``, else the environment's, else :data:`DEFAULT_PLATFORM`.
    """
    from generator.projectpython import SOURCES, describe, find_project_python

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
