"""What ``pip install -r`` would install on a target: the dependency closure, resolved by uv.

pip cannot answer this for another Python than its own: with
``--python-version`` it insists on ``--only-binary=:all:`` and stops at the
first package without a wheel; without it, it builds sdists to read their
metadata (and crashes where they do not build).  ``uv pip compile`` resolves
for any ``--python-version`` and ``--python-platform``, against the index
wheelfix is configured with, and annotates every package with the ones that
required it (``# via``), which gives the chain behind each finding.

Nothing is ever built: uv runs with ``--no-build``, so no build backend and
no code from an sdist runs.  uv then refuses a release that has no wheel for
the target (an incompatible wheel's metadata is only used when building is
allowed).  Such a release is *blocked*: :func:`parse_blockers` reads it from
uv's error, the caller's ``unblock`` callback says which release pip would
take and gives its dependencies (from the index's PEP 658 metadata of one of
its wheels: uv's own assumption that every wheel of a release declares the
same dependencies), and the next round runs with the blocked package
excluded (``--excludes``) and its dependencies as requirements of an input
file of its own, so that uv's annotations still name it as their parent.
At most :data:`MAX_ROUNDS` rounds run; each blocked package is a source
build on the target, which the audit reports.

No marker or version logic lives here: uv evaluates every marker for the
target and picks every version.
"""

from __future__ import annotations

import importlib
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from generator import pep440
from generator.audit.resolution import DIRECT, Blocker, Closure, ClosureRequest, Resolved, ResolverError, Unblock

__all__ = [
    "MAX_ROUNDS",
    "UvResolver",
    "find_uv",
    "parse_blockers",
    "parse_compile_output",
    "uv_environment",
    "uv_platform",
]

logger = logging.getLogger("wheelfix.resolver")

#: Rounds of the blocked-package loop: one per release without a wheel, plus the last.
MAX_ROUNDS = 12
#: How uv starts the error of a resolution that finished without a solution.
_NO_SOLUTION = "No solution found when resolving dependencies"
#: The most of uv's error text a message keeps.
_MESSAGE_CHARS = 600

_INSTALL_HINT = (
    "pip install 'wheelfix[audit]' (or put uv on PATH), or pass --no-deps to check only the packages the files name"
)
# uv settings that could make it read another index, files or constraints than the
# ones the audit passes; these few only tune the network.
_UV_ENV_KEEP = {
    "UV_HTTP_TIMEOUT", "UV_HTTP_CONNECT_TIMEOUT", "UV_HTTP_RETRIES", "UV_REQUEST_TIMEOUT",
    "UV_NATIVE_TLS", "UV_SYSTEM_CERTS", "UV_INSECURE_HOST", "UV_CONCURRENT_DOWNLOADS",
}


Run = Callable[..., "subprocess.CompletedProcess[str]"]


# --------------------------------------------------------------------------
# finding uv and speaking its language


def find_uv() -> str:
    """The uv executable: the one of the ``uv`` package (``wheelfix[audit]``), else uv on PATH."""
    try:
        module = importlib.import_module("uv")
        found = str(getattr(module, "find_uv_bin")())
        if found:
            return found
    except (ImportError, AttributeError, FileNotFoundError) as exc:
        logger.debug("no uv package: %s", exc)
    on_path = shutil.which("uv")
    if on_path:
        return on_path
    raise ResolverError("uv is not installed: the audit resolves dependencies with it", hint=_INSTALL_HINT)


_WINDOWS = {"win_amd64": "x86_64-pc-windows-msvc", "win_arm64": "aarch64-pc-windows-msvc", "win32": "i686-pc-windows-msvc"}


