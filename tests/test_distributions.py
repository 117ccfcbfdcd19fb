"""The sdist and the wheel: built, checked by twine, installed in a fresh venv, and run.

Offline: the build uses this environment's backend (``--no-isolation``), and
the wheel is installed with ``--no-index --no-deps``.  ``wheelfix explain``
needs only the standard library, so it runs in a venv with nothing else; the
commands that need the dependencies run with this environment's packages
added to the venv's path.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "kb" / "samples" / "tiktoken-cargo-read-only-filesystem" / "pip-cargo-readonly.log"


def _run(args: List[str], **kwargs: object) -> "subprocess.CompletedProcess[str]":
    return subprocess.run(args, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload, no-any-return]


def _clean_env() -> Dict[str, str]:
    # Nothing may import this checkout instead of the installed wheel.
    return {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Tuple[Path, Path]:
    out = tmp_path_factory.mktemp("dist")
    proc = _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (sdist,) = out.glob("wheelfix-*.tar.gz")
    (wheel,) = out.glob("wheelfix-*-py3-none-any.whl")
    return sdist, wheel


def test_twine_check_passes(dists: Tuple[Path, Path]) -> None:
    proc = _run([sys.executable, "-m", "twine", "check", "--strict", *map(str, dists)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("PASSED") == 2, proc.stdout


def test_distributions_hold_the_package_data(dists: Tuple[Path, Path]) -> None:
    sdist, wheel = dists
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("generator/data/signatures.json", "generator/site/templates/guide.md.j2", "generator/cli/commands/explain.py"):
        assert needed in names, needed
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()
    assert "wheelfix = generator.cli:main" in entry_points and "wheelfix = generator.plugin:WheelfixPlugin" in entry_points
    with tarfile.open(sdist) as tar:
        members = {m.name.split("/", 1)[1] for m in tar.getmembers() if "/" in m.name}
    assert {"pyproject.toml", "README.md", "LICENSE", "generator/data/signatures.json"} <= members


@pytest.fixture(scope="module")
def installed(dists: Tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("venv") / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    python = target / ("Scripts" if os.name == "nt" else "bin") / "python"
    proc = _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index", "--no-deps", "--quiet", str(dists[1])],
                env=_clean_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return target


def _script(target: Path) -> str:
    return str(target / ("Scripts" if os.name == "nt" else "bin") / "wheelfix")


def test_installed_wheel_explains_a_log_with_the_standard_library_alone(installed: Path, tmp_path: Path) -> None:
    # The venv has no third-party package at all: explain must not need one.
    proc = _run([_script(installed), "explain", str(SAMPLE)], cwd=tmp_path, env=_clean_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "cargo-read-only-filesystem" in proc.stdout
    version = _run([_script(installed), "--version"], cwd=tmp_path, env=_clean_env())
    assert version.returncode == 0 and version.stdout.startswith("wheelfix "), version.stdout + version.stderr


def test_installed_wheel_checks_the_kb_with_its_dependencies(installed: Path, tmp_path: Path) -> None:
    # Lend the venv this environment's packages (after its own site-packages, so the wheel's
    # `generator` wins over any editable install of the checkout).
    python = installed / ("Scripts" if os.name == "nt" else "bin") / "python"
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], env=_clean_env()).stdout.strip()
    lent = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site, "lent-deps.pth").write_text("\n".join(sorted(lent)) + "\n", encoding="utf-8")
    where = _run([str(python), "-c", "import generator; print(generator.__file__)"], cwd=tmp_path, env=_clean_env())
    assert where.stdout.strip().startswith(str(installed)), where.stdout + where.stderr
    proc = _run([_script(installed), "check", "--kb", str(ROOT / "kb")], cwd=tmp_path, env=_clean_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "record(s) valid" in proc.stderr
