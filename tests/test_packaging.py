"""Every file of the package ships in the wheel.

Hatch leaves out of the wheel whatever .gitignore matches, even files git
tracks (an unanchored ``site/`` once dropped all of ``generator/site/``,
templates included).  So no file under generator/ may match an ignore pattern.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _git(*args: str) -> "subprocess.CompletedProcess[str]":
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)


def test_no_package_file_is_ignored() -> None:
    if shutil.which("git") is None or _git("rev-parse", "--is-inside-work-tree").returncode != 0:
        pytest.skip("needs a git checkout")
    files = [f for f in _git("ls-files", "generator").stdout.splitlines() if f]
    assert any(f.endswith(".j2") for f in files) and any(f.startswith("generator/data/") for f in files)
    proc = subprocess.run(["git", "check-ignore", "--no-index", "--verbose", "--stdin"], cwd=ROOT,
                          input="\n".join(files) + "\n", capture_output=True, text=True)
    assert proc.returncode == 1, f"ignored, so missing from the wheel:\n{proc.stdout}"