def uv_platform(platform: str) -> Tuple[str, Dict[str, str]]:
    """uv's ``--python-platform`` for a wheel platform tag, and environment it needs.

    Only exact equivalents: a tag uv cannot target is an error, not an approximation.
    """
    m = re.fullmatch(r"manylinux_2_(\d+)_(x86_64|aarch64)", platform)
    if m and 17 <= int(m.group(1)) <= 40:
        return f"{m.group(2)}-manylinux_2_{m.group(1)}", {}
    m = re.fullmatch(r"musllinux_1_2_(x86_64|aarch64)", platform)
    if m:
        return f"{m.group(1)}-unknown-linux-musl", {}
    m = re.fullmatch(r"macosx_(\d+)_(\d+)_(arm64|x86_64)", platform)
    if m:
        arch = "aarch64" if m.group(3) == "arm64" else "x86_64"
        return f"{arch}-apple-darwin", {"MACOSX_DEPLOYMENT_TARGET": f"{m.group(1)}.{m.group(2)}"}
    if platform in _WINDOWS:
        return _WINDOWS[platform], {}
    raise ResolverError(
        f"uv cannot resolve for platform {platform}",
        hint="uv targets manylinux_2_17 to manylinux_2_40 and musllinux_1_2 (x86_64, aarch64), macOS (arm64, x86_64) and Windows",
    )


def uv_environment(base: Optional[Mapping[str, str]] = None, *, cache_dir: Optional[Path] = None) -> Dict[str, str]:
    """The environment uv runs in: none of the user's uv settings but the network ones, no downloads."""
    source = os.environ if base is None else base
    env = {k: v for k, v in source.items() if not k.startswith("UV_") or k in _UV_ENV_KEEP}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    env["UV_NO_PROGRESS"] = "1"
    env["NO_COLOR"] = "1"
    if cache_dir is not None:
        env["UV_CACHE_DIR"] = str(cache_dir)
    # pip's certificate bundle, so uv trusts what the user's pip trusts.
    if "SSL_CERT_FILE" not in env and source.get("PIP_CERT"):
        env["SSL_CERT_FILE"] = source["PIP_CERT"]
    return env


_REQ_LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")
_VIA_LINE = re.compile(r"^\s+#\s+(?:via\s+)?(\S.*?)\s*$")


def parse_compile_output(text: str, labels: Mapping[str, str]) -> Dict[str, Resolved]:
    """Read ``uv pip compile --annotation-style split`` output.

    ``labels`` maps each input file uv was given to the parent it stands for
    (DIRECT for the audited requirements, a package name for a blocked
    package's dependencies).  Constraint files (``-c``) are not parents.
    """
    found: Dict[str, Tuple[str, List[str]]] = {}
    current: Optional[str] = None
    for line in text.splitlines():
        m = _REQ_LINE.match(line)
        if m:
            current = canonicalize_name(m.group(1))
            found[current] = (m.group(2).split(";", 1)[0].strip(), [])
            continue
        if current is None or not line.strip().startswith("#"):
            continue
        via = _VIA_LINE.match(line)
        if via is None or via.group(1) == "via":
            continue
        entry = via.group(1)
        if entry.startswith("-r "):
            label = labels.get(entry[3:].strip())
            if label is not None:
                found[current][1].append(label)
        elif not entry.startswith("-"):
            found[current][1].append(canonicalize_name(entry.split()[0]))
    return {name: Resolved(name, version, tuple(dict.fromkeys(parents))) for name, (version, parents) in found.items()}


_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_SPEC = r"(?:(?:===|==|!=|<=|>=|~=|<|>)[^\s,]+(?:,\s*(?:===|==|!=|<=|>=|~=|<|>)[^\s,]+)*)"
_BLOCKED = re.compile(
    rf"(?:all versions of (?P<all>{_NAME}) have|(?P<name>{_NAME})(?P<spec>{_SPEC})? has) "
    r"no (?:usable wheels|wheels with)"
)


def parse_blockers(stderr: str) -> List[Blocker]:
    """The packages uv's error says have no usable wheel for the target, with who requires them."""
    text = " ".join(stderr.split())
    out: Dict[str, Blocker] = {}
    for m in _BLOCKED.finditer(text):
        name = canonicalize_name(m.group("all") or m.group("name"))
        try:
            spec = pep440.specifier_set(m.group("spec") or "")
        except InvalidSpecifier:
            spec = SpecifierSet()
        if name not in out:
            out[name] = Blocker(name, spec, _parents_of(name, text))
    return list(out.values())


def _parents_of(name: str, text: str) -> Tuple[str, ...]:
    parents: List[str] = []
    target = re.escape(name).replace(r"\-", "[-_.]")
    if re.search(rf"you require {target}\b", text, re.IGNORECASE):
        parents.append(DIRECT)
    for m in re.finditer(rf"(?:all versions of )?({_NAME}){_SPEC}? depends? on {target}\b", text, re.IGNORECASE):
        parents.append(canonicalize_name(m.group(1)))
    return tuple(dict.fromkeys(parents))


def _message(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    wanted = [line for line in lines if not line.startswith(("warning:", "Resolved ", "Using "))]
    text = " ".join(wanted or lines)
    text = re.sub(r"^(error|×):\s*", "", text)
    return text if len(text) <= _MESSAGE_CHARS else text[: _MESSAGE_CHARS - 1] + "…"


def _names(lines: Sequence[str]) -> set[str]:
    out: set[str] = set()
    for line in lines:
        m = re.match(_NAME, line.strip())
        if m:
            out.add(str(canonicalize_name(m.group(0))))
    return out


def _with_input_parents(blocker: Blocker, requirements: Sequence[str], deps: Mapping[str, Sequence[str]]) -> Blocker:
    # "you require X" covers every input file: the audited one and those holding a
    # blocked package's dependencies; the parent is whichever names X.
    if DIRECT not in blocker.parents:
        return blocker
    inputs = [DIRECT] if blocker.name in _names(requirements) else []
    inputs += [name for name, lines in sorted(deps.items()) if blocker.name in _names(lines)]
    rest = [p for p in blocker.parents if p != DIRECT]
    return Blocker(blocker.name, blocker.specifier, tuple(dict.fromkeys(inputs + rest)))


# --------------------------------------------------------------------------
# running uv


class UvResolver:
    """Resolves with ``uv pip compile --no-build`` against one index."""

    def __init__(
        self,
        uv: str,
        *,
        index_url: Optional[str],
        cache_dir: Optional[Path] = None,
        offline: bool = False,
        interpreter: str = sys.executable,
        env: Optional[Mapping[str, str]] = None,
        run: Run = subprocess.run,
    ) -> None:
        self.uv = uv
        self.index_url = index_url
        self.cache_dir = cache_dir
        self.offline = offline
        self.interpreter = interpreter
        self._env = env
        self._run = run
        self._tool: Optional[str] = None

    @property
    def tool(self) -> str:
        """``uv X.Y.Z``, as the report names the resolver."""
        if self._tool is None:
            proc = self._run([self.uv, "--version"], capture_output=True, text=True, check=False, env=self._environment({}))
            words = proc.stdout.split()
            self._tool = f"uv {words[1]}" if proc.returncode == 0 and len(words) >= 2 else "uv"
        return self._tool

    def _environment(self, extra: Mapping[str, str]) -> Dict[str, str]:
        env = uv_environment(self._env, cache_dir=self.cache_dir)
        env.update(extra)
        return env

    def command(self, inputs: Sequence[Path], python: str, platform: str, *, constraints: Optional[Path] = None,
                excludes: Optional[Path] = None) -> Tuple[List[str], Dict[str, str]]:
        """The ``uv pip compile`` invocation (no shell; one list) and the environment it needs."""
        uv_plat, extra = uv_platform(platform)
        cmd = [self.uv, "pip", "compile", *(str(p) for p in inputs),
               "--python-version", python.rstrip("t"), "--python-platform", uv_plat,
               # Never run a build backend: releases without a wheel for the target are refused.
               "--no-build", "--no-config", "--no-header", "--annotation-style", "split",
               "--python", self.interpreter, "--no-python-downloads", "--color", "never"]
        if constraints is not None:
            cmd += ["--constraints", str(constraints)]
        if excludes is not None:
            cmd += ["--excludes", str(excludes)]
        if self.index_url:
            cmd += ["--default-index", self.index_url]
        if self.cache_dir is not None:
            cmd += ["--cache-dir", str(self.cache_dir)]
        if self.offline:
            cmd += ["--offline"]
        return cmd, self._environment(extra)

    def _compile(self, cmd: List[str], env: Mapping[str, str]) -> "subprocess.CompletedProcess[str]":
        logger.debug("running %s", " ".join(cmd))
        try:
            return self._run(cmd, capture_output=True, text=True, check=False, env=dict(env))
        except OSError as exc:
            raise ResolverError(f"cannot run uv ({self.uv}): {exc.strerror or exc}", hint=_INSTALL_HINT) from None

    def closure(self, request: ClosureRequest, unblock: Unblock) -> Closure:
        """Resolve ``request``; blocked packages go through ``unblock`` (see the module docstring)."""
        blocked: Dict[str, Resolved] = {}
        deps: Dict[str, List[str]] = {}
        with tempfile.TemporaryDirectory(prefix="wheelfix-uv-") as tmp:
            folder = Path(tmp)
            main = folder / "requirements.in"
            main.write_text("".join(f"{line}\n" for line in request.requirements), encoding="utf-8")
            constraints = None
            if request.constraints:
                constraints = folder / "constraints.txt"
                constraints.write_text("".join(f"{line}\n" for line in request.constraints), encoding="utf-8")
            for _ in range(MAX_ROUNDS):
                inputs, labels = [main], {str(main): DIRECT}
                for name, lines in sorted(deps.items()):
                    path = folder / f"dependencies-of-{name}.in"
                    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
                    inputs.append(path)
                    labels[str(path)] = name
                excludes = None
                if blocked:
                    excludes = folder / "excludes.txt"
                    excludes.write_text("".join(f"{name}\n" for name in sorted(blocked)), encoding="utf-8")
                cmd, env = self.command(inputs, request.python, request.platform, constraints=constraints, excludes=excludes)
                proc = self._compile(cmd, env)
                if proc.returncode == 0:
                    packages = parse_compile_output(proc.stdout, labels)
                    packages.update(blocked)
                    return Closure(self.tool, True, packages)
                new = [b for b in parse_blockers(proc.stderr) if b.name not in blocked]
                if not new:
                    return Closure(self.tool, False, dict(blocked), _message(proc.stderr))
                for blocker in new:
                    blocker = _with_input_parents(blocker, request.requirements, deps)
                    answer = unblock(blocker)
                    if answer is None:
                        return Closure(self.tool, False, dict(blocked), _message(proc.stderr))
                    version, requires = answer
                    blocked[blocker.name] = Resolved(
                        blocker.name, version, blocker.parents, blocked=True, dependencies_known=requires is not None
                    )
                    if requires:
                        deps[blocker.name] = list(requires)
        return Closure(
            self.tool, False, dict(blocked),
            f"stopped after {MAX_ROUNDS} rounds: more than {MAX_ROUNDS - 1} packages have no wheel for the target",
        )

    def installs_from_wheels(self, requirements: Sequence[str], python: str, platform: str) -> Tuple[Optional[bool], str]:
        """Whether ``requirements`` and all their dependencies install from wheels on the target.

        None when uv could not tell (the index failed, say): only a finished
        resolution answers yes or no.
        """
        with tempfile.TemporaryDirectory(prefix="wheelfix-uv-") as tmp:
            main = Path(tmp) / "requirements.in"
            main.write_text("".join(f"{line}\n" for line in requirements), encoding="utf-8")
            cmd, env = self.command([main], python, platform)
            proc = self._compile(cmd, env)
        if proc.returncode == 0:
            return True, ""
        return (False if _NO_SOLUTION in proc.stderr else None), _message(proc.stderr)
